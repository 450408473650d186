/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_route.h: attributes of the route objects (included by proto.h):
 * TABLE (routing instances), ROUTE and NEXTHOP. docs/protocol.md,
 * "Routing instances, routes and next hops", gives the messages.
 *
 * Addresses travel as 16 bytes whatever the family: an IPv4 address fills
 * the first 4 (network byte order), the other 12 are zero.
 */
#ifndef NSDP_PROTO_ROUTE_H
#define NSDP_PROTO_ROUTE_H

enum {
	NSDP_A_TABLE_UNSPEC,
	NSDP_A_TABLE_ID,           /* u32, key: routing instance (0 .. 4095) */
	NSDP_A_TABLE_ROUTES4,      /* u64: routes in the IPv4 table */
	NSDP_A_TABLE_ROUTES6,      /* u64: routes in the IPv6 table */
	NSDP_A_TABLE_FIB_BYTES4,   /* u64: bytes of the IPv4 forwarding structure */
	NSDP_A_TABLE_FIB_BYTES6,   /* u64 */
	NSDP_A_TABLE_FIB_PREFIXES4,/* u64: prefixes in the IPv4 forwarding structure */
	NSDP_A_TABLE_FIB_PREFIXES6,/* u64 */
	NSDP_A_TABLE_MAX,
};

enum {
	NSDP_A_ROUTE_UNSPEC,
	NSDP_A_ROUTE_TABLE,        /* u32: routing instance, default 0 */
	NSDP_A_ROUTE_FAMILY,       /* u8: 4 or 6, mandatory with an address */
	NSDP_A_ROUTE_DST,          /* binary 16: destination (prefix) */
	NSDP_A_ROUTE_DST_LEN,      /* u8 */
	NSDP_A_ROUTE_SRC,          /* binary 16: source prefix ((S,G) routes) */
	NSDP_A_ROUTE_SRC_LEN,      /* u8, default 0 */
	NSDP_A_ROUTE_TYPE,         /* u8: enum rtt; requests take user / user-ignore, default user */
	NSDP_A_ROUTE_FLAGS,        /* u16: RTF_*; requests: RTF_LOCAL, RTF_SCOPE (RTF_IFCHECK:
				    * with IIF) */
	NSDP_A_ROUTE_IFL,          /* u32: the route's ifl_index (replies, dump cursors) */
	NSDP_A_ROUTE_NH_TYPE,      /* u8: enum rnh_type; requests: reject, discard, mgroup, multicast */
	NSDP_A_ROUTE_GATEWAY,      /* binary 16: `via` (requests); the next hop's address (replies) */
	NSDP_A_ROUTE_DEV,          /* string: ifl name of `via ... dev` (requests); the next hop's ifl (replies) */
	NSDP_A_ROUTE_NH_INDEX,     /* u32: an existing next hop (requests); the next hop (replies) */
	NSDP_A_ROUTE_IIF,          /* string: GET: the incoming ifl's name (absent = originated here);
				    * ADD / CHANGE: RTF_IFCHECK with this ifl */
	NSDP_A_ROUTE_VERDICT,      /* u8: GET reply: enum nsdp_route_verdict */
	NSDP_A_ROUTE_DUMP_TABLE,   /* u32: GETNEXT: only this instance (echoed in LAST) */
	NSDP_A_ROUTE_DUMP_FAMILY,  /* u8: GETNEXT: only this family (echoed in LAST) */
	NSDP_A_ROUTE_ENTRY,        /* nested, repeated: ADD of many routes, each the attributes above */
	NSDP_A_ROUTE_NH_IFL,       /* u32: replies: the next hop's ifl index */
	NSDP_A_ROUTE_IFL_NAME,     /* string: replies: the route's ifl name, when it has one */
	NSDP_A_ROUTE_NH_MEMBER,    /* nested, repeated (NSDP_A_NHM_*): an ifl of an MGROUP /
				    * MULTICAST next hop, in list order */
	NSDP_A_ROUTE_NH_LOCAL,     /* u8 0..1: MULTICAST: a copy goes to the local system (ifl 0) */
	NSDP_A_ROUTE_MAX,
};

/* One ifl of a next hop's list (ROUTE NH_MEMBER, NEXTHOP MEMBER). */
enum {
	NSDP_A_NHM_UNSPEC,
	NSDP_A_NHM_NAME,           /* string: the ifl's name (requests; replies when it has one) */
	NSDP_A_NHM_IFL,            /* u32: replies: its ifl_index */
	NSDP_A_NHM_MAX,
};

/* What the forwarding path does with a packet (ROUTE GET). */
enum nsdp_route_verdict {
	NSDP_RV_NEXTHOP = 0,       /* handed to the next hop's output */
	NSDP_RV_IFCHECK = 1,       /* dropped: RTF_IFCHECK and the packet came in elsewhere */
	NSDP_RV_LOCAL_ONLY = 2,    /* dropped: RTF_LOCAL and the packet was received */
};

enum {
	NSDP_A_NEXTHOP_UNSPEC,
	NSDP_A_NEXTHOP_INDEX,      /* u32, key */
	NSDP_A_NEXTHOP_FAMILY,     /* u8 */
	NSDP_A_NEXTHOP_TYPE,       /* u8: enum rnh_type */
	NSDP_A_NEXTHOP_IFL,        /* u32: output / receive ifl, 0 = none */
	NSDP_A_NEXTHOP_ADDR,       /* binary 16: neighbour or local address */
	NSDP_A_NEXTHOP_REFCNT,     /* u32: references (routes and others) */
	NSDP_A_NEXTHOP_PORT,       /* u16: UNICAST: tx port */
	NSDP_A_NEXTHOP_MTU,        /* u16: UNICAST */
	NSDP_A_NEXTHOP_L2_LEN,     /* u8: UNICAST: bytes of the prebuilt L2 header */
	NSDP_A_NEXTHOP_RESOLVER,   /* string: RESOLV: the resolver's name */
	NSDP_A_NEXTHOP_N_IFL,      /* u8: MGROUP / MULTICAST: ifls listed */
	NSDP_A_NEXTHOP_IFL_NAME,   /* string: the ifl's name, when it has one */
	NSDP_A_NEXTHOP_MEMBER,     /* nested, repeated (NSDP_A_NHM_*): MGROUP / MULTICAST list */
	NSDP_A_NEXTHOP_LOCAL,      /* u8 0..1: MULTICAST: the list has the local copy (ifl 0) */
	NSDP_A_NEXTHOP_MAX,
};

#endif
