/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_l2demux.c: the demux table (longest match, zero-length default,
 * duplicates, delete, walk order, both the linear and the hashed form,
 * against a linear-scan oracle), l2key_format, the rx stage with real mbufs
 * (counts, ifl_index, strip, runs, second stage), and concurrent readers
 * against a writer.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/l2demux.h"
#include "dataplane/lcore.h"
#include "dataplane/pkt_meta.h"
#include "test_eal.h"

static struct rte_mempool *mp;

/* --- helpers ----------------------------------------------------------------- */

static void
h_free(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)c, (void)port, (void)arg;
	rte_pktmbuf_free_bulk(pkts, n);
}

static struct l2demux_result
res(uint32_t ifl, const char *name)
{
	struct l2demux_result r = {
		.ifl_index = ifl,
		.handler = h_free,
		.name = name,
	};
	return r;
}

static struct l2key
key_type(uint16_t type)
{
	struct l2key k;

	l2key_init(&k);
	assert_int_equal(l2key_push_type(&k, type), 0);
	return k;
}

static struct l2key
key_tag_type(uint16_t vid, int type)
{
	struct l2key k;

	l2key_init(&k);
	assert_int_equal(l2key_push_tag(&k, 0x8100, vid), 0);
	if (type >= 0)
		assert_int_equal(l2key_push_type(&k, (uint16_t)type), 0);
	return k;
}

static uint32_t
lookup_ifl(const struct l2demux *d, const struct l2key *k)
{
	const struct l2demux_result *r = l2demux_lookup(d, k);

	return r != NULL ? r->ifl_index : 0;
}

/* The table forms: all linear, the default, hashed from the first entry. */
static const unsigned linear_maxes[] = { 32, 8, 0 };

/* --- table semantics --------------------------------------------------------- */

static void
test_empty(void **state)
{
	struct l2demux *d = l2demux_create();
	struct l2key k = key_type(0x0800);

	(void)state;
	assert_non_null(d);
	assert_int_equal(l2demux_count(d), 0);
	assert_null(l2demux_lookup(d, &k));
	assert_int_equal(l2demux_del(d, &k), -ENOENT);
	l2demux_free(d);
}

static void
test_longest_match(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	(void)state;
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		struct l2demux_result r;
		struct l2key k, pppoe, lcp;

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		k = key_type(0x0800);
		r = res(1, "inet");
		assert_int_equal(l2demux_add(d, &k, &r), 0);
		k = key_tag_type(100, -1); /* every frame of VLAN 100 */
		r = res(2, "vlan100");
		assert_int_equal(l2demux_add(d, &k, &r), 0);
		k = key_tag_type(100, 0x0800); /* IPv4 on VLAN 100 */
		r = res(3, "inet");
		assert_int_equal(l2demux_add(d, &k, &r), 0);
		/* A PPPoE session and its LCP/NCP frames (a 1-bit PPP prefix). */
		l2key_init(&pppoe);
		assert_int_equal(l2key_push_tag(&pppoe, 0x8100, 7), 0);
		assert_int_equal(l2key_push_pppoe_session(&pppoe, 0x1234, mac), 0);
		lcp = pppoe;
		assert_int_equal(l2key_push_bits(&lcp, 0x8000, 1), 0);
		r = res(4, "pppd");
		assert_int_equal(l2demux_add(d, &lcp, &r), 0);
		r = res(5, "pppoe");
		assert_int_equal(l2demux_add(d, &pppoe, &r), 0);
		assert_int_equal(l2demux_count(d), 5);

		k = key_type(0x0800);
		assert_int_equal(lookup_ifl(d, &k), 1);
		k = key_type(0x86dd);
		assert_int_equal(lookup_ifl(d, &k), 0);
		k = key_tag_type(100, 0x0800);
		assert_int_equal(lookup_ifl(d, &k), 3);
		k = key_tag_type(100, 0x0806);
		assert_int_equal(lookup_ifl(d, &k), 2);
		k = key_tag_type(101, 0x0800);
		assert_int_equal(lookup_ifl(d, &k), 0);
		k = pppoe;
		assert_int_equal(l2key_push_bits(&k, 0xc021, 16), 0);
		assert_int_equal(lookup_ifl(d, &k), 4);
		k = pppoe;
		assert_int_equal(l2key_push_bits(&k, 0x0021, 16), 0);
		assert_int_equal(lookup_ifl(d, &k), 5);
		/* A key shorter than a prefix never matches it, even with zeros. */
		k = key_tag_type(100, -1);
		assert_int_equal(lookup_ifl(d, &k), 2);
		k = key_type(0x8100);
		assert_int_equal(lookup_ifl(d, &k), 0);
		l2demux_free(d);
	}
}

static void
test_zero_length_default(void **state)
{
	(void)state;
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		struct l2demux_result r = res(9, "bridge");
		struct l2key any, k;

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		l2key_init(&any);
		assert_int_equal(l2demux_add(d, &any, &r), 0);
		k = key_type(0x0800);
		assert_int_equal(lookup_ifl(d, &k), 9);
		k = key_tag_type(3, 0x88cc);
		assert_int_equal(lookup_ifl(d, &k), 9);
		l2key_init(&k);
		assert_int_equal(lookup_ifl(d, &k), 9);
		/* A longer entry wins over the default, only for its frames. */
		k = key_type(0x88cc);
		r = res(10, "lldp");
		assert_int_equal(l2demux_add(d, &k, &r), 0);
		assert_int_equal(lookup_ifl(d, &k), 10);
		k = key_type(0x0800);
		assert_int_equal(lookup_ifl(d, &k), 9);
		l2demux_free(d);
	}
}

static void
test_duplicate_and_invalid(void **state)
{
	(void)state;
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		struct l2demux_result r = res(1, "inet"), r2 = res(2, "other");
		struct l2key k = key_type(0x0800), any;

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		assert_int_equal(l2demux_add(d, &k, &r), 0);
		assert_int_equal(l2demux_add(d, &k, &r2), -EEXIST);
		assert_int_equal(lookup_ifl(d, &k), 1);
		l2key_init(&any);
		assert_int_equal(l2demux_add(d, &any, &r2), 0);
		assert_int_equal(l2demux_add(d, &any, &r), -EEXIST);
		/* Same bits, different length: not a duplicate. */
		k.bits = 15;
		assert_int_equal(l2demux_add(d, &k, &r2), 0);
		/* Bits set past the length, a length past L2KEY_MAX, no handler. */
		k = key_type(0x0801);
		k.bits = 15;
		assert_int_equal(l2demux_add(d, &k, &r2), -EINVAL);
		k.bits = L2KEY_MAX * 8 + 1;
		assert_int_equal(l2demux_add(d, &k, &r2), -EINVAL);
		k = key_type(0x0806);
		r2.handler = NULL;
		assert_int_equal(l2demux_add(d, &k, &r2), -EINVAL);
		assert_int_equal(l2demux_count(d), 3);
		l2demux_free(d);
	}
}

static void
test_delete_restores(void **state)
{
	(void)state;
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		struct l2demux_result r;
		struct l2key any, tag, ip, k;

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		l2key_init(&any);
		tag = key_tag_type(5, -1);
		ip = key_tag_type(5, 0x0800);
		r = res(1, "raw");
		assert_int_equal(l2demux_add(d, &any, &r), 0);
		r = res(2, "vlan");
		assert_int_equal(l2demux_add(d, &tag, &r), 0);
		r = res(3, "inet");
		assert_int_equal(l2demux_add(d, &ip, &r), 0);
		k = ip;
		assert_int_equal(lookup_ifl(d, &k), 3);
		assert_int_equal(l2demux_del(d, &ip), 0);
		assert_int_equal(lookup_ifl(d, &k), 2);
		assert_int_equal(l2demux_del(d, &ip), -ENOENT);
		assert_int_equal(l2demux_del(d, &tag), 0);
		assert_int_equal(lookup_ifl(d, &k), 1);
		assert_int_equal(l2demux_del(d, &any), 0);
		assert_int_equal(lookup_ifl(d, &k), 0);
		assert_int_equal(l2demux_count(d), 0);
		/* And back. */
		r = res(3, "inet");
		assert_int_equal(l2demux_add(d, &ip, &r), 0);
		assert_int_equal(lookup_ifl(d, &k), 3);
		l2demux_free(d);
	}
}

struct walk_rec {
	unsigned n;
	struct l2key keys[16];
	uint32_t ifl[16];
	int stop_at;
};

static int
walk_cb(const struct l2key *prefix, const struct l2demux_result *r, void *arg)
{
	struct walk_rec *w = arg;

	if ((int)w->n == w->stop_at)
		return 42;
	assert_true(w->n < 16);
	w->keys[w->n] = *prefix;
	w->ifl[w->n++] = r->ifl_index;
	return 0;
}

static void
test_walk_order(void **state)
{
	(void)state;
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		struct walk_rec w = { .stop_at = -1 };
		struct l2demux_result r;
		struct l2key k[5];

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		/* Expected order: (any), 0x0800, 0x8100/5, 0x8100/5 0x0800, 0x8100/6. */
		l2key_init(&k[0]);
		k[1] = key_type(0x0800);
		k[2] = key_tag_type(5, -1);
		k[3] = key_tag_type(5, 0x0800);
		k[4] = key_tag_type(6, -1);
		for (int i = 4; i >= 0; i--) {
			r = res((uint32_t)i + 100, "x");
			assert_int_equal(l2demux_add(d, &k[i], &r), 0);
		}
		assert_int_equal(l2demux_walk(d, walk_cb, &w), 0);
		assert_int_equal(w.n, 5);
		for (unsigned i = 0; i < 5; i++) {
			assert_int_equal(w.ifl[i], i + 100);
			assert_int_equal(w.keys[i].bits, k[i].bits);
			assert_memory_equal(w.keys[i].b, k[i].b, L2KEY_MAX);
		}
		/* Resume after each key. */
		for (unsigned i = 0; i < 5; i++) {
			memset(&w, 0, sizeof(w));
			w.stop_at = -1;
			assert_int_equal(l2demux_walk_after(d, &k[i], walk_cb, &w), 0);
			assert_int_equal(w.n, 4 - i);
			if (w.n)
				assert_int_equal(w.ifl[0], i + 101);
		}
		/* After a key that is not in the table: where it would sort. */
		memset(&w, 0, sizeof(w));
		w.stop_at = -1;
		{
			struct l2key between = key_type(0x0900);

			assert_int_equal(l2demux_walk_after(d, &between, walk_cb, &w), 0);
			assert_int_equal(w.n, 3);
			assert_int_equal(w.ifl[0], 102);
		}
		/* The callback stops the walk. */
		memset(&w, 0, sizeof(w));
		w.stop_at = 2;
		assert_int_equal(l2demux_walk(d, walk_cb, &w), 42);
		assert_int_equal(w.n, 2);
		/* Exact get. */
		assert_non_null(l2demux_get(d, &k[3]));
		assert_int_equal(l2demux_get(d, &k[3])->ifl_index, 103);
		{
			struct l2key absent = key_tag_type(5, 0x0806);

			assert_null(l2demux_get(d, &absent));
		}
		/* Changes invalidate the order. */
		assert_int_equal(l2demux_del(d, &k[1]), 0);
		memset(&w, 0, sizeof(w));
		w.stop_at = -1;
		assert_int_equal(l2demux_walk(d, walk_cb, &w), 0);
		assert_int_equal(w.n, 4);
		assert_int_equal(w.ifl[1], 102);
		l2demux_free(d);
	}
}

/* --- against a linear scan ---------------------------------------------------- */

struct oracle_entry {
	struct l2key k;
	bool present;
};

static bool
oracle_match(const struct l2key *prefix, const struct l2key *k)
{
	if (prefix->bits > k->bits)
		return false;
	for (unsigned i = 0; i < prefix->bits; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;

		if (((prefix->b[byte] >> bit) & 1) != ((k->b[byte] >> bit) & 1))
			return false;
	}
	return true;
}

/* Index + 1 of the longest present entry matching @k, 0 if none. */
static uint32_t
oracle_lookup(const struct oracle_entry *e, unsigned n, const struct l2key *k)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++)
		if (e[i].present && oracle_match(&e[i].k, k) &&
		    (best < 0 || e[i].k.bits > e[best].k.bits))
			best = (int)i;
	return (uint32_t)(best + 1);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static const uint16_t prefix_lens[] = {
	0, 1, 4, 16, 17, 32, 33, 48, 64, 65, 96, 112, 128, 200, 384
};

/* A key of @bits bits from a small alphabet, so prefixes overlap often. */
static void
random_key(struct l2key *k, unsigned bits)
{
	static const uint8_t alphabet[] = { 0x00, 0x81, 0x08, 0xff };

	l2key_init(k);
	for (unsigned i = 0; i < (bits + 7) / 8; i++)
		k->b[i] = alphabet[rnd() % 4];
	if (bits % 8)
		k->b[bits / 8] &= (uint8_t)(0xff << (8 - bits % 8));
	k->bits = (uint16_t)bits;
}

/* A frame-like key: whole bytes, sometimes an extension of a pool prefix. */
static void
random_probe(struct l2key *k, const struct oracle_entry *pool, unsigned n)
{
	unsigned bytes = 2 + rnd() % (L2KEY_MAX - 1);

	random_key(k, bytes * 8);
	if (n > 0 && rnd() % 2) {
		const struct l2key *p = &pool[rnd() % n].k;

		if (p->bits <= k->bits) {
			memcpy(k->b, p->b, p->bits / 8);
			if (p->bits % 8) {
				uint8_t m = (uint8_t)(0xff << (8 - p->bits % 8));

				k->b[p->bits / 8] = (uint8_t)((p->b[p->bits / 8] & m) |
							      (k->b[p->bits / 8] & ~m));
			}
		}
	}
}

#define POOL 600

static void
test_random_against_scan(void **state)
{
	struct oracle_entry *pool = calloc(POOL, sizeof(*pool));

	(void)state;
	assert_non_null(pool);
	for (unsigned f = 0; f < RTE_DIM(linear_maxes); f++) {
		struct l2demux *d = l2demux_create();
		unsigned n = 0, present = 0;

		assert_int_equal(l2demux_set_linear_max(d, linear_maxes[f]), 0);
		/* Distinct prefixes. */
		while (n < POOL) {
			struct l2key k;
			bool dup = false;

			random_key(&k, prefix_lens[rnd() % RTE_DIM(prefix_lens)]);
			for (unsigned i = 0; i < n && !dup; i++)
				dup = pool[i].k.bits == k.bits &&
				      memcmp(pool[i].k.b, k.b, L2KEY_MAX) == 0;
			if (!dup) {
				pool[n].k = k;
				pool[n++].present = false;
			}
		}
		for (unsigned step = 0; step < 6000; step++) {
			unsigned i = rnd() % POOL;
			/* Grow, then shrink to a handful (linear <-> hashed). */
			bool grow = (step / 1500) % 2 == 0;
			struct l2demux_result r = res(i + 1, "x");

			if (!pool[i].present && (grow || rnd() % 4 == 0)) {
				assert_int_equal(l2demux_add(d, &pool[i].k, &r), 0);
				pool[i].present = true;
				present++;
			} else if (pool[i].present) {
				assert_int_equal(l2demux_add(d, &pool[i].k, &r), -EEXIST);
				if (!grow || rnd() % 4 == 0) {
					assert_int_equal(l2demux_del(d, &pool[i].k), 0);
					pool[i].present = false;
					present--;
				}
			} else {
				assert_int_equal(l2demux_del(d, &pool[i].k), -ENOENT);
			}
			assert_int_equal(l2demux_count(d), present);
			for (unsigned p = 0; p < 8; p++) {
				struct l2key k;

				random_probe(&k, pool, POOL);
				if (lookup_ifl(d, &k) != oracle_lookup(pool, POOL, &k)) {
					char buf[256];

					l2key_format(&k, buf, sizeof(buf));
					fail_msg("linear_max %u step %u: key %s: got %u, expected %u",
						 linear_maxes[f], step, buf, lookup_ifl(d, &k),
						 oracle_lookup(pool, POOL, &k));
				}
			}
		}
		l2demux_free(d);
	}
	free(pool);
	rcu_barrier();
}

/* --- l2key_format --------------------------------------------------------------- */

static void
expect_format(const struct l2key *k, const char *want)
{
	char buf[256];
	int n = l2key_format(k, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void
test_format(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t llc[3] = { 0xfe, 0xfe, 0x03 };
	static const uint8_t snap[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00 };
	struct l2key k, base;
	char small[8];

	(void)state;
	l2key_init(&k);
	expect_format(&k, "(any)");
	assert_int_equal(l2key_push_tag(&k, 0x8100, 100), 0);
	assert_int_equal(l2key_push_tag(&k, 0x8100, 20), 0);
	assert_int_equal(l2key_push_type(&k, 0x0800), 0);
	expect_format(&k, "8100/100 8100/20 type 0x0800");

	l2key_init(&k);
	assert_int_equal(l2key_push_tag(&k, 0x88a8, 4095), 0);
	expect_format(&k, "88a8/4095");
	k.bits = 16;
	k.b[2] = k.b[3] = 0;
	expect_format(&k, "88a8/vid (any)");

	l2key_init(&base);
	assert_int_equal(l2key_push_pppoe_session(&base, 1, mac), 0);
	k = base;
	assert_int_equal(l2key_push_bits(&k, 0xc021, 16), 0);
	expect_format(&k, "type 0x8864 session 0x0001 peer 02:00:00:00:00:01 ppp 0xc021");
	k = base;
	assert_int_equal(l2key_push_bits(&k, 0xc021, 1), 0);
	expect_format(&k, "type 0x8864 session 0x0001 peer 02:00:00:00:00:01 ppp 0x8000/1");
	expect_format(&base, "type 0x8864 session 0x0001 peer 02:00:00:00:00:01");

	l2key_init(&k);
	assert_int_equal(l2key_push_bits(&k, 0x8000, 1), 0);
	expect_format(&k, "type 0x8000/1");

	l2key_init(&k);
	assert_int_equal(l2key_push_type(&k, L2KEY_TYPE_LLC), 0);
	assert_int_equal(l2key_push_bytes(&k, llc, 3), 0);
	expect_format(&k, "type 0x0000 llc dsap 0xfe ssap 0xfe ctrl 0x03");
	l2key_init(&k);
	assert_int_equal(l2key_push_type(&k, L2KEY_TYPE_LLC), 0);
	assert_int_equal(l2key_push_bytes(&k, snap, 8), 0);
	expect_format(&k,
		      "type 0x0000 llc dsap 0xaa ssap 0xaa ctrl 0x03 snap oui 00:00:0c pid 0x2000");
	/* What is not decoded is shown as data. */
	l2key_init(&k);
	assert_int_equal(l2key_push_type(&k, 0x0800), 0);
	assert_int_equal(l2key_push_bytes(&k, llc, 2), 0);
	expect_format(&k, "type 0x0800 data 0xfefe/16");

	/* Truncated output: NUL-terminated, full length returned. */
	k = key_type(0x0800);
	assert_int_equal(l2key_format(&k, small, sizeof(small)), (int)strlen("type 0x0800"));
	assert_string_equal(small, "type 0x");

	/* Any key of valid length formats without overrunning. */
	for (unsigned i = 0; i < 20000; i++) {
		char buf[512];
		int n;

		random_key(&k, rnd() % (L2KEY_MAX * 8 + 1));
		if (rnd() % 3 == 0) {
			k.b[0] = 0x81;
			k.b[1] = 0x00;
		}
		n = l2key_format(&k, buf, sizeof(buf));
		assert_true(n > 0 && n < (int)sizeof(buf));
		assert_int_equal(strlen(buf), (size_t)n);
	}
}

/* --- the rx stage ----------------------------------------------------------------- */

#define REC_MAX 64

struct call {
	uint32_t arg_id;
	uint16_t n;
	uint32_t ifl[REC_MAX];
	uint32_t len[REC_MAX];
	uint8_t first[REC_MAX];
	uint16_t segs[REC_MAX];
};

static struct call calls[REC_MAX];
static unsigned ncalls;

static void
h_rec(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct call *cl = &calls[ncalls++];

	(void)c, (void)port;
	assert_true(ncalls <= REC_MAX);
	cl->arg_id = (uint32_t)(uintptr_t)arg;
	cl->n = n;
	for (uint16_t i = 0; i < n; i++) {
		cl->ifl[i] = pkt_meta(pkts[i])->ifl_index;
		cl->len[i] = pkts[i]->pkt_len;
		cl->first[i] = *rte_pktmbuf_mtod(pkts[i], uint8_t *);
		cl->segs[i] = pkts[i]->nb_segs;
	}
	rte_pktmbuf_free_bulk(pkts, n);
}

static struct rte_mbuf *
frame(uint16_t type, size_t len, size_t cut)
{
	uint8_t f[128] = { 0x02, 0, 0, 0, 0, 0xfe, 0x02, 0, 0, 0, 0, 0x01 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *m2;

	assert_true(len <= sizeof(f));
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	f[14] = 0x45;
	assert_non_null(m);
	if (cut == 0 || cut >= len) {
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	} else {
		memcpy(rte_pktmbuf_append(m, (uint16_t)cut), f, cut);
		m2 = rte_pktmbuf_alloc(mp);
		assert_non_null(m2);
		memcpy(rte_pktmbuf_append(m2, (uint16_t)(len - cut)), f + cut, len - cut);
		assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	}
	pkt_meta_rx_init(m, 1);
	return m;
}

static uint64_t
drops(uint16_t port, enum drop_reason r)
{
	struct port_counters pc;

	counters_port_sum(port, &pc);
	return pc.drops[r];
}

static void
test_input(void **state)
{
	const uint16_t port = 3;
	struct l2demux *d = l2demux_create();
	struct l2demux_result r;
	struct rte_mbuf *pkts[64];
	struct l2key k;
	uint64_t nfu0 = drops(port, DROP_not_for_us), mal0 = drops(port, DROP_l2_malformed);

	(void)state;
	k = key_type(0x0800);
	r = (struct l2demux_result){
		.ifl_index = 10, .strip = true, .handler = h_rec, .arg = (void *)1, .name = "inet"
	};
	assert_int_equal(l2demux_add(d, &k, &r), 0);
	k = key_type(0x0806);
	r = (struct l2demux_result){
		.ifl_index = 11, .handler = h_rec, .arg = (void *)2, .name = "arp"
	};
	assert_int_equal(l2demux_add(d, &k, &r), 0);

	/* No table bound: nothing is for us. */
	pkts[0] = frame(0x0800, 60, 0);
	pkts[1] = frame(0x0806, 60, 0);
	ncalls = 0;
	l2demux_input(NULL, port, pkts, 2);
	assert_int_equal(ncalls, 0);
	assert_int_equal(drops(port, DROP_not_for_us), nfu0 + 2);

	l2demux_port_set(port, d);
	pkts[0] = frame(0x0800, 60, 0);
	pkts[1] = frame(0x0800, 61, 0);
	pkts[2] = frame(0x0806, 42, 0);
	pkts[3] = frame(0x0800, 62, 0);
	pkts[4] = frame(0x86dd, 60, 0); /* no entry */
	pkts[5] = frame(0x0800, 10, 0); /* runt */
	pkts[6] = frame(0x0800, 63, 5); /* header across two segments, stripped */
	ncalls = 0;
	l2demux_input(NULL, port, pkts, 7);
	/* Runs: IPv4 x2, ARP, IPv4 x2 (drops do not split a run). */
	assert_int_equal(ncalls, 3);
	assert_int_equal(calls[0].arg_id, 1);
	assert_int_equal(calls[0].n, 2);
	assert_int_equal(calls[1].arg_id, 2);
	assert_int_equal(calls[1].n, 1);
	assert_int_equal(calls[2].arg_id, 1);
	assert_int_equal(calls[2].n, 2);
	/* Stripped: the payload first; not stripped: the whole frame. */
	assert_int_equal(calls[0].ifl[0], 10);
	assert_int_equal(calls[0].len[0], 60 - 14);
	assert_int_equal(calls[0].len[1], 61 - 14);
	assert_int_equal(calls[0].first[0], 0x45);
	assert_int_equal(calls[1].ifl[0], 11);
	assert_int_equal(calls[1].len[0], 42);
	assert_int_equal(calls[1].first[0], 0x02);
	assert_int_equal(calls[2].len[0], 62 - 14);
	assert_int_equal(calls[2].len[1], 63 - 14);
	assert_int_equal(calls[2].first[1], 0x45);
	assert_int_equal(calls[2].ifl[1], 10);
	assert_int_equal(drops(port, DROP_not_for_us), nfu0 + 3);
	assert_int_equal(drops(port, DROP_l2_malformed), mal0 + 1);

	/* A burst longer than RX_BURST, through the hashed form (and its
	 * prefetching): every frame delivered once. */
	assert_int_equal(l2demux_set_linear_max(d, 0), 0);
	for (unsigned i = 0; i < 40; i++)
		pkts[i] = frame(0x0800, 60, 0);
	ncalls = 0;
	l2demux_input(NULL, port, pkts, 40);
	{
		unsigned total = 0;

		for (unsigned i = 0; i < ncalls; i++) {
			total += calls[i].n;
			for (unsigned j = 0; j < calls[i].n; j++)
				assert_int_equal(calls[i].ifl[j], 10);
		}
		assert_int_equal(total, 40);
		assert_true(ncalls <= 2);
	}

	/* Unbound again: the table's frames are not for us any more. */
	l2demux_port_set(port, NULL);
	pkts[0] = frame(0x0800, 60, 0);
	ncalls = 0;
	l2demux_input(NULL, port, pkts, 1);
	assert_int_equal(ncalls, 0);
	assert_int_equal(drops(port, DROP_not_for_us), nfu0 + 4);
	synchronize_rcu();
	l2demux_free(d);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* Ethernet inside Ethernet (type 0x6558): the outer table hands the frames
 * to the inner table of the ifl. */
static void
test_stage2(void **state)
{
	const uint16_t port = 4;
	struct l2demux *outer = l2demux_create(), *inner = l2demux_create();
	uint64_t nfu0 = drops(port, DROP_not_for_us);
	struct l2demux_result r;
	struct rte_mbuf *pkts[2];
	struct l2key k;

	(void)state;
	k = key_type(0x6558);
	r = (struct l2demux_result){ .ifl_index = 20,
				     .strip = true,
				     .handler = l2demux_input_stage2,
				     .arg = inner,
				     .name = "ether" };
	assert_int_equal(l2demux_add(outer, &k, &r), 0);
	k = key_type(0x0800);
	r = (struct l2demux_result){
		.ifl_index = 21, .strip = true, .handler = h_rec, .arg = (void *)7, .name = "inet"
	};
	assert_int_equal(l2demux_add(inner, &k, &r), 0);
	/* The inner table hashed, the outer one linear: both paths. */
	assert_int_equal(l2demux_set_linear_max(inner, 0), 0);
	l2demux_port_set(port, outer);
	for (unsigned i = 0; i < 2; i++) {
		static const uint8_t inner_eth[14] = { 2, 0, 0, 0, 0, 2,    2,
						       0, 0, 0, 0, 3, 0x08, 0x00 };
		struct rte_mbuf *m = frame(0x6558, 14, 0);
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 14 + 20);

		memcpy(p, inner_eth, 14);
		if (i == 1)
			p[12] = 0x88; /* inner type 0x8800: nothing for it */
		memset(p + 14, 0x45, 20);
		pkts[i] = m;
	}
	ncalls = 0;
	l2demux_input(NULL, port, pkts, 2);
	assert_int_equal(ncalls, 1);
	assert_int_equal(calls[0].arg_id, 7);
	assert_int_equal(calls[0].n, 1);
	assert_int_equal(calls[0].ifl[0], 21);
	assert_int_equal(calls[0].len[0], 20);
	assert_int_equal(calls[0].first[0], 0x45);
	assert_int_equal(drops(port, DROP_not_for_us), nfu0 + 1);
	l2demux_port_set(port, NULL);
	synchronize_rcu();
	l2demux_free(outer);
	l2demux_free(inner);
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* --- concurrent readers and a writer ------------------------------------------------ */

/*
 * The writer applies T_CHANGES random adds and deletes from a pool of
 * prefixes (growing past the linear form and shrinking back, rebuilding
 * tables on the way). Before change k it records in hist[k] what each
 * watched key must give once change k is done (hist[0]: the empty table),
 * stores seq = 2k - 1, applies the change, stores seq = 2k. A reader loads
 * seq (s1), looks up, loads seq (s2): its answer must be hist[j] for some
 * j between s1 / 2 and (s2 + 1) / 2 -- the states the table went through
 * during the lookup. An answer mixing two states, or from freed memory
 * (ASan), fails.
 */
#define T_CHANGES 12000
#define T_WATCH 16
#define T_READERS 2
#define T_POOL 200

struct torture {
	struct l2demux *d;
	struct l2key watch[T_WATCH];
	uint32_t (*hist)[T_WATCH];
	unsigned long seq;
	int stop;
	unsigned id_next;
	unsigned long lookups[T_READERS], bad[T_READERS];
};

static void *
torture_reader(void *arg)
{
	struct torture *t = arg;
	unsigned id = __atomic_fetch_add(&t->id_next, 1, __ATOMIC_RELAXED);
	unsigned long n = 0, bad = 0;
	unsigned w = id;

	rcu_register_thread();
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		unsigned long s1, s2, j;
		uint32_t v;
		bool ok = false;

		w = (w + 7) % T_WATCH;
		s1 = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		v = lookup_ifl(t->d, &t->watch[w]);
		s2 = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		for (j = s1 / 2; j <= (s2 + 1) / 2 && !ok; j++)
			ok = t->hist[j][w] == v;
		bad += !ok;
		if (++n % 16 == 0)
			rcu_quiescent_state();
	}
	rcu_unregister_thread();
	t->lookups[id] = n;
	t->bad[id] = bad;
	return NULL;
}

static void
test_torture(void **state)
{
	struct torture t = { 0 };
	struct oracle_entry *pool = calloc(T_POOL, sizeof(*pool));
	pthread_t th[T_READERS];
	unsigned present = 0, high = 0, low_after_high = T_POOL;

	(void)state;
	assert_non_null(pool);
	t.d = l2demux_create();
	assert_non_null(t.d);
	t.hist = calloc(T_CHANGES + 2, sizeof(*t.hist));
	assert_non_null(t.hist);
	/* Prefixes of a few lengths over a small alphabet: they nest. */
	for (unsigned i = 0; i < T_POOL; i++) {
		bool dup;

		do {
			dup = false;
			random_key(&pool[i].k, prefix_lens[rnd() % RTE_DIM(prefix_lens)] % 130);
			for (unsigned j = 0; j < i && !dup; j++)
				dup = pool[j].k.bits == pool[i].k.bits &&
				      memcmp(pool[j].k.b, pool[i].k.b, L2KEY_MAX) == 0;
		} while (dup);
	}
	for (unsigned w = 0; w < T_WATCH; w++)
		random_probe(&t.watch[w], pool, T_POOL);
	for (unsigned i = 0; i < T_READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, torture_reader, &t), 0);
	for (unsigned long k = 1; k <= T_CHANGES; k++) {
		/* Grow to ~4/5 of the pool, shrink to a few (back to the linear form), again. */
		bool grow = (k / 1000) % 2 == 0;
		unsigned i = rnd() % T_POOL;
		bool add;
		struct l2demux_result r = res(i + 1, "x");

		for (;;) {
			i = rnd() % T_POOL;
			add = !pool[i].present;
			if (add ? (grow || rnd() % 64 == 0) : (!grow || rnd() % 4 == 0))
				break;
		}
		r = res(i + 1, "x");
		pool[i].present = add;
		for (unsigned w = 0; w < T_WATCH; w++)
			t.hist[k][w] = oracle_lookup(pool, T_POOL, &t.watch[w]);
		__atomic_store_n(&t.seq, 2 * k - 1, __ATOMIC_RELEASE);
		if (add) {
			assert_int_equal(l2demux_add(t.d, &pool[i].k, &r), 0);
			present++;
		} else {
			assert_int_equal(l2demux_del(t.d, &pool[i].k), 0);
			present--;
		}
		__atomic_store_n(&t.seq, 2 * k, __ATOMIC_RELEASE);
		high = present > high ? present : high;
		if (high > 100 && present < low_after_high)
			low_after_high = present;
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < T_READERS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(l2demux_count(t.d), present);
	/* The table went well past the linear form and back into it. */
	assert_true(high > 100);
	assert_true(low_after_high <= 8);
	for (unsigned i = 0; i < T_READERS; i++) {
		print_message("reader %u: %lu lookups, %lu wrong\n", i, t.lookups[i], t.bad[i]);
		assert_true(t.lookups[i] > 0);
		assert_int_equal(t.bad[i], 0);
	}
	synchronize_rcu();
	l2demux_free(t.d);
	rcu_barrier();
	free(t.hist);
	free(pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_longest_match),
		cmocka_unit_test(test_zero_length_default),
		cmocka_unit_test(test_duplicate_and_invalid),
		cmocka_unit_test(test_delete_restores),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_random_against_scan),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_stage2),
		cmocka_unit_test(test_torture),
	};

	test_eal_init("0", NULL);
	if (pkt_meta_register() < 0 || counters_init() < 0) {
		fprintf(stderr, "test_l2demux: cannot register metadata or counters\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("l2demux", 1023, 0, 0, 2048 + RTE_PKTMBUF_HEADROOM,
				     SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "test_l2demux: cannot create the mbuf pool\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
