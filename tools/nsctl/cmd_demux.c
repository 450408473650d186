/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_demux.c: `nsctl demux show DEV`: the L2 demux table of an ifd, one
 * entry per line with its prefix decoded (docs/l2demux.md), or a JSON
 * array with -j. `nsctl demux show` without DEV, `demux show l3 [table N]`
 * and `demux show early [IFL]`: the L3 protocol demux and early demux
 * entries with their match counters (docs/local-delivery.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

enum { C_PREFIX, C_BITS, C_IFL, C_HANDLER, C_STRIP, C_NB };

struct demux_view {
	const char *ifd, *text, *handler;
	uint16_t bits;
	uint32_t ifl;
	bool strip;
	char hex[2 * NSDP_L2DEMUX_PREFIX_LEN + 1];
};

static void
demux_view(const struct nlattr **tb, struct demux_view *v)
{
	memset(v, 0, sizeof(*v));
	v->ifd = tb[NSDP_A_L2DEMUX_IFD] ? nsdp_get_str(tb[NSDP_A_L2DEMUX_IFD]) : "";
	v->text = tb[NSDP_A_L2DEMUX_TEXT] ? nsdp_get_str(tb[NSDP_A_L2DEMUX_TEXT]) : "";
	v->handler = tb[NSDP_A_L2DEMUX_HANDLER] ? nsdp_get_str(tb[NSDP_A_L2DEMUX_HANDLER]) : "";
	v->bits = tb[NSDP_A_L2DEMUX_BITS] ? nsdp_get_u16(tb[NSDP_A_L2DEMUX_BITS]) : 0;
	v->ifl = tb[NSDP_A_L2DEMUX_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_L2DEMUX_IFL_INDEX]) : 0;
	v->strip = tb[NSDP_A_L2DEMUX_STRIP] && nsdp_get_u8(tb[NSDP_A_L2DEMUX_STRIP]);
	if (tb[NSDP_A_L2DEMUX_PREFIX]) {
		const uint8_t *p = mnl_attr_get_payload(tb[NSDP_A_L2DEMUX_PREFIX]);

		/* The prefix's bytes only (the attribute is zero-padded). */
		for (unsigned i = 0; i < (v->bits + 7u) / 8 && i < NSDP_L2DEMUX_PREFIX_LEN; i++)
			snprintf(v->hex + 2 * i, 3, "%02x", p[i]);
	}
}

static int
demux_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct demux_view v;

	(void)nlh;
	demux_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "ifd", v.ifd);
		out_json_kstr(&ctx->js, "prefix", v.text);
		out_json_kstr(&ctx->js, "key", v.hex);
		out_json_ku64(&ctx->js, "bits", v.bits);
		out_json_ku64(&ctx->js, "ifl_index", v.ifl);
		out_json_kstr(&ctx->js, "handler", v.handler);
		out_json_kbool(&ctx->js, "strip", v.strip);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, C_PREFIX, "%s", v.text);
	out_table_cell(t, C_BITS, "%u", v.bits);
	out_table_cell(t, C_IFL, "%u", v.ifl);
	out_table_cell(t, C_HANDLER, "%s", v.handler);
	out_table_cell(t, C_STRIP, "%s", v.strip ? "yes" : "no");
	return 0;
}

/* ---- L3 and early demux ------------------------------------------------- */

enum { L_TABLE, L_FAMILY, L_PROTO, L_DST, L_SRC, L_TRANSPORT, L_OWNER, L_MATCHES, L_NB };

static void
prefix_text(const struct nlattr *a, const struct nlattr *len, uint8_t family, char *buf,
	    size_t size)
{
	uint8_t l = len != NULL ? nsdp_get_u8(len) : 0;
	char addr[INET6_ADDRSTRLEN];

	if (a == NULL || l == 0) {
		snprintf(buf, size, "*");
		return;
	}
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, mnl_attr_get_payload(a), addr,
		      sizeof(addr)) == NULL)
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, size, "%s/%u", addr, l);
}

/* The 4 transport bytes as hex, '*' for a wildcarded nibble ("0000*035"). */
static void
transport_text(const struct nlattr *tp, const struct nlattr *mask, char *buf, size_t size,
	       bool *any)
{
	const uint8_t *v = tp != NULL ? mnl_attr_get_payload(tp) : NULL;
	const uint8_t *m = mask != NULL ? mnl_attr_get_payload(mask) : NULL;
	static const char hex[] = "0123456789abcdef";
	size_t j = 0;

	*any = true;
	for (unsigned i = 0; i < 4 && j + 2 < size; i++) {
		uint8_t mb = m != NULL ? m[i] : 0, vb = v != NULL ? v[i] : 0;

		if (mb != 0)
			*any = false;
		buf[j++] = (mb & 0xf0) == 0xf0 ? hex[vb >> 4] : (mb & 0xf0) ? '?' : '*';
		buf[j++] = (mb & 0x0f) == 0x0f ? hex[vb & 0xf] : (mb & 0x0f) ? '?' : '*';
	}
	buf[j] = 0;
	if (*any)
		snprintf(buf, size, "*");
}

static int
l3_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	uint8_t kind = tb[NSDP_A_L3DEMUX_KIND] ? nsdp_get_u8(tb[NSDP_A_L3DEMUX_KIND]) : 0;
	uint8_t fam = tb[NSDP_A_L3DEMUX_FAMILY] ? nsdp_get_u8(tb[NSDP_A_L3DEMUX_FAMILY]) : 4;
	uint8_t proto = tb[NSDP_A_L3DEMUX_PROTO] ? nsdp_get_u8(tb[NSDP_A_L3DEMUX_PROTO]) : 0;
	uint16_t table = tb[NSDP_A_L3DEMUX_TABLE] ? nsdp_get_u16(tb[NSDP_A_L3DEMUX_TABLE]) : 0;
	const char *ifl = tb[NSDP_A_L3DEMUX_IFL] ? nsdp_get_str(tb[NSDP_A_L3DEMUX_IFL]) : "";
	const char *owner = tb[NSDP_A_L3DEMUX_OWNER] ? nsdp_get_str(tb[NSDP_A_L3DEMUX_OWNER]) : "";
	uint64_t matches = tb[NSDP_A_L3DEMUX_MATCHES] ? nsdp_get_u64(tb[NSDP_A_L3DEMUX_MATCHES]) : 0;
	uint32_t id = tb[NSDP_A_L3DEMUX_ID] ? nsdp_get_u32(tb[NSDP_A_L3DEMUX_ID]) : 0;
	uint32_t rank = tb[NSDP_A_L3DEMUX_RANK] ? nsdp_get_u32(tb[NSDP_A_L3DEMUX_RANK]) : 0;
	char dst[64], src[64], tp[16], tab[80];
	bool any;

	(void)nlh;
	prefix_text(tb[NSDP_A_L3DEMUX_DST], tb[NSDP_A_L3DEMUX_DST_LEN], fam, dst, sizeof(dst));
	prefix_text(tb[NSDP_A_L3DEMUX_SRC], tb[NSDP_A_L3DEMUX_SRC_LEN], fam, src, sizeof(src));
	transport_text(tb[NSDP_A_L3DEMUX_TP], tb[NSDP_A_L3DEMUX_TP_MASK], tp, sizeof(tp), &any);
	if (kind == 1)
		snprintf(tab, sizeof(tab), "early %s", ifl);
	else if (table == NSDP_L3DEMUX_TABLE_ANY)
		snprintf(tab, sizeof(tab), "l3 any");
	else
		snprintf(tab, sizeof(tab), "l3 %u", table);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_ku64(&ctx->js, "id", id);
		out_json_kstr(&ctx->js, "kind", kind == 1 ? "early" : "l3");
		if (kind == 1)
			out_json_kstr(&ctx->js, "ifl", ifl);
		else if (table == NSDP_L3DEMUX_TABLE_ANY)
			out_json_kstr(&ctx->js, "table", "any");
		else
			out_json_ku64(&ctx->js, "table", table);
		out_json_ku64(&ctx->js, "family", fam);
		out_json_ku64(&ctx->js, "proto", proto);
		out_json_kstr(&ctx->js, "dst", dst);
		out_json_kstr(&ctx->js, "src", src);
		out_json_kstr(&ctx->js, "transport", tp);
		out_json_ku64(&ctx->js, "rank", rank);
		out_json_kstr(&ctx->js, "owner", owner);
		out_json_ku64(&ctx->js, "matches", matches);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, L_TABLE, "%s", tab);
	out_table_cell(t, L_FAMILY, "%s", fam == 6 ? "inet6" : "inet");
	out_table_cell(t, L_PROTO, "%u", proto);
	out_table_cell(t, L_DST, "%s", dst);
	out_table_cell(t, L_SRC, "%s", src);
	out_table_cell(t, L_TRANSPORT, "%s", tp);
	out_table_cell(t, L_OWNER, "%s", owner);
	out_table_cell(t, L_MATCHES, "%llu", (unsigned long long)matches);
	return 0;
}

/* demux show [l3 [table N] | early [IFL]] */
static int
demux_show_l3(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[L_NB] = { "TABLE", "FAMILY", "PROTO", "DST", "SRC",
					       "TRANSPORT", "OWNER", "MATCHES" };
	struct nsctl_req *req;
	struct out_table *t;
	int kind = -1, used = 0, rc;
	long table = -1;
	const char *ifl = NULL;

	if (argc >= 1 && strcmp(argv[0], "l3") == 0) {
		kind = 0;
		used = 1;
		if (argc >= 2) {
			char *end;

			if (strcmp(argv[1], "table") != 0)
				return nsctl_err_word(ctx, &argv[1], "expected 'table', not '%s'",
						      argv[1]);
			if (argc < 3)
				return nsctl_err_missing(ctx, "N (a routing instance, or 'any')");
			if (strcmp(argv[2], "any") == 0) {
				table = NSDP_L3DEMUX_TABLE_ANY;
			} else {
				errno = 0;
				table = strtol(argv[2], &end, 10);
				if (errno != 0 || *end != '\0' || end == argv[2] || table < 0 ||
				    table >= NSDP_L3DEMUX_TABLE_ANY)
					return nsctl_err_word(ctx, &argv[2],
							      "'%s' is not a routing instance",
							      argv[2]);
			}
			used = 3;
		}
	} else if (argc >= 1 && strcmp(argv[0], "early") == 0) {
		kind = 1;
		used = 1;
		if (argc >= 2) {
			if (argv[1][0] == '\0' || strlen(argv[1]) >= 64)
				return nsctl_err_word(ctx, &argv[1], "'%s' is not an ifl name",
						      argv[1]);
			ifl = argv[1];
			used = 2;
		}
	}
	rc = nsctl_no_more(ctx, argc, argv, used);
	if (rc != 0)
		return rc;
	t = out_table_new(L_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < L_NB; c++)
		out_table_col(t, c, hdr[c], c == L_PROTO || c == L_MATCHES ? OUT_RIGHT : OUT_LEFT);
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_L3DEMUX, NSDP_OP_GETNEXT), 0);
	if (req == NULL) {
		out_table_free(t);
		return NSCTL_FAIL;
	}
	if (kind >= 0)
		nsdp_put_u8(&req->b, NSDP_A_L3DEMUX_KIND, (uint8_t)kind);
	if (table >= 0) {
		nsctl_req_mark(ctx, req, &argv[2]);
		nsdp_put_u16(&req->b, NSDP_A_L3DEMUX_TABLE, (uint16_t)table);
	}
	if (ifl != NULL) {
		nsctl_req_mark(ctx, req, &argv[1]);
		nsdp_put_str(&req->b, NSDP_A_L3DEMUX_IFL, ifl);
	}
	if (ctx->json)
		out_json_arr_begin(&ctx->js);
	rc = nsctl_req_send(ctx, req, l3_row, t);
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
demux_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[C_NB] = { "PREFIX", "BITS", "IFL", "HANDLER", "STRIP" };
	struct nsctl_req *req;
	struct out_table *t;
	int rc;

	if (argc < 1 || strcmp(argv[0], "l3") == 0 || strcmp(argv[0], "early") == 0)
		return demux_show_l3(ctx, argc, argv);
	if (argv[0][0] == '\0' || strlen(argv[0]) >= 64)
		return nsctl_err_word(ctx, &argv[0], "'%s' is not an ifd name", argv[0]);
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	t = out_table_new(C_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < C_NB; c++)
		out_table_col(t, c, hdr[c], c == C_BITS || c == C_IFL ? OUT_RIGHT : OUT_LEFT);
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_L2DEMUX, NSDP_OP_GETNEXT), 0);
	if (req == NULL) {
		out_table_free(t);
		return NSCTL_FAIL;
	}
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_L2DEMUX_IFD, argv[0]);
	if (ctx->json)
		out_json_arr_begin(&ctx->js);
	/* A dump: answered completely (every part) before this returns. */
	rc = nsctl_req_send(ctx, req, demux_row, t);
	if (ctx->json) {
		out_json_arr_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	} else if (rc == 0) {
		out_table_print(t, ctx->out);
	}
	out_table_free(t);
	return rc;
}

static const struct nsctl_cmd demux_cmds[] = {
	{ "demux", "show", demux_show,
	  "demux show DEV | demux show [l3 [table N|any] | early [IFL]]\n"
	  "With DEV: list the L2 demux entries of ifd DEV: the prefix of the frames\n"
	  "each one takes (tags, type, PPPoE session, LLC/SNAP, decoded), its length\n"
	  "in bits, the ifl_index those frames get, the handler they go to and\n"
	  "whether their L2 header is stripped first. The longest matching prefix\n"
	  "wins; (any) matches every frame.\n"
	  "Without DEV, or with l3 / early: list the L3 protocol demux entries of\n"
	  "every routing instance (or of table N; 'any' = entries serving every\n"
	  "instance) and the early demux entries of every ifl (or of IFL), each\n"
	  "with its destination and source prefixes, protocol, first 4 transport\n"
	  "bytes ('*' = wildcarded nibble), owner and packets matched. Each table\n"
	  "is listed in best-match order." },
};
NSCTL_REGISTER(demux_cmds)
