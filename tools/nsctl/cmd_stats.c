/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_stats.c: `nsctl stats ...`: per-port packet and byte counters and the
 * drop counters by named reason; reset a port's counters.
 */
#include <string.h>

#include "nsctl.h"

#define DROPS_MAX 64

struct stats_view {
	uint32_t port;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, drops_total;
	unsigned nb_drops;
	struct { const char *name; uint64_t count; } drops[DROPS_MAX];
};

/*
 * The drops nest holds one DROP_ENTRY nest per reason; entries repeat, so
 * they are walked rather than parsed into a table. The codec has checked
 * the framing; lengths are checked here.
 */
static int
stats_view(struct nsctl_ctx *ctx, const struct nlattr **tb, struct stats_view *v)
{
	const struct nlattr *e, *a;

	memset(v, 0, sizeof(*v));
	v->port = tb[NSDP_A_STATS_PORT] ? nsdp_get_u32(tb[NSDP_A_STATS_PORT]) : 0;
	v->rx_packets = tb[NSDP_A_STATS_RX_PACKETS] ? nsdp_get_u64(tb[NSDP_A_STATS_RX_PACKETS]) : 0;
	v->rx_bytes = tb[NSDP_A_STATS_RX_BYTES] ? nsdp_get_u64(tb[NSDP_A_STATS_RX_BYTES]) : 0;
	v->tx_packets = tb[NSDP_A_STATS_TX_PACKETS] ? nsdp_get_u64(tb[NSDP_A_STATS_TX_PACKETS]) : 0;
	v->tx_bytes = tb[NSDP_A_STATS_TX_BYTES] ? nsdp_get_u64(tb[NSDP_A_STATS_TX_BYTES]) : 0;
	if (tb[NSDP_A_STATS_DROPS] == NULL)
		return 0;
	mnl_attr_for_each_nested(e, tb[NSDP_A_STATS_DROPS]) {
		const char *name = NULL;
		uint64_t count = 0;

		if (mnl_attr_get_type(e) != NSDP_A_DROP_ENTRY)
			continue;
		mnl_attr_for_each_nested(a, e) {
			const char *p = mnl_attr_get_payload(a);
			uint16_t len = mnl_attr_get_payload_len(a);

			if (mnl_attr_get_type(a) == NSDP_A_DROP_NAME && len > 0 && memchr(p, 0, len))
				name = p;
			else if (mnl_attr_get_type(a) == NSDP_A_DROP_COUNT && len == 8)
				count = nsdp_get_u64(a);
		}
		if (name == NULL)
			return nsctl_err(ctx, NSCTL_FAIL, "nsdp sent a drop counter without a name");
		if (v->nb_drops < DROPS_MAX) {
			v->drops[v->nb_drops].name = name;
			v->drops[v->nb_drops].count = count;
			v->nb_drops++;
		}
		v->drops_total += count;
	}
	return 0;
}

static void
stats_json(struct out_json *j, const struct stats_view *v)
{
	unsigned i;

	out_json_ku64(j, "port", v->port);
	out_json_ku64(j, "rx_packets", v->rx_packets);
	out_json_ku64(j, "rx_bytes", v->rx_bytes);
	out_json_ku64(j, "tx_packets", v->tx_packets);
	out_json_ku64(j, "tx_bytes", v->tx_bytes);
	out_json_key(j, "drops");
	out_json_obj_begin(j);
	for (i = 0; i < v->nb_drops; i++)
		out_json_ku64(j, v->drops[i].name, v->drops[i].count);
	out_json_obj_end(j);
}

enum { C_PORT, C_RXP, C_RXB, C_TXP, C_TXB, C_DROPS, C_NB };

static int
stats_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct stats_view v;
	int rc;

	(void)nlh;
	rc = stats_view(ctx, tb, &v);
	if (rc != 0)
		return rc;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		stats_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, C_PORT, "%u", v.port);
	out_table_cell(t, C_RXP, "%llu", (unsigned long long)v.rx_packets);
	out_table_cell(t, C_RXB, "%llu", (unsigned long long)v.rx_bytes);
	out_table_cell(t, C_TXP, "%llu", (unsigned long long)v.tx_packets);
	out_table_cell(t, C_TXB, "%llu", (unsigned long long)v.tx_bytes);
	out_table_cell(t, C_DROPS, "%llu", (unsigned long long)v.drops_total);
	return 0;
}

static int
stats_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t;
	struct stats_view v;
	unsigned i;
	int rc;

	(void)nlh;
	(void)arg;
	rc = stats_view(ctx, tb, &v);
	if (rc != 0)
		return rc;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		stats_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	t = out_table_new(2);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_col(t, 1, NULL, OUT_RIGHT);
	out_table_row(t); out_table_cell(t, 0, "port"); out_table_cell(t, 1, "%u", v.port);
#define ROW(k, val) do { out_table_row(t); out_table_cell(t, 0, k); \
		out_table_cell(t, 1, "%llu", (unsigned long long)(val)); } while (0)
	ROW("rx_packets", v.rx_packets);
	ROW("rx_bytes", v.rx_bytes);
	ROW("tx_packets", v.tx_packets);
	ROW("tx_bytes", v.tx_bytes);
	ROW("drops", v.drops_total);
	for (i = 0; i < v.nb_drops; i++) {
		out_table_row(t);
		out_table_cell(t, 0, "  %s", v.drops[i].name);
		out_table_cell(t, 1, "%llu", (unsigned long long)v.drops[i].count);
	}
#undef ROW
	out_table_print(t, ctx->out);
	out_table_free(t);
	return 0;
}

static int
stats_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[C_NB] = {
		"PORT", "RX_PACKETS", "RX_BYTES", "TX_PACKETS", "TX_BYTES", "DROPS",
	};
	struct nsctl_req *req;
	struct out_table *t;
	uint32_t port;
	unsigned c;
	int rc;

	if (argc >= 1) {
		rc = nsctl_parse_port(ctx, &argv[0], &port);
		if (rc == 0)
			rc = nsctl_no_more(ctx, argc, argv, 1);
		if (rc != 0)
			return rc;
		req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), 0);
		if (req == NULL)
			return NSCTL_FAIL;
		nsctl_req_mark(ctx, req, &argv[0]);
		nsdp_put_u32(&req->b, NSDP_A_STATS_PORT, port);
		return nsctl_req_send(ctx, req, stats_print, NULL);
	}
	t = out_table_new(C_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (c = 0; c < C_NB; c++)
		out_table_col(t, c, hdr[c], OUT_RIGHT);
	return nsctl_dump_table(ctx, NSDP_OBJ_STATS, stats_row, t);
}

static int
stats_reset(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	uint32_t port;
	int rc;

	rc = nsctl_port_arg(ctx, argc, argv, 1, &port);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_CHANGE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u32(&req->b, NSDP_A_STATS_PORT, port);
	nsdp_put_u8(&req->b, NSDP_A_STATS_RESET, 1);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
stats_event(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	const char *op = nsdp_op_name(NSDP_MSG_OP(nlh->nlmsg_type));
	bool reset = tb[NSDP_A_STATS_RESET] && nsdp_get_u8(tb[NSDP_A_STATS_RESET]);
	struct stats_view v;
	int rc;

	(void)arg;
	rc = stats_view(ctx, tb, &v);
	if (rc != 0)
		return rc;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "object", "stats");
		out_json_kstr(&ctx->js, "event", op ? op : "?");
		if (tb[NSDP_A_STATS_RESET])
			out_json_kbool(&ctx->js, "reset", reset);
		stats_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fprintf(ctx->out, "stats %s port %u%s rx_packets %llu tx_packets %llu drops %llu\n",
		op ? op : "?", v.port, reset ? " reset" : "", (unsigned long long)v.rx_packets,
		(unsigned long long)v.tx_packets, (unsigned long long)v.drops_total);
	return 0;
}

static const struct nsctl_cmd stats_cmds[] = {
	{ "stats", "show", stats_show,
	  "stats show [PORT]\n"
	  "Show the counters of port PORT (packets and bytes received and sent, and\n"
	  "drops by named reason), or a table of every port's counters." },
	{ "stats", "reset", stats_reset,
	  "stats reset PORT\n"
	  "Zero the counters of port PORT; monitors see a stats change." },
};
NSCTL_REGISTER(stats_cmds)

static const struct nsctl_event stats_ev = { NSDP_OBJ_STATS, stats_event };
static void __attribute__((constructor))
stats_event_register(void)
{
	nsctl_register_event(&stats_ev);
}
