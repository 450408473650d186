/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nexthop.c: the next-hop objects (paper 1319-1650): their index space, the
 * hash that shares one next hop per (family, type, type data), reference
 * counts, the HOLD -> UNICAST and * -> DEAD transitions in place, and the
 * deferred free.
 *
 * Invariants:
 *   - every live next hop is in nh_tab at its index; lcores find it there
 *     with nh_by_index() (RCU reader) and never keep the pointer past a
 *     quiescent state;
 *   - every live next hop that is not DEAD is in the hash under its
 *     identity; DEAD ones are out of it (a new nh_get() of the same spec
 *     makes a fresh next hop) and live on while routes reference them;
 *   - the last nh_put() unpublishes the index slot at once and frees the
 *     object (and returns its index to the free list) after a grace period,
 *     so a reader that looked the index up before sees a valid object and
 *     no reader ever sees the index reused for something else;
 *   - HOLD and UNICAST next hops of one (family, ifl, neighbour) are one
 *     identity: a HOLD next hop becomes UNICAST in place (nh_resolved), and
 *     nh_get() of either finds whichever exists; one created HOLD may turn
 *     HOLD again (nh_unresolved) when its neighbour stops answering;
 *   - every live next hop that is not DEAD and is tied to ifls (output ifl,
 *     RESOLV, LOCAL, list members) is on the per-ifl index under each of
 *     them once, so nh_ifl_gone() visits only that ifl's next hops;
 *   - MGROUP / MULTICAST lists are sets kept ascending without repeats, so
 *     a set in any order is one identity.
 *
 * Lock legend: [C] config lock (every function here except nh_by_index,
 * nh_local_input and the RCU callback), [F] nh_free_lock (the free index
 * list, shared with the RCU callback thread).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>
#include <urcu-qsbr.h>

#include "counters.h"
#include "nexthop.h"

#define NH_HASH_BUCKETS (1u << 14)
#define NH_IFL_BUCKETS (1u << 16)

struct nh_priv;

/* One entry of the per-ifl index: next hop @p is tied to @ifl_index. */
struct nh_ifl_link {
	struct nh_ifl_link *next;         /* [C] bucket chain */
	struct nh_ifl_link **pprev;       /* [C] NULL: not linked */
	struct nh_priv *p;                /* [C] */
	uint32_t ifl_index;               /* [C] */
};

/* Control-only record beside the object lcores read (first member). */
struct nh_priv {
	struct nexthop nh;
	struct nh_priv *hash_next;        /* [C] */
	uint32_t refcnt;                  /* [C] */
	bool hashed;                      /* [C] */
	uint32_t hash;                    /* [C] */
	uint32_t ifl_list[NH_LIST_MAX];   /* [I] storage behind nh.ifl_list */
	struct nh_ifl_link link1;         /* [C] the per-ifl link of single-ifl next hops */
	struct nh_ifl_link *links;        /* [C] &link1, or an array for lists; NULL: none */
	uint8_t n_links;                  /* [C] */
	struct rcu_head rcu;
};

static struct nexthop **nh_tab;           /* [R] by index, NULL = free */
static struct nh_priv **nh_hash;          /* [C] */
static struct nh_ifl_link **nh_ifl_idx;   /* [C] per-ifl index, by ifl_index */
static struct nh_resolver *nh_default_res[2]; /* [R] IPv4, IPv6 */
static unsigned nh_live;                  /* [C] */
static uint32_t nh_high;                  /* [F] indices below were handed out once */
static uint32_t *nh_free_list;            /* [F] freed indices */
static uint32_t nh_free_n;                /* [F] */
static pthread_mutex_t nh_free_lock = PTHREAD_MUTEX_INITIALIZER;
static nh_output_fn nh_local_fn[2];       /* [R] IPv4, IPv6 */

static inline struct nh_priv *
nh_priv(const struct nexthop *nh)
{
	return (struct nh_priv *)(uintptr_t)nh;
}

static const char *const rnh_names[RNH_TYPE_MAX] = {
	[RNH_REJECT] = "reject",   [RNH_DISCARD] = "discard", [RNH_RECV] = "recv",
	[RNH_MDISCARD] = "mdiscard", [RNH_MRECV] = "mrecv", [RNH_BRECV] = "brecv",
	[RNH_LOCAL] = "local",     [RNH_UNICAST] = "unicast", [RNH_RESOLV] = "resolv",
	[RNH_MGROUP] = "mgroup",   [RNH_MULTICAST] = "multicast", [RNH_HOLD] = "hold",
	[RNH_DEAD] = "dead",
};

const char *
rnh_type_name(unsigned type)
{
	return type < RNH_TYPE_MAX ? rnh_names[type] : NULL;
}

int
nh_init(void)
{
	nh_tab = calloc(NH_INDEX_MAX, sizeof(*nh_tab));
	nh_hash = calloc(NH_HASH_BUCKETS, sizeof(*nh_hash));
	nh_ifl_idx = calloc(NH_IFL_BUCKETS, sizeof(*nh_ifl_idx));
	nh_free_list = calloc(NH_INDEX_MAX, sizeof(*nh_free_list));
	if (nh_tab == NULL || nh_hash == NULL || nh_ifl_idx == NULL || nh_free_list == NULL) {
		nh_fini();
		return -ENOMEM;
	}
	nh_high = 1;
	nh_free_n = 0;
	nh_live = 0;
	return 0;
}

static void
nh_hold_drop_all(struct nh_priv *p)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	if (p->nh.hold == NULL)
		return;
	while (rte_ring_mc_dequeue(p->nh.hold, (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	/* Counted where the control thread counts, if it has counters. */
	if (n > 0 && rte_lcore_id() < RTE_MAX_LCORE && nsdp_lcore_counters[rte_lcore_id()] != NULL)
		counters_drop(counters_this_lcore(0), DROP_rnh_dead, n);
}

static void
nh_destroy(struct nh_priv *p)
{
	nh_hold_drop_all(p);
	if (p->links != &p->link1)
		free(p->links);
	free(p->nh.hold);
	free(p);
}

/* RCU callback: the object is unreachable; free it and recycle its index. */
static void
nh_free_rcu(struct rcu_head *head)
{
	struct nh_priv *p = caa_container_of(head, struct nh_priv, rcu);
	uint32_t index = p->nh.index;

	nh_destroy(p);
	pthread_mutex_lock(&nh_free_lock);
	nh_free_list[nh_free_n++] = index;
	pthread_mutex_unlock(&nh_free_lock);
}

void
nh_fini(void)
{
	if (nh_tab != NULL) {
		/* Readers are gone; what call_rcu queued must finish first. */
		rcu_barrier();
		for (uint32_t i = 1; i < NH_INDEX_MAX; i++)
			if (nh_tab[i] != NULL)
				nh_destroy(nh_priv(nh_tab[i]));
	}
	free(nh_tab);
	free(nh_hash);
	free(nh_ifl_idx);
	free(nh_free_list);
	nh_tab = NULL;
	nh_hash = NULL;
	nh_ifl_idx = NULL;
	nh_default_res[0] = nh_default_res[1] = NULL;
	nh_free_list = NULL;
	nh_live = 0;
}

/* HOLD is UNICAST not yet resolved: one identity class for both. */
static uint8_t
nh_class(uint8_t type)
{
	return type == RNH_HOLD ? RNH_UNICAST : type;
}

static bool
nh_has_ifl(uint8_t type)
{
	return type == RNH_UNICAST || type == RNH_HOLD || type == RNH_RESOLV || type == RNH_LOCAL;
}

static bool
nh_has_addr(uint8_t type)
{
	return type == RNH_UNICAST || type == RNH_HOLD || type == RNH_LOCAL;
}

static bool
nh_has_list(uint8_t type)
{
	return type == RNH_MGROUP || type == RNH_MULTICAST;
}

static uint32_t
nh_hash_of(uint8_t family, uint8_t type, uint32_t ifl, const uint8_t *addr,
	   const struct nh_resolver *res, uint8_t n_ifl, const uint32_t *list)
{
	uint64_t h = 1469598103934665603ull;

#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
	MIX(family);
	MIX(nh_class(type));
	MIX(ifl);
	for (unsigned i = 0; i < 16; i++)
		MIX(addr[i]);
	MIX((uintptr_t)res);
	MIX(n_ifl);
	for (unsigned i = 0; i < n_ifl; i++)
		MIX(list[i]);
#undef MIX
	return (uint32_t)(h ^ h >> 32);
}

/* The spec's identity with the fields its type does not use cleared. */
static int
nh_spec_check(const struct nh_spec *s, struct nh_spec *id)
{
	unsigned alen;

	if (s == NULL || (s->family != 4 && s->family != 6) || s->type < RNH_REJECT ||
	    s->type >= RNH_TYPE_MAX || s->type == RNH_DEAD)
		return -EINVAL;
	memset(id, 0, sizeof(*id));
	id->family = s->family;
	id->type = s->type;
	alen = s->family == 4 ? 4 : 16;
	if (nh_has_ifl(s->type)) {
		/* LOCAL may be interface-less (loopback addresses). */
		if (s->ifl_index == 0 && s->type != RNH_LOCAL)
			return -EINVAL;
		id->ifl_index = s->ifl_index;
	}
	if (nh_has_addr(s->type))
		memcpy(id->addr, s->addr, alen);
	if (s->type == RNH_RESOLV)
		id->resolver = s->resolver;
	if (nh_has_list(s->type)) {
		if (s->n_ifl == 0 || s->n_ifl > NH_LIST_MAX)
			return -EINVAL;
		id->n_ifl = s->n_ifl;
		/*
		 * A list is a set: sorted, so that one set is one next hop
		 * whatever order it was given in (paper 1541-1543: routes with
		 * the same distribution share it).
		 */
		for (unsigned i = 0; i < s->n_ifl; i++) {
			uint32_t v = s->ifl_list[i];
			unsigned k = i;

			for (; k > 0 && id->ifl_list[k - 1] > v; k--)
				id->ifl_list[k] = id->ifl_list[k - 1];
			id->ifl_list[k] = v;
		}
		for (unsigned i = 1; i < s->n_ifl; i++)
			if (id->ifl_list[i] == id->ifl_list[i - 1])
				return -EINVAL;
		/* MGROUP lists where packets may come in: ifl 0 is none. */
		if (s->type == RNH_MGROUP && id->ifl_list[0] == 0)
			return -EINVAL;
	}
	if (s->type == RNH_UNICAST) {
		if (s->l2_len > NH_L2_MAX || s->port >= RTE_MAX_ETHPORTS)
			return -EINVAL;
		id->l2_len = s->l2_len;
		memcpy(id->l2, s->l2, s->l2_len);
		id->port = s->port;
		id->mtu = s->mtu;
	}
	return 0;
}

static bool
nh_same(const struct nh_priv *p, const struct nh_spec *id)
{
	const struct nexthop *nh = &p->nh;

	return nh->family == id->family && nh_class(nh->type) == nh_class(id->type) &&
	       nh->ifl_index == id->ifl_index && memcmp(nh->addr, id->addr, 16) == 0 &&
	       nh->resolver == id->resolver && nh->n_ifl == id->n_ifl &&
	       memcmp(p->ifl_list, id->ifl_list, id->n_ifl * sizeof(id->ifl_list[0])) == 0;
}

static void
nh_unhash(struct nh_priv *p)
{
	struct nh_priv **pp;

	if (!p->hashed)
		return;
	for (pp = &nh_hash[p->hash % NH_HASH_BUCKETS]; *pp != NULL; pp = &(*pp)->hash_next) {
		if (*pp == p) {
			*pp = p->hash_next;
			break;
		}
	}
	p->hashed = false;
}

static void
nh_ifl_link_add(struct nh_ifl_link *l)
{
	struct nh_ifl_link **head = &nh_ifl_idx[l->ifl_index % NH_IFL_BUCKETS];

	l->next = *head;
	if (*head != NULL)
		(*head)->pprev = &l->next;
	l->pprev = head;
	*head = l;
}

static void
nh_ifl_unlink(struct nh_priv *p)
{
	for (unsigned i = 0; i < p->n_links; i++) {
		struct nh_ifl_link *l = &p->links[i];

		if (l->pprev == NULL)
			continue;
		*l->pprev = l->next;
		if (l->next != NULL)
			l->next->pprev = l->pprev;
		l->pprev = NULL;
		l->next = NULL;
	}
}

/* Prepare the per-ifl links of @p (not linked yet). @return 0 or -ENOMEM. */
static int
nh_ifl_links_make(struct nh_priv *p, const struct nh_spec *id)
{
	unsigned n = 0;

	if (nh_has_ifl(id->type) && id->ifl_index != 0) {
		p->link1.p = p;
		p->link1.ifl_index = id->ifl_index;
		p->links = &p->link1;
		p->n_links = 1;
		return 0;
	}
	if (!nh_has_list(id->type))
		return 0;
	p->links = calloc(id->n_ifl, sizeof(*p->links));
	if (p->links == NULL)
		return -ENOMEM;
	/* Each distinct ifl once; ifl 0 (the local copy) is no interface. */
	for (unsigned i = 0; i < id->n_ifl; i++) {
		bool seen = id->ifl_list[i] == 0;

		for (unsigned k = 0; k < n && !seen; k++)
			seen = p->links[k].ifl_index == id->ifl_list[i];
		if (seen)
			continue;
		p->links[n].p = p;
		p->links[n++].ifl_index = id->ifl_list[i];
	}
	p->n_links = (uint8_t)n;
	return 0;
}

static uint32_t
nh_index_alloc(void)
{
	uint32_t index = NH_INDEX_INVALID;

	pthread_mutex_lock(&nh_free_lock);
	if (nh_free_n > 0)
		index = nh_free_list[--nh_free_n];
	else if (nh_high < NH_INDEX_MAX)
		index = nh_high++;
	pthread_mutex_unlock(&nh_free_lock);
	return index;
}

/*
 * Fields lcores read change with release stores: a reader that loads the
 * output function with acquire semantics (as every output call does, via
 * nh_by_index's rcu_dereference and the load of nh->output) sees the type
 * data written before it.
 */
static void
nh_publish_type(struct nexthop *nh, uint8_t type)
{
	__atomic_store_n(&nh->type, type, __ATOMIC_RELEASE);
	__atomic_store_n(&nh->output, nh_output_of(type), __ATOMIC_RELEASE);
}

static void
nh_set_unicast_data(struct nexthop *nh, const struct nh_spec *s)
{
	memcpy(nh->l2, s->l2, s->l2_len);
	nh->l2_len = s->l2_len;
	nh->port = s->port;
	nh->mtu = s->mtu;
}

struct nexthop *
nh_get(const struct nh_spec *s)
{
	struct nh_spec id;
	struct nh_priv *p;
	uint32_t h, index;
	int rc;

	rc = nh_spec_check(s, &id);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	h = nh_hash_of(id.family, id.type, id.ifl_index, id.addr, id.resolver, id.n_ifl,
		       id.ifl_list);
	for (p = nh_hash[h % NH_HASH_BUCKETS]; p != NULL; p = p->hash_next) {
		if (p->hash != h || !nh_same(p, &id))
			continue;
		/* A static neighbour (UNICAST) given for one being resolved: resolved now. */
		if (p->nh.type == RNH_HOLD && id.type == RNH_UNICAST &&
		    nh_resolved(&p->nh, &id) < 0) {
			errno = EINVAL;
			return NULL;
		}
		p->refcnt++;
		return &p->nh;
	}
	p = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*p), RTE_CACHE_LINE_SIZE));
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	if (id.type == RNH_HOLD) {
		ssize_t sz = rte_ring_get_memsize_elem(sizeof(void *), NH_HOLD_MAX);

		p->nh.hold = sz > 0 ? aligned_alloc(RTE_CACHE_LINE_SIZE,
						    RTE_ALIGN_CEIL((size_t)sz, RTE_CACHE_LINE_SIZE))
				    : NULL;
		if (p->nh.hold == NULL ||
		    rte_ring_init(p->nh.hold, "nh_hold", NH_HOLD_MAX,
				  RING_F_EXACT_SZ) < 0) {
			free(p->nh.hold);
			free(p);
			errno = ENOMEM;
			return NULL;
		}
	}
	if (nh_ifl_links_make(p, &id) < 0) {
		free(p->nh.hold);
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	index = nh_index_alloc();
	if (index == NH_INDEX_INVALID) {
		if (p->links != &p->link1)
			free(p->links);
		free(p->nh.hold);
		free(p);
		errno = ENOSPC;
		return NULL;
	}
	p->nh.index = index;
	p->nh.family = id.family;
	p->nh.ifl_index = id.ifl_index;
	memcpy(p->nh.addr, id.addr, sizeof(p->nh.addr));
	p->nh.resolver = id.resolver;
	p->nh.n_ifl = id.n_ifl;
	memcpy(p->ifl_list, id.ifl_list, sizeof(p->ifl_list));
	p->nh.ifl_list = id.n_ifl > 0 ? p->ifl_list : NULL;
	if (id.type == RNH_UNICAST)
		nh_set_unicast_data(&p->nh, &id);
	p->nh.type = id.type;
	p->nh.output = nh_output_of(id.type);
	p->refcnt = 1;
	p->hash = h;
	p->hashed = true;
	p->hash_next = nh_hash[h % NH_HASH_BUCKETS];
	nh_hash[h % NH_HASH_BUCKETS] = p;
	for (unsigned i = 0; i < p->n_links; i++)
		nh_ifl_link_add(&p->links[i]);
	nh_live++;
	/* Initialised fully before any reader can find it by index. */
	rcu_assign_pointer(nh_tab[index], &p->nh);
	return &p->nh;
}

void
nh_ref(struct nexthop *nh)
{
	nh_priv(nh)->refcnt++;
}

void
nh_put(struct nexthop *nh)
{
	struct nh_priv *p;

	if (nh == NULL)
		return;
	p = nh_priv(nh);
	if (--p->refcnt > 0)
		return;
	nh_unhash(p);
	nh_ifl_unlink(p);
	rcu_assign_pointer(nh_tab[nh->index], NULL);
	nh_live--;
	call_rcu(&p->rcu, nh_free_rcu);
}

uint32_t
nh_refcnt(const struct nexthop *nh)
{
	return nh_priv(nh)->refcnt;
}

int
nh_resolved(struct nexthop *nh, const struct nh_spec *s)
{
	if (nh == NULL || s == NULL || nh->type != RNH_HOLD || s->l2_len > NH_L2_MAX ||
	    s->port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	/*
	 * Header, port and MTU first; the type and output function are
	 * published after them with release stores. An lcore that still runs
	 * the HOLD output queues to nh->hold, which stays allocated: the
	 * UNICAST output sends what it finds there before its own packets, and
	 * nh_hold_flush() sends it on demand.
	 */
	nh_set_unicast_data(nh, s);
	nh_publish_type(nh, RNH_UNICAST);
	return 0;
}

int
nh_unresolved(struct nexthop *nh)
{
	if (nh == NULL || nh->type != RNH_UNICAST || nh->hold == NULL)
		return -EINVAL;
	/* The header stays: an lcore still in the UNICAST output sends with it. */
	nh_publish_type(nh, RNH_HOLD);
	return 0;
}

unsigned
nh_hold_take(const struct nexthop *nh, struct rte_mbuf **pkts, unsigned max)
{
	if (nh == NULL || nh->hold == NULL)
		return 0;
	return rte_ring_mc_dequeue_burst(nh->hold, (void **)pkts, max, NULL);
}

int
nh_set_default_resolver(int family, struct nh_resolver *r)
{
	if (family != 4 && family != 6)
		return -EINVAL;
	rcu_assign_pointer(nh_default_res[family == 6], r);
	return 0;
}

struct nh_resolver *
nh_default_resolver(int family)
{
	return rcu_dereference(nh_default_res[family == 6]);
}

unsigned
nh_ifl_gone(uint32_t ifl_index)
{
	struct nh_ifl_link *l, *next;
	unsigned n = 0;

	if (ifl_index == 0 || nh_ifl_idx == NULL)
		return 0;
	for (l = nh_ifl_idx[ifl_index % NH_IFL_BUCKETS]; l != NULL; l = next) {
		struct nh_priv *p = l->p;

		next = l->next;
		if (l->ifl_index != ifl_index)
			continue;
		/*
		 * DEAD next hops are tied to nothing: off the index under
		 * every ifl (the next link of this chain may be one of them,
		 * so skip past p's links first).
		 */
		while (next != NULL && next->p == p)
			next = next->next;
		nh_unhash(p);
		nh_ifl_unlink(p);
		nh_publish_type(&p->nh, RNH_DEAD);
		n++;
	}
	return n;
}

const struct nexthop *
nh_by_index(uint32_t index)
{
	if (index == NH_INDEX_INVALID || index >= NH_INDEX_MAX)
		return NULL;
	return rcu_dereference(nh_tab[index]);
}

unsigned
nh_count(void)
{
	return nh_live;
}

int
nh_walk(uint32_t from, int (*cb)(const struct nexthop *nh, void *arg), void *arg)
{
	if (from == NH_INDEX_INVALID)
		from = 1;
	for (uint32_t i = from; i < NH_INDEX_MAX && i < nh_high; i++) {
		int rc;

		if (nh_tab[i] == NULL)
			continue;
		rc = cb(nh_tab[i], arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
nh_set_local_input(int family, nh_output_fn fn)
{
	if (family != 4 && family != 6)
		return -EINVAL;
	rcu_assign_pointer(nh_local_fn[family == 6], fn);
	return 0;
}

nh_output_fn
nh_local_input(int family)
{
	return rcu_dereference(nh_local_fn[family == 6]);
}
