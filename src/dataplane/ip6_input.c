/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip6_input.c: the IPv6 input of the rx lcore (paper 2229-2418, "software
 * interrupt context") and the originate path of IPv6 packets built here.
 *
 * Per burst, in order:
 *   1. header checks (RFC 8200 3): the first segment holds the 40-byte
 *      header, version 6, payload length within the frame (padding beyond
 *      it trimmed); the incoming ifl still has an inet6 iff;
 *   2. Neighbor Discovery messages (ICMPv6 133-137 right after the header)
 *      go to the ND worker before any address check: they are link-local
 *      by construction and DAD solicitations come from :: (RFC 4861 7.1.1);
 *   3. address checks (RFC 4291): source neither multicast (2.7), loopback
 *      (2.5.3), IPv4-mapped (RFC 4942 2.2) nor unspecified (2.5.2);
 *      destination not loopback, not multicast of reserved or
 *      interface-local scope (2.7);
 *   4. a hop-by-hop options header (next header 0) sends the packet to the
 *      local path (RFC 8200 4.3: every node on the path examines it; a
 *      router hands it to its control plane) through a RECV next hop;
 *   5. the forwarding lookup in the iff's routing instance, in bulk;
 *   6. for packets that leave (UNICAST, HOLD, RESOLV next hops), the forward
 *      step: link-local source or destination never leaves its link
 *      (RFC 4291 2.5.6), hop limit <= 1 earns ICMPv6 time exceeded
 *      (RFC 8200 3, RFC 4443 3.3), larger than the next hop's MTU earns
 *      ICMPv6 packet too big (routers never fragment, RFC 8200 5), else the
 *      hop limit is decremented (no header checksum in IPv6); REJECT earns
 *      destination unreachable "no route" (RFC 4443 3.1);
 *   7. consecutive packets with the same next hop go to its output as one run.
 *
 * Per-ifl inet6 counters (ifl_stats.h): rx on the incoming ifl for every
 * packet whose ifl has an inet6 iff (step 1), tx on the next hop's ifl for
 * every run handed to a UNICAST, HOLD or RESOLV next hop, received or
 * originated. Counter pointers are looked up once per run of one ifl.
 *
 * Packet path: no locks, no allocation besides mbufs, no syscalls; tables
 * and ifls are read under RCU (urcu-qsbr, the rx loop's quiescent state).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <urcu-qsbr.h>

#include "ifcfg/ifcfg.h"
#include "ifl_stats.h"
#include "ip.h"
#include "ip4.h"
#include "ip6.h"
#include "l3demux.h"
#include "lcore.h"
#include "route.h"

#define IP6_BULK RX_BURST

/* [I] the next hop through which hop-by-hop packets reach the local input. */
static struct nexthop *ip6_recv_nh;

/* Count one drop of @m under @r on this thread's counters (the packet lives on). */
static inline void
ip6_count(const struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	struct lcore_counters *lcc = lc < RTE_MAX_LCORE ? nsdp_lcore_counters[lc] : NULL;

	if (lcc != NULL)
		lcc->port[m->port < RTE_MAX_ETHPORTS ? m->port : 0].drops[r]++;
}

/* Count @m under @r and free it. */
static inline void
ip6_drop(struct rte_mbuf *m, enum drop_reason r)
{
	ip6_count(m, r);
	rte_pktmbuf_free(m);
}

/* Verdict of the per-packet checks. */
enum ip6_verdict {
	IP6_V_LOOKUP,
	IP6_V_ND,
	IP6_V_HBH,
	IP6_V_DROP,
};

/* Whether the packet right after the header is an ND message (RFC 4861 4). */
static inline bool
ip6_is_nd(const struct rte_ipv6_hdr *h, const struct rte_mbuf *m)
{
	uint8_t type;

	if (h->proto != IP6_PROTO_ICMP6 || rte_pktmbuf_data_len(m) < IP6_HDR_LEN + 1)
		return false;
	type = rte_pktmbuf_mtod_offset(m, const uint8_t *, IP6_HDR_LEN)[0];
	return type >= ND_ROUTER_SOLICIT && type <= ND_REDIRECT;
}

static inline bool
ip6_is_v4mapped(const uint8_t *a)
{
	static const uint8_t p[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, p, 12) == 0;
}

/* [L] the rx counters of the ifl of the last packet checked (one run of one ifl). */
struct ip6_rx_ifl {
	uint32_t ifl_index;
	struct ifl_fam_ctr *rc;
};

/*
 * Steps 1-4 for one packet; sets @inst and counts rx on the incoming ifl
 * (@rx caches its counters across the run). On IP6_V_DROP, *@why is the
 * reason.
 */
static inline enum ip6_verdict
ip6_check(struct rte_mbuf *m, uint16_t *inst, enum drop_reason *why, struct ip6_rx_ifl *rx)
{
	const struct rte_ipv6_hdr *h;
	const struct ifl *ifl;
	uint32_t plen;

	/* RFC 8200 3: the fixed header must be there (and contiguous to be read). */
	if (unlikely(rte_pktmbuf_data_len(m) < IP6_HDR_LEN)) {
		*why = DROP_ip6_bad_length;
		return IP6_V_DROP;
	}
	h = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);
	if (unlikely((rte_be_to_cpu_32(h->vtc_flow) >> 28) != 6)) {
		*why = DROP_ip6_bad_version;
		return IP6_V_DROP;
	}
	/* Payload length beyond the frame: truncated; shorter: L2 padding. */
	plen = rte_be_to_cpu_16(h->payload_len);
	if (unlikely(plen + IP6_HDR_LEN > m->pkt_len)) {
		*why = DROP_ip6_bad_length;
		return IP6_V_DROP;
	}
	/* Trimming fails only when the padding spans segments: refuse such a frame. */
	if (unlikely(plen + IP6_HDR_LEN < m->pkt_len) &&
	    rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - plen - IP6_HDR_LEN)) != 0) {
		*why = DROP_ip6_bad_length;
		return IP6_V_DROP;
	}
	ifl = ifl_lookup(pkt_meta(m)->ifl_index);
	if (unlikely(ifl == NULL || !ifl->fam[IFF_INET6].present)) {
		*why = DROP_no_ifl;
		return IP6_V_DROP;
	}
	*inst = ifl->fam[IFF_INET6].rt_inst;
	pkt_meta(m)->rt_inst = *inst;
	if (rx->ifl_index != pkt_meta(m)->ifl_index) {
		rx->ifl_index = pkt_meta(m)->ifl_index;
		rx->rc = ifl_stats_this_lcore(ifl->stats_slot, IFF_INET6);
	}
	if (rx->rc != NULL) {
		rx->rc->rx_packets++;
		rx->rc->rx_bytes += m->pkt_len;
	}
	if (unlikely(ip6_is_nd(h, m)))
		return IP6_V_ND;
	if (unlikely(ip6_is_multicast(h->src_addr) || ip6_is_loopback(h->src_addr) ||
		     ip6_is_v4mapped(h->src_addr) || ip6_is_unspecified(h->src_addr))) {
		*why = DROP_ip6_martian_source;
		return IP6_V_DROP;
	}
	/* Multicast scope 0 is reserved, 1 (interface-local) never on a wire. */
	if (unlikely(ip6_is_loopback(h->dst_addr) ||
		     (ip6_is_multicast(h->dst_addr) && (h->dst_addr[1] & 0x0f) <= 1))) {
		*why = DROP_ip6_martian_dest;
		return IP6_V_DROP;
	}
	if (unlikely(h->proto == IP6_PROTO_HOPOPTS))
		return IP6_V_HBH;
	return IP6_V_LOOKUP;
}

/* Fragments of one originated packet: 64 KiB in 1280-byte pieces. */
#define IP6_FRAG_MAX 64

/* Count @pkts[0..n) as tx of inet6 on the ifl of @nh if it leaves (@type). */
static inline void
ip6_count_tx(const struct nexthop *nh, uint8_t type, struct rte_mbuf *const *pkts, uint16_t n)
{
	const struct ifl *oifl;
	struct ifl_fam_ctr *tc;
	uint64_t bytes = 0;

	if (type != RNH_UNICAST && type != RNH_HOLD && type != RNH_RESOLV)
		return;
	oifl = ifl_lookup(nh->ifl_index);
	tc = oifl != NULL ? ifl_stats_this_lcore(oifl->stats_slot, IFF_INET6) : NULL;
	if (tc == NULL)
		return;
	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	tc->tx_packets += n;
	tc->tx_bytes += bytes;
}

/* Family MTU for packets leaving through @nh (0: unknown, not checked). */
static inline uint16_t
ip6_nh_mtu(const struct nexthop *nh, uint8_t type)
{
	const struct ifl *ifl;

	if (type == RNH_UNICAST)
		return nh->mtu;
	ifl = ifl_lookup(nh->ifl_index);
	return ifl != NULL ? ifl->fam[IFF_INET6].mtu : 0;
}

/*
 * An originated packet @m larger than the MTU out of @nh: the source
 * fragments it (RFC 8200 4.5; routers never fragment what they forward)
 * and sends the fragments. @return true if @m was consumed.
 */
static bool
ip6_originate_fit(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf *m)
{
	uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	struct rte_mempool *direct, *indirect;
	struct rte_mbuf *frags[IP6_FRAG_MAX];
	uint16_t mtu;
	int32_t nf;

	if (type != RNH_UNICAST && type != RNH_HOLD && type != RNH_RESOLV)
		return false;
	mtu = ip6_nh_mtu(nh, type);
	if (mtu == 0 || m->pkt_len <= mtu)
		return false;
	ip_frag_pools(&direct, &indirect);
	nf = direct != NULL ? rte_ipv6_fragment_packet(m, frags, IP6_FRAG_MAX, mtu, direct, indirect)
			    : -ENOMEM;
	if (nf < 0) {
		ip6_drop(m, DROP_frag_failed);
		return true;
	}
	for (int32_t i = 0; i < nf; i++) {
		frags[i]->port = m->port;
		*pkt_meta(frags[i]) = *pkt_meta(m);
	}
	/* The fragments hold references to the original's data. */
	rte_pktmbuf_free(m);
	ip6_count_tx(nh, type, frags, (uint16_t)nf);
	__atomic_load_n(&nh->output, __ATOMIC_ACQUIRE)(c, nh, frags, (uint16_t)nf,
						       NH_OUT_ORIGINATED, NULL);
	return true;
}

/*
 * Step 6 for one received packet going to @nh. @return true if it goes on
 * to the output; false if it was consumed (error queued, or dropped). A
 * packet that earns an ICMPv6 error is counted under its reason here and
 * handed to the error queue, which answers or declines it.
 */
static inline bool
ip6_forward_step(struct rte_mbuf *m, const struct nexthop *nh)
{
	struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *);
	uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	uint16_t mtu;

	switch (type) {
	case RNH_UNICAST:
	case RNH_HOLD:
	case RNH_RESOLV:
		break;
	case RNH_REJECT:
		/* Off-link link-local destinations are nobody's business to report. */
		if (ip6_is_link_local(h->dst_addr) || ip6_is_link_local(h->src_addr)) {
			ip6_drop(m, DROP_ip6_link_local_fwd);
			return false;
		}
		ip6_count(m, DROP_rnh_reject);
		ip_error_enqueue(&m, 1, IP_ERR_NET_UNREACH, 0);
		return false;
	default:
		return true; /* local delivery, discard, dead: the output decides */
	}
	/* RFC 4291 2.5.6: link-local addresses never leave their link. */
	if (unlikely(ip6_is_link_local(h->src_addr) || ip6_is_link_local(h->dst_addr))) {
		ip6_drop(m, DROP_ip6_link_local_fwd);
		return false;
	}
	/* RFC 8200 3, RFC 4443 3.3: the hop limit would reach 0. */
	if (unlikely(h->hop_limits <= 1)) {
		ip6_count(m, DROP_ttl_expired);
		ip_error_enqueue(&m, 1, IP_ERR_TTL, 0);
		return false;
	}
	/* RFC 8200 5: routers do not fragment; the source learns the path MTU. */
	mtu = ip6_nh_mtu(nh, type);
	if (unlikely(mtu != 0 && m->pkt_len > mtu)) {
		ip6_count(m, DROP_ip6_too_big);
		ip_error_enqueue(&m, 1, IP_ERR_FRAG_NEEDED, mtu);
		return false;
	}
	h->hop_limits--;
	return true;
}

/* Call @nh's output with the run @pkts[0..n). */
static inline void
ip6_output_run(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts,
	       uint16_t n, unsigned flags)
{
	nh_output_fn out = __atomic_load_n(&nh->output, __ATOMIC_ACQUIRE);

	ip6_count_tx(nh, __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE), pkts, n);
	out(c, nh, pkts, n, flags, NULL);
}

/*
 * Steps 5-7: look @pkts up in bulk in their routing instances (runs of one
 * instance at a time), then send runs of one next hop. @flags 0 for
 * received packets (forward step applied), NH_OUT_ORIGINATED for ours.
 */
static void
ip6_route_burst(struct lcore_ctx *c, struct rte_mbuf **pkts, const uint16_t *inst, uint16_t n,
		unsigned flags)
{
	uint8_t dst[IP6_BULK][16], src[IP6_BULK][16];
	uint32_t nhi[IP6_BULK];
	const struct nexthop *nhp[IP6_BULK];
	struct rte_mbuf *keep[IP6_BULK];
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod(pkts[i], const struct rte_ipv6_hdr *);

		memcpy(dst[i], h->dst_addr, 16);
		memcpy(src[i], h->src_addr, 16);
	}
	for (uint16_t i = 0; i < n;) {
		uint16_t j = i + 1;
		const struct rt_table *t;
		/* Runs of one instance and one incoming ifl (the routes' flags check it). */
		uint32_t in = flags & NH_OUT_ORIGINATED ? 0 : pkt_meta(pkts[i])->ifl_index;

		while (j < n && inst[j] == inst[i] &&
		       ((flags & NH_OUT_ORIGINATED) || pkt_meta(pkts[j])->ifl_index == in))
			j++;
		t = inst[i] < RT_INST_MAX ? rcu_dereference(rt_tables[inst[i]][1]) : NULL;
		if (t != NULL) {
			rt_fwd_lookup6_bulk(t, (const uint8_t(*)[16])&dst[i],
					    (const uint8_t(*)[16])&src[i], in, &nhi[i], j - i);
		} else {
			for (uint16_t x = i; x < j; x++)
				nhi[x] = NH_INDEX_INVALID;
		}
		i = j;
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct nexthop *nh = nhi[i] != NH_INDEX_INVALID ? nh_by_index(nhi[i]) : NULL;

		if (unlikely(nh == NULL)) {
			ip6_drop(pkts[i], rt_fwd_drop_reason(nhi[i]));
			continue;
		}
		if (!(flags & NH_OUT_ORIGINATED) && !ip6_forward_step(pkts[i], nh))
			continue;
		if ((flags & NH_OUT_ORIGINATED) && ip6_originate_fit(c, nh, pkts[i]))
			continue;
		nhp[k] = nh;
		keep[k++] = pkts[i];
	}
	for (uint16_t i = 0; i < k;) {
		uint16_t j = i + 1;

		while (j < k && nhp[j] == nhp[i])
			j++;
		ip6_output_run(c, nhp[i], &keep[i], j - i, flags);
		i = j;
	}
}

static void
ip6_input_burst(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *look[IP6_BULK], *nd[IP6_BULK], *hbh[IP6_BULK];
	uint16_t inst[IP6_BULK];
	uint16_t nl = 0, nn = 0, nhb = 0;
	struct ip6_rx_ifl rx = { .ifl_index = 0, .rc = NULL };

	for (uint16_t i = 0; i < n; i++) {
		enum drop_reason why = DROP_ip6_bad_length;
		uint16_t in = 0;

		switch (ip6_check(pkts[i], &in, &why, &rx)) {
		case IP6_V_LOOKUP:
			/* The iff's early demux (DHCPv6 client, Router Alert consumers) first. */
			if (unlikely(early_demux_input(c, 6, pkts[i])))
				break;
			inst[nl] = in;
			look[nl++] = pkts[i];
			break;
		case IP6_V_ND:
			nd[nn++] = pkts[i];
			break;
		case IP6_V_HBH:
			if (unlikely(early_demux_input(c, 6, pkts[i])))
				break;
			hbh[nhb++] = pkts[i];
			break;
		case IP6_V_DROP:
			ip6_drop(pkts[i], why);
			break;
		}
	}
	if (nn > 0)
		nd_input(nd, nn);
	if (nhb > 0)
		ip6_output_run(c, ip6_recv_nh, hbh, nhb, 0);
	if (nl > 0)
		ip6_route_burst(c, look, inst, nl, 0);
}

void
ip6_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)port, (void)arg;
	for (uint16_t i = 0; i < n; i += IP6_BULK)
		ip6_input_burst(c, pkts + i, RTE_MIN((uint16_t)(n - i), (uint16_t)IP6_BULK));
}

void
ip6_originate(struct lcore_ctx *c, uint16_t rt_inst, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t inst[IP6_BULK];

	for (uint16_t i = 0; i < IP6_BULK; i++)
		inst[i] = rt_inst;
	for (uint16_t i = 0; i < n; i++) {
		struct nsdp_pkt_meta *pm = pkt_meta(pkts[i]);

		pm->ifl_index = 0;
		pm->rt_inst = rt_inst;
		pm->flags = PKT_F_ORIGINATED;
	}
	for (uint16_t i = 0; i < n; i += IP6_BULK)
		ip6_route_burst(c, pkts + i, inst, RTE_MIN((uint16_t)(n - i), (uint16_t)IP6_BULK),
				NH_OUT_ORIGINATED);
}

/* --- addresses ----------------------------------------------------------- */

void
ip6_solicited_node(const uint8_t a[16], uint8_t out[16])
{
	static const uint8_t p[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	memcpy(out, p, 13);
	memcpy(out + 13, a + 13, 3);
}

void
ip6_mcast_mac(const uint8_t g[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, g + 12, 4);
}

void
ip6_link_local_from_mac(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	/* Modified EUI-64: ff:fe in the middle, the universal/local bit inverted. */
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

/* --- start and stop -------------------------------------------------------- */

int
ip6_init(void)
{
	struct nh_spec s = { .family = 6, .type = RNH_RECV };
	int rc;

	if (ip6_recv_nh != NULL)
		return -EEXIST;
	ip6_recv_nh = nh_get(&s);
	if (ip6_recv_nh == NULL)
		return -errno;
	rc = ifcfg_family_input_register(IFCFG_INPUT_INET6, ip6_input, NULL);
	if (rc < 0) {
		nh_put(ip6_recv_nh);
		ip6_recv_nh = NULL;
	}
	return rc;
}

void
ip6_fini(void)
{
	if (ip6_recv_nh == NULL)
		return;
	ifcfg_family_input_register(IFCFG_INPUT_INET6, NULL, NULL);
	synchronize_rcu();
	nh_put(ip6_recv_nh);
	ip6_recv_nh = NULL;
}
