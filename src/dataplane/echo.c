/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * echo.c: the in-dataplane ICMP and ICMPv6 echo responders (RFC 792,
 * RFC 1122 3.2.2.6, RFC 4443 4.2), consumers of the L3 demux like any
 * other: two entries for every routing instance (L3DEMUX_INST_ANY), type
 * 8 / 128 code 0 in the first two transport bytes.
 *
 * A request to one of our unicast addresses is answered in place on the
 * thread that demuxed it (the rx lcore): the reply is the request with its
 * addresses swapped, the type changed and the checksums updated
 * incrementally, so no allocation, no lock, and the source is the address
 * the host pinged (which can be lo0's). A request received as broadcast or
 * multicast needs a source address chosen from the configuration, which
 * takes the config lock, so it goes to the echo queue and is answered on a
 * worker from an address of the incoming ifl (ifa_source_addr). Replies go
 * out through ip4_originate / ip6_originate in the request's routing
 * instance, so they never leave it.
 *
 * Lock legend: [I] set by echo_init, [A] atomic.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>

#include "ctrl/config.h"
#include "ip.h"
#include "ip4.h"
#include "ip6.h"
#include "l3demux.h"
#include "lcore.h"
#include "nexthop.h"
#include "pkt_meta.h"
#include "svcq.h"

#define ECHO_QUEUE_MAX 256

static struct svcq echo_q;
static bool echo_up;         /* [I] */
static uint32_t echo_queued; /* [A] */
static uint32_t echo_id[2];  /* [I] demux entry ids */

/* One's-complement sum of [off, off + len) of @m, folded, not inverted. */
static uint16_t
sum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t seed)
{
	uint16_t raw = 0;
	uint32_t s;

	if (rte_raw_cksum_mbuf(m, off, len, &raw) < 0)
		return 0;
	s = seed + raw;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Write the 2 bytes at @off (inside the first segment) and keep @ck right. */
static void
word_set(uint8_t *p, uint16_t *ck, uint16_t newv)
{
	uint16_t old;

	memcpy(&old, p, 2);
	*ck = ip4_cksum_adjust(*ck, old, newv);
	memcpy(p, &newv, 2);
}

int
echo4_reply_make(struct rte_mbuf *m, const uint8_t *src)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	uint32_t hlen, tot, a;
	uint8_t *icmp;
	uint16_t ck, w;

	if (m->data_len < 20)
		return -EINVAL;
	hlen = (ip->version_ihl & 0xf) * 4u;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ip->next_proto_id != IPPROTO_ICMP || tot != rte_pktmbuf_pkt_len(m) || tot < hlen + 8 ||
	    m->data_len < hlen + 8)
		return -EINVAL;
	icmp = (uint8_t *)ip + hlen;
	if (icmp[0] != 8 || icmp[1] != 0)
		return -EINVAL;
	/* RFC 1122 3.2.2.6: the reply carries the request's data; a request
	 * with a wrong checksum is not answered. */
	if (sum_mbuf(m, hlen, tot - hlen, 0) != 0xffff)
		return -EINVAL;
	memcpy(&ck, icmp + 2, 2);
	word_set(icmp, &ck, rte_cpu_to_be_16(0 << 8 | icmp[1]));
	memcpy(icmp + 2, &ck, 2);
	/* Addresses: swapping keeps the IPv4 checksum; a new source does not,
	 * the header checksum is recomputed below anyway. */
	memcpy(&a, &ip->src_addr, 4);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	if (src != NULL)
		memcpy(&ip->src_addr, src, 4);
	ip->time_to_live = 64;
	w = ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->fragment_offset = w;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	pkt_meta(m)->flags = PKT_F_ORIGINATED;
	pkt_meta(m)->ifl_index = 0;
	m->ol_flags = 0;
	return 0;
}

int
echo6_reply_make(struct rte_mbuf *m, const uint8_t *src)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	struct l3demux_pkey pk;
	uint8_t tmp[16], *icmp;
	uint32_t len, sum;
	uint16_t ck;

	if (m->data_len < 40 || l3demux_extract(m, 6, &pk) < 0 || pk.proto != IPPROTO_ICMPV6)
		return -EINVAL;
	len = rte_pktmbuf_pkt_len(m) - pk.l4_off;
	if (len < 8 || m->data_len < pk.l4_off + 8u ||
	    40u + rte_be_to_cpu_16(ip->payload_len) != rte_pktmbuf_pkt_len(m))
		return -EINVAL;
	icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, pk.l4_off);
	if (icmp[0] != ICMP6_ECHO_REQUEST || icmp[1] != 0)
		return -EINVAL;
	/* RFC 8200 8.1 pseudo header: addresses, upper-layer length, 58. */
	sum = 0;
	for (unsigned i = 0; i < 16; i += 2)
		sum += (uint32_t)(pk.src[i] << 8 | pk.src[i + 1]) +
		       (uint32_t)(pk.dst[i] << 8 | pk.dst[i + 1]);
	sum += (len >> 16) + (len & 0xffff) + IPPROTO_ICMPV6;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	if (sum_mbuf(m, pk.l4_off, len, rte_cpu_to_be_16((uint16_t)sum)) != 0xffff)
		return -EINVAL;
	memcpy(&ck, icmp + 2, 2);
	word_set(icmp, &ck, rte_cpu_to_be_16(ICMP6_ECHO_REPLY << 8 | icmp[1]));
	/* Swapping the addresses keeps the pseudo-header sum; a new source
	 * replaces the old destination's words. */
	memcpy(tmp, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, tmp, 16);
	if (src != NULL) {
		for (unsigned i = 0; i < 16; i += 2) {
			uint16_t nw;

			memcpy(&nw, src + i, 2);
			word_set(ip->src_addr + i, &ck, nw);
		}
	}
	memcpy(icmp + 2, &ck, 2);
	ip->hop_limits = 64;
	pkt_meta(m)->flags = PKT_F_ORIGINATED;
	pkt_meta(m)->ifl_index = 0;
	m->ol_flags = 0;
	return 0;
}

static bool
echo_needs_source(struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t t = pkt_meta(m)->msg.arg;

	if (t == RNH_BRECV || t == RNH_MRECV || t == RNH_MGROUP)
		return true;
	if ((p[0] >> 4) == 4)
		return p[16] >= 224;
	return p[24] == 0xff;
}

static void
echo_send(struct lcore_ctx *c, struct rte_mbuf **r, uint16_t n, int family)
{
	for (uint16_t a = 0; a < n;) {
		uint16_t b = a + 1, inst = pkt_meta(r[a])->rt_inst;

		while (b < n && pkt_meta(r[b])->rt_inst == inst)
			b++;
		if (family == 4)
			ip4_originate(c, inst, &r[a], b - a);
		else
			ip6_originate(c, inst, &r[a], b - a);
		a = b;
	}
}

/* The demux handler of both families (@state: (void *)4 or (void *)6). */
static void
echo_input(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	int family = (int)(uintptr_t)state;
	struct rte_mbuf *r[32];
	uint16_t n_r = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int rc;

		if (echo_needs_source(m) || c == NULL) {
			struct svc_msg *msg = mbuf_to_svc_msg(m);

			if (!echo_up || __atomic_add_fetch(&echo_queued, 1, __ATOMIC_RELAXED) >
						ECHO_QUEUE_MAX) {
				if (echo_up)
					__atomic_fetch_sub(&echo_queued, 1, __ATOMIC_RELAXED);
				ip_count(m, DROP_local_queue_full);
				rte_pktmbuf_free(m);
				continue;
			}
			msg->type = SVC_MSG_PACKET;
			msg->subtype = (uint16_t)family;
			svcq_enqueue(&echo_q, msg);
			continue;
		}
		rc = family == 4 ? echo4_reply_make(m, NULL) : echo6_reply_make(m, NULL);
		if (rc < 0) {
			ip_count(m, DROP_echo_bad_checksum);
			rte_pktmbuf_free(m);
			continue;
		}
		r[n_r++] = m;
		if (n_r == 32) {
			echo_send(c, r, n_r, family);
			n_r = 0;
		}
	}
	if (n_r > 0)
		echo_send(c, r, n_r, family);
}

/* The echo queue: requests received as broadcast / multicast. */
static void
echo_handler(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	struct lcore_ctx *c = ip_this_lcore();
	struct rte_mbuf *m;
	uint8_t src[16], peer[16];
	int family, rc;

	(void)q, (void)ctx;
	if (msg->type != SVC_MSG_PACKET)
		return;
	m = svc_msg_to_mbuf(msg);
	__atomic_fetch_sub(&echo_queued, 1, __ATOMIC_RELAXED);
	family = msg->subtype;
	if (c == NULL) {
		ip_count(m, DROP_local_queue_full);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(peer, rte_pktmbuf_mtod_offset(m, uint8_t *, family == 4 ? 12 : 8),
	       family == 4 ? 4 : 16);
	config_lock();
	rc = ifa_source_addr(pkt_meta(m)->ifl_index, family, peer, src);
	config_unlock();
	if (rc < 0) {
		ip_count(m, DROP_icmp_no_source);
		rte_pktmbuf_free(m);
		return;
	}
	rc = family == 4 ? echo4_reply_make(m, src) : echo6_reply_make(m, src);
	if (rc < 0) {
		ip_count(m, DROP_echo_bad_checksum);
		rte_pktmbuf_free(m);
		return;
	}
	echo_send(c, &m, 1, family);
	tx_flush(c);
}

unsigned
echo_drain(void)
{
	unsigned n;

	if (!echo_up)
		return 0;
	svcq_consume_begin(&echo_q);
	n = svcq_drain(&echo_q);
	svcq_consume_end(&echo_q);
	return n;
}

int
echo_init(struct svc_sched *sched)
{
	struct l3demux_key k4 = {
		.family = 4, .proto = IPPROTO_ICMP, .tp = { 8, 0 }, .tp_mask = { 0xff, 0xff }
	};
	struct l3demux_key k6 = { .family = 6,
				  .proto = IPPROTO_ICMPV6,
				  .tp = { ICMP6_ECHO_REQUEST, 0 },
				  .tp_mask = { 0xff, 0xff } };
	int rc;

	if (echo_up)
		return -EEXIST;
	rc = svcq_init(&echo_q, sched, "echo", echo_handler, NULL);
	if (rc < 0)
		return rc;
	rc = l3demux_add(L3DEMUX_INST_ANY, &k4, echo_input, (void *)(uintptr_t)4, "echo",
			 &echo_id[0]);
	if (rc == 0) {
		rc = l3demux_add(L3DEMUX_INST_ANY, &k6, echo_input, (void *)(uintptr_t)6, "echo",
				 &echo_id[1]);
		if (rc < 0)
			l3demux_del_id(echo_id[0]);
	}
	if (rc < 0) {
		svcq_fini(&echo_q);
		return rc;
	}
	echo_up = true;
	return 0;
}

void
echo_fini(void)
{
	if (!echo_up)
		return;
	l3demux_del_id(echo_id[0]);
	l3demux_del_id(echo_id[1]);
	echo_drain();
	echo_up = false;
	svcq_fini(&echo_q);
}
