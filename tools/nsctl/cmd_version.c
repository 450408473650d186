/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_version.c: `nsctl version`: nsctl's version and what nsdp said in the
 * HELLO handshake (its name, protocol version and largest message).
 */
#include "nsctl.h"

static int
version(struct nsctl_ctx *ctx, int argc, char **argv)
{
	int rc = nsctl_no_more(ctx, argc, argv, 0);

	if (rc == 0)
		rc = nsctl_connect(ctx);
	if (rc != 0)
		return rc;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "client", "nsctl " NSCTL_VERSION);
		out_json_kstr(&ctx->js, "server", ctx->conn.server_name);
		out_json_ku64(&ctx->js, "protocol", ctx->conn.server_version);
		out_json_ku64(&ctx->js, "max_msg", ctx->conn.server_max_msg);
		out_json_kstr(&ctx->js, "socket", ctx->sock_path);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fprintf(ctx->out,
		"client    nsctl %s\n"
		"server    %s\n"
		"protocol  %u\n"
		"max_msg   %u\n"
		"socket    %s\n",
		NSCTL_VERSION, ctx->conn.server_name, ctx->conn.server_version,
		ctx->conn.server_max_msg, ctx->sock_path);
	return 0;
}

static const struct nsctl_cmd version_cmds[] = {
	{ "version", NULL, version,
	  "version\n"
	  "Print nsctl's version and, from the handshake, nsdp's name, protocol\n"
	  "version and largest message." },
};
NSCTL_REGISTER(version_cmds)
