/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifcfg.h: the interface configuration tree (paper 107-944):
 * ifdriver -> ifd -> ifl -> iff -> ifa, added and deleted at run time
 * through each parent's handler; what other modules need of it.
 *
 * The packet path sees one object of the tree: the small struct ifl below,
 * found by ifl_index (ifl_lookup), published under RCU and replaced (never
 * changed in place) when its configuration changes. Everything else is
 * control-only (ifcfg_priv.h) and touched under the config lock.
 *
 * Lock legend: [I] immutable while published, [C] config lock,
 * [R] RCU-published, read by lcores.
 */
#ifndef NSDP_IFCFG_H
#define NSDP_IFCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/l2demux.h"
#include "dataplane/nexthop.h"

struct l2demux;

/* Protocol families of an iff (paper 472-560); values are on the wire. */
enum iff_family {
	IFF_INET = 0,
	IFF_INET6 = 1,
	IFF_BRIDGE = 2,  /* reserved: exclusivity rules enforced, no bridging yet */
	IFF_FAM_MAX,
};

/* ifl flags (paper 393-410); values are on the wire. */
#define IFL_F_LOOPBACK  0x1
#define IFL_F_P2P       0x2  /* point-to-point */
#define IFL_F_NBMA      0x4  /* no broadcast/multicast (instead of IFF_BROADCAST) */
#define IFL_F_LINK_DOWN 0x8  /* an L2 protocol says the ifl is unusable */

#define IFL_NO_PORT 0xffff   /* ifls of pseudo drivers (lo) have no port */

/* Hardware capability flags of an iff (paper 520-528). */
#define IFF_CAP_RX_CKSUM 0x1  /* the port checks L3/L4 checksums */
#define IFF_CAP_TX_CKSUM 0x2  /* the port computes L3/L4 checksums */
#define IFF_CAP_TSO      0x4  /* the port segments TCP */

/* What the packet path knows of one family on an ifl. */
struct ifl_family {
	bool present;               /* an iff of this family exists */
	uint16_t rt_inst;           /* routing instance of input lookups and interface routes */
	uint16_t mtu;               /* family MTU (L3 bytes) */
	uint32_t in_filter;         /* filter indices; 0 = none */
	uint32_t out_filter;
	uint32_t caps;              /* IFF_CAP_* */
	uint8_t bcast_l2_len;       /* broadcast/multicast output: prebuilt L2 header */
	uint8_t bcast_l2[NH_L2_MAX];
};

/*
 * The dataplane view of an ifl. [I]: a change publishes a new copy and the
 * old one is freed after a grace period, so a reader holding one sees a
 * consistent snapshot until its next quiescent state.
 */
struct ifl {
	uint32_t ifl_index;
	uint32_t ifd_index;
	uint16_t port;              /* tx port, IFL_NO_PORT for pseudo interfaces */
	uint16_t flags;             /* IFL_F_* */
	uint32_t stats_slot;        /* counters (dataplane/ifl_stats.h), 0 = none */
	struct ifl_family fam[IFF_FAM_MAX];
};

/**
 * The ifl with @ifl_index, NULL if none (deleted, or never existed). RCU
 * reader (lcore, between quiescent states) or [C]. Never keep the pointer
 * across a quiescent state: keep the index.
 */
const struct ifl *ifl_lookup(uint32_t ifl_index);

/**
 * Set up drivers (one per ethdev driver with ports, plus pseudo drivers)
 * and lo0. Control thread, after ports, nh_init() and rt_init().
 * @return 0 or -errno.
 */
int ifcfg_init(void);
void ifcfg_fini(void);

/**
 * Index of the ifl named @name ("tap0.5"; a bare ifd name means unit 0),
 * 0 if there is none. [C]
 */
uint32_t ifl_index_by_name(const char *name);

/** Name of ifl @ifl_index into @buf. [C] @return 0 or -ENOENT, -ENOSPC. */
int ifl_name(uint32_t ifl_index, char *buf, size_t len);

/** Whether any iff is in routing instance @inst. [C] */
bool ifcfg_inst_in_use(uint16_t inst);

/** The L2 demux table of the ifd named @name, NULL if none. [C] */
struct l2demux *ifd_l2demux_by_name(const char *name);

/**
 * Build the L2 header to send out of ifl @ifl_index to @dst_mac with
 * @ethertype: the ifd's MAC as source, the ifl chain's tags. [C]
 * @return header length, or -ENOENT, -ENOSPC (@len too small),
 *   -EOPNOTSUPP (PPPoE ifls: the PPP output builds its own header).
 * @port receives the tx port.
 */
int ifl_l2_header(uint32_t ifl_index, const uint8_t dst_mac[6], uint16_t ethertype,
		  uint8_t *buf, size_t len, uint16_t *port);

/**
 * A port is going away (device removal): delete the ifd bound to it and
 * everything on it, without touching the device. [C]
 */
void ifcfg_port_removed(uint16_t port);

/*
 * Family input functions. The L2 demux entries an iff installs call a
 * dispatcher that hands each run of frames to the input function
 * registered for its kind; until one is registered, such frames are
 * dropped and counted as no_family_input (so frames configuration asked
 * for are told apart from not_for_us).
 */
enum ifcfg_input {
	IFCFG_INPUT_INET,    /* IPv4 (ethertype 0x0800, PPP 0x0021) */
	IFCFG_INPUT_ARP,     /* ARP (0x0806) on an ifl with an inet iff */
	IFCFG_INPUT_INET6,   /* IPv6 (0x86dd, PPP 0x0057) */
	IFCFG_INPUT_BRIDGE,  /* whole frames of an ifl with a bridge iff */
	IFCFG_INPUT_MAX,
};

/**
 * Register (or with @fn NULL unregister) the input function of @kind.
 * Entries already installed use it from the next burst on. [C]; the
 * caller waits for a grace period before unloading what @arg points to.
 * @return 0 or -EINVAL.
 */
int ifcfg_family_input_register(enum ifcfg_input kind, l2demux_handler_t fn, void *arg);

#endif
