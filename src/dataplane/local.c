/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local.c: the local path (paper 1653-1700): what LOCAL, RECV, BRECV,
 * MRECV and MGROUP next hops do with the packets they receive. In order:
 *   1. the family's input filter for locally bound packets (none by default);
 *   2. fragments to the reassembly queue (reasm.c); whole packets on;
 *   3. the L3 demux of the packet's routing instance (l3demux.c);
 *   4. no match: the protocol's answer. UDP: ICMP port unreachable;
 *      TCP: a RST built on a worker (the tcp_rst queue, rate-limited per
 *      routing instance); ICMP / ICMPv6: nothing (an echo reply or an
 *      error nobody waits for is not answered); others: ICMP protocol
 *      unreachable. Only for packets to one of our addresses (LOCAL next
 *      hop): never for broadcast / multicast receipt, nor for RECV (Router
 *      Alert packets, whatever their destination), nor for packets nsdp
 *      built itself.
 *
 * While a packet is on the local path, pkt_meta(m)->msg.arg holds the type
 * of the next hop that delivered it (RNH_LOCAL, RNH_BRECV, ...), so the
 * consumers can tell unicast from broadcast / multicast receipt.
 *
 * Lock legend: [C] config lock, [R] RCU-published, [Q] the tcp_rst queue's
 * consumer, [A] atomic, [I] set by local_init.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <urcu-qsbr.h>

#include "ip.h"
#include "l3demux.h"
#include "lcore.h"
#include "nexthop.h"
#include "pkt_meta.h"
#include "route.h"
#include "svcq.h"

#define RST_QUEUE_MAX 512
#define RST_RATE 1000 /* RSTs per second per routing instance */
#define RST_BURST 50

static local_filter_fn local_filter[2]; /* [R] */

struct rst_bucket {
	uint64_t credit; /* [Q] tokens * tsc_hz */
	uint64_t last;   /* [Q] tsc of the last refill; 0 = never (full) */
};

static struct rst_bucket rst_rl[RT_INST_MAX]; /* [Q] */
static struct svcq rst_q;
static uint32_t rst_queued; /* [A] */
static bool local_up;       /* [I] */
static bool local_closing;  /* [C] local_fini: free, don't answer */

int
local_filter_set(int family, local_filter_fn fn)
{
	if (family != 4 && family != 6)
		return -EINVAL;
	rcu_assign_pointer(local_filter[family == 6], fn);
	return 0;
}

/* ---- no-match answers ---------------------------------------------------- */

static bool
rst_allow(uint16_t inst)
{
	struct rst_bucket *b = &rst_rl[inst < RT_INST_MAX ? inst : 0];
	uint64_t hz = rte_get_tsc_hz(), now = rte_get_tsc_cycles();
	uint64_t cap = (uint64_t)RST_BURST * hz;

	if (b->last == 0)
		b->credit = cap;
	else
		b->credit += (now - b->last) * RST_RATE;
	if (b->credit > cap)
		b->credit = cap;
	b->last = now;
	if (b->credit < hz)
		return false;
	b->credit -= hz;
	return true;
}

/* Read @len bytes at @off of @m into @buf. */
static const uint8_t *
pkt_read(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	return rte_pktmbuf_read(m, off, len, buf);
}

struct rte_mbuf *
local_tcp_rst_make(struct rte_mbuf *m)
{
	uint8_t hb[40], tb[20];
	const uint8_t *h = pkt_read(m, 0, 1, hb), *t;
	struct l3demux_pkey pk;
	int family;
	uint32_t l4, plen = rte_pktmbuf_pkt_len(m), seg_len, seq, ack;
	uint8_t flags, doff;
	struct rte_mbuf *r;
	uint8_t *p;
	struct rte_tcp_hdr *th;

	if (h == NULL) {
		errno = EINVAL;
		return NULL;
	}
	family = h[0] >> 4;
	if (l3demux_extract(m, family, &pk) < 0 || pk.proto != IPPROTO_TCP ||
	    (t = pkt_read(m, pk.l4_off, 20, tb)) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	l4 = pk.l4_off;
	flags = t[13];
	doff = (uint8_t)((t[12] >> 4) * 4);
	if ((flags & RTE_TCP_RST_FLAG) || doff < 20 || l4 + doff > plen) {
		errno = EINVAL;
		return NULL;
	}
	seg_len = plen - l4 - doff + !!(flags & RTE_TCP_SYN_FLAG) + !!(flags & RTE_TCP_FIN_FLAG);
	memcpy(&seq, t + 4, 4);
	memcpy(&ack, t + 8, 4);
	r = rte_pktmbuf_alloc(m->pool);
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(r, (family == 4 ? 20 : 40) + 20);
	if (p == NULL) {
		rte_pktmbuf_free(r);
		errno = ENOSPC;
		return NULL;
	}
	th = (struct rte_tcp_hdr *)(p + (family == 4 ? 20 : 40));
	memset(th, 0, sizeof(*th));
	memcpy(&th->src_port, t + 2, 2);
	memcpy(&th->dst_port, t + 0, 2);
	if (flags & RTE_TCP_ACK_FLAG) {
		th->sent_seq = ack;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		th->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(seq) + seg_len);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	th->data_off = 5 << 4;
	if (family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)p;

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(40);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, pk.dst, 4);
		memcpy(&ip->dst_addr, pk.src, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)p;

		memset(ip, 0, sizeof(*ip));
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16(20);
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, pk.dst, 16);
		memcpy(ip->dst_addr, pk.src, 16);
		th->cksum = rte_ipv6_udptcp_cksum(ip, th);
	}
	pkt_meta_rx_init(r, 0);
	pkt_meta(r)->flags = PKT_F_ORIGINATED;
	pkt_meta(r)->rt_inst = pkt_meta(m)->rt_inst;
	r->port = m->port;
	return r;
}

static void
rst_handler(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	struct lcore_ctx *c = ip_this_lcore();
	struct rte_mbuf *m, *r = NULL;
	uint16_t inst;

	(void)q, (void)ctx;
	if (msg->type != SVC_MSG_PACKET)
		return;
	m = svc_msg_to_mbuf(msg);
	__atomic_fetch_sub(&rst_queued, 1, __ATOMIC_RELAXED);
	inst = pkt_meta(m)->rt_inst;
	if (!local_closing && c != NULL && rst_allow(inst))
		r = local_tcp_rst_make(m);
	if (r == NULL)
		ip_count(m, DROP_tcp_rst_not_sent);
	rte_pktmbuf_free(m);
	if (r != NULL) {
		if ((rte_pktmbuf_mtod(r, uint8_t *)[0] >> 4) == 4)
			ip4_originate(c, inst, &r, 1);
		else
			ip6_originate(c, inst, &r, 1);
		tx_flush(c);
	}
}

static void
rst_enqueue(struct rte_mbuf *m)
{
	struct svc_msg *msg;

	if (!local_up || __atomic_add_fetch(&rst_queued, 1, __ATOMIC_RELAXED) > RST_QUEUE_MAX) {
		if (local_up)
			__atomic_fetch_sub(&rst_queued, 1, __ATOMIC_RELAXED);
		ip_count(m, DROP_local_queue_full);
		rte_pktmbuf_free(m);
		return;
	}
	msg = mbuf_to_svc_msg(m);
	msg->type = SVC_MSG_PACKET;
	msg->subtype = 0;
	svcq_enqueue(&rst_q, msg);
}

static bool
dst_is_group(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if ((p[0] >> 4) == 4)
		return p[16] >= 224 ||
		       (p[16] == 255 && p[17] == 255 && p[18] == 255 && p[19] == 255);
	return p[24] == 0xff;
}

/* Packets no entry took: answer as the protocol says, or drop. */
static void
local_no_match(struct rte_mbuf **pkts, uint16_t n, unsigned flags)
{
	struct rte_mbuf *port_un[32], *proto_un[32];
	uint16_t n_port = 0, n_proto = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *v = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t nh_type = pkt_meta(m)->msg.arg;
		struct l3demux_pkey pk;

		if (l3demux_extract(m, v[0] >> 4, &pk) < 0) {
			ip_count(m, DROP_local_malformed);
			rte_pktmbuf_free(m);
			continue;
		}
		ip_count(m, DROP_local_no_consumer);
		/* RFC 1122 3.2.2, RFC 1812 4.3.2.7: nothing for broadcast or
		 * multicast; nothing for what we built; ICMP is not answered.
		 * Only LOCAL (one of our addresses) is answered: RECV takes
		 * packets whatever their destination (Router Alert, 0.0.0.0). */
		if ((flags & NH_OUT_ORIGINATED) || nh_type != RNH_LOCAL || dst_is_group(m) ||
		    pk.proto == IPPROTO_ICMP || pk.proto == IPPROTO_ICMPV6) {
			rte_pktmbuf_free(m);
			continue;
		}
		if (pk.proto == IPPROTO_TCP)
			rst_enqueue(m);
		else if (pk.proto == IPPROTO_UDP)
			port_un[n_port++] = m;
		else
			proto_un[n_proto++] = m;
		if (n_port == 32) {
			ip_error_enqueue(port_un, n_port, IP_ERR_PORT_UNREACH, 0);
			n_port = 0;
		}
		if (n_proto == 32) {
			ip_error_enqueue(proto_un, n_proto, IP_ERR_PROTO_UNREACH, 0);
			n_proto = 0;
		}
	}
	if (n_port > 0)
		ip_error_enqueue(port_un, n_port, IP_ERR_PORT_UNREACH, 0);
	if (n_proto > 0)
		ip_error_enqueue(proto_un, n_proto, IP_ERR_PROTO_UNREACH, 0);
}

void
local_deliver_whole(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, unsigned flags)
{
	struct rte_mbuf *miss[32];

	while (n > 0) {
		uint16_t k = n > 32 ? 32 : n, n_miss;

		n_miss = l3demux_dispatch(c, pkts, k, miss);
		if (n_miss > 0)
			local_no_match(miss, n_miss, flags);
		pkts += k;
		n -= k;
	}
}

void
local_input(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n,
	    unsigned flags, const void *meta)
{
	local_filter_fn f = rcu_dereference(local_filter[nh->family == 6]);
	struct rte_mbuf *frag[32], *whole[32];

	(void)meta;
	if (f != NULL)
		n = f(c, pkts, n);
	while (n > 0) {
		uint16_t k = n > 32 ? 32 : n, n_frag = 0, n_whole = 0;

		for (uint16_t i = 0; i < k; i++) {
			struct rte_mbuf *m = pkts[i];

			pkt_meta(m)->msg.arg = nh->type;
			if (ip_is_fragment(m, nh->family))
				frag[n_frag++] = m;
			else
				whole[n_whole++] = m;
		}
		if (n_frag > 0)
			reasm_enqueue(frag, n_frag);
		if (n_whole > 0)
			local_deliver_whole(c, whole, n_whole, flags);
		pkts += k;
		n -= k;
	}
}

/* ---- start and stop ------------------------------------------------------ */

unsigned
local_drain(void)
{
	unsigned n = 0;

	if (!local_up)
		return 0;
	svcq_consume_begin(&rst_q);
	n += svcq_drain(&rst_q);
	svcq_consume_end(&rst_q);
	n += reasm_drain();
	n += echo_drain();
	return n;
}

int
local_init(struct svc_sched *sched, struct timer_service *ts)
{
	int rc;

	if (local_up)
		return -EEXIST;
	if (sched == NULL)
		return -EINVAL;
	rc = svcq_init(&rst_q, sched, "tcp_rst", rst_handler, NULL);
	if (rc < 0)
		return rc;
	rc = reasm_init(sched, ts);
	if (rc < 0)
		goto err_q;
	rc = echo_init(sched);
	if (rc < 0)
		goto err_reasm;
	local_up = true;
	nh_set_local_input(4, local_input);
	nh_set_local_input(6, local_input);
	return 0;
err_reasm:
	reasm_fini();
err_q:
	svcq_fini(&rst_q);
	return rc;
}

void
local_fini(void)
{
	if (!local_up)
		return;
	nh_set_local_input(4, NULL);
	nh_set_local_input(6, NULL);
	local_closing = true;
	local_drain();
	echo_fini();
	reasm_fini();
	local_up = false;
	local_closing = false;
	svcq_fini(&rst_q);
}
