/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nd.c: IPv6 Neighbor Discovery (RFC 4861) and duplicate address detection
 * (RFC 4862 5.4), built on the family-independent neighbour cache
 * (neigh.h): ND is the cache's IPv6 protocol (struct neigh_proto), the way
 * ARP is its IPv4 one. The cache owns entries, states, timers, held packets
 * and host routes; this file parses and validates NS / NA, answers
 * solicitations for our addresses, tells the cache what it learns, builds
 * the solicitations the cache asks for, and runs DAD for new addresses.
 *
 * Flow: the IPv6 input hands every ICMPv6 message of types 133-137 that
 * directly follows the IPv6 header to nd_input(), which queues it on the
 * IPv6 neighbour queue (neigh_input_enqueue); the queue's consumer calls
 * nd_msg_input() with the config lock held.
 *
 * DAD: an address announced by the interface tree (neigh_ifa_added ->
 * addr_added) is tentative (a record here, nd_dad[]) while one NS from ::
 * to its solicited-node group is unanswered for RetransTimer (the cache's
 * retrans_ms). Tentative: solicitations for it are not answered and it is
 * not announced. An NA for it, or an NS for it from :: (another node's DAD),
 * makes it duplicate: logged, kept unanswered until it is deleted and added
 * again. When DAD passes the address is announced with an unsolicited NA
 * to all nodes (RFC 4861 7.2.6). The record is the whole representation:
 * the interface tree keeps its LOCAL route meanwhile (docs/ipv6.md).
 *
 * Multicast reception: the first inet6 address on a port turns its
 * all-multicast mode on (rte_eth_allmulticast_enable), so frames to
 * solicited-node groups (33:33:ff:xx:xx:xx) and all-nodes reach the L2
 * demux, which keys on the ethertype only.
 *
 * Lock legend: [C] config lock, [I] set by nd_init(), [Q] the ND queue's
 * consumer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_telemetry.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "ifcfg/ifcfg_priv.h"
#include "ip.h"
#include "ip6.h"
#include "lcore.h"
#include "neigh.h"
#include "svcq.h"
#include "timer.h"

#define ND_HOP_LIMIT 255
#define ND_MIN_LEN 24                /* ICMPv6 header + reserved/flags + target */
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define ND_DAD_MAX 256
#define ND_RETRANS_DEFAULT_MS 1000   /* RFC 4861 10, RETRANS_TIMER */

enum nd_dad_state {
	ND_DAD_FREE = 0,
	ND_DAD_TENTATIVE,
	ND_DAD_DUPLICATE,
};

struct nd_dad {
	uint8_t state;               /* [C] enum nd_dad_state */
	uint32_t ifl_index;          /* [C] */
	uint8_t addr[16];            /* [C] */
	uint64_t deadline_ns;        /* [C] CLOCK_MONOTONIC */
};

static struct nd_dad nd_dad[ND_DAD_MAX]; /* [C] */
static struct svcq nd_q;                 /* DAD timer expiries */
static struct nsdp_timer nd_timer;       /* [C] armed for the earliest deadline */
static bool nd_started;                  /* [I] */
static bool nd_have_timer;               /* [I] */

static uint64_t
nd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Count @m under @r on this thread's counters and free it. */
static void
nd_drop(struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	struct lcore_counters *lcc = lc < RTE_MAX_LCORE ? nsdp_lcore_counters[lc] : NULL;

	if (lcc != NULL)
		lcc->port[m->port < RTE_MAX_ETHPORTS ? m->port : 0].drops[r]++;
	rte_pktmbuf_free(m);
}

/* --- building ------------------------------------------------------------- */

struct rte_mbuf *
nd_build(struct rte_mempool *mp, uint8_t type, const uint8_t src[16], const uint8_t dst[16],
	 const uint8_t target[16], uint8_t flags, const uint8_t *lla)
{
	uint32_t icmp_len = ND_MIN_LEN + (lla != NULL ? 8 : 0);
	struct rte_ipv6_hdr *h;
	struct rte_mbuf *m;
	uint8_t *p;

	if (mp == NULL || (type != ND_NEIGHBOR_SOLICIT && type != ND_NEIGHBOR_ADVERT)) {
		errno = EINVAL;
		return NULL;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(IP6_HDR_LEN + icmp_len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		errno = ENOSPC;
		return NULL;
	}
	memset(p, 0, IP6_HDR_LEN + icmp_len);
	h = (struct rte_ipv6_hdr *)p;
	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16((uint16_t)icmp_len);
	h->proto = IP6_PROTO_ICMP6;
	h->hop_limits = ND_HOP_LIMIT;
	memcpy(h->src_addr, src, 16);
	memcpy(h->dst_addr, dst, 16);
	p += IP6_HDR_LEN;
	p[0] = type;
	if (type == ND_NEIGHBOR_ADVERT)
		p[4] = flags;
	memcpy(p + 8, target, 16);
	if (lla != NULL) {
		p[24] = type == ND_NEIGHBOR_SOLICIT ? ND_OPT_SLLA : ND_OPT_TLLA;
		p[25] = 1;
		memcpy(p + 26, lla, 6);
	}
	icmp6_cksum_set(rte_pktmbuf_mtod(m, uint8_t *));
	pkt_meta(m)->flags = PKT_F_ORIGINATED;
	pkt_meta(m)->ifl_index = 0;
	return m;
}

/* The MAC of ifl @ifl_index's ifd into @mac. [C] @return 0 or -ENOENT. */
static int
nd_ifl_mac(uint32_t ifl_index, uint8_t mac[6])
{
	struct ifl_priv *l = ifl_priv_by_index(ifl_index);

	if (l == NULL || l->ifd == NULL)
		return -ENOENT;
	memcpy(mac, l->ifd->mac, 6);
	return 0;
}

/* Prepend the L2 header of @ifl_index to @dst_mac and queue @m for a worker to send. [C] */
static int
nd_tx_queue(uint32_t ifl_index, const uint8_t dst_mac[6], struct rte_mbuf *m)
{
	uint8_t hdr[NH_L2_MAX];
	uint16_t port;
	char *p;
	int len;

	len = ifl_l2_header(ifl_index, dst_mac, RTE_ETHER_TYPE_IPV6, hdr, sizeof(hdr), &port);
	if (len < 0) {
		rte_pktmbuf_free(m);
		return len;
	}
	p = rte_pktmbuf_prepend(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	memcpy(p, hdr, (size_t)len);
	m->port = port;
	neigh_tx_enqueue(6, ifl_index, m);
	return 0;
}

/* Send an unsolicited NA for our @addr to all nodes (RFC 4861 7.2.6). [C] */
static int
nd_announce(uint32_t ifl_index, const uint8_t addr[16])
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	uint8_t mac[6], dmac[6];
	struct rte_mbuf *m;
	int rc;

	rc = nd_ifl_mac(ifl_index, mac);
	if (rc < 0)
		return rc;
	m = nd_build(neigh_pktmbuf_pool(), ND_NEIGHBOR_ADVERT, addr, all_nodes, addr,
		     ND_NA_F_ROUTER | ND_NA_F_OVERRIDE, mac);
	if (m == NULL)
		return -errno;
	ip6_mcast_mac(all_nodes, dmac);
	rc = nd_tx_queue(ifl_index, dmac, m);
	if (rc == 0)
		NEIGH_STAT_ADD(6, gratuitous_sent, 1);
	return rc;
}

/* --- DAD ------------------------------------------------------------------ */

/* Whether record @d is in use; a record whose address was deleted is freed here. [C] */
static bool
nd_dad_live(struct nd_dad *d)
{
	if (d->state == ND_DAD_FREE)
		return false;
	if (!neigh_addr_is_ours(6, d->ifl_index, d->addr)) {
		d->state = ND_DAD_FREE;
		return false;
	}
	return true;
}

static struct nd_dad *
nd_dad_find(uint32_t ifl_index, const uint8_t addr[16])
{
	for (unsigned i = 0; i < ND_DAD_MAX; i++)
		if (nd_dad[i].state != ND_DAD_FREE && nd_dad[i].ifl_index == ifl_index &&
		    memcmp(nd_dad[i].addr, addr, 16) == 0)
			return nd_dad_live(&nd_dad[i]) ? &nd_dad[i] : NULL;
	return NULL;
}

int
nd_addr_state(uint32_t ifl_index, const uint8_t addr[16])
{
	const struct nd_dad *d = nd_dad_find(ifl_index, addr);

	if (d != NULL)
		return d->state == ND_DAD_TENTATIVE ? ND_ADDR_TENTATIVE : ND_ADDR_DUPLICATE;
	return neigh_addr_is_ours(6, ifl_index, addr) ? ND_ADDR_PREFERRED : -ENOENT;
}

static uint32_t
nd_retrans_ms(void)
{
	struct neigh_params p;

	if (neigh_params_get(6, &p) == 0 && p.retrans_ms != 0)
		return p.retrans_ms;
	return ND_RETRANS_DEFAULT_MS;
}

/* Arm the timer for the earliest tentative deadline. [C] */
static void
nd_dad_arm(uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!nd_have_timer)
		return;
	for (unsigned i = 0; i < ND_DAD_MAX; i++)
		if (nd_dad[i].state == ND_DAD_TENTATIVE && nd_dad[i].deadline_ns < next)
			next = nd_dad[i].deadline_ns;
	if (next == UINT64_MAX)
		nsdp_timer_cancel(&nd_timer);
	else
		nsdp_timer_arm(&nd_timer, next > now ? next - now : 0);
}

static void
nd_dad_duplicate(struct nd_dad *d, const char *how)
{
	char a[64], ifl[IFNAME_MAX];

	d->state = ND_DAD_DUPLICATE;
	inet_ntop(AF_INET6, d->addr, a, sizeof(a));
	if (ifl_name(d->ifl_index, ifl, sizeof(ifl)) < 0)
		snprintf(ifl, sizeof(ifl), "ifl %u", d->ifl_index);
	RTE_LOG(WARNING, USER1,
		"%s on %s: duplicate address detected (%s); it stays unannounced "
		"until deleted and added again\n", a, ifl, how);
}

void
nd_dad_run(uint64_t now_ns)
{
	for (unsigned i = 0; i < ND_DAD_MAX; i++) {
		struct nd_dad *d = &nd_dad[i];

		/* Records of deleted addresses go; duplicates stay. */
		if (!nd_dad_live(d) || d->state != ND_DAD_TENTATIVE || d->deadline_ns > now_ns)
			continue;
		/* RFC 4862 5.4.3: no answer within RetransTimer: the address is ours. */
		d->state = ND_DAD_FREE;
		nd_announce(d->ifl_index, d->addr);
	}
	nd_dad_arm(now_ns);
}

/* Enable all-multicast reception on the port of @ifl_index (solicited-node groups). [C] */
static void
nd_port_multicast(uint32_t ifl_index)
{
	const struct ifl_priv *l = ifl_priv_by_index(ifl_index);
	int rc;

	if (l == NULL || l->ifd == NULL || l->ifd->port == IFL_NO_PORT)
		return;
	if (rte_eth_allmulticast_get(l->ifd->port) == 1)
		return;
	rc = rte_eth_allmulticast_enable(l->ifd->port);
	if (rc < 0)
		RTE_LOG(WARNING, USER1,
			"port %u: all-multicast mode refused (%s): neighbour solicitations "
			"to solicited-node groups may not arrive\n", l->ifd->port, strerror(-rc));
}

int
nd_dad_start(uint32_t ifl_index, const uint8_t addr[16])
{
	static const uint8_t unspec[16];
	uint8_t sn[16], dmac[6];
	struct nd_dad *d = nd_dad_find(ifl_index, addr);
	struct rte_mbuf *m;
	uint64_t now = nd_now_ns();
	int rc;

	if (d == NULL) {
		for (unsigned i = 0; i < ND_DAD_MAX && d == NULL; i++)
			if (!nd_dad_live(&nd_dad[i]))
				d = &nd_dad[i];
		if (d == NULL)
			return -ENOSPC;
	}
	ip6_solicited_node(addr, sn);
	m = nd_build(neigh_pktmbuf_pool(), ND_NEIGHBOR_SOLICIT, unspec, sn, addr, 0, NULL);
	if (m == NULL)
		return -errno;
	ip6_mcast_mac(sn, dmac);
	rc = nd_tx_queue(ifl_index, dmac, m);
	if (rc < 0)
		return rc;
	d->state = ND_DAD_TENTATIVE;
	d->ifl_index = ifl_index;
	memcpy(d->addr, addr, 16);
	d->deadline_ns = now + (uint64_t)nd_retrans_ms() * 1000000ull;
	NEIGH_STAT_ADD(6, requests_sent, 1);
	nd_dad_arm(now);
	return 0;
}

/* neigh_proto.addr_added: multicast reception, then DAD (or the announcement). [C] */
static void
nd_addr_added(uint32_t ifl_index, const uint8_t *addr)
{
	nd_port_multicast(ifl_index);
	if (nd_have_timer && nd_dad_start(ifl_index, addr) == 0)
		return;
	nd_announce(ifl_index, addr);
}

/* The DAD queue: timer expiries, handled under the config lock. */
static void
nd_q_fn(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	(void)q, (void)ctx;
	if (msg->type != SVC_MSG_TIMER)
		return;
	/* Offline while waiting: a writer holding the lock may wait for a grace period. */
	rcu_thread_offline();
	config_lock();
	nd_dad_run(nd_now_ns());
	config_unlock();
	rcu_thread_online();
}

/* --- parsing -------------------------------------------------------------- */

int
nd_parse(struct rte_mbuf *m, struct nd_msg *out)
{
	const struct rte_ipv6_hdr *h;
	const uint8_t *p;
	uint32_t len, off;

	memset(out, 0, sizeof(*out));
	if (rte_pktmbuf_linearize(m) < 0 || rte_pktmbuf_data_len(m) < IP6_HDR_LEN + ND_MIN_LEN)
		return -EINVAL;
	h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	len = rte_be_to_cpu_16(h->payload_len);
	if (h->proto != IP6_PROTO_ICMP6 || len < ND_MIN_LEN || IP6_HDR_LEN + len > m->data_len)
		return -EINVAL;
	p = (const uint8_t *)(h + 1);
	out->type = p[0];
	if (out->type != ND_NEIGHBOR_SOLICIT && out->type != ND_NEIGHBOR_ADVERT)
		return -EOPNOTSUPP;
	/* RFC 4861 7.1.1 / 7.1.2: not forwarded, code 0, checksum, target unicast. */
	if (h->hop_limits != ND_HOP_LIMIT || p[1] != 0 ||
	    icmp6_cksum_sum(h->src_addr, h->dst_addr, p, len) != 0xffff)
		return -EINVAL;
	memcpy(out->src, h->src_addr, 16);
	memcpy(out->dst, h->dst_addr, 16);
	memcpy(out->target, p + 8, 16);
	out->flags = p[4];
	if (ip6_is_multicast(out->target))
		return -EINVAL;
	for (off = ND_MIN_LEN; off < len;) {
		uint32_t olen;

		if (off + 2 > len)
			return -EINVAL;
		olen = (uint32_t)p[off + 1] * 8;
		if (olen == 0 || off + olen > len)
			return -EINVAL;
		if (olen == 8 && ((out->type == ND_NEIGHBOR_SOLICIT && p[off] == ND_OPT_SLLA) ||
				  (out->type == ND_NEIGHBOR_ADVERT && p[off] == ND_OPT_TLLA))) {
			memcpy(out->lla, p + off + 2, 6);
			out->has_lla = true;
		}
		off += olen;
	}
	if (out->type == ND_NEIGHBOR_SOLICIT && ip6_is_unspecified(out->src)) {
		uint8_t sn[16];

		/* DAD: to the target's solicited-node group, without a source LLA. */
		ip6_solicited_node(out->target, sn);
		if (memcmp(out->dst, sn, 16) != 0 || out->has_lla)
			return -EINVAL;
	}
	if (out->type == ND_NEIGHBOR_ADVERT && ip6_is_multicast(out->dst) &&
	    (out->flags & ND_NA_F_SOLICITED))
		return -EINVAL;
	if (out->type == ND_NEIGHBOR_ADVERT && ip6_is_unspecified(out->src))
		return -EINVAL;
	return 0;
}

/* --- input ------------------------------------------------------------------ */

/* Answer solicitation @s for our address with a solicited NA (RFC 4861 7.2.4). [C] */
static int
nd_answer(uint32_t ifl_index, const struct nd_msg *s)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	const uint8_t *dst = s->src;
	uint8_t mac[6], dmac[6];
	uint8_t flags = ND_NA_F_ROUTER | ND_NA_F_OVERRIDE;
	struct neigh_info ni;
	struct rte_mbuf *m;
	int rc;

	rc = nd_ifl_mac(ifl_index, mac);
	if (rc < 0)
		return rc;
	if (ip6_is_unspecified(s->src)) {
		/* The solicitor does DAD: tell all nodes, unsolicited. */
		dst = all_nodes;
		ip6_mcast_mac(all_nodes, dmac);
	} else if (s->has_lla) {
		flags |= ND_NA_F_SOLICITED;
		memcpy(dmac, s->lla, 6);
	} else if (neigh_get(6, ifl_index, s->src, &ni) == 0 &&
		   (ni.mac[0] | ni.mac[1] | ni.mac[2] | ni.mac[3] | ni.mac[4] | ni.mac[5]) != 0) {
		/* A unicast probe (NUD) needs no LLA option: we know the sender. */
		flags |= ND_NA_F_SOLICITED;
		memcpy(dmac, ni.mac, 6);
	} else {
		return -EHOSTUNREACH;
	}
	m = nd_build(neigh_pktmbuf_pool(), ND_NEIGHBOR_ADVERT, s->target, dst, s->target, flags,
		     mac);
	if (m == NULL)
		return -errno;
	rc = neigh_l2_send(ifl_index, dmac, RTE_ETHER_TYPE_IPV6, m);
	if (rc == 0)
		NEIGH_STAT_ADD(6, replies_sent, 1);
	return rc;
}

/* neigh_proto.input: one NS or NA (or another ND message) received. [C], neigh queue consumer. */
void
nd_msg_input(struct rte_mbuf *m)
{
	uint32_t ifl_index = pkt_meta(m)->ifl_index;
	struct nd_msg s;
	struct nd_dad *d;
	int rc;

	rc = nd_parse(m, &s);
	if (rc == -EOPNOTSUPP) {
		nd_drop(m, DROP_nd_unhandled);
		return;
	}
	if (rc < 0) {
		nd_drop(m, DROP_nd_invalid);
		return;
	}
	d = nd_dad_find(ifl_index, s.target);
	if (s.type == ND_NEIGHBOR_ADVERT) {
		if (d != NULL && d->state == ND_DAD_TENTATIVE) {
			nd_dad_duplicate(d, "a neighbour advertised it");
			nd_dad_arm(nd_now_ns());
		} else if (neigh_addr_is_ours(6, ifl_index, s.target)) {
			char a[64];

			inet_ntop(AF_INET6, s.target, a, sizeof(a));
			RTE_LOG(WARNING, USER1, "%s: a neighbour advertises our address\n", a);
		} else if (s.has_lla) {
			unsigned f = NEIGH_LEARN_ADVERT;

			if (s.flags & ND_NA_F_SOLICITED)
				f |= NEIGH_LEARN_SOLICITED;
			if (s.flags & ND_NA_F_OVERRIDE)
				f |= NEIGH_LEARN_OVERRIDE;
			if (s.flags & ND_NA_F_ROUTER)
				f |= NEIGH_LEARN_ROUTER;
			NEIGH_STAT_ADD(6, replies_rcvd, 1);
			neigh_input_learn(6, ifl_index, s.target, s.lla, f);
		} else {
			/* Without the target's LLA there is nothing to learn (RFC 4861 7.2.5). */
			NEIGH_STAT_ADD(6, replies_rcvd, 1);
		}
		rte_pktmbuf_free(m);
		return;
	}
	/* Neighbor solicitation. */
	if (!neigh_addr_is_ours(6, ifl_index, s.target)) {
		nd_drop(m, DROP_nd_not_ours);
		return;
	}
	NEIGH_STAT_ADD(6, requests_rcvd, 1);
	if (d != NULL) {
		/* RFC 4862 5.4.3: another node's DAD for our tentative address. */
		if (d->state == ND_DAD_TENTATIVE && ip6_is_unspecified(s.src)) {
			nd_dad_duplicate(d, "another node is claiming it");
			nd_dad_arm(nd_now_ns());
		}
		rte_pktmbuf_free(m);
		return;
	}
	/* RFC 4861 7.2.3: learn the solicitor, create its entry STALE. */
	if (!ip6_is_unspecified(s.src) && s.has_lla)
		neigh_input_learn(6, ifl_index, s.src, s.lla, NEIGH_LEARN_REQUEST);
	rte_pktmbuf_free(m);
	nd_answer(ifl_index, &s);
}

/* neigh_proto.send_solicit: NS for @target, multicast or a unicast probe. [C], worker. */
static int
nd_send_solicit(uint32_t ifl_index, const uint8_t *target, const uint8_t *unicast_mac)
{
	uint8_t src[16], dst[16], mac[6], dmac[6];
	struct rte_mbuf *m;
	int rc;

	rc = nd_ifl_mac(ifl_index, mac);
	if (rc < 0)
		return rc;
	/* RFC 4861 7.2.2: a source address of the interface, on the target's subnet if any. */
	rc = ifa_source_addr(ifl_index, 6, target, src);
	if (rc < 0)
		return rc;
	if (unicast_mac != NULL) {
		memcpy(dst, target, 16);
		memcpy(dmac, unicast_mac, 6);
	} else {
		ip6_solicited_node(target, dst);
		ip6_mcast_mac(dst, dmac);
	}
	m = nd_build(neigh_pktmbuf_pool(), ND_NEIGHBOR_SOLICIT, src, dst, target, 0, mac);
	if (m == NULL)
		return -errno;
	return neigh_l2_send(ifl_index, dmac, RTE_ETHER_TYPE_IPV6, m);
}

static int
nd_dst_of(struct rte_mbuf *m, uint8_t *addr)
{
	if (rte_pktmbuf_data_len(m) < IP6_HDR_LEN)
		return -EINVAL;
	memcpy(addr, rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *)->dst_addr, 16);
	return 0;
}

static const struct neigh_proto nd_proto = {
	.family = 6,
	.addr_len = 16,
	.ethertype = RTE_ETHER_TYPE_IPV6,
	.name = "nd",
	.dst_of = nd_dst_of,
	.send_solicit = nd_send_solicit,
	.input = nd_msg_input,
	.addr_added = nd_addr_added,
};

void
nd_input(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		neigh_input_enqueue(6, pkts[i]);
}

/*
 * Telemetry /nsdp/nd/dad: the addresses DAD is checking or found
 * duplicate, one string each: "IFL ADDRESS tentative|duplicate".
 * Telemetry thread; takes the config lock.
 */
static int
nd_tel_dad(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd, (void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	config_lock();
	for (unsigned i = 0; i < ND_DAD_MAX; i++) {
		struct nd_dad *x = &nd_dad[i];
		char line[RTE_TEL_MAX_STRING_LEN], a[64], ifl[IFNAME_MAX];

		if (!nd_dad_live(x))
			continue;
		inet_ntop(AF_INET6, x->addr, a, sizeof(a));
		if (ifl_name(x->ifl_index, ifl, sizeof(ifl)) < 0)
			snprintf(ifl, sizeof(ifl), "%u", x->ifl_index);
		snprintf(line, sizeof(line), "%s %s %s", ifl, a,
			 x->state == ND_DAD_TENTATIVE ? "tentative" : "duplicate");
		rte_tel_data_add_array_string(d, line);
	}
	config_unlock();
	return 0;
}

int
nd_init(struct svc_sched *sched, struct timer_service *ts)
{
	int rc;

	if (nd_started)
		return -EEXIST;
	memset(nd_dad, 0, sizeof(nd_dad));
	if (sched != NULL && ts != NULL) {
		rc = svcq_init(&nd_q, sched, "nd-dad", nd_q_fn, NULL);
		if (rc < 0)
			return rc;
		nsdp_timer_init(&nd_timer, ts, &nd_q, 0);
		nd_have_timer = true;
	}
	rc = neigh_proto_register(&nd_proto);
	if (rc < 0) {
		if (nd_have_timer)
			svcq_fini(&nd_q);
		nd_have_timer = false;
		return rc;
	}
	nd_started = true;
	/* Registered once per process; a second nd_init (tests) keeps the first. */
	(void)rte_telemetry_register_cmd("/nsdp/nd/dad", nd_tel_dad,
					 "IPv6 addresses under duplicate address detection: tentative "
					 "or duplicate.");
	return 0;
}

void
nd_fini(void)
{
	if (!nd_started)
		return;
	neigh_proto_unregister(6);
	if (nd_have_timer) {
		/* A cancelled expiry still queued is stale: the drain drops it. */
		nsdp_timer_cancel(&nd_timer);
		svcq_consume_begin(&nd_q);
		svcq_drain(&nd_q);
		svcq_consume_end(&nd_q);
		svcq_fini(&nd_q);
	}
	nd_have_timer = false;
	nd_started = false;
}
