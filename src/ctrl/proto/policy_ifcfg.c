/* SPDX-License-Identifier: BSD-3-Clause */
/* policy_ifcfg.c: attribute policies of the interface tree's objects (proto_ifcfg.h). */
#include "policy_def.h"

/* Routing instances are 0..4095 (RT_INST_MAX). */
#define IFCFG_TABLE_MAX 4095

static const struct nsdp_attr_policy ifd_attrs[NSDP_A_IFD_MAX] = {
	[NSDP_A_IFD_NAME] = STR("ifd name", NAME_LEN),
	[NSDP_A_IFD_INDEX] = U32("ifd index", 1, 0),
	[NSDP_A_IFD_DRIVER] = STR("ifd driver", DRIVER_NAME_LEN),
	[NSDP_A_IFD_PORT] = U32("ifd port", 0, PORT_ID_MAX),
	[NSDP_A_IFD_PARENT] = STR("ifd parent", NAME_LEN),
	[NSDP_A_IFD_TYPE] = U8("ifd type", 1, 3),
	[NSDP_A_IFD_ENCAP] = U8("ifd encapsulation", 1, 3),
	[NSDP_A_IFD_MAC] = BIN("ifd mac", 6),
	[NSDP_A_IFD_PERM_MAC] = BIN("ifd permanent mac", 6),
	[NSDP_A_IFD_ADMIN_UP] = U8("ifd admin state", 0, 1),
	[NSDP_A_IFD_MTU] = U32("ifd mtu", 0, 65535),
	[NSDP_A_IFD_LINK_UP] = U8("ifd link", 0, 1),
	[NSDP_A_IFD_SPEED] = U32("ifd speed", 0, 0),
	[NSDP_A_IFD_IFLS] = U32("ifd ifls", 0, 0),
};
static POLICY(ifd_policy, "ifd", ifd_attrs);

static const struct nsdp_attr_policy tag_attrs[NSDP_A_TAG_MAX] = {
	[NSDP_A_TAG_TPID] = U16("tag tpid", 0, 0),
	[NSDP_A_TAG_VID] = U16("tag vlan id", 0, 4095),
};
static POLICY(tag_policy, "tag", tag_attrs);

static const struct nsdp_attr_policy tags_attrs[NSDP_A_TAG_ENTRY + 1] = {
	[NSDP_A_TAG_ENTRY] = NEST_LIST("tag", &tag_policy),
};
static POLICY(tags_policy, "tags", tags_attrs);

static const struct nsdp_attr_policy ifl_attrs[NSDP_A_IFL_MAX] = {
	[NSDP_A_IFL_NAME] = STR("ifl name", NAME_LEN),
	[NSDP_A_IFL_INDEX] = U32("ifl index", 1, 0),
	[NSDP_A_IFL_IFD] = STR("ifl ifd", NAME_LEN),
	[NSDP_A_IFL_PARENT] = STR("ifl parent", NAME_LEN),
	[NSDP_A_IFL_TAGS] = NEST("ifl tags", &tags_policy),
	[NSDP_A_IFL_PPPOE_SESSION] = U16("pppoe session", 0, 0xfffe),
	[NSDP_A_IFL_PPPOE_PEER] = BIN("pppoe peer", 6),
	[NSDP_A_IFL_FLAGS] = U16("ifl flags", 0, 0xf),
	[NSDP_A_IFL_L2ID] = STR("ifl l2 id", NAME_LEN * 2),
	[NSDP_A_IFL_FAMILIES] = U8("ifl families", 0, 7),
	[NSDP_A_IFL_UNIT] = U32("ifl unit", 0, 0),
	[NSDP_A_IFL_PATH] = STR("ifl path", NAME_LEN * 4),
	[NSDP_A_IFL_RX_PACKETS] = U64("ifl rx packets"),
	[NSDP_A_IFL_RX_BYTES] = U64("ifl rx bytes"),
	[NSDP_A_IFL_TX_PACKETS] = U64("ifl tx packets"),
	[NSDP_A_IFL_TX_BYTES] = U64("ifl tx bytes"),
};
static POLICY(ifl_policy, "ifl", ifl_attrs);

static const struct nsdp_attr_policy iff_attrs[NSDP_A_IFF_MAX] = {
	[NSDP_A_IFF_IFL] = STR("iff ifl", NAME_LEN),
	[NSDP_A_IFF_FAMILY] = U8("iff family", 0, 2),
	[NSDP_A_IFF_IFL_INDEX] = U32("iff ifl index", 1, 0),
	[NSDP_A_IFF_TABLE] = U32("iff table", 0, IFCFG_TABLE_MAX),
	[NSDP_A_IFF_MTU] = U16("iff mtu", 0, 0),
	[NSDP_A_IFF_IN_FILTER] = U32("iff input filter", 0, 0),
	[NSDP_A_IFF_OUT_FILTER] = U32("iff output filter", 0, 0),
	[NSDP_A_IFF_CAPS] = U32("iff capabilities", 0, 0),
	[NSDP_A_IFF_ADDRS] = U32("iff addresses", 0, 0),
	[NSDP_A_IFF_NO_LINK_LOCAL] = U8("iff no-link-local", 1, 1),
};
static POLICY(iff_policy, "iff", iff_attrs);

static const struct nsdp_attr_policy ifa_attrs[NSDP_A_IFA_MAX] = {
	[NSDP_A_IFA_IFL] = STR("ifa ifl", NAME_LEN),
	[NSDP_A_IFA_FAMILY] = U8("ifa family", 0, 1),
	[NSDP_A_IFA_IFL_INDEX] = U32("ifa ifl index", 1, 0),
	[NSDP_A_IFA_LOCAL] = BIN("ifa local", 16),
	[NSDP_A_IFA_DEST] = BIN("ifa destination", 16),
	[NSDP_A_IFA_DEST_LEN] = U8("ifa destination length", 0, 128),
};
static POLICY(ifa_policy, "ifa", ifa_attrs);

const struct nsdp_policy *
nsdp_policy_ifcfg(unsigned obj)
{
	switch (obj) {
	case NSDP_OBJ_IFD:
		return &ifd_policy;
	case NSDP_OBJ_IFL:
		return &ifl_policy;
	case NSDP_OBJ_IFF:
		return &iff_policy;
	case NSDP_OBJ_IFA:
		return &ifa_policy;
	default:
		return NULL;
	}
}
