/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_driver.c: DRIVER, the ifdrivers behind the ports (one per distinct
 * ethdev driver name, with its port count), and the hand-off of
 * driver-specific (opaque) attributes to the driver that understands them
 * (paper 2803-2808: the generic code checks their syntax, only the driver
 * interprets them).
 *
 * Dump order: drivers in the order of their first port; GETNEXT after a
 * name continues after that driver's first port.
 */
#include <errno.h>
#include <string.h>

#include "dataplane/port.h"
#include "handlers.h"

/* Per-driver parsers of opaque port attributes. None takes any today. */
struct driver_opaque {
	const char *driver;
	int (*port_opaque)(uint16_t port, const struct nlmsghdr *nlh, const struct nlattr *nest,
			   struct nsdp_err *err);
};

static const struct driver_opaque driver_opaque[] = {
	{ NULL, NULL },
};

/* What a driver without a parser does: refuse the first attribute. */
static int
opaque_none(uint16_t port, const struct nlmsghdr *nlh, const struct nlattr *nest,
	    struct nsdp_err *err)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		return nsdp_err_set(err, EOPNOTSUPP, (uint32_t)((const char *)a - (const char *)nlh),
				    "driver %s takes no driver-specific attributes (got attribute %u)",
				    nsdp_ports[port].driver, mnl_attr_get_type(a));
	return 0;
}

int
ctrl_driver_port_opaque(uint16_t port, const struct nlmsghdr *nlh, const struct nlattr *nest,
			struct nsdp_err *err)
{
	for (unsigned i = 0; driver_opaque[i].driver != NULL; i++)
		if (strcmp(driver_opaque[i].driver, nsdp_ports[port].driver) == 0)
			return driver_opaque[i].port_opaque(port, nlh, nest, err);
	return opaque_none(port, nlh, nest, err);
}

static bool
port_listed(uint16_t p)
{
	return __atomic_load_n(&nsdp_ports[p].state, __ATOMIC_ACQUIRE) != PORT_S_UNUSED;
}

/* The first listed port driven by @name, or -1. */
static int
driver_first_port(const char *name)
{
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (port_listed(p) && strcmp(nsdp_ports[p].driver, name) == 0)
			return p;
	return -1;
}

struct driver_view {
	const char *name;
	uint32_t ports;
};

static void
driver_view(uint16_t first, struct driver_view *v)
{
	v->name = nsdp_ports[first].driver;
	v->ports = 0;
	for (uint16_t p = first; p < RTE_MAX_ETHPORTS; p++)
		if (port_listed(p) && strcmp(nsdp_ports[p].driver, v->name) == 0)
			v->ports++;
}

static void
driver_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct driver_view *v = obj;

	nsdp_put_str(b, NSDP_A_DRIVER_NAME, v->name);
	if (key_only)
		return;
	nsdp_put_u32(b, NSDP_A_DRIVER_PORTS, v->ports);
}

static int
driver_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(r->nlh->nlmsg_type);
	struct driver_view v;
	int rc, first;

	rc = nsdp_require(r->nlh, pol, tb, NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	first = driver_first_port(nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
	if (first < 0)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_DRIVER_NAME]),
				    "no port is driven by '%s'", nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
	driver_view((uint16_t)first, &v);
	rc = ctrl_reply(r, driver_put, &v);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
driver_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint64_t from;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	from = 0;
	if (tb[NSDP_A_DRIVER_NAME] != NULL) {
		int first = driver_first_port(nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));

		if (first < 0)
			return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_DRIVER_NAME]),
					    "no port is driven by '%s': cannot continue after it",
					    nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
		from = (uint64_t)first + 1;
	}
	for (uint64_t p = from; p < RTE_MAX_ETHPORTS; p++) {
		struct driver_view v;

		if (!port_listed((uint16_t)p) || driver_first_port(nsdp_ports[p].driver) != (int)p)
			continue;
		driver_view((uint16_t)p, &v);
		rc = ctrl_dump_put(r, driver_put, &v);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "driver %s does not fit in a message", v.name);
		if (rc > 0)
			return 0;
	}
	return 0;
}

static const struct ctrl_handler driver_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_GET), false, driver_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_GETNEXT), false, driver_getnext },
};

int
ctrl_driver_register(void)
{
	return ctrl_register(driver_handlers, RTE_DIM(driver_handlers));
}
