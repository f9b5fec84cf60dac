obj-y += irqchip.o
obj-$(CONFIG_GICV2) += gicv2.o
obj-$(CONFIG_GICV3) += gicv3.o
