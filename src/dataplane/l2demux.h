/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l2demux.h: layer 2 interface identification and protocol demultiplexing
 * (paper 1821-2010, 2954-2993).
 *
 * The packet path never interprets an ethertype: it extracts a key from the
 * frame (l2key_extract) and looks the key up in the demux table of the ifd
 * the frame arrived on. Configuration (iff add, application L2 bindings)
 * installs entries; an empty table means nothing is for us.
 *
 * The key (docs/l2demux.md has the byte layout and examples) is a string of
 * big-endian fields, matched as a bit prefix:
 *
 *   tag*       per VLAN tag, outermost first: TPID (2 bytes: 0x8100, 0x88a8,
 *              0x9100) and VID (2 bytes, PCP and DEI cleared); at most
 *              L2KEY_MAX_TAGS tags, a deeper stack is malformed
 *   type       2 bytes: the ethertype; for 802.3 length frames the value
 *              L2KEY_TYPE_LLC (0x0000) followed by DSAP, SSAP, control
 *              (3 bytes) and, for SNAP (AA AA 03), OUI (3) and PID (2)
 *   pppoe      after type 0x8864 (PPPoE session): session id (2), the
 *              frame's source MAC (6), then the PPP protocol (2)
 *
 * An entry is a key prefix of any bit length, including 0 (matches every
 * frame: bridging, raw L2 binding). Lookup returns the longest matching
 * entry. No two entries share a prefix.
 *
 * Lock legend: [C] config lock (one writer), [R] RCU-published, read by
 * lcores (urcu-qsbr readers) without locks; [L] lcore-owned.
 */
#ifndef NSDP_L2DEMUX_H
#define NSDP_L2DEMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

struct lcore_ctx;

#define L2KEY_MAX_TAGS 4
#define L2KEY_MAX 48             /* bytes; the longest key extraction builds is smaller */
#define L2KEY_TYPE_LLC 0x0000    /* type field value of 802.3 length (LLC) frames */

struct l2key {
	uint16_t bits;               /* prefix length in bits (a frame's key: bytes * 8) */
	uint8_t b[L2KEY_MAX];        /* bits beyond @bits are zero */
};

/* --- building keys (configuration, tests) --------------------------------- */

/** Empty (zero-length) key. */
void l2key_init(struct l2key *k);

/*
 * The builders append whole bytes; a key that ends within a byte (after
 * l2key_push_bits of fewer than 8 or 16 bits) takes nothing more: -EINVAL.
 * A failed call leaves the key as it was.
 */

/** Append a tag. @return 0 or -ENOSPC, -EINVAL (vid > 4095, tpid not 0x8100/0x88a8/0x9100). */
int l2key_push_tag(struct l2key *k, uint16_t tpid, uint16_t vid);

/** Append the type field. @return 0 or -ENOSPC, -EINVAL. */
int l2key_push_type(struct l2key *k, uint16_t type);

/** Append type 0x8864, @session and @peer_mac. @return 0 or -ENOSPC, -EINVAL. */
int l2key_push_pppoe_session(struct l2key *k, uint16_t session, const uint8_t peer_mac[6]);

/**
 * Append the first @bits (0..16) of a 16-bit field (the PPP protocol after
 * a PPPoE session, or any field). @return 0 or -ENOSPC, -EINVAL.
 */
int l2key_push_bits(struct l2key *k, uint16_t value, unsigned bits);

/** Append raw bytes (LLC/SNAP headers). @return 0 or -ENOSPC, -EINVAL. */
int l2key_push_bytes(struct l2key *k, const uint8_t *p, size_t n);

/**
 * Decode @k for people: "8100/100 8100/20 type 0x0800",
 * "type 0x8864 session 0x0001 peer 02:00:00:00:00:01 ppp 0xc021/1",
 * "(any)" for the empty key. Never fails on any key of valid length.
 * @return the length snprintf would have written.
 */
int l2key_format(const struct l2key *k, char *buf, size_t len);

/* --- the packet path --------------------------------------------------------- */

/**
 * Extract the key of the Ethernet frame @m; every byte read is
 * bounds-checked against the packet length (multi-segment frames are read
 * across segments). @l2_len receives the length of the L2 header the key
 * covers (where the payload starts).
 * @return 0, or -EBADMSG (runt, truncated header, too many tags).
 */
int l2key_extract(const struct rte_mbuf *m, struct l2key *k, uint16_t *l2_len);

/**
 * What a matching entry does with a run of frames: the handler gets frames
 * that matched the same entry, their metadata's ifl_index already set to
 * @ifl_index and, when @strip is set, their L2 header removed. The handler
 * owns the mbufs (forwards, queues, or frees and counts them).
 */
typedef void (*l2demux_handler_t)(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts,
				  uint16_t n, void *arg);

struct l2demux_result {
	uint32_t ifl_index;
	bool strip;
	l2demux_handler_t handler;
	void *arg;
	const char *name;            /* what the handler is, for people: "inet", "arp" */
};

struct l2demux;

/** @return an empty table, or NULL with errno ENOMEM. */
struct l2demux *l2demux_create(void);

/** Free @d at once: no reader may use it any more (see l2demux_port_set). */
void l2demux_free(struct l2demux *d);

/**
 * Add an entry for @prefix. [C]
 * @return 0, -EEXIST (same prefix present), -EINVAL, -ENOMEM (nothing changed).
 */
int l2demux_add(struct l2demux *d, const struct l2key *prefix, const struct l2demux_result *r);

/** Delete the entry of exactly @prefix. [C] @return 0 or -ENOENT, -ENOMEM. */
int l2demux_del(struct l2demux *d, const struct l2key *prefix);

/** Number of entries. [C] */
size_t l2demux_count(const struct l2demux *d);

/**
 * Call @cb for each entry in key order (shorter prefix first among equal
 * leading bits); stops at and returns the first non-zero return of @cb. [C]
 */
int l2demux_walk(const struct l2demux *d,
		 int (*cb)(const struct l2key *prefix, const struct l2demux_result *r, void *arg),
		 void *arg);

/**
 * Like l2demux_walk, starting after @after (NULL: from the first entry):
 * the entries that sort after it, so a dump resumes from the last key it
 * sent. [C] @return 0, the first non-zero return of @cb, or -ENOMEM.
 */
int l2demux_walk_after(const struct l2demux *d, const struct l2key *after,
		       int (*cb)(const struct l2key *prefix, const struct l2demux_result *r,
				 void *arg),
		       void *arg);

/** The entry of exactly @prefix, NULL if none. [C] */
const struct l2demux_result *l2demux_get(const struct l2demux *d, const struct l2key *prefix);

/**
 * Tables with at most @n entries (0..32, default 8) keep them in one array
 * scanned linearly; larger ones hash per prefix length (docs/l2demux.md).
 * For benchmarks and tests. [C] @return 0 or -EINVAL, -ENOMEM.
 */
int l2demux_set_linear_max(struct l2demux *d, unsigned n);

/**
 * Longest-prefix match of a frame's key. RCU reader.
 * @return the entry's result or NULL (no entry matches).
 */
const struct l2demux_result *l2demux_lookup(const struct l2demux *d, const struct l2key *k);

/* --- binding tables to ports ------------------------------------------------- */

/* [R] the demux table of the ifd bound to each port; NULL = no ifd. */
extern struct l2demux *l2demux_by_port[RTE_MAX_ETHPORTS];

/**
 * Publish @d as the table of @port (NULL to unbind). [C] The caller waits
 * for a grace period before freeing the table it replaced.
 */
void l2demux_port_set(uint16_t port, struct l2demux *d);

/**
 * The rx pipeline's first stage for one burst of @port: extract, look up,
 * write ifl_index, strip, call handlers per run of equal results; frames
 * without a match are counted as not_for_us, malformed ones as
 * l2_malformed, and freed. rx_input() calls it.
 */
void l2demux_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

/**
 * A handler that runs a second-stage demux (@arg: struct l2demux *) over
 * frames whose outer encapsulation was stripped: Ethernet carried inside
 * another encapsulation (paper 1937-1960).
 */
void l2demux_input_stage2(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
			  void *arg);

#endif
