/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_l3demux.c: the L3 protocol demux and the early demux (l3demux.c):
 * key extraction over real mbufs (IPv4, IPv6 with extension headers,
 * segmented), the best-match rules among overlapping wildcard entries,
 * instance separation and the every-instance entries, duplicates and
 * deletes, dispatch with per-entry counters, the early demux, and a
 * torture of adds and deletes under concurrent urcu-qsbr readers.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/l3demux.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/route.h"
#include "test_eal.h"

static struct rte_mempool *pool;

/* ---- helpers ------------------------------------------------------------- */

static void
a4(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void
a6(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* An IPv4 packet @proto from @src to @dst whose transport header starts
 * with @tp (4 bytes), @plen transport bytes in all. */
static struct rte_mbuf *
pkt4(const char *src, const char *dst, uint8_t proto, const uint8_t tp[4], uint16_t plen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ipv4_hdr *h;
	uint8_t *p;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, 20 + plen);
	assert_non_null(p);
	memset(p, 0, 20 + plen);
	h = (struct rte_ipv4_hdr *)p;
	h->version_ihl = 0x45;
	h->total_length = htons(20 + plen);
	h->time_to_live = 64;
	h->next_proto_id = proto;
	a4(src, (uint8_t *)&h->src_addr);
	a4(dst, (uint8_t *)&h->dst_addr);
	h->hdr_checksum = rte_ipv4_cksum(h);
	memcpy(p + 20, tp, plen < 4 ? plen : 4);
	pkt_meta_rx_init(m, 1);
	return m;
}

/* UDP-like 4 bytes: source port, destination port. */
static const uint8_t *
ports(uint16_t sp, uint16_t dp)
{
	static uint8_t b[4];

	b[0] = (uint8_t)(sp >> 8), b[1] = (uint8_t)sp, b[2] = (uint8_t)(dp >> 8),
	b[3] = (uint8_t)dp;
	return b;
}

static struct l3demux_key
key4(const char *dst, uint8_t dl, const char *src, uint8_t sl, uint8_t proto, const uint8_t tp[4],
     const uint8_t mask[4])
{
	struct l3demux_key k = { .family = 4, .proto = proto, .dst_len = dl, .src_len = sl };

	if (dst != NULL)
		a4(dst, k.dst);
	if (src != NULL)
		a4(src, k.src);
	if (tp != NULL)
		memcpy(k.tp, tp, 4);
	if (mask != NULL)
		memcpy(k.tp_mask, mask, 4);
	return k;
}

static const uint8_t M_NONE[4] = { 0, 0, 0, 0 };
static const uint8_t M_DPORT[4] = { 0, 0, 0xff, 0xff };
static const uint8_t M_SPORT[4] = { 0xff, 0xff, 0, 0 };
static const uint8_t M_BOTH[4] = { 0xff, 0xff, 0xff, 0xff };

/* Handlers record which entry took a packet and free it. */
static char last_owner[32];
static unsigned handled;

static void
rec_handler(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	(void)c;
	snprintf(last_owner, sizeof(last_owner), "%s", (const char *)state);
	handled += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

/* The owner of the best entry for a packet, "" if none. */
static const char *
best(uint16_t inst, struct rte_mbuf *m)
{
	struct rte_mbuf *miss[1];
	uint16_t n_miss;

	pkt_meta(m)->rt_inst = inst;
	last_owner[0] = 0;
	n_miss = l3demux_dispatch(NULL, &m, 1, miss);
	if (n_miss == 1) {
		rte_pktmbuf_free(miss[0]);
		return "";
	}
	return last_owner;
}

static int
count_cb(const struct l3demux_info *i, void *arg)
{
	(void)i;
	(*(unsigned *)arg)++;
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_extract(void **state)
{
	struct l3demux_pkey pk;
	struct rte_mbuf *m, *m2;
	uint8_t *p;
	uint8_t exp[16], b6[72];

	(void)state;
	m = pkt4("10.0.0.1", "10.0.0.2", IPPROTO_UDP, ports(1234, 53), 8);
	assert_int_equal(l3demux_extract(m, 4, &pk), 0);
	assert_int_equal(pk.proto, IPPROTO_UDP);
	assert_int_equal(pk.l4_off, 20);
	assert_int_equal(pk.tp_len, 4);
	assert_memory_equal(&pk.tp, ports(1234, 53), 4);
	a4("10.0.0.2", exp);
	assert_memory_equal(pk.dst, exp, 4);
	/* A fragment has no transport header to read. */
	rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);
	assert_int_equal(l3demux_extract(m, 4, &pk), -EINVAL);
	rte_pktmbuf_free(m);

	/* Two transport bytes only. */
	m = pkt4("10.0.0.1", "10.0.0.2", 200, ports(0xabcd, 0), 2);
	assert_int_equal(l3demux_extract(m, 4, &pk), 0);
	assert_int_equal(pk.tp_len, 2);
	rte_pktmbuf_free(m);

	/* IPv6: hop-by-hop (8 bytes), destination options (16 bytes), UDP. */
	memset(b6, 0, sizeof(b6));
	p = b6;
	p[0] = 0x60;
	p[5] = 32;
	p[6] = 0; /* hop-by-hop */
	p[7] = 64;
	a6("2001:db8::1", p + 8);
	a6("2001:db8::2", p + 24);
	p[40] = 60, p[41] = 0; /* -> dest opts, 8 bytes */
	p[48] = 17, p[49] = 1; /* -> UDP, 16 bytes */
	memcpy(p + 64, ports(546, 547), 4);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, sizeof(b6)));
	rte_memcpy(rte_pktmbuf_mtod(m, uint8_t *), b6, sizeof(b6));
	assert_int_equal(l3demux_extract(m, 6, &pk), 0);
	assert_int_equal(pk.proto, 17);
	assert_int_equal(pk.l4_off, 64);
	assert_memory_equal(&pk.tp, ports(546, 547), 4);
	/* Split after the IPv6 header: the extraction reads across segments. */
	m2 = rte_pktmbuf_alloc(pool);
	memcpy(rte_pktmbuf_append(m2, 32), p + 40, 32);
	rte_pktmbuf_trim(m, 32);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	assert_int_equal(l3demux_extract(m, 6, &pk), 0);
	assert_int_equal(pk.l4_off, 64);
	assert_memory_equal(&pk.tp, ports(546, 547), 4);
	/* A fragment header stops it (fragments are reassembled first). */
	rte_pktmbuf_mtod(m, uint8_t *)[6] = 44;
	assert_int_equal(l3demux_extract(m, 6, &pk), -EINVAL);
	rte_pktmbuf_free(m);
}

static void
test_best_match(void **state)
{
	struct l3demux_key k[8];
	struct rte_mbuf *m;
	unsigned n = 0;

	(void)state;
	/* Overlapping UDP entries in instance 3, from least to most specific. */
	k[0] = key4(NULL, 0, NULL, 0, IPPROTO_UDP, NULL, M_NONE);                 /* all UDP */
	k[1] = key4(NULL, 0, NULL, 0, IPPROTO_UDP, ports(0, 53), M_DPORT);        /* *:53 */
	k[2] = key4("10.1.0.0", 16, NULL, 0, IPPROTO_UDP, NULL, M_NONE);          /* 10.1/16 */
	k[3] = key4("10.1.2.3", 32, NULL, 0, IPPROTO_UDP, ports(0, 53), M_DPORT); /* 10.1.2.3:53 */
	k[4] = key4("10.1.2.3", 32, "192.0.2.0", 24, IPPROTO_UDP, NULL,
		    M_NONE); /* from 192.0.2/24 */
	k[5] = key4("10.1.2.3", 32, "192.0.2.7", 32, IPPROTO_UDP, ports(7777, 53), M_BOTH);
	k[6] = key4(NULL, 0, NULL, 0, IPPROTO_UDP, ports(9, 0), M_SPORT); /* sport 9 */
	k[7] = key4(NULL, 0, NULL, 0, IPPROTO_UDP, ports(0, 9), M_DPORT); /* dport 9 */
	static const char *names[8] = {
		"all", "d53", "net", "host53", "src24", "exact", "s9", "d9"
	};
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(l3demux_add(3, &k[i], rec_handler, (void *)names[i], names[i],
					     NULL),
				 0);
	l3demux_walk(false, 3, count_cb, &n);
	assert_int_equal(n, 8);

	/* Rule 2, longer destination prefix wins over transport bits. */
	m = pkt4("192.0.2.7", "10.1.9.9", IPPROTO_UDP, ports(1, 53), 8);
	assert_string_equal(best(3, m), "net");
	/* The exact 5-tuple. */
	m = pkt4("192.0.2.7", "10.1.2.3", IPPROTO_UDP, ports(7777, 53), 8);
	assert_string_equal(best(3, m), "exact");
	/* Rule 3: same dst /32, the source prefix beats the port. */
	m = pkt4("192.0.2.8", "10.1.2.3", IPPROTO_UDP, ports(7777, 53), 8);
	assert_string_equal(best(3, m), "src24");
	/* Source outside 192.0.2/24: the port entry of that host. */
	m = pkt4("198.51.100.1", "10.1.2.3", IPPROTO_UDP, ports(7777, 53), 8);
	assert_string_equal(best(3, m), "host53");
	/* Other destination, port 53. */
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(1, 53), 8);
	assert_string_equal(best(3, m), "d53");
	/* Rule 5: equal bit counts, the mask of the earlier bytes wins. */
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(9, 9), 8);
	assert_string_equal(best(3, m), "s9");
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(8, 9), 8);
	assert_string_equal(best(3, m), "d9");
	/* Nothing specific: the catch-all. */
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(1, 2), 8);
	assert_string_equal(best(3, m), "all");
	/* A packet too short for the transport bytes only matches entries
	 * without a transport mask. */
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(0, 0), 1);
	assert_string_equal(best(3, m), "all");
	/* Another protocol, another instance: nothing. */
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_TCP, ports(1, 53), 20);
	assert_string_equal(best(3, m), "");
	m = pkt4("192.0.2.7", "10.1.2.3", IPPROTO_UDP, ports(7777, 53), 8);
	assert_string_equal(best(4, m), "");

	/* Delete the catch-all: the unmatched packet now misses. */
	assert_int_equal(l3demux_del(3, &k[0]), 0);
	assert_int_equal(l3demux_del(3, &k[0]), -ENOENT);
	m = pkt4("198.51.100.1", "10.9.9.9", IPPROTO_UDP, ports(1, 2), 8);
	assert_string_equal(best(3, m), "");
	for (unsigned i = 1; i < 8; i++)
		assert_int_equal(l3demux_del(3, &k[i]), 0);
	assert_int_equal(l3demux_count(false), 0);
}

static void
test_duplicates_and_instances(void **state)
{
	struct l3demux_key k = key4("10.0.0.0", 8, NULL, 0, IPPROTO_UDP, ports(0, 7), M_DPORT);
	struct l3demux_key k2 = k, bad = k;
	struct rte_mbuf *m;
	uint32_t id;

	(void)state;
	assert_int_equal(l3demux_add(1, &k, rec_handler, (void *)"inst1", "inst1", &id), 0);
	/* Bits beyond the prefix and the mask do not make another entry. */
	k2.dst[3] = 99;
	k2.tp[0] = 0x55;
	assert_int_equal(l3demux_add(1, &k2, rec_handler, (void *)"dup", "dup", NULL), -EEXIST);
	/* Same key in another instance and for every instance: fine. */
	assert_int_equal(l3demux_add(2, &k, rec_handler, (void *)"inst2", "inst2", NULL), 0);
	assert_int_equal(l3demux_add(L3DEMUX_INST_ANY, &k, rec_handler, (void *)"any", "any", NULL),
			 0);
	bad.dst_len = 33;
	assert_int_equal(l3demux_add(1, &bad, rec_handler, NULL, "x", NULL), -EINVAL);
	bad = k;
	bad.family = 5;
	assert_int_equal(l3demux_add(1, &bad, rec_handler, NULL, "x", NULL), -EINVAL);
	assert_int_equal(l3demux_add(1, &k, NULL, NULL, "x", NULL), -EINVAL);
	assert_int_equal(l3demux_add(RT_INST_MAX, &k, rec_handler, NULL, "x", NULL), -EINVAL);

	/* Rule 1: the instance's entry beats the every-instance one, which
	 * serves the instances that have none. */
	m = pkt4("1.2.3.4", "10.5.5.5", IPPROTO_UDP, ports(1, 7), 8);
	assert_string_equal(best(1, m), "inst1");
	m = pkt4("1.2.3.4", "10.5.5.5", IPPROTO_UDP, ports(1, 7), 8);
	assert_string_equal(best(2, m), "inst2");
	m = pkt4("1.2.3.4", "10.5.5.5", IPPROTO_UDP, ports(1, 7), 8);
	assert_string_equal(best(7, m), "any");

	assert_int_equal(l3demux_del_id(id), 0);
	assert_int_equal(l3demux_del_id(id), -ENOENT);
	m = pkt4("1.2.3.4", "10.5.5.5", IPPROTO_UDP, ports(1, 7), 8);
	assert_string_equal(best(1, m), "any");
	assert_int_equal(l3demux_del(2, &k), 0);
	assert_int_equal(l3demux_del(L3DEMUX_INST_ANY, &k), 0);
	assert_int_equal(l3demux_count(false), 0);
}

struct match_sum {
	uint32_t id;
	uint64_t matches;
};

static int
find_cb(const struct l3demux_info *i, void *arg)
{
	struct match_sum *s = arg;

	if (i->id == s->id)
		s->matches = i->matches;
	return 0;
}

static void
test_dispatch_counters(void **state)
{
	struct l3demux_key k = key4(NULL, 0, NULL, 0, IPPROTO_UDP, ports(0, 53), M_DPORT);
	struct rte_mbuf *pkts[40], *miss[40];
	struct match_sum s;
	uint16_t n_miss;

	(void)state;
	assert_int_equal(l3demux_add(0, &k, rec_handler, (void *)"dns", "dns", &s.id), 0);
	for (unsigned i = 0; i < 40; i++) {
		pkts[i] = pkt4("1.1.1.1", "2.2.2.2", IPPROTO_UDP, ports(1, i % 4 == 0 ? 54 : 53),
			       8);
		pkt_meta(pkts[i])->rt_inst = 0;
	}
	handled = 0;
	n_miss = l3demux_dispatch(NULL, pkts, 40, miss);
	assert_int_equal(n_miss, 10);
	assert_int_equal(handled, 30);
	for (unsigned i = 0; i < n_miss; i++) {
		struct l3demux_pkey pk;

		assert_int_equal(l3demux_extract(miss[i], 4, &pk), 0);
		assert_memory_equal(&pk.tp, ports(1, 54), 4);
	}
	rte_pktmbuf_free_bulk(miss, n_miss);
	s.matches = 0;
	l3demux_walk(false, 0, find_cb, &s);
	assert_int_equal(s.matches, 30);
	assert_int_equal(l3demux_del_id(s.id), 0);
}

static void
test_early(void **state)
{
	struct l3demux_key dhcp = { .family = 4,
				    .proto = IPPROTO_UDP,
				    .tp = { 0, 67, 0, 68 },
				    .tp_mask = { 0xff, 0xff, 0xff, 0xff } };
	struct l3demux_key bad = dhcp;
	struct rte_mbuf *m;
	struct match_sum s;

	(void)state;
	/* Empty: the root is NULL, nothing is taken. */
	assert_null(early_demux_root);
	m = pkt4("10.0.0.1", "255.255.255.255", IPPROTO_UDP, ports(67, 68), 8);
	pkt_meta(m)->ifl_index = 5;
	assert_false(early_demux_input(NULL, 4, m));

	bad.dst_len = 8;
	assert_int_equal(early_demux_add(5, &bad, rec_handler, (void *)"x", "x", NULL), -EINVAL);
	assert_int_equal(early_demux_add(0, &dhcp, rec_handler, (void *)"x", "x", NULL), -EINVAL);
	assert_int_equal(early_demux_add(5, &dhcp, rec_handler, (void *)"dhcp", "dhcp", &s.id), 0);
	assert_int_equal(early_demux_add(5, &dhcp, rec_handler, (void *)"dhcp", "dhcp", NULL),
			 -EEXIST);
	assert_non_null(early_demux_root);
	/* Whatever the destination address: taken on ifl 5. */
	last_owner[0] = 0;
	assert_true(early_demux_input(NULL, 4, m));
	assert_string_equal(last_owner, "dhcp");
	/* Not on another ifl, not another port, not IPv6. */
	m = pkt4("10.0.0.1", "10.9.9.9", IPPROTO_UDP, ports(67, 68), 8);
	pkt_meta(m)->ifl_index = 6;
	assert_false(early_demux_input(NULL, 4, m));
	pkt_meta(m)->ifl_index = 5;
	assert_false(early_demux_input(NULL, 6, m));
	rte_pktmbuf_free(m);
	m = pkt4("10.0.0.1", "10.9.9.9", IPPROTO_UDP, ports(67, 69), 8);
	pkt_meta(m)->ifl_index = 5;
	assert_false(early_demux_input(NULL, 4, m));
	rte_pktmbuf_free(m);
	m = pkt4("10.0.0.1", "10.9.9.9", IPPROTO_UDP, ports(67, 68), 8);
	pkt_meta(m)->ifl_index = 5;
	assert_true(early_demux_input(NULL, 4, m));
	s.matches = 0;
	l3demux_walk(true, 5, find_cb, &s);
	assert_int_equal(s.matches, 2);
	assert_int_equal(l3demux_count(true), 1);

	/* Best match inside an ifl: more mask bits first. */
	{
		struct l3demux_key any_udp = { .family = 4, .proto = IPPROTO_UDP };

		assert_int_equal(early_demux_add(5, &any_udp, rec_handler, (void *)"udp", "udp",
						 NULL),
				 0);
		m = pkt4("10.0.0.1", "10.9.9.9", IPPROTO_UDP, ports(67, 68), 8);
		pkt_meta(m)->ifl_index = 5;
		assert_true(early_demux_input(NULL, 4, m));
		assert_string_equal(last_owner, "dhcp");
		m = pkt4("10.0.0.1", "10.9.9.9", IPPROTO_UDP, ports(1, 2), 8);
		pkt_meta(m)->ifl_index = 5;
		assert_true(early_demux_input(NULL, 4, m));
		assert_string_equal(last_owner, "udp");
	}
	assert_int_equal(early_demux_del(5, &dhcp), 0);
	assert_int_equal(early_demux_del(5, &dhcp), -ENOENT);
	assert_int_equal(early_demux_flush_ifl(5), 1);
	assert_int_equal(l3demux_count(true), 0);
	/* Empty again: back to the one pointer check. */
	assert_null(early_demux_root);
}

/* ---- torture: adds and deletes under concurrent readers ------------------ */

#define TORTURE_READERS 2
#define TORTURE_ROUNDS 3000

static volatile int torture_stop;
static uint64_t reader_lookups[TORTURE_READERS];
static uint64_t reader_bad[TORTURE_READERS];

static void
nop_handler(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	(void)c, (void)pkts, (void)n, (void)state;
}

static void *
torture_reader(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct l3demux_pkey pk = { .family = 4, .proto = IPPROTO_UDP, .tp_len = 4 };
	uint8_t perm_dst[4];

	a4("10.7.7.7", perm_dst);
	rcu_register_thread();
	while (!__atomic_load_n(&torture_stop, __ATOMIC_ACQUIRE)) {
		for (unsigned i = 0; i < 64; i++) {
			const struct l3demux_entry *e;

			memcpy(pk.dst, perm_dst, 4);
			memcpy(&pk.tp, ports(1, (uint16_t)(1000 + i)), 4);
			e = l3demux_lookup(9, &pk);
			/* The permanent catch-all of 10.7.7.7 is always there;
			 * the transient per-port entries beat it when present.
			 * Never NULL, never a freed entry (ASan would say). */
			if (e == NULL)
				reader_bad[id]++;
			reader_lookups[id]++;
		}
		rcu_quiescent_state();
	}
	rcu_unregister_thread();
	return NULL;
}

static void
test_torture(void **state)
{
	pthread_t th[TORTURE_READERS];
	struct l3demux_key perm = key4("10.7.7.7", 32, NULL, 0, IPPROTO_UDP, NULL, M_NONE);
	struct match_sum s;

	(void)state;
	assert_int_equal(l3demux_add(9, &perm, nop_handler, NULL, "perm", &s.id), 0);
	torture_stop = 0;
	for (unsigned i = 0; i < TORTURE_READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, torture_reader, (void *)(uintptr_t)i),
				 0);
	for (unsigned r = 0; r < TORTURE_ROUNDS; r++) {
		uint16_t port = (uint16_t)(1000 + r % 64);
		struct l3demux_key k = key4("10.7.7.7", 32, NULL, 0, IPPROTO_UDP, ports(0, port),
					    M_DPORT);
		struct l3demux_key w = key4("10.0.0.0", 8, NULL, 0, IPPROTO_UDP, ports(0, port),
					    M_DPORT);

		assert_int_equal(l3demux_add(9, &k, nop_handler, NULL, "t", NULL), 0);
		assert_int_equal(l3demux_add(9, &w, nop_handler, NULL, "w", NULL), 0);
		assert_int_equal(l3demux_del(9, &w), 0);
		assert_int_equal(l3demux_del(9, &k), 0);
	}
	__atomic_store_n(&torture_stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < TORTURE_READERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(reader_bad[i], 0);
		assert_true(reader_lookups[i] > 0);
		printf("reader %u: %llu lookups\n", i, (unsigned long long)reader_lookups[i]);
	}
	assert_int_equal(l3demux_del_id(s.id), 0);
	assert_int_equal(l3demux_count(false), 0);
	rcu_barrier();
}

/* Lookup cost by table size: printed, never asserted. */
static void
test_lookup_speed(void **state)
{
	static const unsigned sizes[] = { 1, 16, 256 };
	struct l3demux_pkey pk = { .family = 4, .proto = IPPROTO_UDP, .tp_len = 4 };
	uint32_t ids[256];

	(void)state;
	a4("10.8.0.1", pk.dst);
	memcpy(&pk.tp, ports(1, 9999), 4);
	for (unsigned s = 0; s < RTE_DIM(sizes); s++) {
		const unsigned iters = 200000;
		uint64_t t0, t1, hits = 0;

		/* Distinct destination ports, none matching: every lookup scans
		 * the whole protocol array (the worst case), then the catch-all. */
		for (unsigned i = 0; i < sizes[s]; i++) {
			struct l3demux_key k = key4("10.8.0.1", 32, NULL, 0, IPPROTO_UDP,
						    ports(0, (uint16_t)(100 + i)), M_DPORT);

			assert_int_equal(l3demux_add(5, &k, nop_handler, NULL, "b", &ids[i]), 0);
		}
		t0 = rte_rdtsc();
		for (unsigned i = 0; i < iters; i++)
			hits += l3demux_lookup(5, &pk) != NULL;
		t1 = rte_rdtsc();
		assert_int_equal(hits, 0);
		printf("l3demux lookup, %u entries of the protocol, no match: %.1f ns\n", sizes[s],
		       (double)(t1 - t0) * 1e9 / (double)rte_get_tsc_hz() / iters);
		for (unsigned i = 0; i < sizes[s]; i++)
			assert_int_equal(l3demux_del_id(ids[i]), 0);
	}
}

static int
group_setup(void **state)
{
	(void)state;
	test_eal_init("0", NULL);
	assert_int_equal(pkt_meta_register(), 0);
	pool = rte_pktmbuf_pool_create("test_l3d", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_best_match),
		cmocka_unit_test(test_duplicates_and_instances),
		cmocka_unit_test(test_dispatch_counters),
		cmocka_unit_test(test_early),
		cmocka_unit_test(test_torture),
		cmocka_unit_test(test_lookup_speed),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
