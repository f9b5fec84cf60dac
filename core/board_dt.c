/*
 * Reads the board's device tree (from u-boot or QEMU) into struct
 * board_info: memory, reserved memory, CPUs and how to start them, PSCI, the
 * interrupt controller, the timer interrupts and the console UART.
 *
 * Runs once at boot on the boot CPU and is unit-tested on the host against
 * QEMU's own device trees and hand-written broken ones. The blob is input,
 * not trusted: every property is length-checked before use.
 */
#include <libfdt.h>
#include <string.h>
#include <bulkhead/board.h>
#include <bulkhead/format.h>
#include <bulkhead/range.h>

#define ERR(...) (fmt_snprintf(err, errlen, __VA_ARGS__), -1)

static const char *const gicv3_compat[] = { "arm,gic-v3", NULL };
static const char *const gicv2_compat[] = { "arm,gic-400", "arm,cortex-a15-gic",
					    "arm,cortex-a7-gic", "arm,cortex-a9-gic", NULL };
static const char *const timer_compat[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
/* PSCI 0.1 ("arm,psci" alone) has per-firmware function IDs: not supported. */
static const char *const psci_compat[] = { "arm,psci-1.0", "arm,psci-0.2", NULL };

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	for (int i = 0; i < cells; i++)
		v = (v << 32) | fdt32_to_cpu(p[i]);
	return v;
}

/* The #address-cells/#size-cells a node sets for its children, with the
 * devicetree spec's defaults. */
static void node_cells(const void *fdt, int node, int *ac, int *sc)
{
	const fdt32_t *p;
	int len;

	*ac = 2;
	*sc = 1;
	if (node < 0)
		return;
	p = fdt_getprop(fdt, node, "#address-cells", &len);
	if (p && len == 4)
		*ac = (int)fdt32_to_cpu(*p);
	p = fdt_getprop(fdt, node, "#size-cells", &len);
	if (p && len == 4)
		*sc = (int)fdt32_to_cpu(*p);
}

/*
 * A node with its ancestors. libfdt's fdt_parent_offset() rescans the tree
 * from the start on every call, so the ancestors are found once, in one
 * scan, and kept.
 */
#define DT_MAX_DEPTH 16

struct dt_node {
	int offset;
	int depth;		    /* the root is depth 0 */
	int ancestor[DT_MAX_DEPTH]; /* ancestor[0] is the root, [depth - 1] the parent */
};

/*
 * An index of the tree's nodes, built in one pass over the structure block
 * while board_dt_parse() runs. libfdt walks a node's name a byte at a time,
 * with a bounds check per byte, and every path, compatible or parent lookup
 * walks the tree again from the start: on QEMU's tree that was about 2 M
 * instructions of boot. With the index, each lookup is a scan of a small
 * array; properties are still read through libfdt.
 *
 * The index is only an accelerator: a tree it cannot describe (more nodes
 * than it holds, or deeper than dt_locate() follows) leaves it unbuilt, and
 * every lookup takes libfdt's way, as before. It lives in .bss (nothing is
 * allocated) and is dropped when the parse ends, so later lookups
 * (board_dt_device(), board_dt_node_at()) read the tree itself.
 */
#define DT_INDEX_MAX 512

struct dt_entry {
	int offset;	     /* of its FDT_BEGIN_NODE tag, as libfdt numbers nodes */
	int depth;	     /* the root is 0 */
	int parent;	     /* index of the parent entry, -1 for the root */
	const char *name;    /* unit address included; not terminated at namelen */
	int namelen;
	const char *compat;  /* its first "compatible" property, or NULL */
	int compat_len;
};

static struct {
	const void *fdt; /* the tree indexed, NULL when there is no index */
	int nr;
	struct dt_entry e[DT_INDEX_MAX];
} dt_ix;

/* Byte-wise (fdt32_ld): nothing says the blob is 4-byte aligned. */
static uint32_t be32_at(const char *p)
{
	return fdt32_ld((const fdt32_t *)(const void *)p);
}

/* Is the string at nameoff in the strings block exactly `name`? */
static bool prop_name_is(const void *fdt, uint32_t nameoff, const char *name, size_t len)
{
	uint32_t size = fdt_size_dt_strings(fdt);
	const char *s = (const char *)fdt + fdt_off_dt_strings(fdt) + nameoff;

	return nameoff < size && size - nameoff > len && !memcmp(s, name, len + 1);
}

/* One pass over the structure block (already checked by fdt_check_full());
 * still bounds-checked at every step. Returns 0 with dt_ix filled in. */
static int dt_index_build(const void *fdt)
{
	const char *base = (const char *)fdt + fdt_off_dt_struct(fdt);
	uint32_t size = fdt_size_dt_struct(fdt), off = 0;
	int depth = -1, cur = -1;

	dt_ix.fdt = NULL;
	dt_ix.nr = 0;
	while (size - off >= 4) {
		uint32_t tag = be32_at(base + off), len;
		struct dt_entry *e;

		switch (tag) {
		case FDT_BEGIN_NODE:
			len = (uint32_t)strnlen(base + off + 4, size - off - 4);
			if (len == size - off - 4 || ++depth >= DT_MAX_DEPTH ||
			    dt_ix.nr == DT_INDEX_MAX)
				return -1;
			e = &dt_ix.e[dt_ix.nr];
			*e = (struct dt_entry){ (int)off, depth, cur, base + off + 4, (int)len, NULL, 0 };
			cur = dt_ix.nr++;
			off += 4 + ((len + 4) & ~3u); /* the name, its NUL, padding */
			break;
		case FDT_END_NODE:
			if (depth-- < 0 || cur < 0)
				return -1;
			cur = dt_ix.e[cur].parent;
			off += 4;
			break;
		case FDT_PROP:
			if (size - off < 12 || cur < 0)
				return -1;
			len = be32_at(base + off + 4);
			if (len > size - off - 12)
				return -1;
			if (!dt_ix.e[cur].compat &&
			    prop_name_is(fdt, be32_at(base + off + 8), "compatible", 10)) {
				dt_ix.e[cur].compat = base + off + 12;
				dt_ix.e[cur].compat_len = (int)len;
			}
			off += 12 + ((len + 3) & ~3u);
			if (off > size)
				return -1;
			break;
		case FDT_NOP:
			off += 4;
			break;
		case FDT_END:
			if (depth != -1 || dt_ix.nr == 0 || dt_ix.e[0].offset != 0)
				return -1;
			dt_ix.fdt = fdt;
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}

/* The index entry of node, or -1 (no index for this tree, or no node there). */
static int dt_ix_find(const void *fdt, int node)
{
	int lo = 0, hi = dt_ix.nr - 1;

	if (dt_ix.fdt != fdt)
		return -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (dt_ix.e[mid].offset == node)
			return mid;
		if (dt_ix.e[mid].offset < node)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The first child of entry p at or after entry `from`, or -FDT_ERR_NOTFOUND. */
static int dt_ix_child_from(int p, int from)
{
	for (int i = from; i < dt_ix.nr && dt_ix.e[i].depth > dt_ix.e[p].depth; i++)
		if (dt_ix.e[i].parent == p)
			return dt_ix.e[i].offset;
	return -FDT_ERR_NOTFOUND;
}

/* fdt_first_subnode() and fdt_next_subnode(), through the index if any. */
static int dt_first_child(const void *fdt, int parent)
{
	int p = dt_ix_find(fdt, parent);

	return p < 0 ? fdt_first_subnode(fdt, parent) : dt_ix_child_from(p, p + 1);
}

static int dt_next_child(const void *fdt, int node)
{
	int c = dt_ix_find(fdt, node);

	if (c < 0)
		return fdt_next_subnode(fdt, node);
	return c == 0 ? -FDT_ERR_NOTFOUND : dt_ix_child_from(dt_ix.e[c].parent, c + 1);
}

#define dt_for_each_child(node, fdt, parent)                                                       \
	for ((node) = dt_first_child(fdt, parent); (node) >= 0; (node) = dt_next_child(fdt, node))

/* libfdt's rule for a path component: the whole name, or the name before
 * its unit address when the component gives none. */
static bool dt_ix_name_eq(const struct dt_entry *e, const char *s, int len)
{
	if (e->namelen < len || memcmp(e->name, s, (size_t)len))
		return false;
	return e->namelen == len || (e->name[len] == '@' && !memchr(s, '@', (size_t)len));
}

/* fdt_path_offset_namelen(), through the index for an absolute path (an
 * alias, or a tree without an index, takes libfdt's way). */
static int dt_path(const void *fdt, const char *path, int namelen)
{
	const char *p = path, *end = path + namelen;
	int cur = 0;

	if (dt_ix.fdt != fdt || namelen <= 0 || *path != '/')
		return fdt_path_offset_namelen(fdt, path, namelen);
	while (p < end) {
		const char *q;
		int i, found = -1;

		while (*p == '/')
			if (++p == end)
				return dt_ix.e[cur].offset;
		q = memchr(p, '/', (size_t)(end - p));
		if (!q)
			q = end;
		for (i = cur + 1; i < dt_ix.nr && dt_ix.e[i].depth > dt_ix.e[cur].depth; i++)
			if (dt_ix.e[i].parent == cur && dt_ix_name_eq(&dt_ix.e[i], p, (int)(q - p))) {
				found = i;
				break;
			}
		if (found < 0)
			return -FDT_ERR_NOTFOUND;
		cur = found;
		p = q;
	}
	return dt_ix.e[cur].offset;
}

static int dt_path_offset(const void *fdt, const char *path)
{
	return dt_path(fdt, path, (int)strlen(path));
}

/* dt_locate() for an indexed node: its ancestors are its parent chain. */
static int dt_ix_locate(int i, struct dt_node *out)
{
	out->offset = dt_ix.e[i].offset;
	out->depth = dt_ix.e[i].depth;
	out->ancestor[out->depth] = out->offset; /* as dt_locate()'s walk leaves it */
	for (int a = dt_ix.e[i].parent; a >= 0; a = dt_ix.e[a].parent)
		out->ancestor[dt_ix.e[a].depth] = dt_ix.e[a].offset;
	return 0;
}

static int dt_locate(const void *fdt, int node, struct dt_node *out)
{
	int off = 0, depth = 0, i = dt_ix_find(fdt, node);

	if (i >= 0)
		return dt_ix_locate(i, out);
	out->ancestor[0] = 0;
	while (off >= 0 && off < node) {
		off = fdt_next_node(fdt, off, &depth);
		if (off < 0 || depth < 0 || depth >= DT_MAX_DEPTH)
			return -1;
		out->ancestor[depth] = off;
	}
	if (off != node)
		return -1;
	out->offset = node;
	out->depth = depth;
	return 0;
}

/* A direct child of `parent`, whose own position is already known. */
static void dt_child(const struct dt_node *parent, int node, struct dt_node *out)
{
	*out = *parent;
	if (parent->depth + 1 < DT_MAX_DEPTH) {
		out->ancestor[parent->depth] = parent->offset;
		out->depth = parent->depth + 1;
	}
	out->offset = node;
}

static const struct dt_node dt_root = { 0, 0, { 0 } };


/*
 * Translate a bus address of node n into a CPU physical address through
 * the "ranges" of each ancestor bus. Returns false if a bus has no range
 * for it (the device is not visible to the CPU).
 */
static bool translate(const void *fdt, const struct dt_node *n, uint64_t *addr)
{
	for (int level = n->depth - 1; level >= 1; level--) {
		int bus = n->ancestor[level], grand = n->ancestor[level - 1];
		int len, cac, csc, pac, psc, entry;
		const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
		bool hit = false;

		if (!r)
			return false;
		if (len == 0)
			continue; /* identity */
		node_cells(fdt, bus, &cac, &csc);
		node_cells(fdt, grand, &pac, &psc);
		if (cac < 1 || cac > 2 || csc < 1 || csc > 2 || pac < 1 || pac > 2)
			return false;
		entry = (cac + pac + csc) * 4;
		for (int off = 0; off + entry <= len; off += entry) {
			const fdt32_t *e = r + off / 4;
			uint64_t child = read_cells(e, cac);
			uint64_t parent = read_cells(e + cac, pac);
			uint64_t size = read_cells(e + cac + pac, csc);

			if (*addr >= child && *addr - child < size) {
				*addr = parent + (*addr - child);
				hit = true;
				break;
			}
		}
		if (!hit)
			return false;
	}
	return true;
}

/* The index-th (address, size) pair of a node's "reg", untranslated. */
static int reg_raw(const void *fdt, const struct dt_node *n, int index, struct mem_range *out)
{
	int ac, sc, len;
	const fdt32_t *p;

	if (n->depth < 1)
		return -1;
	node_cells(fdt, n->ancestor[n->depth - 1], &ac, &sc);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return -1;
	p = fdt_getprop(fdt, n->offset, "reg", &len);
	if (!p || len < (index + 1) * (ac + sc) * 4)
		return -1;
	p += index * (ac + sc);
	out->base = read_cells(p, ac);
	out->size = sc ? read_cells(p + ac, sc) : 0;
	return 0;
}

/* The same, translated to a CPU physical address. */
static int reg_at(const void *fdt, const struct dt_node *n, int index, struct mem_range *out)
{
	if (reg_raw(fdt, n, index, out))
		return -1;
	return translate(fdt, n, &out->base) ? 0 : -1;
}

static bool node_enabled(const void *fdt, int node)
{
	int len;
	const char *s = fdt_getprop(fdt, node, "status", &len);

	/* "okay", or the older "ok"; no status at all also means enabled. */
	return !s || (len == 5 && !memcmp(s, "okay", 5)) || (len == 3 && !memcmp(s, "ok", 3));
}

/* The first node from index entry `from` on whose compatible list holds
 * compat (fdt_node_offset_by_compatible() over the index). */
static int dt_ix_compatible(int from, const char *compat)
{
	for (int i = from; i < dt_ix.nr; i++)
		if (dt_ix.e[i].compat &&
		    fdt_stringlist_contains(dt_ix.e[i].compat, dt_ix.e[i].compat_len, compat))
			return i;
	return -1;
}

/* First enabled node compatible with any of list[]; the match in *which. */
static int find_compatible(const void *fdt, const char *const *list, const char **which)
{
	for (int i = 0; dt_ix.fdt == fdt && list[i]; i++) {
		int e = dt_ix_compatible(0, list[i]);

		while (e >= 0 && !node_enabled(fdt, dt_ix.e[e].offset))
			e = dt_ix_compatible(e + 1, list[i]);
		if (e >= 0) {
			*which = list[i];
			return dt_ix.e[e].offset;
		}
	}
	for (int i = 0; dt_ix.fdt != fdt && list[i]; i++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, list[i]);

		while (node >= 0 && !node_enabled(fdt, node))
			node = fdt_node_offset_by_compatible(fdt, node, list[i]);
		if (node >= 0) {
			*which = list[i];
			return node;
		}
	}
	return -FDT_ERR_NOTFOUND;
}

static void copy_str(char *dst, size_t dstlen, const char *src, int srclen)
{
	size_t n = srclen < 0 ? 0 : strnlen(src, (size_t)srclen);

	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int parse_memory(const void *fdt, struct board_info *b, char *err, size_t errlen)
{
	int node;

	dt_for_each_child(node, fdt, 0)
	{
		int len, ac, sc;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		const fdt32_t *reg;
		struct dt_node n;

		if (!type || len < 7 || strncmp(type, "memory", 7) || !node_enabled(fdt, node))
			continue;
		dt_child(&dt_root, node, &n);
		node_cells(fdt, 0, &ac, &sc);
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len % ((ac + sc) * 4))
			return ERR("%s: malformed \"reg\"", fdt_get_name(fdt, node, NULL));
		for (int i = 0; i < len / ((ac + sc) * 4); i++) {
			struct mem_range m;

			if (reg_at(fdt, &n, i, &m) || m.size == 0)
				continue;
			if (b->nr_mem == BOARD_MAX_MEM)
				return ERR("more than %d memory ranges", BOARD_MAX_MEM);
			b->mem[b->nr_mem++] = m;
		}
	}
	if (b->nr_mem == 0)
		return ERR("no memory node (device_type = \"memory\") with a size");
	return 0;
}

static uint64_t range_end(const struct mem_range *r)
{
	return r->base + r->size < r->base ? ~0UL : r->base + r->size;
}

/* Grow r to cover [base, base + size) too (and the gap between). */
static void cover(struct mem_range *r, uint64_t base, uint64_t size)
{
	struct mem_range add = { base, size };
	uint64_t lo = r->base < base ? r->base : base;
	uint64_t hi = range_end(r) > range_end(&add) ? range_end(r) : range_end(&add);

	r->base = lo;
	r->size = hi - lo;
}

/*
 * Every reserved range is kept: one that overlaps or touches a kept range
 * joins it, and when the table is full a new range joins the kept range
 * that it grows least. Merging reserves more than asked (the gap between),
 * never less: reserved memory must never be handed to a partition.
 */
static void add_reserved(struct board_info *b, uint64_t base, uint64_t size)
{
	struct mem_range add = { base, size };
	unsigned int best = 0;
	uint64_t best_growth = ~0UL;

	if (!size)
		return;
	for (unsigned int i = 0; i < b->nr_reserved; i++) {
		struct mem_range *r = &b->reserved[i];

		if (base <= range_end(r) && r->base <= range_end(&add)) {
			cover(r, base, size);
			return;
		}
	}
	if (b->nr_reserved < BOARD_MAX_RESERVED) {
		b->reserved[b->nr_reserved++] = add;
		return;
	}
	for (unsigned int i = 0; i < b->nr_reserved; i++) {
		struct mem_range grown = b->reserved[i];

		cover(&grown, base, size);
		if (grown.size - b->reserved[i].size < best_growth) {
			best_growth = grown.size - b->reserved[i].size;
			best = i;
		}
	}
	cover(&b->reserved[best], base, size);
	b->nr_reserved_merged++;
}

static void parse_reserved(const void *fdt, struct board_info *b)
{
	int n = fdt_num_mem_rsv(fdt), node;
	struct dt_node parent;

	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(b, base, size);
	}
	node = dt_path_offset(fdt, "/reserved-memory");
	if (node < 0 || dt_locate(fdt, node, &parent))
		return;
	dt_for_each_child(n, fdt, node)
	{
		struct mem_range m;
		struct dt_node child;

		dt_child(&parent, n, &child);
		for (int i = 0; reg_at(fdt, &child, i, &m) == 0; i++)
			add_reserved(b, m.base, m.size);
	}
}

static int parse_cpus(const void *fdt, struct board_info *b, char *err, size_t errlen)
{
	int cpus = dt_path_offset(fdt, "/cpus"), node;

	struct dt_node cpus_node;

	if (cpus < 0)
		return ERR("no /cpus node");
	dt_child(&dt_root, cpus, &cpus_node);
	dt_for_each_child(node, fdt, cpus)
	{
		int len;
		const char *type = fdt_getprop(fdt, node, "device_type", &len);
		const char *method;
		struct mem_range reg;
		struct board_cpu *c;

		if (!type || len < 4 || strncmp(type, "cpu", 4) || !node_enabled(fdt, node))
			continue;
		struct dt_node n;

		dt_child(&cpus_node, node, &n);
		if (reg_raw(fdt, &n, 0, &reg))
			return ERR("/cpus/%s: missing or malformed \"reg\"",
				   fdt_get_name(fdt, node, NULL));
		if (b->nr_cpus == BOARD_MAX_CPUS) {
			b->nr_cpus_ignored++; /* reported at boot; the rest still run */
			continue;
		}
		c = &b->cpus[b->nr_cpus++];
		c->mpidr = reg.base;
		method = fdt_getprop(fdt, node, "enable-method", &len);
		if (method && len >= 5 && !strncmp(method, "psci", 5)) {
			c->method = CPU_ENABLE_PSCI;
		} else if (method && len >= 11 && !strncmp(method, "spin-table", 11)) {
			const fdt32_t *p = fdt_getprop(fdt, node, "cpu-release-addr", &len);

			c->method = CPU_ENABLE_SPIN_TABLE;
			if (p && (len == 4 || len == 8))
				c->release_addr = read_cells(p, len / 4);
		} else {
			c->method = CPU_ENABLE_NONE;
		}
	}
	if (b->nr_cpus == 0)
		return ERR("no CPU in /cpus (device_type = \"cpu\")");
	return 0;
}

static void parse_psci(const void *fdt, struct board_info *b)
{
	const char *which, *method;
	int len, node = find_compatible(fdt, psci_compat, &which);

	b->psci = PSCI_CONDUIT_NONE;
	if (node < 0)
		return;
	method = fdt_getprop(fdt, node, "method", &len);
	if (method && len >= 4 && !strncmp(method, "smc", 4))
		b->psci = PSCI_CONDUIT_SMC;
	else if (method && len >= 4 && !strncmp(method, "hvc", 4))
		b->psci = PSCI_CONDUIT_HVC;
}

/*
 * The PPI in specifier i of a GIC "interrupts" property with `cells` cells
 * per specifier (3, or 4 with GICv3's PPI-partition cell): its INTID, or 0
 * if the specifier is not a PPI.
 */
static unsigned int gic_ppi(const fdt32_t *p, int cells, int i)
{
	uint32_t type = fdt32_to_cpu(p[i * cells]);
	uint32_t num = fdt32_to_cpu(p[i * cells + 1]);

	return type == 1 && num < 16 ? num + 16 : 0;
}

static int parse_gic(const void *fdt, struct board_info *b, char *err, size_t errlen)
{
	struct board_gic *g = &b->gic;
	const char *which = NULL;
	const fdt32_t *irq;
	int len, node = find_compatible(fdt, gicv3_compat, &which);
	struct dt_node n;

	if (node >= 0) {
		if (dt_locate(fdt, node, &n))
			return ERR("%s: cannot locate the node", which);
		g->version = GIC_V3;
		if (reg_at(fdt, &n, 0, &g->dist))
			return ERR("%s: no distributor in \"reg\"", which);
		/* The binding lists #redistributor-regions (default 1) regions
		 * after the distributor; the optional GICC/GICH/GICV follow. */
		const fdt32_t *nr = fdt_getprop(fdt, node, "#redistributor-regions", &len);
		unsigned int want = nr && len == 4 ? fdt32_to_cpu(*nr) : 1;

		if (want == 0 || want > BOARD_MAX_REDIST)
			return ERR("%s: #redistributor-regions = %u (supported: 1 to %d)", which,
				   want, BOARD_MAX_REDIST);
		for (unsigned int i = 0; i < want; i++) {
			if (reg_at(fdt, &n, (int)i + 1, &g->redist[i]))
				return ERR("%s: redistributor region %u missing from \"reg\"",
					   which, i);
			g->nr_redist++;
		}
	} else {
		node = find_compatible(fdt, gicv2_compat, &which);
		if (node < 0)
			return ERR("no supported interrupt controller (GICv2 or GICv3)");
		g->version = GIC_V2;
		if (dt_locate(fdt, node, &n))
			return ERR("%s: cannot locate the node", which);
		if (reg_at(fdt, &n, 0, &g->dist) || reg_at(fdt, &n, 1, &g->cpuif))
			return ERR("%s: \"reg\" needs distributor and CPU interface", which);
		/* Virtualization interface: optional, needed later for guests. */
		reg_at(fdt, &n, 2, &g->hyp);
		reg_at(fdt, &n, 3, &g->vcpu);
	}
	copy_str(g->compatible, sizeof(g->compatible), which, (int)strlen(which) + 1);
	irq = fdt_getprop(fdt, node, "#interrupt-cells", &len);
	g->interrupt_cells = irq && len == 4 ? (int)fdt32_to_cpu(*irq) : 3;
	if (g->interrupt_cells != 3 && g->interrupt_cells != 4)
		return ERR("%s: #interrupt-cells = %d (supported: 3 or 4)", which,
			   g->interrupt_cells);
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq && len >= g->interrupt_cells * 4)
		g->maint_intid = gic_ppi(irq, g->interrupt_cells, 0);
	return 0;
}

static int parse_timer(const void *fdt, struct board_info *b, char *err, size_t errlen)
{
	const char *which;
	const fdt32_t *irq;
	int len, node = find_compatible(fdt, timer_compat, &which);
	int cells = b->gic.interrupt_cells;

	if (node < 0)
		return ERR("no arm,armv8-timer node");
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (!irq || len < 4 * cells * 4)
		return ERR("%s: \"interrupts\" needs 4 entries (secure, non-secure, virtual, hyp)",
			   which);
	b->timer.phys_intid = gic_ppi(irq, cells, 1);
	b->timer.virt_intid = gic_ppi(irq, cells, 2);
	b->timer.hyp_intid = gic_ppi(irq, cells, 3);
	if (!b->timer.phys_intid || !b->timer.virt_intid || !b->timer.hyp_intid)
		return ERR("%s: timer interrupts must be PPIs (type 1, number below 16)", which);
	return 0;
}

/* The console: /chosen/stdout-path (a path or an alias, options after ':'). */
static void parse_uart(const void *fdt, struct board_info *b)
{
	struct board_uart *u = &b->uart;
	int chosen = dt_path_offset(fdt, "/chosen"), len, node = -1;
	const char *path = NULL, *compat;
	struct dt_node uart;

	if (chosen >= 0) {
		path = fdt_getprop(fdt, chosen, "stdout-path", &len);
		if (!path)
			path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	}
	if (path && len > 0) {
		const char *colon = memchr(path, ':', (size_t)len);
		int n = colon ? (int)(colon - path) : (int)strnlen(path, (size_t)len);

		node = dt_path(fdt, path, n);
		copy_str(u->path, sizeof(u->path), path, n);
	}
	if (node < 0)
		return;
	compat = fdt_getprop(fdt, node, "compatible", &len);
	if (!compat || len <= 0 || dt_locate(fdt, node, &uart) || reg_at(fdt, &uart, 0, &u->regs))
		return;
	/* Keep the whole string list: the driver lookup walks it. */
	if ((size_t)len > sizeof(u->compatible))
		len = sizeof(u->compatible);
	memcpy(u->compatible, compat, (size_t)len);
	u->compatible[sizeof(u->compatible) - 1] = '\0';
	u->found = true;
}

static void parse_chosen(const void *fdt, struct board_info *b)
{
	int len, chosen = dt_path_offset(fdt, "/chosen"), root = 0;
	const char *s;

	if (chosen >= 0) {
		s = fdt_getprop(fdt, chosen, "bootargs", &len);
		if (s && len > 0)
			copy_str(b->bootargs, sizeof(b->bootargs), s, len);
	}
	s = fdt_getprop(fdt, root, "model", &len);
	if (s && len > 0)
		copy_str(b->model, sizeof(b->model), s, len);
	else
		copy_str(b->model, sizeof(b->model), "unknown board", 14);
}

int board_dt_device(const void *fdt, const struct board_info *b, const char *path,
		    struct board_device *d, char *err, size_t errlen)
{
	int node = fdt_path_offset(fdt, path), len, cells = b->gic.interrupt_cells;
	struct dt_node n;
	const fdt32_t *irq;
	const char *name;

	memset(d, 0, sizeof(*d));
	/* Not a path or an alias: a node name, e.g. "pl031@9010000". */
	if (node < 0 && path[0] != '/') {
		int depth = 0;

		for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
		     node = fdt_next_node(fdt, node, &depth)) {
			name = fdt_get_name(fdt, node, &len);
			if (name && (size_t)len == strlen(path) && !memcmp(name, path, (size_t)len))
				break;
		}
	}
	if (node < 0)
		return ERR("device \"%s\" is not in the board's device tree", path);
	if (dt_locate(fdt, node, &n))
		return ERR("device \"%s\": cannot locate the node", path);
	d->node = node;
	name = fdt_get_name(fdt, node, &len);
	copy_str(d->name, sizeof(d->name), name ? name : "device", name ? len + 1 : 7);
	d->compatible = fdt_getprop(fdt, node, "compatible", &d->compatible_len);
	while (d->nr_regs < BOARD_DEV_MAX_REGS &&
	       reg_at(fdt, &n, (int)d->nr_regs, &d->regs[d->nr_regs]) == 0)
		d->nr_regs++;
	if (d->nr_regs == 0)
		return ERR("device \"%s\" has no usable \"reg\"", path);
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	for (int i = 0; irq && cells > 0 && (i + 1) * cells * 4 <= len; i++) {
		uint32_t type = fdt32_to_cpu(irq[i * cells]);
		uint32_t num = fdt32_to_cpu(irq[i * cells + 1]);

		if (type != 0 || num >= 988)
			return ERR("device \"%s\": interrupt %d is not a shared interrupt (SPI)",
				   path, i);
		if (d->nr_irqs == BOARD_DEV_MAX_IRQS)
			return ERR("device \"%s\": more than %d interrupts", path,
				   BOARD_DEV_MAX_IRQS);
		d->irqs[d->nr_irqs] = num + 32;
		d->irq_flags[d->nr_irqs] = fdt32_to_cpu(irq[i * cells + 2]);
		d->nr_irqs++;
	}
	return 0;
}

/* Is node one of skip[], or inside one of their subtrees (ancestors n)? */
static bool skipped(const struct dt_node *n, const int *skip, unsigned int nr_skip)
{
	for (unsigned int i = 0; i < nr_skip; i++) {
		if (skip[i] == n->offset)
			return true;
		for (int level = 1; level < n->depth; level++)
			if (n->ancestor[level] == skip[i])
				return true;
	}
	return false;
}

int board_dt_node_at(const void *fdt, uint64_t base, uint64_t size, const int *skip,
		     unsigned int nr_skip, int after)
{
	struct dt_node n = dt_root;
	int off = 0, depth = 0;

	/* One walk from the root, keeping each node's ancestors as it goes
	 * (dt_locate's way, without a rescan per node). */
	while (off >= 0) {
		off = fdt_next_node(fdt, off, &depth);
		if (off < 0 || depth < 0)
			break;
		if (depth >= DT_MAX_DEPTH)
			continue;
		n.ancestor[depth] = off;
		n.offset = off;
		n.depth = depth;
		if (off <= after || skipped(&n, skip, nr_skip))
			continue;
		/* Bounded: a hostile "reg" could list thousands. */
		for (int i = 0; i < 64; i++) {
			struct mem_range r;

			if (reg_raw(fdt, &n, i, &r))
				break;
			if (reg_at(fdt, &n, i, &r) == 0 &&
			    ranges_overlap(r.base, r.size, base, size))
				return off;
		}
	}
	return -1;
}

int board_dt_parse(const void *fdt, struct board_info *b, char *err, size_t errlen)
{
	int rc = fdt_check_header(fdt);

	memset(b, 0, sizeof(*b));
	if (rc)
		return ERR("not a valid device tree blob: %s", fdt_strerror(rc));
	/* libfdt's walkers trust the structure block: a property whose length
	 * leads back to its own tag makes fdt_next_node() loop forever. Check
	 * the whole tree once, as plan_parse() does; fdt_check_full() itself
	 * needs version 16 or later (see plan.c). Both found by
	 * tests/fuzz/fuzz_board_dt. */
	if (fdt_version(fdt) < 16)
		return ERR("not a valid device tree blob: version %u is older than 16",
			   fdt_version(fdt));
	rc = fdt_check_full(fdt, fdt_totalsize(fdt));
	if (rc)
		return ERR("the device tree's structure is damaged: %s", fdt_strerror(rc));
	/* Without an index (a tree too big or too deep for it), the lookups
	 * below walk the tree with libfdt, as they always did. */
	dt_index_build(fdt);
	rc = parse_memory(fdt, b, err, errlen) || parse_cpus(fdt, b, err, errlen) ||
	     parse_gic(fdt, b, err, errlen) || parse_timer(fdt, b, err, errlen);
	if (!rc) {
		parse_reserved(fdt, b);
		parse_psci(fdt, b);
		parse_uart(fdt, b);
		parse_chosen(fdt, b);
	}
	dt_ix.fdt = NULL;
	return rc ? -1 : 0;
}
