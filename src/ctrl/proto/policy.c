/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policy.c: the attribute policy of every object that has attributes
 * (proto.h), the tables nsdp_parse() checks messages against. The ranges
 * here are the protocol's (docs/protocol.md "Objects and attributes");
 * what a given dataplane supports (its number of ports, queues) is checked
 * by the handlers' semantic pass.
 *
 * Objects without a policy (ifd, ifl, ...) are not served yet:
 * nsdp_msg_policy() returns NULL for them.
 */
#include "codec.h"

#include "policy_def.h"

static const struct nsdp_attr_policy error_attrs[NSDP_A_ERR_MAX] = {
	[NSDP_A_ERR_ERRNO] = U32("errno", 0, ERRNO_MAX),
	[NSDP_A_ERR_MSG] = STR("error message", ERR_MSG_LEN),
	[NSDP_A_ERR_OFFSET] = U32("error offset", 0, NSDP_MSG_MAX),
};
static POLICY(error_policy, "error", error_attrs);

/* NSDP_A_DONE_LAST holds the key attributes of the dumped object: the
 * client parses it with that object's policy (nsdp_parse_nested). */
static const struct nsdp_attr_policy done_attrs[NSDP_A_DONE_MAX] = {
	[NSDP_A_DONE_MORE] = U8("more", 0, 1),
	[NSDP_A_DONE_LAST] = OPAQUE("last key"),
	[NSDP_A_DONE_COUNT] = U32("count", 0, 0),
};
static POLICY(done_policy, "done", done_attrs);

/* NLMSG_OVERRUN carries nothing. */
static const struct nsdp_attr_policy overrun_attrs[1] = { { 0 } };
static POLICY(overrun_policy, "overrun", overrun_attrs);

static const struct nsdp_attr_policy hello_attrs[NSDP_A_HELLO_MAX] = {
	[NSDP_A_HELLO_VERSION] = U32("version", 1, 0),
	[NSDP_A_HELLO_NAME] = STR("name", NAME_LEN),
	[NSDP_A_HELLO_MAX_MSG] = U32("max message size", HELLO_MAX_MSG_MIN, 0),
};
static POLICY(hello_policy, "hello", hello_attrs);

static const struct nsdp_attr_policy instance_attrs[NSDP_A_INSTANCE_MAX] = {
	[NSDP_A_INSTANCE_PORT] = U32("instance port", 0, PORT_ID_MAX),
	[NSDP_A_INSTANCE_MAC] = BIN("instance mac", 6),
	[NSDP_A_INSTANCE_IFD] = STR("instance ifd", NAME_LEN),
};
static POLICY(instance_policy, "instance", instance_attrs);

static const struct nsdp_attr_policy instances_attrs[NSDP_A_INSTANCE_ENTRY + 1] = {
	[NSDP_A_INSTANCE_ENTRY] = NEST_LIST("instance", &instance_policy),
};
static POLICY(instances_policy, "instances", instances_attrs);

static const struct nsdp_attr_policy driver_attrs[NSDP_A_DRIVER_MAX] = {
	[NSDP_A_DRIVER_NAME] = STR("driver name", DRIVER_NAME_LEN),
	[NSDP_A_DRIVER_PORTS] = U32("ports", 0, 0),
	[NSDP_A_DRIVER_OPAQUE] = OPAQUE("driver opaque"),
	[NSDP_A_DRIVER_DPDK] = STR("ethdev driver", DRIVER_NAME_LEN),
	[NSDP_A_DRIVER_PSEUDO] = U8("pseudo", 0, 1),
	[NSDP_A_DRIVER_DESCR] = STR("driver description", NAME_LEN),
	[NSDP_A_DRIVER_IFDS] = U32("driver ifds", 0, 0),
	[NSDP_A_DRIVER_INSTANCES] = NEST("driver instances", &instances_policy),
};
static POLICY(driver_policy, "driver", driver_attrs);

static const struct nsdp_attr_policy port_attrs[NSDP_A_PORT_MAX] = {
	[NSDP_A_PORT_ID] = U32("port id", 0, PORT_ID_MAX),
	[NSDP_A_PORT_NAME] = STR("port name", NAME_LEN),
	[NSDP_A_PORT_DRIVER] = STR("port driver", DRIVER_NAME_LEN),
	[NSDP_A_PORT_MAC] = BIN("mac", 6),
	/* enum port_state: unused, started, removing, closed. */
	[NSDP_A_PORT_STATE] = U8("state", 0, 3),
	[NSDP_A_PORT_LINK_UP] = U8("link up", 0, 1),
	[NSDP_A_PORT_SPEED] = U32("speed", 0, 0),
	[NSDP_A_PORT_NB_RXQ] = U16("rx queues", 1, QUEUES_MAX),
	[NSDP_A_PORT_NB_TXQ] = U16("tx queues", 1, QUEUES_MAX),
	[NSDP_A_PORT_RSS] = U8("rss", 0, 1),
	[NSDP_A_PORT_OPAQUE] = OPAQUE("port opaque"),
};
static POLICY(port_policy, "port", port_attrs);

static const struct nsdp_attr_policy drop_entry_attrs[NSDP_A_DROP_MAX] = {
	[NSDP_A_DROP_NAME] = STR("drop name", NAME_LEN),
	[NSDP_A_DROP_COUNT] = U64("drop count"),
};
static POLICY(drop_entry_policy, "drop entry", drop_entry_attrs);

static const struct nsdp_attr_policy drops_attrs[NSDP_A_DROP_ENTRY + 1] = {
	[NSDP_A_DROP_ENTRY] = NEST_LIST("drop entry", &drop_entry_policy),
};
static POLICY(drops_policy, "drops", drops_attrs);

static const struct nsdp_attr_policy stats_attrs[NSDP_A_STATS_MAX] = {
	[NSDP_A_STATS_PORT] = U32("port id", 0, PORT_ID_MAX),
	[NSDP_A_STATS_RX_PACKETS] = U64("rx packets"),
	[NSDP_A_STATS_RX_BYTES] = U64("rx bytes"),
	[NSDP_A_STATS_TX_PACKETS] = U64("tx packets"),
	[NSDP_A_STATS_TX_BYTES] = U64("tx bytes"),
	[NSDP_A_STATS_DROPS] = NEST("drops", &drops_policy),
	[NSDP_A_STATS_RESET] = U8("reset", 0, 1),
};
static POLICY(stats_policy, "stats", stats_attrs);

static const struct nsdp_attr_policy monitor_attrs[NSDP_A_MONITOR_MAX] = {
	[NSDP_A_MONITOR_GROUPS] = U32("groups", 0, (1u << NSDP_OBJ_MAX) - 1),
};
static POLICY(monitor_policy, "monitor", monitor_attrs);

const struct nsdp_policy *
nsdp_msg_policy(uint16_t type)
{
	switch (type) {
	case NLMSG_ERROR:
		return &error_policy;
	case NLMSG_DONE:
		return &done_policy;
	case NLMSG_OVERRUN:
		return &overrun_policy;
	}
	if (type < NLMSG_MIN_TYPE)
		return NULL;
	switch (NSDP_MSG_OBJ(type)) {
	case NSDP_OBJ_HELLO:
		return &hello_policy;
	case NSDP_OBJ_DRIVER:
		return &driver_policy;
	case NSDP_OBJ_PORT:
		return &port_policy;
	case NSDP_OBJ_STATS:
		return &stats_policy;
	case NSDP_OBJ_MONITOR:
		return &monitor_policy;
	default:
		break;
	}
	{
		const struct nsdp_policy *p;

		p = nsdp_policy_ifcfg(NSDP_MSG_OBJ(type));
		if (p == NULL)
			p = nsdp_policy_route(NSDP_MSG_OBJ(type));
		if (p == NULL)
			p = nsdp_policy_neigh(NSDP_MSG_OBJ(type));
		if (p == NULL)
			p = nsdp_policy_l2demux(NSDP_MSG_OBJ(type));
		return p;
	}
}
