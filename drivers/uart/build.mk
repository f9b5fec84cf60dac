obj-y += uart.o
obj-$(CONFIG_UART_PL011) += pl011.o
obj-$(CONFIG_UART_BCM2835_AUX) += bcm2835_aux.o
