/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_port.c: `nsctl port ...`: the ethdev ports nsdp drives (the ifd layer
 * is built on them): list, show one, and change driver-specific settings.
 */
#include <string.h>

#include "nsctl.h"

/* Mirrors the daemon's enum port_state (NSDP_A_PORT_STATE). */
static const char *const port_states[] = { "unused", "started", "removing", "closed" };

/* A port reply as strings and numbers, whichever way it is shown. */
struct port_view {
	uint32_t id;
	const char *name, *driver, *state;
	char mac[18];
	bool has_link, link_up, has_rss, rss;
	bool has_speed, has_rxq, has_txq;
	uint32_t speed;
	uint16_t rxq, txq;
};

static void
port_view(const struct nlattr **tb, struct port_view *v)
{
	memset(v, 0, sizeof(*v));
	v->id = tb[NSDP_A_PORT_ID] ? nsdp_get_u32(tb[NSDP_A_PORT_ID]) : 0;
	v->name = tb[NSDP_A_PORT_NAME] ? nsdp_get_str(tb[NSDP_A_PORT_NAME]) : "";
	v->driver = tb[NSDP_A_PORT_DRIVER] ? nsdp_get_str(tb[NSDP_A_PORT_DRIVER]) : "";
	v->state = "";
	if (tb[NSDP_A_PORT_STATE]) {
		uint8_t s = nsdp_get_u8(tb[NSDP_A_PORT_STATE]);

		v->state = s < sizeof(port_states) / sizeof(port_states[0]) ? port_states[s] : "unknown";
	}
	if (tb[NSDP_A_PORT_MAC] && mnl_attr_get_payload_len(tb[NSDP_A_PORT_MAC]) == 6) {
		const uint8_t *m = mnl_attr_get_payload(tb[NSDP_A_PORT_MAC]);

		snprintf(v->mac, sizeof(v->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	if ((v->has_link = tb[NSDP_A_PORT_LINK_UP] != NULL))
		v->link_up = nsdp_get_u8(tb[NSDP_A_PORT_LINK_UP]) != 0;
	if ((v->has_rss = tb[NSDP_A_PORT_RSS] != NULL))
		v->rss = nsdp_get_u8(tb[NSDP_A_PORT_RSS]) != 0;
	if ((v->has_speed = tb[NSDP_A_PORT_SPEED] != NULL))
		v->speed = nsdp_get_u32(tb[NSDP_A_PORT_SPEED]);
	if ((v->has_rxq = tb[NSDP_A_PORT_NB_RXQ] != NULL))
		v->rxq = nsdp_get_u16(tb[NSDP_A_PORT_NB_RXQ]);
	if ((v->has_txq = tb[NSDP_A_PORT_NB_TXQ] != NULL))
		v->txq = nsdp_get_u16(tb[NSDP_A_PORT_NB_TXQ]);
}

/* The JSON members of a port (inside an object the caller opened). */
static void
port_json(struct out_json *j, const struct port_view *v)
{
	out_json_ku64(j, "id", v->id);
	out_json_kstr(j, "name", v->name);
	out_json_kstr(j, "driver", v->driver);
	if (v->mac[0])
		out_json_kstr(j, "mac", v->mac);
	if (v->state[0])
		out_json_kstr(j, "state", v->state);
	if (v->has_link)
		out_json_kbool(j, "link_up", v->link_up);
	if (v->has_speed)
		out_json_ku64(j, "speed", v->speed);
	if (v->has_rxq)
		out_json_ku64(j, "nb_rxq", v->rxq);
	if (v->has_txq)
		out_json_ku64(j, "nb_txq", v->txq);
	if (v->has_rss)
		out_json_kbool(j, "rss", v->rss);
}

static const char *
link_str(const struct port_view *v)
{
	return !v->has_link ? "-" : v->link_up ? "up" : "down";
}

enum { C_ID, C_NAME, C_DRIVER, C_MAC, C_STATE, C_LINK, C_SPEED, C_RXQ, C_TXQ, C_RSS, C_NB };

static int
port_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct port_view v;

	(void)nlh;
	port_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		port_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, C_ID, "%u", v.id);
	out_table_cell(t, C_NAME, "%s", v.name);
	out_table_cell(t, C_DRIVER, "%s", v.driver);
	out_table_cell(t, C_MAC, "%s", v.mac[0] ? v.mac : "-");
	out_table_cell(t, C_STATE, "%s", v.state[0] ? v.state : "-");
	out_table_cell(t, C_LINK, "%s", link_str(&v));
	if (v.has_speed)
		out_table_cell(t, C_SPEED, "%u", v.speed);
	else
		out_table_cell(t, C_SPEED, "-");
	out_table_cell(t, C_RXQ, "%u", v.rxq);
	out_table_cell(t, C_TXQ, "%u", v.txq);
	out_table_cell(t, C_RSS, "%s", !v.has_rss ? "-" : v.rss ? "on" : "off");
	return 0;
}

static int
port_list(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[C_NB] = {
		"ID", "NAME", "DRIVER", "MAC", "STATE", "LINK", "SPEED", "RXQ", "TXQ", "RSS",
	};
	struct out_table *t;
	int rc = nsctl_no_more(ctx, argc, argv, 0);
	unsigned c;

	if (rc != 0)
		return rc;
	t = out_table_new(C_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (c = 0; c < C_NB; c++)
		out_table_col(t, c, hdr[c],
			      c == C_ID || c == C_SPEED || c == C_RXQ || c == C_TXQ ? OUT_RIGHT : OUT_LEFT);
	return nsctl_dump_table(ctx, NSDP_OBJ_PORT, port_row, t);
}

/* One port as "key  value" lines, or one JSON document. */
static int
port_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t;
	struct port_view v;

	(void)nlh;
	(void)arg;
	port_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		port_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	t = out_table_new(2);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_row(t); out_table_cell(t, 0, "port"); out_table_cell(t, 1, "%u", v.id);
	out_table_row(t); out_table_cell(t, 0, "name"); out_table_cell(t, 1, "%s", v.name);
	out_table_row(t); out_table_cell(t, 0, "driver"); out_table_cell(t, 1, "%s", v.driver);
	if (v.mac[0]) {
		out_table_row(t); out_table_cell(t, 0, "mac"); out_table_cell(t, 1, "%s", v.mac);
	}
	if (v.state[0]) {
		out_table_row(t); out_table_cell(t, 0, "state"); out_table_cell(t, 1, "%s", v.state);
	}
	out_table_row(t); out_table_cell(t, 0, "link"); out_table_cell(t, 1, "%s", link_str(&v));
	if (v.has_speed) {
		out_table_row(t); out_table_cell(t, 0, "speed");
		out_table_cell(t, 1, "%u Mb/s", v.speed);
	}
	if (v.has_rxq) {
		out_table_row(t); out_table_cell(t, 0, "rx queues"); out_table_cell(t, 1, "%u", v.rxq);
	}
	if (v.has_txq) {
		out_table_row(t); out_table_cell(t, 0, "tx queues"); out_table_cell(t, 1, "%u", v.txq);
	}
	if (v.has_rss) {
		out_table_row(t); out_table_cell(t, 0, "rss");
		out_table_cell(t, 1, "%s", v.rss ? "on" : "off");
	}
	out_table_print(t, ctx->out);
	out_table_free(t);
	return 0;
}

static int
port_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	uint32_t port;
	int rc;

	rc = nsctl_port_arg(ctx, argc, argv, 1, &port);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u32(&req->b, NSDP_A_PORT_ID, port);
	return nsctl_req_send(ctx, req, port_print, NULL);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define OPAQUE_MAX 1024

static int
port_set(struct nsctl_ctx *ctx, int argc, char **argv)
{
	uint8_t bytes[OPAQUE_MAX];
	struct nsctl_req *req;
	struct nlattr *nest;
	size_t i, n, len;
	uint32_t port;
	int rc;

	rc = nsctl_port_arg(ctx, argc, argv, 0, &port);
	if (rc != 0)
		return rc;
	if (argc < 2)
		return nsctl_err_missing(ctx, "a setting (opaque HEX)");
	if (strcmp(argv[1], "opaque") != 0)
		return nsctl_err_word(ctx, &argv[1], "unknown setting '%s' (known: opaque)", argv[1]);
	if (argc < 3)
		return nsctl_err_missing(ctx, "HEX (driver-specific bytes, e.g. 0a1b)");
	len = strlen(argv[2]);
	if (len == 0 || len % 2 != 0 || len / 2 > OPAQUE_MAX)
		return nsctl_err_word(ctx, &argv[2],
				      "'%s' is not hex bytes (an even number of hex digits, "
				      "%d bytes at most)", argv[2], OPAQUE_MAX);
	for (i = 0, n = 0; i < len; i += 2) {
		int hi = hex_digit(argv[2][i]), lo = hex_digit(argv[2][i + 1]);

		if (hi < 0 || lo < 0)
			return nsctl_err_word(ctx, &argv[2], "'%s' is not hex bytes", argv[2]);
		bytes[n++] = (uint8_t)(hi << 4 | lo);
	}
	rc = nsctl_no_more(ctx, argc, argv, 3);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_CHANGE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_u32(&req->b, NSDP_A_PORT_ID, port);
	nsctl_req_mark(ctx, req, &argv[1]);
	/* The driver's bytes travel as attribute 1 of the opaque nest. */
	nest = nsdp_nest_start(&req->b, NSDP_A_PORT_OPAQUE);
	nsdp_put_bin(&req->b, 1, bytes, (uint16_t)n);
	nsdp_nest_end(&req->b, nest);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
port_event(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	const char *op = nsdp_op_name(NSDP_MSG_OP(nlh->nlmsg_type));
	struct port_view v;

	(void)arg;
	port_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "object", "port");
		out_json_kstr(&ctx->js, "event", op ? op : "?");
		port_json(&ctx->js, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fprintf(ctx->out, "port %s %u", op ? op : "?", v.id);
	if (v.name[0])
		fprintf(ctx->out, " name %s", v.name);
	if (v.state[0])
		fprintf(ctx->out, " state %s", v.state);
	if (v.has_link)
		fprintf(ctx->out, " link %s", link_str(&v));
	fputc('\n', ctx->out);
	return 0;
}

static const struct nsctl_cmd port_cmds[] = {
	{ "port", "list", port_list,
	  "port list\n"
	  "List the ports nsdp drives: id, ethdev name, driver, MAC address, state,\n"
	  "link, speed (Mb/s), queues and whether RSS spreads flows over the rx queues." },
	{ "port", "show", port_show,
	  "port show PORT\n"
	  "Show port PORT (a port id, see nsctl port list)." },
	{ "port", "set", port_set,
	  "port set PORT opaque HEX\n"
	  "Send driver-specific settings to port PORT: HEX is an even number of hex\n"
	  "digits, carried as attribute 1 of the port's opaque nest. nsdp checks only\n"
	  "their syntax; drivers that take none refuse them." },
};
NSCTL_REGISTER(port_cmds)

static const struct nsctl_event port_ev = { NSDP_OBJ_PORT, port_event };
static void __attribute__((constructor))
port_event_register(void)
{
	nsctl_register_event(&port_ev);
}
