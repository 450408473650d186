/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * opts.h: the daemon's own options (those after the EAL's "--").
 * opts_parse() is strict: an unknown option, a missing or malformed value,
 * or a value out of range is an error with a message naming the word.
 */
#ifndef NSDP_OPTS_H
#define NSDP_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dataplane/layout.h"
#include "proto/proto.h"

#define OPTS_DEFAULT_WAKE_FACTOR 4
#define OPTS_DEFAULT_RX_DESC 1024
#define OPTS_DEFAULT_TX_DESC 1024
#define OPTS_SOCKET_PATH_MAX 108  /* sizeof(sockaddr_un.sun_path), with the NUL */
#define OPTS_MAX_ALLOWED 16       /* entries in --allow-uid and --allow-gid */
#define OPTS_DEFAULT_ICMP_RATE 1000  /* ICMP errors per second per routing instance */
#define OPTS_DEFAULT_ICMP_BURST 50
#define OPTS_MAX_ICMP_RATE 1000000   /* = IP_ERR_RATE_MAX */
#define OPTS_MAX_ICMP_BURST 100000   /* = IP_ERR_BURST_MAX */

struct nsdp_opts {
	struct layout_req layout;
	unsigned wake_factor;   /* scheduler: wake another worker when backlog > running * factor */
	unsigned mbufs;         /* mbufs in the pool; 0 = sized from the ports */
	unsigned rx_desc;
	unsigned tx_desc;
	unsigned idle_sleep_us; /* rx lcores nap this long after many empty polls; 0 = pure polling */
	bool promisc;           /* put ports in promiscuous mode */
	unsigned icmp_rate;     /* ICMP errors per second per routing instance (0: none) */
	unsigned icmp_burst;    /* and their burst */
	char socket_path[OPTS_SOCKET_PATH_MAX]; /* control socket; default NSDP_SOCK_DEFAULT */
	long socket_group;      /* gid of the control socket file; -1 = the daemon's */
	uid_t allow_uids[OPTS_MAX_ALLOWED]; /* may change configuration, besides root */
	unsigned n_allow_uids;
	gid_t allow_gids[OPTS_MAX_ALLOWED]; /* members may change configuration */
	unsigned n_allow_gids;
	bool help;
};

/** Fill @o with the defaults. */
void opts_defaults(struct nsdp_opts *o);

/**
 * Parse @argc/@argv (argv[0] is not an option). On error @err names the
 * offending word and @o is left with the defaults.
 * @return 0 or -EINVAL.
 */
int opts_parse(struct nsdp_opts *o, int argc, char *const *argv, char *err, size_t errlen);

/** The usage text of the nsdp options. */
const char *opts_usage(void);

/**
 * Parse an lcore list such as "1,3-5" into @out (sorted as written,
 * duplicates rejected). @return the count, or -EINVAL.
 */
int opts_parse_lcore_list(const char *s, uint16_t *out, unsigned max);

/**
 * Parse a list of user (@group false) or group ids such as "0,1000,nsdp":
 * numbers or names known to the system, distinct, at most @max.
 * @return the count, or -EINVAL.
 */
int opts_parse_id_list(const char *s, bool group, unsigned *out, unsigned max);

#endif
