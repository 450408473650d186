/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_neigh.h: attributes of the NEIGH object (included by proto.h):
 * neighbour entries (ARP, ND) and the neighbour counters.
 * docs/neighbours.md, "Configuration and inspection", gives the messages:
 *
 *   NEIGH ADD     FAMILY ADDR LLADDR DEV [TABLE]: a static neighbour
 *   NEIGH DELETE  FAMILY ADDR [DEV]: any entry, static or learned
 *   NEIGH GET     FAMILY ADDR [DEV]: one entry; FAMILY alone: the counters
 *                 and tunables of the family
 *   NEIGH CHANGE  FAMILY and any tunables: set them (checked together)
 *   NEIGH GETNEXT [FAMILY]: entries in (family, ifl, address) order; the
 *                 key of the last one (FAMILY IFL ADDR) resumes
 *
 * Addresses travel as 16 bytes whatever the family: an IPv4 address fills
 * the first 4 (network byte order), the other 12 are zero.
 */
#ifndef NSDP_PROTO_NEIGH_H
#define NSDP_PROTO_NEIGH_H

enum {
	NSDP_A_NEIGH_UNSPEC,
	NSDP_A_NEIGH_FAMILY,        /* u8: 4 or 6 */
	NSDP_A_NEIGH_ADDR,          /* binary 16: the neighbour's address */
	NSDP_A_NEIGH_LLADDR,        /* binary 6: its link-layer (MAC) address */
	NSDP_A_NEIGH_DEV,           /* string: ifl name (requests and replies) */
	NSDP_A_NEIGH_IFL,           /* u32: ifl_index (replies; dump key) */
	NSDP_A_NEIGH_TABLE,         /* u32: routing instance of the host route */
	NSDP_A_NEIGH_STATE,         /* u8: enum nsdp_neigh_state */
	NSDP_A_NEIGH_FLAGS,         /* u8: NSDP_NEIGH_F_* */
	NSDP_A_NEIGH_AGE_MS,        /* u64: since the last confirmation or change */
	NSDP_A_NEIGH_PROBES,        /* u32: solicitations sent in the state */
	NSDP_A_NEIGH_NH_INDEX,      /* u32: next hop of the host route, 0 = none */
	NSDP_A_NEIGH_HELD,          /* u32: packets held now */
	NSDP_A_NEIGH_REQUESTS_SENT, /* u64: counters (GET with FAMILY alone) */
	NSDP_A_NEIGH_REQUESTS_RCVD, /* u64 */
	NSDP_A_NEIGH_REPLIES_SENT,  /* u64 */
	NSDP_A_NEIGH_REPLIES_RCVD,  /* u64 */
	NSDP_A_NEIGH_RESOLVED,      /* u64 */
	NSDP_A_NEIGH_FAILED,        /* u64 */
	NSDP_A_NEIGH_HELD_TOTAL,    /* u64: packets held so far */
	NSDP_A_NEIGH_HOLD_DROPPED,  /* u64 */
	NSDP_A_NEIGH_GRATUITOUS,    /* u64: announcements sent */
	NSDP_A_NEIGH_ENTRIES,       /* u64: entries now */
	/* Tunables of a family (CHANGE with FAMILY; GET with FAMILY alone shows them), u32: */
	NSDP_A_NEIGH_REACHABLE_MS,  /* REACHABLE lasts this long */
	NSDP_A_NEIGH_RETRANS_MS,    /* first retransmission interval */
	NSDP_A_NEIGH_RETRANS_MAX_MS,/* backoff cap */
	NSDP_A_NEIGH_DELAY_MS,      /* DELAY before probing; STALE use check interval */
	NSDP_A_NEIGH_STALE_MS,      /* unused STALE entries go after this (0 = never) */
	NSDP_A_NEIGH_FAILED_MS,     /* FAILED hold-down */
	NSDP_A_NEIGH_MCAST_PROBES,  /* broadcast / multicast solicitations */
	NSDP_A_NEIGH_UCAST_PROBES,  /* unicast probes */
	NSDP_A_NEIGH_HOLD_MAX,      /* packets held per neighbour (1 .. 64) */
	NSDP_A_NEIGH_MAX,
};

/* States (values are on the wire). */
enum nsdp_neigh_state {
	NSDP_NEIGH_INCOMPLETE = 1,
	NSDP_NEIGH_REACHABLE,
	NSDP_NEIGH_STALE,
	NSDP_NEIGH_DELAY,
	NSDP_NEIGH_PROBE,
	NSDP_NEIGH_FAILED,
	NSDP_NEIGH_STATIC,
};

#define NSDP_NEIGH_F_ROUTER 0x1

#endif
