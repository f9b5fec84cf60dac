obj-y += boot/head.o vectors.o cpu_asm.o cpu.o mmu.o pgtable.o psci.o timer.o
obj-y += esr.o traps.o stage2.o vcpu.o vcpu_asm.o guest_trap.o vgic_hw.o
obj-y += spin_table.o mmio_access.o
