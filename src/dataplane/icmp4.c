/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmp4.c: the ICMP error generator (RFC 792, RFC 1812 4.3.2), run on a
 * worker in the error queue's handler (ip.c): decides whether a packet may
 * be answered, takes a token of its routing instance's bucket, picks the
 * source address under the config lock, builds the error in a new mbuf
 * quoting as much of the offending packet as fits in 576 bytes, and sends
 * it through the stateless core as an originated packet (ip4_originate).
 *
 * Worker only ([Q]: the error queue's single consumer).
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "ip.h"
#include "ip4.h"
#include "lcore.h"

#define ICMP4_HDR_LEN 8
#define ICMP4_TTL 64
#define ICMP4_PREC_INTERNET_CONTROL 0xc0 /* precedence 6 (RFC 1812 4.3.2.5) */

/* ICMP types and codes (RFC 792, RFC 1191, RFC 1812). */
#define ICMP4_DEST_UNREACH 3
#define ICMP4_TIME_EXCEEDED 11
#define ICMP4_PARAM_PROB 12

static uint16_t icmp4_ip_id; /* [Q] identification of the errors sent */

/* Whether ICMP type @t is an error (RFC 1812 4.3.2.7: errors are never answered). */
static bool
icmp4_type_is_error(uint8_t t)
{
	switch (t) {
	case 3:  /* destination unreachable */
	case 4:  /* source quench */
	case 5:  /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		return true;
	default:
		return false;
	}
}

/* Type, code and the second word of the ICMP header for @err. */
static bool
icmp4_type_code(enum ip_err err, uint32_t arg, uint8_t *type, uint8_t *code, uint32_t *word)
{
	*word = 0;
	switch (err) {
	case IP_ERR_TTL:
		*type = ICMP4_TIME_EXCEEDED, *code = 0;
		return true;
	case IP_ERR_NET_UNREACH:
		*type = ICMP4_DEST_UNREACH, *code = 0;
		return true;
	case IP_ERR_HOST_UNREACH:
		*type = ICMP4_DEST_UNREACH, *code = 1;
		return true;
	case IP_ERR_PROTO_UNREACH:
		*type = ICMP4_DEST_UNREACH, *code = 2;
		return true;
	case IP_ERR_PORT_UNREACH:
		*type = ICMP4_DEST_UNREACH, *code = 3;
		return true;
	case IP_ERR_FRAG_NEEDED:
		/* RFC 1191 4: next-hop MTU in the low 16 bits. */
		*type = ICMP4_DEST_UNREACH, *code = 4;
		*word = arg & 0xffff;
		return true;
	case IP_ERR_PARAM:
		/* RFC 792: pointer in the first byte. */
		*type = ICMP4_PARAM_PROB, *code = 0;
		*word = (arg & 0xff) << 24;
		return true;
	default:
		return false;
	}
}

/*
 * RFC 1812 4.3.2.7: no error about an ICMP error, a fragment other than
 * the first, a packet to or from a broadcast or multicast address, or from
 * an address that does not name one host (0/8, 127/8, class E).
 */
static bool
icmp4_may_answer(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	unsigned hlen;
	uint32_t src, dst;

	if (m->data_len < IP4_HDR_MIN || (h->version_ihl >> 4) != 4)
		return false;
	hlen = (unsigned)(h->version_ihl & 0xf) * 4;
	if (hlen < IP4_HDR_MIN || hlen > m->data_len)
		return false;
	src = rte_be_to_cpu_32(h->src_addr);
	dst = rte_be_to_cpu_32(h->dst_addr);
	if (ip4_martian_src(src))
		return false;
	if (dst == UINT32_MAX || (dst >> 28) == 0xe)
		return false;
	if (rte_be_to_cpu_16(h->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK)
		return false;
	if (h->next_proto_id == IPPROTO_ICMP) {
		const uint8_t *icmp = (const uint8_t *)h + hlen;

		/* Without its type we cannot tell: do not answer. */
		if (hlen + 1 > m->data_len || icmp4_type_is_error(icmp[0]))
			return false;
	}
	return true;
}

int
icmp4_error_make(struct rte_mbuf *m, enum ip_err err, uint32_t arg, const uint8_t src_addr[4],
		 struct rte_mbuf *e)
{
	const struct rte_ipv4_hdr *oh = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct rte_ipv4_hdr *ih;
	struct rte_icmp_hdr *ic;
	uint8_t type, code;
	uint32_t word, quote;
	const void *q;
	char *p;

	if (!icmp4_type_code(err, arg, &type, &code, &word))
		return -EINVAL;
	/* RFC 1812 4.3.2.3: as much of the original as fits in 576 bytes. */
	quote = m->pkt_len;
	if (quote > ICMP4_ERR_MAX_LEN - IP4_HDR_MIN - ICMP4_HDR_LEN)
		quote = ICMP4_ERR_MAX_LEN - IP4_HDR_MIN - ICMP4_HDR_LEN;
	p = rte_pktmbuf_append(e, (uint16_t)(IP4_HDR_MIN + ICMP4_HDR_LEN + quote));
	if (p == NULL)
		return -ENOSPC;
	ih = (struct rte_ipv4_hdr *)p;
	ic = (struct rte_icmp_hdr *)(ih + 1);
	q = rte_pktmbuf_read(m, 0, quote, ic + 1);
	if (q != NULL && q != (const void *)(ic + 1))
		memcpy(ic + 1, q, quote);

	ih->version_ihl = 0x45;
	/* RFC 1812 4.3.2.5: the original's TOS, precedence internetwork control. */
	ih->type_of_service = (uint8_t)((oh->type_of_service & 0x1c) | ICMP4_PREC_INTERNET_CONTROL);
	ih->total_length = rte_cpu_to_be_16((uint16_t)(IP4_HDR_MIN + ICMP4_HDR_LEN + quote));
	ih->packet_id = rte_cpu_to_be_16(icmp4_ip_id++);
	ih->fragment_offset = 0;
	ih->time_to_live = ICMP4_TTL;
	ih->next_proto_id = IPPROTO_ICMP;
	memcpy(&ih->src_addr, src_addr, 4);
	ih->dst_addr = oh->src_addr;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);

	ic->icmp_type = type;
	ic->icmp_code = code;
	ic->icmp_cksum = 0;
	memcpy(&ic->icmp_ident, &(uint32_t){ rte_cpu_to_be_32(word) }, 4);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, ICMP4_HDR_LEN + quote);
	if (ic->icmp_cksum == 0)
		ic->icmp_cksum = 0xffff;
	return 0;
}

void
icmp4_error_build(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg)
{
	const struct rte_ipv4_hdr *oh = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	struct nsdp_pkt_meta *pm = pkt_meta(m);
	uint16_t inst = pm->rt_inst;
	struct rte_mbuf *e;
	uint8_t src[4], dst[4];
	int rc;

	if (!icmp4_may_answer(m)) {
		ip_count(m, DROP_icmp_not_answered);
		goto out;
	}
	if (!ip_error_allow(inst)) {
		ip_count(m, DROP_icmp_ratelimited);
		goto out;
	}
	memcpy(dst, &oh->src_addr, 4);
	rc = ip_source_addr(pm->ifl_index, 4, dst, src);
	if (rc < 0) {
		ip_count(m, DROP_icmp_no_source);
		goto out;
	}
	e = rte_pktmbuf_alloc(m->pool);
	if (e == NULL) {
		ip_count(m, DROP_icmp_no_mbuf);
		goto out;
	}
	if (icmp4_error_make(m, err, arg, src, e) < 0) {
		ip_count(m, DROP_icmp_no_mbuf);
		rte_pktmbuf_free(e);
		goto out;
	}
	e->port = m->port;
	pkt_meta_rx_init(e, pm->tickcount);
	pkt_meta(e)->flags = PKT_F_ORIGINATED;
	pkt_meta(e)->rt_inst = inst;
	rte_pktmbuf_free(m);
	ip4_originate(c, inst, &e, 1);
	return;
out:
	rte_pktmbuf_free(m);
}
