/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ip6.c: libFuzzer target for the IPv6 receive side over arbitrary
 * bytes taken as a packet from its IPv6 header, received on an ifl of a
 * real interface tree (net_null port) with a real route table and
 * neighbour cache (the ifl's address has no subnet: no timers run here, so
 * neighbours being resolved would hold mbufs for ever; resolution is
 * covered by test_nd):
 *   - ip6_input() (header checks, ND hand-off, lookup, forward step);
 *   - nd_parse() and nd_msg_input() (NS / NA validation, answers, learning,
 *     DAD), with the neighbour queue run after each input;
 *   - icmp6_error_build() for the error named by the first byte.
 *
 * Invariants (a violation calls __builtin_trap()):
 *   forwarded  what ip6_input() put in the tx buffer of the routed port
 *              carries the route's L2 header, then the input with its hop
 *              limit one lower and any bytes past the payload length gone;
 *   nd_parse   accepts only NS / NA with hop limit 255, code 0, a checksum
 *              that verifies, a target that is not multicast and options
 *              of non-zero length that end at the message's end;
 *   errors     an ICMPv6 error built is at most 1280 bytes of IPv6, to the
 *              input's source, its checksum verifies, and it never answers
 *              an unspecified or multicast source, nor an ICMPv6 error or
 *              redirect right after the IPv6 header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "dataplane/counters.h"
#include "dataplane/ip.h"
#include "dataplane/ip6.h"
#include "dataplane/latency.h"
#include "dataplane/lcore.h"
#include "dataplane/neigh.h"
#include "dataplane/nexthop.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "dataplane/svcq.h"
#include "dataplane/timer.h"
#include "ifcfg/ifcfg.h"
#include "ifcfg/ifcfg_priv.h"

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

#define PKT_MAX 1900

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *mp;
static struct lcore_ctx *ctx;
static uint32_t ifl0;
static const uint8_t L2[14] = { 0x02, 0, 0, 0, 0, 0x11, 0x02, 0, 0, 0, 0, 0x01, 0x86, 0xdd };

static uint16_t
sum_ok(const uint8_t *ip6, uint32_t len)
{
	return icmp6_cksum_sum(ip6 + 8, ip6 + 24, ip6 + IP6_HDR_LEN, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[64];
	static char *eal[] = { "fuzz_ip6", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			       prefix, "--no-telemetry", "--log-level=lib.*:error",
			       "--lcores", "0", "--vdev", "net_null0", NULL };
	struct ifd_spec ds = { .name = "null0", .has_port = true, .port = 0 };
	struct ifl_spec ls = { .name = "null0.0" };
	struct iff_spec fs = { .family = IFF_INET6 };
	/* A local address without a subnet: nothing resolves, so nothing is held. */
	struct ifa_spec as = { .has_local = true,
			       .local = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 } };
	struct nh_spec ns = { .family = 6, .type = RNH_UNICAST, .l2_len = 14, .port = 0,
			      .mtu = 1400, .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 } };
	struct route_spec rs = { .type = RTT_USER, .key = { .family = 6, .dst_len = 3,
							     .dst = { 0x20 } } };
	struct rte_eth_conf conf;
	struct svc_sched *sched;
	struct timer_service *ts;
	struct ifcfg_err e;
	struct ifl_priv *l;
	const char *why;

	(void)argc, (void)argv;
	snprintf(prefix, sizeof(prefix), "--file-prefix=nsdp-fuzz-ip6-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		abort();
	rcu_register_thread();
	mp = rte_pktmbuf_pool_create("nsdp_mbufs", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	memset(&conf, 0, sizeof(conf));
	if (mp == NULL || rte_eth_dev_configure(0, 1, 1, &conf) < 0 ||
	    rte_eth_rx_queue_setup(0, 0, 64, 0, NULL, mp) < 0 ||
	    rte_eth_tx_queue_setup(0, 0, 64, 0, NULL) < 0 || rte_eth_dev_start(0) < 0)
		abort();
	nsdp_ports[0].port_id = 0;
	rte_eth_dev_get_name_by_port(0, nsdp_ports[0].name);
	snprintf(nsdp_ports[0].driver, sizeof(nsdp_ports[0].driver), "net_null");
	rte_eth_macaddr_get(0, &nsdp_ports[0].mac);
	nsdp_ports[0].state = PORT_S_STARTED;
	if (pkt_meta_register() < 0 || counters_init() < 0 || latency_init() < 0 ||
	    nh_init() < 0 || rt_init() < 0 || ifcfg_init() < 0)
		abort();
	ctx = calloc(1, sizeof(*ctx));
	sched = svc_sched_create(1, 1);
	ts = timer_service_create();
	if (ctx == NULL || sched == NULL || ts == NULL)
		abort();
	nsdp_lcores[rte_lcore_id()] = ctx;
	config_lock();
	if (ip6_init() < 0 || neigh_init(sched, ts) < 0 || nd_init(NULL, NULL) < 0 ||
	    ifd_add(&ds, NULL, &e) < 0 || ifl_add(&ls, &l, &e) < 0 ||
	    iff_add(l, &fs, NULL, &e) < 0 || ifa_add(l->iff[IFF_INET6], &as, NULL, &e) < 0)
		abort();
	ifl0 = l->ifl_index;
	ns.ifl_index = ifl0;
	memcpy(ns.l2, L2, sizeof(L2));
	rs.nh = nh_get(&ns);
	if (rs.nh == NULL || route_add(rt_table_get(0, 6), &rs, &why) < 0)
		abort();
	nh_put(rs.nh);
	config_unlock();
	ip_error_ratelimit_set(UINT16_MAX, 1000000, 1000000);
	return 0;
}

static struct rte_mbuf *
mk(const uint8_t *p, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	CHECK(m != NULL);
	CHECK(rte_pktmbuf_append(m, (uint16_t)len) != NULL);
	memcpy(rte_pktmbuf_mtod(m, void *), p, len);
	m->port = 0;
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	return m;
}

static void
tx_drop(void)
{
	struct tx_buf *b = &ctx->tx[0];

	rte_pktmbuf_free_bulk(b->pkts, b->n);
	b->n = 0;
	b->pending = false;
	ctx->n_tx_pending = 0;
}

static void
neigh6_run(void)
{
	struct svcq *q = neigh_queue(6);

	svcq_consume_begin(q);
	svcq_drain(q);
	svcq_consume_end(q);
	tx_drop();
}

static void
check_forward(const uint8_t *in, size_t len)
{
	uint32_t plen;

	if (ctx->tx[0].n != 1 || len < IP6_HDR_LEN)
		return;
	const uint8_t *o = rte_pktmbuf_mtod(ctx->tx[0].pkts[0], const uint8_t *);

	/* Only a forwarded packet carries the route's header (errors go the same way: skip them). */
	if (memcmp(o, L2, 14) != 0 || memcmp(o + 14 + 8, in + 8, 32) != 0)
		return;
	plen = (uint32_t)in[4] << 8 | in[5];
	CHECK(ctx->tx[0].pkts[0]->pkt_len == 14 + IP6_HDR_LEN + plen);
	CHECK(o[14 + 7] == (uint8_t)(in[7] - 1) && in[7] > 1);
	CHECK(memcmp(o + 14 + IP6_HDR_LEN, in + IP6_HDR_LEN, plen) == 0);
}

static void
check_nd(const uint8_t *in, size_t len)
{
	struct rte_mbuf *m = mk(in, len);
	struct nd_msg s;
	uint32_t plen;
	const uint8_t *p;

	if (nd_parse(m, &s) == 0) {
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		plen = (uint32_t)p[4] << 8 | p[5];
		CHECK(s.type == ND_NEIGHBOR_SOLICIT || s.type == ND_NEIGHBOR_ADVERT);
		CHECK(p[7] == 255 && p[6] == IP6_PROTO_ICMP6 && p[41] == 0);
		CHECK(IP6_HDR_LEN + plen <= len && plen >= 24);
		CHECK(sum_ok(p, plen) == 0xffff);
		CHECK(!ip6_is_multicast(s.target));
		for (uint32_t off = 24; off < plen;) {
			CHECK(off + 2 <= plen && p[IP6_HDR_LEN + off + 1] != 0);
			off += (uint32_t)p[IP6_HDR_LEN + off + 1] * 8;
			CHECK(off <= plen);
		}
	}
	rte_pktmbuf_free(m);
	m = mk(in, len);
	config_lock();
	nd_msg_input(m);
	config_unlock();
	tx_drop();
	neigh6_run();
}

static void
check_error(const uint8_t *in, size_t len, enum ip_err err)
{
	const uint8_t *o;
	uint32_t plen;

	icmp6_error_build(ctx, mk(in, len), err, in[0]);
	if (ctx->tx[0].n == 0)
		return;
	CHECK(ctx->tx[0].n == 1 && len >= IP6_HDR_LEN);
	o = rte_pktmbuf_mtod(ctx->tx[0].pkts[0], const uint8_t *) + 14;
	plen = (uint32_t)o[4] << 8 | o[5];
	CHECK(ctx->tx[0].pkts[0]->pkt_len == 14 + IP6_HDR_LEN + plen);
	CHECK(IP6_HDR_LEN + plen <= IP6_MIN_MTU);
	CHECK(memcmp(o + 24, in + 8, 16) == 0);
	CHECK(!ip6_is_multicast(in + 8) && !ip6_is_unspecified(in + 8));
	CHECK(sum_ok(o, plen) == 0xffff);
	CHECK(o[40] < 128);
	/* RFC 4443 2.4 (e.1, e.2): no answer to an error or a redirect. */
	CHECK(!(in[6] == IP6_PROTO_ICMP6 && len > IP6_HDR_LEN &&
		(in[IP6_HDR_LEN] < 128 || in[IP6_HDR_LEN] == ND_REDIRECT)));
	tx_drop();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;

	if (size == 0 || size > PKT_MAX)
		return 0;
	m = mk(data, size);
	ip6_input(ctx, 0, &m, 1, NULL);
	check_forward(data, size);
	tx_drop();
	neigh6_run();
	check_nd(data, size);
	check_error(data, size, (enum ip_err)(1 + data[0] % (IP_ERR_MAX - 1)));
	rcu_quiescent_state();
	return 0;
}
