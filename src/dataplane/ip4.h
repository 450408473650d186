/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip4.h: IPv4 in the dataplane: the input on the rx lcore (ip4_input.c:
 * RFC 1812 5.2.2 header checks, source address checks, options, the bulk
 * forwarding lookup, the forward step of received packets: TTL, MTU,
 * fragmentation) and the ICMP error generator (icmp4.c). docs/forwarding.md
 * tells the whole story.
 *
 * Lock legend: [I] immutable after ip_init(), [L] lcore-owned.
 */
#ifndef NSDP_IP4_H
#define NSDP_IP4_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "counters.h"
#include "ip.h"

struct lcore_ctx;
struct nexthop;

#define IP4_HDR_MIN 20
#define IP4_OPT_EOL 0
#define IP4_OPT_NOP 1
#define IP4_OPT_RA 148        /* Router Alert (RFC 2113) */
#define IP4_FRAG_MAX 64       /* fragments one packet may become */
#define ICMP4_ERR_MAX_LEN 576 /* RFC 1812 4.3.2.3 */

/* What the header check learnt of a valid packet. */
struct ip4_check {
	uint16_t hlen;     /* header length in bytes */
	bool router_alert; /* an RA option is present */
};

/**
 * Validate the IPv4 header at the start of @m (RFC 1812 5.2.2): length
 * reported by the link layer >= 20, version 4, IHL >= 5 and within the
 * first segment, header checksum (the port's verdict if it checked), total
 * length >= IHL and <= the frame, options well formed. A valid packet is
 * trimmed to its total length (L2 padding removed).
 * @return 0 with @out filled, or the drop reason (never DROP_MAX).
 *   Any thread; reads only [data, data + data_len) of the first segment.
 */
int ip4_header_check(struct rte_mbuf *m, struct ip4_check *out);

/**
 * Whether @src (host order) may not be the source of a forwarded packet
 * (RFC 1812 5.3.7, 4.2.2.11 and RFC 1122 3.2.1.3): 0/8, 127/8, 224/4
 * multicast, 240/4 class E and 255.255.255.255.
 */
static inline bool
ip4_martian_src(uint32_t src)
{
	uint8_t a = (uint8_t)(src >> 24);

	return a == 0 || a == 127 || a >= 224;
}

/** RFC 1624 incremental update of checksum @cksum (network order) for 16-bit word @old -> @new (network order). */
static inline uint16_t
ip4_cksum_adjust(uint16_t cksum, uint16_t old, uint16_t new)
{
	/* HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3), one's complement sums. */
	uint32_t s = (uint16_t)~rte_be_to_cpu_16(cksum);

	s += (uint16_t)~rte_be_to_cpu_16(old);
	s += rte_be_to_cpu_16(new);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return rte_cpu_to_be_16((uint16_t)~s);
}

/**
 * The IPv4 family input (an L2 demux handler): @n packets whose data
 * starts at the IPv4 header, pkt_meta ifl_index set. Owns the packets;
 * every drop is counted on @port. rx lcore (RCU reader): no locks, no
 * allocation besides mbufs, no syscalls.
 */
void ip4_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg);

/**
 * The forward step of received packets going out through @nh (UNICAST,
 * HOLD or RESOLV), then its output: TTL check (time exceeded queued) and
 * decrement, MTU check (DF: fragmentation needed queued; else fragmented
 * here). Exposed for tests. rx lcore.
 */
void ip4_forward(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n);

/**
 * An originated packet @m about to go out through @nh: if it is larger than
 * the output MTU, fragment it and send the fragments as originated (DF
 * clear), or drop it counted as mtu_exceeded (DF set), and return true (@m
 * is consumed). Return false when it fits (the caller sends it).
 */
bool ip4_originate_fit(struct lcore_ctx *c, const struct nexthop *nh, struct rte_mbuf *m);

/**
 * Build into the empty mbuf @e the ICMP error for @err / @arg answering @m
 * (data at its IPv4 header), from @src_addr (network order) to m's source:
 * IPv4 header (TTL 64, precedence 6, no DF), ICMP header, and the first
 * min(len, 576 - 28) bytes of @m as quoted (RFC 1812 4.3.2.3). Checks no
 * never-answer rule (icmp4_error_build does). Any thread.
 * @return 0, -EINVAL (unknown @err), -ENOSPC (@e too small).
 */
int icmp4_error_make(struct rte_mbuf *m, enum ip_err err, uint32_t arg, const uint8_t src_addr[4],
		     struct rte_mbuf *e);

/**
 * Create / free the fragmentation pools and the receive next hop of the
 * local path. Control thread, [C]. @return 0 or -ENOMEM / -ENOSPC.
 */
int ip4_frag_init(void);

/** The mbuf pools fragments are built from (IPv4 and IPv6), NULL before ip4_frag_init(). */
void ip_frag_pools(struct rte_mempool **direct, struct rte_mempool **indirect);
void ip4_frag_fini(void);

#endif
