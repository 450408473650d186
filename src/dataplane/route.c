/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route.c: the route tables (route.h, paper 945-1320): routing instances,
 * the routing table of each (instance, family), its permanent routes, the
 * forwarding and route lookups, clone notifications, next-hop resolution
 * of user routes, and the incremental upkeep of the forwarding structure
 * (fib.h) lcores search.
 *
 * Glossary and invariants:
 *   - node: one destination prefix in a path-compressed binary trie
 *     (Patricia) over destination bits, children ordered by the next bit.
 *     A node without routes ("glue") exists only where two subtrees fork.
 *     Preorder is the key order of walks and dumps: a prefix comes before
 *     its more specifics, the 0 side before the 1 side.
 *   - a node holds the routes of key <dst/len><::/0> (list in preference
 *     order: type in rtt_pref() order, then lower ifl_index) and, for
 *     full-length destinations only, the source-specific entries
 *     <dst/full><src/slen> (slen > 0), sorted by source in the same order.
 *   - fib value of a node, from its most preferred <dst/len><::/0> route
 *     unless that one is of an ignored type: the route's next-hop index,
 *     with RT_FIB_LOCAL set when the route has RTF_LOCAL; RT_FIB_SRC | slot
 *     when the node has source-specific routes or that route has
 *     RTF_IFCHECK (whose ifl does not fit in the value); no entry when
 *     there is no such route and no source-specific one. Every change
 *     calls rt_node_sync() on the node it touched, which sets or deletes
 *     exactly that node's fib entry: never a rebuild.
 *   - second stage: slot indexes a per-table array of immutable stages
 *     (RCU-published): the entries' (source prefix, decision), longest
 *     first, and the decision when no source matches (the node's own best
 *     <::/0> route, else the covering prefix's); a decision is the next
 *     hop and the flags to check with the route's ifl. The bulk lookup ORs
 *     the burst's values and looks at flags and stages only when
 *     RT_FIB_SRC or RT_FIB_LOCAL is in the OR, so destinations whose
 *     routes have neither source-specific keys nor flags pay one OR per
 *     packet.
 *   - the bulk lookups apply RTF_IFCHECK and RTF_LOCAL to the incoming ifl
 *     they are given and write RT_FWD_IFCHECK / RT_FWD_LOCAL_ONLY (not
 *     next-hop indices) for refused packets; rt_flags_verdict() is the one
 *     definition of the checks, shared with the control side.
 *   - a slot the fib stops naming keeps pointing at its last stage until a
 *     grace period has passed (rt_slot_retire: call_rcu, then the slot is
 *     free again), so a reader holding an old fib value finds the stage
 *     that value meant; the writer never waits for readers.
 *   - next hops leave a route only after the fib stopped naming them;
 *     nh_put() frees after a grace period, so a reader's index stays valid.
 *
 * Lock legend: [C] config lock, [R] RCU-published, read by lcores, [A]
 * atomic, [S] the table's slot_lock (the control side and RCU callbacks).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_prefetch.h>
#include <urcu-qsbr.h>

#include "fib.h"
#include "route.h"

#define RT_FIB_SRC (1u << 23)          /* fib value names a stage */
#define RT_FIB_LOCAL (1u << 22)        /* fib value: the route has RTF_LOCAL */
#define RT_CHECKED_FLAGS (RTF_IFCHECK | RTF_LOCAL)
#define RT_SLOTS (1u << 16)            /* source stages per table */
#define RT_IGNORED_TYPES                                                          \
	(1u << RTT_USER_IGNORE | 1u << RTT_CLONE_IGNORE | 1u << RTT_IFCLONE_IGNORE)
#define RT_ALL_TYPES (((1u << RTT_MAX) - 1) & ~1u)
#define RT_FWD_TYPES (RT_ALL_TYPES & ~RT_IGNORED_TYPES)
#define RT_CLONE_TYPES                                                           \
	(1u << RTT_CLONE | 1u << RTT_IFCLONE | 1u << RTT_CLONE_IGNORE | 1u << RTT_IFCLONE_IGNORE)

struct rt_clone;

struct rt_route {
	struct rt_route *next;         /* [C] preference order */
	struct nexthop *nh;            /* [C] holds a reference */
	uint64_t id;                   /* [C] unique, for clone parents */
	uint32_t ifl_index;            /* [C] */
	uint16_t flags;                /* [C] */
	uint8_t type;                  /* [C] */
	struct rt_clone *clone;        /* [C] clone types only */
};

/* A forwarding decision as a stage keeps it: the next hop and what to check. */
struct rt_res {
	uint32_t nh;                   /* next-hop index */
	uint32_t ifl;                  /* the route's ifl_index, with RTF_IFCHECK */
	uint16_t flags;                /* RT_CHECKED_FLAGS of the route */
	uint16_t pad;                  /* zero: stages are compared bytewise */
};

/* A source-specific key <dst/full><src/slen> under its destination node. */
struct rt_src {
	struct rt_src *next;           /* [C] source order */
	uint8_t src[16];
	uint8_t len;
	struct rt_route *routes;       /* [C] preference order */
};

/*
 * One cache line: a bulk load is bound by the cache misses of descents,
 * one per node when the fields a descent reads share a line. A node's
 * source stage slot is in its fib value (RT_FIB_SRC | slot).
 */
struct rt_node {
	struct rt_node *child[2];      /* [C] */
	uint8_t key[16];               /* [C] bits beyond len are zero */
	uint8_t len;
	uint8_t in_sg;                 /* [C] listed in the table's sg array */
	uint32_t fib_value;            /* [C] what the fib holds for it; 0 = nothing */
	struct rt_node *parent;        /* [C] */
	struct rt_route *routes;       /* [C] <dst/len><::/0>, preference order */
	struct rt_src *srcs;           /* [C] source-specific keys */
} __rte_aligned(64);

#define RT_POOL_NODES 4096

/* Nodes come from per-table blocks of RT_POOL_NODES (control-only memory). */
struct rt_pool_block {
	struct rt_pool_block *next;
	struct rt_node nodes[RT_POOL_NODES];
};

static inline uint32_t
rt_node_slot(const struct rt_node *n)
{
	return n->fib_value & RT_FIB_SRC ? n->fib_value & ~RT_FIB_SRC : 0;
}

/* Immutable second-stage table of one destination. */
struct rt_stage {
	struct rcu_head rcu;
	struct rt_res dflt;            /* when no source matches */
	uint32_t n;
	struct {
		uint8_t src[16];
		struct rt_res res;
		uint8_t len;
		uint8_t pad[3];
	} e[];                         /* longest source first */
};

struct rt_clone {
	struct rt_clone *next;         /* [C] the table's clone list */
	struct rt_route *route;
	struct route_key key;
	struct route_clone_owner *owner;
	uint64_t parent_id;            /* 0 = no parent */
	const struct nexthop *parent_nh;
};

struct rt_table {
	struct nsdp_fib *fib;          /* [I] */
	struct rt_stage **slots;       /* [R] array published once, entries [R] */
	uint16_t inst;                 /* [I] */
	uint8_t family;                /* [I] */
	uint8_t width;                 /* [I] 32 or 128 */
	struct rt_node *root;          /* [C] */
	size_t n_routes;               /* [C] */
	size_t n_nodes;                /* [C] trie nodes, glue included */
	struct rt_node **sg;           /* [C] nodes with source-specific keys */
	uint32_t n_sg, cap_sg;
	struct rt_pool_block *blocks;  /* [C] node memory */
	struct rt_node *node_free;     /* [C] free nodes, linked by child[0] */
	struct rt_clone *clones;       /* [C] */
	uint32_t *slot_free;           /* [S] reusable slots */
	uint32_t n_slot_free;          /* [S] */
	uint32_t slot_high;            /* [S] slots below were handed out once */
	struct rt_slot_retire *retire; /* [C] one record per slot, for call_rcu */
	uint32_t retiring;             /* [A] retirements whose grace period runs */
	pthread_mutex_t slot_lock;     /* [S]: the control side and the RCU callbacks */
	struct rcu_head rcu;
};

/* A slot the fib stopped naming, reusable once no reader can hold the old value. */
struct rt_slot_retire {
	struct rcu_head rcu;
	struct rt_table *t;
	uint32_t slot;
};

struct rt_table *rt_tables[RT_INST_MAX][2];
static uint64_t rt_route_seq;          /* [C] */

static const char *const rtt_names[RTT_MAX] = {
	[RTT_USER] = "user",         [RTT_USER_IGNORE] = "user-ignore", [RTT_PERM] = "perm",
	[RTT_IF] = "if",             [RTT_IFDEST] = "ifdest",           [RTT_CLONE] = "clone",
	[RTT_IFCLONE] = "ifclone",   [RTT_CLONE_IGNORE] = "clone-ignore",
	[RTT_IFCLONE_IGNORE] = "ifclone-ignore", [RTT_LOCAL] = "local",
};

const char *
rtt_name(unsigned type)
{
	return type >= RTT_USER && type < RTT_MAX ? rtt_names[type] : NULL;
}

static inline bool
rtt_user(unsigned type)
{
	return type == RTT_USER || type == RTT_USER_IGNORE;
}

/* Bit strings: bit 0 is the most significant bit of byte 0. */
static inline unsigned
kbit(const uint8_t *k, unsigned i)
{
	return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

static unsigned
common_len(const uint8_t *a, const uint8_t *b, unsigned max)
{
	unsigned i = 0;

	while (i + 8 <= max && a[i >> 3] == b[i >> 3])
		i += 8;
	while (i < max && kbit(a, i) == kbit(b, i))
		i++;
	return i;
}

static inline bool
prefix_match(const uint8_t *prefix, unsigned len, const uint8_t *addr)
{
	return common_len(prefix, addr, len) == len;
}

static void
mask_copy(uint8_t *dst, const uint8_t *src, unsigned len)
{
	memset(dst, 0, 16);
	memcpy(dst, src, (len + 7) / 8);
	if (len % 8)
		dst[len / 8] &= (uint8_t)(0xff << (8 - len % 8));
}

/* Key order of bit strings: by bits, a prefix before its extensions. */
static int
key_cmp(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	unsigned m = alen < blen ? alen : blen;
	unsigned c = common_len(a, b, m);

	if (c < m)
		return kbit(a, c) < kbit(b, c) ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Route order within one key: type preference, then ifl_index. */
static int
route_cmp(uint8_t atype, uint32_t aifl, uint8_t btype, uint32_t bifl)
{
	if (atype != btype)
		return rtt_pref(atype) < rtt_pref(btype) ? -1 : 1;
	return aifl < bifl ? -1 : aifl > bifl ? 1 : 0;
}

/* ---- the trie ---- */

static struct rt_node *
rt_node_alloc(struct rt_table *t)
{
	struct rt_node *n = t->node_free;

	if (n == NULL) {
		struct rt_pool_block *b = aligned_alloc(64, sizeof(*b));

		if (b == NULL)
			return NULL;
		b->next = t->blocks;
		t->blocks = b;
		for (unsigned i = RT_POOL_NODES; i-- > 0;) {
			b->nodes[i].child[0] = t->node_free;
			t->node_free = &b->nodes[i];
		}
		n = t->node_free;
	}
	t->node_free = n->child[0];
	memset(n, 0, sizeof(*n));
	t->n_nodes++;
	return n;
}

static void
rt_node_free(struct rt_table *t, struct rt_node *n)
{
	n->child[0] = t->node_free;
	t->node_free = n;
	t->n_nodes--;
}

static struct rt_node *
rt_find(const struct rt_table *t, const uint8_t *key, unsigned len)
{
	struct rt_node *n = t->root;

	while (n != NULL && n->len <= len) {
		if (common_len(n->key, key, n->len) < n->len)
			return NULL;
		if (n->len == len)
			return n;
		n = n->child[kbit(key, n->len)];
	}
	return NULL;
}

/* The node of @key/@len, created (with glue if needed) when absent. NULL = ENOMEM. */
static struct rt_node *
rt_insert(struct rt_table *t, const uint8_t *key, unsigned len)
{
	struct rt_node **pp = &t->root, *n, *parent = NULL, *fresh, *glue = NULL;
	unsigned c = 0;

	while ((n = *pp) != NULL) {
		c = common_len(n->key, key, n->len < len ? n->len : len);
		if (c < n->len)
			break;
		if (n->len == len)
			return n;
		parent = n;
		pp = &n->child[kbit(key, n->len)];
	}
	fresh = rt_node_alloc(t);
	if (fresh == NULL)
		return NULL;
	mask_copy(fresh->key, key, len);
	fresh->len = (uint8_t)len;
	if (n == NULL) {
		fresh->parent = parent;
		*pp = fresh;
		return fresh;
	}
	if (c == len) {
		/* The new key is a prefix of n: it goes above it. */
		fresh->child[kbit(n->key, len)] = n;
		fresh->parent = parent;
		n->parent = fresh;
		*pp = fresh;
		return fresh;
	}
	glue = rt_node_alloc(t);
	if (glue == NULL) {
		rt_node_free(t, fresh);
		return NULL;
	}
	mask_copy(glue->key, key, c);
	glue->len = (uint8_t)c;
	glue->parent = parent;
	glue->child[kbit(key, c)] = fresh;
	glue->child[kbit(n->key, c)] = n;
	fresh->parent = glue;
	n->parent = glue;
	*pp = glue;
	return fresh;
}

void
route_prefetch(const struct rt_table *t, const struct route_key *keys, unsigned n)
{
	const struct rt_node *cur[RT_PREFETCH_MAX];
	unsigned live = 0;

	if (n > RT_PREFETCH_MAX)
		n = RT_PREFETCH_MAX;
	for (unsigned i = 0; i < n; i++) {
		cur[i] = keys[i].family == t->family ? t->root : NULL;
		live += cur[i] != NULL;
	}
	/* One level of every descent per round: their misses overlap. */
	while (live > 0) {
		live = 0;
		for (unsigned i = 0; i < n; i++) {
			const struct rt_node *c = cur[i];

			if (c == NULL)
				continue;
			if (c->len >= keys[i].dst_len ||
			    common_len(c->key, keys[i].dst, c->len) < c->len) {
				cur[i] = NULL;
				continue;
			}
			c = c->child[kbit(keys[i].dst, c->len)];
			cur[i] = c;
			if (c != NULL) {
				rte_prefetch0(c);
				live++;
			}
		}
	}
}

/* Remove @n and glue above it once they hold nothing. @n's fib entry must be gone. */
static void
rt_prune(struct rt_table *t, struct rt_node *n)
{
	while (n != NULL && n->routes == NULL && n->srcs == NULL && n != t->root) {
		struct rt_node *c, *p = n->parent;

		if (n->child[0] != NULL && n->child[1] != NULL)
			return;
		c = n->child[0] != NULL ? n->child[0] : n->child[1];
		if (p == NULL)
			t->root = c;
		else
			p->child[p->child[1] == n] = c;
		if (c != NULL)
			c->parent = p;
		rt_node_free(t, n);
		n = p;
	}
}

/* Nodes covering @addr with len <= @maxlen, shortest first. @return how many. */
static unsigned
rt_path(const struct rt_table *t, const uint8_t *addr, unsigned maxlen, struct rt_node **path)
{
	struct rt_node *n = t->root;
	unsigned np = 0;

	while (n != NULL && n->len <= maxlen) {
		if (!prefix_match(n->key, n->len, addr))
			break;
		if (n->routes != NULL || n->srcs != NULL)
			path[np++] = n;
		if (n->len == t->width)
			break;
		n = n->child[kbit(addr, n->len)];
	}
	return np;
}

/* ---- route filters and best routes ---- */

struct rt_filter {
	bool best_only;                /* forwarding: a key counts by its best route only */
	uint32_t type_mask;            /* acceptable types */
	uint32_t ifl_index;            /* 0 = any */
};

static struct rt_route *
rt_best(struct rt_route *list, const struct rt_filter *f)
{
	if (f->best_only)
		return list != NULL && ((f->type_mask >> list->type) & 1) ? list : NULL;
	for (struct rt_route *r = list; r != NULL; r = r->next) {
		if (!((f->type_mask >> r->type) & 1))
			continue;
		if (f->ifl_index != 0 && r->ifl_index != f->ifl_index)
			continue;
		return r;
	}
	return NULL;
}

/*
 * Forwarding uses a key's most preferred route; when that one is of an
 * ignored type the key does not take part and a shorter key answers
 * (paper 1224-1232: a preferred ignored route hides the others, e.g.
 * interface routes, from forwarding).
 */
static const struct rt_filter rt_fwd_filter = { .best_only = true, .type_mask = RT_FWD_TYPES };

/* What a lookup found: the route and the key it sits at. */
struct rt_hit {
	struct rt_route *r;
	struct rt_node *node;
	struct rt_src *src;            /* NULL: the <::/0> key */
};

/*
 * Longest key covering <@dst/@dlen><@src/@slen> with a route passing @f
 * (@src NULL: destination-only keys). Keys equal to the bound are skipped
 * with @skip_exact. @return true with @hit filled.
 */
static bool
rt_lookup_bounded(const struct rt_table *t, const uint8_t *dst, unsigned dlen, const uint8_t *src,
		  unsigned slen, bool skip_exact, const struct rt_filter *f, struct rt_hit *hit)
{
	struct rt_node *path[129];
	unsigned np = rt_path(t, dst, dlen, path);

	while (np-- > 0) {
		struct rt_node *n = path[np];

		if (src != NULL && n->srcs != NULL) {
			struct rt_src *best_s = NULL;
			struct rt_route *best_r = NULL;

			for (struct rt_src *s = n->srcs; s != NULL; s = s->next) {
				struct rt_route *r;

				if (s->len > slen || (best_s != NULL && s->len <= best_s->len))
					continue;
				if (skip_exact && n->len == dlen && s->len == slen)
					continue;
				if (!prefix_match(s->src, s->len, src))
					continue;
				r = rt_best(s->routes, f);
				if (r != NULL) {
					best_s = s;
					best_r = r;
				}
			}
			if (best_r != NULL) {
				*hit = (struct rt_hit){ best_r, n, best_s };
				return true;
			}
		}
		if (skip_exact && n->len == dlen && slen == 0)
			continue;
		{
			struct rt_route *r = rt_best(n->routes, f);

			if (r != NULL) {
				*hit = (struct rt_hit){ r, n, NULL };
				return true;
			}
		}
	}
	return false;
}

static void
rt_hit_info(const struct rt_table *t, const struct rt_hit *h, struct route_info *out)
{
	memset(out, 0, sizeof(*out));
	out->key.family = t->family;
	out->key.dst_len = h->node->len;
	memcpy(out->key.dst, h->node->key, 16);
	if (h->src != NULL) {
		out->key.src_len = h->src->len;
		memcpy(out->key.src, h->src->src, 16);
	}
	out->type = h->r->type;
	out->flags = h->r->flags;
	out->ifl_index = h->r->ifl_index;
	out->nh = h->r->nh;
}

/* ---- source stages ---- */

static int
rt_slots_ready(struct rt_table *t)
{
	struct rt_stage **slots;

	if (t->slots != NULL)
		return 0;
	t->slot_free = calloc(RT_SLOTS, sizeof(*t->slot_free));
	t->retire = calloc(RT_SLOTS, sizeof(*t->retire));
	slots = calloc(RT_SLOTS, sizeof(*slots));
	if (t->slot_free == NULL || t->retire == NULL || slots == NULL) {
		free(t->slot_free);
		free(t->retire);
		free(slots);
		t->slot_free = NULL;
		t->retire = NULL;
		return -ENOMEM;
	}
	t->slot_high = 1;
	rcu_assign_pointer(t->slots, slots);
	return 0;
}

/* A free slot (0 = none left). */
static uint32_t
rt_slot_alloc(struct rt_table *t)
{
	uint32_t slot = 0;

	pthread_mutex_lock(&t->slot_lock);
	if (t->n_slot_free > 0)
		slot = t->slot_free[--t->n_slot_free];
	else if (t->slot_high < RT_SLOTS)
		slot = t->slot_high++;
	pthread_mutex_unlock(&t->slot_lock);
	return slot;
}

static void
rt_slot_release(struct rt_table *t, uint32_t slot)
{
	pthread_mutex_lock(&t->slot_lock);
	t->slot_free[t->n_slot_free++] = slot;
	pthread_mutex_unlock(&t->slot_lock);
}

/* RCU callback: no reader holds a fib value naming the slot any more. */
static void
rt_slot_reclaim_rcu(struct rcu_head *h)
{
	struct rt_slot_retire *r = caa_container_of(h, struct rt_slot_retire, rcu);
	struct rt_table *t = r->t;

	/* The slot is nobody's: its last stage can go, the control side does not touch it. */
	free(t->slots[r->slot]);
	t->slots[r->slot] = NULL;
	rt_slot_release(t, r->slot);
	__atomic_fetch_sub(&t->retiring, 1, __ATOMIC_RELEASE);
}

/* The fib stopped naming @slot: reuse it after a grace period, without waiting here. */
static void
rt_slot_retire(struct rt_table *t, uint32_t slot)
{
	struct rt_slot_retire *r = &t->retire[slot];

	r->t = t;
	r->slot = slot;
	__atomic_fetch_add(&t->retiring, 1, __ATOMIC_RELAXED);
	call_rcu(&r->rcu, rt_slot_reclaim_rcu);
}

static void
rt_stage_free_rcu(struct rcu_head *h)
{
	free(caa_container_of(h, struct rt_stage, rcu));
}

/* The decision route @r stands for (zeroed padding, for bytewise compares). */
static struct rt_res
rt_res_of(const struct rt_route *r)
{
	struct rt_res res = { .nh = r->nh->index, .flags = r->flags & RT_CHECKED_FLAGS };

	if (r->flags & RTF_IFCHECK)
		res.ifl = r->ifl_index;
	return res;
}

/* Whether route @r needs a stage (its fib value cannot say all): RTF_IFCHECK. */
static inline bool
rt_route_staged(const struct rt_route *r)
{
	return r != NULL && (r->flags & RTF_IFCHECK);
}

/* The decision a destination-only lookup gives for @n's addresses when @n has none. */
static struct rt_res
rt_covering_res(const struct rt_table *t, const struct rt_node *n)
{
	struct rt_res none = { .nh = NH_INDEX_INVALID };
	struct rt_hit h;

	if (!rt_lookup_bounded(t, n->key, n->len, NULL, 0, true, &rt_fwd_filter, &h))
		return none;
	return rt_res_of(h.r);
}

/* Build @n's stage. NULL = ENOMEM. */
static struct rt_stage *
rt_stage_build(const struct rt_table *t, const struct rt_node *n)
{
	struct rt_route *r;
	struct rt_stage *st;
	unsigned cnt = 0, k = 0;

	for (struct rt_src *s = n->srcs; s != NULL; s = s->next)
		cnt++;
	/* Zeroed: rt_stage_same() compares stages bytewise, padding included. */
	st = calloc(1, sizeof(*st) + cnt * sizeof(st->e[0]));
	if (st == NULL)
		return NULL;
	r = rt_best(n->routes, &rt_fwd_filter);
	st->dflt = r != NULL ? rt_res_of(r) : rt_covering_res(t, n);
	for (unsigned len = t->width; len > 0; len--) {
		for (struct rt_src *s = n->srcs; s != NULL; s = s->next) {
			if (s->len != len || (r = rt_best(s->routes, &rt_fwd_filter)) == NULL)
				continue;
			memcpy(st->e[k].src, s->src, 16);
			st->e[k].len = s->len;
			st->e[k].res = rt_res_of(r);
			k++;
		}
	}
	st->n = k;
	return st;
}

static bool
rt_stage_same(const struct rt_stage *a, const struct rt_stage *b)
{
	return memcmp(&a->dflt, &b->dflt, sizeof(a->dflt)) == 0 && a->n == b->n &&
	       memcmp(a->e, b->e, a->n * sizeof(a->e[0])) == 0;
}

static inline const struct rt_res *
rt_stage_lookup(const struct rt_stage *st, const uint8_t *src)
{
	if (src == NULL)
		return &st->dflt;
	for (uint32_t i = 0; i < st->n; i++)
		if (prefix_match(st->e[i].src, st->e[i].len, src))
			return &st->e[i].res;
	return &st->dflt;
}

/* What the packet path gets for decision @r and a packet from @in_ifl. */
static inline uint32_t
rt_res_verdict(const struct rt_res *r, uint32_t in_ifl)
{
	uint32_t v;

	if (likely(r->flags == 0))
		return r->nh;
	v = rt_flags_verdict(r->flags, r->ifl, in_ifl);
	return v != 0 ? v : r->nh;
}

/* The fib value of a node whose forwarding route is @r (NULL: none) and that needs no stage. */
static inline uint32_t
rt_fib_value_of(const struct rt_route *r)
{
	if (r == NULL)
		return NH_INDEX_INVALID;
	return r->nh->index | (r->flags & RTF_LOCAL ? RT_FIB_LOCAL : 0);
}

/* ---- fib upkeep ---- */

static void
rt_sg_unlink(struct rt_table *t, struct rt_node *n)
{
	for (uint32_t i = 0; i < t->n_sg; i++) {
		if (t->sg[i] == n) {
			t->sg[i] = t->sg[--t->n_sg];
			return;
		}
	}
}

static int
rt_sg_room(struct rt_table *t)
{
	if (t->n_sg == t->cap_sg) {
		uint32_t cap = t->cap_sg ? t->cap_sg * 2 : 16;
		struct rt_node **sg = realloc(t->sg, cap * sizeof(*sg));

		if (sg == NULL)
			return -ENOMEM;
		t->sg = sg;
		t->cap_sg = cap;
	}
	return 0;
}

/*
 * Make the fib (and @n's stage) say what @n's routes say now. A node has a
 * stage while it has source-specific routes or its forwarding route has
 * RTF_IFCHECK; it is on the sg list while it has source-specific routes.
 * @return 0 or -ENOMEM / -ENOSPC (the fib entry of @n unchanged).
 */
static int
rt_node_sync(struct rt_table *t, struct rt_node *n)
{
	struct rt_route *best = rt_best(n->routes, &rt_fwd_filter);
	bool stage = n->srcs != NULL || rt_route_staged(best);
	uint32_t slot = rt_node_slot(n), want;
	bool fresh_slot = false;
	int rc;

	if (stage) {
		struct rt_stage *st, *old;

		rc = rt_slots_ready(t);
		if (rc == 0 && n->srcs != NULL && !n->in_sg)
			rc = rt_sg_room(t);
		if (rc < 0)
			return rc;
		st = rt_stage_build(t, n);
		if (st == NULL)
			return -ENOMEM;
		if (slot == 0) {
			slot = rt_slot_alloc(t);
			if (slot == 0) {
				free(st);
				return -ENOSPC;
			}
			fresh_slot = true;
		}
		old = t->slots[slot];
		if (!fresh_slot && old != NULL && rt_stage_same(old, st)) {
			free(st);
		} else {
			/* A fresh slot may still hold the stage it had before it was retired. */
			rcu_assign_pointer(t->slots[slot], st);
			if (old != NULL)
				call_rcu(&old->rcu, rt_stage_free_rcu);
		}
		want = RT_FIB_SRC | slot;
	} else {
		want = rt_fib_value_of(best);
	}
	if (want != n->fib_value) {
		if (want != NH_INDEX_INVALID)
			rc = fib_set(t->fib, n->key, n->len, want);
		else
			rc = fib_del(t->fib, n->key, n->len);
		if (rc < 0 && rc != -ENOENT) {
			/* Never named by the fib: the slot is free again at once. */
			if (fresh_slot)
				rt_slot_release(t, slot);
			return rc;
		}
		n->fib_value = want;
	}
	if (n->srcs != NULL && !n->in_sg) {
		t->sg[t->n_sg++] = n;
		n->in_sg = 1;
	} else if (n->srcs == NULL && n->in_sg) {
		rt_sg_unlink(t, n);
		n->in_sg = 0;
	}
	/* The fib no longer names the slot; readers may still hold it. */
	if (!stage && slot != 0)
		rt_slot_retire(t, slot);
	/* Source stages under @n whose fallback is a covering prefix. */
	if (n->len < t->width) {
		for (uint32_t i = 0; i < t->n_sg; i++) {
			struct rt_node *sn = t->sg[i];

			if (sn != n && prefix_match(n->key, n->len, sn->key) &&
			    rt_best(sn->routes, &rt_fwd_filter) == NULL)
				(void)rt_node_sync(t, sn);
		}
	}
	return 0;
}

/* ---- clones ---- */

/* The forwarding parent of clone @c (paper 1292-1310). */
static bool
rt_clone_parent(const struct rt_table *t, const struct rt_clone *c, struct rt_hit *h)
{
	const struct route_key *k = &c->key;
	const uint8_t *src = k->src_len > 0 ? k->src : NULL;
	struct rt_filter f = rt_fwd_filter;

	if (c->route->type == RTT_IFCLONE || c->route->type == RTT_IFCLONE_IGNORE) {
		f = (struct rt_filter){ .type_mask = RTT_IF_TYPES };
		return rt_lookup_bounded(t, k->dst, k->dst_len, src, k->src_len, false, &f, h);
	}
	/* The forwarding route of the clone's key, or if that is the clone, of a shorter key. */
	if (rt_lookup_bounded(t, k->dst, k->dst_len, src, k->src_len, false, &f, h) &&
	    h->r != c->route)
		return true;
	return rt_lookup_bounded(t, k->dst, k->dst_len, src, k->src_len, true, &f, h);
}

static void
rt_clone_refresh(struct rt_table *t, struct rt_clone *c, bool notify)
{
	struct rt_hit h;
	uint64_t id = 0;
	const struct nexthop *nh = NULL;

	if (rt_clone_parent(t, c, &h)) {
		id = h.r->id;
		nh = h.r->nh;
	}
	if (id == c->parent_id && nh == c->parent_nh)
		return;
	c->parent_id = id;
	c->parent_nh = nh;
	if (notify && c->owner != NULL && c->owner->parent_changed != NULL)
		c->owner->parent_changed(c->owner, &c->key);
}

/* After a change at <@dst/@dlen>: tell the clones whose parent it may have changed. */
static void
rt_clones_changed(struct rt_table *t, const uint8_t *dst, unsigned dlen)
{
	for (struct rt_clone *c = t->clones; c != NULL; c = c->next)
		if (c->key.dst_len >= dlen && prefix_match(dst, dlen, c->key.dst))
			rt_clone_refresh(t, c, true);
}

/* ---- tables ---- */

struct rt_table *
rt_table_get(uint16_t inst, int family)
{
	if (inst >= RT_INST_MAX || (family != 4 && family != 6))
		return NULL;
	return rcu_dereference(rt_tables[inst][family == 6]);
}

bool
rt_inst_exists(uint16_t inst)
{
	return inst < RT_INST_MAX && rt_tables[inst][0] != NULL;
}

uint16_t
rt_table_inst(const struct rt_table *t)
{
	return t->inst;
}

int
rt_table_family(const struct rt_table *t)
{
	return t->family;
}

size_t
rt_table_routes(const struct rt_table *t)
{
	return t->n_routes;
}

const struct nsdp_fib *
rt_table_fib(const struct rt_table *t)
{
	return t->fib;
}

static void
rt_route_free(struct rt_table *t, struct rt_route *r)
{
	if (r->clone != NULL) {
		for (struct rt_clone **pp = &t->clones; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == r->clone) {
				*pp = r->clone->next;
				break;
			}
		}
		free(r->clone);
	}
	nh_put(r->nh);
	free(r);
}

static void
rt_subtree_free(struct rt_table *t, struct rt_node *n)
{
	if (n == NULL)
		return;
	rt_subtree_free(t, n->child[0]);
	rt_subtree_free(t, n->child[1]);
	while (n->routes != NULL) {
		struct rt_route *r = n->routes;

		n->routes = r->next;
		rt_route_free(t, r);
	}
	while (n->srcs != NULL) {
		struct rt_src *s = n->srcs;

		n->srcs = s->next;
		while (s->routes != NULL) {
			struct rt_route *r = s->routes;

			s->routes = r->next;
			rt_route_free(t, r);
		}
		free(s);
	}
}

static void
rt_table_free_rcu(struct rcu_head *h)
{
	struct rt_table *t = caa_container_of(h, struct rt_table, rcu);

	/* Slot retirements still in their grace period use the table: later. */
	if (__atomic_load_n(&t->retiring, __ATOMIC_ACQUIRE) > 0) {
		call_rcu(&t->rcu, rt_table_free_rcu);
		return;
	}
	free(t->slot_free);
	free(t->retire);
	pthread_mutex_destroy(&t->slot_lock);
	if (t->slots != NULL)
		for (uint32_t i = 0; i < RT_SLOTS; i++)
			free(t->slots[i]);
	free(t->slots);
	fib_free(t->fib);
	free(t);
}

/* Free a table nobody can reach any more: routes now, what readers touch later. */
static void
rt_table_destroy(struct rt_table *t, bool published)
{
	rt_subtree_free(t, t->root);
	t->root = NULL;
	while (t->blocks != NULL) {
		struct rt_pool_block *b = t->blocks;

		t->blocks = b->next;
		free(b);
	}
	free(t->sg);
	if (published)
		call_rcu(&t->rcu, rt_table_free_rcu);
	else
		rt_table_free_rcu(&t->rcu);
}

struct rt_perm {
	const char *dst;
	uint8_t len;
	uint8_t nh_type;
	uint16_t flags;
};

/* The IPv4 permanent routes (paper 1246-1256). */
static const struct rt_perm rt_perm4[] = {
	{ "\0\0\0\0", 0, RNH_REJECT, 0 },
	{ "\xe0\0\0\0", 4, RNH_MDISCARD, 0 },
	{ "\0\0\0\0", 32, RNH_RECV, 0 },
	{ "\xff\xff\xff\xff", 32, RNH_BRECV, 0 },
	{ "\xe0\0\0\x01", 32, RNH_MRECV, 0 },
	{ "\xf0\0\0\0", 4, RNH_DISCARD, 0 },
};

/* The IPv6 analogues; docs/routing.md gives the reasons. */
static const struct rt_perm rt_perm6[] = {
	{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 0, RNH_REJECT, 0 },
	{ "\xff\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 8, RNH_MDISCARD, 0 },
	{ "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 128, RNH_MRECV, 0 },
	{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 128, RNH_DISCARD, 0 },
	{ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 128, RNH_LOCAL, RTF_LOCAL },
	{ "\0\0\0\0\0\0\0\0\0\0\xff\xff\0\0\0\0", 96, RNH_DISCARD, 0 },
};

static int rt_add_route(struct rt_table *t, const struct route_spec *s, bool perm,
			struct route_spec *old_out, bool *replaced, const char **why);

static struct rt_table *
rt_table_new(uint16_t inst, int family)
{
	const struct rt_perm *perm = family == 4 ? rt_perm4 : rt_perm6;
	unsigned n_perm = family == 4 ? RTE_DIM(rt_perm4) : RTE_DIM(rt_perm6);
	struct nh_spec ns = { .family = (uint8_t)family, .type = RNH_REJECT };
	struct nexthop *reject;
	struct rt_table *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->inst = inst;
	t->family = (uint8_t)family;
	pthread_mutex_init(&t->slot_lock, NULL);
	t->width = family == 4 ? 32 : 128;
	reject = nh_get(&ns);
	if (reject == NULL) {
		free(t);
		return NULL;
	}
	t->fib = fib_create(family, reject->index);
	nh_put(reject);
	if (t->fib == NULL) {
		free(t);
		return NULL;
	}
	for (unsigned i = 0; i < n_perm; i++) {
		struct route_spec s = { .type = RTT_PERM, .flags = perm[i].flags };
		const char *why;
		int rc;

		s.key.family = (uint8_t)family;
		s.key.dst_len = perm[i].len;
		memcpy(s.key.dst, perm[i].dst, family == 4 ? 4 : 16);
		ns = (struct nh_spec){ .family = (uint8_t)family, .type = perm[i].nh_type };
		if (perm[i].nh_type == RNH_LOCAL)
			memcpy(ns.addr, perm[i].dst, 16);
		s.nh = nh_get(&ns);
		rc = s.nh != NULL ? rt_add_route(t, &s, true, NULL, NULL, &why) : -ENOMEM;
		nh_put(s.nh);
		if (rc < 0) {
			rt_table_destroy(t, false);
			return NULL;
		}
	}
	return t;
}

int
rt_inst_add(uint16_t inst)
{
	struct rt_table *t4, *t6;

	if (inst >= RT_INST_MAX)
		return -EINVAL;
	if (rt_tables[inst][0] != NULL)
		return -EEXIST;
	t4 = rt_table_new(inst, 4);
	t6 = t4 != NULL ? rt_table_new(inst, 6) : NULL;
	if (t6 == NULL) {
		if (t4 != NULL)
			rt_table_destroy(t4, false);
		return -ENOMEM;
	}
	rcu_assign_pointer(rt_tables[inst][0], t4);
	rcu_assign_pointer(rt_tables[inst][1], t6);
	return 0;
}

static bool
rt_list_has_if(const struct rt_route *r)
{
	for (; r != NULL; r = r->next)
		if ((RTT_IF_TYPES >> r->type) & 1)
			return true;
	return false;
}

static bool
rt_subtree_has_if(const struct rt_node *n)
{
	if (n == NULL)
		return false;
	if (rt_list_has_if(n->routes))
		return true;
	for (const struct rt_src *s = n->srcs; s != NULL; s = s->next)
		if (rt_list_has_if(s->routes))
			return true;
	return rt_subtree_has_if(n->child[0]) || rt_subtree_has_if(n->child[1]);
}

int
rt_inst_del(uint16_t inst)
{
	if (inst == 0 || inst >= RT_INST_MAX)
		return -EINVAL;
	if (rt_tables[inst][0] == NULL)
		return -ENOENT;
	/* Interface routes mean interface configuration still lives in it. */
	if (rt_subtree_has_if(rt_tables[inst][0]->root) ||
	    rt_subtree_has_if(rt_tables[inst][1]->root))
		return -EBUSY;
	for (int f = 0; f < 2; f++) {
		struct rt_table *t = rt_tables[inst][f];

		rcu_assign_pointer(rt_tables[inst][f], NULL);
		rt_table_destroy(t, true);
	}
	return 0;
}

int
rt_init(void)
{
	return rt_inst_add(0);
}

void
rt_fini(void)
{
	for (unsigned i = 0; i < RT_INST_MAX; i++) {
		for (int f = 0; f < 2; f++) {
			struct rt_table *t = rt_tables[i][f];

			if (t == NULL)
				continue;
			rcu_assign_pointer(rt_tables[i][f], NULL);
			rt_table_destroy(t, true);
		}
	}
	/* Twice: a table waiting for its slot retirements queues itself again. */
	rcu_barrier();
	rcu_barrier();
}

/* ---- changes ---- */

static int
rt_key_check(const struct rt_table *t, const struct route_key *k, const char **why)
{
	if (k->family != t->family) {
		*why = "the route's family is not the table's";
		return -EINVAL;
	}
	if (k->dst_len > t->width || k->src_len > t->width) {
		*why = "prefix length too long for the family";
		return -EINVAL;
	}
	if (k->src_len > 0 && k->dst_len != t->width) {
		*why = "a source-specific route needs a full-length destination (a group or host)";
		return -EINVAL;
	}
	return 0;
}

/* The route list of key @k at @n (creating the source entry with @create). */
static struct rt_route **
rt_list_of(struct rt_node *n, const struct route_key *k, bool create, struct rt_src **srcp)
{
	struct rt_src **pp, *s;
	uint8_t src[16];

	*srcp = NULL;
	if (k->src_len == 0)
		return &n->routes;
	mask_copy(src, k->src, k->src_len);
	for (pp = &n->srcs; (s = *pp) != NULL; pp = &s->next) {
		int c = key_cmp(s->src, s->len, src, k->src_len);

		if (c == 0) {
			*srcp = s;
			return &s->routes;
		}
		if (c > 0)
			break;
	}
	if (!create)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	memcpy(s->src, src, 16);
	s->len = k->src_len;
	s->next = *pp;
	*pp = s;
	*srcp = s;
	return &s->routes;
}

static void
rt_src_drop_if_empty(struct rt_node *n, struct rt_src *s)
{
	if (s == NULL || s->routes != NULL)
		return;
	for (struct rt_src **pp = &n->srcs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			free(s);
			return;
		}
	}
}

static void
rt_list_insert(struct rt_route **list, struct rt_route *r)
{
	struct rt_route **pp = list;

	while (*pp != NULL && route_cmp((*pp)->type, (*pp)->ifl_index, r->type, r->ifl_index) < 0)
		pp = &(*pp)->next;
	r->next = *pp;
	*pp = r;
}

static void
rt_list_unlink(struct rt_route **list, struct rt_route *r)
{
	for (struct rt_route **pp = list; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

static struct rt_route *
rt_list_find(struct rt_route *list, uint8_t type, uint32_t ifl_index)
{
	for (struct rt_route *r = list; r != NULL; r = r->next) {
		if (rtt_user(type) ? rtt_user(r->type) : r->type == type && r->ifl_index == ifl_index)
			return r;
	}
	return NULL;
}

/* Flags a route may carry: known ones, RTF_IFCHECK with the interface to check. */
static int
rt_flags_check(const struct route_spec *s, const char **why)
{
	if (s->flags & ~(RTF_IFCHECK | RTF_LOCAL | RTF_SCOPE)) {
		*why = "unknown route flags";
		return -EINVAL;
	}
	if ((s->flags & RTF_IFCHECK) && s->ifl_index == 0) {
		*why = "RTF_IFCHECK needs the route's ifl_index: the interface packets must come in on";
		return -EINVAL;
	}
	return 0;
}

static int
rt_add_route(struct rt_table *t, const struct route_spec *s, bool perm,
	     struct route_spec *old_out, bool *replaced, const char **why)
{
	struct rt_route **list, *r, *old = NULL;
	struct rt_node *n;
	struct rt_src *src;
	bool fresh_node;
	size_t before;
	int rc;

	*why = NULL;
	if (replaced != NULL)
		*replaced = false;
	rc = rt_key_check(t, &s->key, why);
	if (rc < 0)
		return rc;
	if (s->type < RTT_USER || s->type >= RTT_MAX || (s->type == RTT_PERM && !perm)) {
		*why = s->type == RTT_PERM ? "permanent routes are installed with the table"
					   : "unknown route type";
		return -EINVAL;
	}
	if (s->type == RTT_USER_IGNORE && s->key.dst_len == 0 && s->key.src_len == 0) {
		*why = "an ignored 0/0 route would leave forwarding lookups without a route";
		return -EINVAL;
	}
	if (s->nh == NULL || s->nh->family != t->family) {
		*why = s->nh == NULL ? "a route needs a next hop"
				     : "the next hop's family is not the table's";
		return -EINVAL;
	}
	rc = rt_flags_check(s, why);
	if (rc < 0)
		return rc;
	before = t->n_nodes;
	n = rt_insert(t, s->key.dst, s->key.dst_len);
	fresh_node = t->n_nodes != before;
	if (n == NULL) {
		*why = "out of memory";
		return -ENOMEM;
	}
	list = rt_list_of(n, &s->key, true, &src);
	if (list == NULL) {
		rt_prune(t, n);
		*why = "out of memory";
		return -ENOMEM;
	}
	old = rt_list_find(*list, s->type, s->ifl_index);
	if (old != NULL && !rtt_user(s->type)) {
		*why = "the table has this route already";
		return -EEXIST;
	}
	r = calloc(1, sizeof(*r));
	if (r != NULL && (s->type == RTT_CLONE || s->type == RTT_IFCLONE ||
			  s->type == RTT_CLONE_IGNORE || s->type == RTT_IFCLONE_IGNORE)) {
		r->clone = calloc(1, sizeof(*r->clone));
		if (r->clone == NULL) {
			free(r);
			r = NULL;
		}
	}
	if (r == NULL) {
		rt_src_drop_if_empty(n, src);
		if (fresh_node)
			rt_prune(t, n);
		*why = "out of memory";
		return -ENOMEM;
	}
	r->nh = s->nh;
	r->type = s->type;
	r->flags = s->flags;
	r->ifl_index = s->ifl_index;
	r->id = ++rt_route_seq;
	if (old != NULL)
		rt_list_unlink(list, old);
	rt_list_insert(list, r);
	rc = rt_node_sync(t, n);
	if (rc < 0) {
		rt_list_unlink(list, r);
		if (old != NULL)
			rt_list_insert(list, old);
		free(r->clone);
		free(r);
		rt_src_drop_if_empty(n, src);
		(void)rt_node_sync(t, n);
		rt_prune(t, n);
		*why = rc == -ENOSPC ? "no room for more staged destinations (source-specific "
				       "or RTF_IFCHECK)"
				     : "out of memory";
		return rc;
	}
	nh_ref(r->nh);
	if (r->clone != NULL) {
		struct rt_clone *c = r->clone;

		c->route = r;
		c->owner = s->owner;
		c->key = s->key;
		mask_copy(c->key.dst, s->key.dst, s->key.dst_len);
		mask_copy(c->key.src, s->key.src, s->key.src_len);
		c->next = t->clones;
		t->clones = c;
		rt_clone_refresh(t, c, false);
	}
	if (old != NULL) {
		if (old_out != NULL) {
			*old_out = (struct route_spec){ .key = s->key, .type = old->type,
							.flags = old->flags,
							.ifl_index = old->ifl_index, .nh = old->nh };
			nh_ref(old->nh);
			*replaced = true;
		}
		t->n_routes--;
		rt_route_free(t, old);
	}
	t->n_routes++;
	rt_clones_changed(t, s->key.dst, s->key.dst_len);
	return 0;
}

int
route_add(struct rt_table *t, const struct route_spec *s, const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (t == NULL || s == NULL) {
		*why = "no such table";
		return -EINVAL;
	}
	return rt_add_route(t, s, false, NULL, NULL, why);
}

int
route_add_replace(struct rt_table *t, const struct route_spec *s, struct route_spec *old,
		  bool *replaced, const char **why)
{
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	if (t == NULL || s == NULL || old == NULL || replaced == NULL) {
		*why = "no such table";
		return -EINVAL;
	}
	return rt_add_route(t, s, false, old, replaced, why);
}

int
route_change(struct rt_table *t, const struct route_spec *s, const char **why)
{
	struct rt_route **list, *r;
	struct nexthop *old_nh;
	struct rt_node *n;
	struct rt_src *src;
	uint16_t old_flags;
	uint32_t old_ifl;
	const char *dummy;
	int rc;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (t == NULL || s == NULL)
		return -EINVAL;
	rc = rt_key_check(t, &s->key, why);
	if (rc < 0)
		return rc;
	if (s->nh == NULL || s->nh->family != t->family) {
		*why = "a route needs a next hop of the table's family";
		return -EINVAL;
	}
	n = rt_find(t, s->key.dst, s->key.dst_len);
	list = n != NULL ? rt_list_of(n, &s->key, false, &src) : NULL;
	r = list != NULL ? rt_list_find(*list, s->type, s->ifl_index) : NULL;
	if (r == NULL || (rtt_user(s->type) && r->type != s->type)) {
		*why = "no such route";
		return -ENOENT;
	}
	if (r->type == RTT_PERM) {
		*why = "permanent routes cannot be changed (add a user route at the prefix instead)";
		return -EPERM;
	}
	rc = rt_flags_check(s, why);
	if (rc < 0)
		return rc;
	old_nh = r->nh;
	old_flags = r->flags;
	old_ifl = r->ifl_index;
	r->nh = s->nh;
	r->flags = s->flags;
	/* A user route's ifl is its RTF_IFCHECK interface, not part of its identity. */
	if (rtt_user(r->type))
		r->ifl_index = s->ifl_index;
	rc = rt_node_sync(t, n);
	if (rc < 0) {
		r->nh = old_nh;
		r->flags = old_flags;
		r->ifl_index = old_ifl;
		/* A stage rebuilt before the failure says the old route again. */
		(void)rt_node_sync(t, n);
		*why = rc == -ENOSPC ? "no room for more staged destinations" : "out of memory";
		return rc;
	}
	nh_ref(r->nh);
	nh_put(old_nh);
	r->id = ++rt_route_seq;
	rt_clones_changed(t, s->key.dst, s->key.dst_len);
	return 0;
}

int
route_del(struct rt_table *t, const struct route_key *k, uint8_t type, uint32_t ifl_index,
	  const char **why)
{
	struct rt_route **list, *r;
	struct rt_node *n;
	struct rt_src *src;
	const char *dummy;
	int rc;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (t == NULL || k == NULL)
		return -EINVAL;
	rc = rt_key_check(t, k, why);
	if (rc < 0)
		return rc;
	n = rt_find(t, k->dst, k->dst_len);
	list = n != NULL ? rt_list_of(n, k, false, &src) : NULL;
	r = list != NULL ? rt_list_find(*list, type, ifl_index) : NULL;
	if (r == NULL && list != NULL && rtt_user(type) &&
	    rt_list_find(*list, RTT_PERM, 0) != NULL) {
		*why = "only a permanent route is at this key, and permanent routes cannot be deleted";
		return -EPERM;
	}
	if (r == NULL) {
		*why = "no such route";
		return -ENOENT;
	}
	if (r->type == RTT_PERM) {
		*why = "permanent routes cannot be deleted";
		return -EPERM;
	}
	rt_list_unlink(list, r);
	rt_src_drop_if_empty(n, src);
	rc = rt_node_sync(t, n);
	if (rc < 0) {
		/* Only a source stage rebuild can fail here: put the route back. */
		if (src != NULL && list != &n->routes && n->srcs != NULL)
			list = rt_list_of(n, k, true, &src);
		if (list != NULL)
			rt_list_insert(list, r);
		(void)rt_node_sync(t, n);
		*why = "out of memory";
		return rc;
	}
	t->n_routes--;
	rt_route_free(t, r);
	rt_prune(t, n);
	rt_clones_changed(t, k->dst, k->dst_len);
	return 0;
}

/* ---- lookups ---- */

int
route_fwd_lookup(const struct rt_table *t, const uint8_t *dst, const uint8_t *src,
		 struct route_info *out)
{
	struct rt_hit h;

	if (!rt_lookup_bounded(t, dst, t->width, src, t->width, false, &rt_fwd_filter, &h))
		return -ENOENT;
	rt_hit_info(t, &h, out);
	return 0;
}

int
route_lookup(const struct rt_table *t, const uint8_t *dst, const uint8_t *src,
	     const struct route_match *m, struct route_info *out)
{
	struct rt_filter f = { .type_mask = RT_ALL_TYPES };
	struct rt_hit h;

	if (m != NULL) {
		if (m->type_mask != 0)
			f.type_mask = m->type_mask & RT_ALL_TYPES;
		f.ifl_index = m->ifl_index;
	}
	if (m != NULL && m->exact) {
		struct rt_node *n;

		if (m->dst_len > t->width)
			return -ENOENT;
		n = rt_find(t, dst, m->dst_len);
		if (n == NULL || (n->routes == NULL && n->srcs == NULL))
			return -ENOENT;
		/* Longest source under this destination only. */
		{
			struct rt_node *saved_root = n;
			struct rt_src *best_s = NULL;
			struct rt_route *best_r = NULL;

			for (struct rt_src *s = src != NULL ? n->srcs : NULL; s != NULL; s = s->next) {
				struct rt_route *r;

				if ((best_s != NULL && s->len <= best_s->len) ||
				    !prefix_match(s->src, s->len, src))
					continue;
				if ((r = rt_best(s->routes, &f)) != NULL) {
					best_s = s;
					best_r = r;
				}
			}
			if (best_r == NULL)
				best_r = rt_best(n->routes, &f);
			if (best_r == NULL)
				return -ENOENT;
			h = (struct rt_hit){ best_r, saved_root, best_s };
		}
		rt_hit_info(t, &h, out);
		return 0;
	}
	if (!rt_lookup_bounded(t, dst, t->width, src, t->width, false, &f, &h))
		return -ENOENT;
	rt_hit_info(t, &h, out);
	return 0;
}

/* The stage a fib value with RT_FIB_SRC names. RCU reader. */
static inline const struct rt_stage *
rt_stage_of(const struct rt_table *t, uint32_t v)
{
	struct rt_stage **slots = rcu_dereference(t->slots);

	return rcu_dereference(slots[v & ~RT_FIB_SRC]);
}

void
rt_fwd_lookup4_bulk(const struct rt_table *t, const uint32_t *dst, const uint32_t *src,
		    uint32_t in_ifl, uint32_t *nh_index, unsigned n)
{
	uint32_t acc = 0;

	fib_lookup4_bulk(t->fib, dst, nh_index, n);
	for (unsigned i = 0; i < n; i++)
		acc |= nh_index[i];
	if (likely(!(acc & (RT_FIB_SRC | RT_FIB_LOCAL))))
		return;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = nh_index[i];
		uint8_t s[16];

		if (v & RT_FIB_SRC) {
			if (src != NULL) {
				uint32_t be = rte_cpu_to_be_32(src[i]);

				memcpy(s, &be, 4);
			}
			nh_index[i] = rt_res_verdict(
				rt_stage_lookup(rt_stage_of(t, v), src != NULL ? s : NULL), in_ifl);
		} else if (v & RT_FIB_LOCAL) {
			nh_index[i] = in_ifl != 0 ? RT_FWD_LOCAL_ONLY : v & ~RT_FIB_LOCAL;
		}
	}
}

void
rt_fwd_lookup6_bulk(const struct rt_table *t, const uint8_t (*dst)[16], const uint8_t (*src)[16],
		    uint32_t in_ifl, uint32_t *nh_index, unsigned n)
{
	uint32_t acc = 0;

	fib_lookup6_bulk(t->fib, dst, nh_index, n);
	for (unsigned i = 0; i < n; i++)
		acc |= nh_index[i];
	if (likely(!(acc & (RT_FIB_SRC | RT_FIB_LOCAL))))
		return;
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = nh_index[i];

		if (v & RT_FIB_SRC)
			nh_index[i] = rt_res_verdict(
				rt_stage_lookup(rt_stage_of(t, v), src != NULL ? src[i] : NULL), in_ifl);
		else if (v & RT_FIB_LOCAL)
			nh_index[i] = in_ifl != 0 ? RT_FWD_LOCAL_ONLY : v & ~RT_FIB_LOCAL;
	}
}

/* ---- walks ---- */

struct rt_walk {
	const struct rt_table *t;
	int (*cb)(const struct route_info *r, void *arg);
	void *arg;
	/* resume point (with after): key, then route order */
	bool after;
	struct route_key k;
	uint8_t type;
	uint32_t ifl_index;
};

static int
rt_walk_list(struct rt_walk *w, struct rt_node *n, struct rt_src *s, struct rt_route *list,
	     bool at_cursor)
{
	for (struct rt_route *r = list; r != NULL; r = r->next) {
		struct rt_hit h = { r, n, s };
		struct route_info ri;
		int rc;

		if (at_cursor && route_cmp(r->type, r->ifl_index, w->type, w->ifl_index) <= 0)
			continue;
		rt_hit_info(w->t, &h, &ri);
		rc = w->cb(&ri, w->arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The routes of @n at or after the cursor (@n's destination equals the cursor's with @same). */
static int
rt_walk_node(struct rt_walk *w, struct rt_node *n, bool same)
{
	int rc, c;

	if (!same || w->k.src_len == 0) {
		rc = rt_walk_list(w, n, NULL, n->routes, same);
		if (rc != 0)
			return rc;
	}
	for (struct rt_src *s = n->srcs; s != NULL; s = s->next) {
		c = same ? key_cmp(s->src, s->len, w->k.src, w->k.src_len) : 1;
		if (c < 0)
			continue;
		rc = rt_walk_list(w, n, s, s->routes, c == 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
rt_walk_all(struct rt_walk *w, struct rt_node *n)
{
	int rc;

	if (n == NULL)
		return 0;
	rc = rt_walk_node(w, n, false);
	if (rc == 0)
		rc = rt_walk_all(w, n->child[0]);
	if (rc == 0)
		rc = rt_walk_all(w, n->child[1]);
	return rc;
}

/* Preorder walk of the routes after the cursor w->k. */
static int
rt_walk_from(struct rt_walk *w, struct rt_node *n)
{
	unsigned m, c;
	int rc;

	if (n == NULL)
		return 0;
	m = n->len < w->k.dst_len ? n->len : w->k.dst_len;
	c = common_len(n->key, w->k.dst, m);
	if (c < m)
		return kbit(n->key, c) < kbit(w->k.dst, c) ? 0 : rt_walk_all(w, n);
	if (n->len > w->k.dst_len)
		return rt_walk_all(w, n);
	if (n->len == w->k.dst_len) {
		rc = rt_walk_node(w, n, true);
		if (rc == 0)
			rc = rt_walk_all(w, n->child[0]);
		if (rc == 0)
			rc = rt_walk_all(w, n->child[1]);
		return rc;
	}
	if (kbit(w->k.dst, n->len) == 0) {
		rc = rt_walk_from(w, n->child[0]);
		return rc == 0 ? rt_walk_all(w, n->child[1]) : rc;
	}
	return rt_walk_from(w, n->child[1]);
}

int
route_walk(const struct rt_table *t, int (*cb)(const struct route_info *r, void *arg), void *arg)
{
	struct rt_walk w = { .t = t, .cb = cb, .arg = arg };

	return rt_walk_all(&w, t->root);
}

int
route_walk_after(const struct rt_table *t, const struct route_key *k, uint8_t type,
		 uint32_t ifl_index, int (*cb)(const struct route_info *r, void *arg), void *arg)
{
	struct rt_walk w = { .t = t, .cb = cb, .arg = arg, .after = true, .type = type,
			     .ifl_index = ifl_index };

	if (k == NULL)
		return rt_walk_all(&w, t->root);
	w.k = *k;
	if (w.k.dst_len > t->width)
		w.k.dst_len = t->width;
	if (w.k.src_len > t->width)
		w.k.src_len = t->width;
	mask_copy(w.k.dst, k->dst, w.k.dst_len);
	mask_copy(w.k.src, k->src, w.k.src_len);
	return rt_walk_from(&w, t->root);
}

/* ---- next-hop resolution (paper 1620-1650) ---- */

int
route_nh_resolve(const struct rt_table *t, const uint8_t *gw, uint32_t ifl_index,
		 struct nexthop **nhp, const char **why)
{
	struct route_match m = {
		.type_mask = RTT_IF_TYPES,
		.ifl_index = ifl_index,
	};
	struct route_info ri;
	struct nexthop *nh;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (route_lookup(t, gw, NULL, &m, &ri) < 0) {
		*why = ifl_index != 0 ? "the gateway is not on a connected subnet of that interface"
				      : "the gateway is not on a connected subnet";
		return -ENETUNREACH;
	}
	nh = (struct nexthop *)(uintptr_t)ri.nh;
	switch (nh->type) {
	case RNH_UNICAST:
	case RNH_HOLD:
		nh_ref(nh);
		*nhp = nh;
		return 0;
	case RNH_RESOLV: {
		/* A next hop for this neighbour, which the resolver fills in. */
		struct nh_spec s = {
			.family = t->family,
			.type = RNH_HOLD,
			.ifl_index = ri.ifl_index != 0 ? ri.ifl_index : nh->ifl_index,
		};

		memcpy(s.addr, gw, t->family == 4 ? 4 : 16);
		nh = nh_get(&s);
		if (nh == NULL) {
			*why = errno == ENOSPC ? "no room for more next hops" : "out of memory";
			return -errno;
		}
		*nhp = nh;
		return 0;
	}
	case RNH_LOCAL:
		*why = "the gateway is one of our own addresses";
		return -EINVAL;
	case RNH_DEAD:
		*why = "the interface route to the gateway is going away";
		return -ENETUNREACH;
	default:
		*why = "the gateway is not a neighbour (broadcast, network or multicast address)";
		return -EINVAL;
	}
}
