/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route.h: route tables (paper 945-1320). One table per routing instance
 * per family holds every route: unicast, multicast (S,G), local,
 * broadcast and permanent, several per prefix in preference order. It is a
 * routing table; lcores search the forwarding structure compiled from it
 * (fib.h), which the table updates incrementally on every change.
 *
 * Key: <destination prefix><source prefix> (source usually /0).
 * Preference among routes of one key: type (rtt_pref order), then lower
 * ifl_index. The forwarding lookup returns the next hop of the most
 * preferred route of the longest matching key whose most preferred route
 * is not of an ignored type (a preferred ignored route hides its key, paper
 * 1224-1232); it always finds one because 0/0 is a permanent route.
 * docs/routing.md has the whole story.
 *
 * Lock legend: [C] config lock, [R] RCU-published, read by lcores.
 */
#ifndef NSDP_ROUTE_H
#define NSDP_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "counters.h"
#include "nexthop.h"

/*
 * Route types (paper 1234-1308). The values are on the wire (they only
 * grow); preference is rtt_pref(): enum order, except that RTT_LOCAL, a
 * later value, ranks between RTT_PERM and RTT_IF.
 */
enum rtt {
	RTT_USER = 1,
	RTT_USER_IGNORE,
	RTT_PERM,
	RTT_IF,          /* from ifa configuration: subnet, broadcast, network routes */
	RTT_IFDEST,      /* neighbour host routes */
	RTT_CLONE,
	RTT_IFCLONE,
	RTT_CLONE_IGNORE,
	RTT_IFCLONE_IGNORE,
	RTT_LOCAL,       /* from ifa configuration: host route to one of our own addresses */
	RTT_MAX,
};

/* The interface route types: what next-hop resolution and ifclone parents search. */
#define RTT_IF_TYPES (1u << RTT_LOCAL | 1u << RTT_IF | 1u << RTT_IFDEST)

/** Preference rank of route type @type: lower is preferred (RTT_MAX for bad types). */
static inline unsigned
rtt_pref(unsigned type)
{
	if (type == RTT_LOCAL)
		return RTT_PERM * 2 + 1;
	return type < RTT_MAX ? type * 2 : RTT_MAX * 2;
}

/*
 * Route flags (paper 1188-1208), checked against the packet's incoming
 * ifl_index (0: originated here) by every forwarding lookup.
 */
#define RTF_IFCHECK 0x1  /* the incoming ifl must be the route's ifl (multicast RPF) */
#define RTF_LOCAL   0x2  /* only for packets originated here (loopback addresses) */
#define RTF_SCOPE   0x4  /* IPv6: only for sources in the prefix's scope (stored, not applied) */

/*
 * What the packet path's lookups write instead of a next-hop index for a
 * packet the matched route's flags refuse. Never next-hop indices
 * (nh_by_index() gives NULL for them).
 */
#define RT_FWD_IFCHECK    0x80000001u /* RTF_IFCHECK: it came in on another ifl */
#define RT_FWD_LOCAL_ONLY 0x80000002u /* RTF_LOCAL: it was received, not originated */

/**
 * The flag checks (paper 1188-1205) for a packet from @in_ifl (0: originated
 * here) on a route with @flags and @route_ifl: 0 when it passes, else
 * RT_FWD_IFCHECK or RT_FWD_LOCAL_ONLY. The one definition, used by the
 * packet path and by the control side's route get.
 */
static inline uint32_t
rt_flags_verdict(uint16_t flags, uint32_t route_ifl, uint32_t in_ifl)
{
	if ((flags & RTF_IFCHECK) && in_ifl != route_ifl)
		return RT_FWD_IFCHECK;
	if ((flags & RTF_LOCAL) && in_ifl != 0)
		return RT_FWD_LOCAL_ONLY;
	return 0;
}

/** The drop reason of a value the bulk lookups wrote that names no next hop. */
static inline enum drop_reason
rt_fwd_drop_reason(uint32_t v)
{
	return v == RT_FWD_IFCHECK      ? DROP_rt_ifcheck
	       : v == RT_FWD_LOCAL_ONLY ? DROP_rt_local_only
					: DROP_no_nexthop;
}

/* Routing instances 0 .. RT_INST_MAX - 1; instance 0 always exists. */
#define RT_INST_MAX 4096

struct route_key {
	uint8_t family;        /* 4 or 6 */
	uint8_t dst_len;
	uint8_t src_len;       /* 0 for destination-only routes */
	uint8_t dst[16];       /* network byte order; bits beyond dst_len ignored */
	uint8_t src[16];
};

/* Owner of a clone route: told when the route's forwarding parent changes. */
struct route_clone_owner {
	void (*parent_changed)(struct route_clone_owner *o, const struct route_key *k);
};

struct route_spec {
	struct route_key key;
	uint8_t type;          /* enum rtt */
	uint16_t flags;        /* RTF_* */
	uint32_t ifl_index;    /* 0 = none */
	struct nexthop *nh;    /* the route takes its own reference */
	struct route_clone_owner *owner; /* RTT_*CLONE* only */
};

struct rt_table;

/* [R] tables by instance and family (index 0: IPv4, 1: IPv6); NULL = none. */
extern struct rt_table *rt_tables[RT_INST_MAX][2];

/** Create instance 0. Control thread, once, after nh_init(). @return 0 or -ENOMEM. */
int rt_init(void);
void rt_fini(void);

/**
 * Create routing instance @inst with its IPv4 and IPv6 tables and their
 * permanent routes. [C]
 * @return 0, -EEXIST, -EINVAL (out of range), -ENOMEM (nothing created).
 */
int rt_inst_add(uint16_t inst);

/**
 * Delete routing instance @inst (not 0) and every route in it. The caller
 * checks that no interface uses it. [C] @return 0, -ENOENT, -EINVAL, -EBUSY.
 */
int rt_inst_del(uint16_t inst);

bool rt_inst_exists(uint16_t inst);

/** The table of (@inst, @family), NULL if none. [C] or RCU reader. */
struct rt_table *rt_table_get(uint16_t inst, int family);

/**
 * Add a route. A user route (RTT_USER, RTT_USER_IGNORE) replaces the user
 * route of the same key; other types add beside what is there; the same
 * (key, type, ifl_index) twice is -EEXIST. A user route's ifl_index is the
 * interface RTF_IFCHECK checks (0 without the flag). [C]
 * @return 0 or -errno with *@why set to a sentence for the operator:
 *   -EINVAL (bad key, 0/0 RTT_USER_IGNORE, type RTT_PERM, unknown flags,
 *   RTF_IFCHECK without an ifl_index), -EEXIST, -ENOMEM, -ENOSPC (no room
 *   for another staged destination: (S,G) or RTF_IFCHECK).
 *   On error nothing changed.
 */
int route_add(struct rt_table *t, const struct route_spec *s, const char **why);

/**
 * Delete the route (@k, @type, @ifl_index); for user routes @ifl_index is
 * ignored. RTT_PERM routes cannot be deleted. [C]
 * @return 0, -ENOENT, -EPERM (permanent) with *@why set.
 */
int route_del(struct rt_table *t, const struct route_key *k, uint8_t type, uint32_t ifl_index,
	      const char **why);

/** A route as the table holds it (read-only view for lookups and walks). */
struct route_info {
	struct route_key key;
	uint8_t type;
	uint16_t flags;
	uint32_t ifl_index;
	const struct nexthop *nh;
};

/**
 * The forwarding lookup: the most preferred route of the longest matching
 * key for (@dst, @src) whose most preferred route is not of an ignored type
 * (@src NULL: destination-only keys); fills @out and returns 0 (always
 * finds one). [C]
 * (The packet path uses rt_fwd_lookup4_bulk / 6_bulk instead.)
 */
int route_fwd_lookup(const struct rt_table *t, const uint8_t *dst, const uint8_t *src,
		     struct route_info *out);

/* Constraints of a route lookup. */
struct route_match {
	uint32_t type_mask;    /* bit (1 << rtt) of acceptable types; 0 = any */
	uint32_t ifl_index;    /* 0 = any */
	bool exact;            /* key must be exactly dst/dst_len (else longest match) */
	uint8_t dst_len;       /* with exact */
};

/**
 * The route lookup: the most specific key covering @dst (and @src, may be
 * NULL) with a route satisfying @m, the best such route. [C]
 * @return 0 with @out filled, or -ENOENT.
 */
int route_lookup(const struct rt_table *t, const uint8_t *dst, const uint8_t *src,
		 const struct route_match *m, struct route_info *out);

/**
 * Call @cb for every route in key order, routes of one key in preference
 * order; stops at and returns the first non-zero return of @cb. [C]
 */
int route_walk(const struct rt_table *t, int (*cb)(const struct route_info *r, void *arg),
	       void *arg);

/**
 * The packet path's lookups: for each destination (IPv4 host order / IPv6
 * bytes) [and source, @src may be NULL], the next-hop index of the
 * forwarding decision, or RT_FWD_IFCHECK / RT_FWD_LOCAL_ONLY when the
 * route's flags refuse a packet that came in on @in_ifl (0: originated
 * here; one ifl for the whole call). RCU reader. Source-specific routes and
 * flags cost a second stage only under destinations that have them.
 */
void rt_fwd_lookup4_bulk(const struct rt_table *t, const uint32_t *dst, const uint32_t *src,
			 uint32_t in_ifl, uint32_t *nh_index, unsigned n);
void rt_fwd_lookup6_bulk(const struct rt_table *t, const uint8_t (*dst)[16],
			 const uint8_t (*src)[16], uint32_t in_ifl, uint32_t *nh_index, unsigned n);

#define RT_PREFETCH_MAX 256

/**
 * Bring into cache the trie paths that adding or deleting the routes of
 * @keys (at most RT_PREFETCH_MAX) will walk, walking them all at once so
 * their cache misses overlap. A hint for bulk changes: changes nothing. [C]
 */
void route_prefetch(const struct rt_table *t, const struct route_key *keys, unsigned n);

/**
 * route_add() that also hands back the user route it replaced, so the
 * caller can undo the add: *@replaced tells whether there was one, and
 * *@old then describes it with a reference on old->nh the caller drops
 * (nh_put). [C] @return as route_add().
 */
int route_add_replace(struct rt_table *t, const struct route_spec *s, struct route_spec *old,
		      bool *replaced, const char **why);

/**
 * Change the next hop and flags of the existing route (@s->key, @s->type,
 * @s->ifl_index) to @s->nh / @s->flags (the route takes a reference, drops
 * the old one); a user route also takes @s->ifl_index (its RTF_IFCHECK
 * interface). [C]
 * @return 0, -ENOENT, -EPERM (permanent), -EINVAL, -ENOMEM with *@why set;
 *   on error nothing changed.
 */
int route_change(struct rt_table *t, const struct route_spec *s, const char **why);

/**
 * route_walk() starting after the route (@k, @type, @ifl_index) in walk
 * order (that route need not exist any more); @k NULL = from the start.
 * The cursor of resumable dumps. [C]
 */
int route_walk_after(const struct rt_table *t, const struct route_key *k, uint8_t type,
		     uint32_t ifl_index, int (*cb)(const struct route_info *r, void *arg),
		     void *arg);

/**
 * Next-hop resolution of a user route `via @gw [dev @ifl_index]` (paper
 * 1620-1650): the route lookup of @gw among interface routes (RTT_IF_TYPES)
 * (of @ifl_index only, if not 0); a UNICAST or HOLD next hop found is
 * used as it is, a RESOLV one yields a HOLD next hop for @gw on that ifl
 * (created if needed) that the neighbour resolution fills in. [C]
 * @return 0 with *@nhp holding a new reference, or -ENETUNREACH (no
 *   interface route, or its next hop is DEAD), -EINVAL (the gateway is
 *   local, broadcast, ...), -ENOMEM / -ENOSPC, with *@why set.
 */
int route_nh_resolve(const struct rt_table *t, const uint8_t *gw, uint32_t ifl_index,
		     struct nexthop **nhp, const char **why);

/** Instance, family (4 or 6) and number of routes of @t. [C] */
uint16_t rt_table_inst(const struct rt_table *t);
int rt_table_family(const struct rt_table *t);
size_t rt_table_routes(const struct rt_table *t);

struct nsdp_fib;
/** The forwarding structure of @t (for statistics: fib_memory, fib_count). [C] */
const struct nsdp_fib *rt_table_fib(const struct rt_table *t);

/** Operator-facing name of a route type ("user", "if", ...), NULL if out of range. */
const char *rtt_name(unsigned type);

#endif
