/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * handlers.c: the list of objects the control protocol serves. Explicit
 * calls rather than constructors: the objects sit in a static library, and
 * the linker would drop a file nothing references.
 */
#include <errno.h>

#include "handlers.h"

int
ctrl_only_attrs(const struct ctrl_req *r, const struct nlattr **tb, uint32_t allowed,
		struct nsdp_err *err)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(r->nlh->nlmsg_type);

	for (unsigned t = 1; pol != NULL && t <= pol->maxattr && t < NSDP_TB_MAX; t++)
		if (tb[t] != NULL && !(allowed & (1u << t)))
			return nsdp_err_set(err, EOPNOTSUPP, ctrl_attr_off(r, tb[t]),
					    "%s %s cannot be set by a %s request", pol->name,
					    pol->attrs[t].name != NULL ? pol->attrs[t].name : "attribute",
					    nsdp_op_name(NSDP_MSG_OP(r->nlh->nlmsg_type)));
	return 0;
}

int
ctrl_handlers_register_all(void)
{
	int (*const reg[])(void) = {
		ctrl_hello_register,
		ctrl_driver_register,
		ctrl_port_register,
		ctrl_stats_register,
		ctrl_monitor_register,
		ctrl_ifcfg_register,
		ctrl_route_register,
		ctrl_neigh_register,
		ctrl_l2demux_register,
		ctrl_l3demux_register,
	};

	for (unsigned i = 0; i < sizeof(reg) / sizeof(reg[0]); i++) {
		int rc = reg[i]();

		if (rc < 0)
			return rc;
	}
	return 0;
}
