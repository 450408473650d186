/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l3demux.c: the L3 protocol demux of every routing instance and family,
 * and the early demux of every (ifl, family) (paper 1653-1820, 2911-2953).
 *
 * Structure: a table per (instance, family), plus one per family for the
 * entries that serve every instance (slot RT_INST_MAX). A table is 256
 * pointers, one per IP protocol, each to an immutable array of entry
 * pointers sorted best match first (see l3demux.h for the order); a lookup
 * scans the protocol's array and takes the first entry that matches, so
 * the first hit is the best match. The early demux is one immutable array
 * of every early entry, sorted by (ifl, family, protocol, best match).
 *
 * Invariants:
 *   - arrays and tables reachable from l3d_tab / early_demux_root are never
 *     written after publication; a change builds a new array, publishes it
 *     with rcu_assign_pointer and frees the old one with call_rcu;
 *   - an entry is freed only by call_rcu after it left every array;
 *   - the all-entries list (l3d_all) is control-only ([C]).
 *
 * Scaling: a lookup is linear in the entries of the packet's protocol in
 * its instance. That is what the first consumers need (echo, a few
 * sessions); a hash of exact 5-tuples in front of the array is the way to
 * thousands of connected sessions, and fits under the same interface.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <urcu-qsbr.h>

#include "l3demux.h"
#include "pkt_meta.h"
#include "route.h"
#include "svcq.h"

#define L3D_SLOTS (RT_INST_MAX + 1) /* last slot: L3DEMUX_INST_ANY */
#define L3D_ENTRIES_MAX (1u << 20)
#define L3D_EXT_MAX 8 /* IPv6 extension headers skipped at most */

struct l3demux_entry {
	/* What lookups read, first; the transport bytes (the most selective
	 * field of most entries) before the addresses. */
	uint32_t tp, tp_mask;           /* [I] as read from the packet (no swap) */
	uint64_t dst_w[2], dst_m[2];    /* [I] address and mask as two words */
	uint64_t src_w[2], src_m[2];    /* [I] */
	l3demux_fn fn;                  /* [I] */
	void *state;                    /* [I] */
	uint8_t family, proto;          /* [I] */
	uint8_t dst_len, src_len;       /* [I] */
	uint8_t tp_bits;                /* [I] bits set in tp_mask */
	uint16_t rt_inst;               /* [I] */
	uint32_t ifl_index;             /* [I] early demux only */
	uint32_t id;                    /* [I] */
	struct l3demux_key key;         /* [I] as given (masked) */
	char owner[L3DEMUX_OWNER_LEN];  /* [I] */
	struct l3demux_entry *next_all; /* [C] */
	struct rcu_head rcu;
	/* [L] per lcore; the last slot is shared by threads without an lcore
	 * id and updated atomically. */
	uint64_t matches[RTE_MAX_LCORE + 1] __rte_cache_aligned;
};

struct l3d_list {
	struct rcu_head rcu;
	uint32_t n;
	struct l3demux_entry *e[];
};

struct l3d_table {
	struct rcu_head rcu;
	uint32_t n;                  /* [C] entries in the table */
	struct l3d_list *proto[256]; /* [R] */
};

struct early_snap {
	struct rcu_head rcu;
	uint32_t n;
	struct l3demux_entry *e[];
};

static struct l3d_table *l3d_tab[L3D_SLOTS][2]; /* [R] */
struct early_snap *early_demux_root;            /* [R] */
static struct l3demux_entry *l3d_all;           /* [C] every entry, L3 and early */
static uint32_t l3d_next_id = 1;                /* [C] */
static unsigned l3d_n, early_n;                 /* [C] */

/* ---- helpers ------------------------------------------------------------- */

static void
prefix_words(const uint8_t *a, uint8_t len, uint64_t w[2], uint64_t m[2])
{
	uint8_t mask[16] = { 0 }, v[16];

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		v[i] = a[i] & mask[i];
	}
	memcpy(w, v, 16);
	memcpy(m, mask, 16);
}

static unsigned
addr_bytes(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/* Normalise @k (masked values) and check it. */
static int
key_check(const struct l3demux_key *k, struct l3demux_key *out)
{
	unsigned alen, maxlen;

	if (k == NULL || (k->family != 4 && k->family != 6))
		return -EINVAL;
	alen = addr_bytes(k->family);
	maxlen = alen * 8;
	if (k->dst_len > maxlen || k->src_len > maxlen)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = k->family;
	out->proto = k->proto;
	out->dst_len = k->dst_len;
	out->src_len = k->src_len;
	for (unsigned i = 0; i < alen; i++) {
		unsigned db = k->dst_len > i * 8 ? k->dst_len - i * 8 : 0;
		unsigned sb = k->src_len > i * 8 ? k->src_len - i * 8 : 0;

		out->dst[i] = k->dst[i] & (db >= 8 ? 0xff : (uint8_t)(0xff00 >> db));
		out->src[i] = k->src[i] & (sb >= 8 ? 0xff : (uint8_t)(0xff00 >> sb));
	}
	for (unsigned i = 0; i < 4; i++) {
		out->tp_mask[i] = k->tp_mask[i];
		out->tp[i] = k->tp[i] & k->tp_mask[i];
	}
	return 0;
}

static uint32_t
be32_of(const uint8_t b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Best match first: < 0 if @a beats @b (rules 2-5 of l3demux.h). */
static int
entry_rank_cmp(const struct l3demux_entry *a, const struct l3demux_entry *b)
{
	uint32_t ma, mb;

	if (a->dst_len != b->dst_len)
		return a->dst_len > b->dst_len ? -1 : 1;
	if (a->src_len != b->src_len)
		return a->src_len > b->src_len ? -1 : 1;
	if (a->tp_bits != b->tp_bits)
		return a->tp_bits > b->tp_bits ? -1 : 1;
	ma = be32_of(a->key.tp_mask);
	mb = be32_of(b->key.tp_mask);
	if (ma != mb)
		return ma > mb ? -1 : 1;
	return 0;
}

static bool
key_equal(const struct l3demux_key *a, const struct l3demux_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static struct l3demux_entry *
entry_new(uint16_t inst, uint32_t ifl_index, const struct l3demux_key *k, l3demux_fn fn,
	  void *state, const char *owner)
{
	struct l3demux_entry *e;

	e = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*e), RTE_CACHE_LINE_SIZE));
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->key = *k;
	prefix_words(k->dst, k->dst_len, e->dst_w, e->dst_m);
	prefix_words(k->src, k->src_len, e->src_w, e->src_m);
	memcpy(&e->tp, k->tp, 4);
	memcpy(&e->tp_mask, k->tp_mask, 4);
	e->tp_bits = (uint8_t)__builtin_popcount(e->tp_mask);
	e->fn = fn;
	e->state = state;
	e->family = k->family;
	e->proto = k->proto;
	e->dst_len = k->dst_len;
	e->src_len = k->src_len;
	e->rt_inst = inst;
	e->ifl_index = ifl_index;
	e->id = l3d_next_id++;
	if (l3d_next_id == 0)
		l3d_next_id = 1;
	snprintf(e->owner, sizeof(e->owner), "%s", owner != NULL ? owner : "");
	return e;
}

static void
entry_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct l3demux_entry, rcu));
}

static void
list_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct l3d_list, rcu));
}

static void
table_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct l3d_table, rcu));
}

static void
snap_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct early_snap, rcu));
}

static void
all_link(struct l3demux_entry *e)
{
	e->next_all = l3d_all;
	l3d_all = e;
}

static void
all_unlink(struct l3demux_entry *e)
{
	for (struct l3demux_entry **pp = &l3d_all; *pp != NULL; pp = &(*pp)->next_all) {
		if (*pp == e) {
			*pp = e->next_all;
			return;
		}
	}
}

static inline unsigned
fam_idx(uint8_t family)
{
	return family == 6;
}

static inline unsigned
inst_slot(uint16_t inst)
{
	return inst == L3DEMUX_INST_ANY ? RT_INST_MAX : inst;
}

/* ---- matching ------------------------------------------------------------ */

static const uint32_t tp_have_mask_be[5] = {
	0, RTE_BE32(0xff000000), RTE_BE32(0xffff0000), RTE_BE32(0xffffff00), RTE_BE32(0xffffffff),
};

static inline bool
entry_match(const struct l3demux_entry *e, const struct l3demux_pkey *pk, const uint64_t d[2],
	    const uint64_t s[2], uint32_t have)
{
	return ((pk->tp ^ e->tp) & e->tp_mask) == 0 && (e->tp_mask & ~have) == 0 &&
	       ((d[0] ^ e->dst_w[0]) & e->dst_m[0]) == 0 &&
	       ((d[1] ^ e->dst_w[1]) & e->dst_m[1]) == 0 &&
	       ((s[0] ^ e->src_w[0]) & e->src_m[0]) == 0 &&
	       ((s[1] ^ e->src_w[1]) & e->src_m[1]) == 0;
}

static const struct l3demux_entry *
list_lookup(const struct l3d_list *l, const struct l3demux_pkey *pk)
{
	uint64_t d[2], s[2];
	uint32_t have;

	if (l == NULL)
		return NULL;
	memcpy(d, pk->dst, 16);
	memcpy(s, pk->src, 16);
	have = tp_have_mask_be[pk->tp_len > 4 ? 4 : pk->tp_len];
	for (uint32_t i = 0; i < l->n; i++) {
		if (entry_match(l->e[i], pk, d, s, have))
			return l->e[i];
	}
	return NULL;
}

const struct l3demux_entry *
l3demux_lookup(uint16_t inst, const struct l3demux_pkey *pk)
{
	unsigned f = fam_idx(pk->family);
	const struct l3d_table *t;
	const struct l3demux_entry *e = NULL;

	if (inst < RT_INST_MAX) {
		t = rcu_dereference(l3d_tab[inst][f]);
		if (t != NULL)
			e = list_lookup(rcu_dereference(t->proto[pk->proto]), pk);
	}
	if (e == NULL) {
		t = rcu_dereference(l3d_tab[RT_INST_MAX][f]);
		if (t != NULL)
			e = list_lookup(rcu_dereference(t->proto[pk->proto]), pk);
	}
	return e;
}

uint32_t
l3demux_entry_id(const struct l3demux_entry *e)
{
	return e->id;
}

static inline void
entry_count(const struct l3demux_entry *ce, uint16_t n)
{
	struct l3demux_entry *e = (struct l3demux_entry *)(uintptr_t)ce;
	unsigned lc = rte_lcore_id();

	if (likely(lc < RTE_MAX_LCORE))
		e->matches[lc] += n;
	else
		__atomic_fetch_add(&e->matches[RTE_MAX_LCORE], n, __ATOMIC_RELAXED);
}

/* ---- key extraction ------------------------------------------------------ */

int
l3demux_extract(struct rte_mbuf *m, int family, struct l3demux_pkey *out)
{
	uint8_t buf[40];
	const uint8_t *p;
	uint32_t off, plen = rte_pktmbuf_pkt_len(m);
	uint8_t next;

	memset(out, 0, sizeof(*out));
	out->family = (uint8_t)family;
	if (family == 4) {
		p = rte_pktmbuf_read(m, 0, 20, buf);
		if (p == NULL)
			return -EINVAL;
		/* Fragments carry no transport header (or only part of it). */
		if ((p[6] & 0x3f) != 0 || p[7] != 0)
			return -EINVAL;
		off = (uint32_t)(p[0] & 0xf) * 4;
		next = p[9];
		memcpy(out->src, p + 12, 4);
		memcpy(out->dst, p + 16, 4);
	} else if (family == 6) {
		unsigned k;

		p = rte_pktmbuf_read(m, 0, 40, buf);
		if (p == NULL)
			return -EINVAL;
		next = p[6];
		memcpy(out->src, p + 8, 16);
		memcpy(out->dst, p + 24, 16);
		off = 40;
		/* RFC 8200 4: every extension header but the fragment header
		 * (reassembled before the demux) tells its own length. */
		for (k = 0; k < L3D_EXT_MAX; k++) {
			uint8_t eh[2];
			const uint8_t *q;

			if (next == 0 || next == 43 || next == 60 || next == 135 || next == 139 ||
			    next == 140) {
				q = rte_pktmbuf_read(m, off, 2, eh);
				if (q == NULL)
					return -EINVAL;
				next = q[0];
				off += ((uint32_t)q[1] + 1) * 8;
			} else if (next == 51) { /* AH: RFC 4302 2.2, 4-byte units */
				q = rte_pktmbuf_read(m, off, 2, eh);
				if (q == NULL)
					return -EINVAL;
				next = q[0];
				off += ((uint32_t)q[1] + 2) * 4;
			} else if (next == 44) {
				return -EINVAL;
			} else {
				break;
			}
		}
		if (k == L3D_EXT_MAX || off > plen)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (off > plen)
		return -EINVAL;
	out->proto = next;
	out->l4_off = (uint16_t)off;
	out->tp_len = (uint8_t)(plen - off >= 4 ? 4 : plen - off);
	if (out->tp_len > 0) {
		uint8_t tb[4] = { 0 };
		const uint8_t *q = rte_pktmbuf_read(m, off, out->tp_len, tb);

		if (q == NULL)
			return -EINVAL;
		memcpy(tb, q, out->tp_len);
		memcpy(&out->tp, tb, 4);
	}
	return 0;
}

/* ---- the packet path ----------------------------------------------------- */

void
l3demux_to_svcq(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	struct svcq *q = state;

	(void)c;
	for (uint16_t i = 0; i < n; i++) {
		struct svc_msg *msg = mbuf_to_svc_msg(pkts[i]);

		msg->type = SVC_MSG_PACKET;
		msg->subtype = 0;
		svcq_enqueue(q, msg);
	}
}

uint16_t
l3demux_dispatch(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **miss)
{
	uint16_t n_miss = 0;

	while (n > 0) {
		const struct l3demux_entry *hit[32];
		struct rte_mbuf *run[32];
		uint16_t k = n > 32 ? 32 : n, n_hit = 0;

		for (uint16_t i = 0; i < k; i++) {
			struct rte_mbuf *m = pkts[i];
			struct l3demux_pkey pk;
			const uint8_t *v = rte_pktmbuf_mtod(m, const uint8_t *);
			const struct l3demux_entry *e = NULL;

			if (m->data_len > 0 && l3demux_extract(m, v[0] >> 4, &pk) == 0)
				e = l3demux_lookup(pkt_meta(m)->rt_inst, &pk);
			if (e == NULL) {
				miss[n_miss++] = m;
				continue;
			}
			hit[n_hit] = e;
			run[n_hit++] = m;
		}
		for (uint16_t a = 0; a < n_hit;) {
			uint16_t b = a + 1;

			while (b < n_hit && hit[b] == hit[a])
				b++;
			entry_count(hit[a], b - a);
			hit[a]->fn(c, &run[a], b - a, hit[a]->state);
			a = b;
		}
		pkts += k;
		n -= k;
	}
	return n_miss;
}

/* Early entries sort by (ifl, family, proto) then best match. */
static int
early_cmp(const struct l3demux_entry *a, const struct l3demux_entry *b)
{
	if (a->ifl_index != b->ifl_index)
		return a->ifl_index < b->ifl_index ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return entry_rank_cmp(a, b);
}

bool
early_demux_input_slow(struct lcore_ctx *c, int family, struct rte_mbuf *m)
{
	const struct early_snap *s = rcu_dereference(early_demux_root);
	uint32_t ifl = pkt_meta(m)->ifl_index, lo = 0, hi;
	struct l3demux_pkey pk;
	uint32_t have;

	if (s == NULL || l3demux_extract(m, family, &pk) < 0)
		return false;
	hi = s->n;
	/* First entry not below (ifl, family, proto). */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct l3demux_entry *e = s->e[mid];

		if (e->ifl_index < ifl ||
		    (e->ifl_index == ifl &&
		     (e->family < family || (e->family == family && e->proto < pk.proto))))
			lo = mid + 1;
		else
			hi = mid;
	}
	have = tp_have_mask_be[pk.tp_len];
	for (uint32_t i = lo; i < s->n; i++) {
		const struct l3demux_entry *e = s->e[i];

		if (e->ifl_index != ifl || e->family != family || e->proto != pk.proto)
			break;
		if ((e->tp_mask & ~have) == 0 && ((pk.tp ^ e->tp) & e->tp_mask) == 0) {
			entry_count(e, 1);
			e->fn(c, &m, 1, e->state);
			return true;
		}
	}
	return false;
}

/* ---- changes ------------------------------------------------------------- */

/* A copy of @old with @add inserted in rank order, or without @del. */
static struct l3d_list *
list_change(const struct l3d_list *old, struct l3demux_entry *add, struct l3demux_entry *del)
{
	uint32_t n_old = old != NULL ? old->n : 0, n = n_old + (add != NULL) - (del != NULL), j = 0;
	struct l3d_list *l;
	bool placed = add == NULL;

	if (n == 0)
		return NULL;
	l = malloc(sizeof(*l) + n * sizeof(l->e[0]));
	if (l == NULL)
		return NULL;
	l->n = n;
	for (uint32_t i = 0; i < n_old; i++) {
		if (old->e[i] == del)
			continue;
		/* Ties cannot happen (same rank, same key = duplicate); a new
		 * entry of equal rank but different values goes after. */
		if (!placed && entry_rank_cmp(add, old->e[i]) < 0) {
			l->e[j++] = add;
			placed = true;
		}
		l->e[j++] = old->e[i];
	}
	if (!placed)
		l->e[j++] = add;
	return l;
}

int
l3demux_add(uint16_t inst, const struct l3demux_key *k, l3demux_fn fn, void *state,
	    const char *owner, uint32_t *id)
{
	struct l3demux_key nk;
	struct l3d_table *t, *nt = NULL;
	struct l3d_list *old, *nl;
	struct l3demux_entry *e;
	unsigned f, slot;
	int rc;

	rc = key_check(k, &nk);
	if (rc < 0 || fn == NULL || (inst >= RT_INST_MAX && inst != L3DEMUX_INST_ANY))
		return -EINVAL;
	if (l3d_n + early_n >= L3D_ENTRIES_MAX)
		return -ENOSPC;
	f = fam_idx(nk.family);
	slot = inst_slot(inst);
	t = l3d_tab[slot][f];
	old = t != NULL ? t->proto[nk.proto] : NULL;
	for (uint32_t i = 0; old != NULL && i < old->n; i++)
		if (key_equal(&old->e[i]->key, &nk))
			return -EEXIST;
	if (t == NULL) {
		nt = calloc(1, sizeof(*nt));
		if (nt == NULL)
			return -ENOMEM;
		t = nt;
	}
	e = entry_new(inst, 0, &nk, fn, state, owner);
	if (e == NULL) {
		free(nt);
		return -ENOMEM;
	}
	nl = list_change(old, e, NULL);
	if (nl == NULL) {
		free(e);
		free(nt);
		return -ENOMEM;
	}
	rcu_assign_pointer(t->proto[nk.proto], nl);
	if (nt != NULL)
		rcu_assign_pointer(l3d_tab[slot][f], nt);
	if (old != NULL)
		call_rcu(&old->rcu, list_free_rcu);
	t->n++;
	l3d_n++;
	all_link(e);
	if (id != NULL)
		*id = e->id;
	return 0;
}

static void
l3d_remove(struct l3demux_entry *e)
{
	unsigned f = fam_idx(e->family), slot = inst_slot(e->rt_inst);
	struct l3d_table *t = l3d_tab[slot][f];
	struct l3d_list *old = t->proto[e->proto], *nl;

	/* A deletion cannot be refused: without memory for the smaller copy,
	 * wait for pending frees (rcu_barrier) and try again. */
	while ((nl = list_change(old, NULL, e)) == NULL && old->n > 1)
		rcu_barrier();
	rcu_assign_pointer(t->proto[e->proto], nl);
	call_rcu(&old->rcu, list_free_rcu);
	t->n--;
	l3d_n--;
	if (t->n == 0) {
		rcu_assign_pointer(l3d_tab[slot][f], NULL);
		call_rcu(&t->rcu, table_free_rcu);
	}
	all_unlink(e);
	call_rcu(&e->rcu, entry_free_rcu);
}

int
l3demux_del(uint16_t inst, const struct l3demux_key *k)
{
	struct l3demux_key nk;
	struct l3d_table *t;
	struct l3d_list *l;

	if (key_check(k, &nk) < 0 || (inst >= RT_INST_MAX && inst != L3DEMUX_INST_ANY))
		return -EINVAL;
	t = l3d_tab[inst_slot(inst)][fam_idx(nk.family)];
	l = t != NULL ? t->proto[nk.proto] : NULL;
	for (uint32_t i = 0; l != NULL && i < l->n; i++) {
		if (key_equal(&l->e[i]->key, &nk)) {
			l3d_remove(l->e[i]);
			return 0;
		}
	}
	return -ENOENT;
}

/* Publish a copy of the early snapshot with @add inserted or @del removed. */
static int
early_change(struct l3demux_entry *add, struct l3demux_entry *del)
{
	struct early_snap *old = early_demux_root, *ns = NULL;
	uint32_t n_old = old != NULL ? old->n : 0, n = n_old + (add != NULL) - (del != NULL), j = 0;
	bool placed = add == NULL;

	if (n > 0) {
		ns = malloc(sizeof(*ns) + n * sizeof(ns->e[0]));
		if (ns == NULL)
			return -ENOMEM;
		ns->n = n;
		for (uint32_t i = 0; i < n_old; i++) {
			if (old->e[i] == del)
				continue;
			if (!placed && early_cmp(add, old->e[i]) < 0) {
				ns->e[j++] = add;
				placed = true;
			}
			ns->e[j++] = old->e[i];
		}
		if (!placed)
			ns->e[j++] = add;
	}
	rcu_assign_pointer(early_demux_root, ns);
	if (old != NULL)
		call_rcu(&old->rcu, snap_free_rcu);
	return 0;
}

static struct l3demux_entry *
early_find(uint32_t ifl_index, const struct l3demux_key *nk)
{
	const struct early_snap *s = early_demux_root;

	for (uint32_t i = 0; s != NULL && i < s->n; i++)
		if (s->e[i]->ifl_index == ifl_index && key_equal(&s->e[i]->key, nk))
			return s->e[i];
	return NULL;
}

int
early_demux_add(uint32_t ifl_index, const struct l3demux_key *k, l3demux_fn fn, void *state,
		const char *owner, uint32_t *id)
{
	struct l3demux_key nk;
	struct l3demux_entry *e;
	int rc;

	if (key_check(k, &nk) < 0 || fn == NULL || ifl_index == 0 || nk.dst_len != 0 ||
	    nk.src_len != 0)
		return -EINVAL;
	if (l3d_n + early_n >= L3D_ENTRIES_MAX)
		return -ENOSPC;
	if (early_find(ifl_index, &nk) != NULL)
		return -EEXIST;
	e = entry_new(0, ifl_index, &nk, fn, state, owner);
	if (e == NULL)
		return -ENOMEM;
	rc = early_change(e, NULL);
	if (rc < 0) {
		free(e);
		return rc;
	}
	early_n++;
	all_link(e);
	if (id != NULL)
		*id = e->id;
	return 0;
}

static void
early_remove(struct l3demux_entry *e)
{
	while (early_change(NULL, e) < 0)
		rcu_barrier(); /* as in l3d_remove: let pending frees run, retry */
	early_n--;
	all_unlink(e);
	call_rcu(&e->rcu, entry_free_rcu);
}

int
early_demux_del(uint32_t ifl_index, const struct l3demux_key *k)
{
	struct l3demux_key nk;
	struct l3demux_entry *e;

	if (key_check(k, &nk) < 0)
		return -EINVAL;
	e = early_find(ifl_index, &nk);
	if (e == NULL)
		return -ENOENT;
	early_remove(e);
	return 0;
}

unsigned
early_demux_flush_ifl(uint32_t ifl_index)
{
	unsigned n = 0;
	struct l3demux_entry *e;

	for (;;) {
		const struct early_snap *s = early_demux_root;

		e = NULL;
		for (uint32_t i = 0; s != NULL && i < s->n && e == NULL; i++)
			if (s->e[i]->ifl_index == ifl_index)
				e = s->e[i];
		if (e == NULL)
			return n;
		early_remove(e);
		n++;
	}
}

int
l3demux_del_id(uint32_t id)
{
	for (struct l3demux_entry *e = l3d_all; e != NULL; e = e->next_all) {
		if (e->id != id)
			continue;
		if (e->ifl_index != 0)
			early_remove(e);
		else
			l3d_remove(e);
		return 0;
	}
	return -ENOENT;
}

/* ---- listings ------------------------------------------------------------ */

static void
entry_info(const struct l3demux_entry *e, struct l3demux_info *out)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i <= RTE_MAX_LCORE; i++)
		sum += __atomic_load_n(&e->matches[i], __ATOMIC_RELAXED);
	out->id = e->id;
	out->rt_inst = e->rt_inst;
	out->ifl_index = e->ifl_index;
	out->key = e->key;
	memcpy(out->owner, e->owner, sizeof(out->owner));
	out->matches = sum;
}

int
l3demux_walk(bool early, uint32_t inst, int (*cb)(const struct l3demux_info *, void *), void *arg)
{
	struct l3demux_info info;
	int rc;

	if (early) {
		const struct early_snap *s = early_demux_root;

		for (uint32_t i = 0; s != NULL && i < s->n; i++) {
			if (inst != UINT32_MAX && s->e[i]->ifl_index != inst)
				continue;
			entry_info(s->e[i], &info);
			rc = cb(&info, arg);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	for (unsigned slot = 0; slot < L3D_SLOTS; slot++) {
		uint32_t want = slot == RT_INST_MAX ? L3DEMUX_INST_ANY : slot;

		if (inst != UINT32_MAX && inst != want)
			continue;
		for (unsigned f = 0; f < 2; f++) {
			const struct l3d_table *t = l3d_tab[slot][f];

			for (unsigned p = 0; t != NULL && p < 256; p++) {
				const struct l3d_list *l = t->proto[p];

				for (uint32_t i = 0; l != NULL && i < l->n; i++) {
					entry_info(l->e[i], &info);
					rc = cb(&info, arg);
					if (rc != 0)
						return rc;
				}
			}
		}
	}
	return 0;
}

unsigned
l3demux_count(bool early)
{
	return early ? early_n : l3d_n;
}
