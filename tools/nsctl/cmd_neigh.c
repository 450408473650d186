/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_neigh.c: `nsctl neigh ...`: the neighbour cache (ARP, ND): static
 * neighbours, entries with their state, and the counters per family.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

/* Mirror of enum nsdp_neigh_state: names as operators read them. */
static const char *const state_names[] = {
	NULL, "incomplete", "reachable", "stale", "delay", "probe", "failed", "static",
};
#define NAME_OF(tab, v) ((v) < sizeof(tab) / sizeof((tab)[0]) && (tab)[v] ? (tab)[v] : "?")

/* An IPv4 or IPv6 address; the family follows the text. */
static int
parse_addr(struct nsctl_ctx *ctx, char *const *wordp, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, *wordp, addr) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, *wordp, addr) == 1) {
		*family = 6;
		return 0;
	}
	return nsctl_err_word(ctx, wordp, "'%s' is not an IPv4 or IPv6 address", *wordp);
}

static int
parse_mac(struct nsctl_ctx *ctx, char *const *wordp, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(*wordp, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return nsctl_err_word(ctx, wordp, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
				      *wordp);
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int
parse_table(struct nsctl_ctx *ctx, char *const *wordp, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(*wordp, &end, 10);
	if (errno != 0 || end == *wordp || *end != '\0' || (*wordp)[0] == '-' || v > 4095)
		return nsctl_err_word(ctx, wordp, "'%s' is not a table id (0..4095)", *wordp);
	*out = (uint32_t)v;
	return 0;
}

/* ADDR [lladdr MAC] [dev IFL] [table N], as @allowed says. */
struct neigh_args {
	uint8_t family;
	uint8_t addr[16];
	char **w_addr, **w_mac, **w_dev, **w_table;
	uint8_t mac[6];
	uint32_t table;
};

#define A_MAC 0x1
#define A_DEV 0x2
#define A_TABLE 0x4

static int
neigh_args_parse(struct nsctl_ctx *ctx, int argc, char **argv, unsigned allowed,
		 struct neigh_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return nsctl_err_missing(ctx, "a neighbour address");
	a->w_addr = &argv[0];
	rc = parse_addr(ctx, &argv[0], &a->family, a->addr);
	if (rc != 0)
		return rc;
	for (int i = 1; i < argc; i += 2) {
		const char *w = argv[i];
		char ***slot;
		unsigned bit;

		if (strcmp(w, "lladdr") == 0) {
			slot = &a->w_mac;
			bit = A_MAC;
		} else if (strcmp(w, "dev") == 0) {
			slot = &a->w_dev;
			bit = A_DEV;
		} else if (strcmp(w, "table") == 0) {
			slot = &a->w_table;
			bit = A_TABLE;
		} else {
			return nsctl_err_word(ctx, &argv[i], "unexpected '%s' (expected %s%s%s)", w,
					      allowed & A_MAC ? "lladdr, " : "", "dev",
					      allowed & A_TABLE ? ", table" : "");
		}
		if (!(allowed & bit))
			return nsctl_err_word(ctx, &argv[i], "'%s' does not go with this command",
					      w);
		if (*slot != NULL)
			return nsctl_err_word(ctx, &argv[i], "'%s' given twice", w);
		if (i + 1 >= argc)
			return nsctl_err_missing(ctx, bit == A_MAC   ? "a MAC address after 'lladdr'"
						      : bit == A_DEV ? "an interface after 'dev'"
								     : "a table id after 'table'");
		*slot = &argv[i + 1];
		if (bit == A_MAC)
			rc = parse_mac(ctx, &argv[i + 1], a->mac);
		else if (bit == A_TABLE)
			rc = parse_table(ctx, &argv[i + 1], &a->table);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
neigh_put_key(struct nsctl_ctx *ctx, struct nsctl_req *req, const struct neigh_args *a)
{
	nsctl_req_mark(ctx, req, a->w_addr);
	nsdp_put_u8(&req->b, NSDP_A_NEIGH_FAMILY, a->family);
	nsctl_req_mark(ctx, req, a->w_addr);
	nsdp_put_bin(&req->b, NSDP_A_NEIGH_ADDR, a->addr, 16);
	if (a->w_dev != NULL) {
		nsctl_req_mark(ctx, req, a->w_dev);
		nsdp_put_str(&req->b, NSDP_A_NEIGH_DEV, *a->w_dev);
	}
}

static int
neigh_add(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct neigh_args a;
	struct nsctl_req *req;
	int rc;

	rc = neigh_args_parse(ctx, argc, argv, A_MAC | A_DEV | A_TABLE, &a);
	if (rc != 0)
		return rc;
	if (a.w_mac == NULL)
		return nsctl_err_missing(ctx, "the neighbour's MAC address (lladdr MAC)");
	if (a.w_dev == NULL)
		return nsctl_err_missing(ctx, "the interface (dev IFL)");
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_ADD), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	neigh_put_key(ctx, req, &a);
	nsctl_req_mark(ctx, req, a.w_mac);
	nsdp_put_bin(&req->b, NSDP_A_NEIGH_LLADDR, a.mac, 6);
	if (a.w_table != NULL) {
		nsctl_req_mark(ctx, req, a.w_table);
		nsdp_put_u32(&req->b, NSDP_A_NEIGH_TABLE, a.table);
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
neigh_del(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct neigh_args a;
	struct nsctl_req *req;
	int rc;

	rc = neigh_args_parse(ctx, argc, argv, A_DEV, &a);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_DELETE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	neigh_put_key(ctx, req, &a);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

enum { C_ADDR, C_DEV, C_MAC, C_STATE, C_AGE, C_PROBES, C_HELD, C_TABLE, C_NB };

static int
neigh_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	uint8_t family = tb[NSDP_A_NEIGH_FAMILY] ? nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]) : 4;
	uint8_t state = tb[NSDP_A_NEIGH_STATE] ? nsdp_get_u8(tb[NSDP_A_NEIGH_STATE]) : 0;
	const char *dev = tb[NSDP_A_NEIGH_DEV] ? nsdp_get_str(tb[NSDP_A_NEIGH_DEV]) : "-";
	uint64_t age = tb[NSDP_A_NEIGH_AGE_MS] ? nsdp_get_u64(tb[NSDP_A_NEIGH_AGE_MS]) : 0;
	uint32_t probes = tb[NSDP_A_NEIGH_PROBES] ? nsdp_get_u32(tb[NSDP_A_NEIGH_PROBES]) : 0;
	uint32_t held = tb[NSDP_A_NEIGH_HELD] ? nsdp_get_u32(tb[NSDP_A_NEIGH_HELD]) : 0;
	uint32_t table = tb[NSDP_A_NEIGH_TABLE] ? nsdp_get_u32(tb[NSDP_A_NEIGH_TABLE]) : 0;
	char addr[INET6_ADDRSTRLEN] = "?", mac[18] = "-";
	bool has_mac = state != 1 && state != 6;

	(void)nlh;
	if (tb[NSDP_A_NEIGH_ADDR] != NULL)
		inet_ntop(family == 6 ? AF_INET6 : AF_INET,
			  mnl_attr_get_payload(tb[NSDP_A_NEIGH_ADDR]), addr, sizeof(addr));
	if (tb[NSDP_A_NEIGH_LLADDR] != NULL && has_mac) {
		const uint8_t *m = mnl_attr_get_payload(tb[NSDP_A_NEIGH_LLADDR]);

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
	}
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_ku64(&ctx->js, "family", family);
		out_json_kstr(&ctx->js, "addr", addr);
		out_json_kstr(&ctx->js, "dev", dev);
		out_json_ku64(&ctx->js, "ifl", tb[NSDP_A_NEIGH_IFL] ?
					       nsdp_get_u32(tb[NSDP_A_NEIGH_IFL]) : 0);
		if (has_mac)
			out_json_kstr(&ctx->js, "lladdr", mac);
		else
			out_json_key(&ctx->js, "lladdr"), out_json_null(&ctx->js);
		out_json_kstr(&ctx->js, "state", NAME_OF(state_names, state));
		out_json_kbool(&ctx->js, "router",
			       tb[NSDP_A_NEIGH_FLAGS] && (nsdp_get_u8(tb[NSDP_A_NEIGH_FLAGS]) & 1));
		out_json_ku64(&ctx->js, "age_ms", age);
		out_json_ku64(&ctx->js, "probes", probes);
		out_json_ku64(&ctx->js, "held", held);
		out_json_ku64(&ctx->js, "table", table);
		out_json_ku64(&ctx->js, "nexthop", tb[NSDP_A_NEIGH_NH_INDEX] ?
						   nsdp_get_u32(tb[NSDP_A_NEIGH_NH_INDEX]) : 0);
		out_json_obj_end(&ctx->js);
		if (t == NULL)
			out_json_end_doc(&ctx->js);
		return 0;
	}
	if (t == NULL) {
		fprintf(ctx->out, "%s dev %s lladdr %s %s age %llu.%03llus probes %u held %u table %u\n",
			addr, dev, mac, NAME_OF(state_names, state), (unsigned long long)(age / 1000),
			(unsigned long long)(age % 1000), probes, held, table);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, C_ADDR, "%s", addr);
	out_table_cell(t, C_DEV, "%s", dev);
	out_table_cell(t, C_MAC, "%s", mac);
	out_table_cell(t, C_STATE, "%s", NAME_OF(state_names, state));
	out_table_cell(t, C_AGE, "%llu.%03llu", (unsigned long long)(age / 1000),
		       (unsigned long long)(age % 1000));
	out_table_cell(t, C_PROBES, "%u", probes);
	out_table_cell(t, C_HELD, "%u", held);
	out_table_cell(t, C_TABLE, "%u", table);
	return 0;
}

static int
neigh_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[C_NB] = {
		"ADDRESS", "DEV", "LLADDR", "STATE", "AGE_S", "PROBES", "HELD", "TABLE",
	};
	struct neigh_args a;
	struct out_table *t;
	struct nsctl_req *req;
	int rc;

	if (argc >= 1) {
		rc = neigh_args_parse(ctx, argc, argv, A_DEV, &a);
		if (rc != 0)
			return rc;
		req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_GET), 0);
		if (req == NULL)
			return NSCTL_FAIL;
		neigh_put_key(ctx, req, &a);
		return nsctl_req_send(ctx, req, neigh_row, NULL);
	}
	t = out_table_new(C_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < C_NB; c++)
		out_table_col(t, c, hdr[c],
			      c == C_AGE || c == C_PROBES || c == C_HELD || c == C_TABLE ? OUT_RIGHT
											 : OUT_LEFT);
	return nsctl_dump_table(ctx, NSDP_OBJ_NEIGH, neigh_row, t);
}

static const struct {
	const char *key;
	uint16_t attr;
} stat_fields[] = {
	{ "entries", NSDP_A_NEIGH_ENTRIES },
	{ "requests_sent", NSDP_A_NEIGH_REQUESTS_SENT },
	{ "requests_received", NSDP_A_NEIGH_REQUESTS_RCVD },
	{ "replies_sent", NSDP_A_NEIGH_REPLIES_SENT },
	{ "replies_received", NSDP_A_NEIGH_REPLIES_RCVD },
	{ "resolved", NSDP_A_NEIGH_RESOLVED },
	{ "failed", NSDP_A_NEIGH_FAILED },
	{ "held", NSDP_A_NEIGH_HELD_TOTAL },
	{ "hold_dropped", NSDP_A_NEIGH_HOLD_DROPPED },
	{ "gratuitous_sent", NSDP_A_NEIGH_GRATUITOUS },
};

/* Tunables: the word `neigh set` takes, the JSON key, the attribute, the range. */
static const struct {
	const char *word;
	const char *key;
	uint16_t attr;
	uint32_t min, max;
} tunables[] = {
	{ "reachable", "reachable_ms", NSDP_A_NEIGH_REACHABLE_MS, 1, 3600000 },
	{ "retrans", "retrans_ms", NSDP_A_NEIGH_RETRANS_MS, 1, 3600000 },
	{ "retrans-max", "retrans_max_ms", NSDP_A_NEIGH_RETRANS_MAX_MS, 1, 3600000 },
	{ "delay", "delay_ms", NSDP_A_NEIGH_DELAY_MS, 1, 3600000 },
	{ "stale", "stale_ms", NSDP_A_NEIGH_STALE_MS, 0, 86400000 },
	{ "failed", "failed_ms", NSDP_A_NEIGH_FAILED_MS, 1, 3600000 },
	{ "mcast-probes", "mcast_probes", NSDP_A_NEIGH_MCAST_PROBES, 1, 100 },
	{ "ucast-probes", "ucast_probes", NSDP_A_NEIGH_UCAST_PROBES, 1, 100 },
	{ "hold", "hold_max", NSDP_A_NEIGH_HOLD_MAX, 1, 64 },
};
#define N_TUNABLES (sizeof(tunables) / sizeof(tunables[0]))

static int
neigh_stats_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb,
		  void *arg)
{
	uint8_t family = tb[NSDP_A_NEIGH_FAMILY] ? nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]) : 4;

	(void)nlh, (void)arg;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_ku64(&ctx->js, "family", family);
		for (unsigned i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
			out_json_ku64(&ctx->js, stat_fields[i].key,
				      tb[stat_fields[i].attr] ? nsdp_get_u64(tb[stat_fields[i].attr])
							      : 0);
		for (unsigned i = 0; i < N_TUNABLES; i++)
			if (tb[tunables[i].attr] != NULL)
				out_json_ku64(&ctx->js, tunables[i].key,
					      nsdp_get_u32(tb[tunables[i].attr]));
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fprintf(ctx->out, "ipv%u neighbours:\n", family);
	for (unsigned i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
		fprintf(ctx->out, "  %-18s %llu\n", stat_fields[i].key,
			(unsigned long long)(tb[stat_fields[i].attr]
						     ? nsdp_get_u64(tb[stat_fields[i].attr])
						     : 0));
	fprintf(ctx->out, "ipv%u tunables:\n", family);
	for (unsigned i = 0; i < N_TUNABLES; i++)
		if (tb[tunables[i].attr] != NULL)
			fprintf(ctx->out, "  %-18s %u\n", tunables[i].key,
				nsdp_get_u32(tb[tunables[i].attr]));
	return 0;
}

/* An optional [inet|inet6] first word (default inet). @return words taken. */
static int
family_word(int argc, char **argv, uint8_t *family)
{
	*family = 4;
	if (argc >= 1 && (strcmp(argv[0], "inet") == 0 || strcmp(argv[0], "ipv4") == 0))
		return 1;
	if (argc >= 1 && (strcmp(argv[0], "inet6") == 0 || strcmp(argv[0], "ipv6") == 0)) {
		*family = 6;
		return 1;
	}
	return 0;
}

static int
neigh_set(struct nsctl_ctx *ctx, int argc, char **argv)
{
	uint32_t val[N_TUNABLES];
	char **word[N_TUNABLES] = { NULL };
	struct nsctl_req *req;
	uint8_t family;
	int used = family_word(argc, argv, &family);
	bool any = false;

	for (int i = used; i < argc; i += 2) {
		unsigned k;
		char *end;
		unsigned long v;

		for (k = 0; k < N_TUNABLES && strcmp(argv[i], tunables[k].word) != 0; k++)
			;
		if (k == N_TUNABLES)
			return nsctl_err_word(ctx, &argv[i],
					      "unexpected '%s' (expected reachable, retrans, retrans-max, "
					      "delay, stale, failed, mcast-probes, ucast-probes, hold)",
					      argv[i]);
		if (word[k] != NULL)
			return nsctl_err_word(ctx, &argv[i], "'%s' given twice", argv[i]);
		if (i + 1 >= argc)
			return nsctl_err_missing(ctx, "a value");
		errno = 0;
		v = strtoul(argv[i + 1], &end, 10);
		if (errno != 0 || end == argv[i + 1] || *end != '\0' || argv[i + 1][0] == '-' ||
		    v < tunables[k].min || v > tunables[k].max)
			return nsctl_err_word(ctx, &argv[i + 1], "'%s' is not a %s value (%u..%u)",
					      argv[i + 1], tunables[k].word, tunables[k].min,
					      tunables[k].max);
		word[k] = &argv[i + 1];
		val[k] = (uint32_t)v;
		any = true;
	}
	if (!any)
		return nsctl_err_missing(ctx, "a tunable and its value (e.g. reachable 30000)");
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_CHANGE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	if (used > 0)
		nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u8(&req->b, NSDP_A_NEIGH_FAMILY, family);
	for (unsigned k = 0; k < N_TUNABLES; k++) {
		if (word[k] == NULL)
			continue;
		nsctl_req_mark(ctx, req, word[k]);
		nsdp_put_u32(&req->b, tunables[k].attr, val[k]);
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
neigh_stats(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	uint8_t family = 4;
	int rc;

	if (argc >= 1) {
		if (strcmp(argv[0], "inet") == 0 || strcmp(argv[0], "ipv4") == 0)
			family = 4;
		else if (strcmp(argv[0], "inet6") == 0 || strcmp(argv[0], "ipv6") == 0)
			family = 6;
		else
			return nsctl_err_word(ctx, &argv[0], "'%s' is not a family (inet, inet6)",
					      argv[0]);
		rc = nsctl_no_more(ctx, argc, argv, 1);
		if (rc != 0)
			return rc;
	}
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	if (argc >= 1)
		nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u8(&req->b, NSDP_A_NEIGH_FAMILY, family);
	return nsctl_req_send(ctx, req, neigh_stats_print, NULL);
}

static const struct nsctl_cmd neigh_cmds[] = {
	{ "neigh", "add", neigh_add,
	  "neigh add ADDR lladdr MAC dev IFL [table N]\n"
	  "Add a static neighbour: ADDR (on a subnet of IFL) is at MAC. An entry being\n"
	  "resolved or learned becomes static. 'table N' checks IFL is in table N." },
	{ "neigh", "del", neigh_del,
	  "neigh del ADDR [dev IFL]\n"
	  "Delete a neighbour entry, static or learned, with its host route." },
	{ "neigh", "show", neigh_show,
	  "neigh show [ADDR [dev IFL]]\n"
	  "List the neighbour cache (address, interface, MAC, state, age in seconds,\n"
	  "solicitations sent in the state, packets held, table), or show one entry." },
	{ "neigh", "stats", neigh_stats,
	  "neigh stats [inet|inet6]\n"
	  "Counters of a family's neighbour resolution (default inet): requests and\n"
	  "replies sent and received, resolutions, failures, packets held and dropped;\n"
	  "then the family's tunables." },
	{ "neigh", "set", neigh_set,
	  "neigh set [inet|inet6] [reachable MS] [retrans MS] [retrans-max MS] [delay MS]\n"
	  "          [stale MS] [failed MS] [mcast-probes N] [ucast-probes N] [hold N]\n"
	  "Change a family's neighbour tunables (RFC 4861 timers, used for ARP too):\n"
	  "REACHABLE time, first retransmission interval and its backoff cap, DELAY\n"
	  "before probing, removal of unused STALE entries (0: never), FAILED\n"
	  "hold-down, solicitations before FAILED, packets held per neighbour." },
};
NSCTL_REGISTER(neigh_cmds)
