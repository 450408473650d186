/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifcfg_core.c: what the interface tree's files share: errors, the control
 * side's hash tables, the RCU-published ifl_index map, deferred frees, the
 * family input registry with its dispatcher, init/fini, and the lookups
 * other modules call (ifcfg.h).
 *
 * The ifl_index map is a three-level radix (8 + 12 + 12 bits) whose leaves
 * hold the dataplane copy (read by lcores) and the control record of each
 * index. Lcores read it under urcu-qsbr without locks: a slot is published
 * with rcu_assign_pointer after the copy is complete, cleared before the
 * copy is retired, and an empty leaf is retired after a grace period.
 *
 * Deferred frees are batched: one synchronize_rcu() frees everything
 * retired since the last one. A batch is flushed when it holds
 * RETIRE_BATCH objects or its oldest object waited RETIRE_MAX_AGE_S seconds
 * (checked on every retirement), and at fini. 100,000 deletes therefore
 * cost about 100 grace periods, not 100,000.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/lcore.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "ifcfg_priv.h"

int
ifcfg_err(struct ifcfg_err *e, int errnum, enum ifcfg_arg arg, const char *fmt, ...)
{
	va_list ap;

	if (e != NULL) {
		e->arg = arg;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

/* --- chained hash ---------------------------------------------------------- */

uint64_t
chash_bytes(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	/* FNV-1a, then a final mix so low bits depend on every byte. */
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int
chash_grow(struct chash *h)
{
	size_t nb = h->nb != 0 ? h->nb * 2 : 64;
	struct chash_node **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < h->nb; i++) {
		struct chash_node *n = h->b[i], *next;

		for (; n != NULL; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(h->b);
	h->b = b;
	h->nb = nb;
	return 0;
}

int
chash_insert(struct chash *h, struct chash_node *node, uint64_t hash)
{
	if (h->n + 1 > h->nb && chash_grow(h) < 0 && h->nb == 0)
		return -ENOMEM;
	/* A failed grow leaves a longer chain, still correct. */
	node->hash = hash;
	node->next = h->b[hash & (h->nb - 1)];
	h->b[hash & (h->nb - 1)] = node;
	h->n++;
	return 0;
}

void
chash_remove(struct chash *h, struct chash_node *node)
{
	struct chash_node **pp;

	if (h->nb == 0)
		return;
	for (pp = &h->b[node->hash & (h->nb - 1)]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == node) {
			*pp = node->next;
			h->n--;
			return;
		}
}

struct chash_node *
chash_first(const struct chash *h, uint64_t hash)
{
	return h->nb != 0 ? h->b[hash & (h->nb - 1)] : NULL;
}

void
chash_free(struct chash *h)
{
	free(h->b);
	memset(h, 0, sizeof(*h));
}

struct chash ifcfg_ifd_names, ifcfg_ifd_indices, ifcfg_ifl_names, ifcfg_ifl_paths;
uint32_t ifcfg_inst_users[RT_INST_MAX];
const struct ifcfg_notify_ops *ifcfg_notify;

uint64_t
ifcfg_name_hash(const char *name)
{
	return chash_bytes(name, strlen(name), 1);
}

uint64_t
ifcfg_path_hash(uint32_t ifd_index, const struct l2key *path)
{
	return chash_bytes(path->b, (path->bits + 7) / 8, ((uint64_t)ifd_index << 16) | path->bits);
}

/* --- deferred frees ---------------------------------------------------------- */

#define RETIRE_BATCH 1024
#define RETIRE_MAX_AGE_S 1

struct retiree {
	void (*fn)(void *);
	void *p;
};

static struct retiree retire_list[RETIRE_BATCH];
static unsigned retire_n;
static struct timespec retire_oldest;

void
ifcfg_retire_flush(void)
{
	unsigned n = retire_n;

	if (n == 0)
		return;
	synchronize_rcu();
	for (unsigned i = 0; i < n; i++)
		retire_list[i].fn(retire_list[i].p);
	retire_n = 0;
}

void
ifcfg_retire(void (*fn)(void *), void *p)
{
	struct timespec now;

	if (retire_n == RETIRE_BATCH)
		ifcfg_retire_flush();
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (retire_n == 0)
		retire_oldest = now;
	retire_list[retire_n].fn = fn;
	retire_list[retire_n].p = p;
	retire_n++;
	if (now.tv_sec - retire_oldest.tv_sec >= RETIRE_MAX_AGE_S)
		ifcfg_retire_flush();
}

/* --- ifl_index map ------------------------------------------------------------- */

#define MAP_L1_BITS 8
#define MAP_L2_BITS 12
#define MAP_L3_BITS 12

struct map_leaf {
	uint32_t live;                               /* [C] slots with a control record */
	struct ifl *dp[1u << MAP_L3_BITS];           /* [R] */
	struct ifl_priv *priv[1u << MAP_L3_BITS];    /* [C] */
};

struct map_mid {
	uint32_t live;                               /* [C] leaves */
	struct map_leaf *leaf[1u << MAP_L2_BITS];    /* [R] */
};

/* [R] */
static struct map_mid *map_top[1u << MAP_L1_BITS];

#define MAP_I1(i) ((i) >> (MAP_L2_BITS + MAP_L3_BITS))
#define MAP_I2(i) (((i) >> MAP_L3_BITS) & ((1u << MAP_L2_BITS) - 1))
#define MAP_I3(i) ((i) & ((1u << MAP_L3_BITS) - 1))

const struct ifl *
ifl_lookup(uint32_t idx)
{
	struct map_mid *mid = rcu_dereference(map_top[MAP_I1(idx)]);
	struct map_leaf *leaf;

	if (mid == NULL)
		return NULL;
	leaf = rcu_dereference(mid->leaf[MAP_I2(idx)]);
	if (leaf == NULL)
		return NULL;
	return rcu_dereference(leaf->dp[MAP_I3(idx)]);
}

static struct map_leaf *
map_leaf_ctl(uint32_t idx)
{
	struct map_mid *mid = map_top[MAP_I1(idx)];

	return mid != NULL ? mid->leaf[MAP_I2(idx)] : NULL;
}

int
ifindex_map_set(uint32_t idx, struct ifl *dp, struct ifl_priv *priv)
{
	struct map_mid *mid = map_top[MAP_I1(idx)];
	struct map_leaf *leaf;
	bool new_mid = false;

	if (mid == NULL) {
		mid = calloc(1, sizeof(*mid));
		if (mid == NULL)
			return -ENOMEM;
		new_mid = true;
	}
	leaf = mid->leaf[MAP_I2(idx)];
	if (leaf == NULL) {
		leaf = calloc(1, sizeof(*leaf));
		if (leaf == NULL) {
			if (new_mid)
				free(mid);
			return -ENOMEM;
		}
		mid->live++;
		rcu_assign_pointer(mid->leaf[MAP_I2(idx)], leaf);
	}
	if (new_mid)
		rcu_assign_pointer(map_top[MAP_I1(idx)], mid);
	leaf->priv[MAP_I3(idx)] = priv;
	leaf->live++;
	rcu_assign_pointer(leaf->dp[MAP_I3(idx)], dp);
	return 0;
}

void
ifindex_map_publish(uint32_t idx, struct ifl *dp)
{
	struct map_leaf *leaf = map_leaf_ctl(idx);

	if (leaf != NULL)
		rcu_assign_pointer(leaf->dp[MAP_I3(idx)], dp);
}

void
ifindex_map_clear(uint32_t idx)
{
	struct map_mid *mid = map_top[MAP_I1(idx)];
	struct map_leaf *leaf = mid != NULL ? mid->leaf[MAP_I2(idx)] : NULL;

	if (leaf == NULL || leaf->priv[MAP_I3(idx)] == NULL)
		return;
	rcu_assign_pointer(leaf->dp[MAP_I3(idx)], NULL);
	leaf->priv[MAP_I3(idx)] = NULL;
	if (--leaf->live > 0)
		return;
	rcu_assign_pointer(mid->leaf[MAP_I2(idx)], NULL);
	ifcfg_retire(free, leaf);
	if (--mid->live > 0)
		return;
	rcu_assign_pointer(map_top[MAP_I1(idx)], NULL);
	ifcfg_retire(free, mid);
}

struct ifl_priv *
ifindex_map_priv(uint32_t idx)
{
	struct map_leaf *leaf = map_leaf_ctl(idx);

	return leaf != NULL ? leaf->priv[MAP_I3(idx)] : NULL;
}

uint32_t
ifindex_map_next(uint32_t after)
{
	uint64_t i = (uint64_t)after + 1;

	while (i <= UINT32_MAX) {
		struct map_mid *mid = map_top[MAP_I1((uint32_t)i)];
		struct map_leaf *leaf;

		if (mid == NULL) {
			i = ((i >> (MAP_L2_BITS + MAP_L3_BITS)) + 1) << (MAP_L2_BITS + MAP_L3_BITS);
			continue;
		}
		leaf = mid->leaf[MAP_I2((uint32_t)i)];
		if (leaf == NULL) {
			i = ((i >> MAP_L3_BITS) + 1) << MAP_L3_BITS;
			continue;
		}
		for (uint32_t s = MAP_I3((uint32_t)i); s < (1u << MAP_L3_BITS); s++, i++)
			if (leaf->priv[s] != NULL)
				return (uint32_t)i;
	}
	return 0;
}

/* --- family input ------------------------------------------------------------ */

struct family_input {
	l2demux_handler_t fn;        /* [R] */
	void *arg;                   /* [R] published before fn */
};

static struct family_input family_inputs[IFCFG_INPUT_MAX];

int
ifcfg_family_input_register(enum ifcfg_input kind, l2demux_handler_t fn, void *arg)
{
	if ((unsigned)kind >= IFCFG_INPUT_MAX)
		return -EINVAL;
	if (fn == NULL) {
		__atomic_store_n(&family_inputs[kind].fn, NULL, __ATOMIC_RELEASE);
		return 0;
	}
	/* arg first: a reader that sees fn (acquire) sees its arg. */
	__atomic_store_n(&family_inputs[kind].arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&family_inputs[kind].fn, fn, __ATOMIC_RELEASE);
	return 0;
}

/*
 * The handler of every entry an iff installs (arg = its family_inputs slot):
 * hands the run to the registered input function, or drops it under
 * no_family_input while none is registered.
 */
static void
ifcfg_input_dispatch(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		     void *arg)
{
	struct family_input *fi = arg;
	/* Acquire pairs with the release in register: arg is read after fn. */
	l2demux_handler_t fn = __atomic_load_n(&fi->fn, __ATOMIC_ACQUIRE);

	if (fn != NULL) {
		fn(c, port, pkts, n, __atomic_load_n(&fi->arg, __ATOMIC_RELAXED));
		return;
	}
	counters_drop(counters_this_lcore(port), DROP_no_family_input, n);
	rte_pktmbuf_free_bulk(pkts, n);
}

l2demux_handler_t
ifcfg_input_handler(void)
{
	return ifcfg_input_dispatch;
}

void *
ifcfg_input_arg(enum ifcfg_input kind)
{
	return &family_inputs[kind];
}

/* --- what other modules call ------------------------------------------------- */

uint32_t
ifl_index_by_name(const char *name)
{
	struct ifl_priv *ifl = ifl_find(name);

	return ifl != NULL ? ifl->ifl_index : 0;
}

int
ifl_name(uint32_t ifl_index, char *buf, size_t len)
{
	struct ifl_priv *ifl = ifindex_map_priv(ifl_index);

	if (ifl == NULL)
		return -ENOENT;
	if ((size_t)snprintf(buf, len, "%s", ifl->name) >= len)
		return -ENOSPC;
	return 0;
}

bool
ifcfg_inst_in_use(uint16_t inst)
{
	return inst < RT_INST_MAX && ifcfg_inst_users[inst] > 0;
}

struct l2demux *
ifd_l2demux_by_name(const char *name)
{
	struct ifd *ifd = ifd_find(name);

	return ifd != NULL ? ifd->demux : NULL;
}

int
ifl_l2_header(uint32_t ifl_index, const uint8_t dst_mac[6], uint16_t ethertype, uint8_t *buf,
	      size_t len, uint16_t *port)
{
	struct ifl_priv *ifl = ifindex_map_priv(ifl_index);
	size_t need;
	uint8_t *p = buf;

	if (ifl == NULL || ifl->ifd->port == IFL_NO_PORT)
		return -ENOENT;
	if (ifl->pppoe)
		return -EOPNOTSUPP;
	need = 14 + 4u * ifl->n_tags;
	if (len < need)
		return -ENOSPC;
	memcpy(p, dst_mac, 6);
	memcpy(p + 6, ifl->ifd->mac, 6);
	p += 12;
	/* The path's bytes are the tags as they appear on the wire, TCI with PCP 0. */
	memcpy(p, ifl->path.b, 4u * ifl->n_tags);
	p += 4u * ifl->n_tags;
	p[0] = (uint8_t)(ethertype >> 8);
	p[1] = (uint8_t)ethertype;
	if (port != NULL)
		*port = ifl->ifd->port;
	return (int)need;
}

void
ifcfg_port_removed(uint16_t port)
{
	/* One ifd per port; its channels go with it. */
	for (struct ifd *ifd = ifd_next(0); ifd != NULL; ifd = ifd_next(ifd->ifd_index))
		if (ifd->port == port && ifd->parent == NULL) {
			RTE_LOG(NOTICE, USER1, "ifd %s: its port %u was removed, deleting it\n",
				ifd->name, port);
			ifd_del(ifd, true);
			return;
		}
}

/* Drivers and lo0 (ifdriver.c). */
int ifdriver_init(void);
void ifdriver_fini(void);

int
ifcfg_init(void)
{
	return ifdriver_init();
}

void
ifcfg_fini(void)
{
	ifdriver_fini();
	ifcfg_retire_flush();
	chash_free(&ifcfg_ifd_names);
	chash_free(&ifcfg_ifd_indices);
	chash_free(&ifcfg_ifl_names);
	chash_free(&ifcfg_ifl_paths);
}
