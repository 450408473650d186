/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_nexthop.c: next hops (src/dataplane/nexthop.c) and their output
 * functions (nh_output.c):
 *   - sharing per (family, type, type data), reference counts, the index
 *     space (nh_by_index NULL once freed, indices reused only after a
 *     grace period), spec validation;
 *   - HOLD and UNICAST as one identity, nh_resolved in place;
 *   - DEAD transitions (nh_ifl_gone): in place, out of the sharing hash;
 *   - the output of every type: drops counted under their reasons, the
 *     HOLD queue bound, held packets sent first once resolved, the prebuilt
 *     L2 header on the tx buffer, the resolver hand-off, the local input
 *     hook (and its absence), RECV / MGROUP rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/lcore.h"
#include "dataplane/nexthop.h"
#include "dataplane/pkt_meta.h"
#include "test_eal.h"

static struct rte_mempool *pool;
static struct lcore_ctx *ctx;

static uint64_t
drops(enum drop_reason r)
{
	return nsdp_lcore_counters[rte_lcore_id()]->port[0].drops[r];
}

static void
alloc_pkts(struct rte_mbuf **m, unsigned n, uint8_t tag)
{
	for (unsigned i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		assert_non_null(m[i]);
		m[i]->port = 0;
		pkt_meta(m[i])->ifl_index = 0;
		assert_non_null(rte_pktmbuf_append(m[i], 20));
		memset(rte_pktmbuf_mtod(m[i], uint8_t *), tag + i, 20);
	}
}

static struct nexthop *
get_unicast(uint32_t ifl, uint8_t last)
{
	struct nh_spec s = { .family = 4, .type = RNH_UNICAST, .ifl_index = ifl,
			     .addr = { 192, 0, 2, last }, .l2_len = 14, .port = 1, .mtu = 1500 };

	memset(s.l2, 0xab, 14);
	return nh_get(&s);
}

/* Empty the test lcore's tx buffer of @port (nothing is transmitted). */
static void
tx_take(uint16_t port, struct rte_mbuf **out, unsigned *n)
{
	struct tx_buf *b = &ctx->tx[port];

	*n = b->n;
	memcpy(out, b->pkts, b->n * sizeof(out[0]));
	b->n = 0;
	b->pending = false;
	ctx->n_tx_pending = 0;
}

static void
test_sharing(void **state)
{
	struct nh_spec rj = { .family = 4, .type = RNH_REJECT };
	struct nexthop *a, *b, *c, *d;
	uint32_t idx;

	(void)state;
	a = nh_get(&rj);
	b = nh_get(&rj);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(nh_refcnt(a), 2);
	assert_int_equal(a->type, RNH_REJECT);
	assert_ptr_equal(a->output, nh_output_of(RNH_REJECT));
	/* Other family, other type data: other next hops. */
	rj.family = 6;
	c = nh_get(&rj);
	assert_ptr_not_equal(c, a);
	d = get_unicast(5, 1);
	b = get_unicast(5, 2);
	assert_ptr_not_equal(b, d);
	nh_put(b);
	b = a;
	nh_ref(b);
	nh_put(b);
	assert_int_equal(nh_refcnt(d), 1);
	/* One set of ifls is one next hop, whatever the order. */
	{
		struct nh_spec l1 = { .family = 4, .type = RNH_MULTICAST, .n_ifl = 3,
				      .ifl_list = { 9, 0, 4 } };
		struct nh_spec l2 = { .family = 4, .type = RNH_MULTICAST, .n_ifl = 3,
				      .ifl_list = { 4, 9, 0 } };
		struct nh_spec l3 = { .family = 4, .type = RNH_MGROUP, .n_ifl = 2,
				      .ifl_list = { 9, 4 } };
		struct nexthop *x = nh_get(&l1), *y = nh_get(&l2), *z = nh_get(&l3);

		assert_non_null(x);
		assert_ptr_equal(x, y);
		assert_ptr_not_equal(x, z);
		assert_int_equal(x->n_ifl, 3);
		assert_int_equal(x->ifl_list[0], 0);
		assert_int_equal(x->ifl_list[1], 4);
		assert_int_equal(x->ifl_list[2], 9);
		l2.n_ifl = 2;
		y = nh_get(&l2);
		assert_ptr_not_equal(x, y);
		nh_put(x);
		nh_put(x);
		nh_put(y);
		nh_put(z);
	}
	/* Type data beyond the type's own fields does not split next hops. */
	{
		struct nh_spec x = { .family = 4, .type = RNH_REJECT, .ifl_index = 9,
				     .addr = { 1, 2, 3, 4 } };

		assert_ptr_equal(nh_get(&x), a);
		nh_put(a);
	}
	assert_ptr_equal(nh_by_index(a->index), a);
	nh_put(b);
	assert_int_equal(nh_refcnt(a), 1);
	idx = a->index;
	nh_put(a);
	/* Gone from the index at once; the index comes back only after a grace period. */
	assert_null(nh_by_index(idx));
	nh_put(c);
	nh_put(d);
	rcu_barrier();
	assert_null(nh_by_index(NH_INDEX_INVALID));
	assert_null(nh_by_index(NH_INDEX_MAX));
}

static void
test_spec_errors(void **state)
{
	struct nh_spec s = { .family = 5, .type = RNH_REJECT };

	(void)state;
	errno = 0;
	assert_null(nh_get(&s));
	assert_int_equal(errno, EINVAL);
	s = (struct nh_spec){ .family = 4, .type = RNH_DEAD };
	assert_null(nh_get(&s));
	s = (struct nh_spec){ .family = 4, .type = RNH_TYPE_MAX };
	assert_null(nh_get(&s));
	s = (struct nh_spec){ .family = 4, .type = RNH_UNICAST, .ifl_index = 0 };
	assert_null(nh_get(&s));
	s = (struct nh_spec){ .family = 4, .type = RNH_UNICAST, .ifl_index = 3, .l2_len = 33 };
	assert_null(nh_get(&s));
	s = (struct nh_spec){ .family = 4, .type = RNH_MGROUP, .n_ifl = 0 };
	assert_null(nh_get(&s));
	s = (struct nh_spec){ .family = 4, .type = RNH_MULTICAST, .n_ifl = NH_LIST_MAX + 1 };
	assert_null(nh_get(&s));
	/* Lists are sets: no repeats; MGROUP lists no local copy (0). */
	s = (struct nh_spec){ .family = 4, .type = RNH_MULTICAST, .n_ifl = 3, .ifl_list = { 4, 0, 4 } };
	assert_null(nh_get(&s));
	assert_int_equal(errno, EINVAL);
	s = (struct nh_spec){ .family = 4, .type = RNH_MGROUP, .n_ifl = 2, .ifl_list = { 3, 0 } };
	assert_null(nh_get(&s));
	assert_null(nh_get(NULL));
	assert_string_equal(rnh_type_name(RNH_UNICAST), "unicast");
	assert_null(rnh_type_name(RNH_TYPE_MAX));
}

static void
test_hold_resolved(void **state)
{
	struct nh_spec hs = { .family = 4, .type = RNH_HOLD, .ifl_index = 7,
			      .addr = { 192, 0, 2, 9 } };
	struct nh_spec us = hs;
	struct rte_mbuf *m[NH_HOLD_MAX + 8], *out[TX_BUF];
	struct nexthop *h, *u;
	uint64_t full0 = drops(DROP_hold_full);
	unsigned n;
	uint32_t idx;

	(void)state;
	h = nh_get(&hs);
	assert_non_null(h);
	assert_int_equal(h->type, RNH_HOLD);
	assert_non_null(h->hold);
	idx = h->index;
	/* Held: 10 packets. */
	alloc_pkts(m, 10, 0);
	h->output(ctx, h, m, 10, 0, NULL);
	assert_int_equal(rte_ring_count(h->hold), 10);
	/* Resolution refuses a non-HOLD next hop and a bad header. */
	{
		struct nexthop *other = get_unicast(9, 9);

		assert_int_equal(nh_resolved(other, &us), -EINVAL);
		nh_put(other);
		us.l2_len = NH_L2_MAX + 1;
		assert_int_equal(nh_resolved(h, &us), -EINVAL);
	}
	us.type = RNH_UNICAST;
	us.l2_len = 18;
	memset(us.l2, 0x5a, 18);
	us.port = 2;
	us.mtu = 1400;
	/* The static neighbour of the same (ifl, address) is this next hop, resolved in place. */
	u = nh_get(&us);
	assert_ptr_equal(u, h);
	assert_int_equal(h->index, idx);
	assert_int_equal(h->type, RNH_UNICAST);
	assert_ptr_equal(h->output, nh_output_of(RNH_UNICAST));
	assert_int_equal(h->l2_len, 18);
	assert_int_equal(h->mtu, 1400);
	/* One more packet: the held ones go first, in order, then it. */
	alloc_pkts(m, 1, 100);
	h->output(ctx, h, m, 1, 0, NULL);
	tx_take(2, out, &n);
	assert_int_equal(n, 11);
	for (unsigned i = 0; i < 10; i++) {
		uint8_t *p = rte_pktmbuf_mtod(out[i], uint8_t *);

		assert_int_equal(out[i]->data_len, 38);
		assert_int_equal(p[0], 0x5a);
		assert_int_equal(p[17], 0x5a);
		assert_int_equal(p[18], i);
	}
	assert_int_equal(rte_pktmbuf_mtod(out[10], uint8_t *)[18], 100);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(rte_ring_count(h->hold), 0);
	assert_int_equal(nh_hold_flush(ctx, h), 0);
	/* A HOLD next hop keeps NH_HOLD_MAX packets; the rest count as hold_full. */
	hs.addr[3] = 10;
	u = nh_get(&hs);
	alloc_pkts(m, NH_HOLD_MAX + 5, 0);
	u->output(ctx, u, m, 32, 0, NULL);
	u->output(ctx, u, m + 32, NH_HOLD_MAX + 5 - 32, 0, NULL);
	assert_int_equal(rte_ring_count(u->hold), NH_HOLD_MAX);
	assert_int_equal(drops(DROP_hold_full) - full0, 5);
	/* Resolved later: nh_hold_flush sends what it holds. */
	us.addr[3] = 10;
	us.port = 3;
	assert_int_equal(nh_resolved(u, &us), 0);
	assert_int_equal(nh_hold_flush(ctx, u), 32); /* one burst per call */
	tx_take(3, out, &n);
	assert_int_equal(n, 32);
	rte_pktmbuf_free_bulk(out, n);
	assert_int_equal(nh_hold_flush(ctx, u), 32);
	tx_take(3, out, &n);
	rte_pktmbuf_free_bulk(out, n);
	nh_put(h);
	nh_put(h);
	nh_put(u);
}

static void
test_dead(void **state)
{
	struct nh_spec rs = { .family = 4, .type = RNH_RESOLV, .ifl_index = 21 };
	struct nh_spec ms = { .family = 4, .type = RNH_MGROUP, .n_ifl = 2, .ifl_list = { 20, 21 } };
	struct nexthop *r, *u, *g, *other, *r2;
	struct rte_mbuf *m[4];
	uint64_t dead0 = drops(DROP_rnh_dead);

	(void)state;
	r = nh_get(&rs);
	u = get_unicast(21, 7);
	g = nh_get(&ms);
	other = get_unicast(22, 7);
	assert_int_equal(nh_ifl_gone(0), 0);
	assert_int_equal(nh_ifl_gone(21), 3);
	assert_int_equal(r->type, RNH_DEAD);
	assert_int_equal(u->type, RNH_DEAD);
	assert_int_equal(g->type, RNH_DEAD);
	assert_int_equal(other->type, RNH_UNICAST);
	assert_ptr_equal(u->output, nh_output_of(RNH_DEAD));
	/* Still referenced, still findable by index. */
	assert_ptr_equal(nh_by_index(u->index), u);
	assert_int_equal(nh_refcnt(u), 1);
	/* The same spec now makes a fresh next hop. */
	r2 = nh_get(&rs);
	assert_ptr_not_equal(r2, r);
	assert_int_equal(r2->type, RNH_RESOLV);
	/* Forwarding through DEAD: counted. */
	alloc_pkts(m, 4, 0);
	u->output(ctx, u, m, 4, 0, NULL);
	assert_int_equal(drops(DROP_rnh_dead) - dead0, 4);
	assert_int_equal(nh_ifl_gone(21), 1); /* only the fresh one is left to kill */
	nh_put(r);
	nh_put(r2);
	nh_put(u);
	nh_put(g);
	nh_put(other);
}

struct res_rec {
	struct nh_resolver r;
	unsigned got;
	const struct nexthop *nh;
};

static void
res_enqueue(struct nh_resolver *r, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n)
{
	struct res_rec *rr = (struct res_rec *)r;

	rr->got += n;
	rr->nh = nh;
	rte_pktmbuf_free_bulk(pkts, n);
}

static unsigned local_got;
static unsigned local_flags;

static void
local_in(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n,
	 unsigned flags, const void *meta)
{
	(void)c, (void)nh, (void)meta;
	local_got += n;
	local_flags = flags;
	rte_pktmbuf_free_bulk(pkts, n);
}

static void
test_outputs(void **state)
{
	struct res_rec rr = { .r = { res_enqueue, "test-arp" } };
	struct nh_spec s;
	struct nexthop *nh;
	struct rte_mbuf *m[8];
	uint64_t before;

	(void)state;
#define OUT(type_, n_, flags_)                                                          \
	do {                                                                            \
		s = (struct nh_spec){ .family = 4, .type = (type_), .ifl_index = 30,    \
				      .n_ifl = 1, .ifl_list = { 30 } };                 \
		nh = nh_get(&s);                                                        \
		assert_non_null(nh);                                                    \
		alloc_pkts(m, (n_), 0);                                                 \
		nh->output(ctx, nh, m, (n_), (flags_), NULL);                           \
		nh_put(nh);                                                             \
	} while (0)

	before = drops(DROP_rnh_reject);
	OUT(RNH_REJECT, 3, 0);
	assert_int_equal(drops(DROP_rnh_reject) - before, 3);
	before = drops(DROP_rnh_discard);
	OUT(RNH_DISCARD, 2, NH_OUT_ORIGINATED);
	assert_int_equal(drops(DROP_rnh_discard) - before, 2);
	before = drops(DROP_rnh_mdiscard);
	OUT(RNH_MDISCARD, 2, 0);
	assert_int_equal(drops(DROP_rnh_mdiscard) - before, 2);
	before = drops(DROP_no_output_ifl);
	OUT(RNH_MDISCARD, 1, NH_OUT_ORIGINATED);
	OUT(RNH_BRECV, 1, NH_OUT_ORIGINATED);
	assert_int_equal(drops(DROP_no_output_ifl) - before, 2);

	/* No local input registered: counted. */
	assert_null(nh_local_input(4));
	before = drops(DROP_no_local_input);
	OUT(RNH_LOCAL, 2, 0);
	OUT(RNH_RECV, 1, 0);
	OUT(RNH_MRECV, 1, 0);
	assert_int_equal(drops(DROP_no_local_input) - before, 4);
	assert_int_equal(nh_set_local_input(5, local_in), -EINVAL);
	assert_int_equal(nh_set_local_input(4, local_in), 0);
	local_got = 0;
	OUT(RNH_LOCAL, 2, NH_OUT_ORIGINATED);
	assert_int_equal(local_got, 2);
	assert_int_equal(local_flags, NH_OUT_ORIGINATED);
	OUT(RNH_BRECV, 1, 0);
	OUT(RNH_MRECV, 1, 0);
	OUT(RNH_RECV, 1, 0);
	assert_int_equal(local_got, 5);
	/* RECV refuses packets built here. */
	before = drops(DROP_recv_originated);
	OUT(RNH_RECV, 2, NH_OUT_ORIGINATED);
	assert_int_equal(drops(DROP_recv_originated) - before, 2);
	assert_int_equal(local_got, 5);
	/* MGROUP: delivered when received on a listed ifl, else dropped. */
	s = (struct nh_spec){ .family = 4, .type = RNH_MGROUP, .n_ifl = 2, .ifl_list = { 30, 31 } };
	nh = nh_get(&s);
	alloc_pkts(m, 4, 0);
	pkt_meta(m[0])->ifl_index = 30;
	pkt_meta(m[1])->ifl_index = 32;
	pkt_meta(m[2])->ifl_index = 31;
	pkt_meta(m[3])->ifl_index = 0;
	before = drops(DROP_mgroup_not_joined);
	nh->output(ctx, nh, m, 4, 0, NULL);
	assert_int_equal(local_got, 7);
	assert_int_equal(drops(DROP_mgroup_not_joined) - before, 2);
	nh_put(nh);
	/*
	 * MULTICAST with a local copy: delivered; each interface copy is made
	 * and counted, as these ifls do not exist (test_ip4.c / test_ip6.c
	 * send real ones).
	 */
	s = (struct nh_spec){ .family = 4, .type = RNH_MULTICAST, .n_ifl = 3, .ifl_list = { 6, 0, 5 } };
	nh = nh_get(&s);
	assert_int_equal(nh->ifl_list[0], 0);
	assert_int_equal(nh->ifl_list[2], 6);
	alloc_pkts(m, 2, 0);
	before = drops(DROP_mcast_bad_ifl);
	nh->output(ctx, nh, m, 2, NH_OUT_ORIGINATED, NULL);
	assert_int_equal(local_got, 9);
	assert_int_equal(local_flags, NH_OUT_ORIGINATED);
	assert_int_equal(drops(DROP_mcast_bad_ifl) - before, 4);
	nh_put(nh);
	/* Originated multicast / broadcast go where the metadata says; nowhere without it. */
	{
		const struct nh_out_meta none = { 0 }, gone = { 77 };

		before = drops(DROP_no_output_ifl);
		s = (struct nh_spec){ .family = 4, .type = RNH_MRECV };
		nh = nh_get(&s);
		alloc_pkts(m, 2, 0);
		nh->output(ctx, nh, m, 2, NH_OUT_ORIGINATED, &none);
		assert_int_equal(drops(DROP_no_output_ifl) - before, 2);
		before = drops(DROP_mcast_bad_ifl);
		alloc_pkts(m, 3, 0);
		nh->output(ctx, nh, m, 3, NH_OUT_ORIGINATED, &gone);
		assert_int_equal(drops(DROP_mcast_bad_ifl) - before, 3);
		assert_int_equal(local_got, 9);
		nh_put(nh);
	}
	assert_int_equal(nh_set_local_input(4, NULL), 0);

	/* RESOLV: to the resolver, or counted without one. */
	s = (struct nh_spec){ .family = 4, .type = RNH_RESOLV, .ifl_index = 40, .resolver = &rr.r };
	nh = nh_get(&s);
	alloc_pkts(m, 3, 0);
	nh->output(ctx, nh, m, 3, 0, NULL);
	assert_int_equal(rr.got, 3);
	assert_ptr_equal(rr.nh, nh);
	nh_put(nh);
	s.resolver = NULL;
	nh = nh_get(&s);
	before = drops(DROP_no_resolver);
	alloc_pkts(m, 2, 0);
	nh->output(ctx, nh, m, 2, 0, NULL);
	assert_int_equal(drops(DROP_no_resolver) - before, 2);
	nh_put(nh);
#undef OUT
}

static int
walk_cb(const struct nexthop *nh, void *arg)
{
	uint32_t *last = arg;

	assert_true(nh->index > *last);
	*last = nh->index;
	return 0;
}

static void
test_walk(void **state)
{
	struct nexthop *a = get_unicast(50, 1), *b = get_unicast(50, 2);
	unsigned before = nh_count();
	uint32_t last = 0;

	(void)state;
	assert_int_equal(nh_walk(0, walk_cb, &last), 0);
	assert_true(last >= b->index);
	nh_put(a);
	assert_int_equal(nh_count(), before - 1);
	nh_put(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sharing),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_hold_resolved),
		cmocka_unit_test(test_dead),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_walk),
	};
	int rc;

	test_eal_init("0", NULL);
	if (pkt_meta_register() < 0 || counters_init() < 0 || nh_init() < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test_nh", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	ctx = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof(*ctx), RTE_CACHE_LINE_SIZE));
	if (pool == NULL || ctx == NULL)
		return 1;
	memset(ctx, 0, sizeof(*ctx));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nh_fini();
	free(ctx);
	rte_mempool_free(pool);
	counters_fini();
	rte_eal_cleanup();
	return rc;
}
