/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.h: the neighbour cache, shared by ARP (IPv4, arp.c) and Neighbor
 * Discovery (IPv6, nd.c): resolution of RESOLV and HOLD next hops (paper
 * 1600-1650, 2600-2625), the RFC 4861 7.3.2 state machine (used for ARP
 * too), timers delivered as messages, static neighbours, and the entry
 * points the protocols call. docs/neighbours.md tells the whole story.
 *
 * Flow. One service queue per family ("neigh4", "neigh6") carries:
 *  - packets output through a RESOLV next hop (NEIGH_MSG_RESOLVE, arg = the
 *    RESOLV next hop's index), enqueued by the family's nh_resolver from the
 *    packet path;
 *  - the first packet a HOLD next hop holds while its ring is empty
 *    (NEIGH_MSG_HOLD, arg = the HOLD next hop's index): the notification
 *    that starts resolution of user routes `via` an unresolved gateway;
 *  - protocol packets (NEIGH_MSG_INPUT): ARP frames from the L2 demux, NS /
 *    NA / RS / RA given by the IPv6 input through neigh_input_enqueue();
 *  - frames built on the control thread to be sent by a worker (NEIGH_MSG_TX);
 *  - timer expiries of entries and entry frees.
 * The queue's handler runs each message with the config lock held, so the
 * table, the routes and next hops it installs, and the control handlers
 * (which run under the same lock) see one consistent state.
 *
 * An entry is (family, ifl_index, address). While it exists it owns an
 * RTT_IFDEST host route /32 or /128 in the ifl's routing instance whose
 * next hop is created HOLD (nh_get) and turned UNICAST in place when the
 * neighbour answers (nh_resolved), so packets held meanwhile are sent.
 *
 * Lock legend: [C] config lock, [I] immutable after registration,
 * [A] atomic (read without the lock by statistics).
 */
#ifndef NSDP_NEIGH_H
#define NSDP_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct lcore_ctx;
struct nexthop;
struct nh_resolver;
struct svc_sched;
struct timer_service;

/* RFC 4861 7.3.2 states; INCOMPLETE is resolving, STATIC is configured. */
enum neigh_state {
	NEIGH_INCOMPLETE = 1,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_DELAY,
	NEIGH_PROBE,
	NEIGH_FAILED,   /* resolution failed; kept failed_ms to refuse new tries */
	NEIGH_STATIC,
	NEIGH_STATE_MAX,
};

/* Message subtypes on a family's neighbour service queue. */
enum neigh_msg {
	NEIGH_MSG_RESOLVE = 1, /* packet through a RESOLV next hop; arg = its index */
	NEIGH_MSG_HOLD,        /* packet a HOLD next hop sent on; arg = its index */
	NEIGH_MSG_INPUT,       /* protocol packet (ARP frame without L2 header, ICMPv6) */
	NEIGH_MSG_TX,          /* complete L2 frame to send; arg = ifl_index */
	NEIGH_MSG_TIMER,       /* an entry's timer (internal) */
	NEIGH_MSG_FREE,        /* an entry to free (internal) */
};

/* Flags of neigh_input_learn() (RFC 4861 7.2.5 / RFC 826 merge). */
#define NEIGH_LEARN_SOLICITED 0x1 /* answer to our solicitation (NA S flag; ARP reply) */
#define NEIGH_LEARN_OVERRIDE  0x2 /* may replace a known address (NA O flag; ARP) */
#define NEIGH_LEARN_ROUTER    0x4 /* the neighbour is a router (NA R flag) */
#define NEIGH_LEARN_REQUEST   0x8 /* from a request / NS addressed to one of our addresses:
				   * creates the entry STALE if missing (paper 1600-1620) */
#define NEIGH_LEARN_ADVERT    0x10 /* from a reply / NA: updates existing entries only */

/* Entry flags shown to operators. */
#define NEIGH_F_ROUTER 0x1

/*
 * What a protocol (ARP, ND) provides. Every op runs on the family's
 * neighbour queue consumer with the config lock held, unless said.
 */
struct neigh_proto {
	uint8_t family;           /* 4 or 6 */
	uint8_t addr_len;         /* 4 or 16 */
	uint16_t ethertype;       /* L3 ethertype of resolved neighbours (0x0800, 0x86dd) */
	const char *name;         /* "arp", "nd" */
	/**
	 * Destination address of packet @m (data at the L3 header) into
	 * @addr (addr_len bytes). Also called on packets of RESOLV next hops
	 * only, never with the config lock required. @return 0 or -EINVAL.
	 */
	int (*dst_of)(struct rte_mbuf *m, uint8_t *addr);
	/**
	 * Send a solicitation for @target on ifl @ifl_index: to @unicast_mac
	 * (a PROBE of a known neighbour) or, NULL, to the broadcast /
	 * solicited-node multicast address. Sends through neigh_l2_send().
	 * @return 0 or -errno (counted by the caller as a failed send).
	 */
	int (*send_solicit)(uint32_t ifl_index, const uint8_t *target, const uint8_t *unicast_mac);
	/**
	 * Consume protocol packet @m (NEIGH_MSG_INPUT): parse, learn through
	 * neigh_input_learn(), answer through neigh_l2_send(), count drops.
	 */
	void (*input)(struct rte_mbuf *m);
	/**
	 * Announce local address @addr just added on ifl @ifl_index
	 * (gratuitous ARP, unsolicited NA); may be NULL. Called from
	 * neigh_ifa_added() on the control thread with the config lock held:
	 * build the frame and queue it with neigh_tx_enqueue().
	 */
	void (*addr_added)(uint32_t ifl_index, const uint8_t *addr);
};

/* Tunables of a family (neigh_params_get / _set). Times in milliseconds. */
struct neigh_params {
	uint32_t reachable_ms;     /* REACHABLE lasts this long (RFC 4861 REACHABLE_TIME) */
	uint32_t retrans_ms;       /* first retransmission interval (RETRANS_TIMER) */
	uint32_t retrans_max_ms;   /* backoff cap: the interval doubles up to this */
	uint32_t delay_ms;         /* DELAY_FIRST_PROBE_TIME */
	uint32_t stale_ms;         /* STALE entries unused this long are removed (0: never) */
	uint32_t failed_ms;        /* FAILED entries are kept this long */
	uint32_t mcast_probes;     /* broadcast / multicast solicitations while INCOMPLETE */
	uint32_t ucast_probes;     /* unicast solicitations in PROBE */
	uint32_t hold_max;         /* packets held per entry on the queue side, <= NH_HOLD_MAX */
};

/* Per-family counters. */
struct neigh_stats {
	uint64_t requests_sent;    /* solicitations sent (broadcast and unicast) */
	uint64_t requests_rcvd;    /* requests / NS for one of our addresses */
	uint64_t replies_sent;
	uint64_t replies_rcvd;
	uint64_t resolved;         /* entries that turned REACHABLE from INCOMPLETE */
	uint64_t failed;           /* entries whose resolution failed */
	uint64_t held;             /* packets held while resolving */
	uint64_t hold_dropped;     /* packets dropped: hold queue full, failed, flushed */
	uint64_t gratuitous_sent;  /* announcements of added addresses */
	uint64_t entries;          /* entries now */
};

/* One entry, as walks show it. */
struct neigh_info {
	uint8_t family;
	uint8_t state;             /* enum neigh_state */
	uint8_t flags;             /* NEIGH_F_* */
	uint8_t addr[16];
	uint8_t mac[6];            /* zero while INCOMPLETE / FAILED */
	uint32_t ifl_index;
	uint16_t rt_inst;
	uint32_t nh_index;         /* next hop of the host route, 0 if none */
	uint32_t probes;           /* solicitations sent in the current state */
	uint64_t age_ms;           /* since the last confirmation or change */
	uint32_t held;             /* packets held now */
};

/**
 * Start neighbour resolution: the neighbour service queues of IPv4 and
 * IPv6 on @sched, entry timers on @ts, ARP (arp_init) registered, and the
 * default resolver of RESOLV next hops of both families set
 * (nh_set_default_resolver). Control thread, config lock held, after
 * ip_init(). @return 0 or -errno (nothing left registered).
 */
int neigh_init(struct svc_sched *sched, struct timer_service *ts);

/**
 * Stop: unregister, cancel timers, drain the queues, delete every entry
 * with its route. Control thread, workers stopped, config lock NOT held.
 */
void neigh_fini(void);

/**
 * Register the protocol of @p->family (ARP registers itself from
 * neigh_init(); ND calls this from its own init, after neigh_init()).
 * @p must outlive the registration. [C]
 * @return 0, -EINVAL (family), -EEXIST (one registered).
 */
int neigh_proto_register(const struct neigh_proto *p);

/** Unregister the protocol of @family. [C] */
void neigh_proto_unregister(int family);

/** The resolver behind RESOLV next hops of @family (4 or 6), NULL before neigh_init. */
struct nh_resolver *neigh_resolver(int family);

/**
 * Queue protocol packet @m (data at the ARP header / the IPv6 header,
 * pkt_meta ifl_index set) to @family's neighbour queue as NEIGH_MSG_INPUT;
 * the protocol's input op consumes it on a worker. Packet path: never
 * blocks; without a registered protocol the packet is counted and freed.
 */
void neigh_input_enqueue(int family, struct rte_mbuf *m);

/**
 * Queue complete L2 frame @m for transmission by a worker on ifl
 * @ifl_index (its port is looked up when sent). Any thread. [C] not needed.
 */
void neigh_tx_enqueue(int family, uint32_t ifl_index, struct rte_mbuf *m);

/**
 * Learn that @addr on ifl @ifl_index has link-layer address @mac (RFC
 * 4861 7.2.5 and 7.3.3, RFC 826 merge), as told by @flags
 * (NEIGH_LEARN_*). Creates the entry STALE for NEIGH_LEARN_REQUEST; for
 * NEIGH_LEARN_ADVERT updates an existing entry only: INCOMPLETE ->
 * REACHABLE (solicited) or STALE, sending what it held. Static entries
 * never change. Neighbour queue consumer of @family, config lock held.
 * @return 0, -ENOENT (no entry and not a request), -EINVAL.
 */
int neigh_input_learn(int family, uint32_t ifl_index, const uint8_t *addr, const uint8_t *mac,
		      unsigned flags);

/**
 * Whether @addr is an address of ifl @ifl_index's @family iff (a request
 * for it is ours to answer). [C]
 */
bool neigh_addr_is_ours(int family, uint32_t ifl_index, const uint8_t *addr);

/**
 * Prepend the L2 header of ifl @ifl_index to @dst_mac with @ethertype to
 * @m and transmit it from the calling worker's lcore context (flushed at
 * once). Consumes @m in every case (drops counted). [C]
 * @return 0, -ENOENT (no ifl / port), -ENOSPC (headroom), -ENODEV
 *   (this thread has no lcore context).
 */
int neigh_l2_send(uint32_t ifl_index, const uint8_t dst_mac[6], uint16_t ethertype,
		  struct rte_mbuf *m);

/** The mbuf pool neighbour protocols allocate frames from. */
struct rte_mempool *neigh_pktmbuf_pool(void);

/**
 * Add (or replace) static neighbour @addr -> @mac on ifl @ifl_index;
 * an entry being resolved becomes static and sends what it held. [C]
 * @return 0, -ENOENT (no ifl, or no @family iff), -EINVAL (address
 *   multicast / broadcast / zero / local, MAC multicast or zero),
 *   -ENETUNREACH (no subnet of the ifl holds @addr), -ENOMEM.
 */
int neigh_add_static(int family, uint32_t ifl_index, const uint8_t *addr, const uint8_t mac[6]);

/**
 * Delete the entry @addr on ifl @ifl_index (ifl 0: on whichever ifl has
 * it), static or learned, with its host route. [C]
 * @return 0 or -ENOENT.
 */
int neigh_del(int family, uint32_t ifl_index, const uint8_t *addr);

/**
 * Delete every entry of ifl @ifl_index (every family), with their routes,
 * timers and held packets. Called by the interface tree before an ifl,
 * iff or ifa goes. [C]
 * @return number of entries deleted.
 */
unsigned neigh_ifl_flush(uint32_t ifl_index);

/**
 * An address of ifl @ifl_index's @family iff is going: delete the
 * entries of that ifl and family (their subnet may be going with it).
 * Called by the interface tree. [C]
 */
void neigh_ifa_removed(uint32_t ifl_index, int family);

/**
 * Local address @addr was added on ifl @ifl_index (@family 4 or 6): the
 * protocol announces it. Called by the interface tree. [C]
 */
void neigh_ifa_added(uint32_t ifl_index, int family, const uint8_t *addr);

/**
 * Call @cb for every entry of @family (0: both, IPv4 first) in (family,
 * ifl, address) order, starting after (@from_ifl, @from_addr) of @family
 * if @from_addr is not NULL (a resumed walk names one family);
 * stops at and returns the first non-zero return of @cb. [C]
 */
int neigh_walk(int family, uint32_t from_ifl, const uint8_t *from_addr,
	       int (*cb)(const struct neigh_info *ni, void *arg), void *arg);

/** The entry (@family, @ifl_index, @addr) into @ni. [C] @return 0 or -ENOENT. */
int neigh_get(int family, uint32_t ifl_index, const uint8_t *addr, struct neigh_info *ni);

/** Tunables of @family. [C] @return 0 or -EINVAL. */
int neigh_params_get(int family, struct neigh_params *p);
/** Set tunables of @family (checked: non-zero times, hold_max <= NH_HOLD_MAX). [C] */
int neigh_params_set(int family, const struct neigh_params *p);

/** Counters of @family into @st. Any thread. @return 0 or -EINVAL. */
int neigh_stats_get(int family, struct neigh_stats *st);

/** Count @n in @family's counter at byte offset @field of struct neigh_stats. Any thread. */
void neigh_stats_add(int family, size_t field, uint64_t n);
#define NEIGH_STAT_ADD(fam, name, n) \
	neigh_stats_add((fam), offsetof(struct neigh_stats, name), (n))

/** The family's neighbour service queue (tests drive it directly). */
struct svcq *neigh_queue(int family);

/** Operator-facing state name ("reachable", ...), NULL if out of range. */
const char *neigh_state_name(unsigned state);

/** ARP (arp.c): registers its neigh_proto and the IFCFG_INPUT_ARP input. [C] */
int arp_init(void);
void arp_fini(void);

/* The Ethernet/IPv4 ARP body (RFC 826), network order: 28 bytes. */
struct arp_eth4 {
	uint16_t hrd;
	uint16_t pro;
	uint8_t hln;
	uint8_t pln;
	uint16_t op;
	uint8_t sha[6];
	uint8_t spa[4];
	uint8_t tha[6];
	uint8_t tpa[4];
} __attribute__((packed));

/**
 * The checks of an ARP packet that need no configuration: @m (data at the
 * ARP header, any number of segments) holds at least 28 bytes, Ethernet /
 * IPv4 with lengths 6 / 4, op request or reply, a sender MAC that is not
 * multicast, broadcast or zero, a sender IP that is not multicast or
 * broadcast, a target IP that is not multicast, broadcast or zero. Copies
 * the body to @a. Any thread; reads nothing past the packet.
 * @return 0, or the drop reason (DROP_arp_*).
 */
int arp_parse(const struct rte_mbuf *m, struct arp_eth4 *a);

/**
 * Parse and handle ARP packet @m (data at the ARP header, pkt_meta
 * ifl_index set). Consumes @m. Neighbour queue consumer, config lock held.
 * Exposed for the fuzz target.
 */
void arp_input(struct rte_mbuf *m);

#endif
