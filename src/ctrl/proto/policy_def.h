/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policy_def.h: the shorthands the policy tables are written in, shared by
 * policy.c and the per-area policy files (policy_<area>.c), and the lookup
 * each area provides.
 */
#ifndef NSDP_POLICY_DEF_H
#define NSDP_POLICY_DEF_H

#include "codec.h"

/* Longest names, with their NUL (DPDK: RTE_ETH_NAME_MAX_LEN is 64). */
#define NAME_LEN 64
#define DRIVER_NAME_LEN 32
#define ERR_MSG_LEN 256
/* ethdev port ids are 16 bits; 0xffff means "no port" in DPDK. */
#define PORT_ID_MAX 0xfffe
/* RTE_MAX_QUEUES_PER_PORT of a default DPDK build. */
#define QUEUES_MAX 1024
/* errno values are below 4096 (Linux MAX_ERRNO). */
#define ERRNO_MAX 4095
#define HELLO_MAX_MSG_MIN 1024

/* One line per kind reads better than braces on three lines. */
// clang-format off
#define U8(n, lo, hi) { .name = (n), .kind = NSDP_AK_U8, .min = (lo), .max = (hi) }
#define U16(n, lo, hi) { .name = (n), .kind = NSDP_AK_U16, .min = (lo), .max = (hi) }
#define U32(n, lo, hi) { .name = (n), .kind = NSDP_AK_U32, .min = (lo), .max = (hi) }
#define U64(n) { .name = (n), .kind = NSDP_AK_U64 }
#define STR(n, l) { .name = (n), .kind = NSDP_AK_STRING, .len = (l) }
#define BIN(n, l) { .name = (n), .kind = NSDP_AK_BINARY, .len = (l) }
#define NEST(n, p) { .name = (n), .kind = NSDP_AK_NESTED, .nested = (p) }
#define NEST_LIST(n, p) { .name = (n), .kind = NSDP_AK_NESTED, .nested = (p), .multi = true }
#define OPAQUE(n) { .name = (n), .kind = NSDP_AK_OPAQUE }
// clang-format on

#define POLICY(var, objname, table)                                \
	const struct nsdp_policy var = {                           \
		.name = (objname),                                 \
		.maxattr = sizeof(table) / sizeof((table)[0]) - 1, \
		.attrs = (table),                                  \
	}


/* Each area's policy by object, NULL for objects it does not own. */
const struct nsdp_policy *nsdp_policy_ifcfg(unsigned obj);
const struct nsdp_policy *nsdp_policy_route(unsigned obj);
const struct nsdp_policy *nsdp_policy_neigh(unsigned obj);
const struct nsdp_policy *nsdp_policy_l2demux(unsigned obj);

#endif
