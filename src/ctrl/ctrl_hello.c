/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_hello.c: HELLO, the version handshake every client sends first.
 * The server answers with its protocol version, its name and version, and
 * the largest message it accepts.
 */
#include <errno.h>

#include "ctrl/ctrl_version.h"
#include "handlers.h"

static void
hello_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	(void)obj;
	nsdp_put_u32(b, NSDP_A_HELLO_VERSION, NSDP_PROTO_VERSION);
	if (key_only)
		return;
	nsdp_put_str(b, NSDP_A_HELLO_NAME, "nsdp " NSDP_VERSION);
	nsdp_put_u32(b, NSDP_A_HELLO_MAX_MSG, NSDP_MSG_MAX);
}

static int
hello_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(r->nlh->nlmsg_type);
	uint32_t v;
	int rc;

	rc = nsdp_require(r->nlh, pol, tb, NSDP_A_HELLO_VERSION, err);
	if (rc < 0)
		return rc;
	v = nsdp_get_u32(tb[NSDP_A_HELLO_VERSION]);
	if (v != NSDP_PROTO_VERSION)
		return nsdp_err_set(err, EPROTONOSUPPORT,
				    (uint32_t)((const char *)tb[NSDP_A_HELLO_VERSION] - (const char *)r->nlh),
				    "protocol version %u is not supported: this server speaks version %u",
				    v, NSDP_PROTO_VERSION);
	rc = ctrl_reply(r, hello_put, NULL);
	if (rc < 0)
		return nsdp_err_set(err, -rc, 0, "cannot queue the HELLO reply");
	ctrl_req_hello_done(r);
	return 0;
}

static const struct ctrl_handler hello_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), false, hello_get },
};

int
ctrl_hello_register(void)
{
	return ctrl_register(hello_handlers, RTE_DIM(hello_handlers));
}
