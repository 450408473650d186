/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nd.c: Neighbor Discovery (nd.c) on the real neighbour cache over a
 * net_ring port (what the port sends comes back on its rx queue, so every
 * frame nsdp sends is read back byte for byte): DAD of a new address, the
 * NA answering an NS, resolution of a neighbour through the cache with the
 * held packet sent once the NA arrives, the unicast probe of NUD,
 * validation of NS / NA, and DAD failures.
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
#include "test_eal.h"

static struct rte_mempool *mp;
static struct lcore_ctx *ctx;
static struct svc_sched *sched;
static struct timer_service *ts;
static uint32_t ifl0;
static uint8_t our_mac[6];
static struct ifcfg_err E;

static const uint8_t HOST2_MAC[6] = { 0x02, 0xaa, 0, 0, 0, 0x02 };
static const uint8_t HOST3_MAC[6] = { 0x02, 0xaa, 0, 0, 0, 0x03 };

/* --- helpers ------------------------------------------------------------------ */

static void
a6(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static uint64_t
drops(enum drop_reason r)
{
	struct port_counters pc;

	counters_port_sum(0, &pc);
	return pc.drops[r];
}

/* Run what the IPv6 neighbour queue holds, as a worker would. */
static void
neigh6_run(void)
{
	struct svcq *q = neigh_queue(6);

	assert_non_null(q);
	svcq_consume_begin(q);
	svcq_drain(q);
	svcq_consume_end(q);
}

/* The next frame the port sent, NULL if none. */
static struct rte_mbuf *
sent(void)
{
	struct rte_mbuf *m;

	return rte_eth_rx_burst(0, 0, &m, 1) == 1 ? m : NULL;
}

static void
nothing_sent(void)
{
	struct rte_mbuf *m = sent();

	if (m != NULL)
		rte_pktmbuf_free(m);
	assert_null(m);
}

/* RFC 1071 sum over the pseudo header and message: 0xffff when the checksum is right. */
static uint16_t
ref_cksum6(const uint8_t *ip6)
{
	uint32_t len = (uint32_t)ip6[4] << 8 | ip6[5], sum = 0;
	const uint8_t *msg = ip6 + IP6_HDR_LEN;

	for (unsigned i = 8; i < 40; i += 2)
		sum += (uint32_t)ip6[i] << 8 | ip6[i + 1];
	sum += len + ip6[6];
	for (uint32_t i = 0; i < len; i += 2)
		sum += (uint32_t)msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Check frame @m (Ethernet) is an NS / NA as expected: L2 to @dmac from us,
 * IPv6 from @src to @dst with hop limit 255, ICMPv6 @type with @flags about
 * @target, with our MAC in an LLA option when @lla; checksum right. Frees @m.
 */
static void
expect_nd(struct rte_mbuf *m, const uint8_t *dmac, const char *src, const char *dst,
	  uint8_t type, uint8_t flags, const char *target, bool lla)
{
	uint8_t exp[14 + 40 + 32];
	uint32_t icmp_len = 24 + (lla ? 8 : 0);
	const uint8_t *o;

	assert_non_null(m);
	assert_int_equal(m->pkt_len, 14 + 40 + icmp_len);
	o = rte_pktmbuf_mtod(m, const uint8_t *);
	memset(exp, 0, sizeof(exp));
	memcpy(exp, dmac, 6);
	memcpy(exp + 6, our_mac, 6);
	exp[12] = 0x86;
	exp[13] = 0xdd;
	exp[14] = 0x60;
	exp[19] = (uint8_t)icmp_len;
	exp[20] = 58;
	exp[21] = 255;
	a6(src, exp + 22);
	a6(dst, exp + 38);
	exp[54] = type;
	exp[56] = o[56]; /* checksum: verified below */
	exp[57] = o[57];
	exp[58] = flags;
	a6(target, exp + 62);
	if (lla) {
		exp[78] = type == ND_NEIGHBOR_SOLICIT ? 1 : 2;
		exp[79] = 1;
		memcpy(exp + 80, our_mac, 6);
	}
	assert_memory_equal(o, exp, 14 + 40 + icmp_len);
	assert_int_equal(ref_cksum6(o + 14), 0xffff);
	rte_pktmbuf_free(m);
}

/* A received NS / NA from a host, as the IPv6 input hands it to ND. */
static struct rte_mbuf *
rx_nd(uint8_t type, const char *src, const char *dst, const char *target, uint8_t flags,
      const uint8_t *lla)
{
	uint8_t s[16], d[16], t[16];
	struct rte_mbuf *m;

	a6(src, s);
	a6(dst, d);
	a6(target, t);
	m = nd_build(mp, type, s, d, t, flags, lla);
	assert_non_null(m);
	m->port = 0;
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	return m;
}

static void
nd_in(struct rte_mbuf *m)
{
	config_lock();
	nd_msg_input(m);
	config_unlock();
}

static int
ifa6(const char *addr, uint8_t len)
{
	struct ifa_spec as = { .has_local = true, .has_dest = len != 128, .dest_len = len };
	struct ifl_priv *l = ifl_priv_by_index(ifl0);
	int rc;

	a6(addr, as.local);
	memcpy(as.dest, as.local, 16);
	for (unsigned i = len; i < 128; i++)
		as.dest[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	config_lock();
	rc = ifa_add(l->iff[IFF_INET6], &as, NULL, &E);
	config_unlock();
	return rc;
}

/* --- setup -------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_ring0", NULL };
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct ifd_spec ds = { .name = "ring0", .has_port = true, .port = 0 };
	struct ifl_spec ls = { .name = "ring0.0" };
	struct iff_spec fs = { .family = IFF_INET6 };
	struct ifl_priv *l;

	(void)state;
	test_eal_init("0", vdevs);
	rcu_register_thread();
	/* The pool the neighbour protocols allocate from. */
	mp = rte_pktmbuf_pool_create("nsdp_mbufs", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_info_get(0, &info), 0);
	assert_int_equal(rte_eth_dev_configure(0, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(0, 0, 256, 0, NULL, mp), 0);
	assert_int_equal(rte_eth_tx_queue_setup(0, 0, 256, 0, NULL), 0);
	assert_int_equal(rte_eth_dev_start(0), 0);
	nsdp_ports[0].port_id = 0;
	rte_eth_dev_get_name_by_port(0, nsdp_ports[0].name);
	snprintf(nsdp_ports[0].driver, sizeof(nsdp_ports[0].driver), "%s", info.driver_name);
	rte_eth_macaddr_get(0, &nsdp_ports[0].mac);
	nsdp_ports[0].state = PORT_S_STARTED;
	assert_int_equal(pkt_meta_register(), 0);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	ctx = calloc(1, sizeof(*ctx));
	assert_non_null(ctx);
	ctx->lcore_id = rte_lcore_id();
	nsdp_lcores[rte_lcore_id()] = ctx;
	sched = svc_sched_create(1, 1);
	assert_non_null(sched);
	ts = timer_service_create();
	assert_non_null(ts);
	assert_int_equal(timer_service_start(ts), 0);
	config_lock();
	assert_int_equal(ip6_init(), 0);
	assert_int_equal(neigh_init(sched, ts), 0);
	assert_int_equal(nd_init(sched, ts), 0);
	assert_int_equal(nd_init(sched, ts), -EEXIST);
	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &fs, NULL, &E), 0);
	ifl0 = l->ifl_index;
	memcpy(our_mac, l->ifd->mac, 6);
	config_unlock();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rcu_thread_offline();
	nd_fini();
	neigh_fini();
	ip6_fini();
	config_lock();
	ifcfg_fini();
	config_unlock();
	timer_service_stop(ts);
	nsdp_lcores[rte_lcore_id()] = NULL;
	free(ctx);
	rcu_thread_online();
	rcu_unregister_thread();
	return 0;
}

/* --- DAD, then answering ------------------------------------------------------ */

static void
test_dad_then_answer(void **state)
{
	static const uint8_t sn_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0x01 };
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };
	uint8_t a[16];
	struct neigh_info ni;

	(void)state;
	assert_int_equal(ifa6("2001:db8:1::1", 64), 0);
	a6("2001:db8:1::1", a);
	config_lock();
	assert_int_equal(nd_addr_state(ifl0, a), ND_ADDR_TENTATIVE);
	config_unlock();
	/* RFC 4862 5.4.2: NS from :: to the solicited-node group, no LLA option. */
	neigh6_run();
	expect_nd(sent(), sn_mac, "::", "ff02::1:ff00:1", ND_NEIGHBOR_SOLICIT, 0, "2001:db8:1::1",
		  false);
	nothing_sent();
	/* Tentative: a solicitation for it is not answered (RFC 4862 5.4.3). */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		    HOST2_MAC));
	nothing_sent();
	/* RetransTimer passes unanswered: preferred, announced to all nodes. */
	config_lock();
	nd_dad_run(UINT64_MAX);
	assert_int_equal(nd_addr_state(ifl0, a), ND_ADDR_PREFERRED);
	config_unlock();
	neigh6_run();
	expect_nd(sent(), all_mac, "2001:db8:1::1", "ff02::1", ND_NEIGHBOR_ADVERT,
		  ND_NA_F_ROUTER | ND_NA_F_OVERRIDE, "2001:db8:1::1", true);
	/* Now an NS is answered with a solicited NA to the solicitor's LLA (RFC 4861 7.2.4). */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		    HOST2_MAC));
	expect_nd(sent(), HOST2_MAC, "2001:db8:1::1", "2001:db8:1::2", ND_NEIGHBOR_ADVERT,
		  ND_NA_F_ROUTER | ND_NA_F_SOLICITED | ND_NA_F_OVERRIDE, "2001:db8:1::1", true);
	/* ...and the solicitor is learned STALE (RFC 4861 7.2.3). */
	a6("2001:db8:1::2", a);
	config_lock();
	assert_int_equal(neigh_get(6, ifl0, a, &ni), 0);
	config_unlock();
	assert_int_equal(ni.state, NEIGH_STALE);
	assert_memory_equal(ni.mac, HOST2_MAC, 6);
	/* A NUD probe without LLA option is answered from what the cache knows. */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "2001:db8:1::1", "2001:db8:1::1", 0,
		    NULL));
	expect_nd(sent(), HOST2_MAC, "2001:db8:1::1", "2001:db8:1::2", ND_NEIGHBOR_ADVERT,
		  ND_NA_F_ROUTER | ND_NA_F_SOLICITED | ND_NA_F_OVERRIDE, "2001:db8:1::1", true);
	/* Another node's DAD for our address: NA to all nodes, not solicited. */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:1", "2001:db8:1::1", 0, NULL));
	expect_nd(sent(), all_mac, "2001:db8:1::1", "ff02::1", ND_NEIGHBOR_ADVERT,
		  ND_NA_F_ROUTER | ND_NA_F_OVERRIDE, "2001:db8:1::1", true);
	nothing_sent();
}

/* Resolution: a forwarded packet to an unknown neighbour is held, NS sent, NA sends it. */
static void
test_resolution(void **state)
{
	static const uint8_t sn_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0x03 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *o;
	struct neigh_info ni;
	uint8_t *p, a[16];

	(void)state;
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 48));
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p, 0, 48);
	p[0] = 0x60;
	p[5] = 8;
	p[6] = 17;
	p[7] = 64;
	a6("2001:db8:9::9", p + 8);
	a6("2001:db8:1::3", p + 24);
	m->port = 0;
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	ip6_input(ctx, 0, &m, 1, NULL);
	/* The worker: entry INCOMPLETE, multicast NS with our LLA. */
	neigh6_run();
	expect_nd(sent(), sn_mac, "2001:db8:1::1", "ff02::1:ff00:3", ND_NEIGHBOR_SOLICIT, 0,
		  "2001:db8:1::3", true);
	a6("2001:db8:1::3", a);
	config_lock();
	assert_int_equal(neigh_get(6, ifl0, a, &ni), 0);
	config_unlock();
	assert_int_equal(ni.state, NEIGH_INCOMPLETE);
	/* The solicited NA: REACHABLE, and the held packet goes out to the new MAC. */
	nd_in(rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::3", "2001:db8:1::1", "2001:db8:1::3",
		    ND_NA_F_SOLICITED | ND_NA_F_OVERRIDE, HOST3_MAC));
	neigh6_run();
	config_lock();
	assert_int_equal(neigh_get(6, ifl0, a, &ni), 0);
	config_unlock();
	assert_int_equal(ni.state, NEIGH_REACHABLE);
	assert_memory_equal(ni.mac, HOST3_MAC, 6);
	tx_flush(ctx);
	o = sent();
	assert_non_null(o);
	assert_int_equal(o->pkt_len, 14 + 48);
	assert_memory_equal(rte_pktmbuf_mtod(o, uint8_t *), HOST3_MAC, 6);
	assert_int_equal(rte_pktmbuf_mtod(o, uint8_t *)[14 + 7], 63);
	rte_pktmbuf_free(o);
	nothing_sent();
}

/* Neighbour state of @addr on ifl0. */
static int
state_of(const char *addr)
{
	struct neigh_info ni;
	uint8_t a[16];
	int rc;

	a6(addr, a);
	config_lock();
	rc = neigh_get(6, ifl0, a, &ni);
	config_unlock();
	return rc == 0 ? ni.state : rc;
}

/*
 * NUD (RFC 4861 7.3.3): REACHABLE times out to STALE; traffic through it
 * leads to DELAY, then PROBE, whose solicitation is unicast to the known MAC.
 * Timers run short here; the timer service delivers them to the queue
 * (waits are bounded at 10 s of 1 ms naps, nothing is timed).
 */
static void
test_nud_probe(void **state)
{
	struct neigh_params saved, p;
	struct rte_mbuf *m, *o;
	uint8_t *d;
	unsigned i;

	(void)state;
	config_lock();
	assert_int_equal(neigh_params_get(6, &saved), 0);
	p = saved;
	p.reachable_ms = 1;
	p.delay_ms = 1;
	assert_int_equal(neigh_params_set(6, &p), 0);
	config_unlock();
	/* Confirmed again: REACHABLE, now for a millisecond. */
	nd_in(rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::3", "2001:db8:1::1", "2001:db8:1::3",
		    ND_NA_F_SOLICITED, HOST3_MAC));
	assert_int_equal(state_of("2001:db8:1::3"), NEIGH_REACHABLE);
	for (i = 0; i < 10000 && state_of("2001:db8:1::3") != NEIGH_STALE; i++) {
		usleep(1000);
		neigh6_run();
	}
	assert_int_equal(state_of("2001:db8:1::3"), NEIGH_STALE);
	/* Traffic to the STALE neighbour goes out at once, and starts NUD. */
	m = rte_pktmbuf_alloc(mp);
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 48));
	d = rte_pktmbuf_mtod(m, uint8_t *);
	memset(d, 0, 48);
	d[0] = 0x60;
	d[5] = 8;
	d[6] = 17;
	d[7] = 64;
	a6("2001:db8:9::9", d + 8);
	a6("2001:db8:1::3", d + 24);
	m->port = 0;
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	ip6_input(ctx, 0, &m, 1, NULL);
	tx_flush(ctx);
	o = sent();
	assert_non_null(o);
	assert_memory_equal(rte_pktmbuf_mtod(o, uint8_t *), HOST3_MAC, 6);
	rte_pktmbuf_free(o);
	o = NULL;
	for (i = 0; i < 10000 && o == NULL; i++) {
		usleep(1000);
		neigh6_run();
		o = sent();
	}
	assert_int_equal(state_of("2001:db8:1::3"), NEIGH_PROBE);
	expect_nd(o, HOST3_MAC, "2001:db8:1::1", "2001:db8:1::3", ND_NEIGHBOR_SOLICIT, 0,
		  "2001:db8:1::3", true);
	config_lock();
	assert_int_equal(neigh_params_set(6, &saved), 0);
	config_unlock();
	/* The answer makes it REACHABLE again. */
	nd_in(rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::3", "2001:db8:1::1", "2001:db8:1::3",
		    ND_NA_F_SOLICITED, HOST3_MAC));
	assert_int_equal(state_of("2001:db8:1::3"), NEIGH_REACHABLE);
	nothing_sent();
}

/* RFC 4861 7.1: what fails validation, each counted; what is not ours. */
static void
test_validation(void **state)
{
	uint64_t inv = drops(DROP_nd_invalid), notours = drops(DROP_nd_not_ours);
	uint64_t unh = drops(DROP_nd_unhandled);
	struct rte_mbuf *m;
	uint8_t *p;

	(void)state;
	/* Hop limit below 255: it was forwarded. */
	m = rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		  HOST2_MAC);
	rte_pktmbuf_mtod(m, uint8_t *)[7] = 254;
	nd_in(m);
	/* Checksum wrong. */
	m = rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		  HOST2_MAC);
	rte_pktmbuf_mtod(m, uint8_t *)[42] ^= 1;
	nd_in(m);
	/* Option of length 0 (checksum fixed up). */
	m = rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		  HOST2_MAC);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[40 + 25] = 0;
	icmp6_cksum_set(p);
	nd_in(m);
	/* Code not 0. */
	m = rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::2", "2001:db8:1::1", "2001:db8:1::2", 0,
		  HOST2_MAC);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[41] = 1;
	icmp6_cksum_set(p);
	nd_in(m);
	/* Multicast target. */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "ff02::1", 0,
		    HOST2_MAC));
	/* DAD NS (source ::) with a source LLA option; solicited NA to a group. */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:1", "2001:db8:1::1", 0, HOST2_MAC));
	nd_in(rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::2", "ff02::1", "2001:db8:1::2",
		    ND_NA_F_SOLICITED, HOST2_MAC));
	/* Truncated below the NS body. */
	m = rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:1", "2001:db8:1::1", 0,
		  NULL);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[5] = 16;
	rte_pktmbuf_trim(m, 8);
	icmp6_cksum_set(p);
	nd_in(m);
	assert_int_equal(drops(DROP_nd_invalid) - inv, 8);
	/* Valid, but for an address that is not ours. */
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:77", "2001:db8:1::77", 0,
		    HOST2_MAC));
	assert_int_equal(drops(DROP_nd_not_ours) - notours, 1);
	/* A router solicitation: not served by a router without RAs. */
	m = rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::2", "2001:db8:1::1", 0, NULL);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[40] = ND_ROUTER_SOLICIT;
	icmp6_cksum_set(p);
	nd_in(m);
	assert_int_equal(drops(DROP_nd_unhandled) - unh, 1);
	nothing_sent();
}

/* DAD failures: an NA for the tentative address, or another node's DAD NS. */
static void
test_dad_duplicate(void **state)
{
	uint8_t a[16], b[16];

	(void)state;
	assert_int_equal(ifa6("2001:db8:1::5", 128), 0);
	assert_int_equal(ifa6("2001:db8:1::6", 128), 0);
	neigh6_run();
	for (struct rte_mbuf *m = sent(); m != NULL; m = sent())
		rte_pktmbuf_free(m); /* the two DAD solicitations */
	a6("2001:db8:1::5", a);
	a6("2001:db8:1::6", b);
	nd_in(rx_nd(ND_NEIGHBOR_ADVERT, "2001:db8:1::5", "ff02::1", "2001:db8:1::5",
		    ND_NA_F_OVERRIDE, HOST2_MAC));
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "::", "ff02::1:ff00:6", "2001:db8:1::6", 0, NULL));
	config_lock();
	assert_int_equal(nd_addr_state(ifl0, a), ND_ADDR_DUPLICATE);
	assert_int_equal(nd_addr_state(ifl0, b), ND_ADDR_DUPLICATE);
	/* Duplicates are never announced, and stay unanswered. */
	nd_dad_run(UINT64_MAX);
	assert_int_equal(nd_addr_state(ifl0, a), ND_ADDR_DUPLICATE);
	config_unlock();
	neigh6_run();
	nd_in(rx_nd(ND_NEIGHBOR_SOLICIT, "2001:db8:1::2", "ff02::1:ff00:5", "2001:db8:1::5", 0,
		    HOST2_MAC));
	nothing_sent();
	/* Deleted, the duplicate is forgotten; added again, DAD starts afresh. */
	{
		struct ifa_spec as = { .has_local = true };

		memcpy(as.local, a, 16);
		config_lock();
		assert_int_equal(ifa_del(ifl_priv_by_index(ifl0)->iff[IFF_INET6], &as, &E), 0);
		assert_int_equal(nd_addr_state(ifl0, a), -ENOENT);
		config_unlock();
	}
	assert_int_equal(ifa6("2001:db8:1::5", 128), 0);
	config_lock();
	assert_int_equal(nd_addr_state(ifl0, a), ND_ADDR_TENTATIVE);
	config_unlock();
	neigh6_run();
	expect_nd(sent(), ((const uint8_t[]){ 0x33, 0x33, 0xff, 0, 0, 0x05 }), "::",
		  "ff02::1:ff00:5", ND_NEIGHBOR_SOLICIT, 0, "2001:db8:1::5", false);
	nothing_sent();
}

/* Link-local address of an interface from its MAC (RFC 4291 appendix A). */
static void
test_link_local(void **state)
{
	uint8_t ll[16];

	(void)state;
	ip6_link_local_from_mac(our_mac, ll);
	assert_int_equal(ll[0], 0xfe);
	assert_int_equal(ll[1], 0x80);
	assert_int_equal(ll[8], our_mac[0] ^ 0x02);
	assert_int_equal(ll[11], 0xff);
	assert_int_equal(ll[12], 0xfe);
	assert_memory_equal(ll + 13, our_mac + 3, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dad_then_answer),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_nud_probe),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_dad_duplicate),
		cmocka_unit_test(test_link_local),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
