/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * codec.c: the nsdp protocol codec (codec.h, docs/protocol.md): wire <->
 * host conversion with the framing check, the strict policy parser, the
 * message builder, error records and names.
 *
 * Glossary: "wire order" = every header field big-endian; "host order" =
 * nlmsghdr and nlattr headers in the CPU's order, which is what libmnl
 * reads and writes. Attribute payloads never change: integers in them are
 * big-endian in both orders (nsdp_put_* / nsdp_get_* convert).
 *
 * Invariants:
 *   - nsdp_wire_to_host() either converts a buffer whose every message and
 *     attribute (nested ones included) lies within its parent, 4-byte
 *     aligned, or fails; callers never walk unchecked lengths.
 *   - nsdp_parse() reads only inside the message, even when handed a
 *     message that nsdp_wire_to_host() did not check (it re-checks the
 *     lengths it walks), so a handler bug cannot turn into an overread.
 *   - Every error names the object and the attribute, and carries the
 *     attribute's offset from the start of its message.
 */
#include <byteswap.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"

/* Nesting allowed in opaque attributes; policy nesting is shallower. */
#define NSDP_NEST_DEPTH_MAX 8
/* NLA_ALIGN(), unsigned: lengths here are never negative. */
#define ALIGN4(x) (((uint32_t)(x) + 3u) & ~3u)

int
nsdp_err_set(struct nsdp_err *e, int errnum, uint32_t offset, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -errnum;
	e->errnum = errnum;
	e->offset = offset;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -errnum;
}

static const char *const obj_names[NSDP_OBJ_MAX] = {
	[NSDP_OBJ_HELLO] = "hello",     [NSDP_OBJ_DRIVER] = "driver",
	[NSDP_OBJ_PORT] = "port",       [NSDP_OBJ_IFD] = "ifd",
	[NSDP_OBJ_IFL] = "ifl",         [NSDP_OBJ_IFF] = "iff",
	[NSDP_OBJ_IFA] = "ifa",         [NSDP_OBJ_TABLE] = "table",
	[NSDP_OBJ_ROUTE] = "route",     [NSDP_OBJ_NEXTHOP] = "nexthop",
	[NSDP_OBJ_NEIGH] = "neigh",     [NSDP_OBJ_L2DEMUX] = "l2demux",
	[NSDP_OBJ_L3DEMUX] = "l3demux", [NSDP_OBJ_STATS] = "stats",
	[NSDP_OBJ_MONITOR] = "monitor", [NSDP_OBJ_SESSION] = "session",
};

static const char *const op_names[NSDP_OP_MAX] = {
	[NSDP_OP_ADD] = "add", [NSDP_OP_CHANGE] = "change",   [NSDP_OP_DELETE] = "delete",
	[NSDP_OP_GET] = "get", [NSDP_OP_GETNEXT] = "getnext", [NSDP_OP_RESOLVE] = "resolve",
};

const char *
nsdp_obj_name(unsigned obj)
{
	return obj < NSDP_OBJ_MAX ? obj_names[obj] : NULL;
}

const char *
nsdp_op_name(unsigned op)
{
	return op < NSDP_OP_MAX ? op_names[op] : NULL;
}

/* "port add", "error", "type 0x1234": names a message in error strings. */
static const char *
msg_label(uint16_t type, char *buf, size_t size)
{
	const char *obj = nsdp_obj_name(NSDP_MSG_OBJ(type));
	const char *op = nsdp_op_name(NSDP_MSG_OP(type));

	switch (type) {
	case NLMSG_NOOP:
		return "noop";
	case NLMSG_ERROR:
		return "error";
	case NLMSG_DONE:
		return "done";
	case NLMSG_OVERRUN:
		return "overrun";
	}
	if (obj != NULL && op != NULL)
		snprintf(buf, size, "%s %s", obj, op);
	else
		snprintf(buf, size, "type 0x%x", type);
	return buf;
}

/*
 * Header fields accessed with memcpy: nsdp_wire_to_host() accepts any
 * buffer, aligned or not, and must not rely on the caller's alignment.
 */
static uint16_t
rd16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
wr16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
wr32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

#define NLA_LEN_AT(p) ((char *)(p) + offsetof(struct nlattr, nla_len))
#define NLA_TYPE_AT(p) ((char *)(p) + offsetof(struct nlattr, nla_type))

/*
 * Framing check of the attributes in msg[start, end) while converting
 * their headers from wire to host order. Offsets are from the message
 * start, for error reports.
 */
static int
attrs_wire_to_host(char *msg, uint32_t start, uint32_t end, unsigned depth, const char *label,
		   struct nsdp_err *err)
{
	uint32_t off = start;

	while (off < end) {
		uint32_t left = end - off;
		uint16_t len, type;
		int rc;

		if (left < NLA_HDRLEN)
			return nsdp_err_set(err, EBADMSG, off,
					    "%s: %u trailing bytes after the last attribute", label,
					    left);
		len = be16toh(rd16(NLA_LEN_AT(msg + off)));
		type = be16toh(rd16(NLA_TYPE_AT(msg + off)));
		if (len < NLA_HDRLEN)
			return nsdp_err_set(err, EBADMSG, off,
					    "%s: attribute %u at offset %u has length %u, shorter "
					    "than its header",
					    label, type & NLA_TYPE_MASK, off, len);
		if (ALIGN4(len) > left)
			return nsdp_err_set(err, EBADMSG, off,
					    "%s: attribute %u at offset %u has length %u, past the "
					    "end of its %s (%u bytes left)",
					    label, type & NLA_TYPE_MASK, off, len,
					    depth == 0 ? "message" : "parent attribute", left);
		wr16(NLA_LEN_AT(msg + off), len);
		wr16(NLA_TYPE_AT(msg + off), type);
		if (type & NLA_F_NESTED) {
			if (depth + 1 > NSDP_NEST_DEPTH_MAX)
				return nsdp_err_set(err, EBADMSG, off,
						    "%s: attribute %u at offset %u nests deeper "
						    "than %u levels",
						    label, type & NLA_TYPE_MASK, off,
						    NSDP_NEST_DEPTH_MAX);
			rc = attrs_wire_to_host(msg, off + NLA_HDRLEN, off + len, depth + 1, label,
						err);
			if (rc < 0)
				return rc;
		}
		off += ALIGN4(len);
	}
	return 0;
}

int
nsdp_wire_to_host(void *buf, size_t len, struct nsdp_err *err)
{
	char *p = buf;
	size_t off = 0;
	int n = 0;

	if (len == 0)
		return nsdp_err_set(err, EBADMSG, 0, "empty buffer: no message header");
	while (off < len) {
		size_t left = len - off;
		struct nlmsghdr *nlh = (struct nlmsghdr *)(p + off);
		char lbuf[32], label[48];
		uint32_t mlen;
		uint16_t type;
		int rc;

		if (left < NLMSG_HDRLEN)
			return nsdp_err_set(err, EBADMSG, 0,
					    "message %d: truncated header (%zu bytes, need %u)",
					    n + 1, left, (unsigned)NLMSG_HDRLEN);
		mlen = be32toh(rd32(&nlh->nlmsg_len));
		type = be16toh(rd16(&nlh->nlmsg_type));
		if (n == 0)
			snprintf(label, sizeof(label), "%s", msg_label(type, lbuf, sizeof(lbuf)));
		else
			snprintf(label, sizeof(label), "message %d (%s)", n + 1,
				 msg_label(type, lbuf, sizeof(lbuf)));
		if (mlen < NLMSG_HDRLEN)
			return nsdp_err_set(err, EBADMSG, 0,
					    "%s: length %u is shorter than the header", label,
					    mlen);
		if (mlen > left)
			return nsdp_err_set(err, EBADMSG, 0,
					    "%s: length %u is past the end of the buffer (%zu "
					    "bytes left)",
					    label, mlen, left);
		if (mlen % NLMSG_ALIGNTO != 0)
			return nsdp_err_set(err, EBADMSG, 0,
					    "%s: length %u is not a multiple of %u", label, mlen,
					    (unsigned)NLMSG_ALIGNTO);
		if (mlen > NSDP_MSG_MAX)
			return nsdp_err_set(err, EMSGSIZE, 0,
					    "%s: %u bytes, larger than the limit of %u", label,
					    mlen, (unsigned)NSDP_MSG_MAX);
		wr32(&nlh->nlmsg_len, mlen);
		wr16(&nlh->nlmsg_type, type);
		wr16(&nlh->nlmsg_flags, be16toh(rd16(&nlh->nlmsg_flags)));
		wr32(&nlh->nlmsg_seq, be32toh(rd32(&nlh->nlmsg_seq)));
		wr32(&nlh->nlmsg_pid, be32toh(rd32(&nlh->nlmsg_pid)));
		rc = attrs_wire_to_host(p + off, NLMSG_HDRLEN, mlen, 0, label, err);
		if (rc < 0)
			return rc;
		off += mlen;
		n++;
	}
	return n;
}

/*
 * Swap the attribute headers in msg[start, end) of a message built by this
 * codec (or checked by nsdp_wire_to_host()). @to_host: the lengths are
 * read after the swap, else before. Malformed lengths end the walk rather
 * than a read outside the message.
 */
static void
attrs_swap(char *msg, uint32_t start, uint32_t end, bool to_host, unsigned depth)
{
	uint32_t off = start;

	while (off < end && end - off >= NLA_HDRLEN) {
		uint16_t len = rd16(NLA_LEN_AT(msg + off));
		uint16_t type = rd16(NLA_TYPE_AT(msg + off));
		uint16_t slen = bswap_16(len), stype = bswap_16(type);

		wr16(NLA_LEN_AT(msg + off), slen);
		wr16(NLA_TYPE_AT(msg + off), stype);
		if (to_host) {
			len = slen;
			type = stype;
		}
		if (len < NLA_HDRLEN || ALIGN4(len) > end - off)
			return;
		if ((type & NLA_F_NESTED) && depth + 1 <= NSDP_NEST_DEPTH_MAX)
			attrs_swap(msg, off + NLA_HDRLEN, off + len, to_host, depth + 1);
		off += ALIGN4(len);
	}
}

static void
hdr_swap(struct nlmsghdr *nlh)
{
	nlh->nlmsg_len = bswap_32(nlh->nlmsg_len);
	nlh->nlmsg_type = bswap_16(nlh->nlmsg_type);
	nlh->nlmsg_flags = bswap_16(nlh->nlmsg_flags);
	nlh->nlmsg_seq = bswap_32(nlh->nlmsg_seq);
	nlh->nlmsg_pid = bswap_32(nlh->nlmsg_pid);
}

/*
 * On a big-endian host (swap == false) host order is wire order and both
 * conversions are the identity.
 */
void
nsdp_host_to_wire_ex(struct nlmsghdr *nlh, bool swap)
{
	uint32_t len = nlh->nlmsg_len;

	if (!swap)
		return;
	if (len >= NLMSG_HDRLEN)
		attrs_swap((char *)nlh, NLMSG_HDRLEN, len, false, 0);
	hdr_swap(nlh);
}

void
nsdp_wire_to_host_msg_ex(struct nlmsghdr *nlh, bool swap)
{
	if (!swap)
		return;
	hdr_swap(nlh);
	if (nlh->nlmsg_len >= NLMSG_HDRLEN)
		attrs_swap((char *)nlh, NLMSG_HDRLEN, nlh->nlmsg_len, true, 0);
}

/* Parsing. */

static uint32_t
attr_off(const struct nlmsghdr *nlh, const void *a)
{
	return (uint32_t)((const char *)a - (const char *)nlh);
}

/* Syntax of an opaque attribute's content: lengths only, bounded depth. */
static int
check_syntax(const struct nlmsghdr *nlh, const char *p, const char *end, unsigned depth,
	     const char *objname, const char *attrname, struct nsdp_err *err)
{
	while (p < end) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t left = (size_t)(end - p);

		if (left < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || ALIGN4(a->nla_len) > left)
			return nsdp_err_set(err, EBADMSG, attr_off(nlh, a),
					    "%s: malformed attribute inside '%s'", objname,
					    attrname);
		if (a->nla_type & NLA_F_NESTED) {
			int rc;

			if (depth + 1 > NSDP_NEST_DEPTH_MAX)
				return nsdp_err_set(err, EBADMSG, attr_off(nlh, a),
						    "%s: '%s' nests deeper than %u levels", objname,
						    attrname, NSDP_NEST_DEPTH_MAX);
			rc = check_syntax(nlh, p + NLA_HDRLEN, p + a->nla_len, depth + 1, objname,
					  attrname, err);
			if (rc < 0)
				return rc;
		}
		p += ALIGN4(a->nla_len);
	}
	return 0;
}

static int parse_attrs(const struct nlmsghdr *nlh, const char *p, const char *end,
		       const struct nsdp_policy *pol, const struct nlattr **tb, unsigned depth,
		       struct nsdp_err *err);

static uint64_t
int_read(const void *p, enum nsdp_attr_kind kind)
{
	switch (kind) {
	case NSDP_AK_U8:
		return *(const uint8_t *)p;
	case NSDP_AK_U16:
		return be16toh(rd16(p));
	case NSDP_AK_U32:
		return be32toh(rd32(p));
	default: {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		return be64toh(v);
	}
	}
}

static int
check_attr(const struct nlmsghdr *nlh, const struct nlattr *a, const struct nsdp_policy *pol,
	   const struct nsdp_attr_policy *ap, unsigned depth, struct nsdp_err *err)
{
	static const uint8_t int_size[] = {
		[NSDP_AK_U8] = 1,
		[NSDP_AK_U16] = 2,
		[NSDP_AK_U32] = 4,
		[NSDP_AK_U64] = 8,
	};
	static const uint64_t int_max[] = {
		[NSDP_AK_U8] = UINT8_MAX,
		[NSDP_AK_U16] = UINT16_MAX,
		[NSDP_AK_U32] = UINT32_MAX,
		[NSDP_AK_U64] = UINT64_MAX,
	};
	const char *payload = (const char *)a + NLA_HDRLEN;
	unsigned plen = a->nla_len - NLA_HDRLEN;
	bool nested = (a->nla_type & NLA_F_NESTED) != 0;
	uint32_t off = attr_off(nlh, a);
	const struct nlattr *sub[NSDP_TB_MAX];

	if (ap->kind == NSDP_AK_NESTED || ap->kind == NSDP_AK_OPAQUE) {
		if (!nested)
			return nsdp_err_set(err, EINVAL, off,
					    "%s: attribute '%s' must be nested (NLA_F_NESTED)",
					    pol->name, ap->name);
		if (ap->kind == NSDP_AK_OPAQUE)
			return check_syntax(nlh, payload, payload + plen, depth + 1, pol->name,
					    ap->name, err);
		if (depth + 1 > NSDP_NEST_DEPTH_MAX)
			return nsdp_err_set(err, EBADMSG, off,
					    "%s: attribute '%s' nests deeper than %u levels",
					    pol->name, ap->name, NSDP_NEST_DEPTH_MAX);
		return parse_attrs(nlh, payload, payload + plen, ap->nested, sub, depth + 1, err);
	}
	if (nested)
		return nsdp_err_set(err, EINVAL, off, "%s: attribute '%s' must not be nested",
				    pol->name, ap->name);

	switch (ap->kind) {
	case NSDP_AK_U8:
	case NSDP_AK_U16:
	case NSDP_AK_U32:
	case NSDP_AK_U64: {
		uint64_t max = ap->max != 0 ? ap->max : int_max[ap->kind], v;

		if (plen != int_size[ap->kind])
			return nsdp_err_set(err, EINVAL, off,
					    "%s: attribute '%s' must be %u bytes, got %u",
					    pol->name, ap->name, int_size[ap->kind], plen);
		v = int_read(payload, ap->kind);
		if (v < ap->min || v > max)
			return nsdp_err_set(err, ERANGE, off,
					    "%s: attribute '%s' must be between %" PRIu64
					    " and %" PRIu64 ", got %" PRIu64,
					    pol->name, ap->name, ap->min, max, v);
		return 0;
	}
	case NSDP_AK_STRING:
		if (plen == 0 || memchr(payload, '\0', plen) != payload + plen - 1)
			return nsdp_err_set(err, EINVAL, off,
					    "%s: attribute '%s' must be a string ending with its "
					    "only NUL byte",
					    pol->name, ap->name);
		if (ap->len != 0 && plen > ap->len)
			return nsdp_err_set(err, EINVAL, off,
					    "%s: attribute '%s' must be at most %u characters, "
					    "got %u",
					    pol->name, ap->name, ap->len - 1u, plen - 1);
		return 0;
	case NSDP_AK_BINARY:
		if (plen != ap->len)
			return nsdp_err_set(err, EINVAL, off,
					    "%s: attribute '%s' must be %u bytes, got %u",
					    pol->name, ap->name, ap->len, plen);
		return 0;
	default:
		return nsdp_err_set(err, EOPNOTSUPP, off, "%s: attribute '%s' is not allowed",
				    pol->name, ap->name);
	}
}

static int
parse_attrs(const struct nlmsghdr *nlh, const char *p, const char *end,
	    const struct nsdp_policy *pol, const struct nlattr **tb, unsigned depth,
	    struct nsdp_err *err)
{
	memset(tb, 0, NSDP_TB_MAX * sizeof(*tb));
	while (p < end) {
		const struct nlattr *a = (const struct nlattr *)p;
		size_t left = (size_t)(end - p);
		const struct nsdp_attr_policy *ap;
		unsigned type;
		int rc;

		if (left < NLA_HDRLEN)
			return nsdp_err_set(err, EBADMSG, attr_off(nlh, a),
					    "%s: %zu trailing bytes after the last attribute",
					    pol->name, left);
		if (a->nla_len < NLA_HDRLEN || ALIGN4(a->nla_len) > left)
			return nsdp_err_set(err, EBADMSG, attr_off(nlh, a),
					    "%s: attribute %u has length %u, past the end of its "
					    "parent",
					    pol->name, a->nla_type & NLA_TYPE_MASK, a->nla_len);
		/* Only NLA_F_NESTED is a flag here: other high bits make the type unknown. */
		type = a->nla_type & (uint16_t)~NLA_F_NESTED;
		if (type == 0 || type > pol->maxattr || type >= NSDP_TB_MAX ||
		    pol->attrs[type].kind == NSDP_AK_NONE)
			return nsdp_err_set(err, EOPNOTSUPP, attr_off(nlh, a),
					    "%s: unknown attribute %u", pol->name, type);
		ap = &pol->attrs[type];
		if (tb[type] != NULL && !ap->multi)
			return nsdp_err_set(err, EINVAL, attr_off(nlh, a),
					    "%s: duplicate attribute '%s'", pol->name, ap->name);
		rc = check_attr(nlh, a, pol, ap, depth, err);
		if (rc < 0)
			return rc;
		if (tb[type] == NULL)
			tb[type] = a;
		p += ALIGN4(a->nla_len);
	}
	return 0;
}

int
nsdp_parse(const struct nlmsghdr *nlh, const struct nsdp_policy *pol, const struct nlattr **tb,
	   struct nsdp_err *err)
{
	uint16_t type = nlh->nlmsg_type;

	memset(tb, 0, NSDP_TB_MAX * sizeof(*tb));
	if (type >= NLMSG_MIN_TYPE) {
		const char *obj = nsdp_obj_name(NSDP_MSG_OBJ(type));
		unsigned op = NSDP_MSG_OP(type);

		if (obj == NULL)
			return nsdp_err_set(err, EOPNOTSUPP, 0, "unknown object %u",
					    NSDP_MSG_OBJ(type));
		if (nsdp_op_name(op) == NULL)
			return nsdp_err_set(err, EOPNOTSUPP, 0, "%s: unknown operation %u", obj,
					    op);
		if (pol == NULL)
			return nsdp_err_set(err, EOPNOTSUPP, 0, "object '%s' is not supported yet",
					    obj);
	} else if (pol == NULL) {
		return nsdp_err_set(err, EOPNOTSUPP, 0, "unexpected message type %u", type);
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return nsdp_err_set(err, EBADMSG, 0, "%s: length %u is shorter than the header",
				    pol->name, nlh->nlmsg_len);
	return parse_attrs(nlh, (const char *)nlh + NLMSG_HDRLEN,
			   (const char *)nlh + nlh->nlmsg_len, pol, tb, 0, err);
}

int
nsdp_parse_nested(const struct nlmsghdr *nlh, const struct nlattr *nest,
		  const struct nsdp_policy *pol, const struct nlattr **tb, struct nsdp_err *err)
{
	const char *p = (const char *)nest + NLA_HDRLEN;

	if (nest->nla_len < NLA_HDRLEN) {
		memset(tb, 0, NSDP_TB_MAX * sizeof(*tb));
		return nsdp_err_set(err, EBADMSG, attr_off(nlh, nest),
				    "%s: nested attribute shorter than its header", pol->name);
	}
	return parse_attrs(nlh, p, (const char *)nest + nest->nla_len, pol, tb, 1, err);
}

int
nsdp_require(const struct nlmsghdr *nlh, const struct nsdp_policy *pol, const struct nlattr **tb,
	     unsigned type, struct nsdp_err *err)
{
	const char *name = type <= pol->maxattr && pol->attrs[type].name != NULL
				   ? pol->attrs[type].name
				   : "?";

	(void)nlh;
	if (type < NSDP_TB_MAX && tb[type] != NULL)
		return 0;
	return nsdp_err_set(err, EINVAL, 0, "%s: missing attribute '%s'", pol->name, name);
}

uint8_t
nsdp_get_u8(const struct nlattr *a)
{
	return mnl_attr_get_u8(a);
}

uint16_t
nsdp_get_u16(const struct nlattr *a)
{
	return be16toh(mnl_attr_get_u16(a));
}

uint32_t
nsdp_get_u32(const struct nlattr *a)
{
	return be32toh(mnl_attr_get_u32(a));
}

uint64_t
nsdp_get_u64(const struct nlattr *a)
{
	return be64toh(mnl_attr_get_u64(a));
}

const char *
nsdp_get_str(const struct nlattr *a)
{
	return mnl_attr_get_str(a);
}

/* Building. */

struct nlmsghdr *
nsdp_msg_start(struct nsdp_builder *b, void *buf, size_t size, uint16_t type, uint16_t flags,
	       uint32_t seq)
{
	b->buf = buf;
	b->size = size < NSDP_MSG_MAX ? size : NSDP_MSG_MAX;
	b->overflow = false;
	b->nlh = NULL;
	if (buf == NULL || b->size < NLMSG_HDRLEN) {
		b->overflow = true;
		return NULL;
	}
	b->nlh = mnl_nlmsg_put_header(buf);
	b->nlh->nlmsg_type = type;
	b->nlh->nlmsg_flags = flags;
	b->nlh->nlmsg_seq = seq;
	b->nlh->nlmsg_pid = 0;
	return b->nlh;
}

static void
put(struct nsdp_builder *b, uint16_t type, size_t len, const void *p)
{
	char *attr;

	if (b->overflow || b->nlh == NULL)
		return;
	attr = mnl_nlmsg_get_payload_tail(b->nlh);
	if (len > UINT16_MAX - NLA_HDRLEN || !mnl_attr_put_check(b->nlh, b->size, type, len, p)) {
		b->overflow = true;
		return;
	}
	/* libmnl 1.0.4 leaves the padding as it was: zero it, so that the
	 * same configuration always gives the same bytes. */
	memset(attr + NLA_HDRLEN + len, 0, ALIGN4(len) - len);
}

void
nsdp_put_u8(struct nsdp_builder *b, uint16_t type, uint8_t v)
{
	put(b, type, sizeof(v), &v);
}

void
nsdp_put_u16(struct nsdp_builder *b, uint16_t type, uint16_t v)
{
	uint16_t be = htobe16(v);

	put(b, type, sizeof(be), &be);
}

void
nsdp_put_u32(struct nsdp_builder *b, uint16_t type, uint32_t v)
{
	uint32_t be = htobe32(v);

	put(b, type, sizeof(be), &be);
}

void
nsdp_put_u64(struct nsdp_builder *b, uint16_t type, uint64_t v)
{
	uint64_t be = htobe64(v);

	put(b, type, sizeof(be), &be);
}

void
nsdp_put_str(struct nsdp_builder *b, uint16_t type, const char *s)
{
	put(b, type, strlen(s) + 1, s);
}

void
nsdp_put_bin(struct nsdp_builder *b, uint16_t type, const void *p, uint16_t len)
{
	put(b, type, len, p);
}

struct nlattr *
nsdp_nest_start(struct nsdp_builder *b, uint16_t type)
{
	struct nlattr *nest;

	if (b->overflow || b->nlh == NULL)
		return NULL;
	nest = mnl_attr_nest_start_check(b->nlh, b->size, type);
	if (nest == NULL)
		b->overflow = true;
	return nest;
}

void
nsdp_nest_end(struct nsdp_builder *b, struct nlattr *nest)
{
	if (nest == NULL || b->overflow || b->nlh == NULL)
		return;
	mnl_attr_nest_end(b->nlh, nest);
}

int
nsdp_msg_end(struct nsdp_builder *b)
{
	int len;

	if (b->overflow || b->nlh == NULL)
		return -EMSGSIZE;
	len = (int)b->nlh->nlmsg_len;
	nsdp_host_to_wire(b->nlh);
	return len;
}

int
nsdp_build_error(void *buf, size_t size, uint32_t req_seq, const struct nsdp_err *e)
{
	struct nsdp_builder b;

	nsdp_msg_start(&b, buf, size, NLMSG_ERROR, 0, req_seq);
	nsdp_put_u32(&b, NSDP_A_ERR_ERRNO, (uint32_t)(e->errnum < 0 ? -e->errnum : e->errnum));
	if (e->errnum != 0) {
		char msg[sizeof(e->msg)];

		/* The record may come from anywhere: never trust its NUL. */
		memcpy(msg, e->msg, sizeof(msg));
		msg[sizeof(msg) - 1] = '\0';
		if (msg[0] != '\0')
			nsdp_put_str(&b, NSDP_A_ERR_MSG, msg);
		if (e->offset != 0)
			nsdp_put_u32(&b, NSDP_A_ERR_OFFSET, e->offset);
	}
	return nsdp_msg_end(&b) < 0 ? -EMSGSIZE : 0;
}
