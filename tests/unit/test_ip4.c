/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ip4.c: IPv4 input and forwarding (ip4_input.c) and ICMP errors
 * (icmp4.c, ip.c) over real mbufs, a real route table and interface tree,
 * on two net_ring ports whose tx rings loop back to their rx: what nsdp
 * transmits on a port is read back with rte_eth_rx_burst.
 *
 * Addressing: ring0.0 10.0.1.1/24 (the sender 10.0.1.2 has a host route
 * there), ring1.0 10.0.2.1/24; user routes 10.0.3.0/24 out ring1.0 (MTU
 * 1500), 10.0.4.0/24 out ring1.0 (MTU 576), 10.0.5.0/24 REJECT,
 * 10.0.6.0/24 DISCARD.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "dataplane/counters.h"
#include "dataplane/ifl_stats.h"
#include "dataplane/ip.h"
#include "dataplane/ip4.h"
#include "dataplane/latency.h"
#include "dataplane/lcore.h"
#include "dataplane/nexthop.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "dataplane/svcq.h"
#include "ifcfg/ifcfg_priv.h"
#include "test_eal.h"
#include "test_port.h"

#define SENDER "10.0.1.2"

static struct rte_mempool *pool;
static struct lcore_ctx *ctx;
static struct svc_sched *sched;
static struct ifcfg_err E;
static uint32_t ifl0, ifl1;
static const uint8_t mac_far[6] = { 0x02, 0, 0, 0, 0, 0x22 };
static const uint8_t mac_snd[6] = { 0x02, 0, 0, 0, 0, 0x11 };

static struct nexthop *unicast(uint32_t ifl, uint16_t port, const char *addr, const uint8_t *mac,
			       uint16_t mtu);
static struct nexthop *typed(uint8_t type);

static uint32_t
a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr; /* network order */
}

/* --- packets ---------------------------------------------------------- */

/* An IPv4/UDP packet of @len bytes (header included) with @ttl and DF. */
static struct rte_mbuf *
pkt4(const char *src, const char *dst, uint8_t ttl, uint16_t len, bool df)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *h;
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(p);
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	h = (struct rte_ipv4_hdr *)p;
	memset(h, 0, sizeof(*h));
	h->version_ihl = 0x45;
	h->total_length = htons(len);
	h->packet_id = htons(0x1234);
	h->fragment_offset = df ? htons(RTE_IPV4_HDR_DF_FLAG) : 0;
	h->time_to_live = ttl;
	h->next_proto_id = IPPROTO_UDP;
	h->src_addr = a4(src);
	h->dst_addr = a4(dst);
	h->hdr_checksum = rte_ipv4_cksum(h);
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	m->port = 0;
	return m;
}

static void
recksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

static void
input1(struct rte_mbuf *m)
{
	ip4_input(ctx, 0, &m, 1, NULL);
	tx_flush(ctx);
}

/* Frames transmitted on @port (read back from its ring). */
static uint16_t
sent(uint16_t port, struct rte_mbuf **out, uint16_t max)
{
	return rte_eth_rx_burst(port, 0, out, max);
}

static void
free_all(struct rte_mbuf **m, uint16_t n)
{
	rte_pktmbuf_free_bulk(m, n);
}

static uint64_t
drops(uint16_t port, enum drop_reason r)
{
	struct port_counters pc;

	counters_port_sum(port, &pc);
	return pc.drops[r];
}

/* The IPv4 header of a transmitted frame (after its 14-byte Ethernet header). */
static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *f)
{
	return rte_pktmbuf_mtod_offset(f, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

/* Answer what the error queue holds (in this thread: the worker's work). */
static void
errors(void)
{
	ip_error_drain();
}

/* --- header validation ------------------------------------------------- */

static void
check_refused(struct rte_mbuf *m, enum drop_reason r)
{
	uint64_t before = drops(0, r);
	struct rte_mbuf *out[8];

	input1(m);
	assert_int_equal(drops(0, r), before + 1);
	assert_int_equal(sent(1, out, 8), 0);
	errors();
	assert_int_equal(sent(0, out, 8), 0);
}

static void
test_header_refused(void **state)
{
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *h;
	uint8_t *o;

	(void)state;
	/* Version 6 in an inet frame. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->version_ihl = 0x65;
	recksum(m);
	check_refused(m, DROP_ip4_bad_version);
	/* IHL 4. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->version_ihl = 0x44;
	check_refused(m, DROP_ip4_bad_header_len);
	/* IHL 15 (60 bytes) in a 40-byte packet. */
	m = pkt4(SENDER, "10.0.3.9", 64, 40, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->version_ihl = 0x4f;
	check_refused(m, DROP_ip4_bad_header_len);
	/* Bad checksum. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->hdr_checksum ^= 0x0100;
	check_refused(m, DROP_ip4_bad_checksum);
	/* The port said the checksum is bad (even though it is right). */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	check_refused(m, DROP_ip4_bad_checksum);
	/* Total length beyond the frame. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->total_length = htons(101);
	recksum(m);
	check_refused(m, DROP_ip4_bad_length);
	/* Total length below the header. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->total_length = htons(19);
	recksum(m);
	check_refused(m, DROP_ip4_bad_length);
	/* A runt: 12 bytes. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_trim(m, 88);
	check_refused(m, DROP_ip4_bad_length);
	/* Options: a TLV whose length runs past the header. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->version_ihl = 0x46;
	o = (uint8_t *)(h + 1);
	o[0] = 7, o[1] = 12, o[2] = 4, o[3] = 0; /* record route, length 12 in 4 bytes */
	recksum(m);
	check_refused(m, DROP_ip4_bad_options);
	/* Options: a type without its length byte. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->version_ihl = 0x46;
	o = (uint8_t *)(h + 1);
	o[0] = 1, o[1] = 1, o[2] = 1, o[3] = 0x44;
	recksum(m);
	check_refused(m, DROP_ip4_bad_options);
	/* Martian sources (RFC 1812 5.3.7). */
	check_refused(pkt4("127.0.0.1", "10.0.3.9", 64, 100, false), DROP_ip4_martian_source);
	check_refused(pkt4("0.1.2.3", "10.0.3.9", 64, 100, false), DROP_ip4_martian_source);
	check_refused(pkt4("224.0.0.5", "10.0.3.9", 64, 100, false), DROP_ip4_martian_source);
	check_refused(pkt4("240.0.0.1", "10.0.3.9", 64, 100, false), DROP_ip4_martian_source);
	check_refused(pkt4("255.255.255.255", "10.0.3.9", 64, 100, false), DROP_ip4_martian_source);
	/* An ifl that is gone. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	pkt_meta(m)->ifl_index = 999999;
	check_refused(m, DROP_no_ifl);
}

static void
test_header_accepted(void **state)
{
	struct rte_mbuf *m, *out[8];
	struct rte_ipv4_hdr *h;
	struct ip4_check chk;
	uint8_t *o;

	(void)state;
	/* Ethernet padding: a 28-byte packet in a 46-byte payload is trimmed. */
	m = pkt4(SENDER, "10.0.3.9", 64, 46, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->total_length = htons(28);
	recksum(m);
	input1(m);
	assert_int_equal(sent(1, out, 8), 1);
	assert_int_equal(out[0]->pkt_len, RTE_ETHER_HDR_LEN + 28);
	free_all(out, 1);
	/* Options kept, forwarding continues (NOP, NOP, EOL + pad). */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->version_ihl = 0x46;
	o = (uint8_t *)(h + 1);
	o[0] = 1, o[1] = 1, o[2] = 0, o[3] = 0;
	recksum(m);
	assert_int_equal(ip4_header_check(m, &chk), 0);
	assert_int_equal(chk.hlen, 24);
	assert_false(chk.router_alert);
	input1(m);
	assert_int_equal(sent(1, out, 8), 1);
	assert_int_equal(ip_of(out[0])->version_ihl, 0x46);
	assert_memory_equal((uint8_t *)(ip_of(out[0]) + 1), "\x01\x01\x00\x00", 4);
	free_all(out, 1);
	/* The port vouched for the checksum: not recomputed. */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->hdr_checksum ^= 1;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	assert_int_equal(ip4_header_check(m, &chk), 0);
	rte_pktmbuf_free(m);
	/* Router Alert goes to the local path (no local input here: counted). */
	m = pkt4(SENDER, "10.0.3.9", 64, 100, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->version_ihl = 0x46;
	o = (uint8_t *)(h + 1);
	o[0] = IP4_OPT_RA, o[1] = 4, o[2] = 0, o[3] = 0;
	recksum(m);
	assert_int_equal(ip4_header_check(m, &chk), 0);
	assert_true(chk.router_alert);
	{
		uint64_t before = drops(0, DROP_no_local_input);

		input1(m);
		assert_int_equal(drops(0, DROP_no_local_input), before + 1);
		assert_int_equal(sent(1, out, 8), 0);
	}
}

/* --- forward step ------------------------------------------------------- */

static void
test_cksum_adjust(void **state)
{
	uint8_t hdr[20];
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)hdr;

	(void)state;
	srand(7);
	for (unsigned i = 0; i < 200000; i++) {
		uint16_t old, new, inc;

		for (unsigned k = 0; k < sizeof(hdr); k++)
			hdr[k] = (uint8_t)rand();
		h->version_ihl = 0x45;
		h->time_to_live = (uint8_t)(2 + rand() % 254);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		old = *(uint16_t *)&h->time_to_live;
		h->time_to_live--;
		new = *(uint16_t *)&h->time_to_live;
		inc = ip4_cksum_adjust(h->hdr_checksum, old, new);
		/* The updated header verifies... */
		h->hdr_checksum = inc;
		assert_int_equal(rte_raw_cksum(h, 20), 0xffff);
		/* ...and equals a full recompute (RFC 1624: never -0 for a nonzero sum). */
		h->hdr_checksum = 0;
		assert_int_equal(inc, rte_ipv4_cksum(h));
	}
}

static void
test_forward_ttl(void **state)
{
	struct rte_mbuf *m, *out[8];
	struct rte_ipv4_hdr *h, want;
	struct rte_ether_hdr *eh;
	struct ifl_ctr rx0, tx1, c;

	(void)state;
	ifl_stats_sum(ifl_lookup(ifl0)->stats_slot, &rx0);
	ifl_stats_sum(ifl_lookup(ifl1)->stats_slot, &tx1);
	m = pkt4(SENDER, "10.0.3.9", 64, 200, true);
	memcpy(&want, rte_pktmbuf_mtod(m, void *), sizeof(want));
	input1(m);
	/* Per-ifl counters: rx on ring0.0, tx on ring1.0 (inet). */
	ifl_stats_sum(ifl_lookup(ifl0)->stats_slot, &c);
	assert_int_equal(c.fam[IFF_INET].rx_packets, rx0.fam[IFF_INET].rx_packets + 1);
	assert_int_equal(c.fam[IFF_INET].rx_bytes, rx0.fam[IFF_INET].rx_bytes + 200);
	assert_int_equal(c.fam[IFF_INET].tx_packets, rx0.fam[IFF_INET].tx_packets);
	ifl_stats_sum(ifl_lookup(ifl1)->stats_slot, &c);
	assert_int_equal(c.fam[IFF_INET].tx_packets, tx1.fam[IFF_INET].tx_packets + 1);
	assert_int_equal(c.fam[IFF_INET].tx_bytes, tx1.fam[IFF_INET].tx_bytes + 200);
	assert_int_equal(c.fam[IFF_INET6].tx_packets, 0);
	assert_int_equal(sent(1, out, 8), 1);
	eh = rte_pktmbuf_mtod(out[0], struct rte_ether_hdr *);
	assert_memory_equal(eh->dst_addr.addr_bytes, mac_far, 6);
	assert_int_equal(ntohs(eh->ether_type), RTE_ETHER_TYPE_IPV4);
	h = ip_of(out[0]);
	assert_int_equal(h->time_to_live, 63);
	assert_int_equal(rte_raw_cksum(h, 20), 0xffff);
	want.time_to_live = 63;
	want.hdr_checksum = 0;
	assert_int_equal(h->hdr_checksum, rte_ipv4_cksum(&want));
	assert_int_equal(out[0]->pkt_len, RTE_ETHER_HDR_LEN + 200);
	free_all(out, 1);
}

/* The ICMP error sent back to the sender on port 0; checks IP and ICMP framing. */
static struct rte_mbuf *
icmp_back(uint8_t type, uint8_t code, const char *from)
{
	struct rte_mbuf *out[8];
	struct rte_ipv4_hdr *h;
	struct rte_icmp_hdr *ic;
	uint16_t n, len;

	errors();
	tx_flush(ctx);
	n = sent(0, out, 8);
	assert_int_equal(n, 1);
	h = ip_of(out[0]);
	assert_int_equal(h->version_ihl, 0x45);
	assert_int_equal(h->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(h->time_to_live, 64);
	assert_int_equal(h->type_of_service & 0xe0, 0xc0);
	assert_int_equal(h->src_addr, a4(from));
	assert_int_equal(h->dst_addr, a4(SENDER));
	assert_int_equal(rte_raw_cksum(h, 20), 0xffff);
	len = ntohs(h->total_length);
	assert_int_equal(out[0]->pkt_len, RTE_ETHER_HDR_LEN + len);
	assert_true(len <= ICMP4_ERR_MAX_LEN);
	ic = (struct rte_icmp_hdr *)(h + 1);
	assert_int_equal(ic->icmp_type, type);
	assert_int_equal(ic->icmp_code, code);
	assert_int_equal(rte_raw_cksum(ic, len - 20), 0xffff);
	return out[0];
}

static void
test_ttl_expired(void **state)
{
	struct rte_mbuf *m, *e, *out[8];
	uint8_t orig[100];
	uint64_t before = drops(0, DROP_ttl_expired);

	(void)state;
	m = pkt4(SENDER, "10.0.3.9", 1, 100, false);
	memcpy(orig, rte_pktmbuf_mtod(m, void *), 100);
	input1(m);
	assert_int_equal(drops(0, DROP_ttl_expired), before + 1);
	assert_int_equal(sent(1, out, 8), 0);
	e = icmp_back(11, 0, "10.0.1.1");
	/* The whole original is quoted, as received (TTL 1). */
	assert_int_equal(ntohs(ip_of(e)->total_length), 20 + 8 + 100);
	assert_memory_equal((uint8_t *)(ip_of(e) + 1) + 8, orig, 100);
	assert_memory_equal((uint8_t *)(ip_of(e) + 1) + 4, "\0\0\0\0", 4);
	rte_pktmbuf_free(e);
	/* TTL 0 as well. */
	input1(pkt4(SENDER, "10.0.3.9", 0, 100, false));
	rte_pktmbuf_free(icmp_back(11, 0, "10.0.1.1"));
}

static void
test_frag_needed(void **state)
{
	struct rte_mbuf *e, *out[8];
	uint64_t before = drops(0, DROP_mtu_exceeded);
	const uint8_t *w;

	(void)state;
	/* Fits exactly: forwarded. */
	input1(pkt4(SENDER, "10.0.4.9", 64, 576, true));
	assert_int_equal(sent(1, out, 8), 1);
	free_all(out, 1);
	/* One byte too many with DF: fragmentation needed, MTU 576 (RFC 1191). */
	input1(pkt4(SENDER, "10.0.4.9", 64, 577, true));
	assert_int_equal(drops(0, DROP_mtu_exceeded), before + 1);
	assert_int_equal(sent(1, out, 8), 0);
	e = icmp_back(3, 4, "10.0.1.1");
	w = (const uint8_t *)(ip_of(e) + 1) + 4;
	assert_int_equal(w[0], 0);
	assert_int_equal(w[1], 0);
	assert_int_equal((w[2] << 8) | w[3], 576);
	/* 576 bytes in all: 548 of the original quoted. */
	assert_int_equal(ntohs(ip_of(e)->total_length), 576);
	rte_pktmbuf_free(e);
}

static void
test_fragment(void **state)
{
	struct rte_mbuf *m, *out[16];
	uint8_t orig[1400], got[1400];
	unsigned covered = 0;
	uint16_t n;

	(void)state;
	m = pkt4(SENDER, "10.0.4.9", 64, 1400, false);
	memcpy(orig, rte_pktmbuf_mtod(m, void *), 1400);
	input1(m);
	n = sent(1, out, 16);
	assert_int_equal(n, 3); /* 1380 payload bytes in 552-byte pieces */
	memset(got, 0, sizeof(got));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr h;
		const void *pl;
		uint16_t off, len;

		/* Fragments are chained mbufs: read them flat. */
		memcpy(&h, rte_pktmbuf_read(out[i], RTE_ETHER_HDR_LEN, sizeof(h), &h), sizeof(h));
		len = ntohs(h.total_length);
		off = (uint16_t)((ntohs(h.fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) * 8);
		assert_true(len <= 576);
		assert_int_equal(out[i]->pkt_len, RTE_ETHER_HDR_LEN + len);
		assert_int_equal(h.time_to_live, 63);
		assert_int_equal(h.packet_id, htons(0x1234));
		assert_int_equal(rte_raw_cksum(&h, 20), 0xffff);
		assert_int_equal(!!(ntohs(h.fragment_offset) & RTE_IPV4_HDR_MF_FLAG), i + 1 < n);
		assert_true(20u + off + len - 20u <= sizeof(got));
		pl = rte_pktmbuf_read(out[i], RTE_ETHER_HDR_LEN + 20, len - 20u, got + 20 + off);
		assert_non_null(pl);
		memmove(got + 20 + off, pl, len - 20u);
		covered += len - 20u;
	}
	assert_int_equal(covered, 1380);
	assert_memory_equal(got + 20, orig + 20, 1380);
	free_all(out, n);
}

static void
test_reject_discard(void **state)
{
	struct rte_mbuf *out[8];
	uint64_t rej = drops(0, DROP_rnh_reject), dis = drops(0, DROP_rnh_discard);

	(void)state;
	input1(pkt4(SENDER, "10.0.5.9", 64, 100, false));
	assert_int_equal(drops(0, DROP_rnh_reject), rej + 1);
	assert_int_equal(sent(1, out, 8), 0);
	rte_pktmbuf_free(icmp_back(3, 0, "10.0.1.1"));
	/* No route at all: the 0/0 REJECT, net unreachable (RFC 1812 5.2.7.1). */
	input1(pkt4(SENDER, "198.51.100.1", 64, 100, false));
	assert_int_equal(drops(0, DROP_rnh_reject), rej + 2);
	rte_pktmbuf_free(icmp_back(3, 0, "10.0.1.1"));
	/* DISCARD: silence, counted. */
	input1(pkt4(SENDER, "10.0.6.9", 64, 100, false));
	assert_int_equal(drops(0, DROP_rnh_discard), dis + 1);
	errors();
	tx_flush(ctx);
	assert_int_equal(sent(0, out, 8), 0);
	assert_int_equal(sent(1, out, 8), 0);
}

/* --- route flags on the packet path ---------------------------------------- */

static void
route_flags_to(const char *prefix, uint8_t len, uint16_t flags, uint32_t ifl, struct nexthop *nh)
{
	struct route_spec s = { .key = { .family = 4, .dst_len = len },
				.type = RTT_USER,
				.flags = flags,
				.ifl_index = ifl,
				.nh = nh };
	const char *why = NULL;

	assert_int_equal(inet_pton(AF_INET, prefix, s.key.dst), 1);
	assert_int_equal(route_add(rt_tables[0][0], &s, &why), 0);
	nh_put(nh);
}

/* @m received on ring1.0 instead of ring0.0. */
static struct rte_mbuf *
on_ifl1(struct rte_mbuf *m)
{
	pkt_meta(m)->ifl_index = ifl1;
	m->port = 1;
	return m;
}

static void
test_route_flags(void **state)
{
	struct rte_mbuf *m, *out[8];
	uint64_t ifc0 = drops(0, DROP_rt_ifcheck), ifc1 = drops(1, DROP_rt_ifcheck);
	uint64_t lo0 = drops(0, DROP_rt_local_only);

	(void)state;
	/* 10.0.7.0/24 only from ring0.0, 10.0.8.0/24 only for what nsdp originates. */
	route_flags_to("10.0.7.0", 24, RTF_IFCHECK, ifl0, unicast(ifl1, 1, "10.0.2.7", mac_far, 1500));
	route_flags_to("10.0.8.0", 24, RTF_LOCAL, 0, unicast(ifl1, 1, "10.0.2.8", mac_far, 1500));

	/* Received on the route's ifl: forwarded. */
	input1(pkt4(SENDER, "10.0.7.9", 64, 100, false));
	assert_int_equal(sent(1, out, 8), 1);
	assert_int_equal(ip_of(out[0])->time_to_live, 63);
	free_all(out, 1);
	/* Received elsewhere: dropped, counted on the port it came in on. */
	m = on_ifl1(pkt4("10.0.2.9", "10.0.7.9", 64, 100, false));
	ip4_input(ctx, 1, &m, 1, NULL);
	tx_flush(ctx);
	assert_int_equal(drops(1, DROP_rt_ifcheck), ifc1 + 1);
	assert_int_equal(sent(1, out, 8), 0);
	assert_int_equal(sent(0, out, 8), 0);
	/* Originated (ifl 0) is not the route's ifl either. */
	m = pkt4("10.0.1.1", "10.0.7.9", 64, 100, false);
	ip4_originate(ctx, 0, &m, 1);
	tx_flush(ctx);
	assert_int_equal(drops(0, DROP_rt_ifcheck), ifc0 + 1);
	assert_int_equal(sent(1, out, 8), 0);

	/* RTF_LOCAL: received packets are refused, with no ICMP error... */
	input1(pkt4(SENDER, "10.0.8.9", 64, 100, false));
	assert_int_equal(drops(0, DROP_rt_local_only), lo0 + 1);
	errors();
	tx_flush(ctx);
	assert_int_equal(sent(0, out, 8), 0);
	assert_int_equal(sent(1, out, 8), 0);
	/* ...originated ones go out unchanged. */
	m = pkt4("10.0.1.1", "10.0.8.9", 64, 100, false);
	ip4_originate(ctx, 0, &m, 1);
	tx_flush(ctx);
	assert_int_equal(sent(1, out, 8), 1);
	assert_int_equal(ip_of(out[0])->time_to_live, 64);
	free_all(out, 1);

	/* One burst mixing them: each packet its verdict, the others forwarded. */
	{
		struct rte_mbuf *b[4] = {
			pkt4(SENDER, "10.0.8.1", 64, 60, false),
			pkt4(SENDER, "10.0.7.1", 64, 60, false),
			pkt4(SENDER, "10.0.3.1", 64, 60, false),
			pkt4(SENDER, "10.0.8.2", 64, 60, false),
		};

		ip4_input(ctx, 0, b, 4, NULL);
		tx_flush(ctx);
		assert_int_equal(drops(0, DROP_rt_local_only), lo0 + 3);
		assert_int_equal(sent(1, out, 8), 2);
		assert_int_equal(ip_of(out[0])->dst_addr, a4("10.0.7.1"));
		assert_int_equal(ip_of(out[1])->dst_addr, a4("10.0.3.1"));
		free_all(out, 2);
	}
}

/* --- multicast forwarding and multicast / broadcast output ------------------ */

static uint32_t ifl1v7; /* ring1.7: 802.1Q tag 7 on ring1, inet MTU 576 */
static struct rte_mbuf *local_pkts[16];
static unsigned local_n, local_flags_seen;

static void
local_catch(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n,
	    unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)meta;
	for (uint16_t i = 0; i < n; i++) {
		assert_true(local_n < RTE_DIM(local_pkts));
		local_pkts[local_n++] = pkts[i];
	}
	local_flags_seen = flags;
}

static void
local_reset(void)
{
	rte_pktmbuf_free_bulk(local_pkts, local_n);
	local_n = 0;
}

static struct nexthop *
mlist(uint8_t type, unsigned n, const uint32_t *ifls)
{
	struct nh_spec s = { .family = 4, .type = type, .n_ifl = (uint8_t)n };
	struct nexthop *nh;

	memcpy(s.ifl_list, ifls, n * sizeof(ifls[0]));
	nh = nh_get(&s);
	assert_non_null(nh);
	return nh;
}

/* Frame @f: the ifl's header (@tagged: 802.1Q tag 7), then @want_ip with TTL @ttl. */
static void
check_mcast_frame(struct rte_mbuf *f, bool tagged, const uint8_t *want_ip, uint16_t ip_len,
		  uint8_t ttl, const uint8_t *mac)
{
	uint8_t buf[1600];
	const uint8_t *p = rte_pktmbuf_read(f, 0, f->pkt_len, buf);
	unsigned l2 = tagged ? 18 : 14;
	struct rte_ipv4_hdr h;

	assert_non_null(p);
	assert_int_equal(f->nb_segs, 1);
	assert_int_equal(f->pkt_len, l2 + ip_len);
	assert_memory_equal(p, mac, 6);
	assert_memory_equal(p + 6, nsdp_ports[1].mac.addr_bytes, 6);
	if (tagged) {
		assert_memory_equal(p + 12, "\x81\x00\x00\x07", 4);
	}
	assert_memory_equal(p + l2 - 2, "\x08\x00", 2);
	memcpy(&h, want_ip, sizeof(h));
	h.time_to_live = ttl;
	h.hdr_checksum = 0;
	h.hdr_checksum = rte_ipv4_cksum(&h);
	assert_memory_equal(p + l2, &h, sizeof(h));
	assert_memory_equal(p + l2 + 20, want_ip + 20, ip_len - 20u);
	assert_int_equal(rte_raw_cksum(p + l2, 20), 0xffff);
}

static void
test_multicast(void **state)
{
	static const uint8_t gmac[6] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 };
	const uint32_t three[3] = { ifl1v7, 0, ifl1 };
	struct nexthop *nh = mlist(RNH_MULTICAST, 3, three);
	struct rte_mbuf *m, *out[16];
	struct ifl_ctr tx1, tx7, cnt;
	uint8_t orig[200];
	uint64_t before;

	(void)state;
	assert_int_equal(nh_set_local_input(4, local_catch), 0);
	ifl_stats_sum(ifl_lookup(ifl1)->stats_slot, &tx1);
	ifl_stats_sum(ifl_lookup(ifl1v7)->stats_slot, &tx7);
	/* Received on ring0.0: forwarded once (TTL 5 -> 4), copied to both ifls, local as received. */
	m = pkt4(SENDER, "232.129.2.3", 5, 200, true);
	memcpy(orig, rte_pktmbuf_mtod(m, void *), 200);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	tx_flush(ctx);
	assert_int_equal(sent(1, out, 16), 2);
	/* ifl order: ring1.0 (lower index) first, then ring1.7; 232.129.2.3 maps to 01:00:5e:01:02:03. */
	check_mcast_frame(out[0], false, orig, 200, 4, gmac);
	check_mcast_frame(out[1], true, orig, 200, 4, gmac);
	free_all(out, 2);
	assert_int_equal(local_n, 1);
	assert_int_equal(local_flags_seen, 0);
	assert_int_equal(local_pkts[0]->pkt_len, 200);
	assert_memory_equal(rte_pktmbuf_mtod(local_pkts[0], void *), orig, 200);
	local_reset();
	/* Counted per output ifl (L3 bytes), as unicast output is. */
	ifl_stats_sum(ifl_lookup(ifl1)->stats_slot, &cnt);
	assert_int_equal(cnt.fam[IFF_INET].tx_packets, tx1.fam[IFF_INET].tx_packets + 1);
	assert_int_equal(cnt.fam[IFF_INET].tx_bytes, tx1.fam[IFF_INET].tx_bytes + 200);
	ifl_stats_sum(ifl_lookup(ifl1v7)->stats_slot, &cnt);
	assert_int_equal(cnt.fam[IFF_INET].tx_packets, tx7.fam[IFF_INET].tx_packets + 1);

	/* TTL 1: delivered here, not forwarded, no ICMP error. */
	before = drops(0, DROP_mcast_ttl_expired);
	m = pkt4(SENDER, "232.1.2.3", 1, 100, false);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	errors();
	tx_flush(ctx);
	assert_int_equal(drops(0, DROP_mcast_ttl_expired), before + 1);
	assert_int_equal(sent(1, out, 16), 0);
	assert_int_equal(sent(0, out, 16), 0);
	assert_int_equal(local_n, 1);
	local_reset();
	/* 224.0.0.0/24 stays on its link. */
	before = drops(0, DROP_mcast_scope);
	m = pkt4(SENDER, "224.0.0.9", 64, 100, false);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	tx_flush(ctx);
	assert_int_equal(drops(0, DROP_mcast_scope), before + 1);
	assert_int_equal(sent(1, out, 16), 0);
	local_reset();

	/* Larger than ring1.7's MTU (576): fragmented there without DF, whole on ring1.0. */
	m = pkt4(SENDER, "232.1.2.3", 9, 1000, false);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	tx_flush(ctx);
	{
		uint16_t k = sent(1, out, 16), tagged = 0, total = 0;

		assert_int_equal(k, 3);
		for (uint16_t i = 0; i < k; i++) {
			uint8_t buf[1100];
			const uint8_t *p = rte_pktmbuf_read(out[i], 0, out[i]->pkt_len, buf);
			unsigned l2 = p[12] == 0x81 ? 18 : 14;

			tagged += l2 == 18;
			assert_int_equal(p[l2 + 8], 8);
			assert_int_equal(rte_raw_cksum(p + l2, 20), 0xffff);
			assert_true(out[i]->pkt_len - l2 <= (l2 == 18 ? 576u : 1500u));
			if (l2 == 18)
				total += (uint16_t)(out[i]->pkt_len - l2 - 20);
		}
		assert_int_equal(tagged, 2);
		assert_int_equal(total, 980);
		free_all(out, k);
	}
	local_reset();
	/* With DF: dropped on ring1.7 only (no ICMP for multicast). */
	before = drops(0, DROP_mcast_too_big);
	m = pkt4(SENDER, "232.1.2.3", 9, 1000, true);
	nh->output(ctx, nh, &m, 1, 0, NULL);
	errors();
	tx_flush(ctx);
	assert_int_equal(drops(0, DROP_mcast_too_big), before + 1);
	assert_int_equal(sent(1, out, 16), 1);
	assert_int_equal(out[0]->pkt_len, 14 + 1000);
	free_all(out, 1);
	assert_int_equal(sent(0, out, 16), 0);
	local_reset();

	/* Never back out the ifl it came in on. */
	m = pkt4("10.0.2.9", "232.1.2.3", 9, 100, false);
	pkt_meta(m)->ifl_index = ifl1;
	nh->output(ctx, nh, &m, 1, 0, NULL);
	tx_flush(ctx);
	assert_int_equal(sent(1, out, 16), 1);
	assert_int_equal(rte_pktmbuf_mtod(out[0], uint8_t *)[12], 0x81);
	free_all(out, 1);
	local_reset();
	nh_put(nh);
	{
		const uint32_t one[1] = { ifl1 };
		struct nexthop *only = mlist(RNH_MULTICAST, 1, one);

		before = drops(1, DROP_mcast_no_copy);
		m = pkt4("10.0.2.9", "232.1.2.3", 9, 100, false);
		pkt_meta(m)->ifl_index = ifl1;
		m->port = 1;
		only->output(ctx, only, &m, 1, 0, NULL);
		tx_flush(ctx);
		assert_int_equal(drops(1, DROP_mcast_no_copy), before + 1);
		assert_int_equal(sent(1, out, 16), 0);
		/* Originated: out unchanged (TTL kept), the packet itself, no local copy. */
		m = pkt4("10.0.2.1", "232.1.2.3", 1, 100, false);
		memcpy(orig, rte_pktmbuf_mtod(m, void *), 100);
		only->output(ctx, only, &m, 1, NH_OUT_ORIGINATED, NULL);
		tx_flush(ctx);
		assert_int_equal(sent(1, out, 16), 1);
		check_mcast_frame(out[0], false, orig, 100, 1, gmac);
		free_all(out, 1);
		assert_int_equal(local_n, 0);
		nh_put(only);
	}
	/* No mbuf for a copy: that copy is counted, the last one (the packet itself) still goes. */
	{
		const uint32_t two[2] = { ifl1, ifl1v7 };
		struct nexthop *both = mlist(RNH_MULTICAST, 2, two);
		struct rte_mempool *tiny = rte_pktmbuf_pool_create("test_ip4_tiny", 1, 0, 0,
								   RTE_MBUF_DEFAULT_BUF_SIZE,
								   SOCKET_ID_ANY);
		struct rte_mbuf *one;
		uint8_t *p;

		assert_non_null(tiny);
		one = rte_pktmbuf_alloc(tiny);
		assert_non_null(one);
		m = pkt4(SENDER, "232.1.2.3", 9, 100, false);
		p = (uint8_t *)rte_pktmbuf_append(one, 100);
		memcpy(p, rte_pktmbuf_mtod(m, void *), 100);
		*pkt_meta(one) = *pkt_meta(m);
		one->port = 0;
		rte_pktmbuf_free(m);
		before = drops(0, DROP_mcast_no_mbuf);
		both->output(ctx, both, &one, 1, 0, NULL);
		tx_flush(ctx);
		assert_int_equal(drops(0, DROP_mcast_no_mbuf), before + 1);
		assert_int_equal(sent(1, out, 16), 1);
		assert_int_equal(rte_pktmbuf_mtod(out[0], uint8_t *)[12], 0x81);
		free_all(out, 1);
		rte_mempool_free(tiny);
		nh_put(both);
	}
	assert_int_equal(nh_set_local_input(4, NULL), 0);
}

/* MDISCARD, MRECV, BRECV, MGROUP send what nsdp originates out the ifl the metadata names. */
static void
test_mcast_originated(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t allsys[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	const struct nh_out_meta on1 = { ifl1 }, on7 = { ifl1v7 }, none = { 0 };
	const uint8_t types[4] = { RNH_MDISCARD, RNH_MRECV, RNH_BRECV, RNH_MGROUP };
	const uint32_t grp[1] = { ifl0 };
	struct rte_mbuf *m, *out[8];
	uint8_t orig[80];
	uint64_t before;

	(void)state;
	for (unsigned t = 0; t < 4; t++) {
		struct nexthop *nh = types[t] == RNH_MGROUP ? mlist(RNH_MGROUP, 1, grp) : typed(types[t]);
		const char *dst = types[t] == RNH_BRECV ? "255.255.255.255" : "224.0.0.1";

		m = pkt4("10.0.2.1", dst, 1, 80, false);
		memcpy(orig, rte_pktmbuf_mtod(m, void *), 80);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, &on1);
		tx_flush(ctx);
		assert_int_equal(sent(1, out, 8), 1);
		check_mcast_frame(out[0], false, orig, 80, 1, types[t] == RNH_BRECV ? bcast : allsys);
		free_all(out, 1);
		/* The tagged ifl: its tag in the header. */
		m = pkt4("10.0.2.1", dst, 1, 80, false);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, &on7);
		tx_flush(ctx);
		assert_int_equal(sent(1, out, 8), 1);
		check_mcast_frame(out[0], true, orig, 80, 1, types[t] == RNH_BRECV ? bcast : allsys);
		free_all(out, 1);
		/* No ifl named: counted, nothing sent. */
		before = drops(0, DROP_no_output_ifl);
		m = pkt4("10.0.2.1", dst, 1, 80, false);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, &none);
		m = pkt4("10.0.2.1", dst, 1, 80, false);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, NULL);
		tx_flush(ctx);
		assert_int_equal(drops(0, DROP_no_output_ifl), before + 2);
		assert_int_equal(sent(1, out, 8), 0);
		nh_put(nh);
	}
	/* A subnet broadcast goes to ff:ff:ff:ff:ff:ff as well; an ifl without inet cannot send. */
	{
		struct nexthop *nh = typed(RNH_BRECV);
		const struct nh_out_meta gone = { 999999 };

		m = pkt4("10.0.2.1", "10.0.2.255", 64, 80, false);
		memcpy(orig, rte_pktmbuf_mtod(m, void *), 80);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, &on1);
		tx_flush(ctx);
		assert_int_equal(sent(1, out, 8), 1);
		check_mcast_frame(out[0], false, orig, 80, 64, bcast);
		free_all(out, 1);
		before = drops(0, DROP_mcast_bad_ifl);
		m = pkt4("10.0.2.1", "10.0.2.255", 64, 80, false);
		nh->output(ctx, nh, &m, 1, NH_OUT_ORIGINATED, &gone);
		assert_int_equal(drops(0, DROP_mcast_bad_ifl), before + 1);
		nh_put(nh);
	}
}

/* The whole path: an (S,G) route with RTF_IFCHECK and a MULTICAST next hop, through ip4_input. */
static void
test_mcast_route(void **state)
{
	const uint32_t outs[2] = { ifl1, ifl1v7 };
	struct route_spec s = { .key = { .family = 4, .dst_len = 32, .src_len = 32 },
				.type = RTT_USER,
				.flags = RTF_IFCHECK,
				.ifl_index = ifl0 };
	struct rte_mbuf *m, *out[8];
	const char *why;
	uint64_t before = drops(1, DROP_rt_ifcheck);

	(void)state;
	s.nh = mlist(RNH_MULTICAST, 2, outs);
	assert_int_equal(inet_pton(AF_INET, "232.5.5.5", s.key.dst), 1);
	assert_int_equal(inet_pton(AF_INET, SENDER, s.key.src), 1);
	assert_int_equal(route_add(rt_tables[0][0], &s, &why), 0);
	input1(pkt4(SENDER, "232.5.5.5", 33, 120, false));
	assert_int_equal(sent(1, out, 8), 2);
	assert_int_equal(ip_of(out[0])->time_to_live, 32);
	free_all(out, 2);
	/* The same traffic from ring1.0: the RPF check refuses it. */
	m = on_ifl1(pkt4(SENDER, "232.5.5.5", 33, 120, false));
	ip4_input(ctx, 1, &m, 1, NULL);
	tx_flush(ctx);
	assert_int_equal(drops(1, DROP_rt_ifcheck), before + 1);
	assert_int_equal(sent(1, out, 8), 0);
	/* Another source: the 224/4 MDISCARD, counted. */
	before = drops(0, DROP_rnh_mdiscard);
	input1(pkt4("10.0.1.3", "232.5.5.5", 33, 120, false));
	assert_int_equal(drops(0, DROP_rnh_mdiscard), before + 1);
	assert_int_equal(route_del(rt_tables[0][0], &s.key, RTT_USER, 0, &why), 0);
	input1(pkt4(SENDER, "232.5.5.5", 33, 120, false));
	assert_int_equal(sent(1, out, 8), 0);
	nh_put(s.nh);
}

/* --- ICMP never-answer rules, construction, source, rate limit --------------- */

static void
check_not_answered(struct rte_mbuf *m)
{
	struct rte_mbuf *out[8];
	uint64_t before = drops(0, DROP_icmp_not_answered);

	ip_error_dispatch(ctx, m, IP_ERR_TTL, 0);
	tx_flush(ctx);
	assert_int_equal(drops(0, DROP_icmp_not_answered), before + 1);
	assert_int_equal(sent(0, out, 8), 0);
}

static void
test_never_answer(void **state)
{
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *h;
	uint8_t *icmp;

	(void)state;
	/* An ICMP error (destination unreachable). */
	m = pkt4(SENDER, "10.0.3.9", 1, 60, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->next_proto_id = IPPROTO_ICMP;
	icmp = (uint8_t *)(h + 1);
	icmp[0] = 3;
	recksum(m);
	check_not_answered(m);
	/* A fragment other than the first. */
	m = pkt4(SENDER, "10.0.3.9", 1, 60, false);
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->fragment_offset = htons(100);
	recksum(m);
	check_not_answered(m);
	/* Broadcast and multicast destinations, and a non-unicast source. */
	check_not_answered(pkt4(SENDER, "255.255.255.255", 1, 60, false));
	check_not_answered(pkt4(SENDER, "224.0.0.9", 1, 60, false));
	check_not_answered(pkt4("0.0.0.0", "10.0.3.9", 1, 60, false));
	check_not_answered(pkt4("127.0.0.1", "10.0.3.9", 1, 60, false));
	/* But an echo request is answered. */
	m = pkt4(SENDER, "10.0.3.9", 1, 60, false);
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	h->next_proto_id = IPPROTO_ICMP;
	((uint8_t *)(h + 1))[0] = 8;
	recksum(m);
	ip_error_dispatch(ctx, m, IP_ERR_TTL, 0);
	rte_pktmbuf_free(icmp_back(11, 0, "10.0.1.1"));
}

static void
test_icmp_make(void **state)
{
	static const struct {
		enum ip_err err;
		uint32_t arg;
		uint8_t type, code;
		uint8_t word[4];
	} cases[] = {
		{ IP_ERR_TTL, 0, 11, 0, { 0, 0, 0, 0 } },
		{ IP_ERR_NET_UNREACH, 0, 3, 0, { 0, 0, 0, 0 } },
		{ IP_ERR_HOST_UNREACH, 0, 3, 1, { 0, 0, 0, 0 } },
		{ IP_ERR_PROTO_UNREACH, 0, 3, 2, { 0, 0, 0, 0 } },
		{ IP_ERR_PORT_UNREACH, 0, 3, 3, { 0, 0, 0, 0 } },
		{ IP_ERR_FRAG_NEEDED, 1492, 3, 4, { 0, 0, 0x05, 0xd4 } },
		{ IP_ERR_PARAM, 9, 12, 0, { 9, 0, 0, 0 } },
	};
	const uint8_t src[4] = { 192, 0, 2, 1 };

	(void)state;
	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		struct rte_mbuf *m = pkt4(SENDER, "10.0.3.9", 1, 1000, false);
		struct rte_mbuf *e = rte_pktmbuf_alloc(pool);
		const uint8_t *p;

		rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->type_of_service = 0x10;
		recksum(m);
		assert_int_equal(icmp4_error_make(m, cases[i].err, cases[i].arg, src, e), 0);
		p = rte_pktmbuf_mtod(e, const uint8_t *);
		assert_int_equal(e->pkt_len, 576);
		assert_int_equal(p[0], 0x45);
		assert_int_equal(p[1], 0xd0); /* precedence 6, original TOS bits */
		assert_int_equal((p[2] << 8) | p[3], 576);
		assert_int_equal(p[6] & 0x40, 0); /* no DF */
		assert_int_equal(p[8], 64);
		assert_int_equal(p[9], IPPROTO_ICMP);
		assert_memory_equal(p + 12, src, 4);
		assert_memory_equal(p + 16, "\x0a\x00\x01\x02", 4);
		assert_int_equal(p[20], cases[i].type);
		assert_int_equal(p[21], cases[i].code);
		assert_memory_equal(p + 24, cases[i].word, 4);
		assert_int_equal(rte_raw_cksum(p + 20, 556), 0xffff);
		assert_memory_equal(p + 28, rte_pktmbuf_mtod(m, const uint8_t *), 548);
		rte_pktmbuf_free(e);
		rte_pktmbuf_free(m);
	}
	{
		struct rte_mbuf *m = pkt4(SENDER, "10.0.3.9", 1, 100, false);
		struct rte_mbuf *e = rte_pktmbuf_alloc(pool);

		assert_int_equal(icmp4_error_make(m, IP_ERR_MAX, 0, src, e), -EINVAL);
		rte_pktmbuf_free(e);
		rte_pktmbuf_free(m);
	}
}

static void
test_source_addr(void **state)
{
	uint8_t out[4], dst[4];
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 24 };
	struct ifl_spec ls = { .name = "ring1.5" };
	struct iff_spec is = { .family = IFF_INET };
	struct ifl_priv *l;
	struct iff *iff;
	struct ifa *lo_ifa;

	(void)state;
	/* The on-subnet address of the ifl when it has several. */
	iff = ifl_priv_by_index(ifl0)->iff[IFF_INET];
	memcpy(a.local, "\x0a\x09\x09\x01", 4);
	memcpy(a.dest, "\x0a\x09\x09\x00", 4);
	assert_int_equal(ifa_add(iff, &a, NULL, &E), 0);
	memcpy(dst, "\x0a\x09\x09\x07", 4);
	assert_int_equal(ifa_source_addr(ifl0, 4, dst, out), 0);
	assert_memory_equal(out, "\x0a\x09\x09\x01", 4);
	memcpy(dst, "\x0a\x00\x01\x07", 4);
	assert_int_equal(ifa_source_addr(ifl0, 4, dst, out), 0);
	assert_memory_equal(out, "\x0a\x00\x01\x01", 4);
	assert_int_equal(ifa_del(iff, &a, &E), 0);
	/* No address on the ifl: the instance's loopback lo0.0; none there: -ENOENT. */
	ls.l2id.kind = L2ID_TAGS;
	ls.l2id.n_tags = 1;
	ls.l2id.tpid[0] = 0x8100;
	ls.l2id.vid[0] = 5;
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &is, NULL, &E), 0);
	assert_int_equal(ifa_source_addr(l->ifl_index, 4, dst, out), -ENOENT);
	if (ifl_find("lo0.0")->iff[IFF_INET] == NULL)
		assert_int_equal(iff_add(ifl_find("lo0.0"), &is, NULL, &E), 0);
	memset(&a, 0, sizeof(a));
	a.has_local = true;
	memcpy(a.local, "\xc0\x00\x02\x63", 4);
	assert_int_equal(ifa_add(ifl_find("lo0.0")->iff[IFF_INET], &a, &lo_ifa, &E), 0);
	assert_int_equal(ifa_source_addr(l->ifl_index, 4, dst, out), 0);
	assert_memory_equal(out, "\xc0\x00\x02\x63", 4);
	assert_int_equal(ifa_del(ifl_find("lo0.0")->iff[IFF_INET], &a, &E), 0);
	ifl_del(l);
	/* No inet iff, no ifl, bad family. */
	assert_int_equal(ifa_source_addr(999999, 4, dst, out), -ENOENT);
	assert_int_equal(ifa_source_addr(ifl0, 5, dst, out), -EINVAL);
	assert_int_equal(ifa_source_addr(ifl0, 6, NULL, out), -ENOENT);
}

static void
test_ratelimit(void **state)
{
	const uint64_t hz = 1000;
	uint32_t r, b;
	unsigned ok = 0, limited, n_sent;
	uint64_t before;
	struct rte_mbuf *out[16];

	(void)state;
	assert_int_equal(ip_error_ratelimit_set(RT_INST_MAX, 1, 1), -EINVAL);
	assert_int_equal(ip_error_ratelimit_set(1, IP_ERR_RATE_MAX + 1, 1), -EINVAL);
	assert_int_equal(ip_error_ratelimit_set(1, 10, 0), -EINVAL);
	assert_int_equal(ip_error_ratelimit_get(2, &r, &b), 0);
	assert_int_equal(r, IP_ERR_RATE_DEFAULT);
	assert_int_equal(b, IP_ERR_BURST_DEFAULT);
	/* 10/s, burst 3, on a hand-driven clock of 1000 ticks a second. */
	assert_int_equal(ip_error_ratelimit_set(1, 10, 3), 0);
	assert_int_equal(ip_error_ratelimit_get(1, &r, &b), 0);
	assert_int_equal(r, 10);
	assert_int_equal(b, 3);
	for (unsigned i = 0; i < 5; i++)
		ok += ip_error_allow_at(1, 5000, hz);
	assert_int_equal(ok, 3);
	/* 50 ms: half a token. 100 ms: one. */
	assert_false(ip_error_allow_at(1, 5050, hz));
	assert_true(ip_error_allow_at(1, 5100, hz));
	assert_false(ip_error_allow_at(1, 5100, hz));
	/* A second later the bucket is full again, never more than the burst. */
	ok = 0;
	for (unsigned i = 0; i < 5; i++)
		ok += ip_error_allow_at(1, 7000, hz);
	assert_int_equal(ok, 3);
	/* Other instances are untouched; 0 per second sends nothing. */
	assert_true(ip_error_allow_at(2, 7000, hz));
	assert_int_equal(ip_error_ratelimit_set(2, 0, 0), 0);
	assert_false(ip_error_allow_at(2, 9000, hz));
	/*
	 * End to end in instance 0 at 1/s, burst 2: of 6 TTL-expired packets
	 * at least 2 are answered and the rest counted (a refill would need
	 * seconds between them).
	 */
	assert_int_equal(ip_error_ratelimit_set(0, 1, 2), 0);
	before = drops(0, DROP_icmp_ratelimited);
	for (unsigned i = 0; i < 6; i++)
		ip4_input(ctx, 0, (struct rte_mbuf *[]){ pkt4(SENDER, "10.0.3.9", 1, 60, false) },
			  1, NULL);
	errors();
	tx_flush(ctx);
	n_sent = sent(0, out, 16);
	limited = (unsigned)(drops(0, DROP_icmp_ratelimited) - before);
	assert_int_equal(n_sent + limited, 6);
	assert_true(n_sent >= 2);
	assert_true(limited >= 1);
	free_all(out, n_sent);
	assert_int_equal(ip_error_ratelimit_set(UINT16_MAX, IP_ERR_RATE_DEFAULT,
						IP_ERR_BURST_DEFAULT),
			 0);
}

/* --- setup ---------------------------------------------------------------- */

static void
port_up(uint16_t p)
{
	test_port_up(p, pool, 256);
}

static uint32_t
ifl_setup(const char *ifd, uint16_t port, const char *ifl, const char *addr)
{
	struct ifd_spec ds = { .name = ifd, .has_port = true, .port = port };
	struct ifl_spec ls = { .name = ifl };
	struct iff_spec is = { .family = IFF_INET };
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 24 };
	struct ifl_priv *l;

	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &is, NULL, &E), 0);
	assert_int_equal(inet_pton(AF_INET, addr, a.local), 1);
	memcpy(a.dest, a.local, 4);
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
	return l->ifl_index;
}

static void
route_to(const char *prefix, uint8_t len, struct nexthop *nh)
{
	struct route_spec s = { .key = { .family = 4, .dst_len = len },
				.type = RTT_USER,
				.nh = nh };
	const char *why = NULL;

	assert_int_equal(inet_pton(AF_INET, prefix, s.key.dst), 1);
	assert_int_equal(route_add(rt_tables[0][0], &s, &why), 0);
	nh_put(nh);
}

static struct nexthop *
unicast(uint32_t ifl, uint16_t port, const char *addr, const uint8_t *mac, uint16_t mtu)
{
	struct nh_spec s = { .family = 4,
			     .type = RNH_UNICAST,
			     .ifl_index = ifl,
			     .port = port,
			     .mtu = mtu,
			     .l2_len = RTE_ETHER_HDR_LEN };
	struct nexthop *nh;

	assert_int_equal(inet_pton(AF_INET, addr, s.addr), 1);
	memcpy(s.l2, mac, 6);
	memcpy(s.l2 + 6, nsdp_ports[port].mac.addr_bytes, 6);
	s.l2[12] = 0x08, s.l2[13] = 0x00;
	nh = nh_get(&s);
	assert_non_null(nh);
	return nh;
}

static struct nexthop *
typed(uint8_t type)
{
	struct nh_spec s = { .family = 4, .type = type };
	struct nexthop *nh = nh_get(&s);

	assert_non_null(nh);
	return nh;
}

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };

	(void)state;
	test_eal_init("0", vdevs);
	assert_int_equal(pkt_meta_register(), 0);
	pool = rte_pktmbuf_pool_create("test_ip4", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	port_up(0);
	port_up(1);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	sched = svc_sched_create(0, 1);
	assert_non_null(sched);
	assert_int_equal(ip_init(sched, NULL), 0);
	ctx = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*ctx), RTE_CACHE_LINE_SIZE));
	assert_non_null(ctx);
	memset(ctx, 0, sizeof(*ctx));
	ctx->lcore_id = rte_lcore_id();
	nsdp_lcores[rte_lcore_id()] = ctx;

	ifl0 = ifl_setup("ring0", 0, "ring0.0", "10.0.1.1");
	ifl1 = ifl_setup("ring1", 1, "ring1.0", "10.0.2.1");
	{
		struct ifl_spec ls = { .name = "ring1.7" };
		struct iff_spec is = { .family = IFF_INET, .has_mtu = true, .mtu = 576 };
		struct ifl_priv *l;

		ls.l2id.kind = L2ID_TAGS;
		ls.l2id.n_tags = 1;
		ls.l2id.tpid[0] = 0x8100;
		ls.l2id.vid[0] = 7;
		assert_int_equal(ifl_add(&ls, &l, &E), 0);
		assert_int_equal(iff_add(l, &is, NULL, &E), 0);
		ifl1v7 = l->ifl_index;
	}
	route_to(SENDER, 32, unicast(ifl0, 0, SENDER, mac_snd, 1500));
	route_to("10.0.3.0", 24, unicast(ifl1, 1, "10.0.2.2", mac_far, 1500));
	route_to("10.0.4.0", 24, unicast(ifl1, 1, "10.0.2.3", mac_far, 576));
	route_to("10.0.5.0", 24, typed(RNH_REJECT));
	route_to("10.0.6.0", 24, typed(RNH_DISCARD));
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	ip_fini();
	nsdp_lcores[rte_lcore_id()] = NULL;
	ifd_del(ifd_find("ring0"), false);
	ifd_del(ifd_find("ring1"), false);
	ifcfg_fini();
	rt_fini();
	nh_fini();
	svc_sched_destroy(sched);
	free(ctx);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_refused), cmocka_unit_test(test_header_accepted),
		cmocka_unit_test(test_cksum_adjust),   cmocka_unit_test(test_forward_ttl),
		cmocka_unit_test(test_ttl_expired),    cmocka_unit_test(test_frag_needed),
		cmocka_unit_test(test_fragment),       cmocka_unit_test(test_reject_discard),
		cmocka_unit_test(test_route_flags),    cmocka_unit_test(test_multicast),
		cmocka_unit_test(test_mcast_originated), cmocka_unit_test(test_mcast_route),
		cmocka_unit_test(test_never_answer),   cmocka_unit_test(test_icmp_make),
		cmocka_unit_test(test_source_addr),    cmocka_unit_test(test_ratelimit),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
