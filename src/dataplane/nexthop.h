/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nexthop.h: next hops (paper 1319-1650). A next hop is a shared object:
 * one per (family, type, type data), referenced by any number of routes,
 * with an output function per type that the packet path calls with a run
 * of packets the forwarding lookup sent to it.
 *
 * Control/data split: struct nexthop is the small object lcores read; the
 * control-only record (references, hash linkage, dependants) lives beside
 * it in nexthop.c. Next hops are found from the packet path by index
 * (nh_by_index), never kept as pointers across quiescent states.
 *
 * Lock legend: [I] immutable after creation, [C] config lock, [R] RCU-
 * published (written under [C], read by lcores), [L] lcore-owned.
 */
#ifndef NSDP_NEXTHOP_H
#define NSDP_NEXTHOP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct lcore_ctx;

enum rnh_type {
	RNH_REJECT = 1, /* drop, ICMP unreachable (received) / EHOSTUNREACH (originated) */
	RNH_DISCARD,    /* drop silently (counted) */
	RNH_RECV,       /* local delivery, address-independent (0.0.0.0/32) */
	RNH_MDISCARD,   /* multicast without a forwarding route: drop */
	RNH_MRECV,      /* multicast to be received here (224.0.0.1) */
	RNH_BRECV,      /* broadcast to be received here */
	RNH_LOCAL,      /* one of our addresses */
	RNH_UNICAST,    /* prebuilt L2 header, output ifl, MTU */
	RNH_RESOLV,     /* subnet: hand the packet to the resolver (ARP/ND, application) */
	RNH_MGROUP,     /* receive on a list of ifls */
	RNH_MULTICAST,  /* output on a list of ifls (0 = local copy) */
	RNH_HOLD,       /* neighbour being resolved: hold packets, becomes UNICAST in place */
	RNH_DEAD,       /* what it pointed at is gone; routes using it drop */
	RNH_TYPE_MAX,
};

#define NH_L2_MAX 32        /* Ethernet + 4 tags fits */
#define NH_LIST_MAX 32      /* ifls of an MGROUP / MULTICAST next hop */
#define NH_INDEX_INVALID 0  /* index 0 is never a next hop */
#define NH_INDEX_MAX (1u << 20) /* indices are 1 .. NH_INDEX_MAX - 1 */
#define NH_HOLD_MAX 64      /* packets a HOLD next hop keeps while resolving */

/* Flags of an output call. */
#define NH_OUT_ORIGINATED 0x1 /* packets built here, not forwarded: no TTL, no ICMP errors */

/*
 * Metadata of an output call for packets built here: what their sender
 * chose. MDISCARD, MRECV, BRECV and MGROUP next hops send originated
 * packets as multicast / broadcast out @ifl_index (paper 1580-1600: the
 * destination names no interface); without it (NULL, or 0) they are
 * counted no_output_ifl. Other next hops ignore it.
 */
struct nh_out_meta {
	uint32_t ifl_index;    /* output ifl; 0 = none chosen */
};

struct nexthop;

/**
 * Output function of a next hop type. Gets a run of @n packets the lookup
 * sent to @nh, and owns them: transmits, queues to a service queue, or
 * drops and counts each one under a reason. @meta is optional per-call
 * metadata (NULL on the forwarding path; struct nh_out_meta for packets
 * built here). Runs on an lcore or worker: no locks, no allocation besides
 * mbufs, no syscalls.
 */
typedef void (*nh_output_fn)(struct lcore_ctx *c, const struct nexthop *nh,
			     struct rte_mbuf **pkts, uint16_t n, unsigned flags, const void *meta);

/*
 * A resolver (ARP/ND on a worker, or an application session) behind
 * RESOLV next hops. Packets output through a RESOLV next hop are passed to
 * @enqueue (from the packet path: must not block); the resolver later asks
 * for a HOLD next hop for the neighbour (nh_get) and makes it UNICAST.
 *
 * RESOLV next hops made with resolver NULL (the interface tree's subnet
 * routes) use the default resolver of their family (nh_default_resolver).
 * A HOLD next hop tells the default resolver of its family when it starts
 * holding: the packet that finds its ring empty is passed to @hold instead
 * of being held (from the packet path: must not block), so the resolver
 * learns of HOLD next hops it did not create itself (user routes `via` an
 * unresolved gateway, route_nh_resolve) and holds or sends that packet.
 */
struct nh_resolver {
	void (*enqueue)(struct nh_resolver *r, const struct nexthop *nh, struct rte_mbuf **pkts,
			uint16_t n);
	const char *name;
	void (*hold)(struct nh_resolver *r, const struct nexthop *nh, struct rte_mbuf *m);
};

struct nexthop {
	nh_output_fn output;        /* [R] changes with type */
	uint32_t index;             /* [I] */
	uint8_t type;               /* [R] enum rnh_type; HOLD -> UNICAST and * -> DEAD in place */
	uint8_t family;             /* [I] 4 or 6 */
	uint8_t l2_len;             /* [R] UNICAST: bytes of l2 */
	uint8_t n_ifl;              /* [I] MGROUP / MULTICAST: entries of ifl_list */
	uint8_t used;               /* [A] UNICAST: set by the output when it finds it clear;
				     * the resolver clears it to learn whether the
				     * neighbour is in use (STALE -> DELAY) */
	uint32_t ifl_index;         /* [I] output ifl (UNICAST, HOLD, RESOLV, LOCAL), else 0 */
	uint16_t port;              /* [R] UNICAST: tx port of the ifl */
	uint16_t mtu;               /* [R] UNICAST: L3 MTU of the output iff */
	uint8_t addr[16];           /* [I] neighbour (HOLD, UNICAST) or local (LOCAL) address */
	uint8_t l2[NH_L2_MAX];      /* [R] UNICAST: prebuilt L2 header, tags included */
	struct nh_resolver *resolver; /* [I] RESOLV */
	const uint32_t *ifl_list;   /* [I] MGROUP / MULTICAST: ascending, no repeats (0 = local copy) */
	struct rte_ring *hold;      /* [I] next hops created HOLD: packets held (MP enqueue,
				     * MC dequeue: lcores and the resolver may flush at once), NULL for the others */
} __rte_cache_aligned;

/* What identifies a next hop: (family, type, type data). */
struct nh_spec {
	uint8_t family;             /* 4 or 6 */
	uint8_t type;               /* enum rnh_type, not DEAD */
	uint32_t ifl_index;         /* UNICAST, HOLD, RESOLV, LOCAL */
	uint8_t addr[16];           /* UNICAST, HOLD: neighbour; LOCAL: the local address */
	struct nh_resolver *resolver; /* RESOLV */
	uint8_t n_ifl;              /* MGROUP, MULTICAST: a set, in any order, no repeats; */
	uint32_t ifl_list[NH_LIST_MAX]; /* MULTICAST may list 0 (local copy), MGROUP not */
	/* UNICAST only, not part of the identity: */
	uint8_t l2_len;
	uint8_t l2[NH_L2_MAX];
	uint16_t port;
	uint16_t mtu;
};

/** Set up the next-hop index space. Control thread, once. @return 0 or -ENOMEM. */
int nh_init(void);
void nh_fini(void);

/**
 * Find the next hop of @s or create it; takes a reference. [C]
 * @return the next hop, or NULL with errno EINVAL (bad spec), ENOSPC
 *   (index space full), ENOMEM.
 */
struct nexthop *nh_get(const struct nh_spec *s);

/** Take one more reference. [C] */
void nh_ref(struct nexthop *nh);

/** Drop a reference; the last one frees the next hop after a grace period. [C] */
void nh_put(struct nexthop *nh);

/**
 * Make HOLD next hop @nh UNICAST in place with the L2 header, port and MTU
 * of @s: the data first, then type and output function with release
 * stores. Packets held go out ahead of the next packets sent through it,
 * or when the resolver calls nh_hold_flush(). [C]
 * @return 0 or -EINVAL (not HOLD, or bad header).
 */
int nh_resolved(struct nexthop *nh, const struct nh_spec *s);

/**
 * Make next hop @nh, created HOLD and now UNICAST, HOLD again in place:
 * its neighbour stopped answering. Packets sent through it are held (and
 * the default resolver told, see struct nh_resolver) from then on. [C]
 * @return 0 or -EINVAL (not a UNICAST next hop created HOLD).
 */
int nh_unresolved(struct nexthop *nh);

/**
 * Set the default resolver of RESOLV next hops of @family (4 or 6) that
 * were made with resolver NULL, and the one HOLD next hops of @family
 * notify; NULL unsets (such packets are then counted as no_resolver). The
 * hook is RCU-published: after unsetting, wait for a grace period before
 * the resolver goes away. [C] @return 0 or -EINVAL.
 */
int nh_set_default_resolver(int family, struct nh_resolver *r);

/** The default resolver of @family, NULL if none. RCU reader or [C]. */
struct nh_resolver *nh_default_resolver(int family);

/**
 * Take every packet HOLD next hop @nh holds off its ring into @pkts (at
 * most @max); the caller owns them. For the resolver (failed resolution,
 * flush). The hold ring is multi-consumer: lcores flushing it through the
 * UNICAST output and the resolver may dequeue at the same time, each packet
 * goes to exactly one of them. @return packets taken.
 */
unsigned nh_hold_take(const struct nexthop *nh, struct rte_mbuf **pkts, unsigned max);

/**
 * Turn every next hop tied to @ifl_index (output ifl, RESOLV, LOCAL, list
 * member) DEAD: the configuration they were built from is going. Routes
 * still referencing them forward nothing (counted). Proportional to the
 * number of next hops of @ifl_index (a per-ifl index is kept). [C]
 * @return the number of next hops that turned DEAD.
 */
unsigned nh_ifl_gone(uint32_t ifl_index);

/** The next hop with @index, NULL if none. RCU reader or [C]. */
const struct nexthop *nh_by_index(uint32_t index);

/** Reference count (routes and other holders). [C] */
uint32_t nh_refcnt(const struct nexthop *nh);

/**
 * Register @fn as the local input of @family (4 or 6): LOCAL, RECV, BRECV,
 * MRECV and MGROUP next hops hand the packets they receive to it. NULL
 * unregisters (packets are then counted as no_local_input). The hook is
 * RCU-published: after unregistering, wait for a grace period before the
 * code behind the old one goes away. [C]
 * @return 0 or -EINVAL (family).
 */
int nh_set_local_input(int family, nh_output_fn fn);

/** The local input of @family, NULL if none. RCU reader. */
nh_output_fn nh_local_input(int family);

/**
 * Send the packets @nh (created HOLD, now UNICAST) still holds through its
 * output function, one burst (at most 32) per call; packets a HOLD next hop
 * still holds otherwise go out before the packets sent through it once
 * UNICAST. Call on a thread that owns @c's tx buffers (an lcore or worker).
 * @return packets sent on (0: nothing held, or @nh is not UNICAST).
 */
unsigned nh_hold_flush(struct lcore_ctx *c, const struct nexthop *nh);

/** The output function of next hops of @type (nh_output.c), NULL if out of range. */
nh_output_fn nh_output_of(unsigned type);

/** Number of next hops that exist (DEAD ones included). [C] */
unsigned nh_count(void);

/** Operator-facing name of a type ("unicast", "reject", ...), NULL if out of range. */
const char *rnh_type_name(unsigned type);

/**
 * Call @cb for every next hop in index order starting at @from; stops at
 * and returns the first non-zero return of @cb. [C]
 */
int nh_walk(uint32_t from, int (*cb)(const struct nexthop *nh, void *arg), void *arg);

#endif
