/*
 * Bulkhead guest ABI: the console domain's and the control domain's calls
 * (docs/abi.md, docs/console.md).
 *
 * The console domain (role "console") owns the board's console UART. The
 * hypervisor keeps what every partition prints, and its own messages, in
 * bounded streams; the console domain takes the oldest record waiting
 * (BH_HC_CONSOLE_NEXT), puts it out, and says so (BH_HC_CONSOLE_ACK). A
 * record stays waiting until it is acknowledged, so records a console
 * domain held when it died are given to its next run. Characters typed on
 * the UART go to the hypervisor (BH_HC_CONSOLE_INPUT), which gives them to
 * the partition that has the input focus.
 *
 * The control domain (role "control") may look at every partition and
 * stop, start and restart those its plan's "controls" names.
 */
#ifndef BULKHEAD_ABI_CONSOLE_H
#define BULKHEAD_ABI_CONSOLE_H

#include <stdint.h>
#include <bulkhead/abi/hypercall.h>

/* Console domain: it is ready to put out records; the hypervisor stops
 * writing to the UART and raises BH_CONSOLE_INTID when records wait.
 * x0 = BH_OK, x1 = BH_CONSOLE_COLOUR if lines may be coloured. */
#define BH_HC_CONSOLE_ATTACH BH_HC(19)
#define BH_CONSOLE_COLOUR 1u
/* Console domain: x1 = guest address of a buffer, x2 = its size (at least
 * sizeof(struct bh_console_record)). The oldest record waiting is copied
 * there (its text cut to the buffer). x0 = BH_OK, x1 = the text's length
 * in the buffer; BH_E_NOT_FOUND when none waits; BH_E_AGAIN while the
 * hypervisor itself is writing to the UART (try again shortly). */
#define BH_HC_CONSOLE_NEXT BH_HC(20)
/* Console domain: the record (x1 = source, x2 = sequence number) is out,
 * with the note of x3 records dropped before it. BH_E_INVALID if it is
 * not the oldest waiting of that source (then nothing changes). */
#define BH_HC_CONSOLE_ACK BH_HC(21)
/* Console domain: x1 = guest address of typed characters, x2 = how many
 * (at most BH_CONSOLE_INPUT_MAX). x0 = BH_OK, x1 = how many were taken:
 * fewer when the focused partition's receive FIFO is full (give the rest
 * again later). */
#define BH_HC_CONSOLE_INPUT BH_HC(22)
#define BH_CONSOLE_INPUT_MAX 64

/* Records wait (a PPI on the console domain's vCPU 0). */
#define BH_CONSOLE_INTID 24

#define BH_CONSOLE_SOURCE_HYPERVISOR 0xffffu
#define BH_CONSOLE_NAME_MAX 32
#define BH_CONSOLE_TEXT_MAX 512

struct bh_console_record {
	uint32_t seq;	   /* order among all records */
	uint16_t source;   /* partition id, or BH_CONSOLE_SOURCE_HYPERVISOR */
	uint16_t len;	   /* the text's full length (the buffer may hold less) */
	uint32_t dropped;  /* records of this source lost before this one */
	uint32_t reserved; /* 0 */
	char name[BH_CONSOLE_NAME_MAX]; /* the source's name, NUL-terminated */
	char text[];	   /* a partition's line (no newline) or a message */
};

/*
 * Control domain: x1 = partition id, x2 = guest address of a struct
 * bh_partition_info. x0 = BH_OK, BH_E_NOT_FOUND past the last partition
 * (ids run from 0 without gaps), BH_E_FAULT.
 */
#define BH_HC_CTRL_INFO BH_HC(23)
/* Control domain: x1 = partition id (one its plan's "controls" names, else
 * BH_E_DENIED). STOP ends it for good (until START); START starts a
 * stopped partition afresh (its restart count and back-off start again);
 * RESTART ends it and starts it at once. x0 = BH_OK, BH_E_INVALID (STOP of
 * a stopped partition, START of a running one), BH_E_DENIED. */
#define BH_HC_CTRL_STOP BH_HC(24)
#define BH_HC_CTRL_START BH_HC(25)
#define BH_HC_CTRL_RESTART BH_HC(26)
/* Control domain: x1 = partition id, x2 = guest address of a buffer, x3 =
 * its size, x4 = how many lines. The partition's last lines, oldest first,
 * each ending in '\n', NUL-terminated. x0 = BH_OK, x1 = length. */
#define BH_HC_CTRL_LOG BH_HC(27)

#define BH_PART_RUNNING 0
#define BH_PART_STOPPED 1
#define BH_PART_RESTARTING 2
#define BH_PART_STARTING 3 /* its first start, not yet run */

#define BH_ROLE_GUEST 0
#define BH_ROLE_DRIVER 1
#define BH_ROLE_CONSOLE 2
#define BH_ROLE_CONTROL 3

struct bh_partition_info {
	char name[BH_CONSOLE_NAME_MAX];
	uint32_t role;	   /* BH_ROLE_* */
	uint32_t state;	   /* BH_PART_* */
	uint64_t cpus;	   /* physical CPUs, a bit each */
	uint64_t mem_size; /* bytes */
	uint32_t restarts;
	uint32_t flags;	     /* BH_INFO_* */
	uint64_t uptime_ms;  /* since its last start (0 while not running) */
	char last_fault[64]; /* its last fault in words, "" if none */
};
#define BH_INFO_CONTROLLED 1u /* the caller may stop, start, restart it */
#define BH_INFO_INPUT 2u      /* it takes console input (a virtual UART) */

#endif
