/*
 * The domain runtime: reads the partition's device tree, turns the MMU on,
 * sets up the heap and runs the domain's main(). Returning from main()
 * stops the partition.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bulkhead.h"
#include "runtime.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u

int main(void);
void runtime_start(const void *dtb);
void runtime_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far);

extern char _start[], _end[];

/* The hypervisor puts the device tree in the last 64 KiB of RAM. */
#define DTB_MAX_SIZE 0x10000

static const void *device_tree;
/* Counter value at the domain's first instruction (start.S). */
uint64_t runtime_entry_counter;
static unsigned int partition_id;
static unsigned int restart_count;
static char partition_name[32] = "domain";

/* Heap bounds for _sbrk: after the image, up to the device tree. */
char *runtime_heap_start;
char *runtime_heap_end;

const void *bh_device_tree(void)
{
	return device_tree;
}

unsigned int bh_restart_count(void)
{
	return restart_count;
}

unsigned int bh_partition_id(void)
{
	return partition_id;
}

const char *bh_partition_name(void)
{
	return partition_name;
}

uint64_t bh_entry_counter(void)
{
	return runtime_entry_counter;
}

uint64_t bh_counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

uint64_t bh_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* Before the MMU and the C library work: a direct console hypercall. */
static void early_print(const char *s)
{
	bh_hvc(BH_HC_CONSOLE_WRITE, (uint64_t)s, strlen(s), 0);
}

/* Secondary vCPUs: their stacks and entry functions. */
uint8_t secondary_stacks[BH_MAX_VCPUS + 1][16384] __attribute__((aligned(16)));
static void (*secondary_fn[BH_MAX_VCPUS])(unsigned int);
void secondary_start(void);
void runtime_secondary(unsigned int index);

#define PSCI_CPU_ON_64 0xc4000003u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_AFFINITY_INFO_64 0xc4000004u

int64_t bh_cpu_on(unsigned int index, void (*fn)(unsigned int))
{
	if (index == 0 || index >= BH_MAX_VCPUS)
		return -2; /* PSCI INVALID_PARAMETERS */
	secondary_fn[index] = fn;
	/* The new vCPU starts with its MMU off: it must find fn in memory. */
	__asm__ volatile("dc civac, %0; dsb sy" : : "r"(&secondary_fn[index]) : "memory");
	return bh_hvc(PSCI_CPU_ON_64, index, (uint64_t)secondary_start, index).status;
}

int64_t bh_cpu_is_on(unsigned int index)
{
	int64_t r = bh_hvc(PSCI_AFFINITY_INFO_64, index, 0, 0).status;

	return r < 0 ? r : r == 0;
}

void bh_console_write(const char *s)
{
	early_print(s);
}

void runtime_secondary(unsigned int index)
{
	runtime_mmu_enable_secondary();
	if (index < BH_MAX_VCPUS && secondary_fn[index])
		secondary_fn[index](index);
	bh_hvc(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void bh_stop(void)
{
	fflush(stdout);
	bh_hvc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void bh_restart(void)
{
	fflush(stdout);
	bh_hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}


static void read_device_tree(const void *dtb, uint64_t *ram_base, uint64_t *ram_size)
{
	const fdt32_t *reg;
	const char *name;
	int node, len;

	*ram_base = 0;
	*ram_size = 0;
	if (fdt_check_header(dtb))
		return;
	node = fdt_path_offset(dtb, "/memory");
	reg = node >= 0 ? fdt_getprop(dtb, node, "reg", &len) : NULL;
	if (reg && len >= 16) {
		*ram_base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
		*ram_size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
	}
	node = fdt_path_offset(dtb, "/hypervisor");
	if (node < 0)
		return;
	reg = fdt_getprop(dtb, node, "bulkhead,partition-id", &len);
	if (reg && len == 4)
		partition_id = fdt32_to_cpu(*reg);
	reg = fdt_getprop(dtb, node, "bulkhead,restart-count", &len);
	if (reg && len == 4)
		restart_count = fdt32_to_cpu(*reg);
	name = fdt_getprop(dtb, node, "bulkhead,partition-name", &len);
	if (name && len > 0 && (size_t)len <= sizeof(partition_name))
		memcpy(partition_name, name, (size_t)len);
}

/* The heap stops below the first /reserved-memory region above its start
 * (a block driver domain's link area is one: the hypervisor writes there). */
static char *below_reserved(const void *dtb, char *start, char *end)
{
	int parent = fdt_path_offset(dtb, "/reserved-memory"), node, len;

	if (parent < 0)
		return end;
	fdt_for_each_subnode(node, dtb, parent)
	{
		const fdt64_t *reg = fdt_getprop(dtb, node, "reg", &len);
		char *base;

		if (!reg || len < 16)
			continue;
		base = (char *)(uintptr_t)fdt64_to_cpu(reg[0]);
		if (base >= start && base < end)
			end = base;
	}
	return end;
}

void runtime_start(const void *dtb)
{
	uint64_t ram_base, ram_size;
	struct bh_result v = bh_hvc(BH_HC_ABI_VERSION, 0, 0, 0);

	if (v.status != BH_OK || (v.r1 >> 16) != BH_ABI_VERSION_MAJOR) {
		early_print("domain: hypervisor ABI version mismatch; stopping\n");
		bh_stop();
	}
	/* RAM runs at least from the image to the device tree above it; map
	 * that first, since libfdt and newlib need normal memory. */
	if ((uint64_t)dtb <= (uint64_t)_start) {
		early_print("domain: the device tree must lie above the image; stopping\n");
		bh_stop();
	}
	runtime_mmu_init((uint64_t)_start, (uint64_t)dtb + DTB_MAX_SIZE - (uint64_t)_start);
	device_tree = dtb;
	read_device_tree(dtb, &ram_base, &ram_size);
	if (!ram_size) {
		early_print("domain: no usable /memory in the device tree; stopping\n");
		bh_stop();
	}
	runtime_heap_start = _end;
	runtime_heap_end = (char *)dtb;
	if (runtime_heap_end <= runtime_heap_start || (uint64_t)dtb >= ram_base + ram_size)
		runtime_heap_end = (char *)(ram_base + ram_size);
	runtime_heap_end = below_reserved(dtb, runtime_heap_start, runtime_heap_end);

	exit(main());
}

void runtime_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	char line[160];

	snprintf(line, sizeof(line), "%s: unexpected exception %lu: ESR 0x%lx ELR 0x%lx FAR 0x%lx\n",
		 partition_name, (unsigned long)kind, (unsigned long)esr, (unsigned long)elr,
		 (unsigned long)far);
	early_print(line);
	/* A fault of the partition: the plan's policy decides what follows. */
	bh_hvc(BH_HC_FAULT, esr, elr, far);
	bh_stop();
}

/* Debian's libfdt is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x2b9ae8c5d3f10e77UL;
void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	early_print("domain: stack smashing detected; stopping\n");
	bh_stop();
}

/* Past the heap's first MiB (what newlib's buffers use) up to the device
 * tree: RAM this run has not touched, for tests that it starts zeroed. */
unsigned long bh_fresh_ram(uint64_t **start, uint64_t **end)
{
	unsigned long nonzero = 0;

	*start = (uint64_t *)(((uintptr_t)runtime_heap_start + (1UL << 20) + 4095) & ~4095UL);
	*end = (uint64_t *)runtime_heap_end;
	for (volatile uint64_t *w = *start; w < *end; w++)
		nonzero += *w != 0;
	return nonzero;
}

int bh_device_find(const char *compatible, struct bh_device *d)
{
	const void *fdt = device_tree;
	int node = fdt_node_offset_by_compatible(fdt, -1, compatible), len;
	const fdt32_t *reg, *irqs;

	if (node < 0)
		return -1;
	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len < 16) /* the partition's tree has 2 address and 2 size cells */
		return -1;
	d->base = ((uint64_t)fdt32_to_cpu(reg[0]) << 32) | fdt32_to_cpu(reg[1]);
	d->size = ((uint64_t)fdt32_to_cpu(reg[2]) << 32) | fdt32_to_cpu(reg[3]);
	d->intid = 0;
	irqs = fdt_getprop(fdt, node, "interrupts", &len);
	if (irqs && len >= 12) /* <type number flags>: SPIs from 32, PPIs from 16 */
		d->intid = fdt32_to_cpu(irqs[1]) + (fdt32_to_cpu(irqs[0]) == 0 ? 32 : 16);
	return 0;
}

uint64_t bh_dma_offset(void)
{
	int node = fdt_path_offset(device_tree, "/chosen"), len;
	const fdt32_t *v = node >= 0 ? fdt_getprop(device_tree, node, "bulkhead,dma-offset", &len)
				     : NULL;

	/* Two cells: a property is only 4-byte aligned in the blob. */
	if (!v || len != 8)
		return 0;
	return (uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]);
}

const char *bh_args(void)
{
	int node = fdt_path_offset(device_tree, "/chosen"), len;
	const char *args = node >= 0 ? fdt_getprop(device_tree, node, "bootargs", &len) : NULL;

	return args && len > 0 && !args[len - 1] ? args : "";
}

bool bh_arg(const char *word)
{
	size_t n = strlen(word);

	for (const char *p = bh_args(); *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		while (*p == ' ')
			p++;
	}
	return false;
}
