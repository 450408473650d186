/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_codec.c: the protocol codec (src/ctrl/proto/codec.c, policy.c).
 *
 * Round trips of every message kind, golden wire bytes, determinism, the
 * big-endian host path, and one test per class of bad input with the errno
 * and message docs/protocol.md promises.
 *
 * Bad inputs are written with a small independent writer (struct wire)
 * that lays out wire bytes by hand, big-endian, the way a big-endian host
 * running libmnl would hold them in memory; it shares no code with the
 * codec, so it doubles as the reference for the byte-order tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctrl/proto/codec.h"

#define BUF 4096

/* The reference writer: headers big-endian, padding zero. */
struct wire {
	uint8_t b[NSDP_MSG_MAX + 64];
	size_t len; /* bytes written */
	size_t msg; /* start of the current message */
	size_t nest[16];
	unsigned depth;
};

static void
w_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
w_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
w_msg(struct wire *w, uint16_t type, uint16_t flags, uint32_t seq)
{
	w->msg = w->len;
	memset(w->b + w->len, 0, 16);
	w_be16(w->b + w->len + 4, type);
	w_be16(w->b + w->len + 6, flags);
	w_be32(w->b + w->len + 8, seq);
	w->len += 16;
}

static void
w_end(struct wire *w)
{
	w_be32(w->b + w->msg, (uint32_t)(w->len - w->msg));
}

static void
w_attr(struct wire *w, uint16_t type, const void *p, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	w_be16(w->b + w->len, (uint16_t)(4 + len));
	w_be16(w->b + w->len + 2, type);
	memset(w->b + w->len + 4, 0, padded);
	memcpy(w->b + w->len + 4, p, len);
	w->len += 4 + padded;
}

static void
w_u8(struct wire *w, uint16_t type, uint8_t v)
{
	w_attr(w, type, &v, 1);
}

static void
w_u16(struct wire *w, uint16_t type, uint16_t v)
{
	uint8_t b[2];

	w_be16(b, v);
	w_attr(w, type, b, 2);
}

static void
w_u32(struct wire *w, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	w_be32(b, v);
	w_attr(w, type, b, 4);
}

static void
w_u64(struct wire *w, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	w_be32(b, (uint32_t)(v >> 32));
	w_be32(b + 4, (uint32_t)v);
	w_attr(w, type, b, 8);
}

static void
w_str(struct wire *w, uint16_t type, const char *s)
{
	w_attr(w, type, s, strlen(s) + 1);
}

static void
w_nest(struct wire *w, uint16_t type)
{
	w->nest[w->depth++] = w->len;
	w_be16(w->b + w->len + 2, type | NLA_F_NESTED);
	w->len += 4;
}

static void
w_nest_end(struct wire *w)
{
	size_t start = w->nest[--w->depth];

	w_be16(w->b + start, (uint16_t)(w->len - start));
}

static struct wire *
wire_new(void)
{
	struct wire *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	return w;
}

/* Receive @len wire bytes holding one message and parse it with its policy. */
static struct nlmsghdr *
recv_parse(void *buf, size_t len, const struct nlattr **tb)
{
	struct nsdp_err err = { 0 };
	struct nlmsghdr *nlh = buf;
	int rc;

	assert_int_equal(nsdp_wire_to_host(buf, len, &err), 1);
	rc = nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &err);
	if (rc != 0)
		fail_msg("parse: %s", err.msg);
	return nlh;
}

/* Expect @errnum from receiving then parsing @w; returns the error. */
static struct nsdp_err
expect_err(struct wire *w, int errnum, const char *msg_part)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err err = { 0 };
	int rc;

	rc = nsdp_wire_to_host(w->b, w->len, &err);
	if (rc > 0) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)w->b;

		assert_int_equal(rc, 1);
		rc = nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &err);
	}
	assert_int_equal(rc, -errnum);
	assert_int_equal(err.errnum, errnum);
	if (strstr(err.msg, msg_part) == NULL)
		fail_msg("error message \"%s\" lacks \"%s\"", err.msg, msg_part);
	return err;
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(nsdp_obj_name(NSDP_OBJ_PORT), "port");
	assert_string_equal(nsdp_obj_name(NSDP_OBJ_SESSION), "session");
	assert_null(nsdp_obj_name(0));
	assert_null(nsdp_obj_name(NSDP_OBJ_MAX));
	assert_string_equal(nsdp_op_name(NSDP_OP_GETNEXT), "getnext");
	assert_null(nsdp_op_name(0));
	assert_null(nsdp_op_name(NSDP_OP_MAX));
	assert_int_equal(NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), 0x34);
}

/* Every policy fits a tb and names each allowed attribute. */
static void
check_policy(const struct nsdp_policy *p)
{
	assert_non_null(p->name);
	assert_true(p->maxattr < NSDP_TB_MAX);
	assert_int_equal(p->attrs[0].kind, NSDP_AK_NONE);
	for (unsigned i = 1; i <= p->maxattr; i++) {
		const struct nsdp_attr_policy *a = &p->attrs[i];

		if (a->kind == NSDP_AK_NONE)
			continue;
		assert_non_null(a->name);
		if (a->kind == NSDP_AK_NESTED) {
			assert_non_null(a->nested);
			check_policy(a->nested);
		}
		if (a->kind == NSDP_AK_STRING || a->kind == NSDP_AK_BINARY)
			assert_true(a->len > 0);
	}
}

static void
test_policies(void **state)
{
	static const uint16_t served[] = { NSDP_OBJ_HELLO, NSDP_OBJ_DRIVER, NSDP_OBJ_PORT,
					   NSDP_OBJ_STATS, NSDP_OBJ_MONITOR, NSDP_OBJ_IFD,
					   NSDP_OBJ_IFL, NSDP_OBJ_IFF, NSDP_OBJ_IFA };

	(void)state;
	for (unsigned i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		check_policy(nsdp_msg_policy(NSDP_MSG_TYPE(served[i], NSDP_OP_GET)));
	check_policy(nsdp_msg_policy(NLMSG_ERROR));
	check_policy(nsdp_msg_policy(NLMSG_DONE));
	check_policy(nsdp_msg_policy(NLMSG_OVERRUN));
	assert_null(nsdp_msg_policy(NLMSG_NOOP));
	assert_null(nsdp_msg_policy(NSDP_MSG_TYPE(NSDP_OBJ_SESSION, NSDP_OP_ADD)));
	assert_null(nsdp_msg_policy(NSDP_MSG_TYPE(NSDP_OBJ_MAX, NSDP_OP_ADD)));
}

static void
test_hello_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_builder b;
	char buf[BUF];
	struct nlmsghdr *nlh;
	struct nsdp_err err;
	int len;

	(void)state;
	nsdp_msg_start(&b, buf, sizeof(buf), NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET),
		       NLM_F_REQUEST, 1);
	nsdp_put_u32(&b, NSDP_A_HELLO_VERSION, NSDP_PROTO_VERSION);
	nsdp_put_str(&b, NSDP_A_HELLO_NAME, "nsctl 0.1.0");
	nsdp_put_u32(&b, NSDP_A_HELLO_MAX_MSG, NSDP_MSG_MAX);
	len = nsdp_msg_end(&b);
	assert_int_equal(len, 16 + 8 + 16 + 8);
	assert_int_equal(nsdp_msg_wire_len(buf), (uint32_t)len);

	nlh = recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET));
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(nlh->nlmsg_seq, 1);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_HELLO_VERSION]), NSDP_PROTO_VERSION);
	assert_string_equal(nsdp_get_str(tb[NSDP_A_HELLO_NAME]), "nsctl 0.1.0");
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_HELLO_MAX_MSG]), NSDP_MSG_MAX);
	assert_int_equal(nsdp_require(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb,
				      NSDP_A_HELLO_VERSION, &err),
			 0);
}

static void
test_driver_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX], *a;
	struct nsdp_builder b;
	struct nlattr *nest, *inner;
	char buf[BUF];
	unsigned n = 0;
	int len;

	(void)state;
	nsdp_msg_start(&b, buf, sizeof(buf), NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_CHANGE),
		       NLM_F_REQUEST | NLM_F_ACK, 9);
	nsdp_put_str(&b, NSDP_A_DRIVER_NAME, "net_tap");
	nsdp_put_u32(&b, NSDP_A_DRIVER_PORTS, 2);
	nest = nsdp_nest_start(&b, NSDP_A_DRIVER_OPAQUE);
	nsdp_put_u16(&b, 7, 1500); /* a type only the driver knows */
	inner = nsdp_nest_start(&b, 3);
	nsdp_put_str(&b, 1, "x");
	nsdp_nest_end(&b, inner);
	nsdp_nest_end(&b, nest);
	len = nsdp_msg_end(&b);
	assert_true(len > 0);

	recv_parse(buf, (size_t)len, tb);
	assert_string_equal(nsdp_get_str(tb[NSDP_A_DRIVER_NAME]), "net_tap");
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]), 2);
	/* The opaque part comes through uninterpreted, headers in host order. */
	assert_true(tb[NSDP_A_DRIVER_OPAQUE]->nla_type & NLA_F_NESTED);
	mnl_attr_for_each_nested(a, tb[NSDP_A_DRIVER_OPAQUE]) {
		if (n == 0) {
			assert_int_equal(mnl_attr_get_type(a), 7);
			assert_int_equal(nsdp_get_u16(a), 1500);
		} else {
			assert_int_equal(mnl_attr_get_type(a), 3);
			assert_true(a->nla_type & NLA_F_NESTED);
		}
		n++;
	}
	assert_int_equal(n, 2);
}

static int
build_port(char *buf, size_t size, uint32_t seq)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct nsdp_builder b;
	struct nlattr *nest;

	nsdp_msg_start(&b, buf, size, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD),
		       NLM_F_REQUEST | NLM_F_ACK, seq);
	nsdp_put_u32(&b, NSDP_A_PORT_ID, 3);
	nsdp_put_str(&b, NSDP_A_PORT_NAME, "net_tap0");
	nsdp_put_str(&b, NSDP_A_PORT_DRIVER, "net_tap");
	nsdp_put_bin(&b, NSDP_A_PORT_MAC, mac, sizeof(mac));
	nsdp_put_u8(&b, NSDP_A_PORT_STATE, 1);
	nsdp_put_u8(&b, NSDP_A_PORT_LINK_UP, 1);
	nsdp_put_u32(&b, NSDP_A_PORT_SPEED, 10000);
	nsdp_put_u16(&b, NSDP_A_PORT_NB_RXQ, 4);
	nsdp_put_u16(&b, NSDP_A_PORT_NB_TXQ, 3);
	nsdp_put_u8(&b, NSDP_A_PORT_RSS, 1);
	nest = nsdp_nest_start(&b, NSDP_A_PORT_OPAQUE);
	nsdp_put_u32(&b, 1, 0xdeadbeef);
	nsdp_nest_end(&b, nest);
	return nsdp_msg_end(&b);
}

static void
test_port_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	char buf[BUF];
	const uint8_t *mac;
	int len;

	(void)state;
	len = build_port(buf, sizeof(buf), 42);
	assert_true(len > 0);
	recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_PORT_ID]), 3);
	assert_string_equal(nsdp_get_str(tb[NSDP_A_PORT_NAME]), "net_tap0");
	assert_string_equal(nsdp_get_str(tb[NSDP_A_PORT_DRIVER]), "net_tap");
	assert_int_equal(mnl_attr_get_payload_len(tb[NSDP_A_PORT_MAC]), 6);
	mac = mnl_attr_get_payload(tb[NSDP_A_PORT_MAC]);
	assert_int_equal(mac[0], 0x02);
	assert_int_equal(mac[5], 0x01);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_PORT_STATE]), 1);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_PORT_LINK_UP]), 1);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_PORT_SPEED]), 10000);
	assert_int_equal(nsdp_get_u16(tb[NSDP_A_PORT_NB_RXQ]), 4);
	assert_int_equal(nsdp_get_u16(tb[NSDP_A_PORT_NB_TXQ]), 3);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_PORT_RSS]), 1);
	assert_non_null(tb[NSDP_A_PORT_OPAQUE]);
	assert_int_equal(mnl_attr_get_payload_len(tb[NSDP_A_PORT_OPAQUE]), 8);
}

static const char *const drop_names[] = { "no route", "ttl exceeded", "bad checksum" };

static int
build_stats(char *buf, size_t size)
{
	struct nsdp_builder b;
	struct nlattr *drops;

	nsdp_msg_start(&b, buf, size, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), NLM_F_MULTI, 5);
	nsdp_put_u32(&b, NSDP_A_STATS_PORT, 0);
	nsdp_put_u64(&b, NSDP_A_STATS_RX_PACKETS, 1ull << 40);
	nsdp_put_u64(&b, NSDP_A_STATS_RX_BYTES, UINT64_MAX);
	nsdp_put_u64(&b, NSDP_A_STATS_TX_PACKETS, 0);
	nsdp_put_u64(&b, NSDP_A_STATS_TX_BYTES, 0x0102030405060708ull);
	drops = nsdp_nest_start(&b, NSDP_A_STATS_DROPS);
	for (unsigned i = 0; i < 3; i++) {
		struct nlattr *e = nsdp_nest_start(&b, NSDP_A_DROP_ENTRY);

		nsdp_put_str(&b, NSDP_A_DROP_NAME, drop_names[i]);
		nsdp_put_u64(&b, NSDP_A_DROP_COUNT, 1000 + i);
		nsdp_nest_end(&b, e);
	}
	nsdp_nest_end(&b, drops);
	return nsdp_msg_end(&b);
}

static void
test_stats_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX], *dtb[NSDP_TB_MAX], *etb[NSDP_TB_MAX], *e;
	const struct nsdp_policy *pol = nsdp_msg_policy(NSDP_MSG_TYPE(NSDP_OBJ_STATS, 0));
	const struct nsdp_policy *drops, *entry;
	struct nlmsghdr *nlh;
	struct nsdp_err err;
	char buf[BUF];
	unsigned n = 0;
	int len;

	(void)state;
	len = build_stats(buf, sizeof(buf));
	assert_true(len > 0);
	nlh = recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_MULTI);
	assert_int_equal(nsdp_get_u64(tb[NSDP_A_STATS_RX_PACKETS]), 1ull << 40);
	assert_true(nsdp_get_u64(tb[NSDP_A_STATS_RX_BYTES]) == UINT64_MAX);
	assert_int_equal(nsdp_get_u64(tb[NSDP_A_STATS_TX_PACKETS]), 0);
	assert_true(nsdp_get_u64(tb[NSDP_A_STATS_TX_BYTES]) == 0x0102030405060708ull);
	assert_null(tb[NSDP_A_STATS_RESET]);

	/* The list: tb holds the first entry, the rest by iteration. */
	drops = pol->attrs[NSDP_A_STATS_DROPS].nested;
	entry = drops->attrs[NSDP_A_DROP_ENTRY].nested;
	assert_int_equal(nsdp_parse_nested(nlh, tb[NSDP_A_STATS_DROPS], drops, dtb, &err), 0);
	assert_non_null(dtb[NSDP_A_DROP_ENTRY]);
	mnl_attr_for_each_nested(e, tb[NSDP_A_STATS_DROPS]) {
		if (n == 0)
			assert_ptr_equal(e, dtb[NSDP_A_DROP_ENTRY]);
		assert_int_equal(nsdp_parse_nested(nlh, e, entry, etb, &err), 0);
		assert_string_equal(nsdp_get_str(etb[NSDP_A_DROP_NAME]), drop_names[n]);
		assert_int_equal(nsdp_get_u64(etb[NSDP_A_DROP_COUNT]), 1000 + n);
		n++;
	}
	assert_int_equal(n, 3);
}

static void
test_monitor_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	uint32_t groups = 1u << NSDP_OBJ_PORT | 1u << NSDP_OBJ_STATS;
	struct nsdp_builder b;
	char buf[BUF];
	int len;

	(void)state;
	nsdp_msg_start(&b, buf, sizeof(buf), NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD),
		       NLM_F_REQUEST, 2);
	nsdp_put_u32(&b, NSDP_A_MONITOR_GROUPS, groups);
	len = nsdp_msg_end(&b);
	recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_MONITOR_GROUPS]), groups);
}

static void
test_error_and_ack_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };
	struct nlmsghdr *nlh;
	char buf[BUF];

	(void)state;
	nsdp_err_set(&e, EINVAL, 20, "port: attribute '%s' must be 4 bytes, got %u", "port id", 2u);
	assert_int_equal(nsdp_build_error(buf, sizeof(buf), 77, &e), 0);
	nlh = recv_parse(buf, nsdp_msg_wire_len(buf), tb);
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 77);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]), EINVAL);
	assert_string_equal(nsdp_get_str(tb[NSDP_A_ERR_MSG]),
			    "port: attribute 'port id' must be 4 bytes, got 2");
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_ERR_OFFSET]), 20);

	/* The ack: errno 0 and nothing else. */
	memset(&e, 0, sizeof(e));
	assert_int_equal(nsdp_build_error(buf, sizeof(buf), 78, &e), 0);
	assert_int_equal(nsdp_msg_wire_len(buf), 16 + 8);
	nlh = recv_parse(buf, nsdp_msg_wire_len(buf), tb);
	assert_int_equal(nlh->nlmsg_seq, 78);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]), 0);
	assert_null(tb[NSDP_A_ERR_MSG]);
	assert_null(tb[NSDP_A_ERR_OFFSET]);

	/* No room. */
	assert_int_equal(nsdp_build_error(buf, 16, 1, &e), -EMSGSIZE);
}

static void
test_done_and_overrun_round_trip(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX], *key[NSDP_TB_MAX];
	const struct nsdp_policy *port = nsdp_msg_policy(NSDP_MSG_TYPE(NSDP_OBJ_PORT, 0));
	struct nsdp_builder b;
	struct nlmsghdr *nlh;
	struct nlattr *last;
	struct nsdp_err err;
	char buf[BUF];
	int len;

	(void)state;
	nsdp_msg_start(&b, buf, sizeof(buf), NLMSG_DONE, NLM_F_MULTI, 12);
	nsdp_put_u8(&b, NSDP_A_DONE_MORE, 1);
	last = nsdp_nest_start(&b, NSDP_A_DONE_LAST);
	nsdp_put_u32(&b, NSDP_A_PORT_ID, 17);
	nsdp_nest_end(&b, last);
	nsdp_put_u32(&b, NSDP_A_DONE_COUNT, 64);
	len = nsdp_msg_end(&b);
	nlh = recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_DONE_MORE]), 1);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_DONE_COUNT]), 64);
	/* The key is checked with the dumped object's policy by the client. */
	assert_int_equal(nsdp_parse_nested(nlh, tb[NSDP_A_DONE_LAST], port, key, &err), 0);
	assert_int_equal(nsdp_get_u32(key[NSDP_A_PORT_ID]), 17);

	nsdp_msg_start(&b, buf, sizeof(buf), NLMSG_OVERRUN, 0, 0);
	len = nsdp_msg_end(&b);
	assert_int_equal(len, 16);
	nlh = recv_parse(buf, (size_t)len, tb);
	assert_int_equal(nlh->nlmsg_type, NLMSG_OVERRUN);
}

/*
 * A port GET as it must look on the wire, written out by hand: every header
 * field big-endian, attribute padding zero, nested type with 0x8000.
 */
static const uint8_t golden_port[] = {
	0x00, 0x00, 0x00, 0x2c, /* nlmsg_len 44 */
	0x00, 0x34,             /* type: port (3) << 4 | get (4) */
	0x00, 0x05,             /* flags: NLM_F_REQUEST | NLM_F_ACK */
	0x00, 0x00, 0x00, 0x07, /* seq 7 */
	0x00, 0x00, 0x00, 0x00, /* pid 0 */
	0x00, 0x08, 0x00, 0x01, /* port id: len 8, type 1 */
	0x00, 0x00, 0x00, 0x01, /*   1 */
	0x00, 0x07, 0x00, 0x02, /* port name: len 7, type 2 */
	'p',  '0',  0x00, 0x00, /*   "p0", NUL, one byte of padding */
	0x00, 0x0c, 0x80, 0x0b, /* port opaque: len 12, type 11 | NLA_F_NESTED */
	0x00, 0x06, 0x00, 0x01, /*   driver attribute 1: len 6 */
	0x01, 0x02, 0x00, 0x00, /*   u16 0x0102, padding */
};

static int
build_golden(char *buf, size_t size)
{
	struct nsdp_builder b;
	struct nlattr *nest;

	nsdp_msg_start(&b, buf, size, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET),
		       NLM_F_REQUEST | NLM_F_ACK, 7);
	nsdp_put_u32(&b, NSDP_A_PORT_ID, 1);
	nsdp_put_str(&b, NSDP_A_PORT_NAME, "p0");
	nest = nsdp_nest_start(&b, NSDP_A_PORT_OPAQUE);
	nsdp_put_u16(&b, 1, 0x0102);
	nsdp_nest_end(&b, nest);
	return nsdp_msg_end(&b);
}

static void
test_golden_bytes(void **state)
{
	char buf[BUF];
	int len;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	len = build_golden(buf, sizeof(buf));
	assert_int_equal(len, sizeof(golden_port));
	assert_memory_equal(buf, golden_port, sizeof(golden_port));
}

/* Same configuration, different garbage in the buffers: same bytes. */
static void
test_deterministic(void **state)
{
	char a[BUF], b[BUF];
	int la, lb;

	(void)state;
	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	la = build_stats(a, sizeof(a));
	lb = build_stats(b, sizeof(b));
	assert_true(la > 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, (size_t)la);

	memset(a, 0x5a, sizeof(a));
	memset(b, 0xa5, sizeof(b));
	la = build_port(a, sizeof(a), 1);
	lb = build_port(b, sizeof(b), 1);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, (size_t)la);
}

/*
 * The big-endian host path. On a big-endian host libmnl writes headers in
 * big-endian order, which is what struct wire does; there the codec runs
 * with swap == false. The bytes it sends must equal what this little-endian
 * host sends through the swap == true path, and receiving must not change
 * them.
 */
static void
test_big_endian_path(void **state)
{
	struct wire *w = wire_new();
	char le[BUF], copy[BUF];
	int len;

	(void)state;
	/* The golden message, built as a big-endian host holds it. */
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST | NLM_F_ACK, 7);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_str(w, NSDP_A_PORT_NAME, "p0");
	w_nest(w, NSDP_A_PORT_OPAQUE);
	w_u16(w, 1, 0x0102);
	w_nest_end(w);
	w_end(w);
	assert_int_equal(w->len, sizeof(golden_port));

	nsdp_host_to_wire_ex((struct nlmsghdr *)w->b, false);
	assert_memory_equal(w->b, golden_port, sizeof(golden_port));
	len = build_golden(le, sizeof(le));
	assert_int_equal(len, (int)w->len);
	assert_memory_equal(w->b, le, w->len);
	nsdp_wire_to_host_msg_ex((struct nlmsghdr *)w->b, false);
	assert_memory_equal(w->b, golden_port, sizeof(golden_port));

	/* A bigger message with lists: both paths, same bytes. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), NLM_F_MULTI, 5);
	w_u32(w, NSDP_A_STATS_PORT, 0);
	w_u64(w, NSDP_A_STATS_RX_PACKETS, 1ull << 40);
	w_u64(w, NSDP_A_STATS_RX_BYTES, UINT64_MAX);
	w_u64(w, NSDP_A_STATS_TX_PACKETS, 0);
	w_u64(w, NSDP_A_STATS_TX_BYTES, 0x0102030405060708ull);
	w_nest(w, NSDP_A_STATS_DROPS);
	for (unsigned i = 0; i < 3; i++) {
		w_nest(w, NSDP_A_DROP_ENTRY);
		w_str(w, NSDP_A_DROP_NAME, drop_names[i]);
		w_u64(w, NSDP_A_DROP_COUNT, 1000 + i);
		w_nest_end(w);
	}
	w_nest_end(w);
	w_end(w);
	nsdp_host_to_wire_ex((struct nlmsghdr *)w->b, false);
	len = build_stats(le, sizeof(le));
	assert_int_equal(len, (int)w->len);
	assert_memory_equal(w->b, le, w->len);

	/* The little-endian conversions are each other's inverse. */
	memcpy(copy, le, (size_t)len);
	nsdp_wire_to_host_msg_ex((struct nlmsghdr *)copy, true);
	assert_int_equal(((struct nlmsghdr *)copy)->nlmsg_len, (uint32_t)len);
	nsdp_host_to_wire_ex((struct nlmsghdr *)copy, true);
	assert_memory_equal(copy, le, (size_t)len);
	free(w);
}

static void
test_several_messages(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	char buf[3 * BUF];
	struct nlmsghdr *nlh;
	struct nsdp_err err = { 0 };
	size_t off = 0;
	int len, n, i = 0;

	(void)state;
	len = build_golden(buf, sizeof(buf));
	off += (size_t)len;
	len = build_stats(buf + off, sizeof(buf) - off);
	off += (size_t)len;
	assert_int_equal(nsdp_build_error(buf + off, sizeof(buf) - off, 3, &err), 0);
	off += nsdp_msg_wire_len(buf + off);

	n = nsdp_wire_to_host(buf, off, &err);
	assert_int_equal(n, 3);
	len = (int)off;
	for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		static const uint16_t types[] = { 0x34, 0xe4, NLMSG_ERROR };

		assert_int_equal(nlh->nlmsg_type, types[i]);
		assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &err), 0);
		i++;
	}
	assert_int_equal(i, 3);

	/* A bad second message is named as such. */
	struct wire *w = wire_new();

	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_u32(w, NSDP_A_HELLO_VERSION, 1);
	w_end(w);
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST, 2);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	w_be16(w->b + w->msg + 16, 40); /* port id length past the message */
	assert_int_equal(nsdp_wire_to_host(w->b, w->len, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "message 2 (port get)"));
	assert_int_equal(err.offset, 16);
	free(w);
}

/* Framing errors: nsdp_wire_to_host() refuses with EBADMSG. */
static void
test_bad_framing(void **state)
{
	struct wire *w = wire_new();
	struct nsdp_err err = { 0 };

	(void)state;
	assert_int_equal(nsdp_wire_to_host(w->b, 0, &err), -EBADMSG);

	/* Truncated header. */
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_end(w);
	w->len = 10;
	expect_err(w, EBADMSG, "truncated header (10 bytes, need 16)");

	/* A length past the buffer. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	w_be32(w->b, 64);
	expect_err(w, EBADMSG, "port get: length 64 is past the end of the buffer");

	/* Shorter than its header, or not aligned. */
	w_be32(w->b, 8);
	expect_err(w, EBADMSG, "shorter than the header");
	w_be32(w->b, 22);
	expect_err(w, EBADMSG, "not a multiple of 4");

	/* Trailing bytes after the last message. */
	w_be32(w->b, 24);
	w->len = 24 + 8;
	expect_err(w, EBADMSG, "message 2: truncated header (8 bytes");

	/* An attribute past the end of the message. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	w_be16(w->b + 16, 12);
	assert_int_equal(expect_err(w, EBADMSG, "past the end of its message").offset, 16);

	/* An attribute shorter than its header. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	w_be16(w->b + 16, 2);
	expect_err(w, EBADMSG, "shorter than its header");

	/* A nested attribute overflowing its parent. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	w_nest(w, NSDP_A_PORT_OPAQUE);
	w_u32(w, 1, 5);
	w_nest_end(w);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	w_be16(w->b + 20, 12); /* inner: 12 bytes inside a nest with 8 */
	assert_int_equal(expect_err(w, EBADMSG, "past the end of its parent attribute").offset, 20);

	/* Bytes left in a nest that hold no attribute header. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	w_nest(w, NSDP_A_PORT_OPAQUE);
	w_u8(w, 1, 5);
	w_nest_end(w);
	w_end(w);
	w_be16(w->b + 16, 7); /* the nest claims 3 payload bytes */
	expect_err(w, EBADMSG, "3 trailing bytes");

	/* Nested too deep. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	for (unsigned i = 0; i < 9; i++)
		w_nest(w, i == 0 ? NSDP_A_PORT_OPAQUE : 1);
	for (unsigned i = 0; i < 9; i++)
		w_nest_end(w);
	w_end(w);
	expect_err(w, EBADMSG, "nests deeper than 8 levels");
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	for (unsigned i = 0; i < 8; i++)
		w_nest(w, i == 0 ? NSDP_A_PORT_OPAQUE : 1);
	for (unsigned i = 0; i < 8; i++)
		w_nest_end(w);
	w_end(w);
	assert_int_equal(nsdp_wire_to_host(w->b, w->len, &err), 1);

	/* Over the size limit. */
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	w_nest(w, NSDP_A_DRIVER_OPAQUE);
	for (unsigned i = 0; i < NSDP_MSG_MAX / 8; i++)
		w_u32(w, 1, i);
	w_nest_end(w);
	w_end(w);
	expect_err(w, EMSGSIZE, "larger than the limit of 16384");
	free(w);
}

/* Policy errors: nsdp_parse(). */
static void
test_bad_attributes(void **state)
{
	static const uint8_t mac5[5] = { 0 };
	uint16_t port_add = NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_ADD);
	struct wire *w = wire_new();
	struct nsdp_err err;

	(void)state;
#define RESET(type)                                 \
	do {                                        \
		w->len = 0;                         \
		w_msg(w, (type), NLM_F_REQUEST, 1); \
	} while (0)

	/* Unknown attribute, type 0, a flag nobody defined. */
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_u32(w, NSDP_A_PORT_MAX, 1);
	w_end(w);
	err = expect_err(w, EOPNOTSUPP, "port: unknown attribute 12");
	assert_int_equal(err.offset, 24);
	RESET(port_add);
	w_u32(w, 0, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "port: unknown attribute 0");
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_ID | NLA_F_NET_BYTEORDER, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "port: unknown attribute");

	/* Wrong integer sizes. */
	RESET(port_add);
	w_u16(w, NSDP_A_PORT_ID, 1);
	w_end(w);
	err = expect_err(w, EINVAL, "port: attribute 'port id' must be 4 bytes, got 2");
	assert_int_equal(err.offset, 16);
	RESET(NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET));
	w_u32(w, NSDP_A_STATS_RX_BYTES, 1);
	w_end(w);
	expect_err(w, EINVAL, "stats: attribute 'rx bytes' must be 8 bytes, got 4");
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_NB_RXQ, 1);
	w_end(w);
	expect_err(w, EINVAL, "'rx queues' must be 2 bytes, got 4");

	/* Out of range. */
	RESET(port_add);
	w_u8(w, NSDP_A_PORT_LINK_UP, 2);
	w_end(w);
	expect_err(w, ERANGE, "port: attribute 'link up' must be between 0 and 1, got 2");
	RESET(port_add);
	w_u16(w, NSDP_A_PORT_NB_RXQ, 0);
	w_end(w);
	expect_err(w, ERANGE, "'rx queues' must be between 1 and 1024, got 0");
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_ID, 0xffff);
	w_end(w);
	expect_err(w, ERANGE, "'port id' must be between 0 and 65534, got 65535");
	RESET(NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET));
	w_u32(w, NSDP_A_HELLO_VERSION, 0);
	w_end(w);
	expect_err(w, ERANGE, "hello: attribute 'version' must be between 1 and");

	/* Strings: no NUL, a NUL inside, too long. */
	RESET(port_add);
	w_attr(w, NSDP_A_PORT_NAME, "abc", 3);
	w_end(w);
	expect_err(w, EINVAL, "port: attribute 'port name' must be a string ending");
	RESET(port_add);
	w_attr(w, NSDP_A_PORT_NAME, "ab\0c", 5);
	w_end(w);
	expect_err(w, EINVAL, "'port name' must be a string ending with its only NUL");
	RESET(port_add);
	w_attr(w, NSDP_A_PORT_NAME, "", 0);
	w_end(w);
	expect_err(w, EINVAL, "'port name' must be a string");
	RESET(port_add);
	w_str(w, NSDP_A_PORT_DRIVER, "0123456789012345678901234567890123456789");
	w_end(w);
	expect_err(w, EINVAL, "'port driver' must be at most 31 characters, got 40");

	/* Binary of the wrong length. */
	RESET(port_add);
	w_attr(w, NSDP_A_PORT_MAC, mac5, sizeof(mac5));
	w_end(w);
	expect_err(w, EINVAL, "port: attribute 'mac' must be 6 bytes, got 5");

	/* NLA_F_NESTED where it does not belong, or missing. */
	RESET(port_add);
	w_nest(w, NSDP_A_PORT_ID);
	w_nest_end(w);
	w_end(w);
	expect_err(w, EINVAL, "'port id' must not be nested");
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_OPAQUE, 1);
	w_end(w);
	expect_err(w, EINVAL, "'port opaque' must be nested (NLA_F_NESTED)");

	/* Duplicates. */
	RESET(port_add);
	w_u32(w, NSDP_A_PORT_ID, 1);
	w_u32(w, NSDP_A_PORT_ID, 2);
	w_end(w);
	assert_int_equal(expect_err(w, EINVAL, "port: duplicate attribute 'port id'").offset, 24);
	RESET(NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET));
	w_nest(w, NSDP_A_STATS_DROPS);
	w_nest_end(w);
	w_nest(w, NSDP_A_STATS_DROPS);
	w_nest_end(w);
	w_end(w);
	expect_err(w, EINVAL, "stats: duplicate attribute 'drops'");

	/* Inside a nest: the nested policy applies, offsets point inside. */
	RESET(NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET));
	w_nest(w, NSDP_A_STATS_DROPS);
	w_nest(w, NSDP_A_DROP_ENTRY);
	w_str(w, NSDP_A_DROP_NAME, "x");
	w_u32(w, NSDP_A_DROP_COUNT, 1);
	w_nest_end(w);
	w_nest_end(w);
	w_end(w);
	err = expect_err(w, EINVAL, "drop entry: attribute 'drop count' must be 8 bytes, got 4");
	assert_int_equal(err.offset, 16 + 4 + 4 + 8);
	RESET(NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET));
	w_nest(w, NSDP_A_STATS_DROPS);
	w_u64(w, NSDP_A_DROP_COUNT, 1); /* an entry's attribute outside any entry */
	w_nest_end(w);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "drops: unknown attribute 3");
	free(w);
#undef RESET
}

static void
test_bad_objects(void **state)
{
	struct wire *w = wire_new();

	(void)state;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_SESSION, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "object 'session' is not supported yet");
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_MAX, NSDP_OP_ADD), NLM_F_REQUEST, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "unknown object 17");
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, 0), NLM_F_REQUEST, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "port: unknown operation 0");
	w->len = 0;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_MAX), NLM_F_REQUEST, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "port: unknown operation 7");
	w->len = 0;
	w_msg(w, NLMSG_NOOP, 0, 1);
	w_end(w);
	expect_err(w, EOPNOTSUPP, "unexpected message type 1");
	free(w);
}

static void
test_missing_mandatory(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	const struct nsdp_policy *pol;
	struct wire *w = wire_new();
	struct nlmsghdr *nlh;
	struct nsdp_err err = { 0 };

	(void)state;
	w_msg(w, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), NLM_F_REQUEST, 1);
	w_str(w, NSDP_A_HELLO_NAME, "nsctl");
	w_end(w);
	nlh = recv_parse(w->b, w->len, tb);
	pol = nsdp_msg_policy(nlh->nlmsg_type);
	assert_int_equal(nsdp_require(nlh, pol, tb, NSDP_A_HELLO_VERSION, &err), -EINVAL);
	assert_int_equal(err.errnum, EINVAL);
	assert_string_equal(err.msg, "hello: missing attribute 'version'");
	assert_int_equal(nsdp_require(nlh, pol, tb, NSDP_A_HELLO_NAME, &err), 0);
	free(w);
}

static void
test_builder_limits(void **state)
{
	static char big[NSDP_MSG_MAX + 1024];
	struct nsdp_builder b;
	char small[32];
	char blob[1000] = { 0 };

	(void)state;
	/* Too small for a header. */
	assert_null(nsdp_msg_start(&b, small, 8, NLMSG_DONE, 0, 0));
	nsdp_put_u32(&b, 1, 1);
	assert_int_equal(nsdp_msg_end(&b), -EMSGSIZE);

	/* An overflow is sticky, even if later attributes would fit. */
	assert_non_null(nsdp_msg_start(&b, small, sizeof(small), NLMSG_DONE, 0, 0));
	nsdp_put_str(&b, NSDP_A_DONE_LAST, "this string does not fit in 32 bytes");
	assert_true(b.overflow);
	nsdp_put_u8(&b, NSDP_A_DONE_MORE, 1);
	assert_null(nsdp_nest_start(&b, NSDP_A_DONE_LAST));
	nsdp_nest_end(&b, NULL);
	assert_int_equal(nsdp_msg_end(&b), -EMSGSIZE);

	/* A big buffer still holds at most NSDP_MSG_MAX bytes. */
	nsdp_msg_start(&b, big, sizeof(big), NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_ADD), 0, 0);
	for (unsigned i = 0; i < NSDP_MSG_MAX / sizeof(blob) + 1; i++)
		nsdp_put_bin(&b, 1, blob, sizeof(blob));
	assert_int_equal(nsdp_msg_end(&b), -EMSGSIZE);
}

static void
test_err_set(void **state)
{
	struct nsdp_err e;
	char longer[400];

	(void)state;
	assert_int_equal(nsdp_err_set(&e, ENOENT, 12, "no port %u", 4u), -ENOENT);
	assert_int_equal(e.errnum, ENOENT);
	assert_int_equal(e.offset, 12);
	assert_string_equal(e.msg, "no port 4");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	nsdp_err_set(&e, EINVAL, 0, "%s", longer);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_int_equal(nsdp_err_set(NULL, EINVAL, 0, "x"), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_hello_round_trip),
		cmocka_unit_test(test_driver_round_trip),
		cmocka_unit_test(test_port_round_trip),
		cmocka_unit_test(test_stats_round_trip),
		cmocka_unit_test(test_monitor_round_trip),
		cmocka_unit_test(test_error_and_ack_round_trip),
		cmocka_unit_test(test_done_and_overrun_round_trip),
		cmocka_unit_test(test_golden_bytes),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_big_endian_path),
		cmocka_unit_test(test_several_messages),
		cmocka_unit_test(test_bad_framing),
		cmocka_unit_test(test_bad_attributes),
		cmocka_unit_test(test_bad_objects),
		cmocka_unit_test(test_missing_mandatory),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_err_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
