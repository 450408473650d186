/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nh_output.c: the output function of each next-hop type (paper 1418-1650).
 * A function gets a run of packets the forwarding lookup sent to one next
 * hop and owns them: it transmits them, hands them on (resolver, local
 * input, hold queue) or drops and counts each one under a named reason.
 *
 * What the IPv4/IPv6 input work does before calling these, not here: the
 * header checks, the forward step of received packets (TTL / hop limit
 * check and decrement, ICMP time exceeded, MTU check), the forwarding
 * lookup (which applies the route's RTF_IFCHECK / RTF_LOCAL), and the ICMP unreachable a
 * received packet earns on a REJECT next hop (here it is counted and
 * dropped). Packets arrive with their data starting at the L3 header.
 *
 * Received and originated: NH_OUT_ORIGINATED in @flags marks packets built
 * here (paper 1080-1092). Multicast and broadcast output of originated
 * packets needs the interface chosen from metadata and its own L2 output;
 * that arrives with the interface tree's output path and is counted as
 * no_output_ifl until then.
 *
 * Packet path: no locks, no allocation besides mbufs, no syscalls.
 */
#include <rte_ring.h>
#include <urcu-qsbr.h>

#include "lcore.h"
#include "nexthop.h"

/* Count @n packets under @r (@times each) on this thread's counters, by each packet's port. */
static void
nh_count_drops(struct rte_mbuf **pkts, uint16_t n, enum drop_reason r, unsigned times)
{
	unsigned lc = rte_lcore_id();
	struct lcore_counters *lcc = lc < RTE_MAX_LCORE ? nsdp_lcore_counters[lc] : NULL;

	if (lcc == NULL)
		return;
	for (uint16_t i = 0; i < n; i++) {
		uint16_t port = pkts[i]->port < RTE_MAX_ETHPORTS ? pkts[i]->port : 0;

		lcc->port[port].drops[r] += times;
	}
}

/* Count @n packets under @r and free them. */
static void
nh_drop(struct rte_mbuf **pkts, uint16_t n, enum drop_reason r)
{
	nh_count_drops(pkts, n, r, 1);
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Hand packets to the family's local input, or count them. */
static void
nh_local_deliver(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		 uint16_t n, unsigned flags, const void *meta)
{
	nh_output_fn in;

	if (n == 0)
		return;
	in = nh_local_input(nh->family);
	if (in == NULL) {
		nh_drop(pkts, n, DROP_no_local_input);
		return;
	}
	in(c, nh, pkts, n, flags, meta);
}

static void
nh_output_reject(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		 uint16_t n, unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)flags, (void)meta;
	nh_drop(pkts, n, DROP_rnh_reject);
}

static void
nh_output_discard(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		  uint16_t n, unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)flags, (void)meta;
	nh_drop(pkts, n, DROP_rnh_discard);
}

static void
nh_output_dead(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
	       uint16_t n, unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)flags, (void)meta;
	nh_drop(pkts, n, DROP_rnh_dead);
}

/* RECV: received packets are delivered; originated ones are refused. */
static void
nh_output_recv(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
	       uint16_t n, unsigned flags, const void *meta)
{
	if (flags & NH_OUT_ORIGINATED)
		nh_drop(pkts, n, DROP_recv_originated);
	else
		nh_local_deliver(c, nh, pkts, n, flags, meta);
}

/* MDISCARD: received multicast nobody joined is dropped; originated goes out. */
static void
nh_output_mdiscard(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		   uint16_t n, unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)meta;
	nh_drop(pkts, n, flags & NH_OUT_ORIGINATED ? DROP_no_output_ifl : DROP_rnh_mdiscard);
}

/* MRECV, BRECV: received packets are delivered; originated ones go out. */
static void
nh_output_xrecv(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		uint16_t n, unsigned flags, const void *meta)
{
	if (flags & NH_OUT_ORIGINATED)
		nh_drop(pkts, n, DROP_no_output_ifl);
	else
		nh_local_deliver(c, nh, pkts, n, flags, meta);
}

/* LOCAL: ours, whichever way it came. */
static void
nh_output_local(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		uint16_t n, unsigned flags, const void *meta)
{
	nh_local_deliver(c, nh, pkts, n, flags, meta);
}

/* MGROUP: received on a listed ifl -> delivered, else dropped (paper 1565-1576). */
static void
nh_output_mgroup(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		 uint16_t n, unsigned flags, const void *meta)
{
	struct rte_mbuf *in[n], *out[n];
	uint16_t n_in = 0, n_out = 0;

	if (flags & NH_OUT_ORIGINATED) {
		nh_drop(pkts, n, DROP_no_output_ifl);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		uint32_t ifl = pkt_meta(pkts[i])->ifl_index;
		bool joined = false;

		for (unsigned k = 0; k < nh->n_ifl && !joined; k++)
			joined = nh->ifl_list[k] == ifl;
		if (joined)
			in[n_in++] = pkts[i];
		else
			out[n_out++] = pkts[i];
	}
	if (n_out > 0)
		nh_drop(out, n_out, DROP_mgroup_not_joined);
	nh_local_deliver(c, nh, in, n_in, flags, meta);
}

/*
 * MULTICAST: a copy per listed ifl; ifl 0 is the local copy, delivered
 * un-forwarded. Output on interfaces needs the interface tree's L2 output
 * (counted no_output_ifl until it exists).
 */
static void
nh_output_multicast(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		    uint16_t n, unsigned flags, const void *meta)
{
	bool local = false;
	unsigned others = 0;

	for (unsigned k = 0; k < nh->n_ifl; k++) {
		if (nh->ifl_list[k] == 0)
			local = true;
		else
			others++;
	}
	/* Each interface copy that cannot be sent is counted, none is made. */
	if (others > 0 && local)
		nh_count_drops(pkts, n, DROP_no_output_ifl, others);
	if (local) {
		nh_local_deliver(c, nh, pkts, n, flags, meta);
	} else {
		nh_count_drops(pkts, n, DROP_no_output_ifl, others);
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

/* Prepend the prebuilt L2 header and queue on the output port. */
static void
nh_unicast_send(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		uint16_t n)
{
	uint8_t l2_len = nh->l2_len;
	uint16_t port = nh->port;

	for (uint16_t i = 0; i < n; i++) {
		char *h = rte_pktmbuf_prepend(pkts[i], l2_len);

		if (unlikely(h == NULL)) {
			nh_drop(&pkts[i], 1, DROP_no_headroom);
			continue;
		}
		rte_memcpy(h, nh->l2, l2_len);
		tx_enqueue(c, port, pkts[i]);
	}
}

static unsigned
nh_hold_send(struct lcore_ctx *c, const struct nexthop *nh)
{
	struct rte_mbuf *held[RX_BURST];
	unsigned n;

	/* One burst at a time, as the tx buffers expect. */
	n = rte_ring_mc_dequeue_burst(nh->hold, (void **)held, RX_BURST, NULL);
	if (n > 0)
		nh_unicast_send(c, nh, held, (uint16_t)n);
	return n;
}

static void
nh_output_unicast(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		  uint16_t n, unsigned flags, const void *meta)
{
	(void)flags, (void)meta;
	/* A store only when the resolver cleared it: the line stays shared. */
	if (unlikely(__atomic_load_n(&nh->used, __ATOMIC_RELAXED) == 0))
		__atomic_store_n(&((struct nexthop *)(uintptr_t)nh)->used, 1, __ATOMIC_RELAXED);
	/* Once HOLD: what it held goes first, in order (nh_resolved). */
	if (unlikely(nh->hold != NULL) && !rte_ring_empty(nh->hold))
		nh_hold_send(c, nh);
	nh_unicast_send(c, nh, pkts, n);
}

/*
 * RESOLV: the resolver stores the packets and learns the neighbour; next
 * hops made without one (subnet routes) use the family's default resolver.
 */
static void
nh_output_resolv(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		 uint16_t n, unsigned flags, const void *meta)
{
	struct nh_resolver *r = nh->resolver;

	(void)c, (void)flags, (void)meta;
	if (r == NULL)
		r = nh_default_resolver(nh->family);
	if (r == NULL || r->enqueue == NULL) {
		nh_drop(pkts, n, DROP_no_resolver);
		return;
	}
	r->enqueue(r, nh, pkts, n);
}

/*
 * HOLD: keep up to NH_HOLD_MAX packets until the neighbour is resolved.
 * The packet that finds the ring empty goes to the family's default
 * resolver instead: it is the notification that the next hop holds
 * something (the resolver may not know this next hop, see nexthop.h).
 * Several lcores may each pass one on at once; the resolver copes.
 */
static void
nh_output_hold(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
	       uint16_t n, unsigned flags, const void *meta)
{
	struct nh_resolver *r;
	unsigned q;

	(void)c, (void)flags, (void)meta;
	if (n > 0 && rte_ring_empty(nh->hold)) {
		r = nh_default_resolver(nh->family);
		if (r != NULL && r->hold != NULL) {
			r->hold(r, nh, pkts[0]);
			pkts++;
			n--;
		}
	}
	q = rte_ring_mp_enqueue_burst(nh->hold, (void **)pkts, n, NULL);
	if (q < n)
		nh_drop(pkts + q, (uint16_t)(n - q), DROP_hold_full);
}

unsigned
nh_hold_flush(struct lcore_ctx *c, const struct nexthop *nh)
{
	if (nh == NULL || nh->hold == NULL ||
	    __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE) != RNH_UNICAST)
		return 0;
	return nh_hold_send(c, nh);
}

static const nh_output_fn nh_outputs[RNH_TYPE_MAX] = {
	[RNH_REJECT] = nh_output_reject,
	[RNH_DISCARD] = nh_output_discard,
	[RNH_RECV] = nh_output_recv,
	[RNH_MDISCARD] = nh_output_mdiscard,
	[RNH_MRECV] = nh_output_xrecv,
	[RNH_BRECV] = nh_output_xrecv,
	[RNH_LOCAL] = nh_output_local,
	[RNH_UNICAST] = nh_output_unicast,
	[RNH_RESOLV] = nh_output_resolv,
	[RNH_MGROUP] = nh_output_mgroup,
	[RNH_MULTICAST] = nh_output_multicast,
	[RNH_HOLD] = nh_output_hold,
	[RNH_DEAD] = nh_output_dead,
};

nh_output_fn
nh_output_of(unsigned type)
{
	return type < RNH_TYPE_MAX ? nh_outputs[type] : NULL;
}
