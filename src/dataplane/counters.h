/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counters.h: per-port packet counters and the named drop reasons.
 *
 * Every dropped packet is counted under exactly one reason. Counters are
 * per lcore (one writer each, [L]): the packet path adds with plain stores,
 * readers (telemetry, control thread) sum over lcores with relaxed atomic
 * loads, which are exact for 64-bit words on the architectures DPDK runs
 * on. Nothing on the packet path takes a lock or an atomic RMW to count.
 */
#ifndef NSDP_COUNTERS_H
#define NSDP_COUNTERS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_lcore.h>

/*
 * X(name, description). The name is what operators see in telemetry and
 * nsctl; keep it stable.
 */
#define NSDP_DROP_REASONS(X)                                                       \
	X(not_for_us, "no L2 demux entry matched the frame (nothing configured for it)") \
	X(no_family_input, "the frame matched an iff's demux entry, but no input function serves its family yet") \
	X(tx_full, "the port's tx queue was full")                                      \
	X(port_removed, "the port was removed or is being removed")                     \
	X(l2_malformed, "runt frame, truncated L2 header or too many VLAN tags")          \
	X(l2_strip_failed, "the L2 header spans mbuf segments that cannot be joined to strip it") \
	X(rnh_reject, "the route's next hop is REJECT (unreachable)")                     \
	X(rnh_discard, "the route's next hop is DISCARD")                                 \
	X(rnh_mdiscard, "multicast without a forwarding route (MDISCARD next hop)")       \
	X(rnh_dead, "the route's next hop is DEAD (its interface or neighbour is gone)")  \
	X(no_nexthop, "the forwarding lookup gave a next hop that no longer exists")      \
	X(hold_full, "the neighbour's hold queue was full while it was being resolved")   \
	X(no_resolver, "no resolver serves the subnet's RESOLV next hop")                 \
	X(no_local_input, "no local delivery path is registered for the packet's family") \
	X(recv_originated, "a packet built here was sent to a receive-only address (RECV next hop)") \
	X(mgroup_not_joined, "multicast received on an interface the group is not joined on") \
	X(no_output_ifl, "multicast/broadcast built here without an output ifl in its metadata (the sender named none)") \
	X(no_headroom, "no mbuf headroom for the next hop's L2 header") \
	X(no_ifl, "the packet's incoming ifl or its inet family is gone") \
	X(ip4_bad_version, "IPv4 input: the version field is not 4") \
	X(ip4_bad_header_len, "IPv4 input: header length below 20 bytes or beyond the packet") \
	X(ip4_bad_checksum, "IPv4 input: wrong header checksum") \
	X(ip4_bad_length, "IPv4 input: total length below the header or beyond the frame") \
	X(ip4_bad_options, "IPv4 input: malformed options (truncated, bad length)") \
	X(ip4_martian_source, "IPv4 input: source 0/8, 127/8, multicast, class E or broadcast (RFC 1812 5.3.7)") \
	X(ttl_expired, "TTL (hop limit) would reach 0 in forwarding: ICMP time exceeded queued") \
	X(mtu_exceeded, "larger than the next hop's MTU with DF set: ICMP fragmentation needed queued") \
	X(frag_failed, "fragmentation failed (no mbufs or malformed packet)") \
	X(icmp_not_answered, "ICMP error not sent: the packet is an error, a fragment other than the first, or to/from broadcast or multicast (RFC 1812 4.3.2.7)") \
	X(icmp_ratelimited, "ICMP error not sent: the routing instance's rate limit was reached") \
	X(icmp_no_source, "ICMP error not sent: no address to send it from") \
	X(icmp_no_mbuf, "ICMP error not sent: no mbuf to build it in") \
	X(ip6_bad_version, "IPv6 input: the version field is not 6") \
	X(ip6_bad_length, "IPv6 input: header truncated, or payload length beyond the frame (RFC 8200 3)") \
	X(ip6_martian_source, "IPv6 input: source multicast, loopback, IPv4-mapped, or unspecified outside ND (RFC 4291 2.5.2, 2.5.3, 2.7)") \
	X(ip6_martian_dest, "IPv6 input: destination loopback, or multicast of reserved or interface-local scope, from the wire (RFC 4291 2.5.3, 2.7)") \
	X(ip6_link_local_fwd, "IPv6 forwarding: link-local source or destination would leave its link (RFC 4291 2.5.6)") \
	X(ip6_too_big, "IPv6 forwarding: larger than the next hop's MTU: ICMPv6 packet too big queued (RFC 8200 5)") \
	X(nd_invalid, "Neighbor Discovery message failed validation (RFC 4861 7.1.1, 7.1.2: hop limit, checksum, length, options)") \
	X(nd_not_ours, "Neighbor Discovery: target is not one of our addresses") \
	X(nd_unhandled, "Neighbor Discovery: router solicitation/advertisement or redirect, not served") \
	X(neigh_failed, "neighbour resolution failed (no answer): held or new packets to it dropped") \
	X(neigh_flushed, "held packets of a neighbour entry deleted by configuration or interface removal") \
	X(neigh_no_entry, "no neighbour entry could be made for the packet (no ifl/iff, table full, route refused)") \
	X(neigh_bad_dst, "a packet to resolve has no valid neighbour address (truncated, zero, broadcast, multicast)") \
	X(neigh_no_output, "a neighbour protocol frame could not be sent (no ifl, port or tx context)") \
	X(arp_malformed, "ARP: shorter than its header, or hardware/protocol lengths not 6/4") \
	X(arp_unsupported, "ARP: not Ethernet/IPv4, or an operation other than request/reply") \
	X(arp_bad_sender, "ARP: sender hardware address multicast/broadcast/zero, or sender IP multicast/broadcast") \
	X(arp_bad_target, "ARP: target IP multicast or broadcast") \
	X(arp_addr_conflict, "ARP: another host claims one of our addresses as its sender IP") \
	X(arp_target_not_ours, "ARP: a request for an address that is not ours (seen, not answered)") \
	X(arp_unsolicited, "ARP: a reply for a neighbour we are not resolving") \
	X(arp_no_ifl, "ARP: the frame's ifl or its inet family is gone") \
	X(local_no_consumer, "local delivery: no L3 demux entry took the packet (ICMP unreachable or TCP RST queued where the rules allow)") \
	X(local_malformed, "local delivery: the transport header chain could not be parsed") \
	X(local_queue_full, "local delivery: no room to queue the packet to its worker (TCP RST, echo)") \
	X(tcp_rst_not_sent, "TCP RST not sent: the segment is a RST, the rate limit was reached, or no mbuf") \
	X(echo_bad_checksum, "ICMP/ICMPv6 echo request with a wrong checksum or length: not answered") \
	X(reasm_timeout, "reassembly: the datagram did not complete in time (its fragments dropped)") \
	X(reasm_overlap, "reassembly: overlapping fragments, the whole datagram dropped (RFC 5722, RFC 1858)") \
	X(reasm_tiny, "reassembly: tiny fragment refused (RFC 1858 3, RFC 7112)") \
	X(reasm_no_memory, "reassembly: memory or datagram limit reached") \
	X(reasm_malformed, "reassembly: bad fragment lengths, offset, or too many fragments") \
	X(rt_ifcheck, "the route has RTF_IFCHECK and the packet came in on another ifl (multicast RPF check)") \
	X(rt_local_only, "the route has RTF_LOCAL (only for packets originated here) and the packet was received") \
	X(mcast_ttl_expired, "multicast forwarding: TTL (hop limit) would reach 0; not forwarded, no ICMP error (RFC 1812 4.3.2.7)") \
	X(mcast_scope, "multicast forwarding: link-local group (224.0.0.0/24, IPv6 scope 2 and below) or link-local source stays on its link (RFC 5771 4, RFC 4291 2.5.6, 2.7)") \
	X(mcast_too_big, "multicast/broadcast output: larger than the ifl's MTU with DF set, or received IPv6 (not fragmented, no ICMP error)") \
	X(mcast_bad_ifl, "multicast/broadcast output: the ifl is gone, has no iff of the family, or cannot send multicast (NBMA, PPPoE, no port)") \
	X(mcast_no_mbuf, "multicast: no mbuf for a copy") \
	X(mcast_no_copy, "multicast: the only listed output ifl is the one the packet came in on (never sent back) and there is no local copy")

enum drop_reason {
#define DROP_ENUM(name, desc) DROP_##name,
	NSDP_DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
	DROP_MAX
};

/** Operator-facing name of a drop reason, NULL if out of range. */
const char *drop_reason_name(unsigned reason);
/** One-line description of a drop reason, NULL if out of range. */
const char *drop_reason_desc(unsigned reason);

struct port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_bursts;     /* non-empty rx bursts */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DROP_MAX];
} __rte_cache_aligned;

/* [L] one instance per lcore; index by port id. */
struct lcore_counters {
	struct port_counters port[RTE_MAX_ETHPORTS];
};

/* [I] after counters_init(): RTE_MAX_LCORE pointers, NULL for unused lcores. */
extern struct lcore_counters *nsdp_lcore_counters[RTE_MAX_LCORE];

/**
 * Allocate the counters of every enabled lcore (and of the calling thread's
 * lcore id if it is a registered non-EAL thread). Call once, from the main
 * lcore, after rte_eal_init().
 * @return 0 or -ENOMEM.
 */
int counters_init(void);
/** Free what counters_init() allocated. Lcores must be stopped. */
void counters_fini(void);

/* Packet path helpers: the caller's lcore owns @pc. */
static inline void
counters_drop(struct port_counters *pc, enum drop_reason r, uint64_t n)
{
	pc->drops[r] += n;
}

/** This lcore's counters of @port. The lcore must be one counters_init() saw. */
static inline struct port_counters *
counters_this_lcore(uint16_t port)
{
	return &nsdp_lcore_counters[rte_lcore_id()]->port[port];
}

/**
 * Sum the counters of @port over all lcores into @out. Safe from any thread
 * at any time (values may be a few packets behind the lcores).
 */
void counters_port_sum(uint16_t port, struct port_counters *out);

/** Zero every counter of @port on every lcore. Lcores must be stopped. */
void counters_port_reset(uint16_t port);

#endif
