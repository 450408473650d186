/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l3demux.h: local delivery (paper 1653-1820, 2911-2953): the L3 protocol
 * demux of each routing instance and family, the early demux of each
 * (ifl, family), the local input that LOCAL / RECV / BRECV / MRECV /
 * MGROUP next hops hand packets to (local.c), reassembly (reasm.c) and the
 * in-dataplane ICMP / ICMPv6 echo responder (echo.c).
 * docs/local-delivery.md tells the whole story.
 *
 * The demux key is <dst><src><IP protocol><first 4 bytes of the transport
 * header>, extracted without any per-protocol code: the 4 bytes right
 * after the IPv4 header, or after the IPv6 extension headers (skipped
 * generically by their length fields). Any field but the protocol may be
 * wildcarded: the addresses as prefixes, the 4 bytes by a bit mask.
 *
 * Best match among the entries matching a packet (precise definition):
 *   1. an entry of the packet's routing instance beats an entry installed
 *      for every instance (L3DEMUX_INST_ANY, the in-dataplane consumers);
 *   2. then the longer destination prefix;
 *   3. then the longer source prefix;
 *   4. then more bits set in the transport mask;
 *   5. then the larger transport mask read as a big-endian 32-bit number
 *      (so at equal bit counts, bits in earlier bytes win).
 * Two entries equal in all of these (same instance, protocol, prefixes,
 * mask and masked values) are the same entry: the second add is refused
 * with -EEXIST. So the best match is always unique.
 *
 * Concurrency: lookups are lock-free urcu-qsbr readers; entries are added
 * and deleted under the config lock ([C]): each change publishes a new
 * sorted array of the protocol's entries (copy on write) and frees the old
 * one, and any deleted entry, after a grace period. Match counters are per
 * lcore (plain adds by the owning lcore; threads without an lcore id share
 * one slot updated atomically).
 *
 * Lock legend: [I] immutable after creation, [C] config lock,
 * [R] RCU-published, [L] lcore-owned.
 */
#ifndef NSDP_L3DEMUX_H
#define NSDP_L3DEMUX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

struct lcore_ctx;
struct l3demux_entry;
struct nexthop;
struct svcq;
struct svc_sched;
struct timer_service;

/* Routing instance value of entries that serve every instance. */
#define L3DEMUX_INST_ANY 0xffff

#define L3DEMUX_OWNER_LEN 16

/* What an entry matches. Addresses are network order; a prefix length of
 * 0 wildcards the address. Bits of tp outside tp_mask are ignored. */
struct l3demux_key {
	uint8_t family;  /* 4 or 6 */
	uint8_t proto;   /* IP protocol (IPv6: the upper-layer header) */
	uint8_t dst_len; /* 0..32 / 0..128 */
	uint8_t src_len;
	uint8_t dst[16];
	uint8_t src[16];
	uint8_t tp[4]; /* first 4 bytes of the transport header */
	uint8_t tp_mask[4];
};

/* What the packet path extracted from a packet (l3demux_extract). */
struct l3demux_pkey {
	uint8_t family;
	uint8_t proto;
	uint8_t tp_len;  /* transport bytes present, at most 4 */
	uint16_t l4_off; /* offset of the transport header */
	uint8_t dst[16];
	uint8_t src[16];
	uint32_t tp; /* the 4 bytes as read (memcpy, no swap); absent bytes 0 */
};

/**
 * An entry's handler: gets a run of @n packets (data at the L3 header,
 * pkt_meta intact) that matched the entry, and owns them. @state is the
 * entry's opaque state. Runs on an rx lcore or a worker (RCU reader): no
 * locks, no allocation besides mbufs, no syscalls; normally it appends the
 * packets to a service queue (l3demux_to_svcq).
 */
typedef void (*l3demux_fn)(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state);

/* The normal handler: enqueue every packet onto the service queue @state
 * (struct svcq *); the packets arrive there as SVC_MSG_PACKET messages. */
void l3demux_to_svcq(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state);

/* Read-only view of an entry for listings. */
struct l3demux_info {
	uint32_t id;
	uint16_t rt_inst;   /* L3DEMUX_INST_ANY: every instance */
	uint32_t ifl_index; /* early demux: the ifl; 0 for the L3 demux */
	struct l3demux_key key;
	char owner[L3DEMUX_OWNER_LEN];
	uint64_t matches; /* sum of the per-lcore counters */
};

/**
 * Add an entry to the L3 demux of routing instance @inst (or
 * L3DEMUX_INST_ANY) and @k's family.
 * @param owner  short name shown by `nsctl demux show` ("echo", a session).
 * @param id     if not NULL, receives the entry's id (for l3demux_del_id).
 * @return 0, -EINVAL (family, prefix length, instance, NULL @fn),
 *   -EEXIST (an entry with the same key), -ENOMEM, -ENOSPC (full).
 * [C]; the caller must not be an online RCU reader only if it then deletes
 * (deletion never waits: frees go through call_rcu).
 */
int l3demux_add(uint16_t inst, const struct l3demux_key *k, l3demux_fn fn, void *state,
		const char *owner, uint32_t *id);

/**
 * Delete the entry of instance @inst with exactly key @k (same rules as
 * the duplicate check of l3demux_add). Packets in flight may still reach
 * its handler until the next grace period: @state must live that long.
 * @return 0, -EINVAL, -ENOENT. [C]
 */
int l3demux_del(uint16_t inst, const struct l3demux_key *k);

/** Delete the entry (L3 or early demux) with @id. @return 0 or -ENOENT. [C] */
int l3demux_del_id(uint32_t id);

/**
 * Extract the demux key of packet @m (data at the IPv4 / IPv6 header,
 * already validated by the family input; IPv6 extension headers are
 * skipped by their length fields). Reads across segments.
 * @return 0, or -EINVAL (truncated header chain, IPv6 fragment header:
 *   fragments are reassembled first, or a chain longer than 8 headers).
 *   Any thread.
 */
int l3demux_extract(struct rte_mbuf *m, int family, struct l3demux_pkey *out);

/**
 * The best match for @pk in routing instance @inst, NULL if none.
 * @return a handle valid until the caller's next quiescent state.
 * RCU reader (lcore or worker), or [C].
 */
const struct l3demux_entry *l3demux_lookup(uint16_t inst, const struct l3demux_pkey *pk);

/** The id of entry @e (as l3demux_add gave it). Any thread holding @e. */
uint32_t l3demux_entry_id(const struct l3demux_entry *e);

/**
 * Look up each of @n packets (families given by their headers) in the
 * demux of pkt_meta(m)->rt_inst, count and hand each run of consecutive
 * packets with the same best entry to its handler. Packets that match
 * nothing (or whose key cannot be extracted) are moved to @miss.
 * @return the number of packets placed in @miss. RCU reader.
 */
uint16_t l3demux_dispatch(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n,
			  struct rte_mbuf **miss);

/**
 * Call @cb for every entry of the L3 demux (@early false: instance @inst,
 * or every instance if @inst is UINT32_MAX) or of the early demux (@early
 * true: ifl @inst, or every ifl if UINT32_MAX), in best-match order per
 * table; stops at and returns @cb's first non-zero return. [C]
 */
int l3demux_walk(bool early, uint32_t inst, int (*cb)(const struct l3demux_info *, void *),
		 void *arg);

/** Entries in the L3 demux (every instance) and in the early demux. [C] */
unsigned l3demux_count(bool early);

/* ---- early demux (paper 2911-2953) -------------------------------------- */

/*
 * The early demux of an (ifl, family): key <IP protocol><first 4
 * transport bytes>, consulted by the family input before its route lookup.
 * Best match: more transport mask bits, then the larger mask (rules 4, 5
 * above). Free when empty: early_demux_root is NULL while no early entry
 * exists anywhere, and that is the only thing the input reads then.
 */
struct early_snap;
extern struct early_snap *early_demux_root; /* [R] */

/**
 * Add an early demux entry on ifl @ifl_index for @k (family, proto, tp,
 * tp_mask; prefix lengths must be 0).
 * @return 0, -EINVAL, -EEXIST, -ENOMEM, -ENOSPC. [C]
 */
int early_demux_add(uint32_t ifl_index, const struct l3demux_key *k, l3demux_fn fn, void *state,
		    const char *owner, uint32_t *id);

/** Delete the early entry of @ifl_index with key @k. @return 0, -EINVAL, -ENOENT. [C] */
int early_demux_del(uint32_t ifl_index, const struct l3demux_key *k);

/** Delete every early entry of @ifl_index (the ifl is going). @return entries deleted. [C] */
unsigned early_demux_flush_ifl(uint32_t ifl_index);

/** The slow half of early_demux_input(): some early entry exists somewhere. */
bool early_demux_input_slow(struct lcore_ctx *c, int family, struct rte_mbuf *m);

/**
 * Offer one validated packet (data at the L3 header, pkt_meta ifl_index
 * and rt_inst set) of @family to the early demux of its incoming ifl,
 * before the route lookup.
 * @return true if an entry took the packet (the caller must forget it),
 *   false if the caller goes on with it. One pointer check when no early
 *   entry exists. RCU reader (rx lcore).
 */
static inline bool
early_demux_input(struct lcore_ctx *c, int family, struct rte_mbuf *m)
{
	if (likely(rcu_dereference(early_demux_root) == NULL))
		return false;
	return early_demux_input_slow(c, family, m);
}

/* ---- the local path (local.c) ------------------------------------------- */

/**
 * Input filter for locally bound packets of a family: keeps the packets it
 * accepts at the front of @pkts and returns their number; it owns (counts
 * and frees) those it refuses. RCU reader, packet path rules.
 */
typedef uint16_t (*local_filter_fn)(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n);

/**
 * Set (or with NULL clear) the input filter of @family (4 or 6); none by
 * default. RCU-published: after clearing, wait a grace period before the
 * filter's code or state goes away. [C] @return 0 or -EINVAL.
 */
int local_filter_set(int family, local_filter_fn fn);

/**
 * Start local delivery: the L3 demux, the local inputs of IPv4 and IPv6
 * (nh_set_local_input), the reassembly queue and timer, the TCP reset
 * queue, and the echo responders (L3DEMUX_INST_ANY entries).
 * Control thread, config lock held, after ip_init() and neigh_init().
 * @return 0 or -errno (-EEXIST if already started).
 */
int local_init(struct svc_sched *sched, struct timer_service *ts);

/** Undo local_init(). Control thread, lcores and workers stopped. */
void local_fini(void);

/**
 * The local input (nh_output_fn) registered for both families; exposed for
 * tests. The packets' next hop type tells broadcast/multicast receipt.
 */
void local_input(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n,
		 unsigned flags, const void *meta);

/**
 * Whole packets (reassembled ones included) of the local path: the demux,
 * then the no-match answers. @flags as the next hop output's. RCU reader.
 */
void local_deliver_whole(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, unsigned flags);

/**
 * Build the RST answering TCP segment @m (RFC 9293 3.10.7.1, no
 * connection): ACK set -> <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0>
 * <ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. A RST is never answered. @m is not
 * consumed. Any thread.
 * @return the reset in a new mbuf of m's pool (data at the IP header,
 *   ORIGINATED, rt_inst of @m), or NULL with errno EINVAL / ENOMEM.
 */
struct rte_mbuf *local_tcp_rst_make(struct rte_mbuf *m);

/**
 * Run the reassembly and TCP reset queues in the calling thread on what is
 * queued (process context: tests, shutdown). @return messages handled.
 */
unsigned local_drain(void);

/* ---- reassembly (reasm.c) ----------------------------------------------- */

struct reasm_stats {
	uint64_t fragments;   /* fragments taken in */
	uint64_t reassembled; /* datagrams completed */
	uint64_t timeouts;    /* datagrams dropped incomplete at their timeout */
	uint64_t overlaps;    /* datagrams dropped for overlapping fragments */
	uint64_t tiny;        /* fragments refused as tiny (RFC 1858, RFC 7112) */
	uint64_t dropped_mem; /* fragments refused: memory or datagram limit */
	uint64_t malformed;   /* fragments refused: bad lengths, too many */
	uint64_t dead_frags;  /* fragments of datagrams already dropped */
	uint64_t dgrams;      /* datagrams being reassembled now */
	uint64_t mem;         /* bytes of mbufs held now */
};

/* Limits (reasm_config). */
struct reasm_limits {
	uint64_t mem_max;     /* bytes of held mbufs (buf_len + mbuf struct) */
	uint32_t dgrams_max;  /* datagrams in progress (at most REASM_DGRAMS_CAP) */
	uint32_t timeout4_ms; /* IPv4: RFC 791 suggests 15 s, we use 30 s */
	uint32_t timeout6_ms; /* IPv6: 60 s (RFC 8200 4.5) */
};

#define REASM_DGRAMS_CAP 4096
#define REASM_FRAGS_MAX 64     /* fragments of one datagram */
#define REASM_FIRST_MIN 8      /* first fragment: at least 8 transport bytes */
#define REASM_TCP_FIRST_MIN 20 /* RFC 1858 3.1: TCP first fragment holds the TCP header */

/**
 * Create the reassembly state and its service queue (fragments and timer
 * expiries are both messages of that queue). Control thread.
 * @return 0, -EEXIST, -ENOMEM, or svcq_init's error.
 */
int reasm_init(struct svc_sched *sched, struct timer_service *ts);
void reasm_fini(void);

/** Hand fragments (data at the L3 header, rt_inst set) to the reassembly queue. Packet path. */
void reasm_enqueue(struct rte_mbuf **pkts, uint16_t n);

/** Whether IPv4 / IPv6 packet @m is a fragment (MF or offset / a fragment header). Any thread. */
bool ip_is_fragment(struct rte_mbuf *m, int family);

/**
 * Take one fragment now (the queue handler; tests call it as the queue's
 * consumer or with reasm_init never called: then @now_ms drives time).
 * @return the reassembled datagram when @m completed one (the caller owns
 *   it), else NULL (@m is held or was counted and freed).
 */
struct rte_mbuf *reasm_input(struct rte_mbuf *m, uint64_t now_ms);

/** Drop every datagram whose timeout is at or before @now_ms. @return datagrams dropped. */
unsigned reasm_expire(uint64_t now_ms);

/** Set the limits (fields of 0 keep the current value). @return 0 or -EINVAL. [C] */
int reasm_config(const struct reasm_limits *l);
void reasm_limits_get(struct reasm_limits *l);
void reasm_stats_get(struct reasm_stats *st);
/** Drop everything held (tests, shutdown). Reassembly consumer. */
void reasm_flush(void);
/** Run the reassembly queue in process context. @return messages handled. */
unsigned reasm_drain(void);

/* ---- echo responders (echo.c) ------------------------------------------- */

/**
 * Turn echo request @m (data at the IPv4 / IPv6 header, a whole datagram)
 * into its echo reply in place: addresses swapped (the reply's source is
 * @src if not NULL, else the request's destination), ICMP type changed,
 * checksums updated incrementally, TTL / hop limit 64, flags ORIGINATED.
 * @return 0, or -EINVAL (not an echo request, bad length).
 * No allocation, no lock: any thread.
 */
int echo4_reply_make(struct rte_mbuf *m, const uint8_t *src);
int echo6_reply_make(struct rte_mbuf *m, const uint8_t *src);

/** Install / remove the echo responder entries (L3DEMUX_INST_ANY). [C] */
int echo_init(struct svc_sched *sched);
void echo_fini(void);
/** Run the echo queue (broadcast / multicast requests) in process context. */
unsigned echo_drain(void);

#endif
