/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip6.h: IPv6 in the dataplane: the input on the rx lcore (RFC 8200 header
 * checks, hop-by-hop options to the local path, Neighbor Discovery to its
 * worker, the forward step: hop limit, MTU, scope), the ICMPv6 error
 * generator (icmp6.c, RFC 4443, declared in ip.h) and Neighbor Discovery
 * (nd.c, RFC 4861 / RFC 4862) on the neighbour cache.
 *
 * Lock legend: [I] immutable after ip6_init(), [C] config lock,
 * [R] RCU-published, [L] lcore-owned.
 */
#ifndef NSDP_IP6_H
#define NSDP_IP6_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct lcore_ctx;
struct rte_mempool;
struct svc_sched;
struct timer_service;

#define IP6_HDR_LEN 40
#define IP6_MIN_MTU 1280      /* RFC 8200 5 */
#define IP6_PROTO_HOPOPTS 0
#define IP6_PROTO_ICMP6 58
#define IP6_PROTO_NONE 59
#define IP6_PROTO_FRAG 44

/* ICMPv6 types (RFC 4443 2.1, RFC 4861 4). */
#define ICMP6_DST_UNREACH 1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB 4
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_SOLICIT 133
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_REDIRECT 137

/* In the arg of IP_ERR_PARAM: parameter problem code 2 (unrecognized option). */
#define ICMP6_PARAM_OPTION 0x80000000u

/**
 * Start IPv6: create the receive next hop of the hop-by-hop path and
 * register the IPv6 input with the interface tree. Neighbor Discovery
 * starts separately (nd_init), after the neighbour cache.
 * Control thread, config lock held, after ifcfg_init() and nh_init().
 * @return 0 or -errno (-ENOMEM, -ENOSPC, -EEXIST if already started).
 */
int ip6_init(void);

/** Undo ip6_init(). Control thread, lcores and workers stopped. */
void ip6_fini(void);

/**
 * The IPv6 family input (an L2 demux handler): @n packets whose data
 * starts at the IPv6 header, pkt_meta ifl_index set. Validates, hands ND
 * messages to the ND worker and hop-by-hop packets to the local path, looks
 * the rest up in bulk in the incoming iff's routing instance, applies the
 * forward step to packets that leave, and calls each next hop's output with
 * the run of consecutive packets going to it. Owns the packets; every drop
 * is counted. rx lcore (RCU reader): no locks, no allocation, no syscalls.
 */
void ip6_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
	       void *arg);

/**
 * The ICMPv6 checksum of the message of @len bytes at @msg (checksum field
 * included as it is) with the pseudo header of @src, @dst (RFC 8200 8.1).
 * @return the folded one's-complement sum: 0xffff means the checksum
 *   verifies; to fill in a checksum, zero the field and store ~result.
 */
uint16_t icmp6_cksum_sum(const uint8_t src[16], const uint8_t dst[16], const void *msg,
			 uint32_t len);

/** Fill in the checksum of ICMPv6 packet @ip6 (IPv6 header, then the message, contiguous). */
void icmp6_cksum_set(uint8_t *ip6);

/* --- address helpers (RFC 4291) ------------------------------------------ */

static inline bool
ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline bool
ip6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static inline bool
ip6_is_unspecified(const uint8_t *a)
{
	static const uint8_t z[16];

	return __builtin_memcmp(a, z, 16) == 0;
}

static inline bool
ip6_is_loopback(const uint8_t *a)
{
	static const uint8_t lo[16] = { [15] = 1 };

	return __builtin_memcmp(a, lo, 16) == 0;
}

/** The solicited-node multicast address of @a (ff02::1:ffXX:XXXX, RFC 4291 2.7.1). */
void ip6_solicited_node(const uint8_t a[16], uint8_t out[16]);

/** The Ethernet multicast address of IPv6 group @g (33:33 + last 4 bytes, RFC 2464 7). */
void ip6_mcast_mac(const uint8_t g[16], uint8_t mac[6]);

/** fe80::/64 with the modified EUI-64 interface id of @mac (RFC 4291 appendix A). */
void ip6_link_local_from_mac(const uint8_t mac[6], uint8_t out[16]);

/* --- Neighbor Discovery (nd.c) -------------------------------------------- */

/* NA flags (first byte of the flags word, RFC 4861 4.4). */
#define ND_NA_F_ROUTER 0x80
#define ND_NA_F_SOLICITED 0x40
#define ND_NA_F_OVERRIDE 0x20

/* A parsed and validated NS or NA. */
struct nd_msg {
	uint8_t type;                /* ND_NEIGHBOR_SOLICIT or ND_NEIGHBOR_ADVERT */
	uint8_t flags;               /* NA: ND_NA_F_* */
	bool has_lla;                /* NS: source, NA: target link-layer address option */
	uint8_t lla[6];
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t target[16];
};

/* What DAD says of one of our addresses (nd_addr_state). */
enum nd_addr_state {
	ND_ADDR_PREFERRED = 1,       /* DAD passed (or never run): answered and announced */
	ND_ADDR_TENTATIVE,           /* DAD running: not answered, not announced */
	ND_ADDR_DUPLICATE,           /* DAD failed: logged, never answered */
};

/**
 * Hand ND messages (ICMPv6 types 133-137 right after the IPv6 header,
 * pkt_meta ifl_index set) to the IPv6 neighbour queue. Packet path; never
 * blocks; what cannot be queued is counted there.
 */
void nd_input(struct rte_mbuf **pkts, uint16_t n);

/**
 * Parse and validate NS / NA @m (data at the IPv6 header) into @out
 * (RFC 4861 7.1.1, 7.1.2: hop limit 255, code 0, ICMPv6 checksum, length,
 * target not multicast, option lengths, DAD NS to the solicited-node group
 * without source LLA option, multicast NA not solicited). May linearize @m.
 * @return 0, -EOPNOTSUPP (another ND type: RS, RA, redirect), -EINVAL.
 */
int nd_parse(struct rte_mbuf *m, struct nd_msg *out);

/**
 * Build NS or NA @type from @src to @dst about @target in a new mbuf of
 * @mp (data at the IPv6 header, hop limit 255, checksum set); NA @flags
 * (ND_NA_F_*); @lla (may be NULL) goes in a source (NS) / target (NA)
 * link-layer address option. Any thread.
 * @return the mbuf, or NULL with errno EINVAL, ENOMEM, ENOSPC.
 */
struct rte_mbuf *nd_build(struct rte_mempool *mp, uint8_t type, const uint8_t src[16],
			  const uint8_t dst[16], const uint8_t target[16], uint8_t flags,
			  const uint8_t *lla);

/**
 * Consume ND message @m received on pkt_meta(m)->ifl_index: answer NS for
 * our addresses with a solicited NA (RFC 4861 7.2.4), learn solicitors
 * and advertisers through the neighbour cache, feed DAD. The neigh_proto
 * input op of IPv6; exposed for tests and the fuzz target. Neighbour queue
 * consumer (or a test thread), config lock held.
 */
void nd_msg_input(struct rte_mbuf *m);

/**
 * Start DAD of our address @addr on ifl @ifl_index (RFC 4862 5.4): send NS
 * from :: to its solicited-node group, tentative until RetransTimer passes.
 * [C] @return 0, -ENOSPC (too many at once), -ENOENT (ifl), -ENOMEM.
 */
int nd_dad_start(uint32_t ifl_index, const uint8_t addr[16]);

/**
 * Finish the DAD runs whose time has come at @now_ns (CLOCK_MONOTONIC):
 * those still tentative become preferred and are announced (unsolicited NA
 * to all nodes). The ND timer calls it; tests too. [C]
 */
void nd_dad_run(uint64_t now_ns);

/** DAD state of @addr on @ifl_index: enum nd_addr_state, or -ENOENT (not ours). [C] */
int nd_addr_state(uint32_t ifl_index, const uint8_t addr[16]);

/**
 * Register ND as the neighbour cache's IPv6 protocol; with @sched and @ts,
 * DAD runs with its own timer queue (without: addresses are announced at
 * once). Control thread, config lock held, after neigh_init().
 * @return 0 or -errno (-EEXIST, or neigh_proto_register's).
 */
int nd_init(struct svc_sched *sched, struct timer_service *ts);

/** Undo nd_init(). Control thread, workers stopped. */
void nd_fini(void);

#endif
