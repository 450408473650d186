/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_route.c: `nsctl table ...`, `nsctl route ...` and `nsctl nexthop ...`:
 * routing instances, user routes, forwarding decisions and next hops.
 *
 * Bulk loading: in batch mode, consecutive `route add` (or `route del`)
 * lines travel together, up to ROUTE_CHUNK routes in one ROUTE ADD (DELETE)
 * message, which nsdp applies completely or not at all. The chunk is sent when it is
 * full and before anything else talks to nsdp (ctx->flush), so every other
 * command, every error report and the end of the batch see it applied
 * first. When nsdp refuses a chunk, the routes before the failing line are
 * sent again on their own, so the batch ends exactly as if every line had
 * been sent alone: the lines before the failing one applied, it and the
 * lines after it not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

/* Mirrors of the daemon's enums (route.h, nexthop.h): names as operators type them. */
static const char *const rtt_names[] = {
	NULL, "user", "user-ignore", "perm", "if", "ifdest", "clone", "ifclone",
	"clone-ignore", "ifclone-ignore", "local",
};
static const char *const rnh_names[] = {
	NULL, "reject", "discard", "recv", "mdiscard", "mrecv", "brecv", "local",
	"unicast", "resolv", "mgroup", "multicast", "hold", "dead",
};
static const char *const verdicts[] = { "forward", "drop (ifcheck)", "drop (local only)" };

#define NAME_OF(tab, v) ((v) < sizeof(tab) / sizeof((tab)[0]) && (tab)[v] ? (tab)[v] : "?")

/* enum rnh_type values of the list next hops; NH_LIST_MAX of nexthop.h. */
#define RNH_MGROUP_V 10
#define RNH_MULTICAST_V 11
#define LIST_MAX 32
#define IFL_NAME_MAX 64

/* A next hop's ifl list as a reply carries it: member nests and the local copy. */
struct nh_list_view {
	unsigned n;
	char names[LIST_MAX][IFL_NAME_MAX];
	bool local;
};

/* The members (attribute @member_attr) and local copy (@local_attr) of a reply. */
static void
nh_list_view(const struct nlmsghdr *nlh, const struct nlattr **tb, uint16_t member_attr,
	     uint16_t local_attr, struct nh_list_view *l)
{
	const struct nlattr *a;

	memset(l, 0, sizeof(*l));
	l->local = tb[local_attr] != NULL && nsdp_get_u8(tb[local_attr]) != 0;
	if (nlh == NULL)
		return;
	mnl_attr_for_each(a, nlh, 0) {
		const struct nlattr *e;
		const char *name = NULL;
		uint32_t idx = 0;

		if (mnl_attr_get_type(a) != member_attr || l->n == LIST_MAX)
			continue;
		mnl_attr_for_each_nested(e, a) {
			if (mnl_attr_get_type(e) == NSDP_A_NHM_NAME)
				name = nsdp_get_str(e);
			else if (mnl_attr_get_type(e) == NSDP_A_NHM_IFL)
				idx = nsdp_get_u32(e);
		}
		/* An ifl gone since (a DEAD next hop) has only its index. */
		if (name != NULL)
			snprintf(l->names[l->n++], IFL_NAME_MAX, "%s", name);
		else
			snprintf(l->names[l->n++], IFL_NAME_MAX, "%u", idx);
	}
}

/* "a,b,local" ("-" for none). */
static void
nh_list_str(const struct nh_list_view *l, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < l->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", l->names[i]);
	if (l->local && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%slocal", l->n ? "," : "");
	if (off == 0)
		snprintf(buf, len, "-");
}

static void
nh_list_json(struct out_json *j, const char *key, const char *local_key,
	     const struct nh_list_view *l)
{
	out_json_key(j, key);
	out_json_arr_begin(j);
	for (unsigned i = 0; i < l->n; i++)
		out_json_str(j, l->names[i]);
	out_json_arr_end(j);
	out_json_kbool(j, local_key, l->local);
}

/* ---- words ---------------------------------------------------------------- */

static int
parse_u32_word(struct nsctl_ctx *ctx, char *const *wordp, uint32_t max, const char *what,
	       uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(*wordp, &end, 10);
	if (errno != 0 || end == *wordp || *end != '\0' || (*wordp)[0] == '-' || v > max)
		return nsctl_err_word(ctx, wordp, "'%s' is not a %s (0..%u)", *wordp, what, max);
	*out = (uint32_t)v;
	return 0;
}

/* ADDR or ADDR/LEN; family from the text. @len_out NULL: a plain address. */
static int
parse_addr_word(struct nsctl_ctx *ctx, char *const *wordp, int want_family, uint8_t *family,
		uint8_t *addr, uint8_t *len_out, const char *what)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *w = *wordp;
	char *slash;
	int fam;

	if (strlen(w) >= sizeof(buf))
		return nsctl_err_word(ctx, wordp, "'%s' is not an %s", w, what);
	strcpy(buf, w);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		if (len_out == NULL)
			return nsctl_err_word(ctx, wordp, "'%s': an address, not a prefix, is "
					      "expected here", w);
		*slash++ = '\0';
	}
	fam = strchr(buf, ':') != NULL ? 6 : 4;
	memset(addr, 0, 16);
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, buf, addr) != 1)
		return nsctl_err_word(ctx, wordp, "'%s' is not an %s", w, what);
	if (want_family != 0 && fam != want_family)
		return nsctl_err_word(ctx, wordp, "'%s' is an IPv%d address; IPv%d is expected here",
				      w, fam, want_family);
	*family = (uint8_t)fam;
	if (len_out != NULL) {
		unsigned width = fam == 4 ? 32 : 128;
		uint32_t len = width;

		if (slash != NULL) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(slash, &end, 10);
			if (errno != 0 || end == slash || *end != '\0' || v > width)
				return nsctl_err_word(ctx, wordp, "'%s': prefix length must be 0..%u",
						      w, width);
			len = (uint32_t)v;
		}
		for (unsigned i = len; i < width; i++)
			if (addr[i / 8] & (0x80 >> (i % 8)))
				return nsctl_err_word(ctx, wordp, "'%s' has bits set beyond /%u "
						      "(did you mean the network address?)", w, len);
		*len_out = (uint8_t)len;
	}
	return 0;
}

/* ---- TABLE ---------------------------------------------------------------- */

struct table_view {
	uint32_t id;
	uint64_t r4, r6, b4, b6, p4, p6;
};

static void
table_view(const struct nlattr **tb, struct table_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = tb[NSDP_A_TABLE_ID] ? nsdp_get_u32(tb[NSDP_A_TABLE_ID]) : 0;
	v->r4 = tb[NSDP_A_TABLE_ROUTES4] ? nsdp_get_u64(tb[NSDP_A_TABLE_ROUTES4]) : 0;
	v->r6 = tb[NSDP_A_TABLE_ROUTES6] ? nsdp_get_u64(tb[NSDP_A_TABLE_ROUTES6]) : 0;
	v->b4 = tb[NSDP_A_TABLE_FIB_BYTES4] ? nsdp_get_u64(tb[NSDP_A_TABLE_FIB_BYTES4]) : 0;
	v->b6 = tb[NSDP_A_TABLE_FIB_BYTES6] ? nsdp_get_u64(tb[NSDP_A_TABLE_FIB_BYTES6]) : 0;
	v->p4 = tb[NSDP_A_TABLE_FIB_PREFIXES4] ? nsdp_get_u64(tb[NSDP_A_TABLE_FIB_PREFIXES4]) : 0;
	v->p6 = tb[NSDP_A_TABLE_FIB_PREFIXES6] ? nsdp_get_u64(tb[NSDP_A_TABLE_FIB_PREFIXES6]) : 0;
}

enum { T_ID, T_R4, T_R6, T_P4, T_P6, T_B4, T_B6, T_NB };

static int
table_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct table_view v;

	(void)nlh;
	table_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_ku64(&ctx->js, "id", v.id);
		out_json_ku64(&ctx->js, "ipv4_routes", v.r4);
		out_json_ku64(&ctx->js, "ipv6_routes", v.r6);
		out_json_ku64(&ctx->js, "ipv4_fib_prefixes", v.p4);
		out_json_ku64(&ctx->js, "ipv6_fib_prefixes", v.p6);
		out_json_ku64(&ctx->js, "ipv4_fib_bytes", v.b4);
		out_json_ku64(&ctx->js, "ipv6_fib_bytes", v.b6);
		out_json_obj_end(&ctx->js);
		if (t == NULL)
			out_json_end_doc(&ctx->js);
		return 0;
	}
	if (t == NULL) {
		fprintf(ctx->out, "table %u: %llu IPv4 routes (%llu fib prefixes, %llu bytes), "
			"%llu IPv6 routes (%llu fib prefixes, %llu bytes)\n", v.id,
			(unsigned long long)v.r4, (unsigned long long)v.p4, (unsigned long long)v.b4,
			(unsigned long long)v.r6, (unsigned long long)v.p6, (unsigned long long)v.b6);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, T_ID, "%u", v.id);
	out_table_cell(t, T_R4, "%llu", (unsigned long long)v.r4);
	out_table_cell(t, T_R6, "%llu", (unsigned long long)v.r6);
	out_table_cell(t, T_P4, "%llu", (unsigned long long)v.p4);
	out_table_cell(t, T_P6, "%llu", (unsigned long long)v.p6);
	out_table_cell(t, T_B4, "%llu", (unsigned long long)v.b4);
	out_table_cell(t, T_B6, "%llu", (unsigned long long)v.b6);
	return 0;
}

static int
table_id_arg(struct nsctl_ctx *ctx, int argc, char **argv, uint32_t *id)
{
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "a table id (0..4095)");
	rc = parse_u32_word(ctx, &argv[0], 4095, "table id", id);
	return rc != 0 ? rc : nsctl_no_more(ctx, argc, argv, 1);
}

static int
table_write(struct nsctl_ctx *ctx, int argc, char **argv, uint8_t op)
{
	struct nsctl_req *req;
	uint32_t id;
	int rc = table_id_arg(ctx, argc, argv, &id);

	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_TABLE, op), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u32(&req->b, NSDP_A_TABLE_ID, id);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
table_add(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return table_write(ctx, argc, argv, NSDP_OP_ADD);
}

static int
table_del(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return table_write(ctx, argc, argv, NSDP_OP_DELETE);
}

static int
table_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[T_NB] = {
		"TABLE", "IPV4", "IPV6", "FIB4", "FIB6", "FIB4_BYTES", "FIB6_BYTES",
	};
	struct out_table *t;
	struct nsctl_req *req;
	uint32_t id;
	int rc;

	if (argc >= 1) {
		rc = table_id_arg(ctx, argc, argv, &id);
		if (rc != 0)
			return rc;
		req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_TABLE, NSDP_OP_GET), 0);
		if (req == NULL)
			return NSCTL_FAIL;
		nsctl_req_mark(ctx, req, &argv[0]);
		nsdp_put_u32(&req->b, NSDP_A_TABLE_ID, id);
		return nsctl_req_send(ctx, req, table_row, NULL);
	}
	t = out_table_new(T_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < T_NB; c++)
		out_table_col(t, c, hdr[c], OUT_RIGHT);
	return nsctl_dump_table(ctx, NSDP_OBJ_TABLE, table_row, t);
}

/* ---- ROUTE: showing ------------------------------------------------------- */

struct route_view {
	uint32_t table;
	uint8_t family, dst_len, src_len, type, nh_type;
	char dst[INET6_ADDRSTRLEN + 4], src[INET6_ADDRSTRLEN + 4], gw[INET6_ADDRSTRLEN];
	uint16_t flags;
	uint32_t ifl, nh_index, nh_ifl;
	const char *dev, *ifl_name;
	bool has_verdict;
	uint8_t verdict;
	struct nh_list_view list;      /* MGROUP / MULTICAST */
};

static void
route_view(const struct nlmsghdr *nlh, const struct nlattr **tb, struct route_view *v)
{
	char a[INET6_ADDRSTRLEN];
	int af;

	memset(v, 0, sizeof(*v));
	nh_list_view(nlh, tb, NSDP_A_ROUTE_NH_MEMBER, NSDP_A_ROUTE_NH_LOCAL, &v->list);
	v->table = tb[NSDP_A_ROUTE_TABLE] ? nsdp_get_u32(tb[NSDP_A_ROUTE_TABLE]) : 0;
	v->family = tb[NSDP_A_ROUTE_FAMILY] ? nsdp_get_u8(tb[NSDP_A_ROUTE_FAMILY]) : 4;
	af = v->family == 6 ? AF_INET6 : AF_INET;
	v->dst_len = tb[NSDP_A_ROUTE_DST_LEN] ? nsdp_get_u8(tb[NSDP_A_ROUTE_DST_LEN]) : 0;
	v->src_len = tb[NSDP_A_ROUTE_SRC_LEN] ? nsdp_get_u8(tb[NSDP_A_ROUTE_SRC_LEN]) : 0;
	if (tb[NSDP_A_ROUTE_DST] && inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_ROUTE_DST]), a,
					      sizeof(a)))
		snprintf(v->dst, sizeof(v->dst), "%s/%u", a, v->dst_len);
	if (tb[NSDP_A_ROUTE_SRC] && inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_ROUTE_SRC]), a,
					      sizeof(a)))
		snprintf(v->src, sizeof(v->src), "%s/%u", a, v->src_len);
	if (tb[NSDP_A_ROUTE_GATEWAY])
		inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_ROUTE_GATEWAY]), v->gw, sizeof(v->gw));
	v->type = tb[NSDP_A_ROUTE_TYPE] ? nsdp_get_u8(tb[NSDP_A_ROUTE_TYPE]) : 0;
	v->nh_type = tb[NSDP_A_ROUTE_NH_TYPE] ? nsdp_get_u8(tb[NSDP_A_ROUTE_NH_TYPE]) : 0;
	v->flags = tb[NSDP_A_ROUTE_FLAGS] ? nsdp_get_u16(tb[NSDP_A_ROUTE_FLAGS]) : 0;
	v->ifl = tb[NSDP_A_ROUTE_IFL] ? nsdp_get_u32(tb[NSDP_A_ROUTE_IFL]) : 0;
	v->nh_index = tb[NSDP_A_ROUTE_NH_INDEX] ? nsdp_get_u32(tb[NSDP_A_ROUTE_NH_INDEX]) : 0;
	v->nh_ifl = tb[NSDP_A_ROUTE_NH_IFL] ? nsdp_get_u32(tb[NSDP_A_ROUTE_NH_IFL]) : 0;
	v->dev = tb[NSDP_A_ROUTE_DEV] ? nsdp_get_str(tb[NSDP_A_ROUTE_DEV]) : NULL;
	v->ifl_name = tb[NSDP_A_ROUTE_IFL_NAME] ? nsdp_get_str(tb[NSDP_A_ROUTE_IFL_NAME]) : NULL;
	if ((v->has_verdict = tb[NSDP_A_ROUTE_VERDICT] != NULL))
		v->verdict = nsdp_get_u8(tb[NSDP_A_ROUTE_VERDICT]);
}

static bool
nh_is_list(uint8_t type, const struct nh_list_view *l)
{
	return type == RNH_MGROUP_V || type == RNH_MULTICAST_V || l->n > 0 || l->local;
}

/* RTF_IFCHECK (iif), RTF_LOCAL (local-only), RTF_SCOPE, as the CLI names them. */
static void
flags_str(uint16_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & 1 ? "ifcheck," : "", f & 2 ? "local-only," : "",
		 f & 4 ? "scope," : "", f == 0 ? "-" : "");
	if (f != 0 && buf[0] != '\0')
		buf[strlen(buf) - 1] = '\0';
}

static void
route_json(struct out_json *j, const struct route_view *v)
{
	char fl[32];

	out_json_ku64(j, "table", v->table);
	out_json_ku64(j, "family", v->family);
	out_json_kstr(j, "dst", v->dst);
	if (v->src_len > 0)
		out_json_kstr(j, "src", v->src);
	out_json_kstr(j, "type", NAME_OF(rtt_names, v->type));
	if (v->ifl != 0)
		out_json_ku64(j, "ifl", v->ifl);
	if (v->ifl_name != NULL)
		out_json_kstr(j, "ifl_name", v->ifl_name);
	flags_str(v->flags, fl, sizeof(fl));
	out_json_kstr(j, "flags", fl);
	out_json_ku64(j, "nexthop", v->nh_index);
	out_json_kstr(j, "nexthop_type", NAME_OF(rnh_names, v->nh_type));
	if (v->gw[0])
		out_json_kstr(j, "via", v->gw);
	if (v->nh_ifl != 0)
		out_json_ku64(j, "nexthop_ifl", v->nh_ifl);
	if (v->dev != NULL)
		out_json_kstr(j, "dev", v->dev);
	if (nh_is_list(v->nh_type, &v->list))
		nh_list_json(j, "nexthop_ifls", "nexthop_local", &v->list);
	if (v->has_verdict)
		out_json_kstr(j, "verdict", NAME_OF(verdicts, v->verdict));
}

enum { R_TABLE, R_DST, R_SRC, R_TYPE, R_IFL, R_FLAGS, R_NH, R_NHTYPE, R_VIA, R_DEV, R_NB };

static int
route_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct route_view v;
	char fl[32];

	route_view(nlh, tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		route_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	flags_str(v.flags, fl, sizeof(fl));
	out_table_cell(t, R_TABLE, "%u", v.table);
	out_table_cell(t, R_DST, "%s", v.dst);
	out_table_cell(t, R_SRC, "%s", v.src_len ? v.src : "-");
	out_table_cell(t, R_TYPE, "%s", NAME_OF(rtt_names, v.type));
	if (v.ifl_name != NULL)
		out_table_cell(t, R_IFL, "%s", v.ifl_name);
	else if (v.ifl != 0)
		out_table_cell(t, R_IFL, "%u", v.ifl);
	else
		out_table_cell(t, R_IFL, "-");
	out_table_cell(t, R_FLAGS, "%s", fl);
	out_table_cell(t, R_NH, "%u", v.nh_index);
	out_table_cell(t, R_NHTYPE, "%s", NAME_OF(rnh_names, v.nh_type));
	out_table_cell(t, R_VIA, "%s", v.gw[0] ? v.gw : "-");
	if (v.dev != NULL) {
		out_table_cell(t, R_DEV, "%s", v.dev);
	} else if (v.nh_ifl != 0) {
		out_table_cell(t, R_DEV, "%u", v.nh_ifl);
	} else if (nh_is_list(v.nh_type, &v.list)) {
		char lst[LIST_MAX * IFL_NAME_MAX + 8];

		nh_list_str(&v.list, lst, sizeof(lst));
		out_table_cell(t, R_DEV, "%s", lst);
	} else {
		out_table_cell(t, R_DEV, "-");
	}
	return 0;
}

/* ---- ROUTE: requests ---------------------------------------------------- */

/* What a route command line says. */
struct route_args {
	uint8_t family;
	uint8_t dst[16], dst_len;
	uint8_t src[16], src_len;
	bool has_src, has_table, has_type;
	uint32_t table;
	uint8_t type;
	/* next hop: one of */
	bool has_gw, has_nhtype, has_nhindex;
	uint8_t gw[16];
	const char *dev;
	uint8_t nh_type;
	uint32_t nh_index;
	/* multicast / mgroup: the list (names point into list_buf) */
	unsigned n_members;
	const char *members[LIST_MAX];
	bool local;
	char list_buf[LIST_MAX * IFL_NAME_MAX + LIST_MAX + 8];
	/* flags: iif IFL (RTF_IFCHECK), local-only (RTF_LOCAL) */
	const char *iif;
	bool local_only;
	/* words, for marks */
	char **w_dst, **w_src, **w_table, **w_type, **w_nh, **w_dev, **w_list, **w_iif, **w_lo;
};

/* The IFL,IFL...[,local] word of multicast / mgroup into @a. */
static int
route_list_parse(struct nsctl_ctx *ctx, char **wordp, bool multicast, struct route_args *a)
{
	char *p, *save = NULL;

	if (strlen(*wordp) >= sizeof(a->list_buf))
		return nsctl_err_word(ctx, wordp, "interface list too long");
	strcpy(a->list_buf, *wordp);
	for (p = strtok_r(a->list_buf, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (strcmp(p, "local") == 0) {
			if (!multicast)
				return nsctl_err_word(ctx, wordp, "'local' goes with multicast: an "
						      "mgroup lists the interfaces the group is "
						      "joined on");
			if (a->local)
				return nsctl_err_word(ctx, wordp, "'local' is listed twice");
			a->local = true;
			continue;
		}
		if (strlen(p) >= IFL_NAME_MAX)
			return nsctl_err_word(ctx, wordp, "interface name '%s' too long", p);
		for (unsigned i = 0; i < a->n_members; i++)
			if (strcmp(a->members[i], p) == 0)
				return nsctl_err_word(ctx, wordp, "'%s' is listed twice", p);
		if (a->n_members + a->local >= LIST_MAX)
			return nsctl_err_word(ctx, wordp, "at most %d entries in a list (local "
					      "counts)", LIST_MAX);
		a->members[a->n_members++] = p;
	}
	if (a->n_members == 0 && !a->local)
		return nsctl_err_word(ctx, wordp, "an interface list (IFL[,IFL...]%s) is expected",
				      multicast ? "[,local]" : "");
	if (a->n_members == 0 && !multicast)
		return nsctl_err_word(ctx, wordp, "an mgroup needs the interfaces the group is "
				      "joined on");
	return 0;
}

/*
 * PREFIX [from SRC] [via ADDR [dev IFL] | reject | discard | nexthop N |
 * multicast IFL,...[,local] | mgroup IFL,...] [iif IFL] [local-only]
 * [table N] [type user|user-ignore]. @with_nh: the next hop is required
 * (add, change) or refused (del), and so are the flags.
 */
static int
route_args_parse(struct nsctl_ctx *ctx, int argc, char **argv, bool with_nh, struct route_args *a)
{
	int i, rc;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return nsctl_err_missing(ctx, "a destination prefix (e.g. 10.0.0.0/8)");
	a->w_dst = &argv[0];
	rc = parse_addr_word(ctx, &argv[0], 0, &a->family, a->dst, &a->dst_len,
			     "IPv4 or IPv6 prefix");
	if (rc != 0)
		return rc;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i];
		bool nh_word = strcmp(w, "via") == 0 || strcmp(w, "reject") == 0 ||
			       strcmp(w, "discard") == 0 || strcmp(w, "nexthop") == 0 ||
			       strcmp(w, "multicast") == 0 || strcmp(w, "mgroup") == 0;
		bool flag_word = strcmp(w, "iif") == 0 || strcmp(w, "local-only") == 0;

		if (nh_word && !with_nh)
			return nsctl_err_word(ctx, &argv[i], "a route is deleted by its key: no "
					      "next hop here");
		if (flag_word && !with_nh)
			return nsctl_err_word(ctx, &argv[i], "a route is deleted by its key: no "
					      "flags here");
		if (nh_word && (a->has_gw || a->has_nhtype || a->has_nhindex))
			return nsctl_err_word(ctx, &argv[i], "one next hop per route");
		if (strcmp(w, "from") == 0) {
			uint8_t fam;

			if (++i >= argc)
				return nsctl_err_missing(ctx, "a source prefix after 'from'");
			a->w_src = &argv[i];
			rc = parse_addr_word(ctx, &argv[i], a->family, &fam, a->src, &a->src_len,
					     "source prefix");
			if (rc != 0)
				return rc;
			a->has_src = true;
		} else if (strcmp(w, "via") == 0) {
			uint8_t fam;

			if (++i >= argc)
				return nsctl_err_missing(ctx, "a gateway address after 'via'");
			a->w_nh = &argv[i];
			rc = parse_addr_word(ctx, &argv[i], a->family, &fam, a->gw, NULL,
					     "gateway address");
			if (rc != 0)
				return rc;
			a->has_gw = true;
		} else if (strcmp(w, "dev") == 0) {
			if (!a->has_gw)
				return nsctl_err_word(ctx, &argv[i], "'dev' goes after 'via ADDR'");
			if (++i >= argc)
				return nsctl_err_missing(ctx, "an interface name after 'dev'");
			if (strlen(argv[i]) >= 64)
				return nsctl_err_word(ctx, &argv[i], "interface name too long");
			a->w_dev = &argv[i];
			a->dev = argv[i];
		} else if (strcmp(w, "reject") == 0 || strcmp(w, "discard") == 0) {
			a->w_nh = &argv[i];
			a->has_nhtype = true;
			a->nh_type = strcmp(w, "reject") == 0 ? 1 : 2;
		} else if (strcmp(w, "multicast") == 0 || strcmp(w, "mgroup") == 0) {
			bool mc = strcmp(w, "multicast") == 0;

			if (++i >= argc)
				return nsctl_err_missing(ctx, mc ? "interfaces after 'multicast' "
								   "(IFL[,IFL...][,local])"
								 : "interfaces after 'mgroup' "
								   "(IFL[,IFL...])");
			a->w_nh = &argv[i - 1];
			a->w_list = &argv[i];
			rc = route_list_parse(ctx, &argv[i], mc, a);
			if (rc != 0)
				return rc;
			a->has_nhtype = true;
			a->nh_type = mc ? RNH_MULTICAST_V : RNH_MGROUP_V;
		} else if (strcmp(w, "iif") == 0) {
			if (a->iif != NULL)
				return nsctl_err_word(ctx, &argv[i], "one 'iif' per route");
			if (++i >= argc)
				return nsctl_err_missing(ctx, "an interface name after 'iif'");
			if (strlen(argv[i]) >= IFL_NAME_MAX)
				return nsctl_err_word(ctx, &argv[i], "interface name too long");
			a->w_iif = &argv[i];
			a->iif = argv[i];
		} else if (strcmp(w, "local-only") == 0) {
			a->w_lo = &argv[i];
			a->local_only = true;
		} else if (strcmp(w, "nexthop") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a next-hop index after 'nexthop'");
			a->w_nh = &argv[i];
			rc = parse_u32_word(ctx, &argv[i], UINT32_MAX, "next-hop index", &a->nh_index);
			if (rc != 0)
				return rc;
			a->has_nhindex = true;
		} else if (strcmp(w, "table") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a table id after 'table'");
			a->w_table = &argv[i];
			rc = parse_u32_word(ctx, &argv[i], 4095, "table id", &a->table);
			if (rc != 0)
				return rc;
			a->has_table = true;
		} else if (strcmp(w, "type") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a route type after 'type' (user, user-ignore)");
			a->w_type = &argv[i];
			if (strcmp(argv[i], "user") == 0)
				a->type = 1;
			else if (strcmp(argv[i], "user-ignore") == 0)
				a->type = 2;
			else
				return nsctl_err_word(ctx, &argv[i], "unknown route type '%s' (user, "
						      "user-ignore)", argv[i]);
			a->has_type = true;
		} else {
			return nsctl_err_word(ctx, &argv[i], "unexpected '%s' (from, %stable, type)", w,
					      with_nh ? "via, dev, reject, discard, nexthop, multicast, "
							"mgroup, iif, local-only, "
						      : "");
		}
	}
	if (with_nh && !a->has_gw && !a->has_nhtype && !a->has_nhindex)
		return nsctl_err_missing(ctx, "a next hop (via ADDR, reject, discard, multicast "
					 "IFL,..., mgroup IFL,... or nexthop N)");
	if (a->iif != NULL && a->local_only)
		return nsctl_err_word(ctx, a->w_lo, "iif and local-only exclude each other: a packet "
				      "comes in on an interface or is originated here");
	return 0;
}

/* Mark (if @req) and put the attributes of @a into @b. */
static void
route_args_put(struct nsctl_ctx *ctx, struct nsctl_req *req, struct nsdp_builder *b,
	       const struct route_args *a, void (*mark)(void *m, char *const *w), void *m)
{
	(void)ctx, (void)req;
	if (a->has_table) {
		mark(m, a->w_table);
		nsdp_put_u32(b, NSDP_A_ROUTE_TABLE, a->table);
	}
	mark(m, a->w_dst);
	nsdp_put_u8(b, NSDP_A_ROUTE_FAMILY, a->family);
	nsdp_put_bin(b, NSDP_A_ROUTE_DST, a->dst, 16);
	nsdp_put_u8(b, NSDP_A_ROUTE_DST_LEN, a->dst_len);
	if (a->has_src) {
		mark(m, a->w_src);
		nsdp_put_bin(b, NSDP_A_ROUTE_SRC, a->src, 16);
		nsdp_put_u8(b, NSDP_A_ROUTE_SRC_LEN, a->src_len);
	}
	if (a->has_type) {
		mark(m, a->w_type);
		nsdp_put_u8(b, NSDP_A_ROUTE_TYPE, a->type);
	}
	if (a->has_gw) {
		mark(m, a->w_nh);
		nsdp_put_bin(b, NSDP_A_ROUTE_GATEWAY, a->gw, 16);
		if (a->dev != NULL) {
			mark(m, a->w_dev);
			nsdp_put_str(b, NSDP_A_ROUTE_DEV, a->dev);
		}
	} else if (a->has_nhtype) {
		mark(m, a->w_nh);
		nsdp_put_u8(b, NSDP_A_ROUTE_NH_TYPE, a->nh_type);
		if (a->w_list != NULL)
			mark(m, a->w_list);
		for (unsigned i = 0; i < a->n_members; i++) {
			struct nlattr *nest = nsdp_nest_start(b, NSDP_A_ROUTE_NH_MEMBER);

			nsdp_put_str(b, NSDP_A_NHM_NAME, a->members[i]);
			nsdp_nest_end(b, nest);
		}
		if (a->local)
			nsdp_put_u8(b, NSDP_A_ROUTE_NH_LOCAL, 1);
	} else if (a->has_nhindex) {
		mark(m, a->w_nh);
		nsdp_put_u32(b, NSDP_A_ROUTE_NH_INDEX, a->nh_index);
	}
	if (a->iif != NULL) {
		mark(m, a->w_iif);
		nsdp_put_str(b, NSDP_A_ROUTE_IIF, a->iif);
	}
	if (a->local_only) {
		mark(m, a->w_lo);
		nsdp_put_u16(b, NSDP_A_ROUTE_FLAGS, 0x2 /* RTF_LOCAL */);
	}
}

struct req_marker {
	struct nsctl_ctx *ctx;
	struct nsctl_req *req;
};

static void
req_mark(void *m, char *const *w)
{
	struct req_marker *rm = m;

	if (w != NULL)
		nsctl_req_mark(rm->ctx, rm->req, w);
}

static int
route_write(struct nsctl_ctx *ctx, int argc, char **argv, uint8_t op)
{
	struct route_args a;
	struct nsctl_req *req;
	struct req_marker rm;
	int rc;

	rc = route_args_parse(ctx, argc, argv, op != NSDP_OP_DELETE, &a);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, op), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	rm = (struct req_marker){ ctx, req };
	route_args_put(ctx, req, &req->b, &a, req_mark, &rm);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

/* ---- ROUTE: bulk add in batch mode ---------------------------------------- */

#define ROUTE_CHUNK 160
#define CHUNK_TEXT (ROUTE_CHUNK * 128)

struct chunk_entry {
	uint32_t off;                 /* where the entry's nest starts in the message */
	unsigned lineno;
	uint32_t text_off;            /* the line's text in chunk.text */
	unsigned nmarks;
	struct { uint32_t off; int word; } marks[NSCTL_MARKS];
};

static struct {
	bool open;
	uint8_t op;                   /* NSDP_OP_ADD or NSDP_OP_DELETE */
	unsigned n;
	struct nsdp_builder b;
	char buf[NSDP_MSG_MAX];
	char copy[NSDP_MSG_MAX];      /* the message in host order, for a resend */
	struct chunk_entry e[ROUTE_CHUNK];
	char text[CHUNK_TEXT];
	uint32_t text_len;
} chunk;

struct chunk_marker {
	struct chunk_entry *e;
	char *const *words;
};

static void
chunk_mark(void *m, char *const *w)
{
	struct chunk_marker *cm = m;

	if (w == NULL || cm->e->nmarks == NSCTL_MARKS)
		return;
	cm->e->marks[cm->e->nmarks].off = chunk.b.nlh->nlmsg_len;
	cm->e->marks[cm->e->nmarks].word = (int)(w - cm->words);
	cm->e->nmarks++;
}

/* Split @text into @line the way nsctl does (words separated by blanks). */
static void
line_resplit(struct nsctl_line *line, const char *text, unsigned lineno)
{
	char *p;

	memset(line, 0, sizeof(*line));
	line->lineno = lineno;
	snprintf(line->text, sizeof(line->text), "%s", text);
	memcpy(line->buf, line->text, sizeof(line->buf));
	p = line->buf;
	while (*p != '\0' && line->nwords < NSCTL_MAX_WORDS) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		line->col[line->nwords] = (unsigned)(p - line->buf);
		line->words[line->nwords++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	line->col[line->nwords] = (unsigned)strlen(line->text);
}

/* Send the first @n entries of the chunk and wait for the answer. */
static int
chunk_send(struct nsctl_ctx *ctx, unsigned n, struct nsdp_err *e)
{
	struct nsdp_err err = { 0 };
	const struct nlmsghdr *nlh;
	uint32_t seq = conn_seq(&ctx->conn);
	struct nlmsghdr *h = (struct nlmsghdr *)chunk.buf;
	int len;

	memcpy(chunk.buf, chunk.copy, NSDP_MSG_MAX);
	chunk.b.nlh = h;
	chunk.b.overflow = false;
	h->nlmsg_len = n < chunk.n ? chunk.e[n].off : ((struct nlmsghdr *)chunk.copy)->nlmsg_len;
	h->nlmsg_seq = seq;
	len = nsdp_msg_end(&chunk.b);
	if (len < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "route chunk does not fit in a message");
	if (conn_send(&ctx->conn, chunk.buf, (size_t)len, &err) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
	for (;;) {
		if (conn_recv(&ctx->conn, &nlh, &err) < 0) {
			if (err.errnum == EINTR)
				continue;
			return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
		}
		if (nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR)
			continue; /* notifications: nobody subscribed in batch mode */
		if (conn_decode_error(nlh, e) < 0)
			return nsctl_err(ctx, NSCTL_FAIL, "malformed answer from nsdp");
		return 0;
	}
}

/* ctx->flush: send the pending chunk, report the first failing line. */
static int
chunk_flush(struct nsctl_ctx *ctx)
{
	struct nsdp_err e = { 0 };
	unsigned bad;
	int rc;

	ctx->flush = NULL;
	if (!chunk.open || chunk.n == 0) {
		chunk.open = false;
		return 0;
	}
	chunk.open = false;
	/* Keep a host-order copy: a refused chunk is partly sent again. */
	memcpy(chunk.copy, chunk.buf, NSDP_MSG_MAX);
	rc = nsctl_drain(ctx);
	if (rc == 0)
		rc = chunk_send(ctx, chunk.n, &e);
	if (rc != 0 || e.errnum == 0) {
		chunk.n = 0;
		return rc;
	}
	/* Which line: the entry holding the offending offset. */
	for (bad = 0; bad + 1 < chunk.n && chunk.e[bad + 1].off <= e.offset; bad++)
		;
	if (bad > 0) {
		struct nsdp_err e2 = { 0 };

		rc = chunk_send(ctx, bad, &e2);
		if (rc == 0 && e2.errnum != 0)
			return nsctl_err(ctx, NSCTL_FAIL, "%s", e2.msg);
	}
	{
		static struct nsctl_line line;
		const struct nsctl_line *saved = ctx->line;
		const char *saved_what = ctx->what;
		struct chunk_entry *ce = &chunk.e[bad];
		int word = -1;

		line_resplit(&line, chunk.text + ce->text_off, ce->lineno);
		for (unsigned i = 0; i < ce->nmarks; i++)
			if (ce->marks[i].off <= e.offset)
				word = ce->marks[i].word;
		ctx->line = &line;
		ctx->what = chunk.op == NSDP_OP_ADD ? "route add" : "route del";
		chunk.n = 0;
		if (word >= 0 && word < line.nwords)
			rc = nsctl_err_word(ctx, &line.words[word], "%s", e.msg);
		else
			rc = nsctl_err(ctx, NSCTL_FAIL, "%s", e.msg);
		ctx->line = saved;
		ctx->what = saved_what;
	}
	return NSCTL_FAIL;
}

/* Batch mode: put the route add / del into the pending chunk. */
static int
route_batched(struct nsctl_ctx *ctx, char **argv, const struct route_args *a, uint8_t op)
{
	const struct nsctl_line *line = ctx->line;
	struct chunk_marker cm;
	struct chunk_entry *ce;
	struct nlattr *nest;
	size_t tlen;
	int rc;

	rc = nsctl_connect(ctx);
	if (rc != 0)
		return rc;
	tlen = line != NULL ? strlen(line->text) + 1 : 1;
	/* Room for one more entry (about 120 bytes, 80 more per listed ifl) and its text? */
	if (chunk.open && (chunk.op != op || chunk.n == ROUTE_CHUNK ||
			   chunk.b.nlh->nlmsg_len + 160 + 80 * a->n_members > NSDP_MSG_MAX ||
			   chunk.text_len + tlen > CHUNK_TEXT)) {
		rc = chunk_flush(ctx);
		if (rc != 0)
			return rc;
	}
	if (!chunk.open) {
		nsdp_msg_start(&chunk.b, chunk.buf, sizeof(chunk.buf),
			       NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, op), NLM_F_REQUEST | NLM_F_ACK, 0);
		chunk.op = op;
		chunk.open = true;
		chunk.n = 0;
		chunk.text_len = 0;
		ctx->flush = chunk_flush;
	}
	ce = &chunk.e[chunk.n];
	ce->off = chunk.b.nlh->nlmsg_len;
	ce->lineno = line != NULL ? line->lineno : 0;
	ce->text_off = chunk.text_len;
	ce->nmarks = 0;
	if (line != NULL && tlen <= CHUNK_TEXT - chunk.text_len)
		memcpy(chunk.text + chunk.text_len, line->text, tlen);
	else
		chunk.text[chunk.text_len] = '\0';
	chunk.text_len += (uint32_t)tlen;
	cm = (struct chunk_marker){ ce, line != NULL ? (char *const *)line->words : argv };
	nest = nsdp_nest_start(&chunk.b, NSDP_A_ROUTE_ENTRY);
	route_args_put(ctx, NULL, &chunk.b, a, chunk_mark, &cm);
	nsdp_nest_end(&chunk.b, nest);
	if (chunk.b.overflow)
		return nsctl_err(ctx, NSCTL_FAIL, "route does not fit in a message");
	chunk.n++;
	return 0;
}

static int
route_add(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct route_args a;
	int rc;

	if (!ctx->batch)
		return route_write(ctx, argc, argv, NSDP_OP_ADD);
	rc = route_args_parse(ctx, argc, argv, true, &a);
	if (rc != 0)
		return rc;
	return route_batched(ctx, argv, &a, NSDP_OP_ADD);
}

static int
route_change(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return route_write(ctx, argc, argv, NSDP_OP_CHANGE);
}

static int
route_del(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct route_args a;
	int rc;

	if (!ctx->batch)
		return route_write(ctx, argc, argv, NSDP_OP_DELETE);
	rc = route_args_parse(ctx, argc, argv, false, &a);
	if (rc != 0)
		return rc;
	return route_batched(ctx, argv, &a, NSDP_OP_DELETE);
}

static int
route_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[R_NB] = {
		"TABLE", "DESTINATION", "SOURCE", "TYPE", "IFL", "FLAGS", "NH", "NH_TYPE", "VIA",
		"DEV",
	};
	struct out_table *t;
	struct nsctl_req *req;
	uint32_t table = 0;
	bool has_table = false;
	uint8_t family = 0;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "table") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a table id after 'table'");
			rc = parse_u32_word(ctx, &argv[i], 4095, "table id", &table);
			if (rc != 0)
				return rc;
			has_table = true;
		} else if (strcmp(argv[i], "-4") == 0 || strcmp(argv[i], "ipv4") == 0) {
			family = 4;
		} else if (strcmp(argv[i], "-6") == 0 || strcmp(argv[i], "ipv6") == 0) {
			family = 6;
		} else {
			return nsctl_err_word(ctx, &argv[i], "unexpected '%s' (table N, ipv4, ipv6)",
					      argv[i]);
		}
	}
	t = out_table_new(R_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < R_NB; c++)
		out_table_col(t, c, hdr[c], c == R_TABLE || c == R_NH ? OUT_RIGHT : OUT_LEFT);
	/* A filtered dump: the filters ride in the resume key. */
	rc = nsctl_connect(ctx);
	if (rc == 0)
		rc = nsctl_drain(ctx);
	if (rc != 0) {
		out_table_free(t);
		return rc;
	}
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_GETNEXT), 0);
	if (req == NULL) {
		out_table_free(t);
		return NSCTL_FAIL;
	}
	if (has_table)
		nsdp_put_u32(&req->b, NSDP_A_ROUTE_DUMP_TABLE, table);
	if (family != 0)
		nsdp_put_u8(&req->b, NSDP_A_ROUTE_DUMP_FAMILY, family);
	if (ctx->json)
		out_json_arr_begin(&ctx->js);
	rc = nsctl_req_send(ctx, req, route_row, t);
	if (ctx->json) {
		out_json_arr_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	} else if (rc == 0) {
		out_table_print(t, ctx->out);
	}
	out_table_free(t);
	return rc;
}

static int
route_get_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb,
		void *arg)
{
	struct route_view v;
	char fl[32];

	(void)arg;
	route_view(nlh, tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		route_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	flags_str(v.flags, fl, sizeof(fl));
	fprintf(ctx->out, "%s", v.dst);
	if (v.src_len > 0)
		fprintf(ctx->out, " from %s", v.src);
	fprintf(ctx->out, " table %u type %s", v.table, NAME_OF(rtt_names, v.type));
	if (v.ifl_name != NULL)
		fprintf(ctx->out, " ifl %s", v.ifl_name);
	else if (v.ifl != 0)
		fprintf(ctx->out, " ifl %u", v.ifl);
	if (v.flags != 0)
		fprintf(ctx->out, " flags %s", fl);
	fprintf(ctx->out, " nexthop %u %s", v.nh_index, NAME_OF(rnh_names, v.nh_type));
	if (v.gw[0])
		fprintf(ctx->out, " via %s", v.gw);
	if (v.dev != NULL)
		fprintf(ctx->out, " dev %s", v.dev);
	else if (v.nh_ifl != 0)
		fprintf(ctx->out, " dev %u", v.nh_ifl);
	if (nh_is_list(v.nh_type, &v.list)) {
		char lst[LIST_MAX * IFL_NAME_MAX + 8];

		nh_list_str(&v.list, lst, sizeof(lst));
		fprintf(ctx->out, " ifls %s", lst);
	}
	if (v.has_verdict)
		fprintf(ctx->out, ": %s", NAME_OF(verdicts, v.verdict));
	fputc('\n', ctx->out);
	return 0;
}

/* route get ADDR [from ADDR] [iif IFL] [table N] */
static int
route_get(struct nsctl_ctx *ctx, int argc, char **argv)
{
	uint8_t family, fam2, dst[16], src[16];
	char **w_src = NULL, **w_iif = NULL, **w_table = NULL;
	struct nsctl_req *req;
	uint32_t table = 0;
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "a destination address");
	rc = parse_addr_word(ctx, &argv[0], 0, &family, dst, NULL, "IPv4 or IPv6 address");
	if (rc != 0)
		return rc;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "from") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a source address after 'from'");
			rc = parse_addr_word(ctx, &argv[i], family, &fam2, src, NULL, "source address");
			if (rc != 0)
				return rc;
			w_src = &argv[i];
		} else if (strcmp(argv[i], "iif") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "an interface name after 'iif'");
			if (strlen(argv[i]) >= 64)
				return nsctl_err_word(ctx, &argv[i], "interface name too long");
			w_iif = &argv[i];
		} else if (strcmp(argv[i], "table") == 0) {
			if (++i >= argc)
				return nsctl_err_missing(ctx, "a table id after 'table'");
			rc = parse_u32_word(ctx, &argv[i], 4095, "table id", &table);
			if (rc != 0)
				return rc;
			w_table = &argv[i];
		} else {
			return nsctl_err_word(ctx, &argv[i], "unexpected '%s' (from, iif, table)",
					      argv[i]);
		}
	}
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	if (w_table != NULL) {
		nsctl_req_mark(ctx, req, w_table);
		nsdp_put_u32(&req->b, NSDP_A_ROUTE_TABLE, table);
	}
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u8(&req->b, NSDP_A_ROUTE_FAMILY, family);
	nsdp_put_bin(&req->b, NSDP_A_ROUTE_DST, dst, 16);
	if (w_src != NULL) {
		nsctl_req_mark(ctx, req, w_src);
		nsdp_put_bin(&req->b, NSDP_A_ROUTE_SRC, src, 16);
	}
	if (w_iif != NULL) {
		nsctl_req_mark(ctx, req, w_iif);
		nsdp_put_str(&req->b, NSDP_A_ROUTE_IIF, *w_iif);
	}
	return nsctl_req_send(ctx, req, route_get_print, NULL);
}

/* ---- NEXTHOP -------------------------------------------------------------- */

enum { N_INDEX, N_FAMILY, N_TYPE, N_IFL, N_ADDR, N_REFS, N_PORT, N_MTU, N_NB };

static int
nexthop_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	uint8_t family = tb[NSDP_A_NEXTHOP_FAMILY] ? nsdp_get_u8(tb[NSDP_A_NEXTHOP_FAMILY]) : 4;
	uint8_t type = tb[NSDP_A_NEXTHOP_TYPE] ? nsdp_get_u8(tb[NSDP_A_NEXTHOP_TYPE]) : 0;
	uint32_t ifl = tb[NSDP_A_NEXTHOP_IFL] ? nsdp_get_u32(tb[NSDP_A_NEXTHOP_IFL]) : 0;
	const char *ifl_name = tb[NSDP_A_NEXTHOP_IFL_NAME] ? nsdp_get_str(tb[NSDP_A_NEXTHOP_IFL_NAME])
							   : NULL;
	char addr[INET6_ADDRSTRLEN] = "";
	char lst[LIST_MAX * IFL_NAME_MAX + 8];
	struct nh_list_view l;
	bool has_addr = false, is_list;

	nh_list_view(nlh, tb, NSDP_A_NEXTHOP_MEMBER, NSDP_A_NEXTHOP_LOCAL, &l);
	is_list = nh_is_list(type, &l);
	nh_list_str(&l, lst, sizeof(lst));
	if (tb[NSDP_A_NEXTHOP_ADDR] != NULL) {
		static const uint8_t zero[16];
		const uint8_t *p = mnl_attr_get_payload(tb[NSDP_A_NEXTHOP_ADDR]);

		has_addr = memcmp(p, zero, 16) != 0 || type == 8 || type == 12;
		inet_ntop(family == 6 ? AF_INET6 : AF_INET, p, addr, sizeof(addr));
	}
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_ku64(&ctx->js, "index", tb[NSDP_A_NEXTHOP_INDEX] ?
					 nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]) : 0);
		out_json_ku64(&ctx->js, "family", family);
		out_json_kstr(&ctx->js, "type", NAME_OF(rnh_names, type));
		out_json_ku64(&ctx->js, "ifl", ifl);
		if (ifl_name != NULL)
			out_json_kstr(&ctx->js, "ifl_name", ifl_name);
		if (has_addr)
			out_json_kstr(&ctx->js, "addr", addr);
		if (tb[NSDP_A_NEXTHOP_REFCNT])
			out_json_ku64(&ctx->js, "refs", nsdp_get_u32(tb[NSDP_A_NEXTHOP_REFCNT]));
		if (tb[NSDP_A_NEXTHOP_PORT])
			out_json_ku64(&ctx->js, "port", nsdp_get_u16(tb[NSDP_A_NEXTHOP_PORT]));
		if (tb[NSDP_A_NEXTHOP_MTU])
			out_json_ku64(&ctx->js, "mtu", nsdp_get_u16(tb[NSDP_A_NEXTHOP_MTU]));
		if (tb[NSDP_A_NEXTHOP_RESOLVER])
			out_json_kstr(&ctx->js, "resolver", nsdp_get_str(tb[NSDP_A_NEXTHOP_RESOLVER]));
		if (is_list)
			nh_list_json(&ctx->js, "ifls", "local", &l);
		out_json_obj_end(&ctx->js);
		if (t == NULL)
			out_json_end_doc(&ctx->js);
		return 0;
	}
	if (t == NULL) {
		t = out_table_new(2);
		if (t == NULL)
			return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
		out_table_row(t); out_table_cell(t, 0, "nexthop");
		out_table_cell(t, 1, "%u", nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]));
		out_table_row(t); out_table_cell(t, 0, "family"); out_table_cell(t, 1, "ipv%u", family);
		out_table_row(t); out_table_cell(t, 0, "type");
		out_table_cell(t, 1, "%s", NAME_OF(rnh_names, type));
		if (ifl != 0) {
			out_table_row(t); out_table_cell(t, 0, "ifl");
			if (ifl_name != NULL)
				out_table_cell(t, 1, "%s (%u)", ifl_name, ifl);
			else
				out_table_cell(t, 1, "%u", ifl);
		}
		if (is_list) {
			out_table_row(t); out_table_cell(t, 0, "ifls");
			out_table_cell(t, 1, "%s", lst);
		}
		if (has_addr) {
			out_table_row(t); out_table_cell(t, 0, "address"); out_table_cell(t, 1, "%s", addr);
		}
		if (tb[NSDP_A_NEXTHOP_REFCNT]) {
			out_table_row(t); out_table_cell(t, 0, "references");
			out_table_cell(t, 1, "%u", nsdp_get_u32(tb[NSDP_A_NEXTHOP_REFCNT]));
		}
		if (tb[NSDP_A_NEXTHOP_PORT]) {
			out_table_row(t); out_table_cell(t, 0, "port");
			out_table_cell(t, 1, "%u", nsdp_get_u16(tb[NSDP_A_NEXTHOP_PORT]));
		}
		if (tb[NSDP_A_NEXTHOP_MTU]) {
			out_table_row(t); out_table_cell(t, 0, "mtu");
			out_table_cell(t, 1, "%u", nsdp_get_u16(tb[NSDP_A_NEXTHOP_MTU]));
		}
		if (tb[NSDP_A_NEXTHOP_RESOLVER]) {
			out_table_row(t); out_table_cell(t, 0, "resolver");
			out_table_cell(t, 1, "%s", nsdp_get_str(tb[NSDP_A_NEXTHOP_RESOLVER]));
		}
		out_table_print(t, ctx->out);
		out_table_free(t);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, N_INDEX, "%u", nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]));
	out_table_cell(t, N_FAMILY, "ipv%u", family);
	out_table_cell(t, N_TYPE, "%s", NAME_OF(rnh_names, type));
	if (ifl_name != NULL)
		out_table_cell(t, N_IFL, "%s", ifl_name);
	else if (ifl != 0)
		out_table_cell(t, N_IFL, "%u", ifl);
	else if (is_list)
		out_table_cell(t, N_IFL, "%s", lst);
	else
		out_table_cell(t, N_IFL, "-");
	out_table_cell(t, N_ADDR, "%s", has_addr ? addr : "-");
	out_table_cell(t, N_REFS, "%u",
		       tb[NSDP_A_NEXTHOP_REFCNT] ? nsdp_get_u32(tb[NSDP_A_NEXTHOP_REFCNT]) : 0);
	if (tb[NSDP_A_NEXTHOP_PORT])
		out_table_cell(t, N_PORT, "%u", nsdp_get_u16(tb[NSDP_A_NEXTHOP_PORT]));
	else
		out_table_cell(t, N_PORT, "-");
	if (tb[NSDP_A_NEXTHOP_MTU])
		out_table_cell(t, N_MTU, "%u", nsdp_get_u16(tb[NSDP_A_NEXTHOP_MTU]));
	else
		out_table_cell(t, N_MTU, "-");
	return 0;
}

static int
nexthop_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[N_NB] = {
		"NH", "FAMILY", "TYPE", "IFL", "ADDRESS", "REFS", "PORT", "MTU",
	};
	struct out_table *t;
	struct nsctl_req *req;
	uint32_t index;
	int rc;

	if (argc >= 1) {
		rc = parse_u32_word(ctx, &argv[0], UINT32_MAX, "next-hop index", &index);
		if (rc == 0)
			rc = nsctl_no_more(ctx, argc, argv, 1);
		if (rc != 0)
			return rc;
		req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_NEXTHOP, NSDP_OP_GET), 0);
		if (req == NULL)
			return NSCTL_FAIL;
		nsctl_req_mark(ctx, req, &argv[0]);
		nsdp_put_u32(&req->b, NSDP_A_NEXTHOP_INDEX, index);
		return nsctl_req_send(ctx, req, nexthop_row, NULL);
	}
	t = out_table_new(N_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < N_NB; c++)
		out_table_col(t, c, hdr[c],
			      c == N_INDEX || c == N_REFS || c == N_PORT || c == N_MTU ? OUT_RIGHT
										 : OUT_LEFT);
	return nsctl_dump_table(ctx, NSDP_OBJ_NEXTHOP, nexthop_row, t);
}

static const struct nsctl_cmd route_cmds[] = {
	{ "table", "add", table_add,
	  "table add ID\n"
	  "Create routing instance ID (1..4095) with its IPv4 and IPv6 tables and\n"
	  "their permanent routes." },
	{ "table", "del", table_del,
	  "table del ID\n"
	  "Delete routing instance ID and every route in it. Refused while an interface\n"
	  "is in it; table 0 always exists." },
	{ "table", "show", table_show,
	  "table show [ID]\n"
	  "List the routing instances (routes per family, forwarding structure size),\n"
	  "or show one." },
	{ "route", "add", route_add,
	  "route add PREFIX [from SRC/LEN] (via ADDR [dev IFL] | reject | discard | nexthop N |\n"
	  "          multicast IFL[,IFL...][,local] | mgroup IFL[,IFL...])\n"
	  "          [iif IFL] [local-only] [table N] [type user|user-ignore]\n"
	  "Add a user route; it replaces the user route of the same key. 'via' resolves\n"
	  "the gateway among interface routes (dev IFL: of that interface only). A\n"
	  "source prefix needs a full-length destination ((S,G) routes). 'multicast'\n"
	  "copies packets to a multicast destination out of each listed interface\n"
	  "('local': a copy for this system); 'mgroup' receives a group on the listed\n"
	  "interfaces. 'iif IFL': only packets that came in on IFL use the route (the\n"
	  "RPF check of multicast routes); 'local-only': only packets originated here.\n"
	  "In batch mode consecutive adds travel many to a message." },
	{ "route", "change", route_change,
	  "route change PREFIX [from SRC/LEN] (via ADDR [dev IFL] | reject | discard | nexthop N |\n"
	  "             multicast IFL[,IFL...][,local] | mgroup IFL[,IFL...])\n"
	  "             [iif IFL] [local-only] [table N] [type user|user-ignore]\n"
	  "Change the next hop and flags of an existing user route." },
	{ "route", "del", route_del,
	  "route del PREFIX [from SRC/LEN] [table N] [type user|user-ignore]\n"
	  "Delete the user route of the key. Permanent routes cannot be deleted. In\n"
	  "batch mode consecutive deletes travel many to a message." },
	{ "route", "show", route_show,
	  "route show [table N] [ipv4|ipv6]\n"
	  "List every route (all types), in key order, routes of one key in preference order." },
	{ "route", "get", route_get,
	  "route get ADDR [from ADDR] [iif IFL] [table N]\n"
	  "Show the forwarding decision for a packet to ADDR (from a source, received on\n"
	  "an interface; without iif: originated here): the route, its next hop and\n"
	  "whether the route's flags let the packet through." },
	{ "nexthop", "show", nexthop_show,
	  "nexthop show [N]\n"
	  "List the next hops (type, interface or list of interfaces, address,\n"
	  "references), or show next hop N." },
};
NSCTL_REGISTER(route_cmds)
