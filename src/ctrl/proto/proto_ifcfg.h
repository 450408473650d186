/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto_ifcfg.h: attributes of the interface tree's objects, IFD, IFL, IFF
 * and IFA (included by proto.h; docs/protocol.md "IFD (4)" onwards).
 *
 * Keys: an ifd by NAME (GET, ADD, CHANGE, DELETE) or INDEX (dumps resume
 * after an index); an ifl likewise; an iff by its ifl (NAME or INDEX; a
 * name without '.' means unit 0) and FAMILY; an ifa by its iff and its
 * addresses (LOCAL and/or DEST with DEST_LEN). Addresses are 16 bytes:
 * IPv4 in the first 4, the rest zero.
 */
#ifndef NSDP_PROTO_IFCFG_H
#define NSDP_PROTO_IFCFG_H

enum {
	NSDP_A_IFD_UNSPEC,
	NSDP_A_IFD_NAME,        /* string, key: "tap0", "tap0:1" */
	NSDP_A_IFD_INDEX,       /* u32: ifd_index (dump key) */
	NSDP_A_IFD_DRIVER,      /* string: ifdriver name */
	NSDP_A_IFD_PORT,        /* u32: the driver instance (ethdev port) */
	NSDP_A_IFD_PARENT,      /* string: parent ifd of a channel ifd */
	NSDP_A_IFD_TYPE,        /* u8: 1 ethernet, 2 loopback, 3 channel */
	NSDP_A_IFD_ENCAP,       /* u8: 1 ethernet, 2 loopback, 3 channel */
	NSDP_A_IFD_MAC,         /* binary 6: data link address (changeable) */
	NSDP_A_IFD_PERM_MAC,    /* binary 6: the hardware's address */
	NSDP_A_IFD_ADMIN_UP,    /* u8 */
	NSDP_A_IFD_MTU,         /* u32 */
	NSDP_A_IFD_LINK_UP,     /* u8: from the PMD (and admin state) */
	NSDP_A_IFD_SPEED,       /* u32: Mb/s */
	NSDP_A_IFD_IFLS,        /* u32: ifls configured on it */
	NSDP_A_IFD_MAX,
};

enum {
	NSDP_A_TAG_UNSPEC,
	NSDP_A_TAG_ENTRY,       /* nested: TPID + VID, outermost first */
	NSDP_A_TAG_TPID,        /* u16: 0x8100, 0x88a8, 0x9100 */
	NSDP_A_TAG_VID,         /* u16: 1..4094 */
	NSDP_A_TAG_MAX,
};

enum {
	NSDP_A_IFL_UNSPEC,
	NSDP_A_IFL_NAME,        /* string, key: "tap0.100" */
	NSDP_A_IFL_INDEX,       /* u32: ifl_index (dump key) */
	NSDP_A_IFL_IFD,         /* string: the ifd at the root */
	NSDP_A_IFL_PARENT,      /* string: parent ifd or ifl */
	NSDP_A_IFL_TAGS,        /* nested: NSDP_A_TAG_ENTRY... (its own L2_ID) */
	NSDP_A_IFL_PPPOE_SESSION, /* u16: PPPoE session L2_ID */
	NSDP_A_IFL_PPPOE_PEER,  /* binary 6: the PPPoE peer's address */
	NSDP_A_IFL_FLAGS,       /* u16: 1 loopback, 2 point-to-point, 4 NBMA, 8 link-down */
	NSDP_A_IFL_L2ID,        /* string: the L2_ID for people (replies) */
	NSDP_A_IFL_FAMILIES,    /* u8: bit per family with an iff (replies) */
	NSDP_A_IFL_UNIT,        /* u32 (replies) */
	NSDP_A_IFL_PATH,        /* string: the whole chain's L2 key for people (replies) */
	NSDP_A_IFL_RX_PACKETS,  /* u64: packets received, all families (replies) */
	NSDP_A_IFL_RX_BYTES,    /* u64 (replies) */
	NSDP_A_IFL_TX_PACKETS,  /* u64: packets sent, all families (replies) */
	NSDP_A_IFL_TX_BYTES,    /* u64 (replies) */
	NSDP_A_IFL_MAX,
};

enum {
	NSDP_A_IFF_UNSPEC,
	NSDP_A_IFF_IFL,         /* string, key (with FAMILY) */
	NSDP_A_IFF_FAMILY,      /* u8, key: 0 inet, 1 inet6, 2 bridge */
	NSDP_A_IFF_IFL_INDEX,   /* u32: the ifl by index (dump key with FAMILY) */
	NSDP_A_IFF_TABLE,       /* u32: routing instance */
	NSDP_A_IFF_MTU,         /* u16: family MTU; 0 in a CHANGE = follow the ifd */
	NSDP_A_IFF_IN_FILTER,   /* u32: filter index, 0 = none */
	NSDP_A_IFF_OUT_FILTER,  /* u32 */
	NSDP_A_IFF_CAPS,        /* u32: 1 rx checksum, 2 tx checksum, 4 TSO (replies) */
	NSDP_A_IFF_ADDRS,       /* u32: ifas on it (replies) */
	NSDP_A_IFF_NO_LINK_LOCAL, /* u8 1, inet6 ADD only: no fe80::/64 EUI-64 link-local ifa */
	NSDP_A_IFF_MAX,
};

enum {
	NSDP_A_IFA_UNSPEC,
	NSDP_A_IFA_IFL,         /* string: the iff's ifl */
	NSDP_A_IFA_FAMILY,      /* u8: the iff's family (0 inet, 1 inet6) */
	NSDP_A_IFA_IFL_INDEX,   /* u32: the iff's ifl by index (dump key) */
	NSDP_A_IFA_LOCAL,       /* binary 16: local address */
	NSDP_A_IFA_DEST,        /* binary 16: destination address or prefix */
	NSDP_A_IFA_DEST_LEN,    /* u8: destination prefix length (with DEST) */
	NSDP_A_IFA_MAX,
};

#endif
