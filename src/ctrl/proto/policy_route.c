/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_route.c: attribute policies of the route objects (TABLE, ROUTE, NEXTHOP). */
#include "policy_def.h"

/* RT_INST_MAX - 1 (dataplane/route.h); the protocol's range. */
#define TABLE_ID_MAX 4095
/* enum rtt: user .. local; enum rnh_type: reject .. dead. */
#define RTT_LAST 10
#define RNH_LAST 13

static const struct nsdp_attr_policy table_attrs[NSDP_A_TABLE_MAX] = {
	[NSDP_A_TABLE_ID] = U32("table id", 0, TABLE_ID_MAX),
	[NSDP_A_TABLE_ROUTES4] = U64("ipv4 routes"),
	[NSDP_A_TABLE_ROUTES6] = U64("ipv6 routes"),
	[NSDP_A_TABLE_FIB_BYTES4] = U64("ipv4 fib bytes"),
	[NSDP_A_TABLE_FIB_BYTES6] = U64("ipv6 fib bytes"),
	[NSDP_A_TABLE_FIB_PREFIXES4] = U64("ipv4 fib prefixes"),
	[NSDP_A_TABLE_FIB_PREFIXES6] = U64("ipv6 fib prefixes"),
};
static POLICY(table_policy, "table", table_attrs);

static const struct nsdp_attr_policy nh_member_attrs[NSDP_A_NHM_MAX] = {
	[NSDP_A_NHM_NAME] = STR("member ifl name", NAME_LEN),
	[NSDP_A_NHM_IFL] = U32("member ifl", 0, 0),
};
static POLICY(nh_member_policy, "next-hop member", nh_member_attrs);

#define ROUTE_ATTRS                                                        \
	[NSDP_A_ROUTE_TABLE] = U32("table", 0, TABLE_ID_MAX),              \
	[NSDP_A_ROUTE_FAMILY] = U8("family", 4, 6),                        \
	[NSDP_A_ROUTE_DST] = BIN("destination", 16),                       \
	[NSDP_A_ROUTE_DST_LEN] = U8("destination length", 0, 128),         \
	[NSDP_A_ROUTE_SRC] = BIN("source", 16),                            \
	[NSDP_A_ROUTE_SRC_LEN] = U8("source length", 0, 128),              \
	[NSDP_A_ROUTE_TYPE] = U8("route type", 1, RTT_LAST),               \
	[NSDP_A_ROUTE_FLAGS] = U16("route flags", 0, 7),                   \
	[NSDP_A_ROUTE_IFL] = U32("route ifl", 0, 0),                       \
	[NSDP_A_ROUTE_NH_TYPE] = U8("next-hop type", 1, RNH_LAST),         \
	[NSDP_A_ROUTE_GATEWAY] = BIN("gateway", 16),                       \
	[NSDP_A_ROUTE_DEV] = STR("dev", NAME_LEN),                         \
	[NSDP_A_ROUTE_NH_INDEX] = U32("next-hop index", 0, 0),             \
	[NSDP_A_ROUTE_IIF] = STR("incoming ifl", NAME_LEN),                \
	[NSDP_A_ROUTE_VERDICT] = U8("verdict", 0, 2),                      \
	[NSDP_A_ROUTE_DUMP_TABLE] = U32("dump table", 0, TABLE_ID_MAX),    \
	[NSDP_A_ROUTE_DUMP_FAMILY] = U8("dump family", 4, 6),              \
	[NSDP_A_ROUTE_NH_IFL] = U32("next-hop ifl", 0, 0),                 \
	[NSDP_A_ROUTE_IFL_NAME] = STR("route ifl name", NAME_LEN),         \
	[NSDP_A_ROUTE_NH_MEMBER] = NEST_LIST("next-hop member", &nh_member_policy), \
	[NSDP_A_ROUTE_NH_LOCAL] = U8("next-hop local copy", 0, 1)

static const struct nsdp_attr_policy route_entry_attrs[NSDP_A_ROUTE_MAX] = {
	ROUTE_ATTRS,
};
static POLICY(route_entry_policy, "route entry", route_entry_attrs);

static const struct nsdp_attr_policy route_attrs[NSDP_A_ROUTE_MAX] = {
	ROUTE_ATTRS,
	[NSDP_A_ROUTE_ENTRY] = NEST_LIST("route entry", &route_entry_policy),
};
static POLICY(route_policy, "route", route_attrs);

static const struct nsdp_attr_policy nexthop_attrs[NSDP_A_NEXTHOP_MAX] = {
	[NSDP_A_NEXTHOP_INDEX] = U32("next-hop index", 0, 0),
	[NSDP_A_NEXTHOP_FAMILY] = U8("family", 4, 6),
	[NSDP_A_NEXTHOP_TYPE] = U8("next-hop type", 1, RNH_LAST),
	[NSDP_A_NEXTHOP_IFL] = U32("ifl", 0, 0),
	[NSDP_A_NEXTHOP_ADDR] = BIN("address", 16),
	[NSDP_A_NEXTHOP_REFCNT] = U32("references", 0, 0),
	[NSDP_A_NEXTHOP_PORT] = U16("port", 0, PORT_ID_MAX),
	[NSDP_A_NEXTHOP_MTU] = U16("mtu", 0, 0),
	[NSDP_A_NEXTHOP_L2_LEN] = U8("l2 header length", 0, 0),
	[NSDP_A_NEXTHOP_RESOLVER] = STR("resolver", NAME_LEN),
	[NSDP_A_NEXTHOP_N_IFL] = U8("ifl count", 0, 0),
	[NSDP_A_NEXTHOP_IFL_NAME] = STR("ifl name", NAME_LEN),
	[NSDP_A_NEXTHOP_MEMBER] = NEST_LIST("next-hop member", &nh_member_policy),
	[NSDP_A_NEXTHOP_LOCAL] = U8("local copy", 0, 1),
};
static POLICY(nexthop_policy, "nexthop", nexthop_attrs);

const struct nsdp_policy *
nsdp_policy_route(unsigned obj)
{
	switch (obj) {
	case NSDP_OBJ_TABLE:
		return &table_policy;
	case NSDP_OBJ_ROUTE:
		return &route_policy;
	case NSDP_OBJ_NEXTHOP:
		return &nexthop_policy;
	default:
		return NULL;
	}
}
