/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proto.h: the nsdp configuration protocol on the wire (docs/protocol.md).
 *
 * Framing is netlink's: a message is a struct nlmsghdr followed by
 * attributes (struct nlattr, 4-byte aligned, nestable). Unlike kernel
 * netlink, EVERY integer on the wire is big-endian (network byte order):
 * the nlmsghdr fields, the nlattr length and type, and integer payloads.
 * Identical configuration therefore produces identical bytes on every
 * architecture (paper 2808-2815). The codec (codec.h) converts headers to
 * host order after receiving and back before sending, so libmnl's host-order
 * helpers build and walk messages in between.
 *
 * Message type = object << 4 | operation. Types below 16 are netlink's
 * control types: NLMSG_ERROR (2) carries errors and acks, NLMSG_DONE (3)
 * ends a dump part, NLMSG_OVERRUN (4) tells a client it lost notifications.
 */
#ifndef NSDP_PROTO_H
#define NSDP_PROTO_H

#include <linux/netlink.h>
#include <stdint.h>

#define NSDP_PROTO_VERSION 1
#define NSDP_SOCK_DEFAULT "/run/nsdp/nsdp.sock"
/* Largest message either side sends or accepts. */
#define NSDP_MSG_MAX 16384

enum nsdp_obj {
	NSDP_OBJ_HELLO = 1,  /* version handshake, must be first */
	NSDP_OBJ_DRIVER,     /* ifdriver */
	NSDP_OBJ_PORT,       /* ethdev port (the ifd layer builds on it) */
	NSDP_OBJ_IFD,
	NSDP_OBJ_IFL,
	NSDP_OBJ_IFF,
	NSDP_OBJ_IFA,
	NSDP_OBJ_TABLE,
	NSDP_OBJ_ROUTE,
	NSDP_OBJ_NEXTHOP,
	NSDP_OBJ_NEIGH,
	NSDP_OBJ_L2DEMUX,
	NSDP_OBJ_L3DEMUX,
	NSDP_OBJ_STATS,
	NSDP_OBJ_MONITOR,    /* subscribe to notification groups */
	NSDP_OBJ_SESSION,    /* application sessions (later) */
	NSDP_OBJ_MAX,
};

enum nsdp_op {
	NSDP_OP_ADD = 1,
	NSDP_OP_CHANGE,
	NSDP_OP_DELETE,
	NSDP_OP_GET,      /* one object by key */
	NSDP_OP_GETNEXT,  /* dump: objects after a key, multi-part, resumable */
	NSDP_OP_RESOLVE,  /* dataplane -> subscriber */
	NSDP_OP_MAX,
};

#define NSDP_MSG_TYPE(obj, op) ((uint16_t)((obj) << 4 | (op)))
#define NSDP_MSG_OBJ(type) ((type) >> 4)
#define NSDP_MSG_OP(type) ((type) & 0xf)

/*
 * Attributes. Each object has its own attribute space; attribute 0 is
 * never used. Types: u8/u16/u32/u64 big-endian, string = NUL-terminated,
 * binary = fixed length, nested = attributes.
 */

/* NLMSG_ERROR payload (also the ack, with errno 0). */
enum {
	NSDP_A_ERR_UNSPEC,
	NSDP_A_ERR_ERRNO,   /* u32: positive errno, 0 = success */
	NSDP_A_ERR_MSG,     /* string: what a person should fix */
	NSDP_A_ERR_OFFSET,  /* u32: byte offset of the offending attribute in the request */
	NSDP_A_ERR_MAX,
};

/* NLMSG_DONE payload of a dump part. */
enum {
	NSDP_A_DONE_UNSPEC,
	NSDP_A_DONE_MORE,   /* u8: 1 if the dump is not complete; resume with GETNEXT after NSDP_A_DONE_LAST */
	NSDP_A_DONE_LAST,   /* nested: the key attributes of the last object sent */
	NSDP_A_DONE_COUNT,  /* u32: objects in this part */
	NSDP_A_DONE_MAX,
};

enum {
	NSDP_A_HELLO_UNSPEC,
	NSDP_A_HELLO_VERSION,   /* u32, mandatory */
	NSDP_A_HELLO_NAME,      /* string: client or server name and version */
	NSDP_A_HELLO_MAX_MSG,   /* u32: largest message the sender accepts */
	NSDP_A_HELLO_MAX,
};

enum {
	NSDP_A_DRIVER_UNSPEC,
	NSDP_A_DRIVER_NAME,     /* string, key */
	NSDP_A_DRIVER_PORTS,    /* u32: ports driven */
	NSDP_A_DRIVER_OPAQUE,   /* nested: driver-specific, checked for syntax only */
	NSDP_A_DRIVER_DPDK,     /* string: the ethdev driver ("net_tap"); absent for pseudo drivers */
	NSDP_A_DRIVER_PSEUDO,   /* u8: 1 for hardware-less drivers (lo) */
	NSDP_A_DRIVER_DESCR,    /* string: what the driver is for */
	NSDP_A_DRIVER_IFDS,     /* u32: ifds added on it */
	NSDP_A_DRIVER_INSTANCES,/* nested: NSDP_A_INSTANCE_ENTRY... (its hardware) */
	NSDP_A_DRIVER_MAX,
};

/* One instance of a driver: a port it drives. */
enum {
	NSDP_A_INSTANCE_UNSPEC,
	NSDP_A_INSTANCE_ENTRY,  /* nested: PORT, MAC, IFD */
	NSDP_A_INSTANCE_PORT,   /* u32 */
	NSDP_A_INSTANCE_MAC,    /* binary 6: the hardware address */
	NSDP_A_INSTANCE_IFD,    /* string: the ifd bound to it, if any */
	NSDP_A_INSTANCE_MAX,
};

enum {
	NSDP_A_PORT_UNSPEC,
	NSDP_A_PORT_ID,         /* u32, key */
	NSDP_A_PORT_NAME,       /* string */
	NSDP_A_PORT_DRIVER,     /* string */
	NSDP_A_PORT_MAC,        /* binary, 6 bytes */
	NSDP_A_PORT_STATE,      /* u8: enum port_state */
	NSDP_A_PORT_LINK_UP,    /* u8 */
	NSDP_A_PORT_SPEED,      /* u32: Mb/s */
	NSDP_A_PORT_NB_RXQ,     /* u16 */
	NSDP_A_PORT_NB_TXQ,     /* u16 */
	NSDP_A_PORT_RSS,        /* u8 */
	NSDP_A_PORT_OPAQUE,     /* nested: driver-specific, checked for syntax only */
	NSDP_A_PORT_MAX,
};

enum {
	NSDP_A_STATS_UNSPEC,
	NSDP_A_STATS_PORT,      /* u32, key */
	NSDP_A_STATS_RX_PACKETS,/* u64 */
	NSDP_A_STATS_RX_BYTES,  /* u64 */
	NSDP_A_STATS_TX_PACKETS,/* u64 */
	NSDP_A_STATS_TX_BYTES,  /* u64 */
	NSDP_A_STATS_DROPS,     /* nested: NSDP_A_DROP_ENTRY... */
	NSDP_A_STATS_RESET,     /* u8 flag in a CHANGE request: zero the port's counters */
	NSDP_A_STATS_MAX,
};

enum {
	NSDP_A_DROP_UNSPEC,
	NSDP_A_DROP_ENTRY,      /* nested: NAME + COUNT */
	NSDP_A_DROP_NAME,       /* string */
	NSDP_A_DROP_COUNT,      /* u64 */
	NSDP_A_DROP_MAX,
};

/* Notification groups a client subscribes to (MONITOR ADD / DELETE). */
enum {
	NSDP_A_MONITOR_UNSPEC,
	NSDP_A_MONITOR_GROUPS,  /* u32 bit mask of 1 << enum nsdp_obj */
	NSDP_A_MONITOR_MAX,
};

/*
 * The attributes of the interface tree, the route tables and the demux
 * tables, one header per area.
 */
#include "proto_ifcfg.h"
#include "proto_route.h"
#include "proto_neigh.h"
#include "proto_l2demux.h"

#endif
