/* SPDX-License-Identifier: BSD-3-Clause */
/* opts.c: parsing of the daemon's own command-line options. */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static const char usage[] =
	"nsdp [EAL options] -- [nsdp options]\n"
	"\n"
	"  --rx-lcores LIST      lcores that poll ports (e.g. 1,2 or 1-3)\n"
	"  --worker-lcores LIST  lcores that drain service queues\n"
	"                        default: the last non-main lcore works, the others poll\n"
	"  --rxq N               rx queues per port, spread by RSS (default 1, max 64)\n"
	"  --rx-map P:Q@L,...    place rx queue Q of port P on lcore L explicitly\n"
	"  --wake-factor N       wake another worker when ready queues > N x running (default 4)\n"
	"  --mbufs N             mbufs in the packet pool (default: sized from the ports)\n"
	"  --rx-desc N           rx descriptors per queue (default 1024)\n"
	"  --tx-desc N           tx descriptors per queue (default 1024)\n"
"  --rx-idle-sleep USEC  rx lcores sleep USEC after 256 empty polls (default 0:\n"
	"                        poll without pause; use on shared or small machines)\n"
	"  --icmp-ratelimit PPS[/BURST]  ICMP errors sent per second and burst, per\n"
	"                        routing instance (default 1000/50; 0: none)\n"
	"  --promisc             put every port in promiscuous mode\n"
	"  --socket PATH         control socket (default " NSDP_SOCK_DEFAULT ")\n"
	"  --socket-group GROUP  group (name or gid) owning the socket, mode 0660\n"
	"  --allow-uid LIST      users (names or uids) that may change configuration;\n"
	"                        root always may, anybody who can connect may read\n"
	"  --allow-gid LIST      groups (names or gids) whose members may change it\n"
	"  -h, --help            this text\n";

const char *
opts_usage(void)
{
	return usage;
}

void
opts_defaults(struct nsdp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wake_factor = OPTS_DEFAULT_WAKE_FACTOR;
	o->rx_desc = OPTS_DEFAULT_RX_DESC;
	o->tx_desc = OPTS_DEFAULT_TX_DESC;
	snprintf(o->socket_path, sizeof(o->socket_path), "%s", NSDP_SOCK_DEFAULT);
	o->socket_group = -1;
	o->icmp_rate = OPTS_DEFAULT_ICMP_RATE;
	o->icmp_burst = OPTS_DEFAULT_ICMP_BURST;
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Strict unsigned decimal in [lo, hi]; @end receives the first unparsed char. */
static int
parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out, const char **end)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > hi)
			return -ERANGE;
		p++;
	}
	if (v < lo)
		return -ERANGE;
	*out = v;
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return -EINVAL;
	return 0;
}

int
opts_parse_lcore_list(const char *s, uint16_t *out, unsigned max)
{
	unsigned n = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (;;) {
		unsigned long a, b;

		if (parse_uint(p, 0, RTE_MAX_LCORE - 1, &a, &p) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (parse_uint(p, 0, RTE_MAX_LCORE - 1, &b, &p) < 0 || b < a)
				return -EINVAL;
		}
		for (unsigned long v = a; v <= b; v++) {
			for (unsigned i = 0; i < n; i++)
				if (out[i] == v)
					return -EINVAL;
			if (n >= max)
				return -EINVAL;
			out[n++] = (uint16_t)v;
		}
		if (*p == '\0')
			return (int)n;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
}

/* One user or group: a number below 2^32 - 1 ((uid_t)-1 means "none"), or a known name. */
static int
parse_id(const char *s, size_t len, bool group, unsigned *out)
{
	char name[LOGIN_NAME_MAX + 1], buf[4096];
	unsigned long v;
	int rc;

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, s, len);
	name[len] = '\0';
	if (name[0] >= '0' && name[0] <= '9') {
		if (parse_uint(name, 0, 0xfffffffeUL, &v, NULL) < 0)
			return -EINVAL;
		*out = (unsigned)v;
		return 0;
	}
	if (group) {
		struct group g, *gp = NULL;

		rc = getgrnam_r(name, &g, buf, sizeof(buf), &gp);
		if (rc != 0 || gp == NULL)
			return -EINVAL;
		*out = gp->gr_gid;
	} else {
		struct passwd p, *pp = NULL;

		rc = getpwnam_r(name, &p, buf, sizeof(buf), &pp);
		if (rc != 0 || pp == NULL)
			return -EINVAL;
		*out = pp->pw_uid;
	}
	return 0;
}

int
opts_parse_id_list(const char *s, bool group, unsigned *out, unsigned max)
{
	unsigned n = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		unsigned id;

		if (n >= max || parse_id(s, len, group, &id) < 0)
			return -EINVAL;
		for (unsigned i = 0; i < n; i++)
			if (out[i] == id)
				return -EINVAL;
		out[n++] = id;
		if (comma == NULL)
			return (int)n;
		s = comma + 1;
	}
}

static int
parse_rx_map(const char *s, struct layout_req *r)
{
	const char *p = s;

	if (*p == '\0')
		return -EINVAL;
	for (;;) {
		unsigned long port, queue, lcore;

		if (r->n_rx_map >= RTE_DIM(r->rx_map))
			return -EINVAL;
		if (parse_uint(p, 0, RTE_MAX_ETHPORTS - 1, &port, &p) < 0 || *p++ != ':')
			return -EINVAL;
		if (parse_uint(p, 0, LAYOUT_MAX_RXQ - 1, &queue, &p) < 0 || *p++ != '@')
			return -EINVAL;
		if (parse_uint(p, 0, RTE_MAX_LCORE - 1, &lcore, &p) < 0)
			return -EINVAL;
		r->rx_map[r->n_rx_map].port = (uint16_t)port;
		r->rx_map[r->n_rx_map].queue = (uint16_t)queue;
		r->rx_map[r->n_rx_map].lcore = (uint16_t)lcore;
		r->n_rx_map++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

enum opt_id {
	OPT_RX_LCORES, OPT_WORKER_LCORES, OPT_RXQ, OPT_RX_MAP, OPT_WAKE_FACTOR,
	OPT_MBUFS, OPT_IDLE_SLEEP, OPT_RX_DESC, OPT_TX_DESC, OPT_PROMISC, OPT_HELP,
	OPT_SOCKET, OPT_SOCKET_GROUP, OPT_ALLOW_UID, OPT_ALLOW_GID, OPT_ICMP_RATELIMIT,
};

static const struct {
	const char *name;
	enum opt_id id;
	bool has_arg;
} optdefs[] = {
	{ "--rx-lcores", OPT_RX_LCORES, true },
	{ "--worker-lcores", OPT_WORKER_LCORES, true },
	{ "--rxq", OPT_RXQ, true },
	{ "--rx-map", OPT_RX_MAP, true },
	{ "--wake-factor", OPT_WAKE_FACTOR, true },
	{ "--mbufs", OPT_MBUFS, true },
	{ "--rx-idle-sleep", OPT_IDLE_SLEEP, true },
	{ "--rx-desc", OPT_RX_DESC, true },
	{ "--tx-desc", OPT_TX_DESC, true },
	{ "--promisc", OPT_PROMISC, false },
	{ "--icmp-ratelimit", OPT_ICMP_RATELIMIT, true },
	{ "--socket", OPT_SOCKET, true },
	{ "--socket-group", OPT_SOCKET_GROUP, true },
	{ "--allow-uid", OPT_ALLOW_UID, true },
	{ "--allow-gid", OPT_ALLOW_GID, true },
	{ "--help", OPT_HELP, false },
	{ "-h", OPT_HELP, false },
};

static int
apply(struct nsdp_opts *o, enum opt_id id, const char *name, const char *v, char *err, size_t errlen)
{
	unsigned long u;
	int n;

	switch (id) {
	case OPT_RX_LCORES:
		n = opts_parse_lcore_list(v, o->layout.rx_lcores, RTE_MAX_LCORE);
		if (n < 0)
			return fail(err, errlen, "%s: '%s' is not a list of distinct lcores below %d (e.g. 1,3-4)",
				    name, v, RTE_MAX_LCORE);
		o->layout.n_rx_lcores = (unsigned)n;
		return 0;
	case OPT_WORKER_LCORES:
		n = opts_parse_lcore_list(v, o->layout.worker_lcores, RTE_MAX_LCORE);
		if (n < 0)
			return fail(err, errlen, "%s: '%s' is not a list of distinct lcores below %d (e.g. 1,3-4)",
				    name, v, RTE_MAX_LCORE);
		o->layout.n_worker_lcores = (unsigned)n;
		return 0;
	case OPT_RXQ:
		if (parse_uint(v, 1, LAYOUT_MAX_RXQ, &u, NULL) < 0)
			return fail(err, errlen, "%s: '%s' is not a number from 1 to %d", name, v, LAYOUT_MAX_RXQ);
		o->layout.rxq = (unsigned)u;
		return 0;
	case OPT_RX_MAP:
		if (parse_rx_map(v, &o->layout) < 0) {
			o->layout.n_rx_map = 0;
			return fail(err, errlen, "%s: '%s' is not a list of PORT:QUEUE@LCORE", name, v);
		}
		return 0;
	case OPT_WAKE_FACTOR:
		if (parse_uint(v, 1, 1024, &u, NULL) < 0)
			return fail(err, errlen, "%s: '%s' is not a number from 1 to 1024", name, v);
		o->wake_factor = (unsigned)u;
		return 0;
	case OPT_MBUFS:
		if (parse_uint(v, 1024, 1UL << 26, &u, NULL) < 0)
			return fail(err, errlen, "%s: '%s' is not a number from 1024 to %lu", name, v, 1UL << 26);
		o->mbufs = (unsigned)u;
		return 0;
	case OPT_IDLE_SLEEP:
		if (parse_uint(v, 0, 100000, &u, NULL) < 0)
			return fail(err, errlen, "%s: '%s' is not a number of microseconds from 0 to 100000",
				    name, v);
		o->idle_sleep_us = (unsigned)u;
		return 0;
	case OPT_RX_DESC:
	case OPT_TX_DESC:
		if (parse_uint(v, 64, 32768, &u, NULL) < 0)
			return fail(err, errlen, "%s: '%s' is not a number from 64 to 32768", name, v);
		if (id == OPT_RX_DESC)
			o->rx_desc = (unsigned)u;
		else
			o->tx_desc = (unsigned)u;
		return 0;
	case OPT_PROMISC:
		o->promisc = true;
		return 0;
	case OPT_ICMP_RATELIMIT: {
		unsigned long b = OPTS_DEFAULT_ICMP_BURST;
		const char *p;

		if (parse_uint(v, 0, OPTS_MAX_ICMP_RATE, &u, &p) < 0 ||
		    (*p == '/' && parse_uint(p + 1, 1, OPTS_MAX_ICMP_BURST, &b, NULL) < 0) ||
		    (*p != '/' && *p != '\0'))
			return fail(err, errlen,
				    "%s: '%s' is not PPS[/BURST] with PPS from 0 to %d and BURST from 1 to %d",
				    name, v, OPTS_MAX_ICMP_RATE, OPTS_MAX_ICMP_BURST);
		o->icmp_rate = (unsigned)u;
		o->icmp_burst = (unsigned)b;
		return 0;
	}
	case OPT_HELP:
		o->help = true;
		return 0;
	case OPT_SOCKET:
		if (*v == '\0' || strlen(v) >= sizeof(o->socket_path))
			return fail(err, errlen, "%s: '%s' is not a path of 1 to %zu bytes", name, v,
				    sizeof(o->socket_path) - 1);
		snprintf(o->socket_path, sizeof(o->socket_path), "%s", v);
		return 0;
	case OPT_SOCKET_GROUP: {
		unsigned gid;

		if (strchr(v, ',') != NULL || opts_parse_id_list(v, true, &gid, 1) != 1)
			return fail(err, errlen, "%s: '%s' is neither a gid nor a known group name",
				    name, v);
		o->socket_group = (long)gid;
		return 0;
	}
	case OPT_ALLOW_UID:
	case OPT_ALLOW_GID: {
		bool group = id == OPT_ALLOW_GID;

		n = opts_parse_id_list(v, group, group ? o->allow_gids : o->allow_uids, OPTS_MAX_ALLOWED);
		if (n < 0)
			return fail(err, errlen, "%s: '%s' is not a list of at most %d distinct %s",
				    name, v, OPTS_MAX_ALLOWED,
				    group ? "gids or group names" : "uids or user names");
		if (group)
			o->n_allow_gids = (unsigned)n;
		else
			o->n_allow_uids = (unsigned)n;
		return 0;
	}
	}
	return fail(err, errlen, "internal: unhandled option %s", name);
}

int
opts_parse(struct nsdp_opts *o, int argc, char *const *argv, char *err, size_t errlen)
{
	uint32_t seen = 0;
	int rc = 0;

	opts_defaults(o);
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
		const char *v = NULL;
		unsigned k;

		for (k = 0; k < RTE_DIM(optdefs); k++)
			if (strlen(optdefs[k].name) == len && strncmp(optdefs[k].name, a, len) == 0)
				break;
		if (k == RTE_DIM(optdefs)) {
			rc = fail(err, errlen, "unknown option '%s' (see --help)", a);
			break;
		}
		if (seen & (1u << optdefs[k].id)) {
			rc = fail(err, errlen, "%s given twice", optdefs[k].name);
			break;
		}
		seen |= 1u << optdefs[k].id;
		if (optdefs[k].has_arg) {
			if (eq != NULL)
				v = eq + 1;
			else if (i + 1 < argc)
				v = argv[++i];
			else {
				rc = fail(err, errlen, "%s needs a value", optdefs[k].name);
				break;
			}
		} else if (eq != NULL) {
			rc = fail(err, errlen, "%s takes no value", optdefs[k].name);
			break;
		}
		rc = apply(o, optdefs[k].id, optdefs[k].name, v, err, errlen);
	}
	if (rc == 0 && o->layout.n_rx_map > 0 && o->layout.rxq > 0)
		rc = fail(err, errlen, "--rxq and --rx-map exclude each other: the map sets the queue count");
	if (rc < 0)
		opts_defaults(o);
	return rc;
}
