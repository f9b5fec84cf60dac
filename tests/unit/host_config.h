/*
 * Stand-in for the Kconfig-generated autoconf.h when the hypervisor's pure
 * logic is compiled for the host unit tests (tests/unit/unit.mk passes it
 * with -include). The values are those of configs/qemu_virt_defconfig; the
 * code under test only needs them to compile, not to match a board.
 */
#ifndef BULKHEAD_TESTS_HOST_CONFIG_H
#define BULKHEAD_TESTS_HOST_CONFIG_H

#define CONFIG_BOARD_QEMU_VIRT 1
#define CONFIG_BOARD_NAME "qemu-virt"
#define CONFIG_EARLY_UART_BASE 0x09000000
#define CONFIG_EARLY_UART_COMPATIBLE "arm,pl011"
#define CONFIG_NR_CPUS 4
#define CONFIG_HZ 100
#define CONFIG_STACK_SIZE 16384
#define CONFIG_LOG_LEVEL 2
#define CONFIG_GICV2 1
#define CONFIG_GICV3 1
#define CONFIG_UART_PL011 1
#define CONFIG_FAULT_INJECTION 1

/* The hypervisor build force-includes this one too (IS_ENABLED()). */
#include <bulkhead/kconfig.h>

#endif
