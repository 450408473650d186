/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ip6.c: the IPv6 input (ip6_input.c) and the ICMPv6 error generator
 * (icmp6.c) on a real interface tree and route table over net_null ports:
 * each header check counted under its reason, forwarding with the hop limit
 * decremented and the L2 header on, hop limit and MTU errors queued, the
 * errors built byte for byte (checked against an independent checksum), and
 * the RFC 4443 2.4 (e) rules that forbid answering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/ip.h"
#include "dataplane/ip6.h"
#include "dataplane/latency.h"
#include "dataplane/lcore.h"
#include "dataplane/nexthop.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "dataplane/svcq.h"
#include "ifcfg/ifcfg.h"
#include "ifcfg/ifcfg_priv.h"
#include "test_eal.h"
#include "test_port.h"

static struct rte_mempool *mp;
static struct lcore_ctx *ctx;
static struct svc_sched *sched;
static struct nexthop *nh_out;      /* UNICAST to port 1, MTU 1400 */
static struct nexthop *nh_back;     /* UNICAST to port 0, MTU 1500 */
static uint32_t ifl0, ifl1;
static uint32_t ifl1v5;             /* null1.5: 802.1Q tag 5 on null1, inet6 MTU 1280 */
static struct ifcfg_err E;

static const uint8_t L2_OUT[14] = { 0x02, 0, 0, 0, 0, 0x11, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd };
static const uint8_t L2_BACK[14] = { 0x02, 0, 0, 0, 0, 0x22, 0x02, 0, 0, 0, 0, 0x02, 0x86, 0xdd };

/* --- helpers ------------------------------------------------------------------ */

static void
a6(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static uint64_t
drops(uint16_t port, enum drop_reason r)
{
	struct port_counters pc;

	counters_port_sum(port, &pc);
	return pc.drops[r];
}

/* An IPv6 packet from @src to @dst with @nxt, @hlim and @plen payload bytes (pattern). */
static struct rte_mbuf *
pkt6(const char *src, const char *dst, uint8_t nxt, uint8_t hlim, uint16_t plen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)(IP6_HDR_LEN + plen)));
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p, 0, IP6_HDR_LEN);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nxt;
	p[7] = hlim;
	a6(src, p + 8);
	a6(dst, p + 24);
	for (uint16_t i = 0; i < plen; i++)
		p[IP6_HDR_LEN + i] = (uint8_t)(i * 7 + 3);
	m->port = 0;
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	return m;
}

static void
input1(struct rte_mbuf *m)
{
	ip6_input(ctx, 0, &m, 1, NULL);
}

static void
tx_reset(void)
{
	for (unsigned p = 0; p < 2; p++) {
		rte_pktmbuf_free_bulk(ctx->tx[p].pkts, ctx->tx[p].n);
		ctx->tx[p].n = 0;
		ctx->tx[p].pending = false;
	}
	ctx->n_tx_pending = 0;
}

/* RFC 1071 sum, written out here to check the dataplane's checksums independently. */
static uint16_t
ref_cksum6(const uint8_t *ip6)
{
	uint32_t len = (uint32_t)ip6[4] << 8 | ip6[5], sum = 0;
	const uint8_t *msg = ip6 + IP6_HDR_LEN;

	for (unsigned i = 8; i < 40; i += 2)
		sum += (uint32_t)ip6[i] << 8 | ip6[i + 1];
	sum += len;
	sum += ip6[6];
	for (uint32_t i = 0; i < len; i += 2)
		sum += (uint32_t)msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum; /* 0xffff when the checksum in the message is right */
}

/* --- setup -------------------------------------------------------------------- */

static void
port_up(uint16_t p)
{
	test_port_up(p, mp, 64);
}

static void
ifl_with_addr(const char *ifd, uint16_t port, const char *ifl, const char *addr, uint8_t len,
	      uint32_t *idx)
{
	struct ifd_spec ds = { .name = ifd, .has_port = true, .port = port };
	struct ifl_spec ls = { .name = ifl };
	struct iff_spec fs = { .family = IFF_INET6 };
	struct ifa_spec as = { .has_local = true, .has_dest = true, .dest_len = len };
	struct ifl_priv *l;

	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &fs, NULL, &E), 0);
	a6(addr, as.local);
	memcpy(as.dest, as.local, 16);
	for (unsigned i = len; i < 128; i++)
		as.dest[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	assert_int_equal(ifa_add(l->iff[IFF_INET6], &as, NULL, &E), 0);
	*idx = l->ifl_index;
}

static struct nexthop *
unicast_route(const char *prefix, uint8_t len, uint16_t port, uint32_t ifl, uint16_t mtu,
	      const uint8_t *l2, const char *gw)
{
	struct nh_spec s = { .family = 6, .type = RNH_UNICAST, .ifl_index = ifl, .l2_len = 14,
			     .port = port, .mtu = mtu };
	struct route_spec rs = { .type = RTT_USER };
	const char *why;
	struct nexthop *nh;

	a6(gw, s.addr);
	memcpy(s.l2, l2, 14);
	nh = nh_get(&s);
	assert_non_null(nh);
	rs.key.family = 6;
	rs.key.dst_len = len;
	a6(prefix, rs.key.dst);
	rs.nh = nh;
	assert_int_equal(route_add(rt_table_get(0, 6), &rs, &why), 0);
	return nh;
}

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_null0", "net_null1", NULL };

	(void)state;
	test_eal_init("0", vdevs);
	rcu_register_thread();
	mp = rte_pktmbuf_pool_create("ip6_test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	port_up(0);
	port_up(1);
	assert_int_equal(pkt_meta_register(), 0);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	sched = svc_sched_create(1, 1);
	assert_non_null(sched);
	/* ip_init starts IPv6 too (ip6_init). */
	assert_int_equal(ip_init(sched, NULL), 0);
	assert_int_equal(ip6_init(), -EEXIST);
	assert_int_equal(ip_error_ratelimit_set(UINT16_MAX, 100000, 100000), 0);
	ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	ctx->lcore_id = rte_lcore_id();
	nsdp_lcores[rte_lcore_id()] = ctx;
	ifl_with_addr("null0", 0, "null0.0", "2001:db8:1::1", 64, &ifl0);
	ifl_with_addr("null1", 1, "null1.0", "2001:db8:2::1", 64, &ifl1);
	{
		struct ifl_spec ls = { .name = "null1.5" };
		struct iff_spec fs = { .family = IFF_INET6, .has_mtu = true, .mtu = 1280 };
		struct ifl_priv *l;

		ls.l2id.kind = L2ID_TAGS;
		ls.l2id.n_tags = 1;
		ls.l2id.tpid[0] = 0x8100;
		ls.l2id.vid[0] = 5;
		assert_int_equal(ifl_add(&ls, &l, &E), 0);
		assert_int_equal(iff_add(l, &fs, NULL, &E), 0);
		ifl1v5 = l->ifl_index;
	}
	nh_out = unicast_route("2001:db8:3::", 64, 1, ifl1, 1400, L2_OUT, "2001:db8:2::2");
	nh_back = unicast_route("2001:db8:4::", 64, 0, ifl0, 1500, L2_BACK, "2001:db8:1::2");
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	tx_reset();
	nh_put(nh_out);
	nh_put(nh_back);
	rcu_thread_offline();
	ip_fini();
	ifcfg_fini();
	rt_fini();
	nh_fini();
	nsdp_lcores[rte_lcore_id()] = NULL;
	free(ctx);
	rcu_thread_online();
	rcu_unregister_thread();
	return 0;
}

/* --- forwarding ----------------------------------------------------------------- */

static void
test_forward(void **state)
{
	struct rte_mbuf *m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 100);
	uint8_t before[IP6_HDR_LEN + 100];
	const uint8_t *o;

	(void)state;
	memcpy(before, rte_pktmbuf_mtod(m, void *), sizeof(before));
	/* Ethernet padding beyond the payload length is trimmed (RFC 8200 3). */
	assert_non_null(rte_pktmbuf_append(m, 6));
	input1(m);
	assert_int_equal(ctx->tx[1].n, 1);
	o = rte_pktmbuf_mtod(ctx->tx[1].pkts[0], const uint8_t *);
	assert_int_equal(ctx->tx[1].pkts[0]->pkt_len, 14 + IP6_HDR_LEN + 100);
	assert_memory_equal(o, L2_OUT, 14);
	/* Only the hop limit changed: 64 -> 63 (IPv6 has no header checksum). */
	before[7] = 63;
	assert_memory_equal(o + 14, before, sizeof(before));
	tx_reset();
}

/* --- header checks, each counted under its reason ------------------------------ */

static void
expect_drop(struct rte_mbuf *m, enum drop_reason r)
{
	uint64_t b = drops(0, r);

	input1(m);
	assert_int_equal(drops(0, r) - b, 1);
	assert_int_equal(ctx->tx[0].n + ctx->tx[1].n, 0);
}

static void
test_checks(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	/* Shorter than the fixed header. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 0);
	rte_pktmbuf_trim(m, 20);
	expect_drop(m, DROP_ip6_bad_length);
	/* Version 4 in an IPv6 frame. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 8);
	rte_pktmbuf_mtod(m, uint8_t *)[0] = 0x45;
	expect_drop(m, DROP_ip6_bad_version);
	/* Payload length beyond the frame. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 8);
	rte_pktmbuf_mtod(m, uint8_t *)[5] = 9;
	expect_drop(m, DROP_ip6_bad_length);
	/* Sources: multicast, loopback, unspecified, IPv4-mapped. */
	expect_drop(pkt6("ff02::1", "2001:db8:3::5", 17, 64, 8), DROP_ip6_martian_source);
	expect_drop(pkt6("::1", "2001:db8:3::5", 17, 64, 8), DROP_ip6_martian_source);
	expect_drop(pkt6("::", "2001:db8:3::5", 17, 64, 8), DROP_ip6_martian_source);
	expect_drop(pkt6("::ffff:192.0.2.1", "2001:db8:3::5", 17, 64, 8), DROP_ip6_martian_source);
	/* Destinations: loopback from the wire, interface-local and reserved-scope multicast. */
	expect_drop(pkt6("2001:db8:4::7", "::1", 17, 64, 8), DROP_ip6_martian_dest);
	expect_drop(pkt6("2001:db8:4::7", "ff01::1", 17, 64, 8), DROP_ip6_martian_dest);
	expect_drop(pkt6("2001:db8:4::7", "ff00::1", 17, 64, 8), DROP_ip6_martian_dest);
	/* The incoming ifl is gone. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 8);
	pkt_meta(m)->ifl_index = 0x7fffffff;
	expect_drop(m, DROP_no_ifl);
	/* Link-local never leaves its link (RFC 4291 2.5.6), source or destination. */
	expect_drop(pkt6("fe80::7", "2001:db8:3::5", 17, 64, 8), DROP_ip6_link_local_fwd);
	expect_drop(pkt6("2001:db8:4::7", "fe80::5", 17, 64, 8), DROP_ip6_link_local_fwd);
	/* Multicast nobody joined: MDISCARD. */
	expect_drop(pkt6("2001:db8:4::7", "ff0e::42", 17, 64, 8), DROP_rnh_mdiscard);
	/* Hop-by-hop options go to the local path, counted while none is registered. */
	expect_drop(pkt6("2001:db8:4::7", "2001:db8:3::5", 0, 64, 8), DROP_no_local_input);
	/* The unspecified destination: the permanent DISCARD route. */
	expect_drop(pkt6("2001:db8:4::7", "::", 17, 64, 8), DROP_rnh_discard);
}

/* Hop limit 1 and too big: counted, queued, and answered by the worker. */
static void
test_errors_queued(void **state)
{
	struct port_counters pc;
	uint64_t tx0;

	(void)state;
	counters_port_sum(0, &pc);
	tx0 = pc.tx_packets;
	expect_drop(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 1, 8), DROP_ttl_expired);
	expect_drop(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 0, 8), DROP_ttl_expired);
	expect_drop(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 1400), DROP_ip6_too_big);
	expect_drop(pkt6("2001:db8:4::7", "2001:db8:99::5", 17, 64, 8), DROP_rnh_reject);
	/* The worker's turn: four errors built and sent back out of port 0. */
	assert_int_equal(ip_error_drain(), 4);
	counters_port_sum(0, &pc);
	assert_int_equal(pc.tx_packets - tx0, 4);
	/* Exactly the MTU goes through. */
	input1(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 1400 - IP6_HDR_LEN));
	assert_int_equal(ctx->tx[1].n, 1);
	tx_reset();
}

/* --- ICMPv6 errors byte for byte -------------------------------------------- */

/* Build the error for @m, check the reply against the expected header and original. */
static void
expect_error(struct rte_mbuf *m, enum ip_err err, uint32_t arg, uint8_t type, uint8_t code,
	     uint32_t field, uint32_t copied)
{
	uint8_t orig[1500], exp[IP6_MIN_MTU];
	uint32_t olen = m->pkt_len, len = IP6_HDR_LEN + 8 + copied;
	const uint8_t *o;

	assert_true(olen <= sizeof(orig));
	memcpy(orig, rte_pktmbuf_mtod(m, void *), olen);
	icmp6_error_build(ctx, m, err, arg);
	assert_int_equal(ctx->tx[0].n, 1);
	o = rte_pktmbuf_mtod(ctx->tx[0].pkts[0], const uint8_t *);
	assert_int_equal(ctx->tx[0].pkts[0]->pkt_len, 14 + len);
	assert_memory_equal(o, L2_BACK, 14);
	o += 14;
	memset(exp, 0, sizeof(exp));
	exp[0] = 0x60;
	exp[4] = (uint8_t)((len - IP6_HDR_LEN) >> 8);
	exp[5] = (uint8_t)(len - IP6_HDR_LEN);
	exp[6] = 58;
	exp[7] = 64;
	a6("2001:db8:1::1", exp + 8);  /* an address of the incoming ifl */
	memcpy(exp + 24, orig + 8, 16); /* back to the original source */
	exp[40] = type;
	exp[41] = code;
	exp[42] = o[42];
	exp[43] = o[43];
	exp[44] = (uint8_t)(field >> 24);
	exp[45] = (uint8_t)(field >> 16);
	exp[46] = (uint8_t)(field >> 8);
	exp[47] = (uint8_t)field;
	memcpy(exp + 48, orig, copied);
	assert_memory_equal(o, exp, len);
	assert_int_equal(ref_cksum6(o), 0xffff);
	assert_int_equal(icmp6_cksum_sum(o + 8, o + 24, o + 40, len - 40), 0xffff);
	tx_reset();
}

static void
test_error_bytes(void **state)
{
	(void)state;
	expect_error(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 1, 20), IP_ERR_TTL, 0,
		     ICMP6_TIME_EXCEEDED, 0, 0, IP6_HDR_LEN + 20);
	expect_error(pkt6("2001:db8:4::7", "2001:db8:99::5", 17, 9, 21), IP_ERR_NET_UNREACH, 0,
		     ICMP6_DST_UNREACH, 0, 0, IP6_HDR_LEN + 21);
	expect_error(pkt6("2001:db8:4::7", "2001:db8:3::9", 6, 9, 33), IP_ERR_HOST_UNREACH, 0,
		     ICMP6_DST_UNREACH, 3, 0, IP6_HDR_LEN + 33);
	expect_error(pkt6("2001:db8:4::7", "2001:db8:3::9", 17, 9, 12), IP_ERR_PARAM, 7,
		     ICMP6_PARAM_PROB, 0, 7, IP6_HDR_LEN + 12);
	/* Packet too big: the MTU in the message, the original cut at 1280 bytes in all. */
	expect_error(pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 64, 1400), IP_ERR_FRAG_NEEDED,
		     1400, ICMP6_PACKET_TOO_BIG, 0, 1400, IP6_MIN_MTU - IP6_HDR_LEN - 8);
}

/* Port and protocol unreachable answer from the address the packet was sent to. */
static void
test_error_local_source(void **state)
{
	struct rte_mbuf *m = pkt6("2001:db8:4::7", "2001:db8:2::1", 17, 9, 8);
	const uint8_t *o;
	uint8_t a[16];

	(void)state;
	icmp6_error_build(ctx, m, IP_ERR_PORT_UNREACH, 0);
	assert_int_equal(ctx->tx[0].n, 1);
	o = rte_pktmbuf_mtod(ctx->tx[0].pkts[0], const uint8_t *) + 14;
	a6("2001:db8:2::1", a);
	assert_memory_equal(o + 8, a, 16);
	assert_int_equal(o[40], ICMP6_DST_UNREACH);
	assert_int_equal(o[41], 4);
	assert_int_equal(ref_cksum6(o), 0xffff);
	tx_reset();
	/* Unrecognized next header: parameter problem code 1 pointing at byte 6. */
	m = pkt6("2001:db8:4::7", "2001:db8:2::1", 253, 9, 8);
	icmp6_error_build(ctx, m, IP_ERR_PROTO_UNREACH, 0);
	assert_int_equal(ctx->tx[0].n, 1);
	o = rte_pktmbuf_mtod(ctx->tx[0].pkts[0], const uint8_t *) + 14;
	assert_int_equal(o[40], ICMP6_PARAM_PROB);
	assert_int_equal(o[41], 1);
	assert_int_equal(o[47], 6);
	tx_reset();
}

/* RFC 4443 2.4 (e): what is never answered. */
static void
expect_no_answer(struct rte_mbuf *m, enum ip_err err, uint32_t arg)
{
	uint64_t b = drops(0, DROP_icmp_not_answered);

	icmp6_error_build(ctx, m, err, arg);
	assert_int_equal(drops(0, DROP_icmp_not_answered) - b, 1);
	assert_int_equal(ctx->tx[0].n + ctx->tx[1].n, 0);
}

static void
test_never_answer(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	/* (e.1) an ICMPv6 error (type 1), (e.2) a redirect. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 58, 1, 8);
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN] = ICMP6_DST_UNREACH;
	expect_no_answer(m, IP_ERR_TTL, 0);
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 58, 1, 8);
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN] = ND_REDIRECT;
	expect_no_answer(m, IP_ERR_TTL, 0);
	/* An error behind a hop-by-hop header is still an error. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 0, 1, 16);
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN] = 58;
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN + 1] = 0;
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN + 8] = ICMP6_TIME_EXCEEDED;
	expect_no_answer(m, IP_ERR_TTL, 0);
	/* (e.3) multicast destination. */
	expect_no_answer(pkt6("2001:db8:4::7", "ff0e::1", 17, 1, 8), IP_ERR_TTL, 0);
	expect_no_answer(pkt6("2001:db8:4::7", "ff0e::1", 17, 9, 8), IP_ERR_PARAM, 6);
	/* (e.6) a source that is not one node. */
	expect_no_answer(pkt6("::", "2001:db8:3::5", 17, 1, 8), IP_ERR_TTL, 0);
	expect_no_answer(pkt6("ff02::2", "2001:db8:3::5", 17, 1, 8), IP_ERR_TTL, 0);
	/* A non-first fragment. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", IP6_PROTO_FRAG, 1, 16);
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN] = 17;
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN + 2] = 0x05;
	rte_pktmbuf_mtod(m, uint8_t *)[IP6_HDR_LEN + 3] = 0x00;
	expect_no_answer(m, IP_ERR_TTL, 0);
	/* Our own packet. */
	m = pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 1, 8);
	pkt_meta(m)->flags = PKT_F_ORIGINATED;
	expect_no_answer(m, IP_ERR_TTL, 0);
	/* The exceptions: packet too big and unrecognized option to multicast are answered. */
	icmp6_error_build(ctx, pkt6("2001:db8:4::7", "ff0e::1", 17, 9, 8), IP_ERR_FRAG_NEEDED,
			  1280);
	assert_int_equal(ctx->tx[0].n, 1);
	tx_reset();
	icmp6_error_build(ctx, pkt6("2001:db8:4::7", "ff0e::1", 17, 9, 8), IP_ERR_PARAM,
			  ICMP6_PARAM_OPTION | 42);
	assert_int_equal(ctx->tx[0].n, 1);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[0].pkts[0], uint8_t *)[14 + 41], 2);
	tx_reset();
}

/* Rate limit: an instance with no tokens answers nothing, counted. */
static void
test_ratelimit(void **state)
{
	uint64_t b = drops(0, DROP_icmp_ratelimited);

	(void)state;
	assert_int_equal(ip_error_ratelimit_set(0, 0, 0), 0);
	icmp6_error_build(ctx, pkt6("2001:db8:4::7", "2001:db8:3::5", 17, 1, 8), IP_ERR_TTL, 0);
	assert_int_equal(drops(0, DROP_icmp_ratelimited) - b, 1);
	assert_int_equal(ctx->tx[0].n, 0);
	assert_int_equal(ip_error_ratelimit_set(UINT16_MAX, 100000, 100000), 0);
}

/* Originated packets: no hop-limit change, no MTU check, out through the route. */
static void
test_originate(void **state)
{
	struct rte_mbuf *m = pkt6("2001:db8:2::1", "2001:db8:3::5", 17, 1, 8);

	(void)state;
	ip6_originate(ctx, 0, &m, 1);
	assert_int_equal(ctx->tx[1].n, 1);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[1].pkts[0], uint8_t *)[14 + 7], 1);
	assert_true(pkt_meta(ctx->tx[1].pkts[0])->flags & PKT_F_ORIGINATED);
	tx_reset();
}

/* Route flags: RTF_IFCHECK and RTF_LOCAL on received and originated packets. */
static void
route_flags6(const char *prefix, uint8_t len, uint16_t flags, uint32_t ifl, uint16_t port,
	     uint32_t out_ifl, const uint8_t *l2, const char *gw)
{
	struct nh_spec s = { .family = 6, .type = RNH_UNICAST, .ifl_index = out_ifl, .l2_len = 14,
			     .port = port, .mtu = 1500 };
	struct route_spec rs = { .type = RTT_USER, .flags = flags, .ifl_index = ifl };
	const char *why;

	a6(gw, s.addr);
	memcpy(s.l2, l2, 14);
	rs.nh = nh_get(&s);
	assert_non_null(rs.nh);
	rs.key.family = 6;
	rs.key.dst_len = len;
	a6(prefix, rs.key.dst);
	assert_int_equal(route_add(rt_table_get(0, 6), &rs, &why), 0);
	nh_put(rs.nh);
}

static void
test_route_flags(void **state)
{
	uint64_t ifc0 = drops(0, DROP_rt_ifcheck), ifc1 = drops(1, DROP_rt_ifcheck);
	uint64_t lo0 = drops(0, DROP_rt_local_only);
	struct rte_mbuf *m, *b[3];

	(void)state;
	route_flags6("2001:db8:7::", 64, RTF_IFCHECK, ifl0, 1, ifl1, L2_OUT, "2001:db8:2::7");
	route_flags6("2001:db8:8::", 64, RTF_LOCAL, 0, 1, ifl1, L2_OUT, "2001:db8:2::8");
	/* From the route's ifl: forwarded, hop limit decremented. */
	input1(pkt6("2001:db8:4::7", "2001:db8:7::5", 17, 64, 16));
	assert_int_equal(ctx->tx[1].n, 1);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[1].pkts[0], uint8_t *)[14 + 7], 63);
	tx_reset();
	/* From another ifl, or originated: refused. */
	m = pkt6("2001:db8:2::9", "2001:db8:7::5", 17, 64, 16);
	pkt_meta(m)->ifl_index = ifl1;
	m->port = 1;
	ip6_input(ctx, 1, &m, 1, NULL);
	assert_int_equal(drops(1, DROP_rt_ifcheck) - ifc1, 1);
	m = pkt6("2001:db8:1::1", "2001:db8:7::5", 17, 64, 16);
	ip6_originate(ctx, 0, &m, 1);
	assert_int_equal(drops(0, DROP_rt_ifcheck) - ifc0, 1);
	assert_int_equal(ctx->tx[0].n + ctx->tx[1].n, 0);
	/* RTF_LOCAL: received refused (no ICMPv6 error), originated sent unchanged. */
	input1(pkt6("2001:db8:4::7", "2001:db8:8::5", 17, 64, 16));
	assert_int_equal(drops(0, DROP_rt_local_only) - lo0, 1);
	ip_error_drain();
	assert_int_equal(ctx->tx[0].n + ctx->tx[1].n, 0);
	m = pkt6("2001:db8:1::1", "2001:db8:8::5", 17, 64, 16);
	ip6_originate(ctx, 0, &m, 1);
	assert_int_equal(ctx->tx[1].n, 1);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[1].pkts[0], uint8_t *)[14 + 7], 64);
	tx_reset();
	/* A burst from two ifls: the lookup runs per incoming ifl. */
	b[0] = pkt6("2001:db8:4::7", "2001:db8:7::1", 17, 64, 16);
	b[1] = pkt6("2001:db8:2::9", "2001:db8:7::2", 17, 64, 16);
	pkt_meta(b[1])->ifl_index = ifl1;
	b[2] = pkt6("2001:db8:4::7", "2001:db8:7::3", 17, 64, 16);
	ip6_input(ctx, 0, b, 3, NULL);
	assert_int_equal(drops(0, DROP_rt_ifcheck) - ifc0, 2);
	assert_int_equal(ctx->tx[1].n, 2);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[1].pkts[0], uint8_t *)[14 + 39], 1);
	assert_int_equal(rte_pktmbuf_mtod(ctx->tx[1].pkts[1], uint8_t *)[14 + 39], 3);
	tx_reset();
}

/* MULTICAST copies byte for byte, hop limit, scope; originated output by metadata. */
static unsigned local6_n;

static void
local6_catch(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n,
	     unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)flags, (void)meta;
	for (uint16_t i = 0; i < n; i++) {
		/* The local copy is as received: hop limit 9 in these tests. */
		assert_int_equal(rte_pktmbuf_mtod(pkts[i], uint8_t *)[7], 9);
	}
	local6_n += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
check_frame6(struct rte_mbuf *f, bool tagged, const uint8_t *want, uint16_t len, uint8_t hlim)
{
	const uint8_t *p = rte_pktmbuf_mtod(f, const uint8_t *);
	unsigned l2 = tagged ? 18 : 14;
	uint8_t mac[6];

	assert_int_equal(f->nb_segs, 1);
	assert_int_equal(f->pkt_len, l2 + len);
	/* RFC 2464 7: 33:33 and the group's last 32 bits. */
	mac[0] = 0x33, mac[1] = 0x33;
	memcpy(mac + 2, want + 36, 4);
	assert_memory_equal(p, mac, 6);
	assert_memory_equal(p + 6, nsdp_ports[1].mac.addr_bytes, 6);
	if (tagged)
		assert_memory_equal(p + 12, "\x81\x00\x00\x05", 4);
	assert_memory_equal(p + l2 - 2, "\x86\xdd", 2);
	assert_memory_equal(p + l2, want, 7);
	assert_int_equal(p[l2 + 7], hlim);
	assert_memory_equal(p + l2 + 8, want + 8, len - 8u);
}

static struct nexthop *
mlist6(uint8_t type, unsigned n, const uint32_t *ifls)
{
	struct nh_spec s = { .family = 6, .type = type, .n_ifl = (uint8_t)n };
	struct nexthop *nh;

	memcpy(s.ifl_list, ifls, n * sizeof(ifls[0]));
	nh = nh_get(&s);
	assert_non_null(nh);
	return nh;
}

static void
test_multicast(void **state)
{
	const uint32_t list[3] = { 0, ifl1, ifl1v5 };
	struct nexthop *nh = mlist6(RNH_MULTICAST, 3, list);
	uint8_t orig[IP6_HDR_LEN + 1400];
	struct rte_mbuf *m;
	uint64_t before;

	(void)state;
	assert_int_equal(nh_set_local_input(6, local6_catch), 0);
	local6_n = 0;
	m = pkt6("2001:db8:4::7", "ff0e::1:2:3:4", 17, 9, 100);
	memcpy(orig, rte_pktmbuf_mtod(m, void *), IP6_HDR_LEN + 100);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	assert_int_equal(ctx->tx[1].n, 2);
	check_frame6(ctx->tx[1].pkts[0], false, orig, IP6_HDR_LEN + 100, 8);
	check_frame6(ctx->tx[1].pkts[1], true, orig, IP6_HDR_LEN + 100, 8);
	assert_int_equal(local6_n, 1);
	tx_reset();
	/* Hop limit 1, link-local scope, link-local source: not forwarded; local still gets them. */
	before = drops(0, DROP_mcast_ttl_expired);
	assert_int_equal(nh_set_local_input(6, NULL), 0);
	m = pkt6("2001:db8:4::7", "ff0e::9", 17, 1, 8);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	assert_int_equal(drops(0, DROP_mcast_ttl_expired) - before, 1);
	before = drops(0, DROP_mcast_scope);
	m = pkt6("2001:db8:4::7", "ff02::9", 17, 9, 8);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	m = pkt6("fe80::7", "ff0e::9", 17, 9, 8);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	assert_int_equal(drops(0, DROP_mcast_scope) - before, 2);
	assert_int_equal(ctx->tx[0].n + ctx->tx[1].n, 0);
	/* Over null1.5's 1280 bytes: received IPv6 is never fragmented; ... */
	assert_int_equal(nh_set_local_input(6, local6_catch), 0);
	before = drops(0, DROP_mcast_too_big);
	m = pkt6("2001:db8:4::7", "ff0e::1:2:3:4", 17, 9, 1300);
	memcpy(orig, rte_pktmbuf_mtod(m, void *), IP6_HDR_LEN + 1300);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	assert_int_equal(drops(0, DROP_mcast_too_big) - before, 1);
	assert_int_equal(ctx->tx[1].n, 1);
	check_frame6(ctx->tx[1].pkts[0], false, orig, IP6_HDR_LEN + 1300, 8);
	tx_reset();
	/* ...what nsdp sends is fragmented by its source (RFC 8200 4.5). */
	m = pkt6("2001:db8:2::1", "ff0e::1:2:3:4", 17, 9, 1300);
	nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, NULL);
	assert_int_equal(ctx->tx[1].n, 3);
	for (unsigned i = 1; i < 3; i++) {
		struct rte_mbuf *f = ctx->tx[1].pkts[i];
		uint8_t buf[1400];
		const uint8_t *p = rte_pktmbuf_read(f, 0, f->pkt_len, buf);

		assert_memory_equal(p + 12, "\x81\x00\x00\x05\x86\xdd", 6);
		assert_int_equal(p[18 + 6], IP6_PROTO_FRAG);
		assert_int_equal(p[18 + 7], 9);
		assert_true(f->pkt_len - 18 <= 1280);
	}
	tx_reset();
	nh_put(nh);

	/* Originated MRECV / MDISCARD / MGROUP: out the ifl the metadata names, unchanged. */
	{
		const uint8_t types[3] = { RNH_MRECV, RNH_MDISCARD, RNH_MGROUP };
		const struct nh_out_meta on = { ifl1v5 };
		const uint32_t g[1] = { ifl0 };

		for (unsigned t = 0; t < 3; t++) {
			struct nh_spec ts = { .family = 6, .type = types[t] };
			struct nexthop *x = types[t] == RNH_MGROUP ? mlist6(RNH_MGROUP, 1, g) : nh_get(&ts);

			m = pkt6("2001:db8:2::1", "ff02::1", 58, 255, 24);
			memcpy(orig, rte_pktmbuf_mtod(m, void *), IP6_HDR_LEN + 24);
			x->output(ctx, x, &m, 1, NH_OUT_ORIGINATED, &on);
			assert_int_equal(ctx->tx[1].n, 1);
			check_frame6(ctx->tx[1].pkts[0], true, orig, IP6_HDR_LEN + 24, 255);
			tx_reset();
			before = drops(0, DROP_no_output_ifl);
			m = pkt6("2001:db8:2::1", "ff02::1", 58, 255, 24);
			x->output(ctx, x, &m, 1, NH_OUT_ORIGINATED, NULL);
			assert_int_equal(drops(0, DROP_no_output_ifl) - before, 1);
			nh_put(x);
		}
	}
	assert_int_equal(nh_set_local_input(6, NULL), 0);
}

/* Address helpers (RFC 4291 2.7.1, appendix A; RFC 2464 7). */
static void
test_addresses(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e };
	uint8_t a[16], out[16], exp[16], m6[6];

	(void)state;
	a6("2001:db8::1:2:3456:789a", a);
	ip6_solicited_node(a, out);
	a6("ff02::1:ff56:789a", exp);
	assert_memory_equal(out, exp, 16);
	ip6_mcast_mac(out, m6);
	assert_memory_equal(m6, ((uint8_t[]){ 0x33, 0x33, 0xff, 0x56, 0x78, 0x9a }), 6);
	ip6_link_local_from_mac(mac, out);
	a6("fe80::21b:21ff:fe3c:4d5e", exp);
	assert_memory_equal(out, exp, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_errors_queued),
		cmocka_unit_test(test_error_bytes),
		cmocka_unit_test(test_error_local_source),
		cmocka_unit_test(test_never_answer),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_originate),
		cmocka_unit_test(test_route_flags),
		cmocka_unit_test(test_multicast),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
