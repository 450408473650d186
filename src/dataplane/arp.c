/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arp.c: ARP (RFC 826) for Ethernet and IPv4, the IPv4 protocol of the
 * neighbour cache (neigh.h): the IFCFG_INPUT_ARP input of the packet path
 * (it only queues), and on the IPv4 neighbour queue's worker the parse,
 * learning (paper 1600-1620), replies for our addresses, requests and
 * gratuitous announcements.
 *
 * Parsing trusts nothing: the fixed 28-byte Ethernet/IPv4 body is copied
 * out of the mbuf (rte_pktmbuf_read, segment-safe) before any field is
 * looked at; anything but htype 1 / ptype 0x0800 / hlen 6 / plen 4 with
 * op 1 or 2 is dropped under a named reason, as are senders and targets
 * that no neighbour can have (multicast, broadcast, zero). A sender MAC
 * equal to ours is not refused (a net_tap's kernel end starts with the
 * port's MAC); a frame of ours looped back carries one of our addresses as
 * its sender IP and is refused as arp_addr_conflict.
 *
 * Calling context: arp_l2_input on rx lcores; everything else on the IPv4
 * neighbour queue's consumer with the config lock held, or (arp_announce)
 * the control thread with the config lock held.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "ifcfg/ifcfg.h"
#include "ifcfg/ifcfg_priv.h"
#include "ip.h"
#include "lcore.h"
#include "neigh.h"
#include "pkt_meta.h"

#define ARP_HRD_ETHER 1
#define ARP_PRO_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ARP_LEN 28
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_IPV4 0x0800

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6];

/* The MAC of the ifd under ifl @ifl_index, NULL if none. [C] */
static const uint8_t *
arp_our_mac(uint32_t ifl_index)
{
	struct ifl_priv *l = ifl_priv_by_index(ifl_index);

	return l != NULL && l->ifd != NULL ? l->ifd->mac : NULL;
}

/*
 * The address to send a request for @target from: a local address of the
 * ifl's inet iff whose subnet holds @target, else its first one (else the
 * instance's loopback address): ifa_source_addr, shared with ICMP. [C]
 * @return 0 or -EADDRNOTAVAIL.
 */
static int
arp_source(uint32_t ifl_index, const uint8_t *target, uint8_t out[4])
{
	uint8_t a[16];

	if (ifa_source_addr(ifl_index, 4, target, a) < 0)
		return -EADDRNOTAVAIL;
	memcpy(out, a, 4);
	return 0;
}

static bool
ip4_multicast_or_bcast(const uint8_t *a)
{
	return (a[0] & 0xf0) == 0xe0 || (a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff);
}

static bool
ip4_zero(const uint8_t *a)
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static void
arp_drop(struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	uint16_t port = m->port < RTE_MAX_ETHPORTS ? m->port : 0;

	if (lc < RTE_MAX_LCORE && nsdp_lcore_counters[lc] != NULL)
		nsdp_lcore_counters[lc]->port[port].drops[r]++;
	rte_pktmbuf_free(m);
}

/* Make @m (any content) exactly the ARP body @a. @return 0 or -ENOSPC. */
static int
arp_put(struct rte_mbuf *m, const struct arp_eth4 *a)
{
	char *p;

	if (rte_pktmbuf_is_contiguous(m) == 0 && rte_pktmbuf_linearize(m) < 0)
		return -ENOSPC;
	if (rte_pktmbuf_pkt_len(m) > ARP_LEN)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - ARP_LEN));
	else if (rte_pktmbuf_pkt_len(m) < ARP_LEN &&
		 rte_pktmbuf_append(m, (uint16_t)(ARP_LEN - rte_pktmbuf_pkt_len(m))) == NULL)
		return -ENOSPC;
	p = rte_pktmbuf_mtod(m, char *);
	memcpy(p, a, ARP_LEN);
	return 0;
}

/* A fresh mbuf holding ARP body @a, NULL if none. */
static struct rte_mbuf *
arp_build(const struct arp_eth4 *a)
{
	struct rte_mempool *mp = neigh_pktmbuf_pool();
	struct rte_mbuf *m = mp != NULL ? rte_pktmbuf_alloc(mp) : NULL;
	struct nsdp_pkt_meta *pm;

	if (m == NULL)
		return NULL;
	if (arp_put(m, a) < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	pm = pkt_meta(m);
	memset(pm, 0, sizeof(*pm));
	pm->flags = PKT_F_ORIGINATED;
	return m;
}

static void
arp_fill(struct arp_eth4 *a, uint16_t op, const uint8_t sha[6], const uint8_t spa[4],
	 const uint8_t tha[6], const uint8_t tpa[4])
{
	a->hrd = rte_cpu_to_be_16(ARP_HRD_ETHER);
	a->pro = rte_cpu_to_be_16(ARP_PRO_IPV4);
	a->hln = 6;
	a->pln = 4;
	a->op = rte_cpu_to_be_16(op);
	memcpy(a->sha, sha, 6);
	memcpy(a->spa, spa, 4);
	memcpy(a->tha, tha, 6);
	memcpy(a->tpa, tpa, 4);
}

/* neigh_proto.send_solicit: a request for @target, broadcast or to @unicast_mac. */
static int
arp_send_request(uint32_t ifl_index, const uint8_t *target, const uint8_t *unicast_mac)
{
	const uint8_t *mac = arp_our_mac(ifl_index);
	struct arp_eth4 a;
	struct rte_mbuf *m;
	uint8_t spa[4];
	int rc;

	if (mac == NULL)
		return -ENOENT;
	rc = arp_source(ifl_index, target, spa);
	if (rc < 0)
		return rc;
	arp_fill(&a, ARP_OP_REQUEST, mac, spa, mac_zero, target);
	m = arp_build(&a);
	if (m == NULL)
		return -ENOMEM;
	return neigh_l2_send(ifl_index, unicast_mac != NULL ? unicast_mac : mac_bcast, ETHERTYPE_ARP,
			     m);
}

/* neigh_proto.addr_added: gratuitous ARP request for @addr, queued to a worker. */
static void
arp_announce(uint32_t ifl_index, const uint8_t *addr)
{
	const uint8_t *mac = arp_our_mac(ifl_index);
	uint8_t hdr[NH_L2_MAX];
	struct arp_eth4 a;
	struct rte_mbuf *m;
	uint16_t port;
	char *p;
	int len;

	if (mac == NULL)
		return;
	len = ifl_l2_header(ifl_index, mac_bcast, ETHERTYPE_ARP, hdr, sizeof(hdr), &port);
	if (len < 0 || port == IFL_NO_PORT)
		return;
	/* RFC 5227 2.4: an announcement is a request with sender = target = the address. */
	arp_fill(&a, ARP_OP_REQUEST, mac, addr, mac_zero, addr);
	m = arp_build(&a);
	if (m == NULL)
		return;
	p = rte_pktmbuf_prepend(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, hdr, (size_t)len);
	NEIGH_STAT_ADD(4, gratuitous_sent, 1);
	neigh_tx_enqueue(4, ifl_index, m);
}

/* neigh_proto.dst_of: the destination of the IPv4 packet @m. */
static int
arp_dst_of(struct rte_mbuf *m, uint8_t *addr)
{
	uint8_t buf[4];
	const uint8_t *p;

	p = rte_pktmbuf_read(m, 16, 4, buf);
	if (p == NULL || (rte_pktmbuf_mtod(m, const uint8_t *)[0] >> 4) != 4)
		return -EINVAL;
	memcpy(addr, p, 4);
	return 0;
}

int
arp_parse(const struct rte_mbuf *m, struct arp_eth4 *a)
{
	const struct arp_eth4 *p;
	uint16_t op;

	/* Copied out whole (or read in place): no field is looked at before. */
	p = rte_pktmbuf_read(m, 0, ARP_LEN, a);
	if (p == NULL)
		return DROP_arp_malformed;
	if (p != a)
		memcpy(a, p, ARP_LEN);
	op = rte_be_to_cpu_16(a->op);
	if (rte_be_to_cpu_16(a->hrd) != ARP_HRD_ETHER || rte_be_to_cpu_16(a->pro) != ARP_PRO_IPV4 ||
	    (op != ARP_OP_REQUEST && op != ARP_OP_REPLY))
		return DROP_arp_unsupported;
	if (a->hln != 6 || a->pln != 4)
		return DROP_arp_malformed;
	if ((a->sha[0] & 1) || memcmp(a->sha, mac_zero, 6) == 0 || ip4_multicast_or_bcast(a->spa))
		return DROP_arp_bad_sender;
	if (ip4_multicast_or_bcast(a->tpa) || ip4_zero(a->tpa))
		return DROP_arp_bad_target;
	return 0;
}

void
arp_input(struct rte_mbuf *m)
{
	uint32_t ifl_index = pkt_meta(m)->ifl_index;
	const struct ifl *ifl = ifl_lookup(ifl_index);
	const uint8_t *our_mac;
	struct arp_eth4 a, r;
	bool for_us;
	uint16_t op;
	int why;

	why = arp_parse(m, &a);
	if (why != 0) {
		arp_drop(m, (enum drop_reason)why);
		return;
	}
	op = rte_be_to_cpu_16(a.op);
	our_mac = arp_our_mac(ifl_index);
	if (ifl == NULL || !ifl->fam[IFF_INET].present || our_mac == NULL) {
		arp_drop(m, DROP_arp_no_ifl);
		return;
	}
	if (!ip4_zero(a.spa) && neigh_addr_is_ours(4, ifl_index, a.spa)) {
		arp_drop(m, DROP_arp_addr_conflict);
		return;
	}
	for_us = neigh_addr_is_ours(4, ifl_index, a.tpa);
	if (op == ARP_OP_REPLY) {
		NEIGH_STAT_ADD(4, replies_rcvd, 1);
		if (ip4_zero(a.spa) ||
		    neigh_input_learn(4, ifl_index, a.spa, a.sha,
				      NEIGH_LEARN_ADVERT | NEIGH_LEARN_SOLICITED |
					      NEIGH_LEARN_OVERRIDE) < 0) {
			arp_drop(m, DROP_arp_unsolicited);
			return;
		}
		rte_pktmbuf_free(m);
		return;
	}
	if (!for_us) {
		/* RFC 826 merge: a neighbour we know updates its address; no entry is made. */
		if (!ip4_zero(a.spa))
			(void)neigh_input_learn(4, ifl_index, a.spa, a.sha,
						NEIGH_LEARN_ADVERT | NEIGH_LEARN_OVERRIDE);
		arp_drop(m, DROP_arp_target_not_ours);
		return;
	}
	NEIGH_STAT_ADD(4, requests_rcvd, 1);
	/* A probe (sender 0.0.0.0, RFC 5227) teaches nothing but is answered. */
	if (!ip4_zero(a.spa))
		(void)neigh_input_learn(4, ifl_index, a.spa, a.sha,
					NEIGH_LEARN_REQUEST | NEIGH_LEARN_OVERRIDE);
	arp_fill(&r, ARP_OP_REPLY, our_mac, a.tpa, a.sha, a.spa);
	if (arp_put(m, &r) < 0) {
		arp_drop(m, DROP_no_headroom);
		return;
	}
	if (neigh_l2_send(ifl_index, a.sha, ETHERTYPE_ARP, m) == 0)
		NEIGH_STAT_ADD(4, replies_sent, 1);
}

/* IFCFG_INPUT_ARP: frames (L2 header stripped) go to the IPv4 neighbour queue. */
static void
arp_l2_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)c, (void)port, (void)arg;
	for (uint16_t i = 0; i < n; i++)
		neigh_input_enqueue(4, pkts[i]);
}

static const struct neigh_proto arp_proto = {
	.family = 4,
	.addr_len = 4,
	.ethertype = ETHERTYPE_IPV4,
	.name = "arp",
	.dst_of = arp_dst_of,
	.send_solicit = arp_send_request,
	.input = arp_input,
	.addr_added = arp_announce,
};

int
arp_init(void)
{
	int rc;

	rc = neigh_proto_register(&arp_proto);
	if (rc < 0)
		return rc;
	rc = ifcfg_family_input_register(IFCFG_INPUT_ARP, arp_l2_input, NULL);
	if (rc < 0) {
		neigh_proto_unregister(4);
		return rc;
	}
	return 0;
}

void
arp_fini(void)
{
	ifcfg_family_input_register(IFCFG_INPUT_ARP, NULL, NULL);
	neigh_proto_unregister(4);
}
