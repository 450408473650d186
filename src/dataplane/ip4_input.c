/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip4_input.c: IPv4 on the rx lcore (paper 2229-2418, "software interrupt
 * processing"): validate each header, find the routing instance of the
 * incoming iff, look the run up in bulk, and hand each run of consecutive
 * packets with the same next hop to its output function; received packets
 * that leave through a UNICAST, HOLD or RESOLV next hop get the forward
 * step first (TTL, MTU, fragmentation). Stateless: what needs state (ICMP
 * errors: an address, a rate limit) is queued to a worker (ip.c).
 *
 * Fragmentation runs here, on the lcore: it leaves no state behind (the
 * fragments share the original's data through indirect mbufs), so it is
 * "stateless packet processing" in the paper's sense, and doing it here
 * keeps the fragments in order with the flow. The pools are shared by all
 * lcores (mempool per-lcore caches, no locks on the fast path).
 *
 * Packet path: no locks, no allocation besides mbufs, no syscalls.
 */
#include <errno.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <urcu-qsbr.h>

#include "ifcfg/ifcfg.h"
#include "ifl_stats.h"
#include "ip.h"
#include "ip4.h"
#include "l3demux.h"
#include "lcore.h"
#include "nexthop.h"
#include "route.h"

#define FRAG_POOL_SIZE 8191
#define FRAG_POOL_CACHE 64
#define FRAG_DIRECT_ROOM (RTE_PKTMBUF_HEADROOM + 128) /* headroom + IPv4 header */

static struct rte_mempool *frag_direct;   /* [I] */
static struct rte_mempool *frag_indirect; /* [I] */
static struct nexthop *ip4_recv_nh;       /* [I] receive next hop of the local path */

int
ip4_frag_init(void)
{
	struct nh_spec rs = { .family = 4, .type = RNH_RECV };

	ip4_recv_nh = nh_get(&rs);
	if (ip4_recv_nh == NULL)
		return -errno;
	frag_direct = rte_pktmbuf_pool_create("nsdp_frag_dir", FRAG_POOL_SIZE, FRAG_POOL_CACHE, 0,
					      FRAG_DIRECT_ROOM, SOCKET_ID_ANY);
	frag_indirect = rte_pktmbuf_pool_create("nsdp_frag_ind", FRAG_POOL_SIZE, FRAG_POOL_CACHE, 0,
						0, SOCKET_ID_ANY);
	if (frag_direct == NULL || frag_indirect == NULL) {
		ip4_frag_fini();
		return -ENOMEM;
	}
	return 0;
}

void
ip_frag_pools(struct rte_mempool **direct, struct rte_mempool **indirect)
{
	*direct = frag_direct;
	*indirect = frag_indirect;
}

void
ip4_frag_fini(void)
{
	rte_mempool_free(frag_direct);
	rte_mempool_free(frag_indirect);
	frag_direct = frag_indirect = NULL;
	if (ip4_recv_nh != NULL)
		nh_put(ip4_recv_nh);
	ip4_recv_nh = NULL;
}

/* Options (RFC 791 3.1): EOL, NOP, or type-length-value within the header. */
static int
ip4_options_check(const uint8_t *opt, unsigned len, bool *ra)
{
	unsigned i = 0;

	while (i < len) {
		unsigned t = opt[i], l;

		if (t == IP4_OPT_EOL)
			break;
		if (t == IP4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -EBADMSG;
		l = opt[i + 1];
		if (l < 2 || i + l > len)
			return -EBADMSG;
		if (t == IP4_OPT_RA && l == 4)
			*ra = true;
		i += l;
	}
	return 0;
}

int
ip4_header_check(struct rte_mbuf *m, struct ip4_check *out)
{
	const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	unsigned hlen, tot;

	/* RFC 1812 5.2.2 (1): the link layer reports at least 20 bytes. */
	if (m->pkt_len < IP4_HDR_MIN || m->data_len < 1)
		return DROP_ip4_bad_length;
	/* (3): version 4. */
	if ((h->version_ihl >> 4) != 4)
		return DROP_ip4_bad_version;
	/* (4): IHL at least 5; the header in the first segment (and the frame). */
	hlen = (unsigned)(h->version_ihl & 0xf) * 4;
	if (hlen < IP4_HDR_MIN || hlen > m->data_len)
		return DROP_ip4_bad_header_len;
	/* (2): checksum: the port's verdict when it checked, else computed. */
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return DROP_ip4_bad_checksum;
	if (ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(h, hlen) != 0xffff)
		return DROP_ip4_bad_checksum;
	/* (5): total length covers the header and fits in the frame. */
	tot = rte_be_to_cpu_16(h->total_length);
	if (tot < hlen || tot > m->pkt_len)
		return DROP_ip4_bad_length;
	out->router_alert = false;
	if (hlen > IP4_HDR_MIN &&
	    ip4_options_check((const uint8_t *)(h + 1), hlen - IP4_HDR_MIN, &out->router_alert) < 0)
		return DROP_ip4_bad_options;
	/* Link-layer padding (short Ethernet frames) is not part of the packet. */
	if (m->pkt_len > tot && rte_pktmbuf_trim(m, m->pkt_len - tot) < 0)
		return DROP_ip4_bad_length;
	out->hlen = (uint16_t)hlen;
	return 0;
}

static inline void
ip4_drop(struct port_counters *pc, struct rte_mbuf *m, enum drop_reason r)
{
	pc->drops[r]++;
	rte_pktmbuf_free(m);
}

/* The L3 MTU out of @nh: the next hop's (UNICAST), else the output ifl's inet MTU. */
static uint16_t
ip4_nh_mtu(const struct nexthop *nh, uint8_t type, const struct ifl *ifl)
{
	if (type == RNH_UNICAST && nh->mtu != 0)
		return nh->mtu;
	if (ifl == NULL || !ifl->fam[IFF_INET].present || ifl->fam[IFF_INET].mtu == 0)
		return 0;
	return ifl->fam[IFF_INET].mtu;
}

/* Count @n packets as sent by IPv4 out of the ifl whose counters are @tc. */
static inline void
ip4_count_tx(struct ifl_fam_ctr *tc, struct rte_mbuf **pkts, uint16_t n)
{
	if (tc == NULL)
		return;
	tc->tx_packets += n;
	for (uint16_t i = 0; i < n; i++)
		tc->tx_bytes += pkts[i]->pkt_len;
}

/* Fragment @m to @mtu and send the fragments through @out with @flags. Consumes @m. */
static void
ip4_fragment(struct lcore_ctx *c, const struct nexthop *nh, nh_output_fn out,
	     struct port_counters *pc, struct ifl_fam_ctr *tc, struct rte_mbuf *m, uint16_t mtu,
	     unsigned flags)
{
	struct rte_mbuf *frags[IP4_FRAG_MAX];
	int32_t nf;

	nf = rte_ipv4_fragment_packet(m, frags, IP4_FRAG_MAX, mtu, frag_direct, frag_indirect);
	if (nf < 0) {
		ip4_drop(pc, m, DROP_frag_failed);
		return;
	}
	for (int32_t i = 0; i < nf; i++) {
		struct rte_ipv4_hdr *fh = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);

		fh->hdr_checksum = 0;
		fh->hdr_checksum = rte_ipv4_cksum(fh);
		frags[i]->port = m->port;
		*pkt_meta(frags[i]) = *pkt_meta(m);
	}
	/* The fragments hold references to the original's data. */
	rte_pktmbuf_free(m);
	ip4_count_tx(tc, frags, (uint16_t)nf);
	out(c, nh, frags, (uint16_t)nf, flags, NULL);
}

bool
ip4_originate_fit(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf *m)
{
	uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	const struct ifl *oifl;
	struct rte_ipv4_hdr *h;
	uint16_t mtu;

	if (type != RNH_UNICAST && type != RNH_HOLD && type != RNH_RESOLV)
		return false;
	oifl = ifl_lookup(nh->ifl_index);
	mtu = ip4_nh_mtu(nh, type, oifl);
	if (mtu == 0 || m->pkt_len <= mtu)
		return false;
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	if (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) {
		/* Built here with DF (an echo reply to a DF request): too big to send. */
		ip4_drop(counters_this_lcore(m->port < RTE_MAX_ETHPORTS ? m->port : 0), m,
			 DROP_mtu_exceeded);
		return true;
	}
	ip4_fragment(c, nh, __atomic_load_n(&nh->output, __ATOMIC_ACQUIRE),
		     counters_this_lcore(m->port < RTE_MAX_ETHPORTS ? m->port : 0),
		     oifl != NULL ? ifl_stats_this_lcore(oifl->stats_slot, IFF_INET) : NULL, m, mtu,
		     NH_OUT_ORIGINATED);
	return true;
}

void
ip4_forward(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n)
{
	nh_output_fn out = __atomic_load_n(&nh->output, __ATOMIC_ACQUIRE);
	uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	const struct ifl *oifl = ifl_lookup(nh->ifl_index);
	struct ifl_fam_ctr *tc = oifl != NULL ? ifl_stats_this_lcore(oifl->stats_slot, IFF_INET)
					      : NULL;
	uint16_t mtu = ip4_nh_mtu(nh, type, oifl);
	struct rte_mbuf *ok[n];
	uint16_t n_ok = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
		struct port_counters *pc = counters_this_lcore(m->port);
		uint16_t old, new;

		/* RFC 1812 5.3.1: TTL would reach 0 -> time exceeded. */
		if (h->time_to_live <= 1) {
			pc->drops[DROP_ttl_expired]++;
			ip_error_enqueue(&m, 1, IP_ERR_TTL, 0);
			continue;
		}
		/* RFC 1812 5.2.6 / RFC 1191: too big with DF -> fragmentation needed. */
		if (mtu != 0 && m->pkt_len > mtu &&
		    (h->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG))) {
			pc->drops[DROP_mtu_exceeded]++;
			ip_error_enqueue(&m, 1, IP_ERR_FRAG_NEEDED, mtu);
			continue;
		}
		/* RFC 1624 incremental checksum of the TTL/protocol word. */
		old = *(const uint16_t *)&h->time_to_live;
		h->time_to_live--;
		new = *(const uint16_t *)&h->time_to_live;
		h->hdr_checksum = ip4_cksum_adjust(h->hdr_checksum, old, new);
		if (mtu != 0 && m->pkt_len > mtu) {
			if (n_ok > 0) {
				ip4_count_tx(tc, ok, n_ok);
				out(c, nh, ok, n_ok, 0, NULL);
				n_ok = 0;
			}
			ip4_fragment(c, nh, out, pc, tc, m, mtu, 0);
			continue;
		}
		ok[n_ok++] = m;
	}
	if (n_ok > 0) {
		ip4_count_tx(tc, ok, n_ok);
		out(c, nh, ok, n_ok, 0, NULL);
	}
}

/* Hand packets to the local path through the receive next hop. */
static void
ip4_local_path(struct lcore_ctx *c, struct port_counters *pc, struct rte_mbuf **pkts, uint16_t n)
{
	const struct nexthop *nh = ip4_recv_nh;

	if (nh == NULL) {
		pc->drops[DROP_no_local_input] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	__atomic_load_n(&nh->output, __ATOMIC_ACQUIRE)(c, nh, pkts, n, 0, NULL);
}

/* A run of packets with one next hop: forward step, ICMP, or the output. */
static void
ip4_nh_run(struct lcore_ctx *c, struct port_counters *pc, uint32_t nh_index, struct rte_mbuf **pkts,
	   uint16_t n)
{
	const struct nexthop *nh = nh_by_index(nh_index);
	nh_output_fn out;
	uint8_t type;

	if (unlikely(nh == NULL)) {
		/* Gone, or refused by the route's flags (RT_FWD_IFCHECK, RT_FWD_LOCAL_ONLY). */
		pc->drops[rt_fwd_drop_reason(nh_index)] += n;
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	switch (type) {
	case RNH_UNICAST:
	case RNH_HOLD:
	case RNH_RESOLV:
		ip4_forward(c, nh, pkts, n);
		return;
	case RNH_REJECT:
		/* RFC 1812 5.2.7.1: destination unreachable (the 0/0 default is REJECT). */
		pc->drops[DROP_rnh_reject] += n;
		ip_error_enqueue(pkts, n, IP_ERR_NET_UNREACH, 0);
		return;
	default:
		out = __atomic_load_n(&nh->output, __ATOMIC_ACQUIRE);
		out(c, nh, pkts, n, 0, NULL);
		return;
	}
}

/* Look up @n validated packets in @t and hand each next hop its run. */
static void
ip4_lookup_output(struct lcore_ctx *c, struct port_counters *pc, const struct rt_table *t,
		  struct rte_mbuf **ok, const uint32_t *dst, const uint32_t *src, uint16_t n)
{
	uint32_t nh_idx[RX_BURST];

	/* One chunk is one run of one ifl: the flag checks take it once. */
	rt_fwd_lookup4_bulk(t, dst, src, pkt_meta(ok[0])->ifl_index, nh_idx, n);
	for (uint16_t a = 0; a < n;) {
		uint16_t b = a + 1;

		while (b < n && nh_idx[b] == nh_idx[a])
			b++;
		ip4_nh_run(c, pc, nh_idx[a], &ok[a], b - a);
		a = b;
	}
}

/* One chunk of at most RX_BURST packets of one run from the demux. */
static void
ip4_input_chunk(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_counters *pc = counters_this_lcore(port);
	struct rte_mbuf *ok[RX_BURST], *ra[RX_BURST];
	uint32_t dst[RX_BURST], src[RX_BURST];
	uint16_t n_ok = 0, n_ra = 0;
	const struct rt_table *t = NULL;
	struct ifl_fam_ctr *rc = NULL;
	uint32_t cur_ifl = 0;
	uint16_t inst = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct nsdp_pkt_meta *pm = pkt_meta(m);
		const struct rte_ipv4_hdr *h;
		struct ip4_check chk;
		int why;

		m->port = port;
		/* The run shares its ifl; look it up again only when it changes. */
		if (t == NULL || pm->ifl_index != cur_ifl) {
			const struct ifl *ifl = ifl_lookup(pm->ifl_index);

			if (n_ok > 0) {
				ip4_lookup_output(c, pc, t, ok, dst, src, n_ok);
				n_ok = 0;
			}
			t = NULL;
			rc = NULL;
			cur_ifl = pm->ifl_index;
			if (ifl != NULL && ifl->fam[IFF_INET].present) {
				rc = ifl_stats_this_lcore(ifl->stats_slot, IFF_INET);
				inst = ifl->fam[IFF_INET].rt_inst;
				if (inst < RT_INST_MAX)
					t = rcu_dereference(rt_tables[inst][0]);
			}
			if (t == NULL) {
				ip4_drop(pc, m, DROP_no_ifl);
				continue;
			}
		}
		if (rc != NULL) {
			rc->rx_packets++;
			rc->rx_bytes += m->pkt_len;
		}
		why = ip4_header_check(m, &chk);
		if (unlikely(why != 0)) {
			ip4_drop(pc, m, (enum drop_reason)why);
			continue;
		}
		h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
		src[n_ok] = rte_be_to_cpu_32(h->src_addr);
		dst[n_ok] = rte_be_to_cpu_32(h->dst_addr);
		/* RFC 1812 5.3.7: no martian source (0.0.0.0 to 255.255.255.255 is DHCP). */
		if (unlikely(ip4_martian_src(src[n_ok])) &&
		    !(src[n_ok] == 0 && dst[n_ok] == UINT32_MAX)) {
			ip4_drop(pc, m, DROP_ip4_martian_source);
			continue;
		}
		pm->rt_inst = inst;
		/* The iff's early demux (DHCP client, Router Alert consumers) first. */
		if (unlikely(early_demux_input(c, 4, m)))
			continue;
		/* RFC 2113: Router Alert packets go to the local path. */
		if (unlikely(chk.router_alert)) {
			ra[n_ra++] = m;
			continue;
		}
		ok[n_ok++] = m;
	}
	if (n_ok > 0)
		ip4_lookup_output(c, pc, t, ok, dst, src, n_ok);
	if (n_ra > 0)
		ip4_local_path(c, pc, ra, n_ra);
}

void
ip4_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)arg;
	while (n > 0) {
		uint16_t k = n > RX_BURST ? RX_BURST : n;

		ip4_input_chunk(c, port, pkts, k);
		pkts += k;
		n -= k;
	}
}
