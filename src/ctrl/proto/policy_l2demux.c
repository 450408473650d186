/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_l2demux.c: attribute policies of the l2demux objects. */
#include "policy_def.h"

/* A decoded key: tags, type, session, peer, data bytes (l2key_format). */
#define L2DEMUX_TEXT_LEN 512
#define L2DEMUX_HANDLER_LEN 32

static const struct nsdp_attr_policy l2demux_attrs[NSDP_A_L2DEMUX_MAX] = {
	[NSDP_A_L2DEMUX_IFD] = STR("ifd name", NAME_LEN),
	[NSDP_A_L2DEMUX_PREFIX] = BIN("demux prefix", NSDP_L2DEMUX_PREFIX_LEN),
	[NSDP_A_L2DEMUX_BITS] = U16("demux prefix length", 0, NSDP_L2DEMUX_PREFIX_LEN * 8),
	[NSDP_A_L2DEMUX_TEXT] = STR("demux prefix text", L2DEMUX_TEXT_LEN),
	[NSDP_A_L2DEMUX_IFL_INDEX] = U32("ifl index", 0, 0),
	[NSDP_A_L2DEMUX_HANDLER] = STR("demux handler", L2DEMUX_HANDLER_LEN),
	[NSDP_A_L2DEMUX_STRIP] = U8("strip", 0, 1),
};
static POLICY(l2demux_policy, "l2demux", l2demux_attrs);

static const struct nsdp_attr_policy l3demux_attrs[NSDP_A_L3DEMUX_MAX] = {
	[NSDP_A_L3DEMUX_ID] = U32("demux entry id", 0, 0),
	[NSDP_A_L3DEMUX_KIND] = U8("demux kind", 0, 1),
	[NSDP_A_L3DEMUX_TABLE] = U16("routing instance", 0, 0),
	[NSDP_A_L3DEMUX_IFL] = STR("ifl name", NAME_LEN),
	[NSDP_A_L3DEMUX_FAMILY] = U8("family", 4, 6),
	[NSDP_A_L3DEMUX_PROTO] = U8("IP protocol", 0, 0),
	[NSDP_A_L3DEMUX_DST] = BIN("destination prefix", 16),
	[NSDP_A_L3DEMUX_DST_LEN] = U8("destination prefix length", 0, 128),
	[NSDP_A_L3DEMUX_SRC] = BIN("source prefix", 16),
	[NSDP_A_L3DEMUX_SRC_LEN] = U8("source prefix length", 0, 128),
	[NSDP_A_L3DEMUX_TP] = BIN("transport bytes", 4),
	[NSDP_A_L3DEMUX_TP_MASK] = BIN("transport mask", 4),
	[NSDP_A_L3DEMUX_OWNER] = STR("demux owner", NSDP_L3DEMUX_OWNER_LEN),
	[NSDP_A_L3DEMUX_MATCHES] = U64("matches"),
	[NSDP_A_L3DEMUX_RANK] = U32("rank", 0, 0),
};
static POLICY(l3demux_policy, "l3demux", l3demux_attrs);

const struct nsdp_policy *
nsdp_policy_l2demux(unsigned obj)
{
	if (obj == NSDP_OBJ_L3DEMUX)
		return &l3demux_policy;
	return obj == NSDP_OBJ_L2DEMUX ? &l2demux_policy : NULL;
}
