/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib.c: the forwarding structure (fib.h): a Poptrie-style multibit trie
 * that lcores search, and the prefix set it is compiled from. docs/fib.md
 * explains the layout, the update algorithm and why readers are safe.
 *
 * Glossary (keys are 128-bit, left-aligned: IPv4 in the top 32 bits):
 *   - direct table: 2^18 32-bit entries indexed by the first 18 bits, each
 *     a leaf (value XOR dkey, the default at creation: zero is the
 *     default), a leaf-only region (FIB_BLOCK | FIB_LNODE | block) or a
 *     region's root node (FIB_BLOCK | block, FIB_LARR if an array root);
 *   - node: one block covering 6 bits at offset o (18, 24, ...): a 64-bit
 *     vector of the slots that have a child node, a 64-bit leafvec marking
 *     the leaf slots where a run of equal values starts, then the block
 *     indices of its children, then its leaves (values), all inline. A
 *     slot's child or leaf is found by a popcount of the bits below it, in
 *     the block already loaded: one cache line per level, mostly;
 *   - leaf-only region: a node without children, stored without vector,
 *     with 8- or 16-bit leaves when its values allow, or as the plain
 *     array of its 64 leaves when that is one line or no larger;
 *   - array root: a region root as 64 8- or 16-bit slots (leaf, or child
 *     bit | child rank) then its children: a lookup reads its slot's
 *     line only;
 *   - cnode (control only): the prefixes of lengths o+1 .. o+6 under one
 *     o-bit prefix (o = 0, 6, 12, ...), as a 127-position bitmap and the
 *     values in position order, and its children for the next 6 bits.
 *     The cnodes at offset 18 and deeper mirror the nodes one to one.
 *
 * Invariants:
 *   - published blocks are never written again: a change
 *     builds new copies of what it affects (the changed node, the subtree
 *     the prefix covers, and the path up to the direct table) and
 *     publishes them with one 32-bit store per direct-table entry;
 *   - what a change unlinks is handed to call_rcu and reused only after a
 *     grace period;
 *   - a node exists iff its cnode exists; a cnode exists iff it holds a
 *     prefix or has a child (empty ones are pruned).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <urcu-qsbr.h>

#include "fib.h"

typedef unsigned __int128 u128;

#define FIB_DIRECT_BITS 18
#define FIB_DIRECT_SIZE (1u << FIB_DIRECT_BITS)
#define FIB_STRIDE 6
/* A direct-table entry with this bit names a block (flags below and an
 * index); without it, it is a leaf: its value XOR the fib's first default
 * (fib->dkey), so that an entry never written (zero) is the default and
 * an empty fib's direct table costs no memory until written. */
#define FIB_BLOCK 0x80000000u
/* A direct-table entry with this bit (and FIB_BLOCK) is a region
 * without child nodes, stored as its 64-bit leafvec followed by its
 * leaves: one cache line for most regions. */
#define FIB_LNODE 0x40000000u
/* The block's leaves are 16-bit (all its values are below 2^16, as
 * next-hop indices mostly are; 2^15 in an array root). In direct-table
 * entries and in the child indices of nodes alike. */
#define FIB_L16 0x20000000u
/* With FIB_LNODE: the region is a plain array of its 64 leaves (8-, 16- or
 * 32-bit), no leafvec: used when the compressed form would not fit in one
 * cache line or be barely smaller, so that a lookup reads the one line
 * holding its slot, with no load depending on another. */
#define FIB_LARR 0x10000000u
/* FIB_LARR without FIB_LNODE: a region root node as an array (see "array
 * root" below), for the same reason. */
/* Instead of FIB_L16: 8-bit leaves (all the block's values are below
 * 2^8, or 2^7 in an array root). Without either: 32-bit leaves. */
#define FIB_L8 0x08000000u
/* The block crosses a cache line: lookups prefetch the next line too.
 * Also in the child indices of nodes. */
#define FIB_XL 0x04000000u
#define FIB_IDX_MASK 0x03ffffffu
#define FIB_NONE UINT32_MAX

/* Address space reserved for blocks, in 32-bit units (touched pages only
 * count), the direct table included. */
#define FIB_ARENA_MAX (1u << 26)

/* A cache line, in 32-bit units. */
#define FIB_LINE_UNITS 16

/* Node block: units 0-1 vector, 2-3 leafvec, then children, then leaves. */
#define FIB_HDR 4

/* Array root (a region root node whose compressed block would exceed a
 * line and whose leaves are below 2^7 or 2^15): 64 8- or 16-bit slots,
 * each a leaf value or the child bit (the top one) | the rank of its
 * child, then the children's block indices. A lookup reads its slot's
 * line only, then a child's index when the slot has one. */

/* Bytes per leaf in the region of direct-table entry @e: 1, 2 or 4. */
static inline unsigned
ent_lw(uint32_t e)
{
	return (e & FIB_L8) ? 1 : (e & FIB_L16) ? 2 : 4;
}

/* The entry flag of leaves of @w bytes. */
static inline uint32_t
lw_flag(unsigned w)
{
	return w == 1 ? FIB_L8 : w == 2 ? FIB_L16 : 0;
}

/* Leaf @r of @w bytes from @p. */
static inline uint32_t
leaf_get(const void *p, unsigned w, unsigned r)
{
	const uint8_t *q = (const uint8_t *)p;
	uint16_t v16;
	uint32_t v32;

	if (w == 1)
		return q[r];
	if (w == 2) {
		memcpy(&v16, q + 2 * r, sizeof(v16));
		return v16;
	}
	memcpy(&v32, q + 4 * r, sizeof(v32));
	return v32;
}

static inline void
leaf_put(void *p, unsigned w, unsigned r, uint32_t v)
{
	uint8_t *q = (uint8_t *)p;
	uint16_t v16 = (uint16_t)v;

	if (w == 1)
		q[r] = (uint8_t)v;
	else if (w == 2)
		memcpy(q + 2 * r, &v16, sizeof(v16));
	else
		memcpy(q + 4 * r, &v, sizeof(v));
}

/* Units of the slot array of an array root with @w-byte slots. */
#define FIB_ARR_UNITS(w) (16 * (w))
/* The child bit of a @w-byte slot. */
#define FIB_ACHILD(w) (1u << (8 * (w) - 1))

/* Largest block: a node (4 header units + 64 children or leaves), rounded
 * up to its class. */
#define FIB_BLOCK_MAX 96
/* Transparent huge pages: random lookups over megabytes would otherwise
 * miss the TLB about as often as the cache. */
#define FIB_HUGE (2u << 20)

/* Huge pages are asked for once the arena's high-water mark passes this
 * (units: the direct table and 256 KiB of blocks, some thousands of
 * prefixes): a small fib stays on the few 4 KiB pages it writes. */
#define FIB_HUGE_AT (FIB_DIRECT_SIZE + FIB_DIRECT_SIZE / 4)
/* Linux 6.1 (the C library may not name it yet; older kernels refuse it,
 * and khugepaged collapses the pages later instead). */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/* Blocks are carved per size class from slabs of this many units. */
#define FIB_SLAB 1024

/* Blocks of 1..FIB_BLOCK_MAX units handed out by index; freed blocks chain
 * through their first word, one list per size class. */
struct fib_arena {
	uint8_t *base;                         /* [I] reserved, never moves */
	uint32_t max;                          /* [I] units reserved */
	void *raw;                             /* [I] the reservation */
	size_t raw_len;                        /* [I] */
	uint32_t top;                          /* [C] high-water mark */
	uint32_t free[FIB_BLOCK_MAX + 1];      /* [C] list heads per class */
	uint32_t slab_next[FIB_BLOCK_MAX + 1]; /* [C] next block of the class's slab */
	uint32_t slab_left[FIB_BLOCK_MAX + 1]; /* [C] units left in that slab */
	size_t used;                           /* [C] units handed out */
};

/* The arena outlives the fib while grace periods that return blocks to it
 * are pending: the last of fib_free() and those callbacks frees it. */
struct fib_mem {
	struct fib_arena arena;
	struct fib_batch *reclaimed; /* [A] batches whose grace period ended */
	unsigned long refs;          /* [A] the fib + one per pending batch */
};

/* Blocks unlinked by changes, freed together after one grace period
 * once there are this many. */
#define FIB_BATCH_MIN 256

struct fib_block {
	uint32_t idx;
	uint32_t size;
};

struct fib_batch {
	struct rcu_head rcu;
	struct fib_mem *mem;
	struct fib_batch *next;
	size_t n;
	struct fib_block b[];
};

/* One allocation: this header, then struct cnode *child[ccap], then
 * uint32_t val[vcap]. */
struct cnode {
	uint64_t pmap[2]; /* position (1 << r | r bits) of each prefix, r = 1..6 */
	uint64_t cmap;    /* slots with a child cnode */
	uint8_t ccap;     /* capacity of the child array */
	uint8_t vcap;     /* capacity of the value array */
};

struct nsdp_fib {
	uint32_t *direct;       /* [R] 2^18 entries, opening the arena */
	struct fib_mem *mem;    /* [C] */
	int family;             /* [I] */
	unsigned width;         /* [I] 32 or 128 */
	uint32_t def;           /* [C] value of /0 */
	uint32_t dkey;          /* [I] value of /0 at creation: leaf entries are XORed with it */
	bool huge;              /* [C] transparent huge pages asked for */
	struct cnode *root;     /* [C] offset 0, never NULL */
	size_t count;           /* [C] prefixes, /0 included */
	size_t ctrl_bytes;      /* [C] bytes held by cnodes */
	struct fib_block *pend; /* [C] unlinked, not yet handed to call_rcu */
	size_t npend, pend_cap; /* [C] */
	struct fib_block *made; /* [C] allocated by the change in progress */
	size_t nmade, made_cap; /* [C] */
	bool failed;            /* [C] an allocation of this change failed */
};

/* ---- bits ---------------------------------------------------------------- */

static inline u128
len_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

/* @n (1..64) bits of @k starting at bit @o (0 = most significant); bits
 * past the end of the key read as zero. */
static inline unsigned
key_bits(u128 k, unsigned o, unsigned n)
{
	if (o >= 128)
		return 0;
	return (unsigned)((k << o) >> (128 - n));
}

static inline unsigned
popc(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

static inline uint64_t
below(unsigned i)
{
	return (1ull << i) - 1;
}

/* ---- the arena and deferred frees ------------------------------------------ */

static int
arena_init(struct fib_arena *a, uint32_t max)
{
	size_t len = (size_t)max * sizeof(uint32_t) + FIB_HUGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -ENOMEM;
	a->raw = p;
	a->raw_len = len;
	/* On a huge-page boundary, so that huge pages can back it. */
	a->base = (uint8_t *)(((uintptr_t)p + FIB_HUGE - 1) & ~(uintptr_t)(FIB_HUGE - 1));
	a->max = max;
	a->top = 0;
	a->used = 0;
	memset(a->slab_left, 0, sizeof(a->slab_left));
	for (unsigned i = 0; i <= FIB_BLOCK_MAX; i++)
		a->free[i] = FIB_NONE;
	return 0;
}

/* The class of a block of @size units: its size up to 16 units (64
 * bytes), then multiples of 4 (16 bytes). Blocks may cross a cache line:
 * the index that names one says so (FIB_XL) when a lookup needs both. */
static inline unsigned
arena_class(unsigned size)
{
	if (size <= 16)
		return size;
	return (size + 3) & ~3u;
}

static inline uint32_t *
blk(const struct fib_mem *m, uint32_t idx)
{
	return (uint32_t *)(m->arena.base + (size_t)idx * sizeof(uint32_t));
}

static void
arena_release(struct fib_arena *a, uint32_t idx, unsigned size)
{
	size = arena_class(size);
	memcpy(a->base + (size_t)idx * sizeof(uint32_t), &a->free[size], sizeof(uint32_t));
	a->free[size] = idx;
	a->used -= size;
}

static void
mem_destroy(struct fib_mem *m)
{
	struct fib_batch *b = m->reclaimed;

	while (b != NULL) {
		struct fib_batch *next = b->next;

		free(b);
		b = next;
	}
	if (m->arena.raw != NULL)
		munmap(m->arena.raw, m->arena.raw_len);
	free(m);
}

static void
mem_unref(struct fib_mem *m)
{
	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		mem_destroy(m);
}

/* call_rcu callback: the blocks of @h are no longer seen by any reader.
 * Runs in the call_rcu thread, so it only hands them to the writer. */
static void
batch_reclaimed(struct rcu_head *h)
{
	struct fib_batch *b = caa_container_of(h, struct fib_batch, rcu);
	struct fib_mem *m = b->mem;
	struct fib_batch *head = __atomic_load_n(&m->reclaimed, __ATOMIC_RELAXED);

	do {
		b->next = head;
	} while (!__atomic_compare_exchange_n(&m->reclaimed, &head, b, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	mem_unref(m);
}

/* Writer: return reclaimed blocks to their free lists. */
static void
fib_drain(struct nsdp_fib *fib)
{
	struct fib_batch *b = __atomic_exchange_n(&fib->mem->reclaimed, NULL, __ATOMIC_ACQUIRE);

	while (b != NULL) {
		struct fib_batch *next = b->next;

		for (size_t i = 0; i < b->n; i++)
			arena_release(&fib->mem->arena, b->b[i].idx, b->b[i].size);
		free(b);
		b = next;
	}
}

static bool
blocks_push(struct fib_block **v, size_t *n, size_t *cap, struct fib_block blk)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		struct fib_block *nv = realloc(*v, ncap * sizeof(**v));

		if (nv == NULL)
			return false;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = blk;
	return true;
}

/* The fib has grown: back its arena with transparent huge pages (random
 * lookups over megabytes would otherwise miss the TLB about as often as
 * the cache), collapsing what is already written. Best effort: without
 * them lookups are only slower. */
static void
fib_huge(struct nsdp_fib *fib)
{
	struct fib_arena *a = &fib->mem->arena;
	size_t used = ((size_t)a->top * sizeof(uint32_t) + FIB_HUGE - 1) & ~(size_t)(FIB_HUGE - 1);

	fib->huge = true;
	(void)madvise(a->base, (size_t)a->max * sizeof(uint32_t), MADV_HUGEPAGE);
	(void)madvise(a->base, used, MADV_COLLAPSE);
}

/* A new block of @size units for the change in progress (not yet visible
 * to readers). @return its index, or FIB_NONE with fib->failed set. */
static uint32_t
block_alloc(struct nsdp_fib *fib, unsigned size)
{
	struct fib_arena *a = &fib->mem->arena;
	unsigned cls = arena_class(size);
	uint32_t idx;

	if (fib->failed)
		return FIB_NONE;
	if (!blocks_push(&fib->made, &fib->nmade, &fib->made_cap, (struct fib_block){ 0, size }))
		goto fail;
	idx = a->free[cls];
	if (idx != FIB_NONE) {
		memcpy(&a->free[cls], blk(fib->mem, idx), sizeof(uint32_t));
	} else {
		if (a->slab_left[cls] < cls) {
			if (a->max - a->top < FIB_SLAB) {
				fib->nmade--;
				goto fail;
			}
			a->slab_next[cls] = a->top;
			a->slab_left[cls] = FIB_SLAB;
			a->top += FIB_SLAB;
			if (!fib->huge && a->top >= FIB_HUGE_AT)
				fib_huge(fib);
		}
		idx = a->slab_next[cls];
		a->slab_next[cls] += cls;
		a->slab_left[cls] -= cls;
	}
	a->used += cls;
	fib->made[fib->nmade - 1].idx = idx;
	return idx;
fail:
	fib->failed = true;
	return FIB_NONE;
}

/* Block @idx of @size units as a child index or direct-table entry: with
 * FIB_XL if it crosses a cache line. */
static inline uint32_t
blk_word(uint32_t idx, unsigned size)
{
	return (idx % FIB_LINE_UNITS) + size > FIB_LINE_UNITS ? idx | FIB_XL : idx;
}

/* A published block the change unlinks: freed after a grace period. */
static void
block_retire(struct nsdp_fib *fib, uint32_t idx, unsigned size)
{
	if (!blocks_push(&fib->pend, &fib->npend, &fib->pend_cap, (struct fib_block){ idx, size }))
		fib->failed = true;
}

/* End of a change: hand what the last changes unlinked to call_rcu, once
 * there are FIB_BATCH_MIN blocks (one callback per change would cost a
 * malloc and a wake-up of the call_rcu thread each). A batch that cannot
 * be allocated stays pending until the next change. */
static void
fib_retire_commit(struct nsdp_fib *fib)
{
	struct fib_batch *b;

	fib->nmade = 0;
	if (fib->npend < FIB_BATCH_MIN)
		return;
	b = malloc(sizeof(*b) + fib->npend * sizeof(b->b[0]));
	if (b == NULL)
		return;
	b->mem = fib->mem;
	b->n = fib->npend;
	memcpy(b->b, fib->pend, fib->npend * sizeof(b->b[0]));
	fib->npend = 0;
	__atomic_add_fetch(&fib->mem->refs, 1, __ATOMIC_RELAXED);
	call_rcu(&b->rcu, batch_reclaimed);
}

static inline uint64_t
blk_u64(const uint32_t *b, unsigned at)
{
	uint64_t v;

	memcpy(&v, b + at, sizeof(v));
	return v;
}

/* Units of the compressed node block @b with @lw-byte leaves. */
static inline unsigned
node_size(const uint32_t *b, unsigned lw)
{
	return FIB_HDR + popc(blk_u64(b, 0)) + (popc(blk_u64(b, 2)) * lw + 3) / 4;
}

/* ---- the prefix set (control only) ---------------------------------------- */

static inline struct cnode **
cn_child(struct cnode *c)
{
	return (struct cnode **)(c + 1);
}

static inline uint32_t *
cn_val(struct cnode *c)
{
	return (uint32_t *)(cn_child(c) + c->ccap);
}

static inline size_t
cn_size(unsigned ccap, unsigned vcap)
{
	return sizeof(struct cnode) + ccap * sizeof(struct cnode *) + vcap * sizeof(uint32_t);
}

static inline bool
cn_has_pos(const struct cnode *c, unsigned pos)
{
	return (c->pmap[pos >> 6] >> (pos & 63)) & 1;
}

static inline unsigned
cn_pos_rank(const struct cnode *c, unsigned pos)
{
	if (pos < 64)
		return popc(c->pmap[0] & below(pos));
	return popc(c->pmap[0]) + popc(c->pmap[1] & below(pos - 64));
}

static inline unsigned
cn_nvals(const struct cnode *c)
{
	return popc(c->pmap[0]) + popc(c->pmap[1]);
}

static inline struct cnode *
cn_get_child(struct cnode *c, unsigned slot)
{
	if (c == NULL || !((c->cmap >> slot) & 1))
		return NULL;
	return cn_child(c)[popc(c->cmap & below(slot))];
}

static struct cnode *
cn_new(struct nsdp_fib *fib)
{
	struct cnode *c = calloc(1, cn_size(1, 1));

	if (c == NULL)
		return NULL;
	c->ccap = 1;
	c->vcap = 1;
	fib->ctrl_bytes += cn_size(1, 1);
	return c;
}

static void
cn_free(struct nsdp_fib *fib, struct cnode *c)
{
	fib->ctrl_bytes -= cn_size(c->ccap, c->vcap);
	free(c);
}

/* Make room for one more child and one more value. @return the (maybe
 * moved) node, or NULL with @c untouched. */
static struct cnode *
cn_reserve(struct nsdp_fib *fib, struct cnode *c, bool more_child, bool more_val)
{
	unsigned nc = popc(c->cmap) + more_child, nv = cn_nvals(c) + more_val;
	unsigned ccap = c->ccap, vcap = c->vcap;
	struct cnode *n;

	if (nc <= ccap && nv <= vcap)
		return c;
	if (nc > ccap)
		ccap = nc + (nc >= 4 ? nc / 2 : 1) > 64 ? 64 : nc + (nc >= 4 ? nc / 2 : 1);
	if (nv > vcap)
		vcap = nv + (nv >= 4 ? nv / 2 : 1) > 126 ? 126 : nv + (nv >= 4 ? nv / 2 : 1);
	n = malloc(cn_size(ccap, vcap));
	if (n == NULL)
		return NULL;
	memcpy(n, c, sizeof(*c));
	memcpy(cn_child(n), cn_child(c), popc(c->cmap) * sizeof(struct cnode *));
	n->ccap = (uint8_t)ccap;
	n->vcap = (uint8_t)vcap;
	memcpy(cn_val(n), cn_val(c), cn_nvals(c) * sizeof(uint32_t));
	fib->ctrl_bytes += cn_size(ccap, vcap);
	cn_free(fib, c);
	return n;
}

/* Insert or replace the prefix at @pos; room was reserved. */
static void
cn_put(struct cnode *c, unsigned pos, uint32_t value)
{
	unsigned rank = cn_pos_rank(c, pos), n = cn_nvals(c);
	uint32_t *v = cn_val(c);

	if (!cn_has_pos(c, pos)) {
		memmove(&v[rank + 1], &v[rank], (n - rank) * sizeof(*v));
		c->pmap[pos >> 6] |= 1ull << (pos & 63);
	}
	v[rank] = value;
}

static void
cn_remove(struct cnode *c, unsigned pos)
{
	unsigned rank = cn_pos_rank(c, pos), n = cn_nvals(c);
	uint32_t *v = cn_val(c);

	memmove(&v[rank], &v[rank + 1], (n - rank - 1) * sizeof(*v));
	c->pmap[pos >> 6] &= ~(1ull << (pos & 63));
}

static void
cn_add_child(struct cnode *c, unsigned slot, struct cnode *child)
{
	unsigned rank = popc(c->cmap & below(slot)), n = popc(c->cmap);
	struct cnode **ch = cn_child(c);

	/* Values sit after the child array: it has room (ccap), they do not move. */
	memmove(&ch[rank + 1], &ch[rank], (n - rank) * sizeof(*ch));
	ch[rank] = child;
	c->cmap |= 1ull << slot;
}

static void
cn_del_child(struct cnode *c, unsigned slot)
{
	unsigned rank = popc(c->cmap & below(slot)), n = popc(c->cmap);
	struct cnode **ch = cn_child(c);

	memmove(&ch[rank], &ch[rank + 1], (n - rank - 1) * sizeof(*ch));
	c->cmap &= ~(1ull << slot);
}

static void
cn_free_tree(struct nsdp_fib *fib, struct cnode *c)
{
	for (unsigned i = 0; i < popc(c->cmap); i++)
		cn_free_tree(fib, cn_child(c)[i]);
	cn_free(fib, c);
}

/* Position of prefix @key/@len in the cnode at offset @o (o < len <= o+6). */
static inline unsigned
cn_pos(u128 key, unsigned o, unsigned len)
{
	unsigned r = len - o;

	return (1u << r) | key_bits(key, o, r);
}

/* The value of each of the 64 slots of cnode @c (may be NULL): the
 * longest of its prefixes covering the slot, else @inh. */
static void
cn_slot_values(struct cnode *c, uint32_t inh, uint32_t sv[64])
{
	for (unsigned i = 0; i < 64; i++)
		sv[i] = inh;
	if (c == NULL)
		return;
	/* Positions grow with the length: longer prefixes are written last. */
	for (unsigned w = 0, rank = 0; w < 2; w++) {
		uint64_t m = c->pmap[w];

		while (m != 0) {
			unsigned pos = 64 * w + (unsigned)__builtin_ctzll(m);
			unsigned r = 31 - (unsigned)__builtin_clz(pos);
			unsigned b = pos - (1u << r), span = 1u << (FIB_STRIDE - r);
			uint32_t v = cn_val(c)[rank++];

			for (unsigned i = b * span; i < (b + 1) * span; i++)
				sv[i] = v;
			m &= m - 1;
		}
	}
}

/* Best value among the prefixes of length <= 18 covering the /18 @j, and
 * its length in @len. */
static uint32_t
direct_inherited(const struct nsdp_fib *fib, u128 key, unsigned *len)
{
	struct cnode *c = fib->root;
	uint32_t v = fib->def;

	*len = 0;
	for (unsigned o = 0; o < FIB_DIRECT_BITS && c != NULL; o += FIB_STRIDE) {
		for (unsigned r = 1; r <= FIB_STRIDE; r++) {
			unsigned pos = (1u << r) | key_bits(key, o, r);

			if (cn_has_pos(c, pos)) {
				v = cn_val(c)[cn_pos_rank(c, pos)];
				*len = o + r;
			}
		}
		c = cn_get_child(c, key_bits(key, o, FIB_STRIDE));
	}
	return v;
}

/* The cnode at offset 18 for the /18 of @key, or NULL. */
static struct cnode *
region_cnode(const struct nsdp_fib *fib, u128 key)
{
	struct cnode *c = fib->root;

	for (unsigned o = 0; o < FIB_DIRECT_BITS && c != NULL; o += FIB_STRIDE)
		c = cn_get_child(c, key_bits(key, o, FIB_STRIDE));
	return c;
}

/* ---- building nodes ------------------------------------------------------- */

/* Retire node block @idx (flags allowed) and everything below it. */
static void
node_retire_tree(struct nsdp_fib *fib, uint32_t idx)
{
	const uint32_t *b;
	unsigned lw = ent_lw(idx), nc;

	idx &= FIB_IDX_MASK;
	b = blk(fib->mem, idx);
	nc = popc(blk_u64(b, 0));
	for (unsigned k = 0; k < nc; k++)
		node_retire_tree(fib, b[FIB_HDR + k]);
	block_retire(fib, idx, node_size(b, lw));
}

/* The children of node block @b (an array root of @aw-byte slots, or
 * compressed with @lw-byte leaves if @aw is 0): the slots that have one
 * in @vec, their indices by slot in @ch. @return the size of @b in units. */
static unsigned
node_children(const uint32_t *b, unsigned aw, unsigned lw, uint64_t *vec, uint32_t ch[64])
{
	unsigned nc = 0;

	if (aw == 0) {
		*vec = blk_u64(b, 0);
		for (uint64_t m = *vec; m != 0; m &= m - 1)
			ch[__builtin_ctzll(m)] = b[FIB_HDR + nc++];
		return node_size(b, lw);
	}
	*vec = 0;
	for (unsigned i = 0; i < 64; i++) {
		uint32_t a = leaf_get(b, aw, i);

		if (a & FIB_ACHILD(aw)) {
			*vec |= 1ull << i;
			ch[i] = b[FIB_ARR_UNITS(aw) + (a & ~FIB_ACHILD(aw))];
			nc++;
		}
	}
	return FIB_ARR_UNITS(aw) + nc;
}

/* Retire array root @idx of @aw-byte slots and everything below it. */
static void
aroot_retire_tree(struct nsdp_fib *fib, uint32_t idx, unsigned aw)
{
	uint32_t ch[64];
	uint64_t vec;
	unsigned size = node_children(blk(fib->mem, idx), aw, 0, &vec, ch);

	for (uint64_t m = vec; m != 0; m &= m - 1)
		node_retire_tree(fib, ch[__builtin_ctzll(m)]);
	block_retire(fib, idx, size);
}

/*
 * Build the node block for cnode @c at offset @o whose slots inherit @inh.
 * @old is the node block it replaces (FIB_NONE if none; an array root of
 * @old_aw-byte slots if that is not 0). Only the children whose range meets the changed prefix
 * @key/@len are rebuilt; the others are @old's, shared. What of @old is not
 * shared is retired. With @aw (region roots only), the block may be built
 * as an array root: *@aw is then its slot width, else 0.
 * @return the new block, or FIB_NONE with fib->failed set.
 */
static uint32_t
node_build(struct nsdp_fib *fib, struct cnode *c, unsigned o, uint32_t inh, uint32_t old,
	   unsigned old_aw, u128 key, unsigned len, unsigned *aw)
{
	uint32_t sv[64], body[64], och[64];
	uint8_t lv[64 * 4];
	unsigned nl = 0, nc = popc(c->cmap), k = 0, osize = 0, lw, size;
	uint64_t leafvec = 0, cmap = c->cmap, ovec = 0;
	unsigned lo = 0, hi = 63; /* slots the changed prefix covers */
	const uint32_t *ob = NULL;
	bool have_prev = false;
	uint32_t prev = 0, idx, vmax = 0;

	if (len > o) {
		unsigned r = len - o > FIB_STRIDE ? FIB_STRIDE : len - o;

		lo = key_bits(key, o, r) << (FIB_STRIDE - r);
		hi = lo + (1u << (FIB_STRIDE - r)) - 1;
	}
	if (old != FIB_NONE) {
		unsigned olw = ent_lw(old);

		old &= FIB_IDX_MASK;
		ob = blk(fib->mem, old);
		osize = node_children(ob, old_aw, olw, &ovec, och);
	}
	cn_slot_values(c, inh, sv);
	/* Children first (they are built before this block), then leaves. */
	for (uint64_t m = cmap; m != 0; m &= m - 1, k++) {
		unsigned i = (unsigned)__builtin_ctzll(m);
		uint32_t oc = (ovec >> i) & 1 ? och[i] : FIB_NONE;

		if (oc != FIB_NONE && (i < lo || i > hi)) {
			body[k] = oc;
			continue;
		}
		body[k] = node_build(fib, cn_child(c)[k], o + FIB_STRIDE, sv[i], oc, 0, key, len,
				     NULL);
		if (fib->failed)
			return FIB_NONE;
	}
	for (unsigned i = 0; i < 64; i++) {
		if ((cmap >> i) & 1)
			continue;
		vmax = sv[i] > vmax ? sv[i] : vmax;
		if (!have_prev || sv[i] != prev) {
			leafvec |= 1ull << i;
			body[nc + nl++] = sv[i];
			prev = sv[i];
			have_prev = true;
		}
	}
	/* Compressed, leaves as narrow as the values allow. */
	lw = vmax <= UINT8_MAX ? 1 : vmax <= UINT16_MAX ? 2 : 4;
	size = FIB_HDR + nc + (nl * lw + 3) / 4;
	memset(lv, 0, sizeof(lv));
	for (unsigned r = 0; r < nl; r++)
		leaf_put(lv, lw, r, body[nc + r]);
	if (aw != NULL) {
		*aw = vmax < FIB_ACHILD(1) ? 1 : vmax < FIB_ACHILD(2) ? 2 : 0;
		if (size <= FIB_LINE_UNITS)
			*aw = 0; /* one line compressed */
	}
	if (aw != NULL && *aw != 0) {
		uint8_t a[128];

		idx = block_alloc(fib, FIB_ARR_UNITS(*aw) + nc);
		if (fib->failed)
			return FIB_NONE;
		for (unsigned i = 0, r = 0; i < 64; i++)
			leaf_put(a, *aw, i, (cmap >> i) & 1 ? FIB_ACHILD(*aw) | r++ : sv[i]);
		memcpy(blk(fib->mem, idx), a, 64 * *aw);
		memcpy(blk(fib->mem, idx) + FIB_ARR_UNITS(*aw), body, nc * sizeof(uint32_t));
	} else {
		idx = block_alloc(fib, size);
		if (fib->failed)
			return FIB_NONE;
		memcpy(blk(fib->mem, idx), &cmap, sizeof(cmap));
		memcpy(blk(fib->mem, idx) + 2, &leafvec, sizeof(leafvec));
		memcpy(blk(fib->mem, idx) + FIB_HDR, body, nc * sizeof(uint32_t));
		memcpy(blk(fib->mem, idx) + FIB_HDR + nc, lv,
		       (size - FIB_HDR - nc) * sizeof(uint32_t));
	}
	if (ob != NULL) {
		/* Children of @old that no longer exist: their subtrees go. */
		for (uint64_t m = ovec & ~cmap; m != 0; m &= m - 1)
			node_retire_tree(fib, och[__builtin_ctzll(m)]);
		block_retire(fib, old, osize);
	}
	if (aw != NULL && *aw != 0)
		return idx;
	return blk_word(idx, size) | lw_flag(lw);
}

/* Retire everything direct-table entry @e reaches. */
static void
direct_retire(struct nsdp_fib *fib, uint32_t e)
{
	if (!(e & FIB_BLOCK))
		return;
	if (e & FIB_LNODE) {
		uint32_t idx = e & FIB_IDX_MASK;
		unsigned n;

		if (e & FIB_LARR) {
			block_retire(fib, idx, 16 * ent_lw(e));
			return;
		}
		n = popc(blk_u64(blk(fib->mem, idx), 0));
		block_retire(fib, idx, 2 + (n * ent_lw(e) + 3) / 4);
		return;
	}
	if (e & FIB_LARR) {
		aroot_retire_tree(fib, e & FIB_IDX_MASK, ent_lw(e));
		return;
	}
	node_retire_tree(fib, e);
}

/*
 * Recompute direct-table entry @j after a change of @key/@len: build what
 * changed privately, then publish it with one store.
 */
static void
direct_update(struct nsdp_fib *fib, unsigned j, u128 key, unsigned len)
{
	u128 jkey = (u128)j << (128 - FIB_DIRECT_BITS);
	uint32_t e = fib->direct[j], ne, inh, root;
	uint32_t old = !(e & FIB_BLOCK) || (e & FIB_LNODE) ? FIB_NONE : e & ~(FIB_BLOCK | FIB_LARR);
	struct cnode *c = region_cnode(fib, jkey);
	size_t made_mark = fib->nmade, pend_mark = fib->npend;
	unsigned ilen;

	inh = direct_inherited(fib, jkey, &ilen);
	if (c == NULL) {
		ne = inh ^ fib->dkey;
	} else if (c->cmap == 0) {
		uint32_t sv[64], vmax = 0;
		uint8_t body[8 + 64 * 4];
		uint64_t leafvec = 0;
		unsigned nl = 0, w, units;

		cn_slot_values(c, inh, sv);
		for (unsigned i = 0; i < 64; i++) {
			vmax = sv[i] > vmax ? sv[i] : vmax;
			if (i == 0 || sv[i] != sv[i - 1]) {
				leafvec |= 1ull << i;
				nl++;
			}
		}
		/* Leaves as narrow as the values allow. */
		w = vmax <= UINT8_MAX ? 1 : vmax <= UINT16_MAX ? 2 : 4;
		units = 2 + (nl * w + 3) / 4;
		if (units > FIB_LINE_UNITS || 4 * units >= 3 * 16 * w) {
			/* More than a line compressed, or no smaller than the
			 * plain array: the array reads one line per lookup. */
			for (unsigned i = 0; i < 64; i++)
				leaf_put(body, w, i, sv[i]);
			units = 16 * w;
			ne = FIB_BLOCK | FIB_LNODE | FIB_LARR | lw_flag(w);
		} else {
			memset(body, 0, sizeof(body));
			memcpy(body, &leafvec, sizeof(leafvec));
			for (unsigned i = 0, r = 0; i < 64; i++)
				if ((leafvec >> i) & 1)
					leaf_put(body + 8, w, r++, sv[i]);
			ne = FIB_BLOCK | FIB_LNODE | lw_flag(w);
		}
		root = block_alloc(fib, units);
		if (fib->failed)
			return;
		memcpy(blk(fib->mem, root), body, units * sizeof(uint32_t));
		ne |= (ne & FIB_LARR) ? root : blk_word(root, units);
	} else {
		unsigned aw;

		root = node_build(fib, c, FIB_DIRECT_BITS, inh, old,
				  (e & FIB_LARR) ? ent_lw(e) : 0, key, len, &aw);
		if (fib->failed) {
			/* Nothing of this entry was published: take it back. */
			for (size_t i = made_mark; i < fib->nmade; i++)
				arena_release(&fib->mem->arena, fib->made[i].idx,
					      fib->made[i].size);
			fib->nmade = made_mark;
			fib->npend = pend_mark;
			return;
		}
		ne = FIB_BLOCK | (aw != 0 ? FIB_LARR | lw_flag(aw) | root : root);
	}
	if (ne == e)
		return;
	/* A node replacing a node: node_build retired what it replaced. */
	if (old == FIB_NONE || c == NULL || c->cmap == 0)
		direct_retire(fib, e);
	/* Release: the blocks built above are complete before readers can
	 * reach them through this entry. */
	__atomic_store_n(&fib->direct[j], ne, __ATOMIC_RELEASE);
}

/*
 * A change of @key/@len (len < 18) seen from cnode @c at offset @o (< 18),
 * whose first direct-table entry is @first and whose slots inherit @inh
 * from a prefix of length @inh_len: walk the slots the prefix covers, skip
 * those a longer prefix hides, write the direct-table entries of slots
 * without a region and rebuild the regions.
 */
static void
propagate_short(struct nsdp_fib *fib, struct cnode *c, unsigned o, unsigned first, uint32_t inh,
		unsigned inh_len, u128 key, unsigned len)
{
	uint32_t sv[64];
	uint8_t sl[64];
	unsigned lo = 0, hi = 63, span = 1u << (FIB_DIRECT_BITS - o - FIB_STRIDE);

	if (len > o) {
		unsigned r = len - o > FIB_STRIDE ? FIB_STRIDE : len - o;

		lo = key_bits(key, o, r) << (FIB_STRIDE - r);
		hi = lo + (1u << (FIB_STRIDE - r)) - 1;
	}
	cn_slot_values(c, inh, sv);
	for (unsigned i = 0; i < 64; i++)
		sl[i] = (uint8_t)inh_len;
	if (c != NULL)
		for (unsigned w = 0; w < 2; w++)
			for (uint64_t m = c->pmap[w]; m != 0; m &= m - 1) {
				unsigned pos = 64 * w + (unsigned)__builtin_ctzll(m);
				unsigned r = 31 - (unsigned)__builtin_clz(pos);
				unsigned b = pos - (1u << r), sp = 1u << (FIB_STRIDE - r);

				for (unsigned i = b * sp; i < (b + 1) * sp; i++)
					sl[i] = (uint8_t)(o + r);
			}
	for (unsigned i = lo; i <= hi && !fib->failed; i++) {
		struct cnode *child = cn_get_child(c, i);
		unsigned j0 = first + i * span;

		if (sl[i] > len)
			continue; /* a longer prefix decides this slot */
		if (child != NULL && o + FIB_STRIDE < FIB_DIRECT_BITS) {
			propagate_short(fib, child, o + FIB_STRIDE, j0, sv[i], sl[i], key, len);
			continue;
		}
		if (child != NULL) {
			direct_update(fib, j0, key, len);
			continue;
		}
		for (unsigned j = j0; j < j0 + span; j++) {
			uint32_t e = fib->direct[j];

			if (e == (sv[i] ^ fib->dkey))
				continue;
			/* Its region, if any, was deleted by this change. */
			direct_retire(fib, e);
			__atomic_store_n(&fib->direct[j], sv[i] ^ fib->dkey, __ATOMIC_RELEASE);
		}
	}
}

/* Propagate a change of @key/@len to the direct table. */
static void
fib_propagate(struct nsdp_fib *fib, u128 key, unsigned len)
{
	if (len < FIB_DIRECT_BITS)
		propagate_short(fib, fib->root, 0, 0, fib->def, 0, key, len);
	else
		direct_update(fib, key_bits(key, 0, FIB_DIRECT_BITS), key, len);
}

/* A change failed for lack of memory: the entry being built was taken
 * back (direct_update); entries already published stay, and the caller
 * recomputes them from the restored prefix set. */
static void
fib_abort(struct nsdp_fib *fib)
{
	fib->failed = false;
}

/* ---- API ------------------------------------------------------------------ */

struct nsdp_fib *
fib_create(int family, uint32_t default_value)
{
	struct nsdp_fib *fib;

	if ((family != 4 && family != 6) || default_value >= FIB_VALUE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	fib = calloc(1, sizeof(*fib));
	if (fib == NULL)
		goto nomem;
	fib->family = family;
	fib->width = family == 4 ? 32 : 128;
	fib->def = default_value;
	fib->dkey = default_value;
	fib->count = 1;
	fib->mem = calloc(1, sizeof(*fib->mem));
	if (fib->mem == NULL)
		goto nomem;
	fib->mem->refs = 1;
	if (arena_init(&fib->mem->arena, FIB_ARENA_MAX) < 0)
		goto nomem;
	/* The direct table opens the arena (1 MiB), zero: every entry the
	 * default (dkey). Its pages cost memory once written; huge pages are
	 * asked for once the fib grows (fib_huge()). */
	fib->direct = blk(fib->mem, 0);
	fib->mem->arena.top = FIB_DIRECT_SIZE;
	fib->root = cn_new(fib);
	if (fib->root == NULL)
		goto nomem;
	return fib;
nomem:
	fib_free(fib);
	errno = ENOMEM;
	return NULL;
}

void
fib_free(struct nsdp_fib *fib)
{
	if (fib == NULL)
		return;
	if (fib->root != NULL)
		cn_free_tree(fib, fib->root);
	free(fib->pend);
	free(fib->made);
	if (fib->mem != NULL)
		mem_unref(fib->mem);
	free(fib);
}

int
fib_family(const struct nsdp_fib *fib)
{
	return fib->family;
}

static u128
prefix_key(const struct nsdp_fib *fib, const uint8_t *prefix, unsigned len)
{
	u128 k = 0;

	for (unsigned i = 0; i < fib->width / 8; i++)
		k |= (u128)prefix[i] << (120 - 8 * i);
	return k & len_mask(len);
}

/* Path of cnodes from the root to the one holding prefixes of @len. */
struct cpath {
	struct cnode *c[23];
	unsigned depth; /* c[depth] holds the prefix */
};

int
fib_set(struct nsdp_fib *fib, const uint8_t *prefix, uint8_t len, uint32_t value)
{
	struct cpath p;
	u128 key;
	unsigned pos, made = 0;
	bool existed;
	uint32_t oldv = 0;

	if (len > fib->width || value >= FIB_VALUE_MAX)
		return -EINVAL;
	fib_drain(fib);
	fib->failed = false;
	key = prefix_key(fib, prefix, len);
	if (len == 0) {
		oldv = fib->def;
		fib->def = value;
		fib_propagate(fib, key, 0);
		if (fib->failed) {
			fib->def = oldv;
			fib_abort(fib);
			fib_propagate(fib, key, 0);
			fib_retire_commit(fib);
			return -ENOMEM;
		}
		fib_retire_commit(fib);
		return 0;
	}
	/* Walk or create the cnodes down to the one at offset o. */
	p.depth = (len - 1) / FIB_STRIDE;
	p.c[0] = fib->root;
	for (unsigned d = 0; d < p.depth; d++) {
		unsigned slot = key_bits(key, d * FIB_STRIDE, FIB_STRIDE);
		struct cnode *child = cn_get_child(p.c[d], slot), *grown;

		if (child == NULL) {
			child = cn_new(fib);
			grown = child == NULL ? NULL : cn_reserve(fib, p.c[d], true, false);
			if (grown == NULL) {
				if (child != NULL)
					cn_free(fib, child);
				goto undo_path;
			}
			if (grown != p.c[d]) {
				p.c[d] = grown;
				if (d == 0)
					fib->root = grown;
				else
					cn_child(p.c[d - 1])[popc(
						p.c[d - 1]->cmap &
						below(key_bits(key, (d - 1) * FIB_STRIDE,
							       FIB_STRIDE)))] = grown;
			}
			cn_add_child(p.c[d], slot, child);
			made++;
		}
		p.c[d + 1] = child;
	}
	pos = cn_pos(key, p.depth * FIB_STRIDE, len);
	existed = cn_has_pos(p.c[p.depth], pos);
	if (!existed) {
		struct cnode *grown = cn_reserve(fib, p.c[p.depth], false, true);

		if (grown == NULL)
			goto undo_path;
		if (grown != p.c[p.depth]) {
			unsigned d = p.depth;

			p.c[d] = grown;
			if (d == 0)
				fib->root = grown;
			else
				cn_child(p.c[d - 1])[popc(p.c[d - 1]->cmap &
							  below(key_bits(key, (d - 1) * FIB_STRIDE,
									 FIB_STRIDE)))] = grown;
		}
	} else {
		oldv = cn_val(p.c[p.depth])[cn_pos_rank(p.c[p.depth], pos)];
	}
	cn_put(p.c[p.depth], pos, value);
	fib_propagate(fib, key, len);
	if (fib->failed) {
		fib_abort(fib);
		if (existed)
			cn_put(p.c[p.depth], pos, oldv);
		else
			cn_remove(p.c[p.depth], pos);
		/* Entries already published are recomputed from the old set. */
		fib_propagate(fib, key, len);
		fib_retire_commit(fib);
		goto undo_path;
	}
	fib_retire_commit(fib);
	if (!existed)
		fib->count++;
	return 0;

undo_path:
	/* Remove the cnodes this call created (they hold nothing). */
	for (unsigned d = p.depth; made > 0 && d > 0; d--, made--) {
		if (p.c[d]->cmap != 0 || p.c[d]->pmap[0] != 0 || p.c[d]->pmap[1] != 0)
			break;
		cn_del_child(p.c[d - 1], key_bits(key, (d - 1) * FIB_STRIDE, FIB_STRIDE));
		cn_free(fib, p.c[d]);
	}
	return -ENOMEM;
}

int
fib_del(struct nsdp_fib *fib, const uint8_t *prefix, uint8_t len)
{
	struct cpath p;
	u128 key;
	unsigned pos, depth;
	uint32_t oldv;
	struct cnode *c;

	if (len > fib->width || len == 0)
		return -EINVAL;
	fib_drain(fib);
	fib->failed = false;
	key = prefix_key(fib, prefix, len);
	p.depth = (len - 1) / FIB_STRIDE;
	p.c[0] = fib->root;
	for (unsigned d = 0; d < p.depth; d++) {
		p.c[d + 1] = cn_get_child(p.c[d], key_bits(key, d * FIB_STRIDE, FIB_STRIDE));
		if (p.c[d + 1] == NULL)
			return -ENOENT;
	}
	c = p.c[p.depth];
	pos = cn_pos(key, p.depth * FIB_STRIDE, len);
	if (!cn_has_pos(c, pos))
		return -ENOENT;
	oldv = cn_val(c)[cn_pos_rank(c, pos)];
	/* The value array keeps its room, so undoing needs no allocation. */
	cn_remove(c, pos);
	/* Unlink the cnodes left empty first, so the rebuild drops their nodes;
	 * they are freed only once the change is published. */
	depth = p.depth;
	while (depth > 0 && c->cmap == 0 && c->pmap[0] == 0 && c->pmap[1] == 0) {
		cn_del_child(p.c[depth - 1], key_bits(key, (depth - 1) * FIB_STRIDE, FIB_STRIDE));
		c = p.c[--depth];
	}
	fib_propagate(fib, key, len);
	if (fib->failed) {
		fib_abort(fib);
		for (unsigned d = depth; d < p.depth; d++)
			cn_add_child(p.c[d], key_bits(key, d * FIB_STRIDE, FIB_STRIDE), p.c[d + 1]);
		cn_put(p.c[p.depth], pos, oldv);
		fib_propagate(fib, key, len);
		fib_retire_commit(fib);
		return -ENOMEM;
	}
	fib_retire_commit(fib);
	for (unsigned d = depth + 1; d <= p.depth; d++)
		cn_free(fib, p.c[d]);
	fib->count--;
	return 0;
}

/* ---- lookups ---------------------------------------------------------------- */

/* What to prefetch for slot @i of block @b named by direct-table entry
 * @e: the slot's line in an array (leaf-only or root), else the block's
 * first line. */
static inline const void *
lnode_line(const uint32_t *b, uint32_t e, unsigned i)
{
	if (!(e & FIB_LARR))
		return b;
	return (const uint8_t *)b + ent_lw(e) * i;
}

/* Slot @i of the leaf-only region at direct-table entry @e. */
static inline uint32_t
lnode_leaf(const struct fib_mem *m, uint32_t e, unsigned i)
{
	const uint32_t *l = blk(m, e & FIB_IDX_MASK);

	if (e & FIB_LARR)
		return leaf_get(l, ent_lw(e), i);
	return leaf_get(l + 2, ent_lw(e), popc(blk_u64(l, 0) & ((2ull << i) - 1)) - 1);
}

/* Slot @i of array root @b of @aw-byte slots: its child's index in @cw
 * (returning false), or its leaf (returning true, in @val). */
static inline bool
aroot_slot(const uint32_t *b, unsigned aw, unsigned i, uint32_t *cw, uint32_t *val)
{
	uint32_t a = leaf_get(b, aw, i);

	if (!(a & FIB_ACHILD(aw))) {
		*val = a;
		return true;
	}
	*cw = b[FIB_ARR_UNITS(aw) + (a & ~FIB_ACHILD(aw))];
	return false;
}

/* The block a child index names; prefetched (both lines if it crosses
 * one) when @pf. */
static inline const uint32_t *
child_blk(const struct fib_mem *m, uint32_t cw, bool pf)
{
	const uint32_t *b = blk(m, cw & FIB_IDX_MASK);

	if (pf) {
		__builtin_prefetch(b);
		if (cw & FIB_XL)
			__builtin_prefetch(b + FIB_LINE_UNITS);
	}
	return b;
}

/* Slot @i of node block @b with @lw-byte leaves: its child's index in @cw
 * (returning false), or its leaf (returning true, in @val). */
static inline bool
node_slot(const uint32_t *b, unsigned lw, unsigned i, uint32_t *cw, uint32_t *val)
{
	uint64_t vector = blk_u64(b, 0);

	if ((vector >> i) & 1) {
		*cw = b[FIB_HDR + popc(vector & below(i))];
		return false;
	}
	*val = leaf_get(b + FIB_HDR + popc(vector), lw,
			popc(blk_u64(b, 2) & ((2ull << i) - 1)) - 1);
	return true;
}


uint32_t
fib_lookup4(const struct nsdp_fib *fib, uint32_t addr)
{
	const struct fib_mem *m = fib->mem;
	uint32_t e = __atomic_load_n(&fib->direct[addr >> (32 - FIB_DIRECT_BITS)],
				     __ATOMIC_ACQUIRE);
	uint64_t k = (uint64_t)addr << 32;
	const uint32_t *b;
	int sh = 64 - FIB_DIRECT_BITS - FIB_STRIDE;
	uint32_t v, cw;

	if (!(e & FIB_BLOCK))
		return e ^ fib->dkey;
	if (e & FIB_LNODE)
		return lnode_leaf(m, e, (unsigned)(k >> sh) & 63);
	b = blk(m, e & FIB_IDX_MASK);
	cw = e;
	if (e & FIB_LARR) {
		if (aroot_slot(b, ent_lw(e), (unsigned)(k >> sh) & 63, &cw, &v))
			return v;
		b = child_blk(m, cw, false);
		sh -= FIB_STRIDE;
	}
	while (!node_slot(b, ent_lw(cw), (unsigned)(k >> sh) & 63, &cw, &v)) {
		b = child_blk(m, cw, false);
		sh -= FIB_STRIDE;
	}
	return v;
}

static inline u128
addr6_key(const uint8_t addr[16])
{
	uint64_t hi, lo;

	memcpy(&hi, addr, 8);
	memcpy(&lo, addr + 8, 8);
	return (u128)__builtin_bswap64(hi) << 64 | __builtin_bswap64(lo);
}

uint32_t
fib_lookup6(const struct nsdp_fib *fib, const uint8_t addr[16])
{
	const struct fib_mem *m = fib->mem;
	u128 k = addr6_key(addr);
	uint32_t e = __atomic_load_n(&fib->direct[(unsigned)(k >> (128 - FIB_DIRECT_BITS))],
				     __ATOMIC_ACQUIRE);
	const uint32_t *b;
	unsigned o = FIB_DIRECT_BITS;
	uint32_t v, cw;

	if (!(e & FIB_BLOCK))
		return e ^ fib->dkey;
	if (e & FIB_LNODE)
		return lnode_leaf(m, e, key_bits(k, o, FIB_STRIDE));
	b = blk(m, e & FIB_IDX_MASK);
	cw = e;
	if (e & FIB_LARR) {
		if (aroot_slot(b, ent_lw(e), key_bits(k, o, FIB_STRIDE), &cw, &v))
			return v;
		b = child_blk(m, cw, false);
		o += FIB_STRIDE;
	}
	while (!node_slot(b, ent_lw(cw), key_bits(k, o, FIB_STRIDE), &cw, &v)) {
		b = child_blk(m, cw, false);
		o += FIB_STRIDE;
	}
	return v;
}

/*
 * Bulk lookups walk a group of addresses level by level instead of one
 * address to the end: each level issues the loads of all the addresses
 * still walking (prefetched the level before), so their cache misses
 * overlap instead of adding up. A level is one block: its vector, its
 * children and its leaves are read together.
 */
#define FIB_GROUP 32

void
fib_lookup4_bulk(const struct nsdp_fib *fib, const uint32_t *addrs, uint32_t *values, unsigned n)
{
	const struct fib_mem *m = fib->mem;
	const uint32_t *direct = fib->direct;
	uint32_t dkey = fib->dkey;

	for (unsigned g = 0; g < n; g += FIB_GROUP) {
		unsigned cnt = n - g < FIB_GROUP ? n - g : FIB_GROUP, nw = 0, nl = 0;
		const uint32_t *node[FIB_GROUP];
		uint32_t lent[FIB_GROUP], word[FIB_GROUP], arr = 0;
		uint8_t walk[FIB_GROUP], lidx[FIB_GROUP];
		const uint32_t *a = addrs + g;
		uint32_t *v = values + g;
		int sh = 64 - FIB_DIRECT_BITS - FIB_STRIDE;

		for (unsigned i = 0; i < cnt; i++)
			__builtin_prefetch(&direct[a[i] >> (32 - FIB_DIRECT_BITS)]);
		for (unsigned i = 0; i < cnt; i++) {
			uint32_t e = __atomic_load_n(&direct[a[i] >> (32 - FIB_DIRECT_BITS)],
						     __ATOMIC_ACQUIRE);

			if (!(e & FIB_BLOCK)) {
				v[i] = e ^ dkey;
				continue;
			}
			node[i] = blk(m, e & FIB_IDX_MASK);
			__builtin_prefetch(lnode_line(node[i], e,
						      (a[i] >> (32 - FIB_DIRECT_BITS - FIB_STRIDE)) &
							      63));
			if (e & FIB_XL)
				__builtin_prefetch(node[i] + FIB_LINE_UNITS);
			if (e & FIB_LNODE) {
				lent[nl] = e;
				lidx[nl++] = (uint8_t)i;
			} else {
				arr |= (e & FIB_LARR) ? 1u << i : 0;
				word[i] = e;
				walk[nw++] = (uint8_t)i;
			}
		}
		/* Leaf-only regions: one block, done. */
		for (unsigned l = 0; l < nl; l++) {
			unsigned i = lidx[l];
			unsigned x = (a[i] >> (32 - FIB_DIRECT_BITS - FIB_STRIDE)) & 63;

			v[i] = lnode_leaf(m, lent[l], x);
		}
		while (nw > 0) {
			unsigned still = 0;

			for (unsigned w = 0; w < nw; w++) {
				unsigned i = walk[w];
				unsigned x = (unsigned)(((uint64_t)a[i] << 32) >> sh) & 63;
				uint32_t cw;
				bool leaf = (arr >> i) & 1
						    ? aroot_slot(node[i], ent_lw(word[i]), x, &cw, &v[i])
						    : node_slot(node[i], ent_lw(word[i]), x, &cw, &v[i]);

				if (!leaf) {
					word[i] = cw;
					node[i] = child_blk(m, cw, true);
					walk[still++] = (uint8_t)i;
				}
			}
			nw = still;
			arr = 0;
			sh -= FIB_STRIDE;
		}
	}
}

void
fib_lookup6_bulk(const struct nsdp_fib *fib, const uint8_t (*addrs)[16], uint32_t *values,
		 unsigned n)
{
	const struct fib_mem *m = fib->mem;
	const uint32_t *direct = fib->direct;
	uint32_t dkey = fib->dkey;

	for (unsigned g = 0; g < n; g += FIB_GROUP) {
		unsigned cnt = n - g < FIB_GROUP ? n - g : FIB_GROUP, nw = 0, nl = 0;
		const uint32_t *node[FIB_GROUP];
		uint32_t lent[FIB_GROUP], word[FIB_GROUP], arr = 0;
		uint8_t walk[FIB_GROUP], lidx[FIB_GROUP];
		u128 k[FIB_GROUP];
		uint32_t *v = values + g;
		unsigned o = FIB_DIRECT_BITS;

		for (unsigned i = 0; i < cnt; i++) {
			k[i] = addr6_key(addrs[g + i]);
			__builtin_prefetch(&direct[(unsigned)(k[i] >> (128 - FIB_DIRECT_BITS))]);
		}
		for (unsigned i = 0; i < cnt; i++) {
			uint32_t e =
				__atomic_load_n(&direct[(unsigned)(k[i] >> (128 - FIB_DIRECT_BITS))],
						__ATOMIC_ACQUIRE);

			if (!(e & FIB_BLOCK)) {
				v[i] = e ^ dkey;
				continue;
			}
			node[i] = blk(m, e & FIB_IDX_MASK);
			__builtin_prefetch(lnode_line(node[i], e, key_bits(k[i], o, FIB_STRIDE)));
			if (e & FIB_XL)
				__builtin_prefetch(node[i] + FIB_LINE_UNITS);
			if (e & FIB_LNODE) {
				lent[nl] = e;
				lidx[nl++] = (uint8_t)i;
			} else {
				arr |= (e & FIB_LARR) ? 1u << i : 0;
				word[i] = e;
				walk[nw++] = (uint8_t)i;
			}
		}
		for (unsigned l = 0; l < nl; l++) {
			unsigned i = lidx[l], x = key_bits(k[i], o, FIB_STRIDE);

			v[i] = lnode_leaf(m, lent[l], x);
		}
		while (nw > 0) {
			unsigned still = 0;

			for (unsigned w = 0; w < nw; w++) {
				unsigned i = walk[w], x = key_bits(k[i], o, FIB_STRIDE);
				uint32_t cw;
				bool leaf = (arr >> i) & 1
						    ? aroot_slot(node[i], ent_lw(word[i]), x, &cw, &v[i])
						    : node_slot(node[i], ent_lw(word[i]), x, &cw, &v[i]);

				if (!leaf) {
					word[i] = cw;
					node[i] = child_blk(m, cw, true);
					walk[still++] = (uint8_t)i;
				}
			}
			nw = still;
			arr = 0;
			o += FIB_STRIDE;
		}
	}
}

size_t
fib_memory(const struct nsdp_fib *fib)
{
	/* The arena begins with the direct table. */
	return sizeof(*fib) + (size_t)fib->mem->arena.top * sizeof(uint32_t) + fib->ctrl_bytes;
}

size_t
fib_count(const struct nsdp_fib *fib)
{
	return fib->count;
}

size_t
fib_memory_lookup(const struct nsdp_fib *fib)
{
	return (size_t)fib->mem->arena.top * sizeof(uint32_t);
}
