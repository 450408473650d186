/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_l2demux.h: attributes of NSDP_OBJ_L2DEMUX, the entries of an ifd's
 * L2 demux table (included by proto.h; docs/protocol.md "L2DEMUX").
 *
 * An entry is keyed by its ifd and its prefix (bytes + length in bits);
 * GET returns one entry, GETNEXT dumps an ifd's table in key order.
 */
#ifndef NSDP_PROTO_L2DEMUX_H
#define NSDP_PROTO_L2DEMUX_H

/* Bytes of NSDP_A_L2DEMUX_PREFIX: the longest key (L2KEY_MAX). */
#define NSDP_L2DEMUX_PREFIX_LEN 48

enum {
	NSDP_A_L2DEMUX_UNSPEC,
	NSDP_A_L2DEMUX_IFD,       /* string, key: the ifd whose table it is */
	NSDP_A_L2DEMUX_PREFIX,    /* binary, 48 bytes, key: the prefix, zero past its length */
	NSDP_A_L2DEMUX_BITS,      /* u16, key: prefix length in bits, 0..384 */
	NSDP_A_L2DEMUX_TEXT,      /* string: the prefix decoded for people */
	NSDP_A_L2DEMUX_IFL_INDEX, /* u32: the incoming ifl of matching frames */
	NSDP_A_L2DEMUX_HANDLER,   /* string: what receives them ("inet", "arp") */
	NSDP_A_L2DEMUX_STRIP,     /* u8: 1 = the L2 header is removed first */
	NSDP_A_L2DEMUX_MAX,
};

/*
 * L3DEMUX: the entries of the L3 protocol demux of every routing instance
 * (KIND 0) and of the early demux of every ifl (KIND 1), read-only
 * (docs/local-delivery.md). GETNEXT dumps them table by table in best-match
 * order; a request may carry KIND, TABLE (kind 0) or IFL (kind 1) to keep
 * one table, and ID to resume after that entry.
 */
#define NSDP_L3DEMUX_OWNER_LEN 16
#define NSDP_L3DEMUX_TABLE_ANY 0xffff /* TABLE of entries serving every instance */

enum {
	NSDP_A_L3DEMUX_UNSPEC,
	NSDP_A_L3DEMUX_ID,        /* u32: the entry; in a request, resume after it */
	NSDP_A_L3DEMUX_KIND,      /* u8: 0 = L3 demux, 1 = early demux */
	NSDP_A_L3DEMUX_TABLE,     /* u16: routing instance, 0xffff = every instance */
	NSDP_A_L3DEMUX_IFL,       /* string: early demux: the ifl */
	NSDP_A_L3DEMUX_FAMILY,    /* u8: 4 or 6 */
	NSDP_A_L3DEMUX_PROTO,     /* u8: IP protocol */
	NSDP_A_L3DEMUX_DST,       /* binary, 16 bytes: destination prefix */
	NSDP_A_L3DEMUX_DST_LEN,   /* u8 */
	NSDP_A_L3DEMUX_SRC,       /* binary, 16 bytes: source prefix */
	NSDP_A_L3DEMUX_SRC_LEN,   /* u8 */
	NSDP_A_L3DEMUX_TP,        /* binary, 4 bytes: first transport bytes (masked) */
	NSDP_A_L3DEMUX_TP_MASK,   /* binary, 4 bytes */
	NSDP_A_L3DEMUX_OWNER,     /* string: who installed it ("echo", a session) */
	NSDP_A_L3DEMUX_MATCHES,   /* u64: packets it took */
	NSDP_A_L3DEMUX_RANK,      /* u32: position in its table's best-match order, 0 = first */
	NSDP_A_L3DEMUX_MAX,
};

#endif
