/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.c: the neighbour cache of both families (paper 1600-1650,
 * 2600-2625): the resolvers behind RESOLV and HOLD next hops, the entries
 * with their host routes and next hops, the RFC 4861 7.3.2 state machine
 * driven by timers delivered as messages, learning, static entries, and
 * the cleanup when interfaces or addresses go. docs/neighbours.md.
 *
 * Invariants:
 *   - an entry that is not FAILED holds one reference on its next hop
 *     (created HOLD for (family, ifl, address)) and owns the RTT_IFDEST
 *     host route to it in the ifl's routing instance; a FAILED entry holds
 *     neither;
 *   - the next hop of an INCOMPLETE entry is HOLD; of REACHABLE, STALE,
 *     DELAY, PROBE and STATIC entries UNICAST;
 *   - every entry's timer is owned by its family's neighbour queue; an
 *     entry leaves the hash at deletion and is freed by a NEIGH_MSG_FREE
 *     message on that queue once its timer is idle, so no expiry ever
 *     reaches freed memory;
 *   - everything here runs with the config lock held: the queue handler
 *     takes it around each message, control handlers hold it already.
 *
 * Lock legend: [C] config lock, [I] set at init, [A] atomic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "ifcfg/ifcfg.h"
#include "ifcfg/ifcfg_priv.h"
#include "ip.h"
#include "lcore.h"
#include "neigh.h"
#include "nexthop.h"
#include "pkt_meta.h"
#include "route.h"
#include "svcq.h"
#include "timer.h"

#define NEIGH_BUCKETS 4096
#define NEIGH_MAX_ENTRIES 65536 /* per family; beyond it new neighbours are refused */
#define MS 1000000ull           /* nanoseconds in a millisecond */

struct neigh {
	struct neigh *hnext;          /* [C] hash chain */
	uint8_t family;               /* [I] */
	uint8_t state;                /* [C] enum neigh_state */
	uint8_t flags;                /* [C] NEIGH_F_* */
	bool route;                   /* [C] the host route is installed */
	bool dead;                    /* [C] out of the hash, waiting to be freed */
	uint8_t addr[16];             /* [I] */
	uint8_t mac[6];               /* [C] */
	uint32_t ifl_index;           /* [I] */
	uint16_t rt_inst;             /* [I] instance of the host route */
	struct nexthop *nh;           /* [C] reference, NULL when FAILED */
	uint32_t probes;              /* [C] solicitations sent in this state */
	uint32_t retrans_ms;          /* [C] current retransmission interval */
	uint64_t changed_ns;          /* [C] last confirmation or state change */
	struct nsdp_timer timer;      /* owned by the family's queue */
	struct svc_msg free_msg;      /* NEIGH_MSG_FREE */
};

struct neigh_fam {
	uint8_t family;               /* [I] */
	bool up;                      /* [C] queue initialised */
	struct svcq q;                /* the neighbour service queue */
	struct nh_resolver res;       /* [I] default resolver of the family */
	const struct neigh_proto *proto; /* [C]/[R] registered protocol */
	struct neigh_params params;   /* [C] */
	struct neigh_stats st;        /* [A] */
	struct neigh *hash[NEIGH_BUCKETS]; /* [C] */
	uint32_t n;                   /* [C] entries */
};

static struct neigh_fam neigh_fams[2];
static struct timer_service *neigh_ts;  /* [I] */
static struct rte_mempool *neigh_mp;    /* [I] looked up once */

static const char *const state_names[NEIGH_STATE_MAX] = {
	[NEIGH_INCOMPLETE] = "incomplete", [NEIGH_REACHABLE] = "reachable",
	[NEIGH_STALE] = "stale",           [NEIGH_DELAY] = "delay",
	[NEIGH_PROBE] = "probe",           [NEIGH_FAILED] = "failed",
	[NEIGH_STATIC] = "static",
};

/* RFC 4861 10 defaults, used for ARP as well. */
static const struct neigh_params params_default = {
	.reachable_ms = 30000,
	.retrans_ms = 1000,
	.retrans_max_ms = 8000,
	.delay_ms = 5000,
	.stale_ms = 600000,
	.failed_ms = 3000,
	.mcast_probes = 3,
	.ucast_probes = 3,
	.hold_max = NH_HOLD_MAX,
};

const char *
neigh_state_name(unsigned state)
{
	return state < NEIGH_STATE_MAX ? state_names[state] : NULL;
}

static struct neigh_fam *
fam_of(int family)
{
	if (family == 4)
		return &neigh_fams[0];
	if (family == 6)
		return &neigh_fams[1];
	return NULL;
}

static unsigned
alen_of(int family)
{
	return family == 4 ? 4 : 16;
}

static unsigned
iff_of(int family)
{
	return family == 4 ? IFF_INET : IFF_INET6;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- counters ---------------------------------------------------------- */

void
neigh_stats_add(int family, size_t field, uint64_t n)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || field + sizeof(uint64_t) > sizeof(f->st))
		return;
	__atomic_fetch_add((uint64_t *)((char *)&f->st + field), n, __ATOMIC_RELAXED);
}

int
neigh_stats_get(int family, struct neigh_stats *st)
{
	struct neigh_fam *f = fam_of(family);
	const uint64_t *src;
	uint64_t *dst;

	if (f == NULL || st == NULL)
		return -EINVAL;
	src = (const uint64_t *)&f->st;
	dst = (uint64_t *)st;
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	return 0;
}

/* Count @n packets dropped under @r on this thread's counters (by @m's port). */
static void
neigh_drop(struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	uint16_t port = m->port < RTE_MAX_ETHPORTS ? m->port : 0;

	if (lc < RTE_MAX_LCORE && nsdp_lcore_counters[lc] != NULL)
		nsdp_lcore_counters[lc]->port[port].drops[r]++;
	rte_pktmbuf_free(m);
}

/*
 * A packet to a neighbour that does not answer: counted under neigh_failed;
 * a received one is handed on to the ICMP error generator (host
 * unreachable, RFC 1812 4.3.3.1), which answers it within its rate limit.
 */
static void
neigh_drop_unreachable(struct rte_mbuf *m)
{
	unsigned lc = rte_lcore_id();
	uint16_t port = m->port < RTE_MAX_ETHPORTS ? m->port : 0;

	if (!(pkt_meta(m)->flags & PKT_F_RECEIVED)) {
		neigh_drop(m, DROP_neigh_failed);
		return;
	}
	if (lc < RTE_MAX_LCORE && nsdp_lcore_counters[lc] != NULL)
		nsdp_lcore_counters[lc]->port[port].drops[DROP_neigh_failed]++;
	ip_error_enqueue(&m, 1, IP_ERR_HOST_UNREACH, 0);
}

/* ---- the table ---------------------------------------------------------- */

static uint32_t
neigh_hash(uint32_t ifl_index, const uint8_t *addr, unsigned alen)
{
	uint32_t h = 2166136261u ^ ifl_index;

	for (unsigned i = 0; i < alen; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h % NEIGH_BUCKETS;
}

static struct neigh *
neigh_find(struct neigh_fam *f, uint32_t ifl_index, const uint8_t *addr)
{
	unsigned alen = alen_of(f->family);

	for (struct neigh *e = f->hash[neigh_hash(ifl_index, addr, alen)]; e != NULL; e = e->hnext)
		if (e->ifl_index == ifl_index && memcmp(e->addr, addr, alen) == 0)
			return e;
	return NULL;
}

/* Any entry of @addr, on whichever ifl (for neigh_del with ifl 0). */
static struct neigh *
neigh_find_any(struct neigh_fam *f, const uint8_t *addr)
{
	unsigned alen = alen_of(f->family);

	for (unsigned b = 0; b < NEIGH_BUCKETS; b++)
		for (struct neigh *e = f->hash[b]; e != NULL; e = e->hnext)
			if (memcmp(e->addr, addr, alen) == 0)
				return e;
	return NULL;
}

static void
neigh_unlink(struct neigh_fam *f, struct neigh *e)
{
	struct neigh **pp = &f->hash[neigh_hash(e->ifl_index, e->addr, alen_of(f->family))];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	f->n--;
	__atomic_store_n(&f->st.entries, f->n, __ATOMIC_RELAXED);
}

static void
neigh_arm(struct neigh *e, uint32_t ms)
{
	/* -ENOMEM leaves the entry without a timer: it then changes on input only. */
	(void)nsdp_timer_arm(&e->timer, (uint64_t)ms * MS);
}

static void
neigh_set_state(struct neigh *e, uint8_t state)
{
	e->state = state;
	e->probes = 0;
	e->changed_ns = now_ns();
}

/* This thread's lcore context, for tx. */
static struct lcore_ctx *
neigh_ctx(void)
{
	unsigned lc = rte_lcore_id();

	return lc < RTE_MAX_LCORE ? nsdp_lcores[lc] : NULL;
}

struct rte_mempool *
neigh_pktmbuf_pool(void)
{
	if (neigh_mp == NULL)
		neigh_mp = rte_mempool_lookup("nsdp_mbufs");
	return neigh_mp;
}

int
neigh_l2_send(uint32_t ifl_index, const uint8_t dst_mac[6], uint16_t ethertype,
	      struct rte_mbuf *m)
{
	struct lcore_ctx *c = neigh_ctx();
	uint8_t hdr[NH_L2_MAX];
	uint16_t port;
	char *p;
	int len;

	len = ifl_l2_header(ifl_index, dst_mac, ethertype, hdr, sizeof(hdr), &port);
	if (len < 0 || port == IFL_NO_PORT || port >= RTE_MAX_ETHPORTS) {
		neigh_drop(m, DROP_neigh_no_output);
		return len < 0 ? len : -ENOENT;
	}
	if (c == NULL) {
		neigh_drop(m, DROP_neigh_no_output);
		return -ENODEV;
	}
	p = rte_pktmbuf_prepend(m, (uint16_t)len);
	if (p == NULL) {
		neigh_drop(m, DROP_no_headroom);
		return -ENOSPC;
	}
	memcpy(p, hdr, (size_t)len);
	m->port = port;
	tx_enqueue(c, port, m);
	tx_flush(c);
	return 0;
}

/* Send what @e's next hop (now UNICAST) still holds. */
static void
neigh_flush_held(struct neigh *e)
{
	struct lcore_ctx *c = neigh_ctx();

	if (e->nh == NULL || c == NULL)
		return;
	while (nh_hold_flush(c, e->nh) > 0)
		;
	tx_flush(c);
}

/* Drop what @nh holds (a HOLD next hop whose resolution ended), counted. */
static void
neigh_drop_held(int family, struct nexthop *nh, enum drop_reason r)
{
	struct rte_mbuf *pkts[32];
	unsigned n;

	if (nh == NULL || __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE) != RNH_HOLD)
		return;
	while ((n = nh_hold_take(nh, pkts, RTE_DIM(pkts))) > 0) {
		NEIGH_STAT_ADD(family, hold_dropped, n);
		for (unsigned i = 0; i < n; i++) {
			if (r == DROP_neigh_failed)
				neigh_drop_unreachable(pkts[i]);
			else
				neigh_drop(pkts[i], r);
		}
	}
}

/* The UNICAST data of @e's next hop for @mac. @return 0 or -errno. */
static int
neigh_unicast_spec(const struct neigh_fam *f, const struct neigh *e, const uint8_t mac[6],
		   struct nh_spec *s)
{
	const struct ifl *ifl = ifl_lookup(e->ifl_index);
	int len;

	if (ifl == NULL || f->proto == NULL)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	s->family = f->family;
	s->type = RNH_UNICAST;
	s->ifl_index = e->ifl_index;
	memcpy(s->addr, e->addr, alen_of(f->family));
	len = ifl_l2_header(e->ifl_index, mac, f->proto->ethertype, s->l2, sizeof(s->l2), &s->port);
	if (len < 0)
		return len;
	if (s->port == IFL_NO_PORT)
		return -ENOENT;
	s->l2_len = (uint8_t)len;
	s->mtu = ifl->fam[iff_of(f->family)].mtu;
	return 0;
}

/*
 * Give @e's next hop the L2 address @mac: HOLD -> UNICAST, or a UNICAST
 * one rewritten through HOLD (a neighbour that changed its address: a
 * packet sent at that instant may carry either header).
 */
static int
neigh_set_mac(struct neigh_fam *f, struct neigh *e, const uint8_t mac[6])
{
	struct nh_spec s;
	int rc;

	rc = neigh_unicast_spec(f, e, mac, &s);
	if (rc < 0)
		return rc;
	if (e->nh->type == RNH_UNICAST) {
		if (memcmp(e->mac, mac, 6) == 0)
			return 0;
		nh_unresolved(e->nh);
	}
	rc = nh_resolved(e->nh, &s);
	if (rc < 0)
		return rc;
	memcpy(e->mac, mac, 6);
	neigh_flush_held(e);
	return 0;
}

static void
neigh_route_del(struct neigh_fam *f, struct neigh *e)
{
	struct rt_table *t;
	struct route_key k;
	const char *why;

	if (!e->route)
		return;
	memset(&k, 0, sizeof(k));
	k.family = f->family;
	k.dst_len = (uint8_t)(alen_of(f->family) * 8);
	memcpy(k.dst, e->addr, alen_of(f->family));
	t = rt_table_get(e->rt_inst, f->family);
	if (t != NULL)
		route_del(t, &k, RTT_IFDEST, e->ifl_index, &why);
	e->route = false;
}

/*
 * Let go of @e's route and next hop. A next hop others still use (user
 * routes via this neighbour) is made HOLD again, so their next packet
 * starts a new resolution instead of going to an address nobody keeps.
 */
static void
neigh_release(struct neigh_fam *f, struct neigh *e, enum drop_reason r)
{
	neigh_route_del(f, e);
	if (e->nh == NULL)
		return;
	if (e->nh->type == RNH_UNICAST && nh_refcnt(e->nh) > 1)
		nh_unresolved(e->nh);
	neigh_drop_held(f->family, e->nh, r);
	nh_put(e->nh);
	e->nh = NULL;
}

/* Delete @e: out of the table now, freed by its queue once its timer is idle. */
static void
neigh_destroy(struct neigh_fam *f, struct neigh *e, enum drop_reason r)
{
	if (e->dead)
		return;
	neigh_release(f, e, r);
	nsdp_timer_cancel(&e->timer);
	neigh_unlink(f, e);
	e->dead = true;
	e->free_msg.next = NULL;
	e->free_msg.type = SVC_MSG_NOTIFY;
	e->free_msg.subtype = NEIGH_MSG_FREE;
	e->free_msg.arg = 0;
	svcq_enqueue(&f->q, &e->free_msg);
}

/* Whether @addr lies in a subnet of @ifl's @family iff. [C] */
static bool
neigh_on_link(int family, uint32_t ifl_index, const uint8_t *addr)
{
	struct ifl_priv *l = ifl_priv_by_index(ifl_index);
	struct iff *iff = l != NULL ? l->iff[iff_of(family)] : NULL;
	struct ifa *a;

	if (iff == NULL)
		return false;
	TAILQ_FOREACH(a, &iff->ifas, link) {
		unsigned bits = a->a.dest_len, i;

		if (!a->a.has_dest)
			continue;
		if (!ifl_multiaccess(l)) {
			if (memcmp(a->a.dest, addr, alen_of(family)) == 0)
				return true;
			continue;
		}
		for (i = 0; i < bits / 8; i++)
			if (a->a.dest[i] != addr[i])
				break;
		if (i < bits / 8)
			continue;
		if (bits % 8 != 0) {
			uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

			if ((a->a.dest[i] & mask) != (addr[i] & mask))
				continue;
		}
		return true;
	}
	return false;
}

bool
neigh_addr_is_ours(int family, uint32_t ifl_index, const uint8_t *addr)
{
	struct ifl_priv *l = ifl_priv_by_index(ifl_index);
	struct iff *iff;
	struct ifa *a;

	if (l == NULL || (family != 4 && family != 6))
		return false;
	iff = l->iff[iff_of(family)];
	if (iff == NULL)
		return false;
	TAILQ_FOREACH(a, &iff->ifas, link)
		if (a->a.has_local && memcmp(a->a.local, addr, alen_of(family)) == 0)
			return true;
	return false;
}

/*
 * Create the entry (@ifl_index, @addr) INCOMPLETE with its HOLD next hop
 * (or the one that exists for it, e.g. a user route's) and host route.
 * @return the entry or NULL with errno.
 */
static struct neigh *
neigh_create(struct neigh_fam *f, uint32_t ifl_index, const uint8_t *addr)
{
	const struct ifl *ifl = ifl_lookup(ifl_index);
	unsigned alen = alen_of(f->family);
	struct route_spec rs;
	struct nh_spec ns;
	struct rt_table *t;
	struct neigh *e;
	const char *why;
	uint32_t b;
	int rc;

	if (ifl == NULL || !ifl->fam[iff_of(f->family)].present) {
		errno = ENOENT;
		return NULL;
	}
	if (f->n >= NEIGH_MAX_ENTRIES) {
		errno = ENOSPC;
		return NULL;
	}
	t = rt_table_get(ifl->fam[iff_of(f->family)].rt_inst, f->family);
	if (t == NULL) {
		errno = ENOENT;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->family = f->family;
	e->ifl_index = ifl_index;
	e->rt_inst = ifl->fam[iff_of(f->family)].rt_inst;
	memcpy(e->addr, addr, alen);
	e->retrans_ms = f->params.retrans_ms;
	memset(&ns, 0, sizeof(ns));
	ns.family = f->family;
	ns.type = RNH_HOLD;
	ns.ifl_index = ifl_index;
	memcpy(ns.addr, addr, alen);
	e->nh = nh_get(&ns);
	if (e->nh == NULL) {
		rc = errno;
		free(e);
		errno = rc;
		return NULL;
	}
	memset(&rs, 0, sizeof(rs));
	rs.key.family = f->family;
	rs.key.dst_len = (uint8_t)(alen * 8);
	memcpy(rs.key.dst, addr, alen);
	rs.type = RTT_IFDEST;
	rs.ifl_index = ifl_index;
	rs.nh = e->nh;
	rc = route_add(t, &rs, &why);
	if (rc < 0) {
		nh_put(e->nh);
		free(e);
		errno = -rc;
		return NULL;
	}
	e->route = true;
	nsdp_timer_init(&e->timer, neigh_ts, &f->q, NEIGH_MSG_TIMER);
	neigh_set_state(e, NEIGH_INCOMPLETE);
	if (e->nh->type == RNH_UNICAST) {
		/* Someone's user route resolved it statically before: use that. */
		memcpy(e->mac, e->nh->l2, 6);
		neigh_set_state(e, NEIGH_STALE);
	}
	b = neigh_hash(ifl_index, addr, alen);
	e->hnext = f->hash[b];
	f->hash[b] = e;
	f->n++;
	__atomic_store_n(&f->st.entries, f->n, __ATOMIC_RELAXED);
	return e;
}

static void
neigh_solicit(struct neigh_fam *f, struct neigh *e, bool unicast)
{
	int rc;

	if (f->proto == NULL || f->proto->send_solicit == NULL)
		return;
	rc = f->proto->send_solicit(e->ifl_index, e->addr, unicast ? e->mac : NULL);
	e->probes++;
	if (rc == 0)
		NEIGH_STAT_ADD(f->family, requests_sent, 1);
}

/* Start resolving a new entry: first solicitation, retransmission timer. */
static void
neigh_start(struct neigh_fam *f, struct neigh *e)
{
	e->retrans_ms = f->params.retrans_ms;
	neigh_solicit(f, e, false);
	neigh_arm(e, e->retrans_ms);
}

/* Resolution failed: FAILED for failed_ms, nothing held, no route. */
static void
neigh_fail(struct neigh_fam *f, struct neigh *e)
{
	NEIGH_STAT_ADD(f->family, failed, 1);
	neigh_release(f, e, DROP_neigh_failed);
	neigh_set_state(e, NEIGH_FAILED);
	memset(e->mac, 0, sizeof(e->mac));
	neigh_arm(e, f->params.failed_ms);
}

static void
neigh_backoff(struct neigh_fam *f, struct neigh *e)
{
	uint32_t next = e->retrans_ms * 2;

	e->retrans_ms = next > f->params.retrans_max_ms ? f->params.retrans_max_ms : next;
}

/* A timer of @e expired (RFC 4861 7.3.3 and appendix C). */
static void
neigh_timer(struct neigh_fam *f, struct neigh *e)
{
	const struct neigh_params *p = &f->params;

	if (e->dead)
		return;
	switch (e->state) {
	case NEIGH_INCOMPLETE:
		if (e->probes >= p->mcast_probes) {
			neigh_fail(f, e);
			return;
		}
		neigh_backoff(f, e);
		neigh_solicit(f, e, false);
		neigh_arm(e, e->retrans_ms);
		return;
	case NEIGH_REACHABLE:
		neigh_set_state(e, NEIGH_STALE);
		__atomic_store_n(&e->nh->used, 0, __ATOMIC_RELAXED);
		neigh_arm(e, p->delay_ms);
		return;
	case NEIGH_STALE:
		/* Sent through while STALE: DELAY (7.3.3), then PROBE. */
		if (__atomic_load_n(&e->nh->used, __ATOMIC_RELAXED)) {
			neigh_set_state(e, NEIGH_DELAY);
			neigh_arm(e, p->delay_ms);
			return;
		}
		if (p->stale_ms != 0 && now_ns() - e->changed_ns >= (uint64_t)p->stale_ms * MS) {
			neigh_destroy(f, e, DROP_neigh_flushed);
			return;
		}
		neigh_arm(e, p->delay_ms);
		return;
	case NEIGH_DELAY:
		neigh_set_state(e, NEIGH_PROBE);
		e->retrans_ms = p->retrans_ms;
		neigh_solicit(f, e, true);
		neigh_arm(e, e->retrans_ms);
		return;
	case NEIGH_PROBE:
		if (e->probes >= p->ucast_probes) {
			neigh_fail(f, e);
			return;
		}
		neigh_backoff(f, e);
		neigh_solicit(f, e, true);
		neigh_arm(e, e->retrans_ms);
		return;
	case NEIGH_FAILED:
		neigh_destroy(f, e, DROP_neigh_failed);
		return;
	default:
		return;
	}
}

/* Hold @m on HOLD next hop @nh, or send it if @nh turned UNICAST meanwhile. */
static void
neigh_hold_pkt(struct neigh_fam *f, const struct nexthop *nh, struct rte_mbuf *m)
{
	if (nh->hold == NULL) {
		/*
		 * A next hop created UNICAST (a gateway resolved before the entry
		 * existed) has no hold ring: send through it, or drop if it is
		 * anything else by now.
		 */
		struct lcore_ctx *c = neigh_ctx();

		if (c == NULL || __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE) != RNH_UNICAST) {
			neigh_drop(m, DROP_neigh_no_entry);
			return;
		}
		__atomic_load_n(&nh->output, __ATOMIC_ACQUIRE)(
			c, nh, &m, 1, (pkt_meta(m)->flags & PKT_F_ORIGINATED) ? NH_OUT_ORIGINATED : 0,
			NULL);
		tx_flush(c);
		return;
	}
	if (rte_ring_mp_enqueue(nh->hold, m) < 0) {
		NEIGH_STAT_ADD(f->family, hold_dropped, 1);
		neigh_drop(m, DROP_hold_full);
		return;
	}
	NEIGH_STAT_ADD(f->family, held, 1);
	if (__atomic_load_n(&nh->type, __ATOMIC_ACQUIRE) == RNH_UNICAST) {
		struct lcore_ctx *c = neigh_ctx();

		if (c != NULL) {
			while (nh_hold_flush(c, nh) > 0)
				;
			tx_flush(c);
		}
	}
}

/*
 * A packet for (@ifl_index, @addr): hold it on the entry (created and
 * solicited for if new), send it if resolved, drop it if FAILED.
 */
static void
neigh_resolve_pkt(struct neigh_fam *f, uint32_t ifl_index, const uint8_t *addr,
		  struct rte_mbuf *m)
{
	struct neigh *e = neigh_find(f, ifl_index, addr);

	if (e != NULL && e->state == NEIGH_FAILED) {
		NEIGH_STAT_ADD(f->family, hold_dropped, 1);
		neigh_drop_unreachable(m);
		return;
	}
	if (e == NULL) {
		e = neigh_create(f, ifl_index, addr);
		if (e == NULL) {
			neigh_drop(m, DROP_neigh_no_entry);
			return;
		}
		if (e->state == NEIGH_INCOMPLETE)
			neigh_start(f, e);
		else
			neigh_arm(e, f->params.delay_ms);
	}
	if (e->nh->type == RNH_HOLD && e->nh->hold != NULL &&
	    rte_ring_count(e->nh->hold) >= f->params.hold_max) {
		NEIGH_STAT_ADD(f->family, hold_dropped, 1);
		neigh_drop(m, DROP_hold_full);
		return;
	}
	neigh_hold_pkt(f, e->nh, m);
}

/* Whether @addr may be a neighbour: not zero, multicast or (IPv4) broadcast. */
static bool
neigh_addr_ok(int family, const uint8_t *a)
{
	static const uint8_t zero[16];

	if (memcmp(a, zero, alen_of(family)) == 0)
		return false;
	if (family == 4)
		return (a[0] & 0xf0) != 0xe0 && !(a[0] == 0xff && a[1] == 0xff && a[2] == 0xff &&
						  a[3] == 0xff);
	return a[0] != 0xff;
}

static void
neigh_msg_resolve(struct neigh_fam *f, struct svc_msg *msg)
{
	struct rte_mbuf *m = svc_msg_to_mbuf(msg);
	const struct nexthop *nh = nh_by_index(msg->arg);
	uint8_t addr[16] = { 0 };

	if (nh == NULL || nh->type != RNH_RESOLV) {
		neigh_drop(m, DROP_neigh_no_entry);
		return;
	}
	if (f->proto == NULL || f->proto->dst_of(m, addr) < 0 || !neigh_addr_ok(f->family, addr)) {
		neigh_drop(m, DROP_neigh_bad_dst);
		return;
	}
	neigh_resolve_pkt(f, nh->ifl_index, addr, m);
}

static void
neigh_msg_hold(struct neigh_fam *f, struct svc_msg *msg)
{
	struct rte_mbuf *m = svc_msg_to_mbuf(msg);
	const struct nexthop *nh = nh_by_index(msg->arg);
	uint8_t addr[16];
	uint8_t type;

	if (nh == NULL) {
		neigh_drop(m, DROP_no_nexthop);
		return;
	}
	type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	if (type == RNH_UNICAST) {
		neigh_hold_pkt(f, nh, m);
		return;
	}
	if (type != RNH_HOLD) {
		neigh_drop(m, DROP_rnh_dead);
		return;
	}
	/*
	 * Copy what is needed of @nh: resolving may take the config lock, which
	 * waits RCU-offline, after which @nh may be gone.
	 */
	memcpy(addr, nh->addr, sizeof(addr));
	neigh_resolve_pkt(f, nh->ifl_index, addr, m);
}

static void
neigh_msg_tx(struct svc_msg *msg)
{
	struct rte_mbuf *m = svc_msg_to_mbuf(msg);
	const struct ifl *ifl = ifl_lookup(msg->arg);
	struct lcore_ctx *c = neigh_ctx();

	if (ifl == NULL || ifl->port == IFL_NO_PORT || c == NULL) {
		neigh_drop(m, DROP_neigh_no_output);
		return;
	}
	m->port = ifl->port;
	tx_enqueue(c, ifl->port, m);
	tx_flush(c);
}

static void
neigh_msg_free(struct neigh_fam *f, struct svc_msg *msg)
{
	struct neigh *e = container_of(msg, struct neigh, free_msg);

	/* An expiry queued before the cancel is ahead of this message (FIFO). */
	if (!nsdp_timer_idle(&e->timer)) {
		nsdp_timer_cancel(&e->timer);
		svcq_enqueue(&f->q, &e->free_msg);
		return;
	}
	free(e);
}

/* The neighbour queue's handler: one message, config lock held around it. */
static void
neigh_queue_fn(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	struct neigh_fam *f = ctx;
	bool online = rcu_read_ongoing();

	(void)q;
	/*
	 * A worker is an online urcu-qsbr reader. The control thread may hold
	 * the config lock while it waits for a grace period (deferred frees of
	 * the interface tree): waiting for the lock online would deadlock it,
	 * so wait offline. Once held, nothing here waits for a grace period.
	 */
	if (online)
		rcu_thread_offline();
	config_lock();
	if (online)
		rcu_thread_online();
	switch (msg->type == SVC_MSG_TIMER ? NEIGH_MSG_TIMER : msg->subtype) {
	case NEIGH_MSG_RESOLVE:
		neigh_msg_resolve(f, msg);
		break;
	case NEIGH_MSG_HOLD:
		neigh_msg_hold(f, msg);
		break;
	case NEIGH_MSG_INPUT:
		if (f->proto != NULL && f->proto->input != NULL)
			f->proto->input(svc_msg_to_mbuf(msg));
		else
			neigh_drop(svc_msg_to_mbuf(msg), DROP_no_family_input);
		break;
	case NEIGH_MSG_TX:
		neigh_msg_tx(msg);
		break;
	case NEIGH_MSG_TIMER:
		neigh_timer(f, container_of(nsdp_timer_from_msg(msg), struct neigh, timer));
		break;
	case NEIGH_MSG_FREE:
		neigh_msg_free(f, msg);
		break;
	default:
		if (msg->type == SVC_MSG_PACKET)
			neigh_drop(svc_msg_to_mbuf(msg), DROP_neigh_no_entry);
		break;
	}
	config_unlock();
}

/* ---- the packet path's entries ----------------------------------------- */

static void
neigh_queue_pkt(struct neigh_fam *f, struct rte_mbuf *m, uint16_t subtype, uint32_t arg)
{
	struct svc_msg *msg = mbuf_to_svc_msg(m);

	msg->next = NULL;
	msg->type = SVC_MSG_PACKET;
	msg->subtype = subtype;
	msg->arg = arg;
	svcq_enqueue(&f->q, msg);
}

static void
neigh_res_enqueue(struct nh_resolver *r, const struct nexthop *nh, struct rte_mbuf **pkts,
		  uint16_t n)
{
	struct neigh_fam *f = container_of(r, struct neigh_fam, res);

	for (uint16_t i = 0; i < n; i++)
		neigh_queue_pkt(f, pkts[i], NEIGH_MSG_RESOLVE, nh->index);
}

static void
neigh_res_hold(struct nh_resolver *r, const struct nexthop *nh, struct rte_mbuf *m)
{
	struct neigh_fam *f = container_of(r, struct neigh_fam, res);

	neigh_queue_pkt(f, m, NEIGH_MSG_HOLD, nh->index);
}

void
neigh_input_enqueue(int family, struct rte_mbuf *m)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || !f->up) {
		neigh_drop(m, DROP_no_family_input);
		return;
	}
	neigh_queue_pkt(f, m, NEIGH_MSG_INPUT, 0);
}

void
neigh_tx_enqueue(int family, uint32_t ifl_index, struct rte_mbuf *m)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || !f->up) {
		neigh_drop(m, DROP_neigh_no_output);
		return;
	}
	neigh_queue_pkt(f, m, NEIGH_MSG_TX, ifl_index);
}

struct nh_resolver *
neigh_resolver(int family)
{
	struct neigh_fam *f = fam_of(family);

	return f != NULL && f->up ? &f->res : NULL;
}

struct svcq *
neigh_queue(int family)
{
	struct neigh_fam *f = fam_of(family);

	return f != NULL && f->up ? &f->q : NULL;
}

/* ---- learning ------------------------------------------------------------ */

static bool
mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

int
neigh_input_learn(int family, uint32_t ifl_index, const uint8_t *addr, const uint8_t *mac,
		  unsigned flags)
{
	struct neigh_fam *f = fam_of(family);
	struct neigh *e;
	bool changed, was_incomplete;

	if (f == NULL || addr == NULL || mac == NULL || !mac_ok(mac) ||
	    !neigh_addr_ok(family, addr))
		return -EINVAL;
	e = neigh_find(f, ifl_index, addr);
	if (e != NULL && e->state == NEIGH_FAILED && (flags & NEIGH_LEARN_REQUEST)) {
		/* It speaks again: start afresh. */
		neigh_destroy(f, e, DROP_neigh_failed);
		e = NULL;
	}
	if (e == NULL) {
		if (!(flags & NEIGH_LEARN_REQUEST))
			return -ENOENT;
		if (!neigh_on_link(family, ifl_index, addr))
			return -ENETUNREACH;
		e = neigh_create(f, ifl_index, addr);
		if (e == NULL)
			return -errno;
	}
	if (e->state == NEIGH_STATIC || e->state == NEIGH_FAILED)
		return 0;
	if (flags & NEIGH_LEARN_ROUTER)
		e->flags |= NEIGH_F_ROUTER;
	was_incomplete = e->state == NEIGH_INCOMPLETE;
	changed = !was_incomplete && memcmp(e->mac, mac, 6) != 0;
	if (was_incomplete || (changed && (flags & (NEIGH_LEARN_OVERRIDE | NEIGH_LEARN_REQUEST)))) {
		int rc = neigh_set_mac(f, e, mac);

		if (rc < 0)
			return rc;
	} else if (changed) {
		/* RFC 4861 7.2.5: no override, different address: REACHABLE -> STALE only. */
		if (e->state == NEIGH_REACHABLE) {
			neigh_set_state(e, NEIGH_STALE);
			__atomic_store_n(&e->nh->used, 0, __ATOMIC_RELAXED);
			neigh_arm(e, f->params.delay_ms);
		}
		return 0;
	}
	if ((flags & NEIGH_LEARN_SOLICITED) && (flags & NEIGH_LEARN_ADVERT)) {
		if (was_incomplete)
			NEIGH_STAT_ADD(family, resolved, 1);
		neigh_set_state(e, NEIGH_REACHABLE);
		e->retrans_ms = f->params.retrans_ms;
		neigh_arm(e, f->params.reachable_ms);
	} else if (was_incomplete || changed) {
		neigh_set_state(e, NEIGH_STALE);
		__atomic_store_n(&e->nh->used, 0, __ATOMIC_RELAXED);
		neigh_arm(e, f->params.delay_ms);
	}
	return 0;
}

/* ---- configuration ------------------------------------------------------- */

int
neigh_add_static(int family, uint32_t ifl_index, const uint8_t *addr, const uint8_t mac[6])
{
	struct neigh_fam *f = fam_of(family);
	const struct ifl *ifl;
	struct neigh *e;
	bool created = false;
	int rc;

	if (f == NULL || !f->up || addr == NULL || mac == NULL)
		return -EINVAL;
	ifl = ifl_lookup(ifl_index);
	if (ifl == NULL || !ifl->fam[iff_of(family)].present)
		return -ENOENT;
	if (!neigh_addr_ok(family, addr) || !mac_ok(mac) ||
	    neigh_addr_is_ours(family, ifl_index, addr))
		return -EINVAL;
	if (!neigh_on_link(family, ifl_index, addr))
		return -ENETUNREACH;
	e = neigh_find(f, ifl_index, addr);
	if (e != NULL && e->state == NEIGH_FAILED) {
		neigh_destroy(f, e, DROP_neigh_failed);
		e = NULL;
	}
	if (e == NULL) {
		e = neigh_create(f, ifl_index, addr);
		if (e == NULL)
			return -errno;
		created = true;
	}
	rc = neigh_set_mac(f, e, mac);
	if (rc < 0) {
		if (created)
			neigh_destroy(f, e, DROP_neigh_flushed);
		return rc;
	}
	nsdp_timer_cancel(&e->timer);
	neigh_set_state(e, NEIGH_STATIC);
	return 0;
}

int
neigh_del(int family, uint32_t ifl_index, const uint8_t *addr)
{
	struct neigh_fam *f = fam_of(family);
	struct neigh *e;

	if (f == NULL || addr == NULL)
		return -ENOENT;
	e = ifl_index != 0 ? neigh_find(f, ifl_index, addr) : neigh_find_any(f, addr);
	if (e == NULL)
		return -ENOENT;
	neigh_destroy(f, e, DROP_neigh_flushed);
	return 0;
}

static unsigned
neigh_flush_fam(struct neigh_fam *f, uint32_t ifl_index)
{
	unsigned n = 0;

	/* A full scan: entries are few next to interfaces, and often none. */
	if (f->n == 0)
		return 0;
	for (unsigned b = 0; b < NEIGH_BUCKETS; b++) {
		struct neigh *e = f->hash[b], *next;

		for (; e != NULL; e = next) {
			next = e->hnext;
			if (e->ifl_index != ifl_index)
				continue;
			neigh_destroy(f, e, DROP_neigh_flushed);
			n++;
		}
	}
	return n;
}

unsigned
neigh_ifl_flush(uint32_t ifl_index)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 2; i++)
		if (neigh_fams[i].up)
			n += neigh_flush_fam(&neigh_fams[i], ifl_index);
	return n;
}

void
neigh_ifa_removed(uint32_t ifl_index, int family)
{
	struct neigh_fam *f = fam_of(family);

	if (f != NULL && f->up)
		neigh_flush_fam(f, ifl_index);
}

void
neigh_ifa_added(uint32_t ifl_index, int family, const uint8_t *addr)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || !f->up || f->proto == NULL || f->proto->addr_added == NULL)
		return;
	f->proto->addr_added(ifl_index, addr);
}

/* ---- walks --------------------------------------------------------------- */

static void
neigh_info_fill(const struct neigh *e, struct neigh_info *ni, uint64_t now)
{
	memset(ni, 0, sizeof(*ni));
	ni->family = e->family;
	ni->state = e->state;
	ni->flags = e->flags;
	memcpy(ni->addr, e->addr, sizeof(ni->addr));
	memcpy(ni->mac, e->mac, 6);
	ni->ifl_index = e->ifl_index;
	ni->rt_inst = e->rt_inst;
	ni->nh_index = e->nh != NULL ? e->nh->index : 0;
	ni->probes = e->probes;
	ni->age_ms = (now - e->changed_ns) / MS;
	if (e->nh != NULL && e->nh->hold != NULL && e->nh->type == RNH_HOLD)
		ni->held = rte_ring_count(e->nh->hold);
}

int
neigh_get(int family, uint32_t ifl_index, const uint8_t *addr, struct neigh_info *ni)
{
	struct neigh_fam *f = fam_of(family);
	struct neigh *e;

	if (f == NULL || !f->up || addr == NULL)
		return -ENOENT;
	e = neigh_find(f, ifl_index, addr);
	if (e == NULL)
		return -ENOENT;
	neigh_info_fill(e, ni, now_ns());
	return 0;
}

static int
neigh_cmp(const void *a, const void *b)
{
	const struct neigh *x = *(const struct neigh *const *)a, *y = *(const struct neigh *const *)b;

	if (x->ifl_index != y->ifl_index)
		return x->ifl_index < y->ifl_index ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

int
neigh_walk(int family, uint32_t from_ifl, const uint8_t *from_addr,
	   int (*cb)(const struct neigh_info *ni, void *arg), void *arg)
{
	uint64_t now = now_ns();

	for (unsigned i = 0; i < 2; i++) {
		struct neigh_fam *f = &neigh_fams[i];
		struct neigh **v;
		unsigned n = 0;
		int rc = 0;

		if (!f->up || (family != 0 && family != f->family))
			continue;
		if (f->n == 0)
			continue;
		v = malloc(f->n * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		for (unsigned b = 0; b < NEIGH_BUCKETS; b++)
			for (struct neigh *e = f->hash[b]; e != NULL; e = e->hnext)
				v[n++] = e;
		qsort(v, n, sizeof(*v), neigh_cmp);
		for (unsigned k = 0; k < n && rc == 0; k++) {
			struct neigh_info ni;

			if (from_addr != NULL &&
			    (v[k]->ifl_index < from_ifl ||
			     (v[k]->ifl_index == from_ifl &&
			      memcmp(v[k]->addr, from_addr, alen_of(f->family)) <= 0)))
				continue;
			neigh_info_fill(v[k], &ni, now);
			rc = cb(&ni, arg);
		}
		free(v);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- tunables ------------------------------------------------------------ */

int
neigh_params_get(int family, struct neigh_params *p)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || p == NULL)
		return -EINVAL;
	*p = f->params;
	return 0;
}

int
neigh_params_set(int family, const struct neigh_params *p)
{
	struct neigh_fam *f = fam_of(family);

	if (f == NULL || p == NULL || p->reachable_ms == 0 || p->retrans_ms == 0 ||
	    p->retrans_max_ms < p->retrans_ms || p->delay_ms == 0 || p->failed_ms == 0 ||
	    p->mcast_probes == 0 || p->ucast_probes == 0 || p->hold_max == 0 ||
	    p->hold_max > NH_HOLD_MAX)
		return -EINVAL;
	f->params = *p;
	return 0;
}

/* ---- protocols, start and stop ------------------------------------------- */

int
neigh_proto_register(const struct neigh_proto *p)
{
	struct neigh_fam *f = p != NULL ? fam_of(p->family) : NULL;

	if (f == NULL || p->dst_of == NULL || p->addr_len != alen_of(p->family))
		return -EINVAL;
	if (f->proto != NULL)
		return -EEXIST;
	__atomic_store_n(&f->proto, p, __ATOMIC_RELEASE);
	return 0;
}

void
neigh_proto_unregister(int family)
{
	struct neigh_fam *f = fam_of(family);

	if (f != NULL)
		__atomic_store_n(&f->proto, NULL, __ATOMIC_RELEASE);
}

static int
tel_neigh(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < 2; i++) {
		struct neigh_stats st;
		struct rte_tel_data *x;

		if (neigh_stats_get(neigh_fams[i].family, &st) < 0)
			continue;
		x = rte_tel_data_alloc();
		if (x == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_u64(x, "entries", st.entries);
		rte_tel_data_add_dict_u64(x, "requests_sent", st.requests_sent);
		rte_tel_data_add_dict_u64(x, "requests_rcvd", st.requests_rcvd);
		rte_tel_data_add_dict_u64(x, "replies_sent", st.replies_sent);
		rte_tel_data_add_dict_u64(x, "replies_rcvd", st.replies_rcvd);
		rte_tel_data_add_dict_u64(x, "resolved", st.resolved);
		rte_tel_data_add_dict_u64(x, "failed", st.failed);
		rte_tel_data_add_dict_u64(x, "held", st.held);
		rte_tel_data_add_dict_u64(x, "hold_dropped", st.hold_dropped);
		rte_tel_data_add_dict_u64(x, "gratuitous_sent", st.gratuitous_sent);
		rte_tel_data_add_dict_container(d, i == 0 ? "ipv4" : "ipv6", x, 0);
	}
	return 0;
}

int
neigh_init(struct svc_sched *sched, struct timer_service *ts)
{
	static const char *const qnames[2] = { "neigh4", "neigh6" };
	int rc;

	if (sched == NULL || ts == NULL)
		return -EINVAL;
	neigh_ts = ts;
	neigh_mp = NULL;
	for (unsigned i = 0; i < 2; i++) {
		struct neigh_fam *f = &neigh_fams[i];
		/* A protocol may register before neigh_init (its init runs first). */
		const struct neigh_proto *keep = f->proto;

		memset(f, 0, sizeof(*f));
		f->proto = keep;
		f->family = i == 0 ? 4 : 6;
		f->params = params_default;
		f->res.enqueue = neigh_res_enqueue;
		f->res.hold = neigh_res_hold;
		f->res.name = i == 0 ? "arp" : "nd";
		rc = svcq_init(&f->q, sched, qnames[i], neigh_queue_fn, f);
		if (rc < 0) {
			if (i == 1)
				svcq_fini(&neigh_fams[0].q);
			neigh_fams[0].up = false;
			return rc;
		}
		f->up = true;
	}
	rc = arp_init();
	if (rc < 0) {
		for (unsigned i = 0; i < 2; i++) {
			svcq_fini(&neigh_fams[i].q);
			neigh_fams[i].up = false;
		}
		return rc;
	}
	nh_set_default_resolver(4, &neigh_fams[0].res);
	nh_set_default_resolver(6, &neigh_fams[1].res);
	/* Registered once per process; a second neigh_init (tests) keeps the first. */
	(void)rte_telemetry_register_cmd("/nsdp/neigh", tel_neigh,
					 "Neighbour cache counters per family (ARP, ND).");
	return 0;
}

void
neigh_fini(void)
{
	bool any = false;

	for (unsigned i = 0; i < 2; i++)
		any |= neigh_fams[i].up;
	if (!any)
		return;
	config_lock();
	nh_set_default_resolver(4, NULL);
	nh_set_default_resolver(6, NULL);
	arp_fini();
	for (unsigned i = 0; i < 2; i++) {
		struct neigh_fam *f = &neigh_fams[i];

		if (!f->up)
			continue;
		for (unsigned b = 0; b < NEIGH_BUCKETS; b++)
			while (f->hash[b] != NULL)
				neigh_destroy(f, f->hash[b], DROP_neigh_flushed);
	}
	config_unlock();
	/* Entries' free messages and any packets still queued. */
	for (unsigned i = 0; i < 2; i++) {
		struct neigh_fam *f = &neigh_fams[i];

		if (!f->up)
			continue;
		svcq_consume_begin(&f->q);
		svcq_drain(&f->q);
		svcq_consume_end(&f->q);
	}
	for (unsigned i = 0; i < 2; i++) {
		struct neigh_fam *f = &neigh_fams[i];

		if (!f->up)
			continue;
		f->proto = NULL;
		svcq_fini(&f->q);
		f->up = false;
	}
	neigh_ts = NULL;
}
