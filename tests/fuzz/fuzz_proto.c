/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_proto.c: libFuzzer target for the protocol codec the server runs on
 * every request (src/ctrl/proto/codec.c, policy.c): nsdp_wire_to_host() on
 * the input as one received datagram, then nsdp_parse() of each message
 * against its object's policy.
 *
 * Input: the bytes of a datagram, wire order (tests/fuzz/corpus/fuzz_proto
 * holds one valid message of each kind, and a few datagrams of several).
 *
 * Invariants checked (a violation calls __builtin_trap()):
 *   nsdp_wire_to_host()  fails only with EBADMSG or EMSGSIZE and a message;
 *                        on success it returns the number of messages, each
 *                        4-byte aligned, within the buffer and the size
 *                        limit, and converting every header back
 *                        (nsdp_host_to_wire) gives the input bytes exactly.
 *   nsdp_parse()         fails only with EINVAL, ERANGE or EOPNOTSUPP (the
 *                        framing was checked already), with a message and an
 *                        offset that points at an attribute inside the
 *                        message, deterministically; the error survives a
 *                        trip through nsdp_build_error(). On success every
 *                        tb entry is an allowed attribute of the right type
 *                        inside the message, every nested attribute (and
 *                        every entry of a list) parses with its policy, and
 *                        re-encoding the message from what was parsed with
 *                        the nsdp_put_* builder gives the input bytes with the
 *                        padding zeroed, which parse again.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/proto/codec.h"

/* A datagram holds at most a few maximum-size messages. */
#define FUZZ_MAX_INPUT (4 * NSDP_MSG_MAX)

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_err(const struct nsdp_err *e)
{
	CHECK(e->errnum > 0);
	CHECK(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	CHECK(e->msg[0] != '\0');
}

static uint32_t
align4(uint32_t x)
{
	return (x + 3u) & ~3u;
}

/* Attributes of a parsed message: all lengths were checked. */
#define FOR_EACH_ATTR(a, start, end)                                                           \
	for (const struct nlattr *a = (const struct nlattr *)(start); (const char *)a < (end); \
	     a = (const struct nlattr *)((const char *)a + align4(a->nla_len)))

/* Copy an opaque attribute's content as it is, through the builder. */
static void
encode_raw(struct nsdp_builder *b, const char *start, const char *end)
{
	FOR_EACH_ATTR(a, start, end)
	{
		uint16_t type = a->nla_type & (uint16_t)~NLA_F_NESTED;

		if (a->nla_type & NLA_F_NESTED) {
			struct nlattr *nest = nsdp_nest_start(b, type);

			encode_raw(b, (const char *)a + NLA_HDRLEN, (const char *)a + a->nla_len);
			nsdp_nest_end(b, nest);
		} else {
			nsdp_put_bin(b, type, mnl_attr_get_payload(a),
				     (uint16_t)mnl_attr_get_payload_len(a));
		}
	}
}

/* Re-encode attributes that nsdp_parse() accepted, by their policy. */
static void
encode_attrs(struct nsdp_builder *b, const char *start, const char *end,
	     const struct nsdp_policy *pol)
{
	FOR_EACH_ATTR(a, start, end)
	{
		uint16_t type = a->nla_type & (uint16_t)~NLA_F_NESTED;
		const struct nsdp_attr_policy *ap;
		struct nlattr *nest;

		CHECK(type >= 1 && type <= pol->maxattr);
		ap = &pol->attrs[type];
		switch (ap->kind) {
		case NSDP_AK_U8:
			nsdp_put_u8(b, type, nsdp_get_u8(a));
			break;
		case NSDP_AK_U16:
			nsdp_put_u16(b, type, nsdp_get_u16(a));
			break;
		case NSDP_AK_U32:
			nsdp_put_u32(b, type, nsdp_get_u32(a));
			break;
		case NSDP_AK_U64:
			nsdp_put_u64(b, type, nsdp_get_u64(a));
			break;
		case NSDP_AK_STRING:
			CHECK(strlen(nsdp_get_str(a)) + 1 == mnl_attr_get_payload_len(a));
			nsdp_put_str(b, type, nsdp_get_str(a));
			break;
		case NSDP_AK_BINARY:
			CHECK(mnl_attr_get_payload_len(a) == ap->len);
			nsdp_put_bin(b, type, mnl_attr_get_payload(a), ap->len);
			break;
		case NSDP_AK_NESTED:
			nest = nsdp_nest_start(b, type);
			encode_attrs(b, (const char *)a + NLA_HDRLEN, (const char *)a + a->nla_len,
				     ap->nested);
			nsdp_nest_end(b, nest);
			break;
		case NSDP_AK_OPAQUE:
			nest = nsdp_nest_start(b, type);
			encode_raw(b, (const char *)a + NLA_HDRLEN, (const char *)a + a->nla_len);
			nsdp_nest_end(b, nest);
			break;
		default:
			CHECK(0);
		}
	}
}

/* Zero the padding of the wire copy @w of the host-order message @m. */
static void
zero_padding(uint8_t *w, const char *m, uint32_t start, uint32_t end)
{
	uint32_t off = start;

	while (off < end) {
		const struct nlattr *a = (const struct nlattr *)(m + off);

		memset(w + off + a->nla_len, 0, align4(a->nla_len) - a->nla_len);
		if (a->nla_type & NLA_F_NESTED)
			zero_padding(w, m, off + NLA_HDRLEN, off + a->nla_len);
		off += align4(a->nla_len);
	}
}

/* Everything nsdp_parse() accepted: tb entries, nested policies, lists. */
static void
check_tb(const struct nlmsghdr *nlh, const struct nsdp_policy *pol, const struct nlattr **tb)
{
	const char *lo = (const char *)nlh + NLMSG_HDRLEN;
	const char *hi = (const char *)nlh + nlh->nlmsg_len;

	for (unsigned i = 0; i < NSDP_TB_MAX; i++) {
		const struct nlattr *sub[NSDP_TB_MAX];
		const struct nsdp_attr_policy *ap;
		struct nsdp_err err;

		if (tb[i] == NULL) {
			CHECK(i > pol->maxattr || nsdp_require(nlh, pol, tb, i, &err) == -EINVAL);
			continue;
		}
		CHECK(i >= 1 && i <= pol->maxattr);
		CHECK((const char *)tb[i] >= lo && (const char *)tb[i] + tb[i]->nla_len <= hi);
		CHECK((tb[i]->nla_type & (uint16_t)~NLA_F_NESTED) == i);
		CHECK(nsdp_require(nlh, pol, tb, i, &err) == 0);
		ap = &pol->attrs[i];
		CHECK(ap->kind != NSDP_AK_NONE);
		if (ap->kind != NSDP_AK_NESTED)
			continue;
		CHECK(nsdp_parse_nested(nlh, tb[i], ap->nested, sub, &err) == 0);
		check_tb(nlh, ap->nested, sub);
		/* Every entry of a list parses with its policy. */
		for (unsigned k = 1; k <= ap->nested->maxattr; k++) {
			const struct nsdp_attr_policy *lp = &ap->nested->attrs[k];
			const struct nlattr *e;

			if (!lp->multi || lp->kind != NSDP_AK_NESTED)
				continue;
			mnl_attr_for_each_nested(e, tb[i]) {
				const struct nlattr *etb[NSDP_TB_MAX];

				if (mnl_attr_get_type(e) != k)
					continue;
				CHECK(nsdp_parse_nested(nlh, e, lp->nested, etb, &err) == 0);
			}
		}
	}
}

/* An error a request earned goes back to the client intact. */
static void
check_error_reply(const struct nsdp_err *e, uint32_t seq)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(NLMSG_ERROR);
	const struct nlattr *tb[NSDP_TB_MAX];
	uint8_t *out = malloc(NSDP_MSG_MAX);
	struct nsdp_err err;

	CHECK(out != NULL);
	CHECK(nsdp_build_error(out, NSDP_MSG_MAX, seq, e) == 0);
	CHECK(nsdp_wire_to_host(out, nsdp_msg_wire_len(out), &err) == 1);
	CHECK(nsdp_parse((struct nlmsghdr *)out, pol, tb, &err) == 0);
	CHECK(((struct nlmsghdr *)out)->nlmsg_seq == seq);
	CHECK(nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]) == (uint32_t)e->errnum);
	CHECK(strcmp(nsdp_get_str(tb[NSDP_A_ERR_MSG]), e->msg) == 0);
	CHECK(e->offset == 0 ? tb[NSDP_A_ERR_OFFSET] == NULL
			     : nsdp_get_u32(tb[NSDP_A_ERR_OFFSET]) == e->offset);
	free(out);
}

static void
check_reencode(const struct nlmsghdr *nlh, const struct nsdp_policy *pol, const uint8_t *wire)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	uint8_t *out = malloc(NSDP_MSG_MAX), *expect = malloc(nlh->nlmsg_len);
	struct nsdp_builder b;
	struct nlmsghdr *o;
	struct nsdp_err err;
	int len;

	CHECK(out != NULL && expect != NULL);
	memset(out, 0xa5, NSDP_MSG_MAX);
	o = nsdp_msg_start(&b, out, NSDP_MSG_MAX, nlh->nlmsg_type, nlh->nlmsg_flags,
			   nlh->nlmsg_seq);
	CHECK(o != NULL);
	o->nlmsg_pid = nlh->nlmsg_pid;
	encode_attrs(&b, (const char *)nlh + NLMSG_HDRLEN, (const char *)nlh + nlh->nlmsg_len, pol);
	len = nsdp_msg_end(&b);
	CHECK(len == (int)nlh->nlmsg_len);

	memcpy(expect, wire, nlh->nlmsg_len);
	zero_padding(expect, (const char *)nlh, NLMSG_HDRLEN, nlh->nlmsg_len);
	CHECK(memcmp(out, expect, nlh->nlmsg_len) == 0);

	CHECK(nsdp_wire_to_host(out, (size_t)len, &err) == 1);
	CHECK(nsdp_parse((struct nlmsghdr *)out, pol, tb, &err) == 0);
	free(expect);
	free(out);
}

static void
check_message(const struct nlmsghdr *nlh, const uint8_t *wire)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(nlh->nlmsg_type);
	const struct nlattr *tb[NSDP_TB_MAX], *tb2[NSDP_TB_MAX];
	struct nsdp_err err, err2;
	int rc, rc2;

	memset(&err, 0x5a, sizeof(err));
	rc = nsdp_parse(nlh, pol, tb, &err);
	memset(&err2, 0xa5, sizeof(err2));
	rc2 = nsdp_parse(nlh, pol, tb2, &err2);
	CHECK(rc == rc2);
	CHECK(memcmp(tb, tb2, sizeof(tb)) == 0);
	if (rc < 0) {
		CHECK(rc == -EINVAL || rc == -ERANGE || rc == -EOPNOTSUPP);
		CHECK(err.errnum == -rc);
		check_err(&err);
		CHECK(err.errnum == err2.errnum && err.offset == err2.offset);
		CHECK(strcmp(err.msg, err2.msg) == 0);
		CHECK(err.offset == 0 ||
		      (err.offset >= NLMSG_HDRLEN && err.offset + NLA_HDRLEN <= nlh->nlmsg_len));
		check_error_reply(&err, nlh->nlmsg_seq);
		return;
	}
	CHECK(rc == 0 && pol != NULL);
	check_tb(nlh, pol, tb);
	check_reencode(nlh, pol, wire);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsdp_err err;
	uint8_t *buf;
	size_t off;
	int n, count = 0;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	/* Exactly @size bytes, so AddressSanitizer sees any overread. */
	buf = malloc(size ? size : 1);
	CHECK(buf != NULL);
	memcpy(buf, data, size);

	memset(&err, 0x5a, sizeof(err));
	n = nsdp_wire_to_host(buf, size, &err);
	if (n < 0) {
		CHECK(n == -EBADMSG || n == -EMSGSIZE);
		CHECK(err.errnum == -n);
		check_err(&err);
		free(buf);
		return 0;
	}
	CHECK(n >= 1);
	for (off = 0; off < size;) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(buf + off);
		uint32_t len = nlh->nlmsg_len;

		CHECK(len >= NLMSG_HDRLEN && len <= size - off && len % 4 == 0);
		CHECK(len <= NSDP_MSG_MAX);
		check_message(nlh, data + off);
		off += len;
		count++;
	}
	CHECK(count == n);

	/* Back to wire order: the input, byte for byte. */
	for (off = 0; off < size;) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		uint32_t len = nlh->nlmsg_len;

		nsdp_host_to_wire(nlh);
		off += len;
	}
	CHECK(memcmp(buf, data, size) == 0);
	free(buf);
	return 0;
}
