/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_route.c: the route tables (src/dataplane/route.c):
 *   - permanent routes of both families: present, answering the forwarding
 *     lookup, undeletable;
 *   - every route-type rule: user replaces user, 0/0 user-ignore refused,
 *     perm refused, duplicates refused, preference order, ignored types
 *     skipped by forwarding lookups, change, source-specific keys;
 *   - instances: add, delete, refusals;
 *   - clone notifications (RTT_CLONE and RTT_IFCLONE parents);
 *   - next-hop resolution of user routes (UNICAST, HOLD, RESOLV, errors);
 *   - differential tests against a linear-scan reference of the whole
 *     table semantics (forwarding lookup with ignored types and (S,G)
 *     routes, constrained route lookups), every answer checked through
 *     route_fwd_lookup and through rt_fwd_lookup4_bulk / 6_bulk (the fib
 *     path), on the real tables of tests/data/rib and on random tables
 *     under random adds, changes and deletes;
 *   - resumable walks (route_walk_after from every cursor);
 *   - an RCU torture test at route level (see torture_reader).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <urcu-qsbr.h>

#include "dataplane/fib.h"
#include "dataplane/route.h"
#include "test_eal.h"

#ifndef ROUTE_RIB_DIR
#define ROUTE_RIB_DIR "tests/data/rib"
#endif

static const char *rib_dir = ROUTE_RIB_DIR;

/* A deterministic generator: the same tables on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- helpers ------------------------------------------------------------ */

static struct nexthop *
nh_unicast(int family, uint32_t ifl, uint32_t tag)
{
	struct nh_spec s = { .family = (uint8_t)family, .type = RNH_UNICAST, .ifl_index = ifl };

	memcpy(s.addr, &tag, sizeof(tag));
	s.addr[15] = 1;
	s.l2_len = 14;
	return nh_get(&s);
}

static struct nexthop *
nh_simple(int family, uint8_t type)
{
	struct nh_spec s = { .family = (uint8_t)family, .type = type };

	return nh_get(&s);
}

static struct route_key
key4(const char *dst, unsigned dlen, const char *src, unsigned slen)
{
	struct route_key k = { .family = 4, .dst_len = (uint8_t)dlen, .src_len = (uint8_t)slen };

	assert_int_equal(inet_pton(AF_INET, dst, k.dst), 1);
	if (src != NULL)
		assert_int_equal(inet_pton(AF_INET, src, k.src), 1);
	return k;
}

static struct route_key
key6(const char *dst, unsigned dlen)
{
	struct route_key k = { .family = 6, .dst_len = (uint8_t)dlen };

	assert_int_equal(inet_pton(AF_INET6, dst, k.dst), 1);
	return k;
}

static int
add(struct rt_table *t, struct route_key k, uint8_t type, uint32_t ifl, struct nexthop *nh)
{
	struct route_spec s = { .key = k, .type = type, .ifl_index = ifl, .nh = nh };
	const char *why;

	return route_add(t, &s, &why);
}

static const struct nexthop *
fwd4(struct rt_table *t, const char *dst, const char *src)
{
	uint8_t d[16] = { 0 }, s[16] = { 0 };
	struct route_info ri;
	uint32_t dh, sh, idx;

	assert_int_equal(inet_pton(AF_INET, dst, d), 1);
	if (src != NULL)
		assert_int_equal(inet_pton(AF_INET, src, s), 1);
	assert_int_equal(route_fwd_lookup(t, d, src != NULL ? s : NULL, &ri), 0);
	/* The fib path must agree. */
	memcpy(&dh, d, 4);
	memcpy(&sh, s, 4);
	dh = ntohl(dh);
	sh = ntohl(sh);
	rt_fwd_lookup4_bulk(t, &dh, src != NULL ? &sh : NULL, 0, &idx, 1);
	assert_int_equal(idx, ri.nh->index);
	return ri.nh;
}

static const struct nexthop *
fwd6(struct rt_table *t, const char *dst)
{
	uint8_t d[16];
	struct route_info ri;
	uint32_t idx;

	assert_int_equal(inet_pton(AF_INET6, dst, d), 1);
	assert_int_equal(route_fwd_lookup(t, d, NULL, &ri), 0);
	rt_fwd_lookup6_bulk(t, (const uint8_t(*)[16])d, NULL, 0, &idx, 1);
	assert_int_equal(idx, ri.nh->index);
	return ri.nh;
}

/* ---- permanent routes --------------------------------------------------- */

static int
count_cb(const struct route_info *r, void *arg)
{
	(void)r;
	(*(unsigned *)arg)++;
	return 0;
}

static void
test_perm_routes(void **state)
{
	struct rt_table *t4 = rt_table_get(0, 4), *t6 = rt_table_get(0, 6);
	const char *why;
	unsigned n = 0;
	struct route_key k;

	(void)state;
	assert_non_null(t4);
	assert_non_null(t6);
	assert_true(rt_inst_exists(0));
	assert_int_equal(route_walk(t4, count_cb, &n), 0);
	assert_int_equal(n, 6);
	n = 0;
	assert_int_equal(route_walk(t6, count_cb, &n), 0);
	assert_int_equal(n, 6);

	assert_int_equal(fwd4(t4, "198.51.100.7", NULL)->type, RNH_REJECT);
	assert_int_equal(fwd4(t4, "224.1.2.3", NULL)->type, RNH_MDISCARD);
	assert_int_equal(fwd4(t4, "239.255.255.255", NULL)->type, RNH_MDISCARD);
	assert_int_equal(fwd4(t4, "0.0.0.0", NULL)->type, RNH_RECV);
	assert_int_equal(fwd4(t4, "255.255.255.255", NULL)->type, RNH_BRECV);
	assert_int_equal(fwd4(t4, "224.0.0.1", NULL)->type, RNH_MRECV);
	assert_int_equal(fwd4(t4, "240.0.0.9", NULL)->type, RNH_DISCARD);
	assert_int_equal(fwd4(t4, "255.255.255.254", NULL)->type, RNH_DISCARD);

	assert_int_equal(fwd6(t6, "2001:db8::1")->type, RNH_REJECT);
	assert_int_equal(fwd6(t6, "ff0e::5")->type, RNH_MDISCARD);
	assert_int_equal(fwd6(t6, "ff02::1")->type, RNH_MRECV);
	assert_int_equal(fwd6(t6, "::")->type, RNH_DISCARD);
	assert_int_equal(fwd6(t6, "::1")->type, RNH_LOCAL);
	assert_int_equal(fwd6(t6, "::ffff:10.0.0.1")->type, RNH_DISCARD);

	k = key4("0.0.0.0", 0, NULL, 0);
	assert_int_equal(route_del(t4, &k, RTT_PERM, 0, &why), -EPERM);
	assert_non_null(why);
	k = key4("224.0.0.0", 4, NULL, 0);
	assert_int_equal(route_del(t4, &k, RTT_PERM, 0, &why), -EPERM);
	k = key6("ff00::", 8);
	assert_int_equal(route_del(t6, &k, RTT_PERM, 0, &why), -EPERM);
	/* Adding a perm route is refused too. */
	{
		struct nexthop *d = nh_simple(4, RNH_DISCARD);

		assert_int_equal(add(t4, key4("10.0.0.0", 8, NULL, 0), RTT_PERM, 0, d), -EINVAL);
		nh_put(d);
	}
	/* Still all there. */
	n = 0;
	route_walk(t4, count_cb, &n);
	assert_int_equal(n, 6);
}

/* ---- route type rules --------------------------------------------------- */

struct collect {
	unsigned n;
	struct route_info r[64];
};

static int
collect_cb(const struct route_info *r, void *arg)
{
	struct collect *c = arg;

	if (c->n < 64)
		c->r[c->n++] = *r;
	return 0;
}

static void
test_type_rules(void **state)
{
	struct rt_table *t;
	struct nexthop *a, *b, *c, *d;
	struct route_key k;
	struct collect col = { 0 };
	const char *why;

	(void)state;
	assert_int_equal(rt_inst_add(7), 0);
	t = rt_table_get(7, 4);
	a = nh_unicast(4, 3, 1);
	b = nh_unicast(4, 5, 2);
	c = nh_unicast(4, 7, 3);
	d = nh_unicast(4, 9, 4);

	/* 0/0 user-ignore refused; 0/0 user accepted and preferred over perm. */
	assert_int_equal(add(t, key4("0.0.0.0", 0, NULL, 0), RTT_USER_IGNORE, 0, a), -EINVAL);
	assert_int_equal(add(t, key4("0.0.0.0", 0, NULL, 0), RTT_USER, 0, a), 0);
	assert_ptr_equal(fwd4(t, "8.8.8.8", NULL), a);
	k = key4("0.0.0.0", 0, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(fwd4(t, "8.8.8.8", NULL)->type, RNH_REJECT);

	/* Preference order: type, then lower ifl_index. */
	k = key4("10.1.0.0", 16, NULL, 0);
	assert_int_equal(add(t, k, RTT_IFDEST, 5, b), 0);
	assert_int_equal(add(t, k, RTT_IF, 7, c), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), c);
	assert_int_equal(add(t, k, RTT_IF, 3, a), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), a);
	assert_int_equal(add(t, k, RTT_IF, 3, b), -EEXIST);
	assert_int_equal(add(t, k, RTT_USER, 0, d), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), d);
	route_walk_after(t, &k, 0, 0, collect_cb, &col);
	col.n = 0;
	route_walk(t, collect_cb, &col);
	{
		unsigned i = 0;

		while (i < col.n && !(col.r[i].key.dst_len == 16))
			i++;
		assert_true(i + 4 <= col.n);
		assert_int_equal(col.r[i].type, RTT_USER);
		assert_int_equal(col.r[i + 1].type, RTT_IF);
		assert_int_equal(col.r[i + 1].ifl_index, 3);
		assert_int_equal(col.r[i + 2].type, RTT_IF);
		assert_int_equal(col.r[i + 2].ifl_index, 7);
		assert_int_equal(col.r[i + 3].type, RTT_IFDEST);
	}

	/* A user route replaces the user route, ignored or not. */
	assert_int_equal(add(t, k, RTT_USER_IGNORE, 0, b), 0);
	col.n = 0;
	route_walk(t, collect_cb, &col);
	{
		unsigned users = 0;

		for (unsigned i = 0; i < col.n; i++)
			users += col.r[i].type == RTT_USER || col.r[i].type == RTT_USER_IGNORE;
		assert_int_equal(users, 1);
	}
	/* The ignored user route hides the interface routes: 10/8 answers. */
	assert_int_equal(add(t, key4("10.0.0.0", 8, NULL, 0), RTT_USER, 0, c), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), c);
	/* ... but route lookups still find them. */
	{
		uint8_t dst[16] = { 10, 1, 2, 3 };
		struct route_match m = { .type_mask = 1u << RTT_IF };
		struct route_info ri;

		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), 0);
		assert_int_equal(ri.ifl_index, 3);
		m.ifl_index = 7;
		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), 0);
		assert_ptr_equal(ri.nh, c);
		m.ifl_index = 8;
		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), -ENOENT);
		m = (struct route_match){ .exact = true, .dst_len = 8 };
		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), 0);
		assert_int_equal(ri.key.dst_len, 8);
		m = (struct route_match){ .exact = true, .dst_len = 12 };
		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), -ENOENT);
		m = (struct route_match){ .type_mask = 1u << RTT_USER_IGNORE };
		assert_int_equal(route_lookup(t, dst, NULL, &m, &ri), 0);
		assert_int_equal(ri.type, RTT_USER_IGNORE);
	}
	/* user-ignore back to user: forwarding uses it again. */
	assert_int_equal(add(t, k, RTT_USER, 0, d), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), d);

	/* Change: next hop swapped in place, refcounts follow. */
	{
		struct route_spec s = { .key = k, .type = RTT_USER, .nh = a };
		uint32_t ra = nh_refcnt(a), rd = nh_refcnt(d);

		assert_int_equal(route_change(t, &s, &why), 0);
		assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), a);
		assert_int_equal(nh_refcnt(a), ra + 1);
		assert_int_equal(nh_refcnt(d), rd - 1);
		s.key = key4("10.9.0.0", 16, NULL, 0);
		assert_int_equal(route_change(t, &s, &why), -ENOENT);
		s.key = key4("0.0.0.0", 0, NULL, 0);
		s.type = RTT_PERM;
		assert_int_equal(route_change(t, &s, &why), -EPERM);
	}

	/* Deleting: user ignores ifl, others need (type, ifl). */
	assert_int_equal(route_del(t, &k, RTT_USER, 99, &why), 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), -ENOENT);
	assert_int_equal(route_del(t, &k, RTT_IF, 5, &why), -ENOENT);
	assert_int_equal(route_del(t, &k, RTT_IF, 3, &why), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), c);
	assert_int_equal(route_del(t, &k, RTT_IF, 7, &why), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), b);
	assert_int_equal(route_del(t, &k, RTT_IFDEST, 5, &why), 0);
	assert_ptr_equal(fwd4(t, "10.1.2.3", NULL), c);

	/* RTT_LOCAL, a later value, ranks between RTT_PERM and RTT_IF. */
	k = key4("10.7.0.1", 32, NULL, 0);
	assert_int_equal(add(t, k, RTT_IF, 3, a), 0);
	assert_int_equal(add(t, k, RTT_LOCAL, 9, b), 0);
	assert_ptr_equal(fwd4(t, "10.7.0.1", NULL), b);
	assert_int_equal(add(t, k, RTT_IFDEST, 1, d), 0);
	assert_ptr_equal(fwd4(t, "10.7.0.1", NULL), b);
	assert_int_equal(add(t, k, RTT_USER, 0, c), 0);
	assert_ptr_equal(fwd4(t, "10.7.0.1", NULL), c);
	col.n = 0;
	route_walk(t, collect_cb, &col);
	{
		unsigned i = 0;

		while (i < col.n && !(col.r[i].key.dst_len == 32 && col.r[i].key.dst[1] == 7))
			i++;
		assert_true(i + 4 <= col.n);
		assert_int_equal(col.r[i].type, RTT_USER);
		assert_int_equal(col.r[i + 1].type, RTT_LOCAL);
		assert_int_equal(col.r[i + 2].type, RTT_IF);
		assert_int_equal(col.r[i + 3].type, RTT_IFDEST);
	}
	assert_string_equal(rtt_name(RTT_LOCAL), "local");
	assert_true(rtt_pref(RTT_PERM) < rtt_pref(RTT_LOCAL) && rtt_pref(RTT_LOCAL) < rtt_pref(RTT_IF));
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(route_del(t, &k, RTT_LOCAL, 9, &why), 0);
	assert_ptr_equal(fwd4(t, "10.7.0.1", NULL), a);
	assert_int_equal(route_del(t, &k, RTT_IF, 3, &why), 0);
	assert_int_equal(route_del(t, &k, RTT_IFDEST, 1, &why), 0);

	/* Bad keys. */
	assert_int_equal(add(t, key4("10.0.0.0", 33, NULL, 0), RTT_USER, 0, a), -EINVAL);
	assert_int_equal(add(t, key4("232.1.1.1", 24, "10.0.0.0", 8), RTT_USER, 0, a), -EINVAL);
	{
		struct nexthop *six = nh_simple(6, RNH_DISCARD);

		assert_int_equal(add(t, key4("10.0.0.0", 9, NULL, 0), RTT_USER, 0, six), -EINVAL);
		nh_put(six);
	}
	assert_int_equal(add(t, key4("10.0.0.0", 9, NULL, 0), RTT_USER, 0, NULL), -EINVAL);

	/* (S,G): a full group plus a source prefix, second stage only there. */
	assert_int_equal(add(t, key4("232.1.1.1", 32, "192.0.2.0", 24), RTT_USER, 0, a), 0);
	assert_int_equal(add(t, key4("232.1.1.1", 32, "192.0.2.128", 25), RTT_USER, 0, b), 0);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "192.0.2.1"), a);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "192.0.2.200"), b);
	assert_int_equal(fwd4(t, "232.1.1.1", "198.51.100.1")->type, RNH_MDISCARD);
	assert_int_equal(fwd4(t, "232.1.1.1", NULL)->type, RNH_MDISCARD);
	/* A <G><::/0> route becomes the fallback of unmatched sources. */
	assert_int_equal(add(t, key4("232.1.1.1", 32, NULL, 0), RTT_USER, 0, c), 0);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "198.51.100.1"), c);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "192.0.2.1"), a);
	/* Ignored (S,G) route: the shorter source prefix answers. */
	assert_int_equal(add(t, key4("232.1.1.1", 32, "192.0.2.128", 25), RTT_USER_IGNORE, 0, b), 0);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "192.0.2.200"), a);
	/* A covering route change reaches groups that fall back to it. */
	assert_int_equal(add(t, key4("232.0.0.0", 8, NULL, 0), RTT_USER, 0, d), 0);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "198.51.100.1"), c);
	k = key4("232.1.1.1", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_ptr_equal(fwd4(t, "232.1.1.1", "198.51.100.1"), d);
	k = key4("232.0.0.0", 8, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(fwd4(t, "232.1.1.1", "198.51.100.1")->type, RNH_MDISCARD);
	k = key4("232.1.1.1", 32, "192.0.2.0", 24);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	k = key4("232.1.1.1", 32, "192.0.2.128", 25);
	assert_int_equal(route_del(t, &k, RTT_USER_IGNORE, 0, &why), 0);
	assert_int_equal(fwd4(t, "232.1.1.1", "192.0.2.1")->type, RNH_MDISCARD);

	assert_int_equal(rt_inst_del(7), 0);
	nh_put(a);
	nh_put(b);
	nh_put(c);
	nh_put(d);
}

/* ---- route flags on the packet path -------------------------------------- */

/* The bulk lookup's answer for one IPv4 packet from @src to @dst received on @in. */
static uint32_t
bulk4(const struct rt_table *t, const char *dst, const char *src, uint32_t in)
{
	uint8_t d[4], sa[4];
	uint32_t dh, sh, v;

	assert_int_equal(inet_pton(AF_INET, dst, d), 1);
	memcpy(&dh, d, 4);
	dh = ntohl(dh);
	if (src != NULL) {
		assert_int_equal(inet_pton(AF_INET, src, sa), 1);
		memcpy(&sh, sa, 4);
		sh = ntohl(sh);
	}
	rt_fwd_lookup4_bulk(t, &dh, src != NULL ? &sh : NULL, in, &v, 1);
	return v;
}

static int
addf(struct rt_table *t, struct route_key k, uint16_t flags, uint32_t ifl, struct nexthop *nh)
{
	struct route_spec s = { .key = k, .type = RTT_USER, .flags = flags, .ifl_index = ifl,
				.nh = nh };
	const char *why;

	return route_add(t, &s, &why);
}

static void
test_flags(void **state)
{
	struct rt_table *t, *t6;
	struct nexthop *a, *b, *c;
	struct route_key k;
	const char *why;
	size_t prefixes;

	(void)state;
	/* The checks themselves (paper 1188-1205). */
	assert_int_equal(rt_flags_verdict(0, 0, 7), 0);
	assert_int_equal(rt_flags_verdict(RTF_IFCHECK, 7, 7), 0);
	assert_int_equal(rt_flags_verdict(RTF_IFCHECK, 7, 8), RT_FWD_IFCHECK);
	assert_int_equal(rt_flags_verdict(RTF_IFCHECK, 7, 0), RT_FWD_IFCHECK);
	assert_int_equal(rt_flags_verdict(RTF_LOCAL, 0, 0), 0);
	assert_int_equal(rt_flags_verdict(RTF_LOCAL, 0, 3), RT_FWD_LOCAL_ONLY);
	assert_int_equal(rt_flags_verdict(RTF_SCOPE, 0, 3), 0);
	assert_int_equal(rt_fwd_drop_reason(RT_FWD_IFCHECK), DROP_rt_ifcheck);
	assert_int_equal(rt_fwd_drop_reason(RT_FWD_LOCAL_ONLY), DROP_rt_local_only);
	assert_int_equal(rt_fwd_drop_reason(NH_INDEX_MAX + 5), DROP_no_nexthop);
	assert_null(nh_by_index(RT_FWD_IFCHECK));
	assert_null(nh_by_index(RT_FWD_LOCAL_ONLY));

	assert_int_equal(rt_inst_add(9), 0);
	t = rt_table_get(9, 4);
	t6 = rt_table_get(9, 6);
	a = nh_unicast(4, 3, 71);
	b = nh_unicast(4, 4, 72);
	c = nh_unicast(4, 5, 73);
	prefixes = fib_count(rt_table_fib(t));

	/* Refused: RTF_IFCHECK without an ifl, unknown flags; nothing added. */
	assert_int_equal(addf(t, key4("10.5.0.0", 16, NULL, 0), RTF_IFCHECK, 0, a), -EINVAL);
	assert_int_equal(addf(t, key4("10.5.0.0", 16, NULL, 0), 0x8, 0, a), -EINVAL);
	assert_int_equal(fib_count(rt_table_fib(t)), prefixes);

	/* RTF_LOCAL: originated passes, received refused, whatever the ifl. */
	assert_int_equal(addf(t, key4("10.5.0.0", 16, NULL, 0), RTF_LOCAL, 0, a), 0);
	assert_int_equal(bulk4(t, "10.5.1.1", NULL, 0), a->index);
	assert_int_equal(bulk4(t, "10.5.1.1", NULL, 3), RT_FWD_LOCAL_ONLY);
	/* A more specific route without flags is not affected. */
	assert_int_equal(addf(t, key4("10.5.9.0", 24, NULL, 0), 0, 0, b), 0);
	assert_int_equal(bulk4(t, "10.5.9.1", NULL, 3), b->index);

	/* RTF_IFCHECK on a (*,G) route: only from its ifl. */
	k = key4("232.1.1.1", 32, NULL, 0);
	assert_int_equal(addf(t, k, RTF_IFCHECK, 7, c), 0);
	assert_int_equal(bulk4(t, "232.1.1.1", "10.0.0.1", 7), c->index);
	assert_int_equal(bulk4(t, "232.1.1.1", "10.0.0.1", 8), RT_FWD_IFCHECK);
	assert_int_equal(bulk4(t, "232.1.1.1", NULL, 0), RT_FWD_IFCHECK);
	/* Both flags: nothing passes; the IFCHECK reason first. */
	assert_int_equal(addf(t, k, RTF_IFCHECK | RTF_LOCAL, 7, c), 0);
	assert_int_equal(bulk4(t, "232.1.1.1", NULL, 7), RT_FWD_LOCAL_ONLY);
	assert_int_equal(bulk4(t, "232.1.1.1", NULL, 0), RT_FWD_IFCHECK);
	/* Change to another ifl: the user route's ifl follows. */
	{
		struct route_spec cs = { .key = k, .type = RTT_USER, .flags = RTF_IFCHECK,
					 .ifl_index = 9, .nh = c };
		struct route_info ri;
		uint8_t g[16] = { 232, 1, 1, 1 };

		assert_int_equal(route_change(t, &cs, &why), 0);
		assert_int_equal(bulk4(t, "232.1.1.1", NULL, 9), c->index);
		assert_int_equal(bulk4(t, "232.1.1.1", NULL, 7), RT_FWD_IFCHECK);
		assert_int_equal(route_fwd_lookup(t, g, NULL, &ri), 0);
		assert_int_equal(ri.flags, RTF_IFCHECK);
		assert_int_equal(ri.ifl_index, 9);
		cs.ifl_index = 0;
		assert_int_equal(route_change(t, &cs, &why), -EINVAL);
		assert_int_equal(bulk4(t, "232.1.1.1", NULL, 9), c->index);
	}

	/* (S,G) under it: each decision checks its own route's ifl. */
	assert_int_equal(addf(t, key4("232.1.1.1", 32, "192.0.2.0", 24), RTF_IFCHECK, 4, b), 0);
	assert_int_equal(bulk4(t, "232.1.1.1", "192.0.2.9", 4), b->index);
	assert_int_equal(bulk4(t, "232.1.1.1", "192.0.2.9", 9), RT_FWD_IFCHECK);
	assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 9), c->index);
	assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 4), RT_FWD_IFCHECK);
	/* Without the (*,G) route the covering prefix answers, with its own flags. */
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 4), fwd4(t, "232.1.1.1", NULL)->index);
	assert_int_equal(addf(t, key4("232.0.0.0", 8, NULL, 0), RTF_IFCHECK, 6, a), 0);
	assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 6), a->index);
	assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 4), RT_FWD_IFCHECK);
	assert_int_equal(bulk4(t, "232.1.1.1", "192.0.2.9", 4), b->index);
	{
		struct route_spec cs = { .key = key4("232.0.0.0", 8, NULL, 0), .type = RTT_USER,
					 .nh = a };

		/* Flags off at the covering prefix: the fallback follows. */
		assert_int_equal(route_change(t, &cs, &why), 0);
		assert_int_equal(bulk4(t, "232.1.1.1", "198.51.100.1", 4), a->index);
		assert_int_equal(bulk4(t, "232.2.2.2", NULL, 4), a->index);
	}

	/* A burst mixing all of it: each packet its own answer. */
	{
		const char *dsts[6] = { "10.5.1.1", "10.9.9.9", "232.1.1.1", "232.1.1.1", "10.5.9.1",
					"198.51.100.1" };
		const char *srcs[6] = { "1.1.1.1", "1.1.1.1", "192.0.2.9", "198.51.100.1",
					"1.1.1.1", "1.1.1.1" };
		uint32_t dh[6], sh[6], v[6];

		for (unsigned i = 0; i < 6; i++) {
			uint8_t x[4];

			inet_pton(AF_INET, dsts[i], x);
			memcpy(&dh[i], x, 4);
			dh[i] = ntohl(dh[i]);
			inet_pton(AF_INET, srcs[i], x);
			memcpy(&sh[i], x, 4);
			sh[i] = ntohl(sh[i]);
		}
		rt_fwd_lookup4_bulk(t, dh, sh, 4, v, 6);
		assert_int_equal(v[0], RT_FWD_LOCAL_ONLY);
		assert_int_equal(v[1], fwd4(t, "10.9.9.9", NULL)->index);
		assert_int_equal(v[2], b->index);
		assert_int_equal(v[3], a->index);
		assert_int_equal(v[4], b->index);
		assert_int_equal(v[5], fwd4(t, "198.51.100.1", NULL)->index);
	}

	/* Flags gone: a plain value again, the stage slot retired. */
	assert_int_equal(addf(t, key4("10.5.0.0", 16, NULL, 0), 0, 0, a), 0);
	assert_int_equal(bulk4(t, "10.5.1.1", NULL, 3), a->index);

	/* IPv6: ::1 (permanent, RTF_LOCAL) only for packets originated here. */
	{
		uint8_t lo[16] = { [15] = 1 };
		uint32_t v;

		rt_fwd_lookup6_bulk(t6, (const uint8_t(*)[16])lo, NULL, 0, &v, 1);
		assert_int_equal(v, fwd6(t6, "::1")->index);
		assert_int_equal(fwd6(t6, "::1")->type, RNH_LOCAL);
		rt_fwd_lookup6_bulk(t6, (const uint8_t(*)[16])lo, NULL, 3, &v, 1);
		assert_int_equal(v, RT_FWD_LOCAL_ONLY);
	}
	assert_int_equal(rt_inst_del(9), 0);
	nh_put(a);
	nh_put(b);
	nh_put(c);
}

/* ---- instances ---------------------------------------------------------- */

static void
test_instances(void **state)
{
	struct nexthop *a;

	(void)state;
	assert_int_equal(rt_inst_add(0), -EEXIST);
	assert_int_equal(rt_inst_add(RT_INST_MAX), -EINVAL);
	assert_int_equal(rt_inst_del(0), -EINVAL);
	assert_int_equal(rt_inst_del(5), -ENOENT);
	assert_false(rt_inst_exists(5));
	assert_int_equal(rt_inst_add(5), 0);
	assert_true(rt_inst_exists(5));
	assert_non_null(rt_table_get(5, 4));
	assert_non_null(rt_table_get(5, 6));
	assert_null(rt_table_get(5, 5));
	assert_int_equal(rt_inst_add(5), -EEXIST);
	/* Interface routes keep it in use. */
	a = nh_unicast(4, 11, 1);
	assert_int_equal(add(rt_table_get(5, 4), key4("10.0.0.0", 8, NULL, 0), RTT_IF, 11, a), 0);
	assert_int_equal(add(rt_table_get(5, 4), key4("10.2.0.0", 16, NULL, 0), RTT_USER, 0, a), 0);
	assert_int_equal(nh_refcnt(a), 3);
	assert_int_equal(rt_inst_del(5), -EBUSY);
	{
		struct route_key k = key4("10.0.0.0", 8, NULL, 0);
		const char *why;

		assert_int_equal(route_del(rt_table_get(5, 4), &k, RTT_IF, 11, &why), 0);
	}
	assert_int_equal(rt_inst_del(5), 0);
	assert_false(rt_inst_exists(5));
	assert_null(rt_table_get(5, 4));
	/* Its routes dropped their references. */
	assert_int_equal(nh_refcnt(a), 1);
	nh_put(a);
	assert_int_equal(rt_inst_add(RT_INST_MAX - 1), 0);
	assert_int_equal(rt_inst_del(RT_INST_MAX - 1), 0);
}

/* ---- clones ------------------------------------------------------------- */

struct clone_rec {
	struct route_clone_owner o;
	unsigned calls;
	struct route_key last;
};

static void
clone_changed(struct route_clone_owner *o, const struct route_key *k)
{
	struct clone_rec *c = (struct clone_rec *)o;

	c->calls++;
	c->last = *k;
}

static void
test_clones(void **state)
{
	struct clone_rec cl = { .o = { clone_changed } }, icl = { .o = { clone_changed } };
	struct route_spec s;
	struct rt_table *t;
	struct nexthop *a, *b, *c, *mg;
	struct route_key k;
	const char *why;

	(void)state;
	assert_int_equal(rt_inst_add(8), 0);
	t = rt_table_get(8, 4);
	a = nh_unicast(4, 3, 1);
	b = nh_unicast(4, 5, 2);
	c = nh_unicast(4, 7, 3);
	{
		struct nh_spec ms = { .family = 4, .type = RNH_MGROUP, .n_ifl = 1, .ifl_list = { 3 } };

		mg = nh_get(&ms);
		assert_non_null(mg);
	}
	/* A group join: clone route at 239.1.1.1/32, parent 224/4 (perm MDISCARD). */
	s = (struct route_spec){ .key = key4("239.1.1.1", 32, NULL, 0), .type = RTT_CLONE,
				 .nh = mg, .owner = &cl.o };
	assert_int_equal(route_add(t, &s, &why), 0);
	assert_int_equal(cl.calls, 0);
	assert_ptr_equal(fwd4(t, "239.1.1.1", NULL), mg);
	/* Becoming a multicast router: a new 224/4 route -> the clone hears. */
	assert_int_equal(add(t, key4("224.0.0.0", 4, NULL, 0), RTT_USER, 0, a), 0);
	assert_int_equal(cl.calls, 1);
	assert_memory_equal(cl.last.dst, "\xef\x01\x01\x01", 4);
	/* A change elsewhere: no call. */
	assert_int_equal(add(t, key4("10.0.0.0", 8, NULL, 0), RTT_USER, 0, a), 0);
	assert_int_equal(add(t, key4("239.2.0.0", 16, NULL, 0), RTT_USER, 0, a), 0);
	assert_int_equal(cl.calls, 1);
	/* A more specific parent appears, then its next hop changes. */
	assert_int_equal(add(t, key4("239.1.0.0", 16, NULL, 0), RTT_USER, 0, b), 0);
	assert_int_equal(cl.calls, 2);
	assert_int_equal(add(t, key4("239.1.0.0", 16, NULL, 0), RTT_USER, 0, c), 0);
	assert_int_equal(cl.calls, 3);
	/* A user route at the clone's own key is its parent; removing it too. */
	assert_int_equal(add(t, key4("239.1.1.1", 32, NULL, 0), RTT_USER, 0, b), 0);
	assert_int_equal(cl.calls, 4);
	assert_ptr_equal(fwd4(t, "239.1.1.1", NULL), b);
	k = key4("239.1.1.1", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(cl.calls, 5);
	k = key4("239.1.0.0", 16, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	assert_int_equal(cl.calls, 6);

	/* IFCLONE: only interface routes are parents. */
	s = (struct route_spec){ .key = key4("192.0.2.77", 32, NULL, 0), .type = RTT_IFCLONE,
				 .nh = a, .owner = &icl.o };
	assert_int_equal(route_add(t, &s, &why), 0);
	assert_int_equal(add(t, key4("192.0.0.0", 8, NULL, 0), RTT_USER, 0, b), 0);
	assert_int_equal(icl.calls, 0);
	assert_int_equal(add(t, key4("192.0.2.0", 24, NULL, 0), RTT_IF, 4, c), 0);
	assert_int_equal(icl.calls, 1);
	assert_int_equal(add(t, key4("192.0.2.64", 26, NULL, 0), RTT_USER, 0, b), 0);
	assert_int_equal(icl.calls, 1);
	assert_int_equal(add(t, key4("192.0.2.77", 32, NULL, 0), RTT_IFDEST, 4, b), 0);
	assert_int_equal(icl.calls, 2);
	k = key4("192.0.2.77", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IFDEST, 4, &why), 0);
	assert_int_equal(icl.calls, 3);
	/* The clone itself goes: no more calls. */
	assert_int_equal(route_del(t, &k, RTT_IFCLONE, 0, &why), 0);
	k = key4("192.0.2.0", 24, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IF, 4, &why), 0);
	assert_int_equal(icl.calls, 3);

	assert_int_equal(rt_inst_del(8), 0);
	nh_put(a);
	nh_put(b);
	nh_put(c);
	nh_put(mg);
}

/* ---- next-hop resolution ------------------------------------------------ */

static void
test_resolution(void **state)
{
	struct rt_table *t = rt_table_get(0, 4);
	struct nh_spec rs = { .family = 4, .type = RNH_RESOLV, .ifl_index = 7 };
	struct nh_spec ls = { .family = 4, .type = RNH_LOCAL, .ifl_index = 7 };
	struct nh_spec bs = { .family = 4, .type = RNH_BRECV };
	struct nexthop *resolv, *local, *brecv, *uni, *nh, *nh2;
	uint8_t gw[16] = { 192, 0, 2, 1 };
	struct route_key k;
	const char *why;

	(void)state;
	resolv = nh_get(&rs);
	memcpy(ls.addr, "\xc0\x00\x02\x0a", 4);
	local = nh_get(&ls);
	brecv = nh_get(&bs);
	uni = nh_unicast(4, 7, 9);
	assert_int_equal(add(t, key4("192.0.2.0", 24, NULL, 0), RTT_IF, 7, resolv), 0);
	assert_int_equal(add(t, key4("192.0.2.10", 32, NULL, 0), RTT_IF, 7, local), 0);
	assert_int_equal(add(t, key4("192.0.2.255", 32, NULL, 0), RTT_IF, 7, brecv), 0);

	/* Not on any subnet. */
	assert_int_equal(route_nh_resolve(t, (const uint8_t *)"\xc6\x33\x64\x01", 0, &nh, &why),
			 -ENETUNREACH);
	assert_non_null(why);
	/* A user route at 198.51.100/24 does not make it a connected subnet. */
	assert_int_equal(add(t, key4("198.51.100.0", 24, NULL, 0), RTT_USER, 0, uni), 0);
	assert_int_equal(route_nh_resolve(t, (const uint8_t *)"\xc6\x33\x64\x01", 0, &nh, &why),
			 -ENETUNREACH);
	/* RESOLV: a HOLD next hop for the neighbour, shared by later routes. */
	assert_int_equal(route_nh_resolve(t, gw, 0, &nh, &why), 0);
	assert_int_equal(nh->type, RNH_HOLD);
	assert_int_equal(nh->ifl_index, 7);
	assert_memory_equal(nh->addr, gw, 4);
	assert_int_equal(route_nh_resolve(t, gw, 7, &nh2, &why), 0);
	assert_ptr_equal(nh, nh2);
	assert_int_equal(nh_refcnt(nh), 2);
	nh_put(nh2);
	/* Constrained to another interface: not connected there. */
	assert_int_equal(route_nh_resolve(t, gw, 8, &nh2, &why), -ENETUNREACH);
	/* The neighbour's host route (RTT_IFDEST) with a UNICAST next hop is taken as is. */
	assert_int_equal(add(t, key4("192.0.2.1", 32, NULL, 0), RTT_IFDEST, 7, uni), 0);
	assert_int_equal(route_nh_resolve(t, gw, 0, &nh2, &why), 0);
	assert_ptr_equal(nh2, uni);
	nh_put(nh2);
	/* A HOLD next hop in an IFDEST route is taken as is too. */
	k = key4("192.0.2.1", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IFDEST, 7, &why), 0);
	assert_int_equal(add(t, k, RTT_IFDEST, 7, nh), 0);
	assert_int_equal(route_nh_resolve(t, gw, 0, &nh2, &why), 0);
	assert_ptr_equal(nh2, nh);
	nh_put(nh2);
	assert_int_equal(route_del(t, &k, RTT_IFDEST, 7, &why), 0);
	/* Our own address and the broadcast address are not gateways. */
	assert_int_equal(route_nh_resolve(t, (const uint8_t *)"\xc0\x00\x02\x0a", 0, &nh2, &why),
			 -EINVAL);
	assert_int_equal(route_nh_resolve(t, (const uint8_t *)"\xc0\x00\x02\xff", 0, &nh2, &why),
			 -EINVAL);
	/* Interface gone: its next hops turn DEAD, routes keep them. */
	assert_int_equal(add(t, key4("203.0.113.0", 24, NULL, 0), RTT_USER, 0, nh), 0);
	assert_int_equal(nh_ifl_gone(7), 4); /* resolv, local, uni, hold */
	assert_int_equal(nh->type, RNH_DEAD);
	assert_int_equal(resolv->type, RNH_DEAD);
	assert_int_equal(fwd4(t, "203.0.113.5", NULL)->type, RNH_DEAD);
	assert_int_equal(route_nh_resolve(t, gw, 0, &nh2, &why), -ENETUNREACH);
	assert_int_equal(nh_ifl_gone(7), 0);

	k = key4("203.0.113.0", 24, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	k = key4("198.51.100.0", 24, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	k = key4("192.0.2.0", 24, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IF, 7, &why), 0);
	k = key4("192.0.2.10", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IF, 7, &why), 0);
	k = key4("192.0.2.255", 32, NULL, 0);
	assert_int_equal(route_del(t, &k, RTT_IF, 7, &why), 0);
	nh_put(nh);
	nh_put(resolv);
	nh_put(local);
	nh_put(brecv);
	nh_put(uni);
}

/* ---- the reference ------------------------------------------------------ */

typedef unsigned __int128 u128;

struct ref_route {
	u128 dst, src;
	uint8_t dlen, slen, type;
	uint16_t flags;
	uint32_t ifl;
	const struct nexthop *nh;
};

struct ref {
	struct ref_route *r;
	size_t n, cap;
	int family;
};

static u128
len_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

static u128
b2k(const uint8_t *b, int family)
{
	unsigned nb = family == 4 ? 4 : 16;
	u128 k = 0;

	for (unsigned i = 0; i < nb; i++)
		k |= (u128)b[i] << (120 - 8 * i);
	return k;
}

static void
k2b(u128 k, uint8_t *b)
{
	memset(b, 0, 16);
	for (unsigned i = 0; i < 16; i++)
		b[i] = (uint8_t)(k >> (120 - 8 * i));
}

static bool
ref_ignored(uint8_t type)
{
	return type == RTT_USER_IGNORE || type == RTT_CLONE_IGNORE || type == RTT_IFCLONE_IGNORE;
}

/* Is route a better answer than b: longer key, then type, then ifl. */
static bool
ref_better(const struct ref_route *a, const struct ref_route *b)
{
	if (b == NULL)
		return true;
	if (a->dlen != b->dlen)
		return a->dlen > b->dlen;
	if (a->slen != b->slen)
		return a->slen > b->slen;
	if (a->type != b->type)
		return rtt_pref(a->type) < rtt_pref(b->type);
	return a->ifl < b->ifl;
}

static const struct ref_route *
ref_lookup(const struct ref *rf, u128 dst, const u128 *src, uint32_t type_mask, uint32_t ifl,
	   int exact_len)
{
	const struct ref_route *best = NULL;

	for (size_t i = 0; i < rf->n; i++) {
		const struct ref_route *r = &rf->r[i];

		if (!((type_mask >> r->type) & 1) || (ifl != 0 && r->ifl != ifl))
			continue;
		if (exact_len >= 0 && r->dlen != exact_len)
			continue;
		if ((dst & len_mask(r->dlen)) != r->dst)
			continue;
		if (r->slen > 0 && (src == NULL || (*src & len_mask(r->slen)) != r->src))
			continue;
		if (ref_better(r, best))
			best = r;
	}
	return best;
}

/*
 * Forwarding: among the keys covering (dst, src), the longest whose most
 * preferred route is not of an ignored type; that route.
 */
static const struct ref_route *
ref_fwd(const struct ref *rf, u128 dst, const u128 *src)
{
	const struct ref_route *cover[512], *best = NULL;
	unsigned nc = 0;

	for (size_t i = 0; i < rf->n; i++) {
		const struct ref_route *r = &rf->r[i];

		if ((dst & len_mask(r->dlen)) != r->dst)
			continue;
		if (r->slen > 0 && (src == NULL || (*src & len_mask(r->slen)) != r->src))
			continue;
		assert_true(nc < 512);
		cover[nc++] = r;
	}
	for (unsigned i = 0; i < nc; i++) {
		const struct ref_route *r = cover[i];
		bool top = true;

		if (ref_ignored(r->type))
			continue;
		for (unsigned j = 0; j < nc && top; j++) {
			const struct ref_route *o = cover[j];

			if (o->dst == r->dst && o->dlen == r->dlen && o->src == r->src &&
			    o->slen == r->slen &&
			    (rtt_pref(o->type) < rtt_pref(r->type) ||
			     (o->type == r->type && o->ifl < r->ifl)))
				top = false;
		}
		if (top && ref_better(r, best))
			best = r;
	}
	return best;
}

static int
ref_fill_cb(const struct route_info *r, void *arg)
{
	struct ref *rf = arg;

	if (rf->n == rf->cap) {
		rf->cap = rf->cap ? rf->cap * 2 : 1024;
		rf->r = realloc(rf->r, rf->cap * sizeof(*rf->r));
		assert_non_null(rf->r);
	}
	rf->r[rf->n++] = (struct ref_route){
		.dst = b2k(r->key.dst, rf->family), .src = b2k(r->key.src, rf->family),
		.dlen = r->key.dst_len, .slen = r->key.src_len, .type = r->type,
		.flags = r->flags, .ifl = r->ifl_index, .nh = r->nh,
	};
	return 0;
}

static void
ref_push(struct ref *rf, const struct ref_route *r)
{
	if (rf->n == rf->cap) {
		rf->cap = rf->cap ? rf->cap * 2 : 1024;
		rf->r = realloc(rf->r, rf->cap * sizeof(*rf->r));
		assert_non_null(rf->r);
	}
	rf->r[rf->n++] = *r;
}

/*
 * The reference is built from the table's own walk plus what the test
 * added (ref_add/ref_del mirror every change), so both start equal.
 */
static void
ref_from_table(struct ref *rf, const struct rt_table *t, int family)
{
	rf->n = 0;
	rf->family = family;
	route_walk(t, ref_fill_cb, rf);
}

static struct ref_route *
ref_find(struct ref *rf, const struct ref_route *k, bool user)
{
	for (size_t i = 0; i < rf->n; i++) {
		struct ref_route *r = &rf->r[i];

		if (r->dst != k->dst || r->dlen != k->dlen || r->src != k->src || r->slen != k->slen)
			continue;
		if (user ? (r->type == RTT_USER || r->type == RTT_USER_IGNORE)
			 : (r->type == k->type && r->ifl == k->ifl))
			return r;
	}
	return NULL;
}

/* Check one address against the reference through every lookup path. */
static void
check_addr(const struct rt_table *t, const struct ref *rf, u128 dst, const u128 *src)
{
	const struct ref_route *want = ref_fwd(rf, dst, src);
	uint8_t d[16], s[16];
	struct route_info ri;
	uint32_t idx;

	k2b(dst, d);
	if (src != NULL)
		k2b(*src, s);
	assert_non_null(want);
	assert_int_equal(route_fwd_lookup(t, d, src != NULL ? s : NULL, &ri), 0);
	if (ri.nh != want->nh || ri.key.dst_len != want->dlen || ri.key.src_len != want->slen ||
	    ri.type != want->type) {
		char a[64], b[64];

		inet_ntop(rf->family == 4 ? AF_INET : AF_INET6, d, a, sizeof(a));
		inet_ntop(rf->family == 4 ? AF_INET : AF_INET6, s, b, sizeof(b));
		fail_msg("fwd %s from %s: got /%u,/%u type %u nh %u, want /%u,/%u type %u nh %u", a,
			 src != NULL ? b : "-", ri.key.dst_len, ri.key.src_len, ri.type,
			 ri.nh->index, want->dlen, want->slen, want->type, want->nh->index);
	}
	assert_int_equal(ri.flags, want->flags);
	/* The fib path, from three incoming ifls: originated, the route's, another. */
	for (unsigned w = 0; w < 3; w++) {
		uint32_t in = w == 0 ? 0 : w == 1 ? want->ifl : want->ifl + 1;
		uint32_t verdict = rt_flags_verdict(want->flags, want->ifl, in);

		if (rf->family == 4) {
			uint32_t dh = (uint32_t)(dst >> 96), sh = src != NULL ? (uint32_t)(*src >> 96) : 0;

			rt_fwd_lookup4_bulk(t, &dh, src != NULL ? &sh : NULL, in, &idx, 1);
		} else {
			rt_fwd_lookup6_bulk(t, (const uint8_t(*)[16])d,
					    src != NULL ? (const uint8_t(*)[16])s : NULL, in, &idx, 1);
		}
		assert_int_equal(idx, verdict != 0 ? verdict : want->nh->index);
	}
}

/* A constrained route lookup against the reference. */
static void
check_constrained(const struct rt_table *t, const struct ref *rf, u128 dst, const u128 *src,
		  uint32_t type_mask, uint32_t ifl, int exact_len)
{
	struct route_match m = { .type_mask = type_mask, .ifl_index = ifl };
	const struct ref_route *want;
	uint8_t d[16], s[16];
	struct route_info ri;
	int rc;

	if (exact_len >= 0) {
		m.exact = true;
		m.dst_len = (uint8_t)exact_len;
	}
	want = ref_lookup(rf, dst, src, type_mask ? type_mask : ~0u, ifl, exact_len);
	k2b(dst, d);
	if (src != NULL)
		k2b(*src, s);
	rc = route_lookup(t, d, src != NULL ? s : NULL, &m, &ri);
	if (want == NULL) {
		assert_int_equal(rc, -ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_ptr_equal(ri.nh, want->nh);
	assert_int_equal(ri.type, want->type);
	assert_int_equal(ri.ifl_index, want->ifl);
	assert_int_equal(ri.key.dst_len, want->dlen);
	assert_int_equal(ri.key.src_len, want->slen);
}

/* ---- differential: the real tables -------------------------------------- */

static int
load_rib(struct rt_table *t, int family, const char *file, struct nexthop **labels,
	 unsigned nlabels, struct ref *rf)
{
	char path[512], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", rib_dir, file);
	f = fopen(path, "r");
	if (f == NULL) {
		print_message("cannot open %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *slash = strchr(line, '/'), *tab = strchr(line, '\t');
		struct route_key k = { .family = (uint8_t)family };
		unsigned lab = 0;

		if (slash == NULL || tab == NULL)
			continue;
		*slash = 0;
		k.dst_len = (uint8_t)atoi(slash + 1);
		assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, line, k.dst), 1);
		for (char *p = tab + 1; *p; p++)
			lab = lab * 31 + (unsigned char)*p;
		assert_int_equal(add(t, k, RTT_USER, 0, labels[lab % nlabels]), 0);
		n++;
	}
	fclose(f);
	ref_from_table(rf, t, family);
	return n;
}

static void
rib_check(int family, const char *file)
{
	struct nexthop *labels[32];
	struct ref rf = { 0 };
	struct rt_table *t;
	int n;

	assert_int_equal(rt_inst_add(20), 0);
	t = rt_table_get(20, family);
	for (unsigned i = 0; i < 32; i++)
		labels[i] = nh_unicast(family, 100 + i, i);
	n = load_rib(t, family, file, labels, 32, &rf);
	if (n < 0) {
		rt_inst_del(20);
		skip();
	}
	assert_true(n > 1000);
	print_message("%s: %d routes\n", file, n);
	/* Random addresses and the edges of sampled prefixes. */
	for (unsigned i = 0; i < 400; i++) {
		const struct ref_route *r = &rf.r[rnd() % rf.n];
		u128 a = (u128)rnd() << 64 | rnd();
		unsigned w = family == 4 ? 32 : 128;

		if (family == 4)
			a &= len_mask(32);
		check_addr(t, &rf, a, NULL);
		check_addr(t, &rf, r->dst, NULL);
		check_addr(t, &rf, r->dst | (~len_mask(r->dlen) & len_mask(w)), NULL);
		check_addr(t, &rf, r->dst - ((u128)1 << (128 - w)), NULL);
		check_constrained(t, &rf, r->dst, NULL, 1u << RTT_PERM, 0, -1);
		check_constrained(t, &rf, r->dst, NULL, 0, 0, r->dlen);
	}
	/* Delete half and check again. */
	for (size_t i = 0; i < rf.n; i += 2) {
		struct ref_route *r = &rf.r[i];
		struct route_key k = { .family = (uint8_t)family, .dst_len = r->dlen };
		const char *why;

		if (r->type != RTT_USER)
			continue;
		k2b(r->dst, k.dst);
		assert_int_equal(route_del(t, &k, RTT_USER, 0, &why), 0);
	}
	ref_from_table(&rf, t, family);
	for (unsigned i = 0; i < 300; i++) {
		const struct ref_route *r = &rf.r[rnd() % rf.n];
		u128 a = (u128)rnd() << 64 | rnd();

		if (family == 4)
			a &= len_mask(32);
		check_addr(t, &rf, a, NULL);
		check_addr(t, &rf, r->dst, NULL);
	}
	assert_int_equal(rt_inst_del(20), 0);
	for (unsigned i = 0; i < 32; i++)
		nh_put(labels[i]);
	free(rf.r);
}

static void
test_rib_v4(void **state)
{
	(void)state;
	rib_check(4, "routeviews-chicago-2019-peer23367.v4.txt");
}

static void
test_rib_v6(void **state)
{
	(void)state;
	rib_check(6, "routeviews-chicago-2019-peer293.v6.txt");
}

/* ---- differential: random tables ---------------------------------------- */

#define POOL 24

static const uint8_t rand_types[] = {
	RTT_USER, RTT_USER, RTT_USER, RTT_USER_IGNORE, RTT_IF, RTT_IF, RTT_IFDEST,
	RTT_CLONE, RTT_IFCLONE, RTT_CLONE_IGNORE, RTT_IFCLONE_IGNORE, RTT_LOCAL,
};

/* Mostly no flags; RTF_IFCHECK only with an ifl to check. */
static uint16_t
rand_flags(uint32_t ifl)
{
	switch (rnd() % 8) {
	case 5:
		return RTF_LOCAL;
	case 6:
		return ifl != 0 ? RTF_IFCHECK : 0;
	case 7:
		return ifl != 0 ? RTF_IFCHECK | RTF_LOCAL : RTF_LOCAL;
	default:
		return 0;
	}
}

/* Addresses cluster under a few prefixes so that keys overlap a lot. */
static u128
rand_addr(int family)
{
	static const uint8_t tops[4] = { 10, 172, 192, 232 };
	u128 a = (u128)rnd() << 64 | rnd();

	if (family == 4) {
		a &= len_mask(32);
		a = (a & ~len_mask(8)) | (u128)tops[rnd() % 4] << 120;
		if (rnd() % 2)
			a &= ~(((u128)0xff) << 104); /* second byte 0 */
	} else {
		a = (a & ~len_mask(16)) | (u128)(0x2001 + rnd() % 3) << 112;
		if (rnd() % 2)
			a &= ~(len_mask(64) & ~len_mask(16));
	}
	return a;
}

static void
random_check(int family)
{
	unsigned w = family == 4 ? 32 : 128;
	struct nexthop *pool[POOL];
	struct ref rf = { 0 };
	struct rt_table *t;
	const char *why;

	assert_int_equal(rt_inst_add(21), 0);
	t = rt_table_get(21, family);
	for (unsigned i = 0; i < POOL; i++)
		pool[i] = nh_unicast(family, 1 + i % 4, i);
	ref_from_table(&rf, t, family);
	for (unsigned step = 0; step < 6000; step++) {
		struct ref_route k = { 0 };
		unsigned op = rnd() % 10;
		int rc;

		k.dlen = (uint8_t)(rnd() % (w + 1));
		if (rnd() % 4 == 0)
			k.dlen = (uint8_t)w;
		k.dst = rand_addr(family) & len_mask(k.dlen);
		if (k.dlen == w && rnd() % 3 == 0) {
			k.slen = (uint8_t)(1 + rnd() % w);
			k.src = rand_addr(family) & len_mask(k.slen);
		}
		k.type = rand_types[rnd() % sizeof(rand_types)];
		k.ifl = (uint32_t)(rnd() % 4);
		k.nh = pool[rnd() % POOL];
		k.flags = rand_flags(k.ifl);
		if (op < 6) {
			struct route_spec s = { .key = { .family = (uint8_t)family, .dst_len = k.dlen,
							 .src_len = k.slen },
						.type = k.type, .flags = k.flags, .ifl_index = k.ifl,
						.nh = (struct nexthop *)(uintptr_t)k.nh };
			struct ref_route *ex = ref_find(&rf, &k,
							k.type == RTT_USER || k.type == RTT_USER_IGNORE);

			k2b(k.dst, s.key.dst);
			k2b(k.src, s.key.src);
			rc = route_add(t, &s, &why);
			if (k.type == RTT_USER_IGNORE && k.dlen == 0 && k.slen == 0) {
				assert_int_equal(rc, -EINVAL);
			} else if (ex != NULL && !(k.type == RTT_USER || k.type == RTT_USER_IGNORE)) {
				assert_int_equal(rc, -EEXIST);
			} else {
				assert_int_equal(rc, 0);
				if (ex != NULL)
					*ex = k;
				else
					ref_push(&rf, &k);
			}
		} else if (op < 9 && rf.n > 0) {
			/* Delete (or change) an existing route, or try a missing one. */
			struct ref_route *r = &rf.r[rnd() % rf.n];
			struct route_key rk = { .family = (uint8_t)family, .dst_len = r->dlen,
						.src_len = r->slen };

			k2b(r->dst, rk.dst);
			k2b(r->src, rk.src);
			if (op == 8) {
				uint16_t fl = rand_flags(r->ifl);
				struct route_spec s = { .key = rk, .type = r->type, .flags = fl,
							.ifl_index = r->ifl,
							.nh = (struct nexthop *)(uintptr_t)k.nh };

				rc = route_change(t, &s, &why);
				if (r->type == RTT_PERM) {
					assert_int_equal(rc, -EPERM);
				} else {
					assert_int_equal(rc, 0);
					r->nh = k.nh;
					r->flags = fl;
				}
			} else {
				rc = route_del(t, &rk, r->type, r->ifl, &why);
				if (r->type == RTT_PERM) {
					assert_int_equal(rc, -EPERM);
				} else {
					assert_int_equal(rc, 0);
					*r = rf.r[--rf.n];
				}
			}
		} else {
			struct route_key rk = { .family = (uint8_t)family, .dst_len = k.dlen,
						.src_len = k.slen };

			k2b(k.dst, rk.dst);
			k2b(k.src, rk.src);
			struct ref_route *ex = ref_find(&rf, &k,
							k.type == RTT_USER || k.type == RTT_USER_IGNORE);

			struct ref_route pk = k;

			pk.type = RTT_PERM;
			pk.ifl = 0;
			rc = route_del(t, &rk, k.type, k.ifl, &why);
			if (ex == NULL) {
				/* A user delete at a key holding only the permanent route. */
				bool perm = (k.type == RTT_USER || k.type == RTT_USER_IGNORE) &&
					    ref_find(&rf, &pk, false) != NULL;

				assert_int_equal(rc, perm ? -EPERM : -ENOENT);
			} else {
				assert_int_equal(rc, 0);
				*ex = rf.r[--rf.n];
			}
		}
		/* Lookups after every change. */
		for (unsigned q = 0; q < 6; q++) {
			u128 a = rand_addr(family), s = rand_addr(family);

			if (rf.n > 0 && q % 2 == 0) {
				const struct ref_route *r = &rf.r[rnd() % rf.n];

				a = r->dst | (rnd() % 2 ? (~len_mask(r->dlen) & len_mask(w)) : 0);
				if (r->slen > 0)
					s = r->src;
			}
			check_addr(t, &rf, a, NULL);
			check_addr(t, &rf, a, &s);
			check_constrained(t, &rf, a, &s,
					  (uint32_t)(rnd() & (((1u << RTT_MAX) - 1) & ~1u)),
					  (uint32_t)(rnd() % 5), -1);
			check_constrained(t, &rf, a, NULL, RTT_IF_TYPES,
					  (uint32_t)(rnd() % 5), -1);
			check_constrained(t, &rf, a, &s, 0, 0, (int)(rnd() % (w + 1)));
		}
	}
	/* The reference and the walk agree on the whole content. */
	{
		struct ref walked = { 0 };

		ref_from_table(&walked, t, family);
		assert_int_equal(walked.n, rf.n);
		free(walked.r);
	}
	/* Interface routes keep the instance busy; delete everything deletable. */
	assert_int_equal(rt_inst_del(21), -EBUSY);
	while (rf.n > 0) {
		struct ref_route *r = &rf.r[rf.n - 1];
		struct route_key rk = { .family = (uint8_t)family, .dst_len = r->dlen,
					.src_len = r->slen };

		k2b(r->dst, rk.dst);
		k2b(r->src, rk.src);
		assert_int_equal(route_del(t, &rk, r->type, r->ifl, &why),
				 r->type == RTT_PERM ? -EPERM : 0);
		rf.n--;
	}
	assert_int_equal(rt_table_routes(t), family == 4 ? 6 : 6);
	assert_int_equal(fib_count(rt_table_fib(t)), 6);
	assert_int_equal(rt_inst_del(21), 0);
	for (unsigned i = 0; i < POOL; i++) {
		assert_int_equal(nh_refcnt(pool[i]), 1);
		nh_put(pool[i]);
	}
	free(rf.r);
}

static void
test_random_v4(void **state)
{
	(void)state;
	random_check(4);
}

static void
test_random_v6(void **state)
{
	(void)state;
	random_check(6);
}

/* ---- walks -------------------------------------------------------------- */

/* Delete every route of @t but the permanent ones. */
static void
table_clear(struct rt_table *t, int family)
{
	struct ref rf = { 0 };
	const char *why;

	ref_from_table(&rf, t, family);
	for (size_t i = 0; i < rf.n; i++) {
		struct ref_route *r = &rf.r[i];
		struct route_key rk = { .family = (uint8_t)family, .dst_len = r->dlen,
					.src_len = r->slen };

		k2b(r->dst, rk.dst);
		k2b(r->src, rk.src);
		assert_int_equal(route_del(t, &rk, r->type, r->ifl, &why),
				 r->type == RTT_PERM ? -EPERM : 0);
	}
	free(rf.r);
}

static int
walk_rec_cb(const struct route_info *r, void *arg)
{
	struct ref *rf = arg;

	return ref_fill_cb(r, rf);
}

struct first {
	bool got;
	struct route_info r;
};

static int
first_cb(const struct route_info *r, void *arg)
{
	struct first *f = arg;

	f->got = true;
	f->r = *r;
	return 1;
}

static void
test_walk_after(void **state)
{
	struct nexthop *pool[4];
	struct ref all = { .family = 4 };
	struct rt_table *t;

	(void)state;
	assert_int_equal(rt_inst_add(22), 0);
	t = rt_table_get(22, 4);
	for (unsigned i = 0; i < 4; i++)
		pool[i] = nh_unicast(4, 1 + i, i);
	for (unsigned i = 0; i < 400; i++) {
		struct route_key k = { .family = 4, .dst_len = (uint8_t)(rnd() % 33) };
		u128 a = rand_addr(4) & len_mask(k.dst_len);

		k2b(a, k.dst);
		if (k.dst_len == 32 && rnd() % 2) {
			k.src_len = (uint8_t)(rnd() % 33);
			k2b(rand_addr(4) & len_mask(k.src_len), k.src);
		}
		add(t, k, rand_types[rnd() % sizeof(rand_types)], (uint32_t)(rnd() % 3),
		    pool[rnd() % 4]);
	}
	route_walk(t, walk_rec_cb, &all);
	/* Key order: every route strictly after the one before. */
	for (size_t i = 0; i + 1 < all.n; i++) {
		struct ref_route *a = &all.r[i], *b = &all.r[i + 1];
		bool before = a->dst != b->dst || a->dlen != b->dlen
				      ? (a->dlen <= b->dlen && (b->dst & len_mask(a->dlen)) == a->dst) ||
						(a->dst & len_mask(a->dlen < b->dlen ? a->dlen : b->dlen)) <
							(b->dst & len_mask(a->dlen < b->dlen ? a->dlen : b->dlen))
				      : a->src != b->src || a->slen != b->slen
						? true
						: (rtt_pref(a->type) < rtt_pref(b->type) ||
						   (a->type == b->type && a->ifl < b->ifl));

		assert_true(before);
	}
	/* Resuming after route i gives route i + 1, for every i. */
	for (size_t i = 0; i < all.n; i++) {
		struct route_key k = { .family = 4, .dst_len = all.r[i].dlen, .src_len = all.r[i].slen };
		struct first f = { 0 };

		k2b(all.r[i].dst, k.dst);
		k2b(all.r[i].src, k.src);
		route_walk_after(t, &k, all.r[i].type, all.r[i].ifl, first_cb, &f);
		if (i + 1 == all.n) {
			assert_false(f.got);
			continue;
		}
		assert_true(f.got);
		assert_int_equal(f.r.key.dst_len, all.r[i + 1].dlen);
		assert_int_equal(f.r.key.src_len, all.r[i + 1].slen);
		assert_true(b2k(f.r.key.dst, 4) == all.r[i + 1].dst);
		assert_true(b2k(f.r.key.src, 4) == all.r[i + 1].src);
		assert_int_equal(f.r.type, all.r[i + 1].type);
		assert_int_equal(f.r.ifl_index, all.r[i + 1].ifl);
	}
	/* A cursor that is no route resumes at the next key. */
	{
		struct route_key k = key4("10.0.0.0", 8, NULL, 0);
		struct first f = { 0 };
		const char *why;

		add(t, k, RTT_USER, 0, pool[0]);
		add(t, key4("10.0.0.0", 9, NULL, 0), RTT_USER, 0, pool[1]);
		route_del(t, &k, RTT_USER, 0, &why);
		/* After every route the key may still hold. */
		route_walk_after(t, &k, RTT_MAX, UINT32_MAX, first_cb, &f);
		assert_true(f.got);
		assert_int_equal(f.r.key.dst_len, 9);
	}
	table_clear(t, 4);
	assert_int_equal(rt_inst_del(22), 0);
	for (unsigned i = 0; i < 4; i++)
		nh_put(pool[i]);
	free(all.r);
}

/* ---- RCU torture -------------------------------------------------------- */

/*
 * Probes are keys the writer changes one at a time: probe k has a
 * generation counter pair (started, done) and a ring of the answer each
 * generation gives. Before a change the writer stores the post-change
 * answer in the ring and bumps started (release); after the change it
 * bumps done. A reader loads done (acquire), looks up, loads started: the
 * table it saw is one of generations [done, started], so its answer must
 * be the ring's answer for one of them. A stable address outside every
 * probe must always give its one answer (changes elsewhere never show).
 */
#define T_PROBES 10
#define T_RING 256
#define T_READERS 2
#define T_CHANGES 12000

struct probe {
	uint64_t started, done;           /* [A] */
	uint32_t ring[T_RING];            /* [A] answer of generation g at g % T_RING */
	uint32_t dst, src;                /* lookup address (host order) */
	struct route_key key;
	bool present;
};

static struct probe probes[T_PROBES];
static uint32_t stable_dst, stable_answer;
static int torture_stop, torture_ready;
static uint64_t torture_checked[T_READERS], torture_bad[T_READERS];

static void *
torture_reader(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct rt_table *t;
	uint64_t x = 88172645463325252ull + id;

	rcu_register_thread();
	__atomic_fetch_add(&torture_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&torture_stop, __ATOMIC_ACQUIRE)) {
		uint32_t dst[8], src[8], out[8];
		unsigned k[8];
		uint64_t s[8], e[8];

		t = rt_table_get(23, 4);
		for (unsigned i = 0; i < 8; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			k[i] = (unsigned)(x % T_PROBES);
			dst[i] = probes[k[i]].dst;
			src[i] = probes[k[i]].src;
			s[i] = __atomic_load_n(&probes[k[i]].done, __ATOMIC_ACQUIRE);
		}
		dst[7] = stable_dst;
		rt_fwd_lookup4_bulk(t, dst, src, 0, out, 8);
		for (unsigned i = 0; i < 7; i++)
			e[i] = __atomic_load_n(&probes[k[i]].started, __ATOMIC_ACQUIRE);
		for (unsigned i = 0; i < 7; i++) {
			bool ok = false;

			if (e[i] - s[i] >= T_RING - 1)
				continue; /* the ring wrapped under us: cannot judge */
			for (uint64_t g = s[i]; g <= e[i] && !ok; g++)
				ok = __atomic_load_n(&probes[k[i]].ring[g % T_RING], __ATOMIC_RELAXED) == out[i];
			/* Preempted so long that the writer reused ring entries: cannot judge. */
			if (__atomic_load_n(&probes[k[i]].started, __ATOMIC_ACQUIRE) - s[i] >= T_RING - 1)
				continue;
			torture_checked[id]++;
			torture_bad[id] += !ok;
		}
		__atomic_store_n(&torture_checked[id], torture_checked[id] + 1, __ATOMIC_RELAXED);
		torture_bad[id] += out[7] != stable_answer;
		rcu_quiescent_state();
	}
	rcu_unregister_thread();
	return NULL;
}

static bool
torture_enough(void)
{
	for (unsigned i = 0; i < T_READERS; i++)
		if (__atomic_load_n(&torture_checked[i], __ATOMIC_RELAXED) < 100000)
			return false;
	return true;
}

static void
test_rcu_torture(void **state)
{
	struct nexthop *pool[8], *cover, *grp;
	pthread_t th[T_READERS];
	struct rt_table *t;
	const char *why;
	uint64_t checked = 0, bad = 0;

	(void)state;
	assert_int_equal(rt_inst_add(23), 0);
	t = rt_table_get(23, 4);
	for (unsigned i = 0; i < 8; i++)
		pool[i] = nh_unicast(4, 1 + i, 50 + i);
	cover = nh_unicast(4, 9, 99);
	grp = nh_unicast(4, 9, 98);
	assert_int_equal(add(t, key4("10.0.0.0", 8, NULL, 0), RTT_USER, 0, cover), 0);
	assert_int_equal(add(t, key4("232.0.0.0", 8, NULL, 0), RTT_USER, 0, grp), 0);
	/* A (S,G) route that stays, so the probe groups below share the second stage. */
	assert_int_equal(add(t, key4("232.9.9.9", 32, "10.0.0.0", 8), RTT_USER, 0, pool[0]), 0);
	stable_dst = 0x0a630001; /* 10.99.0.1 */
	stable_answer = cover->index;
	for (unsigned k = 0; k < T_PROBES; k++) {
		struct probe *p = &probes[k];

		if (k < 7) {
			/* 10.k.0.0/16 under 10/8 */
			p->key = key4("10.0.0.0", 16, NULL, 0);
			p->key.dst[1] = (uint8_t)(k + 1);
			p->dst = 0x0a000000u | (k + 1) << 16 | 0x0101;
			p->src = 0;
			p->ring[0] = cover->index;
		} else {
			/* (S,G) at 232.1.1.k from 192.0.2.0/24 */
			p->key = key4("232.1.1.0", 32, "192.0.2.0", 24);
			p->key.dst[3] = (uint8_t)k;
			p->dst = 0xe8010100u | k;
			p->src = 0xc0000205;
			p->ring[0] = grp->index;
		}
	}
	for (unsigned i = 0; i < T_READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, torture_reader, (void *)(uintptr_t)i), 0);
	/* Changes start once every reader runs, and go on until each judged some answers. */
	while (__atomic_load_n(&torture_ready, __ATOMIC_ACQUIRE) < T_READERS)
		sched_yield();
	for (unsigned n = 0; n < T_CHANGES || (n < 40 * T_CHANGES && !torture_enough()); n++) {
		struct probe *p = &probes[rnd() % T_PROBES];
		struct nexthop *nh = pool[rnd() % 8];
		uint64_t g = p->started + 1;
		uint32_t answer;
		bool del = p->present && rnd() % 3 == 0;
		int rc;

		answer = del ? (p->key.src_len ? grp->index : cover->index) : nh->index;
		__atomic_store_n(&p->ring[g % T_RING], answer, __ATOMIC_RELAXED);
		__atomic_store_n(&p->started, g, __ATOMIC_RELEASE);
		if (del) {
			rc = route_del(t, &p->key, RTT_USER, 0, &why);
			p->present = false;
		} else if (p->present && rnd() % 2) {
			struct route_spec s = { .key = p->key, .type = RTT_USER, .nh = nh };

			rc = route_change(t, &s, &why);
		} else {
			rc = add(t, p->key, RTT_USER, 0, nh);
			p->present = true;
		}
		assert_int_equal(rc, 0);
		__atomic_store_n(&p->done, g, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&torture_stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < T_READERS; i++) {
		pthread_join(th[i], NULL);
		checked += torture_checked[i];
		bad += torture_bad[i];
	}
	print_message("torture: %llu answers judged, %llu wrong\n", (unsigned long long)checked,
		      (unsigned long long)bad);
	assert_true(checked > 0);
	assert_int_equal(bad, 0);
	assert_int_equal(rt_inst_del(23), 0);
	for (unsigned i = 0; i < 8; i++)
		nh_put(pool[i]);
	nh_put(cover);
	nh_put(grp);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perm_routes),
		cmocka_unit_test(test_type_rules),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_clones),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_walk_after),
		cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),
		cmocka_unit_test(test_rib_v4),
		cmocka_unit_test(test_rib_v6),
		cmocka_unit_test(test_rcu_torture),
	};
	int rc;

	if (argc > 1)
		rib_dir = argv[1];
	test_eal_init("0", NULL);
	if (nh_init() < 0 || rt_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rt_fini();
	nh_fini();
	rte_eal_cleanup();
	return rc;
}
