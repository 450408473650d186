/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l2demux.c: the L2 demux table of an ifd (or of an ifl, for a second
 * stage), its lock-free longest-prefix lookup, the per-port binding and the
 * rx pipeline stage that runs it (docs/l2demux.md).
 *
 * Structure. A table is a view published under RCU, in one of two forms:
 *   - linear: up to linear_max entries in an array, longest prefix first;
 *     a lookup compares each entry's masked words against the key (a
 *     handful of entries: cheaper than any hashing);
 *   - hashed: one open-addressing hash table (linear probing) per distinct
 *     prefix length in use, longest length first; a lookup probes, for each
 *     length not longer than the key, the key's first `length` bits. The
 *     lengths in use are few (a VLAN x PPPoE concentrator has two or three)
 *     whatever the number of entries, so a lookup costs a few probes.
 *
 * Invariants (asserted by the tests, relied on by readers):
 *   - an entry is immutable once published and freed only after a grace
 *     period (call_rcu) following its unlinking;
 *   - a hash slot goes from NULL to an entry, from an entry to TOMB, from
 *     TOMB to an entry; never back to NULL, so a probe that stops at NULL
 *     has seen every entry of its chain;
 *   - every change is published by exactly one pointer store: a slot
 *     (insert into an existing table, tombstone on delete), a table pointer
 *     (a table rebuilt with the change in it), or the view pointer (a new
 *     view with the change in it). A lookup reads each pointer once, so
 *     against one concurrent change it sees the table before or after it;
 *     a generation counter around each store makes a lookup that
 *     overlapped more than one change look up again (l2demux_lookup).
 *     Replaced views and tables are freed after a grace period.
 *
 * The rx stage extracts the keys of a whole burst, prefetches the slot and
 * entry each key probes first, then looks them up: with large tables the
 * cache misses of a burst overlap.
 *
 * Glossary: prefix = an entry's key, of `bits` bits; words = the key bytes
 * loaded as six 64-bit words in memory order, so a prefix matches when the
 * key's first nw words, the last one masked, equal the entry's.
 *
 * Writers hold the config lock [C] (one writer at a time); readers are
 * lcores (urcu-qsbr) and never lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <urcu-qsbr.h>

#include "counters.h"
#include "l2demux.h"
#include "lcore.h"
#include "pkt_meta.h"

#define L2D_WORDS (L2KEY_MAX / 8)
#define L2D_LINEAR_CAP 32    /* largest linear_max accepted */
#define L2D_LINEAR_DEFAULT 8 /* docs/l2demux.md: where the hash overtakes the scan */
#define L2D_HASH_MIN 16      /* slots of the smallest table */
/* Entries from which a table outgrows the caches and the rx stage
 * prefetches (nsbench l2demux: below it, prefetching only costs). */
#define L2D_PREFETCH_MIN 2048

/*
 * One cache line holds what a lookup reads of an entry whose prefix is at
 * most 128 bits (every key but deep tag stacks): the result, the mask, the
 * first two words. Entries are allocated cache-aligned.
 */
struct l2d_entry {
	struct l2demux_result res; /* [I] */
	uint64_t lastmask;         /* [I] mask of word nw - 1 */
	uint16_t bits;             /* [I] */
	uint8_t nw;                /* [I] words the prefix touches */
	uint64_t w[L2D_WORDS];     /* [I] prefix words, bits past `bits` zero */
	struct rcu_head rcu;
} __rte_cache_aligned;

/* A deleted slot: probes go on past it, inserts may reuse it. */
static struct l2d_entry l2d_tomb_entry;
#define L2D_TOMB (&l2d_tomb_entry)

struct l2d_hash {
	struct rcu_head rcu;
	uint32_t mask;            /* [I] slots - 1 (a power of two minus one) */
	uint32_t live;            /* [C] entries */
	uint32_t tombs;           /* [C] TOMB slots */
	struct l2d_entry *slot[]; /* [R] NULL, TOMB or an entry */
};

struct l2d_len {
	uint16_t bits;            /* [I] */
	uint8_t nw;               /* [I] */
	uint64_t mask[L2D_WORDS]; /* [I] */
	struct l2d_hash *tab;     /* [R] replaced when rebuilt */
};

struct l2d_view {
	struct rcu_head rcu;
	unsigned nlin;                         /* [I] linear form: entries in lin[] */
	unsigned nlen;                         /* [I] hashed form: lengths in len[] */
	struct l2d_entry *lin[L2D_LINEAR_CAP]; /* [I] longest prefix first */
	struct l2d_len len[];                  /* [I] but .tab [R]; longest first */
};

struct l2demux {
	struct l2d_view *view; /* [R] never NULL */
	unsigned long gen;     /* [A] odd while a change is being published */
	size_t count;          /* [C] */
	unsigned linear_max;   /* [C] */
	/* [C] entries in key order, rebuilt on demand after changes */
	struct l2d_entry **order;
	size_t order_n;
	bool order_valid;
};

struct l2demux *l2demux_by_port[RTE_MAX_ETHPORTS];

/* --- keys as words ------------------------------------------------------- */

static void
mask_of(unsigned bits, uint64_t mask[L2D_WORDS], uint8_t *nw)
{
	uint8_t b[L2KEY_MAX] = { 0 };

	memset(b, 0xff, bits / 8);
	if (bits % 8)
		b[bits / 8] = (uint8_t)(0xff << (8 - bits % 8));
	memcpy(mask, b, sizeof(b));
	*nw = (uint8_t)((bits + 63) / 64);
}

static inline bool
entry_match(const struct l2d_entry *e, const uint64_t *kw)
{
	unsigned last = e->nw - 1u;

	if (e->nw == 0)
		return true;
	for (unsigned i = 0; i < last; i++)
		if (kw[i] != e->w[i])
			return false;
	return (kw[last] & e->lastmask) == e->w[last];
}

static inline uint32_t
hash_words(const uint64_t *kw, const struct l2d_len *l)
{
	uint32_t h = l->bits;
	unsigned i;

	for (i = 0; i + 1 < l->nw; i++)
		h = rte_hash_crc_8byte(kw[i], h);
	if (l->nw)
		h = rte_hash_crc_8byte(kw[i] & l->mask[i], h);
	return h;
}

static bool
key_valid(const struct l2key *k)
{
	if (k->bits > L2KEY_MAX * 8)
		return false;
	for (unsigned i = k->bits / 8; i < L2KEY_MAX; i++) {
		uint8_t allowed = 0;

		if (i == k->bits / 8 && k->bits % 8)
			allowed = (uint8_t)(0xff << (8 - k->bits % 8));
		if (k->b[i] & ~allowed)
			return false;
	}
	return true;
}

/* Key order: by bits as they come; a prefix of another sorts first. */
static int
entry_cmp_key(const struct l2d_entry *e, const struct l2key *k)
{
	const uint8_t *eb = (const uint8_t *)e->w;
	unsigned m = e->bits < k->bits ? e->bits : k->bits;
	int c = memcmp(eb, k->b, m / 8);

	if (c != 0)
		return c;
	if (m % 8) {
		uint8_t mk = (uint8_t)(0xff << (8 - m % 8));
		int x = eb[m / 8] & mk, y = k->b[m / 8] & mk;

		if (x != y)
			return x - y;
	}
	return (int)e->bits - (int)k->bits;
}

static void
entry_key(const struct l2d_entry *e, struct l2key *k)
{
	k->bits = e->bits;
	memcpy(k->b, e->w, sizeof(k->b));
}

static int
entry_cmp(const struct l2d_entry *a, const struct l2d_entry *b)
{
	struct l2key kb;

	entry_key(b, &kb);
	return entry_cmp_key(a, &kb);
}

/* --- hash tables (writer side) -------------------------------------------- */

static struct l2d_hash *
hash_alloc(uint32_t slots)
{
	struct l2d_hash *h = calloc(1, sizeof(*h) + slots * sizeof(h->slot[0]));

	if (h != NULL)
		h->mask = slots - 1;
	return h;
}

static void
hash_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct l2d_hash, rcu));
}

static void
view_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct l2d_view, rcu));
}

static void
entry_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct l2d_entry, rcu));
}

/* Slot of @e's prefix in @h: its slot, or (insert) the first free one. */
static uint32_t
hash_find_slot(const struct l2d_hash *h, const struct l2d_len *l, const uint64_t *kw,
	       bool for_insert)
{
	uint32_t i = hash_words(kw, l) & h->mask, free_slot = UINT32_MAX;

	for (;; i = (i + 1) & h->mask) {
		struct l2d_entry *e = h->slot[i];

		if (e == NULL)
			return for_insert && free_slot != UINT32_MAX ? free_slot : i;
		if (e == L2D_TOMB) {
			if (free_slot == UINT32_MAX)
				free_slot = i;
			continue;
		}
		if (!for_insert && entry_match(e, kw))
			return i;
	}
}

/* Slots for @n entries at a load of at most one half. */
static uint32_t
hash_slots_for(uint32_t n)
{
	uint32_t s = L2D_HASH_MIN;

	while (s < 2 * n + 2)
		s <<= 1;
	return s;
}

/* A fresh table with the live entries of @old (may be NULL), plus @add. */
static struct l2d_hash *
hash_rebuild(const struct l2d_hash *old, const struct l2d_len *l, struct l2d_entry *add,
	     struct l2d_entry *drop)
{
	uint32_t n = (old ? old->live : 0) + (add != NULL) - (drop != NULL);
	struct l2d_hash *h = hash_alloc(hash_slots_for(n));

	if (h == NULL)
		return NULL;
	for (uint32_t i = 0; old != NULL && i <= old->mask; i++) {
		struct l2d_entry *e = old->slot[i];

		if (e == NULL || e == L2D_TOMB || e == drop)
			continue;
		h->slot[hash_find_slot(h, l, e->w, true)] = e;
		h->live++;
	}
	if (add != NULL) {
		h->slot[hash_find_slot(h, l, add->w, true)] = add;
		h->live++;
	}
	return h;
}

/* --- views -------------------------------------------------------------- */

static struct l2d_view *
view_alloc(unsigned nlen)
{
	return calloc(1, sizeof(struct l2d_view) + nlen * sizeof(struct l2d_len));
}

/* Every entry of @v into @out (room for count), in no order. @return n. */
static size_t
view_entries(const struct l2d_view *v, struct l2d_entry **out)
{
	size_t n = 0;

	for (unsigned i = 0; i < v->nlin; i++)
		out[n++] = v->lin[i];
	for (unsigned l = 0; l < v->nlen; l++) {
		const struct l2d_hash *h = v->len[l].tab;

		for (uint32_t i = 0; i <= h->mask; i++)
			if (h->slot[i] != NULL && h->slot[i] != L2D_TOMB)
				out[n++] = h->slot[i];
	}
	return n;
}

static int
cmp_len_desc(const void *a, const void *b)
{
	const struct l2d_entry *x = *(struct l2d_entry *const *)a,
			       *y = *(struct l2d_entry *const *)b;

	return (int)y->bits - (int)x->bits;
}

/*
 * A complete new view holding @v's entries plus @add minus @drop, linear
 * if they fit in @linear_max, else hashed (new tables throughout).
 */
static struct l2d_view *
view_build(const struct l2d_view *v, size_t count, unsigned linear_max, struct l2d_entry *add,
	   struct l2d_entry *drop)
{
	struct l2d_entry **all = malloc((count + 1) * sizeof(*all));
	struct l2d_view *nv = NULL;
	size_t n, m = 0;
	unsigned nlen = 0;

	if (all == NULL)
		return NULL;
	n = view_entries(v, all);
	for (size_t i = 0; i < n; i++)
		if (all[i] != drop)
			all[m++] = all[i];
	if (add != NULL)
		all[m++] = add;
	qsort(all, m, sizeof(*all), cmp_len_desc);
	if (m <= linear_max) {
		nv = view_alloc(0);
		if (nv == NULL)
			goto out;
		memcpy(nv->lin, all, m * sizeof(*all));
		nv->nlin = (unsigned)m;
		goto out;
	}
	for (size_t i = 0; i < m; i++)
		if (i == 0 || all[i]->bits != all[i - 1]->bits)
			nlen++;
	nv = view_alloc(nlen);
	if (nv == NULL)
		goto out;
	for (size_t i = 0, j; i < m; i = j) {
		struct l2d_len *l = &nv->len[nv->nlen];
		uint32_t cnt;

		for (j = i; j < m && all[j]->bits == all[i]->bits; j++)
			;
		cnt = (uint32_t)(j - i);
		l->bits = all[i]->bits;
		mask_of(l->bits, l->mask, &l->nw);
		l->tab = hash_alloc(hash_slots_for(cnt));
		if (l->tab == NULL)
			goto fail;
		nv->nlen++;
		for (size_t e = i; e < j; e++)
			l->tab->slot[hash_find_slot(l->tab, l, all[e]->w, true)] = all[e];
		l->tab->live = cnt;
	}
	goto out;
fail:
	for (unsigned l = 0; l < nv->nlen; l++)
		free(nv->len[l].tab);
	free(nv);
	nv = NULL;
out:
	free(all);
	return nv;
}

/*
 * Around the one store that publishes a change: readers that saw the
 * generation move by more than one change retry (l2demux_lookup).
 */
static void
change_begin(struct l2demux *d)
{
	CMM_STORE_SHARED(d->gen, d->gen + 1);
	/* The odd generation is visible before the change is. */
	cmm_smp_wmb();
}

static void
change_end(struct l2demux *d)
{
	/* The change is visible before the even generation is. */
	cmm_smp_wmb();
	CMM_STORE_SHARED(d->gen, d->gen + 1);
}

/* Publish @nv in place of the current view; the old one (and, with
 * @old_tabs, its tables) goes after a grace period. */
static void
view_publish(struct l2demux *d, struct l2d_view *nv, bool old_tabs)
{
	struct l2d_view *old = d->view;

	change_begin(d);
	rcu_assign_pointer(d->view, nv);
	change_end(d);
	if (old_tabs)
		for (unsigned l = 0; l < old->nlen; l++)
			call_rcu(&old->len[l].tab->rcu, hash_free_rcu);
	call_rcu(&old->rcu, view_free_rcu);
}

static int
view_len_index(const struct l2d_view *v, uint16_t bits)
{
	for (unsigned l = 0; l < v->nlen; l++)
		if (v->len[l].bits == bits)
			return (int)l;
	return -1;
}

/* The entry of exactly @w/@bits in @v, NULL if none. [C] */
static struct l2d_entry *
view_find_exact(const struct l2d_view *v, const uint64_t *w, uint16_t bits, uint32_t *slot)
{
	int l;

	for (unsigned i = 0; i < v->nlin; i++)
		if (v->lin[i]->bits == bits && memcmp(v->lin[i]->w, w, L2KEY_MAX) == 0)
			return v->lin[i];
	l = view_len_index(v, bits);
	if (l < 0)
		return NULL;
	{
		const struct l2d_hash *h = v->len[l].tab;
		uint32_t i = hash_find_slot(h, &v->len[l], w, false);

		if (h->slot[i] == NULL)
			return NULL;
		if (slot != NULL)
			*slot = i;
		return h->slot[i];
	}
}

/* --- public: tables ------------------------------------------------------ */

struct l2demux *
l2demux_create(void)
{
	struct l2demux *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->view = view_alloc(0);
	if (d->view == NULL) {
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->linear_max = L2D_LINEAR_DEFAULT;
	return d;
}

void
l2demux_free(struct l2demux *d)
{
	struct l2d_view *v;

	if (d == NULL)
		return;
	v = d->view;
	for (unsigned i = 0; i < v->nlin; i++)
		free(v->lin[i]);
	for (unsigned l = 0; l < v->nlen; l++) {
		struct l2d_hash *h = v->len[l].tab;

		for (uint32_t i = 0; i <= h->mask; i++)
			if (h->slot[i] != NULL && h->slot[i] != L2D_TOMB)
				free(h->slot[i]);
		free(h);
	}
	free(v);
	free(d->order);
	free(d);
}

int
l2demux_set_linear_max(struct l2demux *d, unsigned n)
{
	struct l2d_view *nv;

	if (n > L2D_LINEAR_CAP)
		return -EINVAL;
	if (n == d->linear_max)
		return 0;
	nv = view_build(d->view, d->count, n, NULL, NULL);
	if (nv == NULL)
		return -ENOMEM;
	d->linear_max = n;
	view_publish(d, nv, true);
	return 0;
}

int
l2demux_add(struct l2demux *d, const struct l2key *prefix, const struct l2demux_result *r)
{
	struct l2d_view *v = d->view, *nv;
	struct l2d_entry *e;
	int l;

	if (prefix == NULL || r == NULL || r->handler == NULL || !key_valid(prefix))
		return -EINVAL;
	e = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	memset(e, 0, sizeof(*e));
	memcpy(e->w, prefix->b, L2KEY_MAX);
	e->bits = prefix->bits;
	{
		uint64_t mask[L2D_WORDS];

		mask_of(e->bits, mask, &e->nw);
		e->lastmask = e->nw ? mask[e->nw - 1] : 0;
	}
	e->res = *r;
	if (view_find_exact(v, e->w, e->bits, NULL) != NULL) {
		free(e);
		return -EEXIST;
	}
	l = view_len_index(v, e->bits);
	if (v->nlen == 0 || l < 0) {
		/* A new view: linear, or hashed with a new length. */
		nv = view_build(v, d->count, d->linear_max, e, NULL);
		if (nv == NULL) {
			free(e);
			return -ENOMEM;
		}
		view_publish(d, nv, true);
	} else {
		struct l2d_len *len = &v->len[l];
		struct l2d_hash *h = len->tab;

		if ((h->live + h->tombs + 1) * 2 > h->mask + 1) {
			struct l2d_hash *nh = hash_rebuild(h, len, e, NULL);

			if (nh == NULL) {
				free(e);
				return -ENOMEM;
			}
			change_begin(d);
			rcu_assign_pointer(len->tab, nh);
			change_end(d);
			call_rcu(&h->rcu, hash_free_rcu);
		} else {
			uint32_t i = hash_find_slot(h, len, e->w, true);

			if (h->slot[i] == L2D_TOMB)
				h->tombs--;
			h->live++;
			change_begin(d);
			/* The entry's fields are visible before the slot is. */
			rcu_assign_pointer(h->slot[i], e);
			change_end(d);
		}
	}
	d->count++;
	d->order_valid = false;
	return 0;
}

int
l2demux_del(struct l2demux *d, const struct l2key *prefix)
{
	struct l2d_view *v = d->view, *nv;
	struct l2d_entry *e;
	uint64_t w[L2D_WORDS];
	uint32_t slot = 0;
	int l;

	if (prefix == NULL || !key_valid(prefix))
		return -ENOENT;
	memcpy(w, prefix->b, L2KEY_MAX);
	e = view_find_exact(v, w, prefix->bits, &slot);
	if (e == NULL)
		return -ENOENT;
	l = view_len_index(v, e->bits);
	if (l < 0 || d->count - 1 <= d->linear_max || v->len[l].tab->live == 1) {
		/* A new view: back to linear, or a length gone. */
		nv = view_build(v, d->count, d->linear_max, NULL, e);
		if (nv == NULL)
			return -ENOMEM;
		view_publish(d, nv, true);
	} else {
		struct l2d_len *len = &v->len[l];
		struct l2d_hash *h = len->tab, *nh = NULL;

		/* Too many tombstones: rebuild without them (and without @e). */
		if ((h->tombs + 1) * 4 > h->mask + 1)
			nh = hash_rebuild(h, len, NULL, e);
		change_begin(d);
		if (nh != NULL)
			rcu_assign_pointer(len->tab, nh);
		else
			CMM_STORE_SHARED(h->slot[slot], L2D_TOMB);
		change_end(d);
		if (nh != NULL) {
			call_rcu(&h->rcu, hash_free_rcu);
		} else {
			h->live--;
			h->tombs++;
		}
	}
	call_rcu(&e->rcu, entry_free_rcu);
	d->count--;
	d->order_valid = false;
	return 0;
}

size_t
l2demux_count(const struct l2demux *d)
{
	return d->count;
}

static int
cmp_entry_order(const void *a, const void *b)
{
	return entry_cmp(*(struct l2d_entry *const *)a, *(struct l2d_entry *const *)b);
}

/* d->order, sorted, for the current entries. [C] */
static int
order_refresh(struct l2demux *d)
{
	struct l2d_entry **o;

	if (d->order_valid)
		return 0;
	o = realloc(d->order, (d->count + 1) * sizeof(*o));
	if (o == NULL)
		return -ENOMEM;
	d->order = o;
	d->order_n = view_entries(d->view, o);
	qsort(o, d->order_n, sizeof(*o), cmp_entry_order);
	d->order_valid = true;
	return 0;
}

int
l2demux_walk_after(const struct l2demux *cd, const struct l2key *after,
		   int (*cb)(const struct l2key *prefix, const struct l2demux_result *r, void *arg),
		   void *arg)
{
	/* The order cache is the table's private state: walking is a read. */
	struct l2demux *d = (struct l2demux *)(uintptr_t)cd;
	size_t lo = 0, hi;
	int rc = order_refresh(d);

	if (rc < 0)
		return rc;
	hi = d->order_n;
	if (after != NULL) {
		/* First entry after @after. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (entry_cmp_key(d->order[mid], after) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (size_t i = lo; i < d->order_n; i++) {
		struct l2key k;

		entry_key(d->order[i], &k);
		rc = cb(&k, &d->order[i]->res, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
l2demux_walk(const struct l2demux *d,
	     int (*cb)(const struct l2key *prefix, const struct l2demux_result *r, void *arg),
	     void *arg)
{
	return l2demux_walk_after(d, NULL, cb, arg);
}

const struct l2demux_result *
l2demux_get(const struct l2demux *d, const struct l2key *prefix)
{
	uint64_t w[L2D_WORDS];
	struct l2d_entry *e;

	if (!key_valid(prefix))
		return NULL;
	memcpy(w, prefix->b, L2KEY_MAX);
	e = view_find_exact(d->view, w, prefix->bits, NULL);
	return e != NULL ? &e->res : NULL;
}

/* --- public: lookup (RCU reader) ------------------------------------------ */

static inline const struct l2demux_result *
lookup_once(const struct l2demux *d, const struct l2key *k, const uint64_t *kw)
{
	const struct l2d_view *v = rcu_dereference(((struct l2demux *)(uintptr_t)d)->view);

	for (unsigned i = 0; i < v->nlin; i++) {
		const struct l2d_entry *e = v->lin[i];

		if (e->bits <= k->bits && entry_match(e, kw))
			return &e->res;
	}
	for (unsigned l = 0; l < v->nlen; l++) {
		const struct l2d_len *len = &v->len[l];
		const struct l2d_hash *h;
		uint32_t i;

		if (len->bits > k->bits)
			continue;
		h = rcu_dereference(((struct l2d_len *)(uintptr_t)len)->tab);
		for (i = hash_words(kw, len) & h->mask;; i = (i + 1) & h->mask) {
			const struct l2d_entry *e = rcu_dereference(
				((struct l2d_hash *)(uintptr_t)h)->slot[i]);

			if (e == NULL)
				break;
			if (e != L2D_TOMB && entry_match(e, kw))
				return &e->res;
		}
	}
	return NULL;
}

/*
 * One change is published by one store, so a lookup that overlaps at most
 * one change sees the table before or after it. A lookup probes several
 * places, though, and two changes during it (say an entry added to a
 * length it already probed and one deleted from a length it probes next)
 * could combine into an answer no state of the table gives. The generation
 * tells: the writer makes it odd before and even after each change; if it
 * moved past the one change in flight or begun during the lookup, look up
 * again. Changes are rare and short next to a lookup, so a retry is rare.
 */
const struct l2demux_result *
l2demux_lookup(const struct l2demux *d, const struct l2key *k)
{
	const struct l2demux_result *r;
	uint64_t kw[L2D_WORDS];
	unsigned long g1, g2;

	memcpy(kw, k->b, sizeof(kw));
	do {
		g1 = CMM_LOAD_SHARED(d->gen);
		/* The lookup's loads come after g1's... */
		cmm_smp_rmb();
		r = lookup_once(d, k, kw);
		/* ... and before g2's. */
		cmm_smp_rmb();
		g2 = CMM_LOAD_SHARED(d->gen);
	} while (unlikely(g2 - (g1 & ~1ul) > 2));
	return r;
}

/* --- binding to ports and the rx stage --------------------------------------- */

void
l2demux_port_set(uint16_t port, struct l2demux *d)
{
	if (port < RTE_MAX_ETHPORTS)
		rcu_assign_pointer(l2demux_by_port[port], d);
}

/* Hand a run of frames with result @r to its handler. */
static inline void
run_flush(struct lcore_ctx *c, uint16_t port, const struct l2demux_result *r, struct rte_mbuf **run,
	  uint16_t n)
{
	if (n > 0)
		r->handler(c, port, run, n, r->arg);
}

/*
 * Remove @len bytes of L2 header. A header that spans segments (never on
 * a PMD whose first segment holds a whole header) is made contiguous first.
 */
static inline bool
strip_l2(struct rte_mbuf *m, uint16_t len)
{
	if (likely(len <= m->data_len))
		return rte_pktmbuf_adj(m, len) != NULL;
	if (rte_pktmbuf_linearize(m) < 0)
		return false;
	return rte_pktmbuf_adj(m, len) != NULL;
}

/*
 * Warm the cache for the lookups of a burst: the slot each key probes
 * first, then the entry in it. Only hints: what is read here decides
 * nothing (the lookups that follow are the real ones), so racing with a
 * writer is harmless, and the memory stays valid while the lcore is in
 * its read-side section. Large tables miss the cache on both; doing it for
 * the whole burst first overlaps those misses; small tables stay in cache
 * and skip it.
 */
static void
lookup_prefetch(const struct l2demux *d, const struct l2key *keys, const bool *ok, uint16_t n)
{
	const struct l2d_view *v = rcu_dereference(((struct l2demux *)(uintptr_t)d)->view);
	const struct l2d_hash *tab[RX_BURST];
	uint32_t idx[RX_BURST];

	/* The count is the writer's; a stale value only misjudges one burst. */
	if (v->nlen == 0 || CMM_LOAD_SHARED(d->count) < L2D_PREFETCH_MIN)
		return;
	for (uint16_t i = 0; i < n; i++) {
		const struct l2d_len *len = NULL;
		uint64_t kw[L2D_WORDS];

		tab[i] = NULL;
		if (!ok[i])
			continue;
		for (unsigned l = 0; l < v->nlen && len == NULL; l++)
			if (v->len[l].bits <= keys[i].bits)
				len = &v->len[l];
		if (len == NULL)
			continue;
		memcpy(kw, keys[i].b, sizeof(kw));
		tab[i] = rcu_dereference(((struct l2d_len *)(uintptr_t)len)->tab);
		idx[i] = hash_words(kw, len) & tab[i]->mask;
		rte_prefetch0(&tab[i]->slot[idx[i]]);
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct l2d_entry *e;

		if (tab[i] == NULL)
			continue;
		e = CMM_LOAD_SHARED(tab[i]->slot[idx[i]]);
		if (e != NULL && e != L2D_TOMB)
			rte_prefetch0(e);
	}
}

static void
demux_burst(struct lcore_ctx *c, uint16_t port, const struct l2demux *d, struct rte_mbuf **pkts,
	    uint16_t n)
{
	struct port_counters *pc = counters_this_lcore(port);
	struct rte_mbuf *run[RX_BURST], *drop[RX_BURST];
	const struct l2demux_result *cur = NULL;
	struct l2key keys[RX_BURST];
	uint16_t l2_len[RX_BURST];
	bool ok[RX_BURST];
	uint16_t nrun = 0, ndrop = 0;
	uint64_t not_for_us = 0, malformed = 0, strip_failed = 0;

	while (n > 0) {
		uint16_t chunk = n > RX_BURST ? RX_BURST : n;

		/* Keys first, then the lookups: their cache misses overlap. */
		for (uint16_t i = 0; i < chunk; i++) {
			if (i + 1 < chunk)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			ok[i] = l2key_extract(pkts[i], &keys[i], &l2_len[i]) == 0;
		}
		if (d != NULL)
			lookup_prefetch(d, keys, ok, chunk);
		for (uint16_t i = 0; i < chunk; i++) {
			struct rte_mbuf *m = pkts[i];
			const struct l2demux_result *r;

			if (unlikely(!ok[i])) {
				malformed++;
				drop[ndrop++] = m;
				continue;
			}
			r = d != NULL ? l2demux_lookup(d, &keys[i]) : NULL;
			if (r == NULL) {
				not_for_us++;
				drop[ndrop++] = m;
				continue;
			}
			if (r->strip && unlikely(!strip_l2(m, l2_len[i]))) {
				strip_failed++;
				drop[ndrop++] = m;
				continue;
			}
			pkt_meta(m)->ifl_index = r->ifl_index;
			if (r != cur) {
				run_flush(c, port, cur, run, nrun);
				cur = r;
				nrun = 0;
			}
			run[nrun++] = m;
		}
		run_flush(c, port, cur, run, nrun);
		cur = NULL;
		nrun = 0;
		if (ndrop > 0)
			rte_pktmbuf_free_bulk(drop, ndrop);
		ndrop = 0;
		pkts += chunk;
		n = (uint16_t)(n - chunk);
	}
	if (not_for_us)
		counters_drop(pc, DROP_not_for_us, not_for_us);
	if (malformed)
		counters_drop(pc, DROP_l2_malformed, malformed);
	if (strip_failed)
		counters_drop(pc, DROP_l2_strip_failed, strip_failed);
}

void
l2demux_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	demux_burst(c, port, rcu_dereference(l2demux_by_port[port]), pkts, n);
}

void
l2demux_input_stage2(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		     void *arg)
{
	demux_burst(c, port, arg, pkts, n);
}
