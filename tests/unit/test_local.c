/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_local.c: the local path (local.c), reassembly (reasm.c) and the echo
 * responders (echo.c): echo replies byte for byte, then whole packets
 * through the real IPv4 input, route table and interface tree on two
 * net_ring ports whose tx rings loop back to their rx (what nsdp sends on a
 * port is read back with rte_eth_rx_burst): pings of an address of the
 * incoming ifl, of another ifl and of lo0; the no-match answers (ICMP port
 * and protocol unreachable, TCP RST, nothing for broadcast); a consumer
 * entry taking packets; a fragmented ping. Reassembly directly: in order,
 * out of order, overlaps (RFC 5722 / RFC 1858), tiny fragments, timeouts,
 * the memory limit and two routing instances with the same key fields.
 *
 * Addressing: ring0.0 10.0.1.1/24 (the sender 10.0.1.2 has a host route
 * there), ring1.0 10.0.2.1/24, lo0.0 192.0.2.1/32.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "dataplane/counters.h"
#include "dataplane/ifl_stats.h"
#include "dataplane/ip.h"
#include "dataplane/ip4.h"
#include "dataplane/ip6.h"
#include "dataplane/l3demux.h"
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
static const uint8_t mac_snd[6] = { 0x02, 0, 0, 0, 0, 0x11 };

static uint32_t
a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* ---- packets ------------------------------------------------------------- */

/* IPv4 @proto packet with @plen payload bytes (pattern), id @id, frag word @fo. */
static struct rte_mbuf *
ip4pkt(const char *src, const char *dst, uint8_t proto, uint16_t plen, uint16_t id, uint16_t fo)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *h;
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(20 + plen));
	assert_non_null(p);
	for (unsigned i = 0; i < 20u + plen; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	h = (struct rte_ipv4_hdr *)p;
	memset(h, 0, sizeof(*h));
	h->version_ihl = 0x45;
	h->total_length = htons((uint16_t)(20 + plen));
	h->packet_id = htons(id);
	h->fragment_offset = htons(fo);
	h->time_to_live = 64;
	h->next_proto_id = proto;
	h->src_addr = a4(src);
	h->dst_addr = a4(dst);
	h->hdr_checksum = rte_ipv4_cksum(h);
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	m->port = 0;
	return m;
}

static void
icmp4_fix(struct rte_mbuf *m)
{
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, 20);
	uint16_t len = (uint16_t)(rte_pktmbuf_pkt_len(m) - 20);

	icmp[2] = icmp[3] = 0;
	uint16_t ck = (uint16_t)~rte_raw_cksum(icmp, len);
	memcpy(icmp + 2, &ck, 2);
}

/* An echo request of @dlen data bytes. */
static struct rte_mbuf *
echo_req(const char *src, const char *dst, uint16_t dlen)
{
	struct rte_mbuf *m = ip4pkt(src, dst, IPPROTO_ICMP, (uint16_t)(8 + dlen), 0x4242, 0);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, 20);

	icmp[0] = 8, icmp[1] = 0;
	icmp[4] = 0x12, icmp[5] = 0x34, icmp[6] = 0, icmp[7] = 1;
	icmp4_fix(m);
	return m;
}

static uint16_t
sent(uint16_t port, struct rte_mbuf **out, uint16_t max)
{
	return rte_eth_rx_burst(port, 0, out, max);
}

static struct rte_ipv4_hdr *
ip_of(struct rte_mbuf *f)
{
	return rte_pktmbuf_mtod_offset(f, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
}

static void
input1(struct rte_mbuf *m)
{
	ip4_input(ctx, 0, &m, 1, NULL);
	tx_flush(ctx);
}

/* Send @m in, run the workers' queues here, return the one frame sent on
 * port 0 (NULL if none; more than one fails). */
static struct rte_mbuf *
exchange(struct rte_mbuf *m)
{
	struct rte_mbuf *out[8];
	uint16_t n;

	input1(m);
	ip_error_drain();
	local_drain();
	tx_flush(ctx);
	n = sent(0, out, 8);
	assert_true(n <= 1);
	assert_int_equal(sent(1, out + 1, 7), 0);
	return n == 1 ? out[0] : NULL;
}

/* ---- echo replies, byte for byte ----------------------------------------- */

static void
test_echo4_bytes(void **state)
{
	struct rte_mbuf *m = echo_req("10.0.1.2", "10.0.1.1", 56);
	uint8_t exp[84];
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)exp;
	uint16_t ck;

	(void)state;
	/* The expected reply, built from scratch. */
	memcpy(exp, rte_pktmbuf_mtod(m, uint8_t *), 84);
	h->src_addr = a4("10.0.1.1");
	h->dst_addr = a4("10.0.1.2");
	h->time_to_live = 64;
	h->fragment_offset = 0;
	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
	exp[20] = 0;
	exp[22] = exp[23] = 0;
	ck = (uint16_t)~rte_raw_cksum(exp + 20, 64);
	memcpy(exp + 22, &ck, 2);

	assert_int_equal(echo4_reply_make(m, NULL), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 84);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), exp, 84);
	assert_int_equal(pkt_meta(m)->flags, PKT_F_ORIGINATED);
	/* A reply is not a request; a bad checksum is not answered. */
	assert_int_equal(echo4_reply_make(m, NULL), -EINVAL);
	rte_pktmbuf_free(m);
	m = echo_req("10.0.1.2", "10.0.1.1", 56);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 30)[0] ^= 1;
	assert_int_equal(echo4_reply_make(m, NULL), -EINVAL);
	rte_pktmbuf_free(m);
	/* With a chosen source (broadcast request). */
	m = echo_req("10.0.1.2", "255.255.255.255", 10);
	{
		uint8_t src[4];

		memcpy(src, &(uint32_t){ a4("10.0.1.1") }, 4);
		assert_int_equal(echo4_reply_make(m, src), 0);
	}
	h = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	assert_int_equal(h->src_addr, a4("10.0.1.1"));
	assert_int_equal(h->dst_addr, a4("10.0.1.2"));
	assert_int_equal(rte_raw_cksum(h, 20), 0xffff);
	assert_int_equal(rte_raw_cksum((uint8_t *)h + 20, 18), 0xffff);
	rte_pktmbuf_free(m);
}

static void
test_echo6_bytes(void **state)
{
	uint8_t req[40 + 8 + 32], exp[sizeof(req)], src2[16];
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	(void)state;
	assert_non_null(m);
	memset(req, 0, sizeof(req));
	req[0] = 0x60;
	req[5] = 40;
	req[6] = IPPROTO_ICMPV6;
	req[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", req + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", req + 24), 1);
	req[40] = ICMP6_ECHO_REQUEST;
	req[44] = 0xab, req[45] = 0xcd, req[47] = 7;
	for (unsigned i = 48; i < sizeof(req); i++)
		req[i] = (uint8_t)i;
	icmp6_cksum_set(req);
	memcpy(exp, req, sizeof(req));
	memcpy(exp + 8, req + 24, 16);
	memcpy(exp + 24, req + 8, 16);
	exp[7] = 64;
	exp[40] = ICMP6_ECHO_REPLY;
	icmp6_cksum_set(exp);
	assert_non_null(rte_pktmbuf_append(m, sizeof(req)));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), req, sizeof(req));
	pkt_meta_rx_init(m, 1);
	assert_int_equal(echo6_reply_make(m, NULL), 0);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), exp, sizeof(req));
	/* A new source (request to a multicast group) keeps the checksum right. */
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), req, sizeof(req));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::99", src2), 1);
	assert_int_equal(echo6_reply_make(m, src2), 0);
	memcpy(exp + 8, src2, 16);
	icmp6_cksum_set(exp);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), exp, sizeof(req));
	rte_pktmbuf_free(m);
}

/* ---- pings through the IPv4 input ---------------------------------------- */

static void
check_reply(struct rte_mbuf *f, const char *from, uint16_t dlen)
{
	struct rte_ipv4_hdr *h;
	uint8_t *icmp;

	assert_non_null(f);
	h = ip_of(f);
	assert_int_equal(h->src_addr, a4(from));
	assert_int_equal(h->dst_addr, a4(SENDER));
	assert_int_equal(rte_be_to_cpu_16(h->total_length), 28 + dlen);
	icmp = (uint8_t *)(h + 1);
	assert_int_equal(icmp[0], 0);
	assert_int_equal(icmp[4], 0x12);
	assert_int_equal(icmp[7], 1);
	rte_pktmbuf_free(f);
}

static void
test_ping(void **state)
{
	(void)state;
	/* The address of the ifl the request came in on. */
	check_reply(exchange(echo_req(SENDER, "10.0.1.1", 56)), "10.0.1.1", 56);
	/* The address of another ifl. */
	check_reply(exchange(echo_req(SENDER, "10.0.2.1", 56)), "10.0.2.1", 56);
	/* lo0.0's address. */
	check_reply(exchange(echo_req(SENDER, "192.0.2.1", 8)), "192.0.2.1", 8);
	/* The limited broadcast: answered from the incoming ifl's address. */
	check_reply(exchange(echo_req(SENDER, "255.255.255.255", 8)), "10.0.1.1", 8);
}

static void
test_no_match_answers(void **state)
{
	struct rte_mbuf *m, *f;
	struct rte_tcp_hdr *t;
	uint8_t *p;

	(void)state;
	/* UDP to a closed port: port unreachable (type 3 code 3). */
	f = exchange(ip4pkt(SENDER, "10.0.1.1", IPPROTO_UDP, 16, 1, 0));
	assert_non_null(f);
	p = (uint8_t *)(ip_of(f) + 1);
	assert_int_equal(ip_of(f)->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(p[0], 3);
	assert_int_equal(p[1], 3);
	rte_pktmbuf_free(f);
	/* An unknown protocol: protocol unreachable (code 2). */
	f = exchange(ip4pkt(SENDER, "10.0.1.1", 253, 16, 2, 0));
	assert_non_null(f);
	p = (uint8_t *)(ip_of(f) + 1);
	assert_int_equal(p[0], 3);
	assert_int_equal(p[1], 2);
	rte_pktmbuf_free(f);
	/* TCP SYN to a closed port: RST,ACK with ACK = SEQ + 1. */
	m = ip4pkt(SENDER, "10.0.1.1", IPPROTO_TCP, 20, 3, 0);
	t = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 20);
	memset(t, 0, 20);
	t->src_port = htons(40000);
	t->dst_port = htons(80);
	t->sent_seq = htonl(1000);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_SYN_FLAG;
	f = exchange(m);
	assert_non_null(f);
	assert_int_equal(ip_of(f)->next_proto_id, IPPROTO_TCP);
	assert_int_equal(ip_of(f)->src_addr, a4("10.0.1.1"));
	t = (struct rte_tcp_hdr *)(ip_of(f) + 1);
	assert_int_equal(ntohs(t->src_port), 80);
	assert_int_equal(ntohs(t->dst_port), 40000);
	assert_int_equal(ntohl(t->recv_ack), 1001);
	assert_int_equal(t->sent_seq, 0);
	assert_int_equal(t->tcp_flags, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip_of(f), t), 0);
	rte_pktmbuf_free(f);
	/* A RST is never answered. */
	m = ip4pkt(SENDER, "10.0.1.1", IPPROTO_TCP, 20, 4, 0);
	t = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 20);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_RST_FLAG;
	assert_null(exchange(m));
	/* Broadcast: no answer. */
	assert_null(exchange(ip4pkt(SENDER, "255.255.255.255", IPPROTO_UDP, 16, 5, 0)));
	/* ICMP nobody waits for (an echo reply): no answer. */
	m = echo_req(SENDER, "10.0.1.1", 8);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 20)[0] = 0;
	icmp4_fix(m);
	assert_null(exchange(m));
}

static unsigned taken;

static void
take_handler(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	(void)c, (void)state;
	taken += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
test_consumer(void **state)
{
	struct l3demux_key k = {
		.family = 4, .proto = IPPROTO_UDP, .dst_len = 32, .tp_mask = { 0, 0, 0xff, 0xff }
	};
	struct rte_mbuf *m;
	uint8_t *u;

	(void)state;
	memcpy(k.dst, &(uint32_t){ a4("10.0.1.1") }, 4);
	/* The pattern puts bytes 2-3 of the UDP header at 20+2, 20+3. */
	k.tp[2] = (uint8_t)(22 * 7 + 3), k.tp[3] = (uint8_t)(23 * 7 + 3);
	config_lock();
	assert_int_equal(l3demux_add(0, &k, take_handler, NULL, "test", NULL), 0);
	config_unlock();
	taken = 0;
	assert_null(exchange(ip4pkt(SENDER, "10.0.1.1", IPPROTO_UDP, 16, 6, 0)));
	assert_int_equal(taken, 1);
	/* Another port still gets port unreachable. */
	m = ip4pkt(SENDER, "10.0.1.1", IPPROTO_UDP, 16, 7, 0);
	u = rte_pktmbuf_mtod_offset(m, uint8_t *, 20);
	u[3] ^= 0xff;
	m = exchange(m);
	assert_non_null(m);
	rte_pktmbuf_free(m);
	assert_int_equal(taken, 1);
	config_lock();
	assert_int_equal(l3demux_del(0, &k), 0);
	config_unlock();
}

/* Deleting an ifl deletes its early demux bindings (its index may come back). */
static void
test_early_flushed_with_ifl(void **state)
{
	struct l3demux_key dhcp = { .family = 4,
				    .proto = IPPROTO_UDP,
				    .tp = { 0, 67, 0, 68 },
				    .tp_mask = { 0xff, 0xff, 0xff, 0xff } };
	struct ifl_spec ls = { .name = "lo0.7" };
	struct ifl_priv *l;

	(void)state;
	config_lock();
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(early_demux_add(l->ifl_index, &dhcp, take_handler, NULL, "dhcp", NULL), 0);
	assert_int_equal(l3demux_count(true), 1);
	ifl_del(l);
	assert_int_equal(l3demux_count(true), 0);
	assert_null(early_demux_root);
	config_unlock();
}

/* A 3000-byte ping in three fragments, sent out of order. */
static void
test_fragmented_ping(void **state)
{
	static uint8_t w[3020], buf[3020];
	static const uint16_t offs[3] = { 1480, 0, 2960 }, lens[3] = { 1480, 1480, 40 };
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)w;
	struct rte_mbuf *f = NULL, *out[4];
	struct reasm_stats st0, st1;
	uint16_t ck;

	(void)state;
	/* The whole request: IPv4 header, ICMP echo header, 2992 data bytes. */
	for (unsigned i = 0; i < sizeof(w); i++)
		w[i] = (uint8_t)(i * 13 + 1);
	memset(h, 0, 20);
	h->version_ihl = 0x45;
	h->total_length = htons(3020);
	w[20] = 8, w[21] = 0, w[22] = w[23] = 0;
	w[24] = 0x12, w[25] = 0x34, w[26] = 0, w[27] = 1;
	ck = (uint16_t)~rte_raw_cksum(w + 20, 3000);
	memcpy(w + 22, &ck, 2);
	reasm_stats_get(&st0);
	for (unsigned i = 0; i < 3; i++) {
		struct rte_mbuf *m = ip4pkt(SENDER, "10.0.1.1", IPPROTO_ICMP, lens[i], 0x4242,
					    (uint16_t)(offs[i] / 8 |
						       (i != 2 ? RTE_IPV4_HDR_MF_FLAG : 0)));

		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, 20), w + 20 + offs[i], lens[i]);
		input1(m);
	}
	local_drain();
	tx_flush(ctx);
	assert_int_equal(sent(0, out, 4), 1);
	f = out[0];
	reasm_stats_get(&st1);
	assert_int_equal(st1.reassembled, st0.reassembled + 1);
	assert_int_equal(st1.dgrams, 0);
	assert_int_equal(rte_pktmbuf_pkt_len(f), 14 + 3020);
	/* The reply carries the request's identifier, sequence and data. */
	rte_pktmbuf_adj(f, 14);
	memcpy(buf, rte_pktmbuf_read(f, 0, 3020, buf), 3020);
	assert_int_equal(buf[20], 0);
	assert_memory_equal(buf + 24, w + 24, 3020 - 24);
	assert_int_equal(rte_raw_cksum_mbuf(f, 20, 3000, &ck), 0);
	assert_int_equal(ck, 0xffff);
	rte_pktmbuf_free(f);
}

/* ---- reassembly directly ------------------------------------------------- */

static struct rte_mbuf *
frag4(uint16_t inst, uint16_t id, uint16_t off, uint16_t len, bool mf, uint8_t proto)
{
	struct rte_mbuf *m = ip4pkt("10.9.0.1", "10.0.1.1", proto, len, id,
				    (uint16_t)(off / 8 | (mf ? RTE_IPV4_HDR_MF_FLAG : 0)));

	pkt_meta(m)->rt_inst = inst;
	return m;
}

static struct rte_mbuf *
frag6(uint16_t inst, uint32_t id, uint16_t off, uint16_t len, bool mf)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t p[48 + 256];

	assert_non_null(m);
	assert_true(len <= 256);
	memset(p, 0x5a, sizeof(p));
	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)((8 + len) >> 8), p[5] = (uint8_t)(8 + len);
	p[6] = 44;
	p[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::9", p + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", p + 24), 1);
	p[40] = IPPROTO_UDP;
	p[42] = (uint8_t)(off >> 8), p[43] = (uint8_t)((off & 0xf8) | (mf ? 1 : 0));
	p[44] = (uint8_t)(id >> 24), p[45] = (uint8_t)(id >> 16), p[46] = (uint8_t)(id >> 8),
	p[47] = (uint8_t)id;
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)(48 + len)));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), p, 48u + len);
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->rt_inst = inst;
	return m;
}

static void
test_reasm_orders(void **state)
{
	struct rte_mbuf *r;
	struct reasm_stats st;
	uint8_t b[48];
	const uint8_t *p;

	(void)state;
	reasm_flush();
	/* In order. */
	assert_null(reasm_input(frag4(0, 10, 0, 64, true, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 10, 64, 64, true, IPPROTO_UDP), 1000));
	r = reasm_input(frag4(0, 10, 128, 10, false, IPPROTO_UDP), 1000);
	assert_non_null(r);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 20 + 138);
	assert_int_equal(rte_be_to_cpu_16(rte_pktmbuf_mtod(r, struct rte_ipv4_hdr *)->total_length),
			 158);
	assert_int_equal(rte_pktmbuf_mtod(r, struct rte_ipv4_hdr *)->fragment_offset, 0);
	assert_int_equal(rte_raw_cksum(rte_pktmbuf_mtod(r, void *), 20), 0xffff);
	assert_false(ip_is_fragment(r, 4));
	rte_pktmbuf_free(r);
	/* Out of order. */
	assert_null(reasm_input(frag4(0, 11, 128, 10, false, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 11, 0, 64, true, IPPROTO_UDP), 1000));
	r = reasm_input(frag4(0, 11, 64, 64, true, IPPROTO_UDP), 1000);
	assert_non_null(r);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 158);
	rte_pktmbuf_free(r);
	/* IPv6, the fragment header taken out. */
	assert_null(reasm_input(frag6(0, 77, 64, 30, false), 1000));
	r = reasm_input(frag6(0, 77, 0, 64, true), 1000);
	assert_non_null(r);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 40 + 94);
	p = rte_pktmbuf_read(r, 0, 48, b);
	assert_int_equal(p[6], IPPROTO_UDP);
	assert_int_equal(p[4] << 8 | p[5], 94);
	assert_false(ip_is_fragment(r, 6));
	rte_pktmbuf_free(r);
	/* An atomic fragment (RFC 6946) is a datagram of its own. */
	r = reasm_input(frag6(0, 78, 0, 16, false), 1000);
	assert_non_null(r);
	assert_int_equal(rte_pktmbuf_pkt_len(r), 56);
	rte_pktmbuf_free(r);
	reasm_stats_get(&st);
	assert_int_equal(st.dgrams, 0);
	assert_int_equal(st.mem, 0);
}

static void
test_reasm_attacks(void **state)
{
	struct reasm_stats a, b;

	(void)state;
	reasm_flush();
	reasm_stats_get(&a);
	/* RFC 5722: an overlap drops the whole datagram, and what follows. */
	assert_null(reasm_input(frag6(0, 5, 0, 64, true), 1000));
	assert_null(reasm_input(frag6(0, 5, 56, 16, true), 1000));
	assert_null(reasm_input(frag6(0, 5, 64, 8, false), 1000));
	/* IPv4 the same. */
	assert_null(reasm_input(frag4(0, 5, 0, 64, true, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 5, 32, 64, true, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 5, 64, 8, false, IPPROTO_UDP), 1000));
	reasm_stats_get(&b);
	assert_int_equal(b.overlaps, a.overlaps + 2);
	assert_int_equal(b.dead_frags, a.dead_frags + 2);
	assert_int_equal(b.mem, 0);
	/* An exact duplicate only drops itself. */
	assert_null(reasm_input(frag4(0, 6, 0, 64, true, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 6, 0, 64, true, IPPROTO_UDP), 1000));
	{
		struct rte_mbuf *r = reasm_input(frag4(0, 6, 64, 8, false, IPPROTO_UDP), 1000);

		assert_non_null(r);
		rte_pktmbuf_free(r);
	}
	/* RFC 1858: TCP at offset 8; a TCP first fragment under 20 bytes;
	 * a first fragment with fewer than 8 transport bytes. */
	assert_null(reasm_input(frag4(0, 7, 8, 64, true, IPPROTO_TCP), 1000));
	assert_null(reasm_input(frag4(0, 8, 0, 16, true, IPPROTO_TCP), 1000));
	assert_null(reasm_input(frag4(0, 8, 0, 4, true, IPPROTO_UDP), 1000));
	reasm_stats_get(&b);
	assert_int_equal(b.tiny, a.tiny + 3);
	/* Lengths that do not add up: a non-last fragment not a multiple of 8,
	 * a datagram beyond 65535 bytes. */
	assert_null(reasm_input(frag4(0, 9, 0, 60, true, IPPROTO_UDP), 1000));
	assert_null(reasm_input(frag4(0, 9, 65528, 64, false, IPPROTO_UDP), 1000));
	reasm_stats_get(&b);
	assert_int_equal(b.malformed, a.malformed + 2);
	reasm_flush();
}

static void
test_reasm_timeout_and_memory(void **state)
{
	struct reasm_limits lim, saved;
	struct reasm_stats a, b;
	struct rte_mbuf *r;

	(void)state;
	reasm_flush();
	reasm_limits_get(&saved);
	reasm_stats_get(&a);
	/* Never completes: dropped at its timeout, not before. */
	assert_null(reasm_input(frag4(0, 20, 0, 64, true, IPPROTO_UDP), 1000));
	assert_int_equal(reasm_expire(1000 + saved.timeout4_ms - 1), 0);
	assert_int_equal(reasm_expire(1000 + saved.timeout4_ms), 1);
	reasm_stats_get(&b);
	assert_int_equal(b.timeouts, a.timeouts + 1);
	assert_int_equal(b.dgrams, 0);
	/* A late fragment starts afresh. */
	assert_null(reasm_input(frag4(0, 20, 64, 8, false, IPPROTO_UDP), 50000));
	reasm_flush();

	/* Memory: a flood of heads stays within the limit, the oldest go
	 * first, and a quick legitimate datagram still completes. */
	lim = (struct reasm_limits){ .mem_max = 40 * (RTE_MBUF_DEFAULT_BUF_SIZE + 128) };
	assert_int_equal(reasm_config(&lim), 0);
	for (uint16_t i = 0; i < 200; i++) {
		struct reasm_stats s;

		assert_null(reasm_input(frag4(0, (uint16_t)(1000 + i), 0, 64, true, IPPROTO_UDP),
					2000));
		reasm_stats_get(&s);
		assert_true(s.mem <= lim.mem_max);
	}
	reasm_stats_get(&b);
	assert_true(b.dgrams <= 40);
	assert_true(b.dgrams >= 30);
	assert_null(reasm_input(frag4(0, 3000, 0, 64, true, IPPROTO_UDP), 2000));
	r = reasm_input(frag4(0, 3000, 64, 8, false, IPPROTO_UDP), 2000);
	assert_non_null(r);
	rte_pktmbuf_free(r);
	/* The datagram limit too. */
	lim = (struct reasm_limits){ .dgrams_max = 5 };
	assert_int_equal(reasm_config(&lim), 0);
	assert_null(reasm_input(frag4(0, 3001, 0, 64, true, IPPROTO_UDP), 2000));
	reasm_stats_get(&b);
	assert_true(b.dgrams <= 5);
	lim = saved;
	assert_int_equal(reasm_config(&lim), 0);
	lim.dgrams_max = REASM_DGRAMS_CAP + 1;
	assert_int_equal(reasm_config(&lim), -EINVAL);
	reasm_flush();
}

static void
test_reasm_instances(void **state)
{
	struct rte_mbuf *r;
	const uint8_t *p;
	uint8_t b[30];

	(void)state;
	reasm_flush();
	/* The same addresses, id and protocol in instances 1 and 2: two
	 * datagrams; each completes with its own data. */
	r = frag4(1, 55, 0, 8, true, IPPROTO_UDP);
	memset(rte_pktmbuf_mtod_offset(r, uint8_t *, 20), 0x11, 8);
	assert_null(reasm_input(r, 1000));
	r = frag4(2, 55, 0, 8, true, IPPROTO_UDP);
	memset(rte_pktmbuf_mtod_offset(r, uint8_t *, 20), 0x22, 8);
	assert_null(reasm_input(r, 1000));
	r = reasm_input(frag4(2, 55, 8, 8, false, IPPROTO_UDP), 1000);
	assert_non_null(r);
	assert_int_equal(pkt_meta(r)->rt_inst, 2);
	p = rte_pktmbuf_read(r, 0, 28, b);
	assert_int_equal(p[20], 0x22);
	rte_pktmbuf_free(r);
	r = reasm_input(frag4(1, 55, 8, 8, false, IPPROTO_UDP), 1000);
	assert_non_null(r);
	assert_int_equal(pkt_meta(r)->rt_inst, 1);
	p = rte_pktmbuf_read(r, 0, 28, b);
	assert_int_equal(p[20], 0x11);
	rte_pktmbuf_free(r);
}

/* ---- IPv6 through the IPv6 input ----------------------------------------- */

#define SENDER6 "2001:db8:1::2"
#define OURS6 "2001:db8:1::1"

/* An IPv6 packet from SENDER6 to @dst: @nh_proto, @plen payload bytes @pl. */
static struct rte_mbuf *
ip6pkt(const char *dst, uint8_t nh_proto, const uint8_t *pl, uint16_t plen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t b[40 + 1500];

	assert_non_null(m);
	assert_true(plen <= 1500);
	memset(b, 0, 40);
	b[0] = 0x60;
	b[4] = (uint8_t)(plen >> 8), b[5] = (uint8_t)plen;
	b[6] = nh_proto;
	b[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, SENDER6, b + 8), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, b + 24), 1);
	memcpy(b + 40, pl, plen);
	assert_non_null(rte_pktmbuf_append(m, (uint16_t)(40 + plen)));
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), b, 40u + plen);
	pkt_meta_rx_init(m, 1);
	pkt_meta(m)->ifl_index = ifl0;
	m->port = 0;
	return m;
}

static struct rte_mbuf *
exchange6(struct rte_mbuf *m)
{
	struct rte_mbuf *out[8];
	uint16_t n;

	ip6_input(ctx, 0, &m, 1, NULL);
	tx_flush(ctx);
	ip_error_drain();
	local_drain();
	tx_flush(ctx);
	n = sent(0, out, 8);
	assert_true(n <= 1);
	return n == 1 ? out[0] : NULL;
}

static void
test_ip6_local(void **state)
{
	uint8_t req[40 + 8 + 1400], pl[8 + 1400], fr[8 + 1400], b[64], ours[16];
	struct rte_mbuf *f;
	const uint8_t *p;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, OURS6, ours), 1);
	/* An echo request, checksum from the full packet. */
	memset(req, 0, sizeof(req));
	req[0] = 0x60;
	req[4] = (uint8_t)((8 + 1400) >> 8), req[5] = (uint8_t)(8 + 1400);
	req[6] = IPPROTO_ICMPV6;
	req[7] = 64;
	assert_int_equal(inet_pton(AF_INET6, SENDER6, req + 8), 1);
	memcpy(req + 24, ours, 16);
	req[40] = ICMP6_ECHO_REQUEST;
	req[44] = 0x77, req[47] = 3;
	for (unsigned i = 48; i < sizeof(req); i++)
		req[i] = (uint8_t)(i * 5);
	icmp6_cksum_set(req);
	memcpy(pl, req + 40, sizeof(pl));

	/* A whole one (56 data bytes). */
	{
		uint8_t small[40 + 64];

		memcpy(small, req, sizeof(small));
		small[4] = 0, small[5] = 64;
		small[42] = small[43] = 0;
		icmp6_cksum_set(small);
		f = exchange6(ip6pkt(OURS6, IPPROTO_ICMPV6, small + 40, 64));
	}
	assert_non_null(f);
	p = rte_pktmbuf_read(f, 14, 48, b);
	assert_int_equal(p[6], IPPROTO_ICMPV6);
	assert_int_equal(p[40], ICMP6_ECHO_REPLY);
	assert_memory_equal(p + 8, ours, 16);
	rte_pktmbuf_free(f);

	/* UDP to a closed port: ICMPv6 destination unreachable, port (1/4). */
	{
		static const uint8_t udp[16] = { 0x9c, 0x40, 0x82, 0x35, 0, 16 };

		f = exchange6(ip6pkt(OURS6, IPPROTO_UDP, udp, sizeof(udp)));
	}
	assert_non_null(f);
	p = rte_pktmbuf_read(f, 14, 48, b);
	assert_int_equal(p[6], IPPROTO_ICMPV6);
	assert_int_equal(p[40], ICMP6_DST_UNREACH);
	assert_int_equal(p[41], 4);
	rte_pktmbuf_free(f);

	/* The 1408-byte request in two fragments, last first: reassembled,
	 * answered with the whole reply. */
	memset(fr, 0, 8);
	fr[0] = IPPROTO_ICMPV6;
	fr[2] = (uint8_t)(704 >> 8), fr[3] = (uint8_t)(704 & 0xf8);
	fr[7] = 0x42;
	memcpy(fr + 8, pl + 704, 704);
	assert_null(exchange6(ip6pkt(OURS6, 44, fr, 8 + 704)));
	fr[2] = 0, fr[3] = 1; /* offset 0, M */
	memcpy(fr + 8, pl, 704);
	f = exchange6(ip6pkt(OURS6, 44, fr, 8 + 704));
	assert_non_null(f);
	assert_int_equal(rte_pktmbuf_pkt_len(f), 14 + 40 + 1408);
	p = rte_pktmbuf_read(f, 14, 48, b);
	assert_int_equal(p[6], IPPROTO_ICMPV6);
	assert_int_equal(p[40], ICMP6_ECHO_REPLY);
	assert_int_equal(p[44], 0x77);
	rte_pktmbuf_free(f);
}

/* ---- set-up -------------------------------------------------------------- */

static void
port_up(uint16_t p)
{
	test_port_up(p, pool, 256);
}

static void
addr_add(struct ifl_priv *l, const char *addr, uint8_t len)
{
	struct ifa_spec a = { .has_local = true, .has_dest = len < 32, .dest_len = len };

	assert_int_equal(inet_pton(AF_INET, addr, a.local), 1);
	memcpy(a.dest, a.local, 4);
	assert_int_equal(ifa_add(l->iff[IFF_INET], &a, NULL, &E), 0);
}

static uint32_t
ifl_setup(const char *ifd, uint16_t port, const char *ifl, const char *addr)
{
	struct ifd_spec ds = { .name = ifd, .has_port = true, .port = port };
	struct ifl_spec ls = { .name = ifl };
	struct iff_spec is = { .family = IFF_INET };
	struct ifl_priv *l;

	assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &is, NULL, &E), 0);
	addr_add(l, addr, 24);
	return l->ifl_index;
}

static void
sender_route(void)
{
	struct nh_spec s = { .family = 4,
			     .type = RNH_UNICAST,
			     .ifl_index = ifl0,
			     .port = 0,
			     .mtu = 9000,
			     .l2_len = RTE_ETHER_HDR_LEN };
	struct route_spec r = { .key = { .family = 4, .dst_len = 32 }, .type = RTT_USER };
	const char *why = NULL;

	assert_int_equal(inet_pton(AF_INET, SENDER, s.addr), 1);
	memcpy(s.l2, mac_snd, 6);
	memcpy(s.l2 + 6, nsdp_ports[0].mac.addr_bytes, 6);
	s.l2[12] = 0x08, s.l2[13] = 0x00;
	r.nh = nh_get(&s);
	assert_non_null(r.nh);
	assert_int_equal(inet_pton(AF_INET, SENDER, r.key.dst), 1);
	assert_int_equal(route_add(rt_tables[0][0], &r, &why), 0);
	nh_put(r.nh);
}

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_ring0", "net_ring1", NULL };
	struct iff_spec is = { .family = IFF_INET };
	struct ifl_priv *lo;

	(void)state;
	test_eal_init("0", vdevs);
	assert_int_equal(pkt_meta_register(), 0);
	pool = rte_pktmbuf_pool_create("test_local", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
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
	config_lock();
	assert_int_equal(ip_init(sched, NULL), 0);
	assert_int_equal(local_init(sched, NULL), 0);
	assert_int_equal(local_init(sched, NULL), -EEXIST);
	config_unlock();
	ctx = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*ctx), RTE_CACHE_LINE_SIZE));
	assert_non_null(ctx);
	memset(ctx, 0, sizeof(*ctx));
	ctx->lcore_id = rte_lcore_id();
	nsdp_lcores[rte_lcore_id()] = ctx;

	ifl0 = ifl_setup("ring0", 0, "ring0.0", "10.0.1.1");
	ifl1 = ifl_setup("ring1", 1, "ring1.0", "10.0.2.1");
	lo = ifl_find("lo0.0");
	assert_non_null(lo);
	if (lo->iff[IFF_INET] == NULL)
		assert_int_equal(iff_add(lo, &is, NULL, &E), 0);
	addr_add(lo, "192.0.2.1", 32);
	sender_route();
	{
		struct iff_spec i6 = { .family = IFF_INET6 };
		struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 64 };
		struct nh_spec s = { .family = 6,
				     .type = RNH_UNICAST,
				     .ifl_index = ifl0,
				     .port = 0,
				     .mtu = 9000,
				     .l2_len = RTE_ETHER_HDR_LEN };
		struct route_spec r = { .key = { .family = 6, .dst_len = 128 }, .type = RTT_USER };
		struct ifl_priv *l0 = ifl_find("ring0.0");
		const char *why = NULL;

		assert_non_null(l0);
		assert_int_equal(iff_add(l0, &i6, NULL, &E), 0);
		assert_int_equal(inet_pton(AF_INET6, OURS6, a.local), 1);
		memcpy(a.dest, a.local, 16);
		memset(a.dest + 8, 0, 8);
		assert_int_equal(ifa_add(l0->iff[IFF_INET6], &a, NULL, &E), 0);
		assert_int_equal(inet_pton(AF_INET6, SENDER6, s.addr), 1);
		memcpy(s.l2, mac_snd, 6);
		memcpy(s.l2 + 6, nsdp_ports[0].mac.addr_bytes, 6);
		s.l2[12] = 0x86, s.l2[13] = 0xdd;
		r.nh = nh_get(&s);
		assert_non_null(r.nh);
		memcpy(r.key.dst, s.addr, 16);
		assert_int_equal(route_add(rt_tables[0][1], &r, &why), 0);
		nh_put(r.nh);
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	local_fini();
	assert_int_equal(l3demux_count(false), 0);
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
		cmocka_unit_test(test_echo4_bytes),
		cmocka_unit_test(test_echo6_bytes),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_no_match_answers),
		cmocka_unit_test(test_consumer),
		cmocka_unit_test(test_early_flushed_with_ifl),
		cmocka_unit_test(test_fragmented_ping),
		cmocka_unit_test(test_ip6_local),
		cmocka_unit_test(test_reasm_orders),
		cmocka_unit_test(test_reasm_attacks),
		cmocka_unit_test(test_reasm_timeout_and_memory),
		cmocka_unit_test(test_reasm_instances),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
