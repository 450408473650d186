/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_neigh.c: the neighbour cache (neigh.c) with ARP (arp.c) on a real
 * interface tree, route table and next hops, over a net_ring port whose tx
 * ring loops back to its rx, so every frame nsdp sends is read back and
 * checked byte for byte. The IPv4 neighbour queue is run in the test
 * thread as a worker would run it; timers come from a real timer service.
 *
 * Covered: request / reply formats, learning from requests for our
 * addresses, resolution holding packets and sending them once answered,
 * resolution of a user route via an unresolved gateway (HOLD notify),
 * static entries and their errors, REACHABLE -> STALE -> DELAY -> PROBE,
 * retries until FAILED and the FAILED hold-down, deletion of an ifa / ifl
 * leaving nothing behind, the hold queue bound, malformed ARP counted by
 * reason, gratuitous ARP when an address is added, and the per-ifl index
 * of next hops behind nh_ifl_gone().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "dataplane/counters.h"
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
#include "test_port.h"

static struct rte_mempool *mp;
static struct lcore_ctx *ctx;
static struct svc_sched *sched;
static struct timer_service *ts;
static struct ifcfg_err E;
static uint32_t ifl0;
static uint8_t our_mac[6];

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* --- helpers --------------------------------------------------------------- */

static void
ip4(const char *s, uint8_t *a)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void
mac_of(unsigned host, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)host;
}

/* Run what the IPv4 neighbour queue holds, as a worker would. */
static void
run4(void)
{
	struct svcq *q = neigh_queue(4);

	svcq_consume_begin(q);
	svcq_drain(q);
	svcq_consume_end(q);
}

/* Frames sent so far (read back from the ring port), up to @max. */
static unsigned
sent(struct rte_mbuf **out, unsigned max)
{
	unsigned n = 0;

	while (n < max) {
		uint16_t k = rte_eth_rx_burst(0, 0, out + n, (uint16_t)RTE_MIN(32u, max - n));

		if (k == 0)
			break;
		n += k;
	}
	return n;
}

static void
free_all(struct rte_mbuf **m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static unsigned
drain_sent(void)
{
	struct rte_mbuf *m[64];
	unsigned n, total = 0;

	while ((n = sent(m, 64)) > 0) {
		free_all(m, n);
		total += n;
	}
	return total;
}

static uint64_t
drops(enum drop_reason r)
{
	struct port_counters pc;

	counters_port_sum(0, &pc);
	return pc.drops[r];
}

/* The 28-byte ARP body. */
static void
arp_body(uint8_t *p, uint16_t op, const uint8_t sha[6], const char *spa, const uint8_t tha[6],
	 const char *tpa)
{
	uint8_t a[16];

	p[0] = 0, p[1] = 1, p[2] = 0x08, p[3] = 0x00, p[4] = 6, p[5] = 4;
	p[6] = 0, p[7] = (uint8_t)op;
	memcpy(p + 8, sha, 6);
	ip4(spa, a);
	memcpy(p + 14, a, 4);
	memcpy(p + 18, tha, 6);
	ip4(tpa, a);
	memcpy(p + 24, a, 4);
}

/* Deliver ARP bytes as the L2 demux would (L2 header stripped) and run the queue. */
static void
arp_deliver_bytes(const uint8_t *b, unsigned len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	assert_non_null(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	assert_non_null(p);
	memcpy(p, b, len);
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	m->port = 0;
	neigh_input_enqueue(4, m);
	run4();
}

static void
arp_deliver(uint16_t op, unsigned host, const char *spa, const uint8_t tha[6], const char *tpa)
{
	uint8_t b[28], sha[6];

	mac_of(host, sha);
	arp_body(b, op, sha, spa, tha, tpa);
	arp_deliver_bytes(b, sizeof(b));
}

/* An IPv4 packet to @dst (20-byte header, 8 bytes of payload tagged @tag), received. */
static struct rte_mbuf *
ip_pkt(const char *dst, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t p[28] = { 0 }, a[16];
	char *d;

	assert_non_null(m);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 17;
	ip4("10.0.9.9", a);
	memcpy(p + 12, a, 4);
	ip4(dst, a);
	memcpy(p + 16, a, 4);
	p[27] = tag;
	d = rte_pktmbuf_append(m, sizeof(p));
	assert_non_null(d);
	memcpy(d, p, sizeof(p));
	pkt_meta_rx_init(m, 1);
	m->port = 0;
	return m;
}

/* Send @m the way forwarding would: lookup in table 0, the next hop's output. */
static void
forward(struct rte_mbuf *m)
{
	struct route_info ri;
	const uint8_t *dst = rte_pktmbuf_mtod_offset(m, const uint8_t *, 16);

	config_lock();
	assert_int_equal(route_fwd_lookup(rt_table_get(0, 4), dst, NULL, &ri), 0);
	config_unlock();
	ri.nh->output(ctx, ri.nh, &m, 1, 0, NULL);
	tx_flush(ctx);
}

static int
neigh_state(const char *addr)
{
	struct neigh_info ni;
	uint8_t a[16];
	int rc;

	ip4(addr, a);
	config_lock();
	rc = neigh_get(4, ifl0, a, &ni);
	config_unlock();
	return rc < 0 ? 0 : ni.state;
}

static struct neigh_info
neigh_info_of(const char *addr)
{
	struct neigh_info ni;
	uint8_t a[16];

	ip4(addr, a);
	config_lock();
	assert_int_equal(neigh_get(4, ifl0, a, &ni), 0);
	config_unlock();
	return ni;
}

/* Run the queue until @addr's entry is in @state (0: gone); bounded wait, no timing checked. */
static void
wait_state(const char *addr, int state)
{
	for (unsigned i = 0; i < 5000 && neigh_state(addr) != state; i++) {
		usleep(1000);
		run4();
	}
	assert_int_equal(neigh_state(addr), state);
}

/* The host route's next-hop type of @addr, or 0 if the route is not there. */
static int
host_route_nh_type(const char *addr)
{
	struct route_match mt = { .type_mask = 1u << RTT_IFDEST, .exact = true, .dst_len = 32 };
	struct route_info ri;
	uint8_t a[16];
	int rc;

	ip4(addr, a);
	config_lock();
	rc = route_lookup(rt_table_get(0, 4), a, NULL, &mt, &ri);
	config_unlock();
	return rc < 0 ? 0 : ri.nh->type;
}

static void
expect_request(struct rte_mbuf *m, const uint8_t dst[6], const char *tpa)
{
	uint8_t want[42], zero[6] = { 0 };

	memcpy(want, dst, 6);
	memcpy(want + 6, our_mac, 6);
	want[12] = 0x08, want[13] = 0x06;
	arp_body(want + 14, 1, our_mac, "10.0.1.1", zero, tpa);
	assert_int_equal(rte_pktmbuf_pkt_len(m), sizeof(want));
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), want, sizeof(want));
}

static void
set_params(uint32_t reachable, uint32_t retrans, uint32_t delay, uint32_t failed)
{
	struct neigh_params p;

	config_lock();
	assert_int_equal(neigh_params_get(4, &p), 0);
	p.reachable_ms = reachable;
	p.retrans_ms = retrans;
	p.retrans_max_ms = retrans * 4;
	p.delay_ms = delay;
	p.failed_ms = failed;
	assert_int_equal(neigh_params_set(4, &p), 0);
	config_unlock();
}

static unsigned
count_entries(void)
{
	struct neigh_stats st;

	assert_int_equal(neigh_stats_get(4, &st), 0);
	return (unsigned)st.entries;
}

/* --- tests ------------------------------------------------------------------ */

/* A request for our address: a byte-exact reply, and the sender learned STALE. */
static void
test_reply_and_learning(void **state)
{
	uint8_t zero[6] = { 0 }, want[42], m2[6];
	struct rte_mbuf *out[4];
	struct neigh_info ni;
	struct neigh_stats st0, st1;

	(void)state;
	neigh_stats_get(4, &st0);
	arp_deliver(1, 2, "10.0.1.2", zero, "10.0.1.1");
	assert_int_equal(sent(out, 4), 1);
	mac_of(2, m2);
	memcpy(want, m2, 6);
	memcpy(want + 6, our_mac, 6);
	want[12] = 0x08, want[13] = 0x06;
	arp_body(want + 14, 2, our_mac, "10.0.1.1", m2, "10.0.1.2");
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), sizeof(want));
	assert_memory_equal(rte_pktmbuf_mtod(out[0], uint8_t *), want, sizeof(want));
	free_all(out, 1);
	ni = neigh_info_of("10.0.1.2");
	assert_int_equal(ni.state, NEIGH_STALE);
	assert_memory_equal(ni.mac, m2, 6);
	assert_int_equal(host_route_nh_type("10.0.1.2"), RNH_UNICAST);
	neigh_stats_get(4, &st1);
	assert_int_equal(st1.requests_rcvd, st0.requests_rcvd + 1);
	assert_int_equal(st1.replies_sent, st0.replies_sent + 1);

	/* A request for someone else: not answered, no entry made, counted. */
	uint64_t nfu = drops(DROP_arp_target_not_ours);

	arp_deliver(1, 3, "10.0.1.3", zero, "10.0.1.77");
	assert_int_equal(sent(out, 4), 0);
	assert_int_equal(neigh_state("10.0.1.3"), 0);
	assert_int_equal(drops(DROP_arp_target_not_ours), nfu + 1);

	config_lock();
	uint8_t a[16];
	ip4("10.0.1.2", a);
	assert_int_equal(neigh_del(4, ifl0, a), 0);
	assert_int_equal(neigh_del(4, ifl0, a), -ENOENT);
	config_unlock();
	assert_int_equal(host_route_nh_type("10.0.1.2"), 0);
}

/* A forwarded packet to an unknown neighbour: held, request sent, reply sends them. */
static void
test_resolution_holds_then_sends(void **state)
{
	uint8_t m4[6], want_l2[14];
	struct rte_mbuf *out[8];
	struct neigh_info ni;
	unsigned n;

	(void)state;
	forward(ip_pkt("10.0.1.4", 1));
	run4();
	n = sent(out, 8);
	assert_int_equal(n, 1);
	expect_request(out[0], bcast, "10.0.1.4");
	free_all(out, n);
	ni = neigh_info_of("10.0.1.4");
	assert_int_equal(ni.state, NEIGH_INCOMPLETE);
	assert_int_equal(ni.held, 1);
	assert_int_equal(host_route_nh_type("10.0.1.4"), RNH_HOLD);
	/* Two more through the host route: held on the HOLD next hop. */
	forward(ip_pkt("10.0.1.4", 2));
	forward(ip_pkt("10.0.1.4", 3));
	run4();
	assert_int_equal(sent(out, 8), 0);
	assert_int_equal(neigh_info_of("10.0.1.4").held, 3);

	arp_deliver(2, 4, "10.0.1.4", our_mac, "10.0.1.1");
	n = sent(out, 8);
	assert_int_equal(n, 3);
	mac_of(4, m4);
	memcpy(want_l2, m4, 6);
	memcpy(want_l2 + 6, our_mac, 6);
	want_l2[12] = 0x08, want_l2[13] = 0x00;
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(rte_pktmbuf_pkt_len(out[i]), 14 + 28);
		assert_memory_equal(rte_pktmbuf_mtod(out[i], uint8_t *), want_l2, 14);
		/* In the order they were sent. */
		assert_int_equal(rte_pktmbuf_mtod(out[i], uint8_t *)[14 + 27], i + 1);
	}
	free_all(out, n);
	ni = neigh_info_of("10.0.1.4");
	assert_int_equal(ni.state, NEIGH_REACHABLE);
	assert_int_equal(host_route_nh_type("10.0.1.4"), RNH_UNICAST);
	/* Now straight out through the UNICAST next hop. */
	forward(ip_pkt("10.0.1.4", 9));
	assert_int_equal(sent(out, 8), 1);
	assert_memory_equal(rte_pktmbuf_mtod(out[0], uint8_t *), want_l2, 14);
	free_all(out, 1);
	config_lock();
	neigh_ifl_flush(ifl0);
	config_unlock();
	run4();
}

/* A user route via an unresolved gateway: its HOLD next hop starts resolution. */
static void
test_user_route_via_gateway(void **state)
{
	struct route_spec rs = { .key = { .family = 4, .dst_len = 16 }, .type = RTT_USER };
	struct rte_mbuf *out[8];
	const char *why = NULL;
	uint8_t gw[16], m5[6];
	unsigned n;

	(void)state;
	ip4("10.0.1.5", gw);
	ip4("10.9.0.0", rs.key.dst);
	config_lock();
	assert_int_equal(route_nh_resolve(rt_table_get(0, 4), gw, 0, &rs.nh, &why), 0);
	assert_int_equal(rs.nh->type, RNH_HOLD);
	assert_int_equal(route_add(rt_table_get(0, 4), &rs, &why), 0);
	nh_put(rs.nh);
	config_unlock();

	forward(ip_pkt("10.9.1.1", 1));
	run4();
	n = sent(out, 8);
	assert_int_equal(n, 1);
	expect_request(out[0], bcast, "10.0.1.5");
	free_all(out, n);
	assert_int_equal(neigh_state("10.0.1.5"), NEIGH_INCOMPLETE);
	assert_int_equal(host_route_nh_type("10.0.1.5"), RNH_HOLD);
	forward(ip_pkt("10.9.1.2", 2));

	arp_deliver(2, 5, "10.0.1.5", our_mac, "10.0.1.1");
	n = sent(out, 8);
	assert_int_equal(n, 2);
	mac_of(5, m5);
	for (unsigned i = 0; i < n; i++)
		assert_memory_equal(rte_pktmbuf_mtod(out[i], uint8_t *), m5, 6);
	free_all(out, n);
	forward(ip_pkt("10.9.1.3", 3));
	assert_int_equal(sent(out, 8), 1);
	free_all(out, 1);

	/* Deleting the neighbour makes the shared next hop HOLD again, not stale. */
	config_lock();
	assert_int_equal(neigh_del(4, 0, gw), 0);
	assert_int_equal(route_del(rt_table_get(0, 4), &rs.key, RTT_USER, 0, &why), 0);
	config_unlock();
	run4();
	assert_int_equal(count_entries(), 0);
}

/* Static neighbours: added, shown, errors, deleted with their route. */
static void
test_static(void **state)
{
	uint8_t a[16], mac[6], mcast_mac[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	struct rte_mbuf *out[4];
	struct neigh_info ni;

	(void)state;
	mac_of(6, mac);
	config_lock();
	ip4("10.0.1.6", a);
	assert_int_equal(neigh_add_static(4, ifl0, a, mac), 0);
	ip4("10.0.2.6", a);
	assert_int_equal(neigh_add_static(4, ifl0, a, mac), -ENETUNREACH);
	ip4("10.0.1.1", a);
	assert_int_equal(neigh_add_static(4, ifl0, a, mac), -EINVAL);
	ip4("224.0.0.5", a);
	assert_int_equal(neigh_add_static(4, ifl0, a, mac), -EINVAL);
	ip4("10.0.1.7", a);
	assert_int_equal(neigh_add_static(4, ifl0, a, mcast_mac), -EINVAL);
	assert_int_equal(neigh_add_static(4, ifl0 + 1000, a, mac), -ENOENT);
	config_unlock();

	ni = neigh_info_of("10.0.1.6");
	assert_int_equal(ni.state, NEIGH_STATIC);
	assert_memory_equal(ni.mac, mac, 6);
	assert_int_equal(host_route_nh_type("10.0.1.6"), RNH_UNICAST);
	forward(ip_pkt("10.0.1.6", 1));
	assert_int_equal(sent(out, 4), 1);
	assert_memory_equal(rte_pktmbuf_mtod(out[0], uint8_t *), mac, 6);
	free_all(out, 1);
	/* A reply with another MAC does not move a static entry. */
	arp_deliver(2, 9, "10.0.1.6", our_mac, "10.0.1.1");
	assert_memory_equal(neigh_info_of("10.0.1.6").mac, mac, 6);

	config_lock();
	ip4("10.0.1.6", a);
	assert_int_equal(neigh_del(4, ifl0, a), 0);
	config_unlock();
	assert_int_equal(neigh_state("10.0.1.6"), 0);
	assert_int_equal(host_route_nh_type("10.0.1.6"), 0);
	run4();
}

/* REACHABLE -> STALE; used -> DELAY -> PROBE (unicast); answered -> REACHABLE. */
static void
test_reachability_timers(void **state)
{
	struct rte_mbuf *out[8];
	uint8_t m7[6];
	unsigned n;

	(void)state;
	set_params(30, 20, 20, 3000);
	forward(ip_pkt("10.0.1.7", 1));
	run4();
	drain_sent();
	arp_deliver(2, 7, "10.0.1.7", our_mac, "10.0.1.1");
	drain_sent();
	assert_int_equal(neigh_state("10.0.1.7"), NEIGH_REACHABLE);
	wait_state("10.0.1.7", NEIGH_STALE);
	forward(ip_pkt("10.0.1.7", 2));
	drain_sent();
	wait_state("10.0.1.7", NEIGH_PROBE);
	/* The probe is a unicast request to the known MAC. */
	mac_of(7, m7);
	n = sent(out, 8);
	assert_true(n >= 1);
	expect_request(out[0], m7, "10.0.1.7");
	free_all(out, n);
	arp_deliver(2, 7, "10.0.1.7", our_mac, "10.0.1.1");
	assert_int_equal(neigh_state("10.0.1.7"), NEIGH_REACHABLE);
	config_lock();
	neigh_ifl_flush(ifl0);
	config_unlock();
	run4();
	drain_sent();
	set_params(30000, 1000, 5000, 3000);
}

/* No answer: mcast_probes requests, FAILED (held packets dropped), then gone. */
static void
test_retries_then_failed(void **state)
{
	struct neigh_stats st0, st1;
	uint64_t failed0 = drops(DROP_neigh_failed);
	unsigned requests = 0;

	(void)state;
	set_params(30000, 10, 5000, 200);
	neigh_stats_get(4, &st0);
	drain_sent();
	forward(ip_pkt("10.0.1.8", 1));
	run4();
	for (unsigned i = 0; i < 5000 && neigh_state("10.0.1.8") != NEIGH_FAILED; i++) {
		usleep(1000);
		run4();
		requests += drain_sent();
	}
	requests += drain_sent();
	assert_int_equal(neigh_state("10.0.1.8"), NEIGH_FAILED);
	assert_int_equal(requests, 3);
	neigh_stats_get(4, &st1);
	assert_int_equal(st1.requests_sent - st0.requests_sent, 3);
	assert_int_equal(st1.failed - st0.failed, 1);
	assert_int_equal(drops(DROP_neigh_failed), failed0 + 1);
	assert_int_equal(host_route_nh_type("10.0.1.8"), 0);
	/* While FAILED, new packets are refused without a new request. */
	forward(ip_pkt("10.0.1.8", 2));
	run4();
	assert_int_equal(drain_sent(), 0);
	assert_int_equal(drops(DROP_neigh_failed), failed0 + 2);
	wait_state("10.0.1.8", 0);
	set_params(30000, 1000, 5000, 3000);
}

/* Deleting the ifa (and the ifl) leaves no entry, route, timer or next hop. */
static void
test_cleanup_on_delete(void **state)
{
	struct ifd_spec ds = { .name = "ring1", .has_port = true, .port = 1 };
	struct ifl_spec ls = { .name = "ring1.0" };
	struct iff_spec fs = { .family = IFF_INET };
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 24 };
	unsigned nh_before;
	struct ifl_priv *l;
	uint32_t ifl1;
	uint8_t addr[16], mac[6];

	(void)state;
	config_lock();
	nh_before = nh_count();
	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &fs, NULL, &E), 0);
	ip4("10.0.3.1", a.local);
	memcpy(a.dest, a.local, 4);
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
	ifl1 = l->ifl_index;
	mac_of(10, mac);
	ip4("10.0.3.10", addr);
	assert_int_equal(neigh_add_static(4, ifl1, addr, mac), 0);
	config_unlock();
	/* One learned and resolving too, with a timer armed. */
	forward(ip_pkt("10.0.3.11", 1));
	run4();
	drain_sent();
	assert_int_equal(count_entries(), 2);

	config_lock();
	assert_int_equal(ifa_del(l->iff[IFF_INET], &a, &E), 0);
	config_unlock();
	run4();
	assert_int_equal(count_entries(), 0);
	assert_int_equal(host_route_nh_type("10.0.3.10"), 0);
	assert_int_equal(host_route_nh_type("10.0.3.11"), 0);

	/* Again, and this time the whole ifd goes. */
	config_lock();
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
	assert_int_equal(neigh_add_static(4, ifl1, addr, mac), 0);
	config_unlock();
	run4();
	drain_sent();
	assert_int_equal(count_entries(), 1);
	config_lock();
	ifd_del(ifd_find("ring1"), false);
	config_unlock();
	run4();
	assert_int_equal(count_entries(), 0);
	config_lock();
	ifcfg_retire_flush();
	config_unlock();
	rcu_barrier();
	config_lock();
	assert_int_equal(nh_count(), nh_before);
	config_unlock();
}

/* The hold queue is bounded; what does not fit is counted as hold_full. */
static void
test_hold_bound(void **state)
{
	uint64_t full0 = drops(DROP_hold_full);
	struct neigh_info ni;

	(void)state;
	for (unsigned i = 0; i < NH_HOLD_MAX + 20; i++) {
		forward(ip_pkt("10.0.1.12", (uint8_t)i));
		run4();
	}
	ni = neigh_info_of("10.0.1.12");
	assert_int_equal(ni.held, NH_HOLD_MAX);
	assert_int_equal(drops(DROP_hold_full) - full0, 20);
	config_lock();
	neigh_ifl_flush(ifl0);
	config_unlock();
	run4();
	drain_sent();
}

/* Malformed or impossible ARP is dropped under its reason, never answered. */
static void
test_malformed_arp(void **state)
{
	uint8_t b[28], zero[6] = { 0 }, m[6];
	uint64_t r0;

	(void)state;
	mac_of(20, m);
	arp_body(b, 1, m, "10.0.1.20", zero, "10.0.1.1");
	r0 = drops(DROP_arp_malformed);
	arp_deliver_bytes(b, 20);
	assert_int_equal(drops(DROP_arp_malformed), r0 + 1);
	b[4] = 8;
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_malformed), r0 + 2);
	b[4] = 6;
	b[2] = 0x86, b[3] = 0xdd;
	r0 = drops(DROP_arp_unsupported);
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_unsupported), r0 + 1);
	b[2] = 0x08, b[3] = 0x00;
	b[7] = 3;
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_unsupported), r0 + 2);
	r0 = drops(DROP_arp_bad_sender);
	arp_body(b, 1, bcast, "10.0.1.20", zero, "10.0.1.1");
	arp_deliver_bytes(b, 28);
	arp_body(b, 1, m, "255.255.255.255", zero, "10.0.1.1");
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_bad_sender), r0 + 2);
	r0 = drops(DROP_arp_bad_target);
	arp_body(b, 1, m, "10.0.1.20", zero, "224.0.0.1");
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_bad_target), r0 + 1);
	r0 = drops(DROP_arp_addr_conflict);
	arp_body(b, 1, m, "10.0.1.1", zero, "10.0.1.1");
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_addr_conflict), r0 + 1);
	r0 = drops(DROP_arp_unsolicited);
	arp_body(b, 2, m, "10.0.1.21", our_mac, "10.0.1.1");
	arp_deliver_bytes(b, 28);
	assert_int_equal(drops(DROP_arp_unsolicited), r0 + 1);
	assert_int_equal(drain_sent(), 0);
	assert_int_equal(count_entries(), 0);
}

/* Adding an address announces it: a gratuitous request, sender = target. */
static void
test_gratuitous_on_add(void **state)
{
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 24 };
	uint8_t want[42], zero[6] = { 0 };
	struct rte_mbuf *out[4];
	struct ifl_priv *l;

	(void)state;
	drain_sent();
	config_lock();
	l = ifl_priv_by_index(ifl0);
	ip4("10.0.1.100", a.local);
	memcpy(a.dest, a.local, 4);
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
	config_unlock();
	run4();
	assert_int_equal(sent(out, 4), 1);
	memcpy(want, bcast, 6);
	memcpy(want + 6, our_mac, 6);
	want[12] = 0x08, want[13] = 0x06;
	arp_body(want + 14, 1, our_mac, "10.0.1.100", zero, "10.0.1.100");
	assert_int_equal(rte_pktmbuf_pkt_len(out[0]), sizeof(want));
	assert_memory_equal(rte_pktmbuf_mtod(out[0], uint8_t *), want, sizeof(want));
	free_all(out, 1);
	config_lock();
	assert_int_equal(ifa_del(l->iff[IFF_INET], &a, &E), 0);
	config_unlock();
}

/* nh_ifl_gone() through the per-ifl index: exactly the next hops tied to the ifl. */
static void
test_nh_ifl_gone_index(void **state)
{
	/* 70000 and 70000 + 65536 share a bucket of the index. */
	const uint32_t a = 70000, b = 70000 + 65536, c = 70001;
	struct nh_spec s;
	struct nexthop *mc, *uc, *rv, *other;

	(void)state;
	config_lock();
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.type = RNH_MULTICAST;
	s.n_ifl = 4;
	s.ifl_list[0] = a, s.ifl_list[1] = 0, s.ifl_list[2] = b, s.ifl_list[3] = a;
	/* A list is a set: a repeated ifl is refused. */
	assert_null(nh_get(&s));
	s.n_ifl = 3;
	mc = nh_get(&s);
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.type = RNH_UNICAST;
	s.ifl_index = a;
	s.l2_len = 14;
	ip4("10.7.0.1", s.addr);
	uc = nh_get(&s);
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.type = RNH_RESOLV;
	s.ifl_index = b;
	rv = nh_get(&s);
	s.ifl_index = c;
	other = nh_get(&s);
	assert_non_null(mc);
	assert_non_null(uc);
	assert_non_null(rv);
	assert_non_null(other);
	assert_int_equal(nh_ifl_gone(a), 2);
	assert_int_equal(mc->type, RNH_DEAD);
	assert_int_equal(uc->type, RNH_DEAD);
	assert_int_equal(rv->type, RNH_RESOLV);
	/* The multicast one is DEAD already: only the RESOLV one is left under b. */
	assert_int_equal(nh_ifl_gone(b), 1);
	assert_int_equal(rv->type, RNH_DEAD);
	assert_int_equal(nh_ifl_gone(a), 0);
	assert_int_equal(other->type, RNH_RESOLV);
	nh_put(mc);
	nh_put(uc);
	nh_put(rv);
	/* A freed next hop is off the index: nothing of it is visited. */
	assert_int_equal(nh_ifl_gone(c), 1);
	nh_put(other);
	assert_int_equal(nh_ifl_gone(c), 0);
	config_unlock();
}

/* --- setup ------------------------------------------------------------------ */

static void
port_up(uint16_t p)
{
	test_port_up(p, mp, 1024);
}

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	struct ifd_spec ds = { .name = "ring0", .has_port = true, .port = 0 };
	struct ifl_spec ls = { .name = "ring0.0" };
	struct iff_spec fs = { .family = IFF_INET };
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 24 };
	struct ifl_priv *l;

	(void)state;
	test_eal_init("0", vdevs);
	assert_int_equal(pkt_meta_register(), 0);
	/* The pool the neighbour protocols allocate from. */
	mp = rte_pktmbuf_pool_create("nsdp_mbufs", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	assert_non_null(mp);
	port_up(0);
	port_up(1);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	ctx = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*ctx), RTE_CACHE_LINE_SIZE));
	assert_non_null(ctx);
	memset(ctx, 0, sizeof(*ctx));
	ctx->lcore_id = rte_lcore_id();
	nsdp_lcores[rte_lcore_id()] = ctx;
	sched = svc_sched_create(0, 1);
	assert_non_null(sched);
	ts = timer_service_create();
	assert_non_null(ts);
	assert_int_equal(timer_service_start(ts), 0);
	config_lock();
	assert_int_equal(neigh_init(sched, ts), 0);
	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &fs, NULL, &E), 0);
	ip4("10.0.1.1", a.local);
	memcpy(a.dest, a.local, 4);
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
	ifl0 = l->ifl_index;
	memcpy(our_mac, l->ifd->mac, 6);
	config_unlock();
	/* The announcement of 10.0.1.1. */
	run4();
	drain_sent();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	neigh_fini();
	timer_service_stop(ts);
	timer_service_destroy(ts);
	config_lock();
	ifd_del(ifd_find("ring0"), false);
	ifcfg_fini();
	rt_fini();
	config_unlock();
	nh_fini();
	nsdp_lcores[rte_lcore_id()] = NULL;
	svc_sched_destroy(sched);
	free(ctx);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_and_learning),
		cmocka_unit_test(test_resolution_holds_then_sends),
		cmocka_unit_test(test_user_route_via_gateway),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_reachability_timers),
		cmocka_unit_test(test_retries_then_failed),
		cmocka_unit_test(test_cleanup_on_delete),
		cmocka_unit_test(test_hold_bound),
		cmocka_unit_test(test_malformed_arp),
		cmocka_unit_test(test_gratuitous_on_add),
		cmocka_unit_test(test_nh_ifl_gone_index),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
