/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ctrl_route.c: ROUTE and NEXTHOP as the protocol serves them
 * (src/ctrl/ctrl_route.c): multicast (S,G) and (*,G) routes with MULTICAST
 * and MGROUP next hops, their ifl lists and the RTF_IFCHECK (IIF) and
 * RTF_LOCAL flags, through a real control server and a real
 * SOCK_SEQPACKET client speaking the wire format, on an interface tree over
 * net_null ports:
 *   - what an ADD installs (flags, route ifl, the next hop's sorted list
 *     with the local copy) and what GET, GETNEXT and NEXTHOP GET show of it;
 *   - next hops shared per set of ifls, whatever the order given;
 *   - every refusal with its errno and message, the table unchanged after;
 *   - bulk ADD (ENTRY nests with lists): all or none.
 * The server runs on the test's thread: each request is sent, then the
 * server is run until the answer is there (bounded, so a hang fails).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "ctrl/handlers.h"
#include "ctrl/server.h"
#include "dataplane/counters.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/route.h"
#include "ifcfg/ifcfg_priv.h"
#include "test_eal.h"
#include "test_port.h"

#define N_BIG 33 /* one more ifl than a list may hold */

static struct rte_mempool *mp;
static struct ctrl_server *srv;
static struct ifcfg_err E;
static char dir[48], path[96];
static int fd = -1;
static uint32_t seq = 1;
static uint32_t ifl_a, ifl_b, ifl_c;

/* --- a client on the test's thread --------------------------------------- */

/* Send the request in @b (started with nsdp_msg_start), run the server until a datagram is back. */
static ssize_t
roundtrip(struct nsdp_builder *b, uint8_t *reply)
{
	struct timespec t0, now;
	struct nsdp_err err = { 0 };
	int len = nsdp_msg_end(b);
	ssize_t n;

	assert_true(len > 0);
	assert_int_equal(send(fd, b->buf, (size_t)len, MSG_NOSIGNAL), len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		ctrl_server_process(srv);
		n = recv(fd, reply, NSDP_MSG_MAX, MSG_DONTWAIT);
		if (n > 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 30)
			fail_msg("no answer from the server");
	}
	if (nsdp_wire_to_host(reply, (size_t)n, &err) < 0)
		fail_msg("server sent a malformed datagram: %s", err.msg);
	return n;
}

static uint8_t reqbuf[NSDP_MSG_MAX];

static struct nsdp_builder
req(uint16_t obj, uint16_t op, uint16_t flags)
{
	struct nsdp_builder b;

	nsdp_msg_start(&b, reqbuf, sizeof(reqbuf), NSDP_MSG_TYPE(obj, op), NLM_F_REQUEST | flags,
		       seq++);
	return b;
}

/* The errno of an ack / error answer (0 = ack), its message into @msg. */
static int
answer_errno(const uint8_t *reply, char *msg, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)reply;
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };

	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(NLMSG_ERROR), tb, &e), 0);
	if (msg != NULL)
		snprintf(msg, len, "%s", tb[NSDP_A_ERR_MSG] ? nsdp_get_str(tb[NSDP_A_ERR_MSG]) : "");
	return (int)nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]);
}

/* Send a write request, expect @errnum and, if given, @substr in the message. */
static void
expect(struct nsdp_builder *b, int errnum, const char *substr)
{
	uint8_t reply[NSDP_MSG_MAX];
	char msg[256];
	int got;

	roundtrip(b, reply);
	got = answer_errno(reply, msg, sizeof(msg));
	if (got != errnum || (substr != NULL && strstr(msg, substr) == NULL))
		fail_msg("expected errno %d '%s', got %d '%s'", errnum, substr ? substr : "", got,
			 msg);
}

/* --- request pieces -------------------------------------------------------- */

static void
put_key4(struct nsdp_builder *b, const char *dst, uint8_t dlen, const char *src, uint8_t slen)
{
	uint8_t a[16] = { 0 };

	nsdp_put_u8(b, NSDP_A_ROUTE_FAMILY, 4);
	assert_int_equal(inet_pton(AF_INET, dst, a), 1);
	nsdp_put_bin(b, NSDP_A_ROUTE_DST, a, 16);
	nsdp_put_u8(b, NSDP_A_ROUTE_DST_LEN, dlen);
	if (src != NULL) {
		memset(a, 0, sizeof(a));
		assert_int_equal(inet_pton(AF_INET, src, a), 1);
		nsdp_put_bin(b, NSDP_A_ROUTE_SRC, a, 16);
		nsdp_put_u8(b, NSDP_A_ROUTE_SRC_LEN, slen);
	}
}

static void
put_key6(struct nsdp_builder *b, const char *dst, uint8_t dlen)
{
	uint8_t a[16];

	nsdp_put_u8(b, NSDP_A_ROUTE_FAMILY, 6);
	assert_int_equal(inet_pton(AF_INET6, dst, a), 1);
	nsdp_put_bin(b, NSDP_A_ROUTE_DST, a, 16);
	nsdp_put_u8(b, NSDP_A_ROUTE_DST_LEN, dlen);
}

/* NH_TYPE @type with members named in the comma list @names ("" = none). */
static void
put_list(struct nsdp_builder *b, uint8_t type, const char *names, bool local)
{
	char buf[2048], *p, *save = NULL;

	nsdp_put_u8(b, NSDP_A_ROUTE_NH_TYPE, type);
	snprintf(buf, sizeof(buf), "%s", names);
	for (p = strtok_r(buf, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		struct nlattr *n = nsdp_nest_start(b, NSDP_A_ROUTE_NH_MEMBER);

		nsdp_put_str(b, NSDP_A_NHM_NAME, p);
		nsdp_nest_end(b, n);
	}
	if (local)
		nsdp_put_u8(b, NSDP_A_ROUTE_NH_LOCAL, 1);
}

/* A MULTICAST next hop with one member holding an ifl index (@with_ifl) or nothing. */
static void
put_member_raw(struct nsdp_builder *b, bool with_ifl)
{
	struct nlattr *n;

	nsdp_put_u8(b, NSDP_A_ROUTE_NH_TYPE, RNH_MULTICAST);
	n = nsdp_nest_start(b, NSDP_A_ROUTE_NH_MEMBER);
	if (with_ifl)
		nsdp_put_u32(b, NSDP_A_NHM_IFL, ifl_b);
	nsdp_nest_end(b, n);
}

static size_t
routes4(void)
{
	return rt_table_routes(rt_table_get(0, 4));
}

/* The table's forwarding route for (@dst, @src). */
static struct route_info
fwd4(const char *dst, const char *src)
{
	uint8_t d[16] = { 0 }, s[16] = { 0 };
	struct route_info ri;

	assert_int_equal(inet_pton(AF_INET, dst, d), 1);
	if (src != NULL)
		assert_int_equal(inet_pton(AF_INET, src, s), 1);
	assert_int_equal(route_fwd_lookup(rt_table_get(0, 4), d, src != NULL ? s : NULL, &ri), 0);
	return ri;
}

/* Members of a reply (@attr) as "name/index,..." into @out. */
static void
members(const struct nlmsghdr *nlh, uint16_t attr, char *out, size_t len)
{
	const struct nlattr *a;
	size_t off = 0;

	out[0] = '\0';
	mnl_attr_for_each(a, nlh, 0) {
		const struct nlattr *e;
		const char *name = "?";
		uint32_t idx = 0;

		if (mnl_attr_get_type(a) != attr)
			continue;
		mnl_attr_for_each_nested(e, a) {
			if (mnl_attr_get_type(e) == NSDP_A_NHM_NAME)
				name = nsdp_get_str(e);
			else if (mnl_attr_get_type(e) == NSDP_A_NHM_IFL)
				idx = nsdp_get_u32(e);
		}
		off += (size_t)snprintf(out + off, len - off, "%s%s/%u", off ? "," : "", name, idx);
	}
}

/* --- tests ------------------------------------------------------------------ */

static void
test_add_show(void **state)
{
	uint8_t reply[NSDP_MSG_MAX], g[16] = { 232, 1, 1, 1 }, s[16] = { 10, 0, 0, 2 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)reply;
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };
	struct nsdp_builder b;
	struct route_info ri;
	char got[256], want[256];
	uint32_t nh_index;

	(void)state;
	/* (S,G) with RTF_IFCHECK from null0.0, copies to null2.0, null1.0 and here. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key4(&b, "232.1.1.1", 32, "10.0.0.2", 32);
	put_list(&b, RNH_MULTICAST, "null2.0,null1.0", true);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	expect(&b, 0, NULL);
	ri = fwd4("232.1.1.1", "10.0.0.2");
	assert_int_equal(ri.type, RTT_USER);
	assert_int_equal(ri.flags, RTF_IFCHECK);
	assert_int_equal(ri.ifl_index, ifl_a);
	assert_int_equal(ri.nh->type, RNH_MULTICAST);
	assert_int_equal(ri.nh->n_ifl, 3);
	assert_int_equal(ri.nh->ifl_list[0], 0);
	assert_int_equal(ri.nh->ifl_list[1], RTE_MIN(ifl_b, ifl_c));
	assert_int_equal(ri.nh->ifl_list[2], RTE_MAX(ifl_b, ifl_c));
	nh_index = ri.nh->index;

	/* GET from the right and the wrong interface: the packet path's verdict, the list. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_GET, 0);
	nsdp_put_u8(&b, NSDP_A_ROUTE_FAMILY, 4);
	nsdp_put_bin(&b, NSDP_A_ROUTE_DST, g, 16);
	nsdp_put_bin(&b, NSDP_A_ROUTE_SRC, s, 16);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	roundtrip(&b, reply);
	assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_GET));
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_ROUTE_VERDICT]), NSDP_RV_NEXTHOP);
	assert_int_equal(nsdp_get_u16(tb[NSDP_A_ROUTE_FLAGS]), RTF_IFCHECK);
	assert_string_equal(nsdp_get_str(tb[NSDP_A_ROUTE_IFL_NAME]), "null0.0");
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_ROUTE_NH_TYPE]), RNH_MULTICAST);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_ROUTE_NH_LOCAL]), 1);
	members(nlh, NSDP_A_ROUTE_NH_MEMBER, got, sizeof(got));
	if (ifl_b < ifl_c)
		snprintf(want, sizeof(want), "null1.0/%u,null2.0/%u", ifl_b, ifl_c);
	else
		snprintf(want, sizeof(want), "null2.0/%u,null1.0/%u", ifl_c, ifl_b);
	assert_string_equal(got, want);
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_GET, 0);
	nsdp_put_u8(&b, NSDP_A_ROUTE_FAMILY, 4);
	nsdp_put_bin(&b, NSDP_A_ROUTE_DST, g, 16);
	nsdp_put_bin(&b, NSDP_A_ROUTE_SRC, s, 16);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null1.0");
	roundtrip(&b, reply);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_ROUTE_VERDICT]), NSDP_RV_IFCHECK);

	/* NEXTHOP GET shows the same list. */
	b = req(NSDP_OBJ_NEXTHOP, NSDP_OP_GET, 0);
	nsdp_put_u32(&b, NSDP_A_NEXTHOP_INDEX, nh_index);
	roundtrip(&b, reply);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_NEXTHOP_N_IFL]), 3);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_NEXTHOP_LOCAL]), 1);
	members(nlh, NSDP_A_NEXTHOP_MEMBER, got, sizeof(got));
	assert_string_equal(got, want);

	/* One set, one next hop: the same ifls in another order, local included, share it. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key4(&b, "239.1.1.1", 32, NULL, 0);
	put_list(&b, RNH_MULTICAST, "null1.0,null2.0", true);
	expect(&b, 0, NULL);
	assert_int_equal(fwd4("239.1.1.1", NULL).nh->index, nh_index);
	assert_int_equal(nh_refcnt(ri.nh), 2);

	/* (*,G) prefixes of groups, MGROUP group routes, local-only, and CHANGE. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key4(&b, "239.2.0.0", 16, NULL, 0);
	put_list(&b, RNH_MULTICAST, "null1.0", false);
	expect(&b, 0, NULL);
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key4(&b, "239.3.3.3", 32, NULL, 0);
	put_list(&b, RNH_MGROUP, "null2.0,null0.0", false);
	expect(&b, 0, NULL);
	ri = fwd4("239.3.3.3", NULL);
	assert_int_equal(ri.nh->type, RNH_MGROUP);
	assert_int_equal(ri.nh->n_ifl, 2);
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key4(&b, "10.9.0.0", 16, NULL, 0);
	nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_DISCARD);
	nsdp_put_u16(&b, NSDP_A_ROUTE_FLAGS, RTF_LOCAL);
	expect(&b, 0, NULL);
	assert_int_equal(fwd4("10.9.1.1", NULL).flags, RTF_LOCAL);
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_CHANGE, NLM_F_ACK);
	put_key4(&b, "239.2.0.0", 16, NULL, 0);
	put_list(&b, RNH_MULTICAST, "null2.0", true);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null1.0");
	expect(&b, 0, NULL);
	ri = fwd4("239.2.9.9", NULL);
	assert_int_equal(ri.flags, RTF_IFCHECK);
	assert_int_equal(ri.ifl_index, ifl_b);
	assert_int_equal(ri.nh->n_ifl, 2);

	/* IPv6: (*,G) with a multicast list. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	put_key6(&b, "ff0e::1:2", 128);
	put_list(&b, RNH_MULTICAST, "null1.0", false);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	expect(&b, 0, NULL);
}

static void
test_refusals(void **state)
{
	size_t before = routes4();
	struct nsdp_builder b;
	char big[N_BIG * 16];
	size_t off = 0;

	(void)state;
#define REFUSED(build, errnum, substr)                                  \
	do {                                                            \
		b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);        \
		build;                                                  \
		expect(&b, (errnum), (substr));                         \
		assert_int_equal(routes4(), before);                    \
	} while (0)

	/* A multicast next hop only for multicast destinations; mgroup only for groups. */
	REFUSED((put_key4(&b, "10.1.0.0", 16, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false)),
		EINVAL, "for multicast destinations");
	REFUSED((put_key4(&b, "192.0.0.0", 2, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false)),
		EINVAL, "for multicast destinations");
	REFUSED((put_key4(&b, "239.4.0.0", 16, NULL, 0), put_list(&b, RNH_MGROUP, "null1.0", false)),
		EINVAL, "full-length group");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MGROUP, "null1.0", true)),
		EINVAL, "local goes with a multicast");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MGROUP, "", false)),
		EINVAL, "needs the interfaces");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "", false)),
		EINVAL, "needs interfaces or local");
	/* Members: known, once, of the table, able to send multicast, at most 32. */
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "nope9.0", false)),
		ENODEV, "no interface 'nope9.0'");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0),
		 put_list(&b, RNH_MULTICAST, "null1.0,null2.0,null1.0", false)),
		EINVAL, "null1.0 is listed twice");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.9", false)),
		EINVAL, "is in table 5, not 0");
	REFUSED((put_key6(&b, "ff0e::9", 128), put_list(&b, RNH_MULTICAST, "null2.0", false)),
		EINVAL, "has no inet6 iff");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.8", false)),
		EINVAL, "cannot send multicast");
	for (unsigned i = 0; i < N_BIG; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "%snull2.%u", i ? "," : "", 100 + i);
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, big, false)),
		E2BIG, "at most 32");
	big[strrchr(big, ',') - big] = '\0';
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, big, true)),
		E2BIG, "the local copy counts");
	{
		/* 32 ifls: the largest list. */
		b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
		put_key4(&b, "239.4.4.4", 32, NULL, 0);
		put_list(&b, RNH_MULTICAST, big, false);
		expect(&b, 0, NULL);
		assert_int_equal(fwd4("239.4.4.4", NULL).nh->n_ifl, 32);
		b = req(NSDP_OBJ_ROUTE, NSDP_OP_DELETE, NLM_F_ACK);
		put_key4(&b, "239.4.4.4", 32, NULL, 0);
		expect(&b, 0, NULL);
	}
	/* Members named by name only, and with one; lists only with their types. */
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_member_raw(&b, true)), EOPNOTSUPP,
		"replies only");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_member_raw(&b, false)), EINVAL,
		"without an ifl name");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_DISCARD, "null1.0", false)),
		EINVAL, "interfaces go with a multicast or mgroup");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), nsdp_put_u8(&b, NSDP_A_ROUTE_NH_LOCAL, 1),
		 nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_REJECT)),
		EINVAL, "interfaces go with a multicast or mgroup");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_MRECV)),
		EINVAL, "not configured directly");
	/* Flags: IIF known and of the table; never also an output; not with local-only. */
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false),
		 nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "nope9.0")),
		ENODEV, "no interface 'nope9.0'");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false),
		 nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null1.9")),
		EINVAL, "is in table 5");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0),
		 put_list(&b, RNH_MULTICAST, "null1.0,null0.0", false),
		 nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0")),
		EINVAL, "never go back out");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false),
		 nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0"), nsdp_put_u16(&b, NSDP_A_ROUTE_FLAGS, RTF_LOCAL)),
		EINVAL, "exclude each other");
	REFUSED((put_key4(&b, "239.4.4.4", 32, NULL, 0), put_list(&b, RNH_MULTICAST, "null1.0", false),
		 nsdp_put_u16(&b, NSDP_A_ROUTE_FLAGS, RTF_IFCHECK)),
		EINVAL, "needs the incoming interface");
	REFUSED((put_key4(&b, "10.8.0.0", 16, NULL, 0), nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_DISCARD),
		 nsdp_put_u16(&b, NSDP_A_ROUTE_FLAGS, RTF_SCOPE)),
		EINVAL, "RTF_SCOPE is for IPv6");
	REFUSED((put_key4(&b, "10.8.0.0", 16, NULL, 0), nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_DISCARD),
		 nsdp_put_u32(&b, NSDP_A_ROUTE_IFL, ifl_a)),
		EOPNOTSUPP, NULL);
	REFUSED((put_key4(&b, "10.8.0.0", 16, NULL, 0), nsdp_put_u8(&b, NSDP_A_ROUTE_NH_TYPE, RNH_DISCARD),
		 nsdp_put_u16(&b, NSDP_A_ROUTE_FLAGS, 8)),
		ERANGE, NULL);
	/* A DELETE names the key: flags and lists are refused. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_DELETE, NLM_F_ACK);
	put_key4(&b, "239.1.1.1", 32, NULL, 0);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	expect(&b, EOPNOTSUPP, NULL);
	assert_int_equal(routes4(), before);
#undef REFUSED
}

static void
test_bulk(void **state)
{
	size_t before = routes4();
	struct nsdp_builder b;
	struct nlattr *e;

	(void)state;
	/* Three entries, the third refused: none of them is added. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	e = nsdp_nest_start(&b, NSDP_A_ROUTE_ENTRY);
	put_key4(&b, "239.5.0.1", 32, "10.0.0.0", 24);
	put_list(&b, RNH_MULTICAST, "null1.0,null2.0", false);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	nsdp_nest_end(&b, e);
	e = nsdp_nest_start(&b, NSDP_A_ROUTE_ENTRY);
	put_key4(&b, "239.5.0.2", 32, NULL, 0);
	put_list(&b, RNH_MGROUP, "null1.0", false);
	nsdp_nest_end(&b, e);
	e = nsdp_nest_start(&b, NSDP_A_ROUTE_ENTRY);
	put_key4(&b, "239.5.0.3", 32, NULL, 0);
	put_list(&b, RNH_MULTICAST, "null1.0,null1.0", false);
	nsdp_nest_end(&b, e);
	expect(&b, EINVAL, "listed twice");
	assert_int_equal(routes4(), before);
	/* Without it: both added, each with its own list. */
	b = req(NSDP_OBJ_ROUTE, NSDP_OP_ADD, NLM_F_ACK);
	e = nsdp_nest_start(&b, NSDP_A_ROUTE_ENTRY);
	put_key4(&b, "239.5.0.1", 32, "10.0.0.0", 24);
	put_list(&b, RNH_MULTICAST, "null1.0,null2.0", false);
	nsdp_put_str(&b, NSDP_A_ROUTE_IIF, "null0.0");
	nsdp_nest_end(&b, e);
	e = nsdp_nest_start(&b, NSDP_A_ROUTE_ENTRY);
	put_key4(&b, "239.5.0.2", 32, NULL, 0);
	put_list(&b, RNH_MGROUP, "null1.0", false);
	nsdp_nest_end(&b, e);
	expect(&b, 0, NULL);
	assert_int_equal(routes4(), before + 2);
	assert_int_equal(fwd4("239.5.0.1", "10.0.0.7").nh->n_ifl, 2);
	assert_int_equal(fwd4("239.5.0.1", "10.0.0.7").flags, RTF_IFCHECK);
	assert_int_equal(fwd4("239.5.0.2", NULL).nh->type, RNH_MGROUP);
}

/* --- setup ------------------------------------------------------------------ */

static uint32_t
ifl_make(const char *ifl, uint16_t vid, uint16_t flags, int fam6, int table)
{
	struct ifl_spec ls = { .name = ifl, .flags = flags };
	struct iff_spec is = { .family = IFF_INET };
	struct iff_spec is6 = { .family = IFF_INET6 };
	struct ifl_priv *l;

	if (vid != 0) {
		ls.l2id.kind = L2ID_TAGS;
		ls.l2id.n_tags = 1;
		ls.l2id.tpid[0] = 0x8100;
		ls.l2id.vid[0] = vid;
	}
	if (table >= 0) {
		is.has_table = true;
		is.table = (uint16_t)table;
	}
	assert_int_equal(ifl_add(&ls, &l, &E), 0);
	assert_int_equal(iff_add(l, &is, NULL, &E), 0);
	if (fam6)
		assert_int_equal(iff_add(l, &is6, NULL, &E), 0);
	return l->ifl_index;
}

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_null0", "net_null1", "net_null2", NULL };
	struct ctrl_server_conf conf = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t reply[NSDP_MSG_MAX];
	struct nsdp_builder b;

	(void)state;
	test_eal_init("0", vdevs);
	assert_int_equal(pkt_meta_register(), 0);
	mp = rte_pktmbuf_pool_create("ctrl_route", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	for (uint16_t p = 0; p < 3; p++)
		test_port_up(p, mp, 64);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	assert_int_equal(rt_inst_add(5), 0);
	for (uint16_t p = 0; p < 3; p++) {
		char name[16];
		struct ifd_spec ds = { .name = name, .has_port = true, .port = p };

		snprintf(name, sizeof(name), "null%u", p);
		assert_int_equal(ifd_add(&ds, NULL, &E), 0);
	}
	ifl_a = ifl_make("null0.0", 0, 0, 1, -1);
	ifl_b = ifl_make("null1.0", 0, 0, 1, -1);
	ifl_c = ifl_make("null2.0", 0, 0, 0, -1);
	ifl_make("null1.9", 9, 0, 0, 5);           /* in table 5 */
	ifl_make("null1.8", 8, IFL_F_NBMA, 0, -1); /* no multicast */
	for (unsigned i = 0; i < N_BIG; i++) {
		char name[32];

		snprintf(name, sizeof(name), "null2.%u", 100 + i);
		ifl_make(name, (uint16_t)(100 + i), 0, 0, -1);
	}

	snprintf(dir, sizeof(dir), "/tmp/nsdp-test-ctrl-route-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/nsdp.sock", dir);
	conf.path = path;
	conf.group = -1;
	assert_int_equal(ctrl_handlers_register_all(), 0);
	srv = ctrl_server_create(&conf);
	assert_non_null(srv);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	b = req(NSDP_OBJ_HELLO, NSDP_OP_GET, 0);
	nsdp_put_u32(&b, NSDP_A_HELLO_VERSION, NSDP_PROTO_VERSION);
	nsdp_put_str(&b, NSDP_A_HELLO_NAME, "test_ctrl_route");
	roundtrip(&b, reply);
	assert_int_equal(((struct nlmsghdr *)reply)->nlmsg_type,
			 NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET));
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	close(fd);
	ctrl_server_destroy(srv);
	rmdir(dir);
	for (uint16_t p = 0; p < 3; p++) {
		char name[16];

		snprintf(name, sizeof(name), "null%u", p);
		ifd_del(ifd_find(name), false);
	}
	ifcfg_fini();
	rt_fini();
	nh_fini();
	counters_fini();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_show),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bulk),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
