/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip.h: what IPv4 and IPv6 input and output share: start-up, the ICMP /
 * ICMPv6 error service queue (errors are built on a worker, never on the
 * rx path, paper 2561-2657), its per-routing-instance rate limit, and the
 * originate path through which packets built here go out (forwarding
 * lookup in a routing instance, then the next hop's output function with
 * NH_OUT_ORIGINATED).
 *
 * Lock legend: [C] config lock, [R] RCU-published, [L] lcore-owned.
 */
#ifndef NSDP_IP_H
#define NSDP_IP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "counters.h"

struct lcore_ctx;
struct svc_sched;
struct timer_service;

/* Why a packet earns an ICMP / ICMPv6 error (the generator maps it per family). */
enum ip_err {
	IP_ERR_TTL = 1,        /* time exceeded in transit / hop limit exceeded */
	IP_ERR_NET_UNREACH,    /* no route */
	IP_ERR_HOST_UNREACH,   /* REJECT next hop, or neighbour resolution failed */
	IP_ERR_PROTO_UNREACH,  /* no local consumer of the protocol */
	IP_ERR_PORT_UNREACH,   /* no local consumer of the port (UDP) */
	IP_ERR_FRAG_NEEDED,    /* IPv4 DF set and too big / IPv6 packet too big; arg = MTU */
	IP_ERR_PARAM,          /* parameter problem; arg = pointer */
	IP_ERR_MAX,
};

/**
 * Start IPv4 and IPv6: register their family inputs with the interface
 * tree, create their service queues on @sched, and timers on @ts.
 * Control thread, after ifcfg_init(). @return 0 or -errno.
 */
int ip_init(struct svc_sched *sched, struct timer_service *ts);
void ip_fini(void);

/**
 * Hand @n received packets (data at the L3 header, metadata intact) to the
 * error generator with @err and @arg. Never blocks; packets the generator
 * will not answer (errors, broadcast, multicast, fragments other than the
 * first, RFC 1812 4.3.2.7 / RFC 4443 2.4) are counted and freed there.
 * Packet path (rx lcore) or worker.
 */
void ip_error_enqueue(struct rte_mbuf **pkts, uint16_t n, enum ip_err err, uint32_t arg);

/**
 * ICMP errors allowed per second and burst, per routing instance (token
 * bucket). @inst UINT16_MAX sets the default for every instance. [C]
 * @return 0 or -EINVAL.
 */
int ip_error_ratelimit_set(uint16_t inst, uint32_t per_sec, uint32_t burst);

/**
 * Send packets built here (data at the L3 header, checksums done) in
 * routing instance @rt_inst: forwarding lookup of each destination, then
 * the next hop's output with NH_OUT_ORIGINATED. Worker or lcore with @c's
 * tx buffers; the caller flushes (tx_flush) when its batch is done.
 */
void ip4_originate(struct lcore_ctx *c, uint16_t rt_inst, struct rte_mbuf **pkts, uint16_t n);
void ip6_originate(struct lcore_ctx *c, uint16_t rt_inst, struct rte_mbuf **pkts, uint16_t n);

/**
 * Take one token of routing instance @inst's ICMP / ICMPv6 error bucket
 * (the family generators call it once they have decided to answer, before
 * building). Worker, in the error queue's handler only (one consumer: the
 * buckets are not shared with any other thread).
 * @return true if the error may be sent; false if the limit is reached
 *   (then counted as DROP_icmp_ratelimited by the caller's caller: the
 *   generator frees the packet and returns).
 */
bool ip_error_allow(uint16_t inst);

/**
 * The ICMPv6 error generator, provided by the IPv6 side: answer the
 * received IPv6 packet @m (data at the IPv6 header, pkt_meta intact:
 * ifl_index, rt_inst, flags) with the RFC 4443 error for @err / @arg, or
 * decline it (RFC 4443 2.4 (e) never-answer rules, counted). Consumes @m in
 * every case. Takes a token with ip_error_allow() before building, finds
 * its source with ifa_source_addr() and sends with ip6_originate(@c, ...).
 * ip_error_enqueue() dispatches IPv6 packets (first nibble 6) here.
 * Worker, in the error queue's handler; the caller flushes @c afterwards.
 */
void icmp6_error_build(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg);

/** The IPv4 counterpart of icmp6_error_build() (icmp4.c, RFC 792 / RFC 1812 4.3.2). */
void icmp4_error_build(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg);

/**
 * Source address for a packet nsdp sends in answer to one received on ifl
 * @ifl_index (src/ifcfg/ifa_source.c): an address of that ifl's @family iff
 * (4 or 6), preferring one whose subnet holds @dst (may be NULL); else any
 * address of the loopback ifl of the ifl's routing instance (lo0.N).
 * @out gets 4 or 16 bytes, network order. [C]: the caller holds the config
 * lock (workers may take it).
 * @return 0, -ENOENT (no ifl, or no usable address), -EINVAL (family).
 */
int ifa_source_addr(uint32_t ifl_index, int family, const uint8_t *dst, uint8_t *out);

/**
 * ifa_source_addr() from a worker: takes the config lock itself, with the
 * calling thread offline for RCU meanwhile (a worker blocked on the lock
 * while online would deadlock with a control thread that waits for a
 * grace period under it). Holds no RCU-protected pointer across the call.
 * Worker or any thread that does not hold the config lock.
 * @return as ifa_source_addr().
 */
int ip_source_addr(uint32_t ifl_index, int family, const uint8_t *dst, uint8_t *out);

/* ICMP error rate limit: defaults, and the largest values accepted. */
#define IP_ERR_RATE_DEFAULT 1000
#define IP_ERR_BURST_DEFAULT 50
#define IP_ERR_RATE_MAX 1000000
#define IP_ERR_BURST_MAX 100000

/** The rate limit of routing instance @inst. Any thread. @return 0 or -EINVAL. */
int ip_error_ratelimit_get(uint16_t inst, uint32_t *per_sec, uint32_t *burst);

/**
 * ip_error_allow() at time @now of a clock of @hz ticks per second (the
 * TSC there; tests drive it by hand). Same calling context.
 */
bool ip_error_allow_at(uint16_t inst, uint64_t now, uint64_t hz);

/**
 * Run the error generator in the calling thread on whatever is queued
 * (process context: tests, shutdown). Not from the queue's handler.
 * @return messages taken off the queue.
 */
unsigned ip_error_drain(void);

/** Answer one offending packet now: dispatch by version (the queue's handler). */
void ip_error_dispatch(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg);

/**
 * Hand each run of consecutive packets with the same next hop (@nh_idx[i]
 * for pkts[i]) to that next hop's output with @flags; a next hop that is
 * gone drops its run (no_nexthop). RCU reader with @c's tx buffers.
 */
void ip_output_runs(struct lcore_ctx *c, struct rte_mbuf **pkts, const uint32_t *nh_idx,
		    uint16_t n, unsigned flags);

/** Count @m as dropped under @r on this thread's counters (by m->port). */
void ip_count(struct rte_mbuf *m, enum drop_reason r);

/** This thread's lcore context (for tx), NULL if it has none. */
struct lcore_ctx *ip_this_lcore(void);

#endif
