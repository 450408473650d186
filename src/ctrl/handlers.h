/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handlers.h: the objects the control protocol serves. Each object lives in
 * its own ctrl_<object>.c: one attribute policy per message (policy.c), one
 * handler per message, one registration function listed in handlers.c, one
 * nsctl command. A new object follows the same pattern.
 *
 * Everything here runs on the control thread.
 */
#ifndef NSDP_CTRL_HANDLERS_H
#define NSDP_CTRL_HANDLERS_H

#include <stdint.h>

#include "dataplane/counters.h"
#include "server.h"

/* Offset of attribute @a in the request, for error reports (0 when NULL). */
static inline uint32_t
ctrl_attr_off(const struct ctrl_req *r, const struct nlattr *a)
{
	return a != NULL ? (uint32_t)((const char *)a - (const char *)r->nlh) : 0;
}

/**
 * Refuse every attribute present in @tb whose bit is not in @allowed
 * (bit n = attribute type n): EOPNOTSUPP naming the attribute, which the
 * message carries in replies but a request cannot change.
 * @return 0 or -EOPNOTSUPP with @err set.
 */
int ctrl_only_attrs(const struct ctrl_req *r, const struct nlattr **tb, uint32_t allowed,
		    struct nsdp_err *err);

int ctrl_hello_register(void);
int ctrl_driver_register(void);
int ctrl_port_register(void);
int ctrl_stats_register(void);
int ctrl_monitor_register(void);
int ctrl_ifcfg_register(void);   /* ifd, ifl, iff, ifa (ctrl_ifcfg.c) */
int ctrl_route_register(void);   /* table, route, nexthop (ctrl_route.c) */
int ctrl_neigh_register(void);   /* neighbours (ctrl_neigh.c) */
int ctrl_l2demux_register(void); /* demux show (ctrl_l2demux.c) */
int ctrl_l3demux_register(void); /* demux show: L3 and early demux (ctrl_l3demux.c) */

/**
 * Hand the driver-specific attributes @nest of a request about @port to
 * the port's driver (ctrl_driver.c). Drivers check them fully before they
 * apply anything. Call with the config lock held.
 * @return 0 or -errno with @err set.
 */
int ctrl_driver_port_opaque(uint16_t port, const struct nlmsghdr *nlh, const struct nlattr *nest,
			    struct nsdp_err *err);

/**
 * Compare every port's state and link with what subscribers were last told
 * and send a PORT CHANGE notification for each difference. The control
 * loop calls it after it refreshed links or handled removals. The first
 * call only records the current state.
 */
void ctrl_port_sync(void);

/**
 * Counters of @port as the protocol shows them: the lcores' sums minus the
 * baseline of the last reset (ctrl_stats.c). Telemetry shows raw sums.
 */
void ctrl_stats_read(uint16_t port, struct port_counters *out);

/** Forget every reset baseline (tests). */
void ctrl_stats_clear_baselines(void);

#endif
