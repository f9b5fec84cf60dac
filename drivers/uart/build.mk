obj-y += uart.o
obj-$(CONFIG_UART_PL011) += pl011.o
