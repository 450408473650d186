/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp6.c: ICMPv6 error messages (RFC 4443), built on a worker from the
 * received packets the IPv6 input hands to ip_error_enqueue(), and sent back
 * through the stateless core as originated packets (ip6_originate()).
 *
 * What answers what (RFC 4443 2.4, 3):
 *   IP_ERR_TTL          time exceeded, code 0 (hop limit exceeded in transit)
 *   IP_ERR_NET_UNREACH  destination unreachable, code 0 (no route)
 *   IP_ERR_HOST_UNREACH destination unreachable, code 3 (address unreachable)
 *   IP_ERR_PORT_UNREACH destination unreachable, code 4 (port unreachable)
 *   IP_ERR_PROTO_UNREACH parameter problem, code 1 (unrecognized next header),
 *                       pointing at the next header field naming it
 *   IP_ERR_FRAG_NEEDED  packet too big, MTU = arg
 *   IP_ERR_PARAM        parameter problem, code 0 with pointer = arg, or
 *                       code 2 (unrecognized option) with ICMP6_PARAM_OPTION
 *                       set in arg
 * Never answered (RFC 4443 2.4 (e)), counted as icmp_not_answered: ICMPv6
 * errors and redirects, packets to a multicast destination except packet
 * too big and parameter problem code 2, packets whose source is unspecified,
 * multicast or otherwise not one node, non-first fragments (nothing to say
 * about their transport), packets that were not received (ours).
 * The error carries as much of the original as fits in 1280 bytes
 * (RFC 4443 2.4 (c)), from an address of the incoming ifl (RFC 4443 2.2,
 * ifa_source_addr()), or from the original destination when that is ours
 * (the port and protocol unreachable of locally delivered packets).
 * Rate limit: one token of the routing instance's bucket (ip_error_allow(),
 * RFC 4443 2.4 (f)) per error sent.
 *
 * Context: the worker running the error queue's handler (an online
 * urcu-qsbr reader). The source address lookup needs the config lock: the
 * worker goes offline around it so a writer waiting for a grace period
 * while holding the lock cannot wait for it.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "ip.h"
#include "ip6.h"
#include "lcore.h"

#define ICMP6_HOP_LIMIT 64
#define ICMP6_ERR_HDR_LEN 8
/* Fragment header, routing, destination options: the chain walked to the transport. */
#define IP6_PROTO_ROUTING 43
#define IP6_PROTO_DSTOPTS 60
#define IP6_EXT_MAX 8

uint16_t
icmp6_cksum_sum(const uint8_t src[16], const uint8_t dst[16], const void *msg, uint32_t len)
{
	uint32_t ph[2] = { rte_cpu_to_be_32(len), rte_cpu_to_be_32(IP6_PROTO_ICMP6) };
	uint32_t sum;

	sum = __rte_raw_cksum(src, 16, 0);
	sum = __rte_raw_cksum(dst, 16, sum);
	sum = __rte_raw_cksum(ph, sizeof(ph), sum);
	sum = __rte_raw_cksum(msg, len, sum);
	return __rte_raw_cksum_reduce(sum);
}

void
icmp6_cksum_set(uint8_t *ip6)
{
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip6;
	uint32_t len = rte_be_to_cpu_16(h->payload_len);
	uint8_t *msg = ip6 + IP6_HDR_LEN;
	uint16_t s;

	msg[2] = 0;
	msg[3] = 0;
	s = (uint16_t)~icmp6_cksum_sum(h->src_addr, h->dst_addr, msg, len);
	memcpy(msg + 2, &s, 2);
}

/* Count @m under @r on this thread's counters and free it. */
static void
icmp6_decline(struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	struct lcore_counters *lcc = lc < RTE_MAX_LCORE ? nsdp_lcore_counters[lc] : NULL;

	if (lcc != NULL)
		lcc->port[m->port < RTE_MAX_ETHPORTS ? m->port : 0].drops[r]++;
	rte_pktmbuf_free(m);
}

/*
 * What follows the extension headers of @m: the transport protocol in
 * *@proto, its offset in *@off, the offset of the next header field that
 * names it in *@nxt_off, and whether the packet is a non-first fragment.
 * @return 0, or -1 if the chain is truncated or too long (then *@proto is
 * the last one that could be read).
 */
static int
icmp6_walk(const struct rte_mbuf *m, uint8_t *proto, uint32_t *off, uint32_t *nxt_off,
	   bool *later_frag)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint8_t p = h->proto;
	uint32_t o = IP6_HDR_LEN, no = 6;

	*later_frag = false;
	for (unsigned i = 0; i < IP6_EXT_MAX; i++) {
		uint8_t buf[4];
		const uint8_t *e;

		*proto = p;
		*off = o;
		*nxt_off = no;
		if (p != IP6_PROTO_HOPOPTS && p != IP6_PROTO_ROUTING && p != IP6_PROTO_DSTOPTS &&
		    p != IP6_PROTO_FRAG)
			return 0;
		e = rte_pktmbuf_read(m, o, sizeof(buf), buf);
		if (e == NULL)
			return -1;
		no = o;
		if (p == IP6_PROTO_FRAG) {
			/* Fragment offset (13 bits) non-zero: the transport header is elsewhere. */
			if ((((uint16_t)e[2] << 8 | e[3]) & 0xfff8) != 0)
				*later_frag = true;
			o += 8;
		} else {
			o += ((uint32_t)e[1] + 1) * 8;
		}
		p = e[0];
	}
	return -1;
}

/* Whether RFC 4443 2.4 (e) forbids answering @m with an error of @type / @code. */
static bool
icmp6_never_answer(const struct rte_mbuf *m, uint8_t type, uint8_t code)
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint32_t off, nxt_off;
	uint8_t proto;
	bool later;

	if (!(pkt_meta((struct rte_mbuf *)m)->flags & PKT_F_RECEIVED))
		return true;
	/* (e.6): the source must identify one node. */
	if (ip6_is_unspecified(h->src_addr) || ip6_is_multicast(h->src_addr))
		return true;
	/* (e.3): multicast destination, except packet too big and unrecognized option. */
	if (ip6_is_multicast(h->dst_addr) &&
	    !(type == ICMP6_PACKET_TOO_BIG || (type == ICMP6_PARAM_PROB && code == 2)))
		return true;
	icmp6_walk(m, &proto, &off, &nxt_off, &later);
	if (later)
		return true;
	/* (e.1), (e.2): errors and redirects. */
	if (proto == IP6_PROTO_ICMP6) {
		uint8_t tb;
		const uint8_t *t = rte_pktmbuf_read(m, off, 1, &tb);

		if (t == NULL || *t < 128 || *t == ND_REDIRECT)
			return true;
	}
	return false;
}

/* Type, code and the 32-bit field of the error for (@err, @arg) about @m. */
static int
icmp6_map(const struct rte_mbuf *m, enum ip_err err, uint32_t arg, uint8_t *type,
	  uint8_t *code, uint32_t *field)
{
	uint32_t off, nxt_off;
	uint8_t proto;
	bool later;

	*field = 0;
	switch (err) {
	case IP_ERR_TTL:
		*type = ICMP6_TIME_EXCEEDED;
		*code = 0;
		return 0;
	case IP_ERR_NET_UNREACH:
		*type = ICMP6_DST_UNREACH;
		*code = 0;
		return 0;
	case IP_ERR_HOST_UNREACH:
		*type = ICMP6_DST_UNREACH;
		*code = 3;
		return 0;
	case IP_ERR_PORT_UNREACH:
		*type = ICMP6_DST_UNREACH;
		*code = 4;
		return 0;
	case IP_ERR_PROTO_UNREACH:
		icmp6_walk(m, &proto, &off, &nxt_off, &later);
		*type = ICMP6_PARAM_PROB;
		*code = 1;
		*field = nxt_off;
		return 0;
	case IP_ERR_FRAG_NEEDED:
		*type = ICMP6_PACKET_TOO_BIG;
		*code = 0;
		*field = arg;
		return 0;
	case IP_ERR_PARAM:
		*type = ICMP6_PARAM_PROB;
		*code = (arg & ICMP6_PARAM_OPTION) ? 2 : 0;
		*field = arg & ~ICMP6_PARAM_OPTION;
		return 0;
	default:
		return -1;
	}
}

/*
 * The source of the error: the original destination if it is one of our
 * unicast addresses (the packet was for us), else an address of the
 * incoming ifl. @return 0 or -ENOENT.
 */
static int
icmp6_source(const struct rte_mbuf *m, enum ip_err err, uint8_t out[16])
{
	const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	uint32_t ifl_index = pkt_meta((struct rte_mbuf *)m)->ifl_index;
	int rc;

	if ((err == IP_ERR_PORT_UNREACH || err == IP_ERR_PROTO_UNREACH) &&
	    !ip6_is_multicast(h->dst_addr)) {
		memcpy(out, h->dst_addr, 16);
		return 0;
	}
	rcu_thread_offline();
	config_lock();
	rc = ifa_source_addr(ifl_index, 6, h->src_addr, out);
	config_unlock();
	rcu_thread_online();
	return rc;
}

void
icmp6_error_build(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg)
{
	const struct rte_ipv6_hdr *oh;
	struct rte_ipv6_hdr *h;
	struct rte_mbuf *e;
	uint32_t field, copy, len;
	uint8_t type, code, src[16], *p;
	const void *orig;
	uint16_t inst = pkt_meta(m)->rt_inst;

	if (rte_pktmbuf_data_len(m) < IP6_HDR_LEN || icmp6_map(m, err, arg, &type, &code, &field) < 0 ||
	    icmp6_never_answer(m, type, code)) {
		icmp6_decline(m, DROP_icmp_not_answered);
		return;
	}
	if (!ip_error_allow(inst)) {
		icmp6_decline(m, DROP_icmp_ratelimited);
		return;
	}
	if (icmp6_source(m, err, src) < 0) {
		icmp6_decline(m, DROP_icmp_no_source);
		return;
	}
	e = rte_pktmbuf_alloc(m->pool);
	if (e == NULL) {
		icmp6_decline(m, DROP_icmp_no_mbuf);
		return;
	}
	/* RFC 4443 2.4 (c): as much of the invoking packet as fits in the minimum MTU. */
	copy = RTE_MIN(m->pkt_len, (uint32_t)(IP6_MIN_MTU - IP6_HDR_LEN - ICMP6_ERR_HDR_LEN));
	len = IP6_HDR_LEN + ICMP6_ERR_HDR_LEN + copy;
	p = (uint8_t *)rte_pktmbuf_append(e, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(e);
		icmp6_decline(m, DROP_icmp_no_mbuf);
		return;
	}
	oh = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	h = (struct rte_ipv6_hdr *)p;
	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16((uint16_t)(len - IP6_HDR_LEN));
	h->proto = IP6_PROTO_ICMP6;
	h->hop_limits = ICMP6_HOP_LIMIT;
	memcpy(h->src_addr, src, 16);
	memcpy(h->dst_addr, oh->src_addr, 16);
	p[IP6_HDR_LEN] = type;
	p[IP6_HDR_LEN + 1] = code;
	field = rte_cpu_to_be_32(field);
	memcpy(p + IP6_HDR_LEN + 4, &field, 4);
	/* rte_pktmbuf_read() copies only when the data spans segments. */
	orig = rte_pktmbuf_read(m, 0, copy, p + IP6_HDR_LEN + ICMP6_ERR_HDR_LEN);
	if (orig != p + IP6_HDR_LEN + ICMP6_ERR_HDR_LEN)
		memcpy(p + IP6_HDR_LEN + ICMP6_ERR_HDR_LEN, orig, copy);
	icmp6_cksum_set(p);
	e->port = m->port;
	rte_pktmbuf_free(m);
	ip6_originate(c, inst, &e, 1);
}
