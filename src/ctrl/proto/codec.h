/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * codec.h: building and parsing nsdp protocol messages (proto.h), shared by
 * the daemon and the tools. Built on libmnl.
 *
 * Life of a received message:
 *   1. nsdp_wire_to_host(): framing check of the whole buffer (message
 *      lengths, attribute lengths within their parent, 4-byte alignment, no
 *      trailing bytes) while converting every header to host order. Nested
 *      attributes are those with NLA_F_NESTED in their type; nothing else
 *      is descended into.
 *   2. nsdp_parse(): strict policy check of one message against the policy
 *      of its object (unknown attribute, wrong integer size, string without
 *      NUL or too long, binary of the wrong length, value out of range,
 *      NLA_F_NESTED on a non-nested attribute or missing on a nested one,
 *      duplicate attribute = error), filling a table indexed by type.
 *   3. the handler's semantic pass into a config struct, then the action.
 * Every error fills a struct nsdp_err with a positive errno, a message a
 * person can act on, and the offset of the offending attribute.
 *
 * Building: nsdp_msg_start() + nsdp_put_*() in host order with bounds
 * checks (an overflow is sticky and reported by nsdp_msg_end()), then
 * nsdp_host_to_wire() converts headers and leaves big-endian payloads as
 * they are (nsdp_put_* already stores integers big-endian).
 *
 * Thread-safety: all functions are reentrant; they touch only their
 * arguments.
 */
#ifndef NSDP_CODEC_H
#define NSDP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "proto.h"

enum nsdp_attr_kind {
	NSDP_AK_NONE = 0,  /* attribute type not allowed */
	NSDP_AK_U8,
	NSDP_AK_U16,
	NSDP_AK_U32,
	NSDP_AK_U64,
	NSDP_AK_STRING,    /* NUL-terminated, at most `len` bytes including the NUL */
	NSDP_AK_BINARY,    /* exactly `len` bytes */
	NSDP_AK_NESTED,    /* attributes checked against `nested` */
	NSDP_AK_OPAQUE,    /* nested, syntax checked only; for driver parsers */
};

struct nsdp_policy;

struct nsdp_attr_policy {
	const char *name;              /* for error messages, e.g. "port id" */
	enum nsdp_attr_kind kind;
	uint16_t len;                  /* STRING max (with NUL), BINARY exact */
	uint64_t min, max;             /* integer range; max 0 = type's maximum */
	const struct nsdp_policy *nested;
	bool multi;                    /* may repeat (lists); tb holds the first,
					* iterate with mnl_attr_for_each_nested */
};

struct nsdp_policy {
	const char *name;              /* object name, e.g. "port" */
	unsigned maxattr;              /* highest attribute type */
	const struct nsdp_attr_policy *attrs; /* maxattr + 1 entries */
};

#define NSDP_TB_MAX 32  /* tables passed to nsdp_parse() have this many slots */

struct nsdp_err {
	int errnum;                    /* positive errno; 0 = none */
	uint32_t offset;               /* offending attribute's offset in the message; 0 = none */
	char msg[256];
};

/** Record an error (printf-style); returns -errnum. */
int nsdp_err_set(struct nsdp_err *e, int errnum, uint32_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * Check the framing of @len bytes of wire data holding one or more messages
 * and convert every header to host order in place.
 * @return the number of messages, or -errno with @err set (the buffer may be
 *   partly converted then; discard it): -EBADMSG for a framing error (truncated
 *   header, a length shorter than the header, past its parent or not a
 *   multiple of 4, trailing bytes, nesting deeper than 8), -EMSGSIZE for a
 *   message over NSDP_MSG_MAX. @err->offset is the offending attribute's
 *   offset in its message, 0 for message-level errors.
 */
int nsdp_wire_to_host(void *buf, size_t len, struct nsdp_err *err);

/**
 * Convert the headers of one message built in host order to wire order in
 * place. The message must have been built by this codec (well-formed).
 * @swap: convert as a little-endian host must (true) or as a big-endian
 *   host does (false: headers already big-endian). Production code passes
 *   NSDP_HOST_SWAP; tests exercise both paths.
 */
void nsdp_host_to_wire_ex(struct nlmsghdr *nlh, bool swap);
void nsdp_wire_to_host_msg_ex(struct nlmsghdr *nlh, bool swap);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NSDP_HOST_SWAP true
#else
#define NSDP_HOST_SWAP false
#endif
static inline void
nsdp_host_to_wire(struct nlmsghdr *nlh)
{
	nsdp_host_to_wire_ex(nlh, NSDP_HOST_SWAP);
}

/** The policy of an object (by message type), NULL for unknown objects. */
const struct nsdp_policy *nsdp_msg_policy(uint16_t type);

/**
 * Strictly parse the attributes of @nlh (host order) against @pol into
 * @tb[0..NSDP_TB_MAX-1] (NULL where absent).
 * @return 0 or -errno with @err set: -EOPNOTSUPP for an unknown object,
 *   operation or attribute and for an object without a policy (@pol NULL);
 *   -EINVAL for a wrong size, kind, NLA_F_NESTED use, string or a duplicate;
 *   -ERANGE for an integer out of range (docs/protocol.md, "Errors").
 */
int nsdp_parse(const struct nlmsghdr *nlh, const struct nsdp_policy *pol,
	       const struct nlattr **tb, struct nsdp_err *err);
/** The same for the attributes inside @nest; @nlh gives error offsets. */
int nsdp_parse_nested(const struct nlmsghdr *nlh, const struct nlattr *nest,
		      const struct nsdp_policy *pol, const struct nlattr **tb,
		      struct nsdp_err *err);

/** Require that @tb[type] is present; error names the attribute. */
int nsdp_require(const struct nlmsghdr *nlh, const struct nsdp_policy *pol,
		 const struct nlattr **tb, unsigned type, struct nsdp_err *err);

/* Readers of attributes that nsdp_parse() validated. */
uint8_t nsdp_get_u8(const struct nlattr *a);
uint16_t nsdp_get_u16(const struct nlattr *a);
uint32_t nsdp_get_u32(const struct nlattr *a);
uint64_t nsdp_get_u64(const struct nlattr *a);
const char *nsdp_get_str(const struct nlattr *a);

/* A message under construction in a caller-provided buffer. */
struct nsdp_builder {
	char *buf;
	size_t size;
	struct nlmsghdr *nlh;
	bool overflow;                 /* sticky: something did not fit */
};

struct nlmsghdr *nsdp_msg_start(struct nsdp_builder *b, void *buf, size_t size,
				uint16_t type, uint16_t flags, uint32_t seq);
void nsdp_put_u8(struct nsdp_builder *b, uint16_t type, uint8_t v);
void nsdp_put_u16(struct nsdp_builder *b, uint16_t type, uint16_t v);
void nsdp_put_u32(struct nsdp_builder *b, uint16_t type, uint32_t v);
void nsdp_put_u64(struct nsdp_builder *b, uint16_t type, uint64_t v);
void nsdp_put_str(struct nsdp_builder *b, uint16_t type, const char *s);
void nsdp_put_bin(struct nsdp_builder *b, uint16_t type, const void *p, uint16_t len);
struct nlattr *nsdp_nest_start(struct nsdp_builder *b, uint16_t type);
void nsdp_nest_end(struct nsdp_builder *b, struct nlattr *nest);
/**
 * Finish the message: converts it to wire order.
 * @return its length in bytes, or -EMSGSIZE if anything overflowed.
 */
int nsdp_msg_end(struct nsdp_builder *b);

/** Build an NLMSG_ERROR (ack when e->errnum == 0) answering @req_seq. 0 or -EMSGSIZE. */
int nsdp_build_error(void *buf, size_t size, uint32_t req_seq, const struct nsdp_err *e);

/** Length of a message already in wire order (e.g. after nsdp_build_error()). */
static inline uint32_t
nsdp_msg_wire_len(const void *buf)
{
	const uint8_t *p = (const uint8_t *)buf;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** Names for errors and tools: "port", "add", ... NULL if unknown. */
const char *nsdp_obj_name(unsigned obj);
const char *nsdp_op_name(unsigned op);

#endif
