/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_driver.c: `nsctl driver ...`: the interface drivers (ifdrivers, paper
 * 165-195): one per ethdev driver with ports, plus the pseudo drivers (lo);
 * their instances (ports, hardware addresses, the ifd bound to each).
 */
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

struct driver_view {
	const char *name, *ethdev, *descr;
	uint32_t ports, ifds;
	bool pseudo;
};

static void
driver_view(const struct nlattr **tb, struct driver_view *v)
{
	v->name = tb[NSDP_A_DRIVER_NAME] ? nsdp_get_str(tb[NSDP_A_DRIVER_NAME]) : "?";
	v->ethdev = tb[NSDP_A_DRIVER_DPDK] ? nsdp_get_str(tb[NSDP_A_DRIVER_DPDK]) : "-";
	v->descr = tb[NSDP_A_DRIVER_DESCR] ? nsdp_get_str(tb[NSDP_A_DRIVER_DESCR]) : "";
	v->ports = tb[NSDP_A_DRIVER_PORTS] ? nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]) : 0;
	v->ifds = tb[NSDP_A_DRIVER_IFDS] ? nsdp_get_u32(tb[NSDP_A_DRIVER_IFDS]) : 0;
	v->pseudo = tb[NSDP_A_DRIVER_PSEUDO] && nsdp_get_u8(tb[NSDP_A_DRIVER_PSEUDO]);
}

/* Instances: port, MAC, bound ifd. @j NULL: print lines to @f. */
static void
driver_instances(const struct nlattr **tb, struct out_json *j, FILE *f)
{
	const struct nlattr *e;

	if (j != NULL) {
		out_json_key(j, "instances");
		out_json_arr_begin(j);
	}
	if (tb[NSDP_A_DRIVER_INSTANCES] != NULL)
		mnl_attr_for_each_nested(e, tb[NSDP_A_DRIVER_INSTANCES]) {
			const struct nlattr *a, *port = NULL, *mac = NULL, *ifd = NULL;
			char m[18] = "-";

			mnl_attr_for_each_nested(a, e) {
				switch (mnl_attr_get_type(a)) {
				case NSDP_A_INSTANCE_PORT: port = a; break;
				case NSDP_A_INSTANCE_MAC: mac = a; break;
				case NSDP_A_INSTANCE_IFD: ifd = a; break;
				}
			}
			if (mac != NULL && mnl_attr_get_payload_len(mac) == 6) {
				const uint8_t *b = mnl_attr_get_payload(mac);

				snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
					 b[3], b[4], b[5]);
			}
			if (j != NULL) {
				out_json_obj_begin(j);
				out_json_ku64(j, "port", port ? nsdp_get_u32(port) : 0);
				out_json_kstr(j, "mac", m);
				if (ifd != NULL)
					out_json_kstr(j, "ifd", nsdp_get_str(ifd));
				out_json_obj_end(j);
			} else {
				fprintf(f, "  port %u  mac %s  ifd %s\n", port ? nsdp_get_u32(port) : 0, m,
					ifd ? nsdp_get_str(ifd) : "-");
			}
		}
	if (j != NULL)
		out_json_arr_end(j);
}

static void
driver_json(struct nsctl_ctx *ctx, const struct nlattr **tb, const struct driver_view *v)
{
	out_json_kstr(&ctx->js, "name", v->name);
	if (!v->pseudo)
		out_json_kstr(&ctx->js, "ethdev", v->ethdev);
	out_json_kbool(&ctx->js, "pseudo", v->pseudo);
	out_json_ku64(&ctx->js, "ports", v->ports);
	out_json_ku64(&ctx->js, "ifds", v->ifds);
	driver_instances(tb, &ctx->js, NULL);
}

static int
driver_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	struct driver_view v;

	(void)nlh;
	driver_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		driver_json(ctx, tb, &v);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, 0, "%s", v.name);
	out_table_cell(t, 1, "%s", v.pseudo ? "(pseudo)" : v.ethdev);
	out_table_cell(t, 2, "%u", v.ports);
	out_table_cell(t, 3, "%u", v.ifds);
	return 0;
}

static int
driver_list(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct out_table *t;
	int rc = nsctl_no_more(ctx, argc, argv, 0);

	if (rc != 0)
		return rc;
	t = out_table_new(4);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_col(t, 0, "DRIVER", OUT_LEFT);
	out_table_col(t, 1, "ETHDEV", OUT_LEFT);
	out_table_col(t, 2, "PORTS", OUT_RIGHT);
	out_table_col(t, 3, "IFDS", OUT_RIGHT);
	return nsctl_dump_table(ctx, NSDP_OBJ_DRIVER, driver_row, t);
}

static int
driver_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct driver_view v;

	(void)nlh, (void)arg;
	driver_view(tb, &v);
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		driver_json(ctx, tb, &v);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fprintf(ctx->out, "driver %s  %s  ports %u  ifds %u\n", v.name,
		v.pseudo ? "pseudo" : v.ethdev, v.ports, v.ifds);
	if (v.descr[0])
		fprintf(ctx->out, "  %s\n", v.descr);
	driver_instances(tb, NULL, ctx->out);
	return 0;
}

static int
driver_show(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "a driver name (see nsctl driver list)");
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_DRIVER_NAME, argv[0]);
	return nsctl_req_send(ctx, req, driver_print, NULL);
}

static int
driver_event(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	const char *op = nsdp_op_name(NSDP_MSG_OP(nlh->nlmsg_type));
	const char *name = tb[NSDP_A_DRIVER_NAME] ? nsdp_get_str(tb[NSDP_A_DRIVER_NAME]) : "?";

	(void)arg;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "object", "driver");
		out_json_kstr(&ctx->js, "event", op ? op : "?");
		out_json_kstr(&ctx->js, "name", name);
		if (tb[NSDP_A_DRIVER_PORTS])
			out_json_ku64(&ctx->js, "ports", nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]));
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	} else {
		fprintf(ctx->out, "driver %s %s", op ? op : "?", name);
		if (tb[NSDP_A_DRIVER_PORTS])
			fprintf(ctx->out, " ports %u", nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]));
		fputc('\n', ctx->out);
	}
	return 0;
}

static const struct nsctl_cmd driver_cmds[] = {
	{ "driver", "list", driver_list,
	  "driver list\n"
	  "List the interface drivers: one per ethdev driver with ports (named as\n"
	  "ifds take them: net_tap is tap) and the pseudo drivers (lo), with their\n"
	  "ports and the ifds added on them." },
	{ "driver", "show", driver_show,
	  "driver show NAME\n"
	  "Show a driver (tap, or its ethdev name net_tap) and its instances: each\n"
	  "port with its hardware address and the ifd bound to it." },
};
NSCTL_REGISTER(driver_cmds)

static const struct nsctl_event driver_ev = { NSDP_OBJ_DRIVER, driver_event };
static void __attribute__((constructor))
driver_event_register(void)
{
	nsctl_register_event(&driver_ev);
}
