obj-y += boot.o board_dt.o console.o log.o panic.o irq.o tick.o smp.o
obj-y += plan.o memcarve.o partition_boot.o partition_start.o partition_end.o vcpu_power.o vcpu_irq.o guest_mem.o sched.o sched_pick.o vgic.o passthrough.o passthrough_check.o guest_dt.o guest_console.o hypercall.o vpsci.o
obj-y += event.o channels.o smccc_arch.o mmio.o vgic_regs.o supervise.o
obj-y += virtq.o virtio_mmio.o vblk.o blk_link.o blk_build.o blk_dt.o watchdog.o fault_inject.o device_quiesce.o vuart.o
obj-$(CONFIG_SELFTEST) += selftest.o
obj-y += console_stream.o console_focus.o console_domain.o control.o
