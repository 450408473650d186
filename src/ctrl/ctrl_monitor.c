/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_monitor.c: MONITOR, a client's subscription to notification groups
 * (bit 1 << object). ADD subscribes, DELETE unsubscribes, GET answers the
 * current mask. Per-client state only: not a configuration write.
 */
#include <errno.h>

#include "handlers.h"

/* Every object bit; bit 0 is no object. */
#define MONITOR_VALID (((1u << NSDP_OBJ_MAX) - 1) & ~1u)

static void
monitor_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	(void)key_only;
	nsdp_put_u32(b, NSDP_A_MONITOR_GROUPS, *(const uint32_t *)obj);
}

static int
monitor_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err, bool add)
{
	uint32_t g;
	int rc;

	rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_MONITOR_GROUPS, err);
	if (rc < 0)
		return rc;
	g = nsdp_get_u32(tb[NSDP_A_MONITOR_GROUPS]);
	if (g & ~MONITOR_VALID)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_MONITOR_GROUPS]),
				    "groups 0x%x name no object (valid: 0x%x, bit n = object n)",
				    g & ~MONITOR_VALID, MONITOR_VALID);
	ctrl_req_monitor(r, g, add);
	return 0;
}

static int
monitor_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return monitor_change(r, tb, err, true);
}

static int
monitor_delete(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return monitor_change(r, tb, err, false);
}

static int
monitor_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t g = ctrl_req_groups(r);
	int rc;

	rc = ctrl_only_attrs(r, tb, 0, err);
	if (rc < 0)
		return rc;
	rc = ctrl_reply(r, monitor_put, &g);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static const struct ctrl_handler monitor_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), false, monitor_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_DELETE), false, monitor_delete },
	{ NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_GET), false, monitor_get },
};

int
ctrl_monitor_register(void)
{
	return ctrl_register(monitor_handlers, RTE_DIM(monitor_handlers));
}
