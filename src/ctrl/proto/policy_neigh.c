/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_neigh.c: attribute policy of the NEIGH object. */
#include "policy_def.h"

/* RT_INST_MAX - 1 (dataplane/route.h); the protocol's range. */
#define TABLE_ID_MAX 4095

static const struct nsdp_attr_policy neigh_attrs[NSDP_A_NEIGH_MAX] = {
	[NSDP_A_NEIGH_FAMILY] = U8("family", 4, 6),
	[NSDP_A_NEIGH_ADDR] = BIN("address", 16),
	[NSDP_A_NEIGH_LLADDR] = BIN("lladdr", 6),
	[NSDP_A_NEIGH_DEV] = STR("dev", NAME_LEN),
	[NSDP_A_NEIGH_IFL] = U32("ifl", 0, 0),
	[NSDP_A_NEIGH_TABLE] = U32("table", 0, TABLE_ID_MAX),
	[NSDP_A_NEIGH_STATE] = U8("state", 1, 7),
	[NSDP_A_NEIGH_FLAGS] = U8("flags", 0, 1),
	[NSDP_A_NEIGH_AGE_MS] = U64("age"),
	[NSDP_A_NEIGH_PROBES] = U32("probes", 0, 0),
	[NSDP_A_NEIGH_NH_INDEX] = U32("next-hop index", 0, 0),
	[NSDP_A_NEIGH_HELD] = U32("held", 0, 0),
	[NSDP_A_NEIGH_REQUESTS_SENT] = U64("requests sent"),
	[NSDP_A_NEIGH_REQUESTS_RCVD] = U64("requests received"),
	[NSDP_A_NEIGH_REPLIES_SENT] = U64("replies sent"),
	[NSDP_A_NEIGH_REPLIES_RCVD] = U64("replies received"),
	[NSDP_A_NEIGH_RESOLVED] = U64("resolved"),
	[NSDP_A_NEIGH_FAILED] = U64("failed"),
	[NSDP_A_NEIGH_HELD_TOTAL] = U64("held total"),
	[NSDP_A_NEIGH_HOLD_DROPPED] = U64("hold dropped"),
	[NSDP_A_NEIGH_GRATUITOUS] = U64("gratuitous sent"),
	[NSDP_A_NEIGH_ENTRIES] = U64("entries"),
	[NSDP_A_NEIGH_REACHABLE_MS] = U32("reachable time", 1, 3600000),
	[NSDP_A_NEIGH_RETRANS_MS] = U32("retransmission time", 1, 3600000),
	[NSDP_A_NEIGH_RETRANS_MAX_MS] = U32("retransmission backoff cap", 1, 3600000),
	[NSDP_A_NEIGH_DELAY_MS] = U32("delay time", 1, 3600000),
	[NSDP_A_NEIGH_STALE_MS] = U32("stale time", 0, 86400000),
	[NSDP_A_NEIGH_FAILED_MS] = U32("failed hold-down", 1, 3600000),
	[NSDP_A_NEIGH_MCAST_PROBES] = U32("multicast probes", 1, 100),
	[NSDP_A_NEIGH_UCAST_PROBES] = U32("unicast probes", 1, 100),
	[NSDP_A_NEIGH_HOLD_MAX] = U32("hold queue", 1, 64),
};
static POLICY(neigh_policy, "neigh", neigh_attrs);

const struct nsdp_policy *
nsdp_policy_neigh(unsigned obj)
{
	return obj == NSDP_OBJ_NEIGH ? &neigh_policy : NULL;
}
