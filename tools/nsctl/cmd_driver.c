/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_driver.c: `nsctl driver ...`: the interface drivers (ifdriver) nsdp
 * runs and how many ports each drives.
 */
#include <stdlib.h>

#include "nsctl.h"

static int
driver_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	const char *name = tb[NSDP_A_DRIVER_NAME] ? nsdp_get_str(tb[NSDP_A_DRIVER_NAME]) : "?";
	uint32_t ports = tb[NSDP_A_DRIVER_PORTS] ? nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]) : 0;

	(void)nlh;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "name", name);
		out_json_ku64(&ctx->js, "ports", ports);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, 0, "%s", name);
	out_table_cell(t, 1, "%u", ports);
	return 0;
}

static int
driver_list(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct out_table *t;
	int rc = nsctl_no_more(ctx, argc, argv, 0);

	if (rc != 0)
		return rc;
	t = out_table_new(2);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_col(t, 0, "DRIVER", OUT_LEFT);
	out_table_col(t, 1, "PORTS", OUT_RIGHT);
	return nsctl_dump_table(ctx, NSDP_OBJ_DRIVER, driver_row, t);
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
	  "List the interface drivers nsdp runs and how many ports each drives." },
};
NSCTL_REGISTER(driver_cmds)

static const struct nsctl_event driver_ev = { NSDP_OBJ_DRIVER, driver_event };
static void __attribute__((constructor))
driver_event_register(void)
{
	nsctl_register_event(&driver_ev);
}
