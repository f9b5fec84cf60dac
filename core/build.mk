obj-y += boot.o board_dt.o console.o log.o panic.o irq.o tick.o smp.o
obj-$(CONFIG_SELFTEST) += selftest.o
