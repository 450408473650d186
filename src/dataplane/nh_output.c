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
 * here (paper 1080-1092).
 *
 * Multicast and broadcast on an ifl (nh_mcast_xmit, paper 1530-1600): the
 * L2 header is the one the ifl keeps for its family (struct ifl_family
 * bcast_l2: the port's MAC, the ifl's tag stack, as unicast next hops get
 * theirs) with the destination MAC mapped from the group (RFC 1112 6.4,
 * RFC 2464 7) or left the broadcast address. MULTICAST next hops forward a
 * received packet once (TTL / hop limit, scope; no ICMP errors for
 * multicast, RFC 1812 4.3.2.7, RFC 4443 2.4 (e)) and then copy it to every
 * listed ifl; the local copy (ifl 0) stays as received. MDISCARD, MRECV,
 * BRECV and MGROUP send originated packets out the ifl the sender named in
 * the call's metadata (struct nh_out_meta).
 *
 * Copies are full copies (rte_pktmbuf_copy) into mbufs of the packet's
 * pool, not indirect mbufs: each copy needs its own L2 header in front, and
 * a copy takes it in its own headroom, so every frame leaves as one direct
 * segment; an indirect copy needs a header mbuf as well and makes a
 * two-segment frame, and costs more cycles below about 512 bytes, fewer
 * above (docs/forwarding.md, "Multicast", has the measurement). The last
 * copy of a packet is the packet itself: one output ifl copies nothing.
 *
 * Packet path: no locks, no allocation besides mbufs, no syscalls.
 */
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_ring.h>
#include <urcu-qsbr.h>

#include "ifcfg/ifcfg.h"
#include "ifl_stats.h"
#include "ip4.h"
#include "ip6.h"
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

/* ---- multicast and broadcast on an ifl ---- */

/*
 * The destination MAC for @ip (the packet's IP header) into @mac, which
 * holds the broadcast address: the group's (RFC 1112 6.4: 01:00:5e and the
 * low 23 bits; RFC 2464 7: 33:33 and the low 32 bits), else left broadcast.
 */
static inline void
nh_mcast_dst_mac(int family, const uint8_t *ip, uint8_t *mac)
{
	if (family == 6) {
		ip6_mcast_mac(ip + 24, mac);
	} else if ((ip[16] & 0xf0) == 0xe0) {
		mac[0] = 0x01, mac[1] = 0x00, mac[2] = 0x5e;
		mac[3] = ip[17] & 0x7f, mac[4] = ip[18], mac[5] = ip[19];
	}
}

/* Put the ifl's header (destination MAC from @m's group) in front of @m and queue it on @port. */
static inline void
nh_mcast_frame(struct lcore_ctx *c, const struct ifl_family *fd, int family, uint16_t port,
	       struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *h;

	nh_mcast_dst_mac(family, ip, mac);
	h = (uint8_t *)rte_pktmbuf_prepend(m, fd->bcast_l2_len);
	if (unlikely(h == NULL)) {
		nh_drop(&m, 1, DROP_no_headroom);
		return;
	}
	rte_memcpy(h, fd->bcast_l2, fd->bcast_l2_len);
	memcpy(h, mac, 6);
	tx_enqueue(c, port, m);
}

/*
 * @m is larger than the ifl's MTU: IPv4 without DF, and IPv6 built here
 * (the source fragments, RFC 8200 4.5), go out in fragments; the rest is
 * dropped (no ICMP error for multicast and broadcast, RFC 1812 4.3.2.7).
 */
static void
nh_mcast_fragment(struct lcore_ctx *c, const struct ifl_family *fd, int family, uint16_t port,
		  struct ifl_fam_ctr *tc, struct rte_mbuf *m, uint16_t mtu, bool originated)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	struct rte_mbuf *frags[IP4_FRAG_MAX];
	struct rte_mempool *direct, *indirect;
	int32_t nf;

	if (family == 4 ? (ip[6] & 0x40) != 0 : !originated) {
		nh_drop(&m, 1, DROP_mcast_too_big);
		return;
	}
	ip_frag_pools(&direct, &indirect);
	if (direct == NULL)
		nf = -ENOMEM;
	else if (family == 4)
		nf = rte_ipv4_fragment_packet(m, frags, IP4_FRAG_MAX, mtu, direct, indirect);
	else
		nf = rte_ipv6_fragment_packet(m, frags, IP4_FRAG_MAX, mtu, direct, indirect);
	if (nf < 0) {
		nh_drop(&m, 1, DROP_frag_failed);
		return;
	}
	for (int32_t i = 0; i < nf; i++) {
		if (family == 4) {
			struct rte_ipv4_hdr *fh = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);

			fh->hdr_checksum = 0;
			fh->hdr_checksum = rte_ipv4_cksum(fh);
		}
		frags[i]->port = m->port;
		*pkt_meta(frags[i]) = *pkt_meta(m);
		if (tc != NULL) {
			tc->tx_packets++;
			tc->tx_bytes += frags[i]->pkt_len;
		}
		nh_mcast_frame(c, fd, family, port, frags[i]);
	}
	/* The fragments hold references to the original's data. */
	rte_pktmbuf_free(m);
}

/*
 * Send @pkts (data at the IP header, of @family) out @ifl_index as
 * multicast or broadcast, as they are; consumes them. The one way
 * multicast and broadcast leave on an ifl: MULTICAST copies, and what
 * MDISCARD, MRECV, BRECV and MGROUP send for senders on this system.
 * Counted as tx of the family on the ifl.
 */
static void
nh_mcast_xmit(struct lcore_ctx *c, int family, uint32_t ifl_index, struct rte_mbuf **pkts,
	      uint16_t n, bool originated)
{
	const struct ifl *ifl = ifl_lookup(ifl_index);
	unsigned f = family == 6 ? IFF_INET6 : IFF_INET;
	const struct ifl_family *fd;
	struct ifl_fam_ctr *tc;
	uint16_t mtu;

	if (n == 0)
		return;
	/* Gone, no iff of the family, or no multicast (NBMA, PPPoE, no port). */
	if (unlikely(ifl == NULL || !ifl->fam[f].present || ifl->fam[f].bcast_l2_len == 0 ||
		     ifl->port >= RTE_MAX_ETHPORTS)) {
		nh_drop(pkts, n, DROP_mcast_bad_ifl);
		return;
	}
	fd = &ifl->fam[f];
	mtu = fd->mtu;
	tc = ifl_stats_this_lcore(ifl->stats_slot, f);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(mtu != 0 && m->pkt_len > mtu)) {
			nh_mcast_fragment(c, fd, family, ifl->port, tc, m, mtu, originated);
			continue;
		}
		if (tc != NULL) {
			tc->tx_packets++;
			tc->tx_bytes += m->pkt_len;
		}
		nh_mcast_frame(c, fd, family, ifl->port, m);
	}
}

/* Originated multicast / broadcast: out the ifl the sender named (paper 1580-1600). */
static void
nh_mcast_originated(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		    uint16_t n, const void *meta)
{
	const struct nh_out_meta *om = meta;

	if (om == NULL || om->ifl_index == 0) {
		nh_drop(pkts, n, DROP_no_output_ifl);
		return;
	}
	nh_mcast_xmit(c, nh->family, om->ifl_index, pkts, n, true);
}

/* MDISCARD: received multicast nobody joined is dropped; originated goes out. */
static void
nh_output_mdiscard(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		   uint16_t n, unsigned flags, const void *meta)
{
	if (flags & NH_OUT_ORIGINATED)
		nh_mcast_originated(c, nh, pkts, n, meta);
	else
		nh_drop(pkts, n, DROP_rnh_mdiscard);
}

/* MRECV, BRECV: received packets are delivered; originated ones go out. */
static void
nh_output_xrecv(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		uint16_t n, unsigned flags, const void *meta)
{
	if (flags & NH_OUT_ORIGINATED)
		nh_mcast_originated(c, nh, pkts, n, meta);
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
		nh_mcast_originated(c, nh, pkts, n, meta);
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
 * The forward step of a received multicast (RFC 1812 5.3.1, RFC 8200 3):
 * DROP_MAX when it may be forwarded, else why not. Changes nothing.
 */
static inline enum drop_reason
nh_mcast_fwd_check(int family, const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	if (family == 4) {
		/* RFC 5771 4: the local network control block stays on its link. */
		if (ip[16] == 224 && ip[17] == 0 && ip[18] == 0)
			return DROP_mcast_scope;
		return ip[8] <= 1 ? DROP_mcast_ttl_expired : DROP_MAX;
	}
	/* RFC 4291 2.7: scopes up to link-local; 2.5.6: a link-local source. */
	if ((ip[25] & 0x0f) <= 2 || ip6_is_link_local(ip + 8))
		return DROP_mcast_scope;
	return ip[7] <= 1 ? DROP_mcast_ttl_expired : DROP_MAX;
}

/* Decrement TTL (RFC 1624 checksum update) or hop limit of @m, checked before. */
static inline void
nh_mcast_fwd_apply(int family, struct rte_mbuf *m)
{
	uint8_t *ip = rte_pktmbuf_mtod(m, uint8_t *);

	if (family == 4) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		uint16_t old = *(const uint16_t *)&h->time_to_live, new;

		h->time_to_live--;
		new = *(const uint16_t *)&h->time_to_live;
		h->hdr_checksum = ip4_cksum_adjust(h->hdr_checksum, old, new);
	} else {
		ip[7]--;
	}
}

/* A full copy of @m (headers, metadata) in its own pool: headroom for the L2 header. */
static inline struct rte_mbuf *
nh_mcast_copy(struct rte_mbuf *m)
{
	return rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
}

/*
 * MULTICAST (paper 1530-1545): a copy per listed ifl, sent as multicast on
 * it; ifl 0 is the local copy. A received packet is forwarded once before
 * it is copied (the local copy keeps it as received) and never copied back
 * out the ifl it came in on; an originated one goes out unchanged.
 */
static void
nh_output_multicast(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
		    uint16_t n, unsigned flags, const void *meta)
{
	bool originated = flags & NH_OUT_ORIGINATED, local = false;
	struct rte_mbuf *loc[n], *fwd[n], *out[n];
	uint32_t ifls[NH_LIST_MAX], skip[n];
	uint16_t n_loc = 0, n_fwd = 0;
	uint8_t left[n];
	unsigned n_if = 0;

	for (unsigned k = 0; k < nh->n_ifl; k++) {
		if (nh->ifl_list[k] == 0)
			local = true;
		else
			ifls[n_if++] = nh->ifl_list[k];
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *base = m;
		enum drop_reason why = DROP_MAX;
		unsigned copies = 0;

		skip[n_fwd] = originated ? 0 : pkt_meta(m)->ifl_index;
		for (unsigned k = 0; k < n_if; k++)
			copies += ifls[k] != skip[n_fwd];
		/* Nowhere to go but where it came from, and nobody here wants it. */
		if (copies == 0 && n_if > 0 && !local)
			why = DROP_mcast_no_copy;
		else if (copies > 0 && !originated)
			why = nh_mcast_fwd_check(nh->family, m);
		if (copies == 0 || why != DROP_MAX) {
			if (why != DROP_MAX)
				nh_count_drops(&m, 1, why, 1);
			if (local)
				loc[n_loc++] = m;
			else
				rte_pktmbuf_free(m);
			continue;
		}
		if (local) {
			/* The local copy stays as received; the interface copies come from this one. */
			base = nh_mcast_copy(m);
			loc[n_loc++] = m;
			if (unlikely(base == NULL)) {
				nh_count_drops(&m, 1, DROP_mcast_no_mbuf, copies);
				continue;
			}
		}
		if (!originated)
			nh_mcast_fwd_apply(nh->family, base);
		left[n_fwd] = (uint8_t)copies;
		fwd[n_fwd++] = base;
	}
	/* Interface by interface, so each ifl gets its copies as one run. */
	for (unsigned k = 0; k < n_if && n_fwd > 0; k++) {
		uint16_t n_out = 0;

		for (uint16_t i = 0; i < n_fwd; i++) {
			struct rte_mbuf *cp;

			if (ifls[k] == skip[i])
				continue;
			/* The last copy of a packet is the packet itself. */
			cp = --left[i] == 0 ? fwd[i] : nh_mcast_copy(fwd[i]);
			if (unlikely(cp == NULL)) {
				nh_count_drops(&fwd[i], 1, DROP_mcast_no_mbuf, 1);
				continue;
			}
			out[n_out++] = cp;
		}
		nh_mcast_xmit(c, nh->family, ifls[k], out, n_out, originated);
	}
	nh_local_deliver(c, nh, loc, n_loc, flags, meta);
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
