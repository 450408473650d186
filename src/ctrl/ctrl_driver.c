/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_driver.c: DRIVER, the ifdrivers (src/ifcfg/ifdriver.c): one per
 * ethdev driver with ports, with its instances (ports and their hardware
 * addresses, and the ifd bound to each), plus the pseudo drivers (lo);
 * and the hand-off of
 * driver-specific (opaque) attributes to the driver that understands them
 * (paper 2803-2808: the generic code checks their syntax, only the driver
 * interprets them).
 *
 * Dump order: registration order; GETNEXT continues after the named driver.
 */
#include <errno.h>
#include <string.h>

#include "dataplane/port.h"
#include "handlers.h"
#include "ifcfg/ifcfg_priv.h"

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

/* Instances (ports) of a driver, as the protocol shows them. */
static void
driver_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct ifdriver *d = obj;
	uint16_t ports[RTE_MAX_ETHPORTS];
	unsigned n = ifdriver_instances(d, ports, RTE_MAX_ETHPORTS);
	struct nlattr *nest;

	nsdp_put_str(b, NSDP_A_DRIVER_NAME, d->name);
	if (key_only)
		return;
	nsdp_put_u32(b, NSDP_A_DRIVER_PORTS, n);
	if (!d->pseudo)
		nsdp_put_str(b, NSDP_A_DRIVER_DPDK, d->dpdk_name);
	nsdp_put_u8(b, NSDP_A_DRIVER_PSEUDO, d->pseudo);
	if (d->descr != NULL)
		nsdp_put_str(b, NSDP_A_DRIVER_DESCR, d->descr);
	nsdp_put_u32(b, NSDP_A_DRIVER_IFDS, d->n_ifd);
	if (n == 0)
		return;
	nest = nsdp_nest_start(b, NSDP_A_DRIVER_INSTANCES);
	for (unsigned i = 0; i < n; i++) {
		struct nlattr *e = nsdp_nest_start(b, NSDP_A_INSTANCE_ENTRY);
		const struct ifd *ifd;

		nsdp_put_u32(b, NSDP_A_INSTANCE_PORT, ports[i]);
		nsdp_put_bin(b, NSDP_A_INSTANCE_MAC, nsdp_ports[ports[i]].mac.addr_bytes,
			     RTE_ETHER_ADDR_LEN);
		TAILQ_FOREACH(ifd, &d->ifds, link)
			if (ifd->port == ports[i])
				nsdp_put_str(b, NSDP_A_INSTANCE_IFD, ifd->name);
		nsdp_nest_end(b, e);
	}
	nsdp_nest_end(b, nest);
}

/* A driver by its name ("tap") or its ethdev driver's ("net_tap"). */
static int
driver_index(const char *name)
{
	const struct ifdriver *d;

	for (unsigned i = 0; (d = ifdriver_at(i)) != NULL; i++)
		if (strcmp(d->name, name) == 0 || (!d->pseudo && strcmp(d->dpdk_name, name) == 0))
			return (int)i;
	return -1;
}

static int
driver_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(r->nlh->nlmsg_type);
	int rc, i;

	rc = nsdp_require(r->nlh, pol, tb, NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	i = driver_index(nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
	if (i < 0)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_DRIVER_NAME]),
				    "no driver '%s' (see nsctl driver list)",
				    nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
	rc = ctrl_reply(r, driver_put, ifdriver_at((unsigned)i));
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

/* Dump order: registration order (lo, then ethdev drivers in the order of their first port). */
static int
driver_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct ifdriver *d;
	unsigned from = 0;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_DRIVER_NAME, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_DRIVER_NAME] != NULL) {
		int i = driver_index(nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));

		if (i < 0)
			return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_DRIVER_NAME]),
					    "no driver '%s': cannot continue after it",
					    nsdp_get_str(tb[NSDP_A_DRIVER_NAME]));
		from = (unsigned)i + 1;
	}
	for (unsigned i = from; (d = ifdriver_at(i)) != NULL; i++) {
		rc = ctrl_dump_put(r, driver_put, d);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "driver %s does not fit in a message", d->name);
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
