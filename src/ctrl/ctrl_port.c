/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_port.c: PORT, the ethdev ports (dataplane/port.h) as the protocol
 * shows them: GET and GETNEXT by port id, CHANGE with driver-specific
 * attributes only (handed to the driver, ctrl_driver.c), and PORT CHANGE
 * notifications when a port's state, link or speed changes.
 *
 * Dump order: by port id; GETNEXT continues after the id it carries.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/port.h"
#include "handlers.h"

/* [C] what subscribers were last told, per port. */
struct port_seen {
	uint32_t state;
	uint32_t link_up;
	uint32_t link_speed;
};
static struct port_seen port_seen[RTE_MAX_ETHPORTS];
static bool port_seen_valid;

static bool
port_listed(uint32_t p)
{
	return p < RTE_MAX_ETHPORTS &&
	       __atomic_load_n(&nsdp_ports[p].state, __ATOMIC_ACQUIRE) != PORT_S_UNUSED;
}

static void
port_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct nsdp_port *p = obj;

	nsdp_put_u32(b, NSDP_A_PORT_ID, p->port_id);
	if (key_only)
		return;
	nsdp_put_str(b, NSDP_A_PORT_NAME, p->name);
	nsdp_put_str(b, NSDP_A_PORT_DRIVER, p->driver);
	nsdp_put_bin(b, NSDP_A_PORT_MAC, p->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	nsdp_put_u8(b, NSDP_A_PORT_STATE, (uint8_t)__atomic_load_n(&p->state, __ATOMIC_RELAXED));
	nsdp_put_u8(b, NSDP_A_PORT_LINK_UP, __atomic_load_n(&p->link_up, __ATOMIC_RELAXED) != 0);
	nsdp_put_u32(b, NSDP_A_PORT_SPEED, __atomic_load_n(&p->link_speed, __ATOMIC_RELAXED));
	nsdp_put_u16(b, NSDP_A_PORT_NB_RXQ, p->nb_rxq);
	nsdp_put_u16(b, NSDP_A_PORT_NB_TXQ, p->nb_txq);
	nsdp_put_u8(b, NSDP_A_PORT_RSS, p->rss);
}

/* The port named by the mandatory id attribute. @return its id or -errno. */
static int
port_from_key(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t id;
	int rc;

	rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_PORT_ID, err);
	if (rc < 0)
		return rc;
	id = nsdp_get_u32(tb[NSDP_A_PORT_ID]);
	if (!port_listed(id))
		return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_PORT_ID]), "no port %u", id);
	return (int)id;
}

static int
port_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	int rc, id;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_PORT_ID, err);
	if (rc < 0)
		return rc;
	id = port_from_key(r, tb, err);
	if (id < 0)
		return id;
	rc = ctrl_reply(r, port_put, &nsdp_ports[id]);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
port_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint64_t from;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_PORT_ID, err);
	if (rc < 0)
		return rc;
	from = tb[NSDP_A_PORT_ID] != NULL ? (uint64_t)nsdp_get_u32(tb[NSDP_A_PORT_ID]) + 1 : 0;
	for (uint64_t p = from; p < RTE_MAX_ETHPORTS; p++) {
		if (!port_listed((uint32_t)p))
			continue;
		rc = ctrl_dump_put(r, port_put, &nsdp_ports[p]);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "port %u does not fit in a message", (unsigned)p);
		if (rc > 0)
			return 0;
	}
	return 0;
}

/*
 * CHANGE: the generic attributes of a port are fixed at start; only its
 * driver's own attributes may change, and the driver checks them all
 * before it applies any.
 */
static int
port_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	int rc, id;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_PORT_ID | 1u << NSDP_A_PORT_OPAQUE, err);
	if (rc < 0)
		return rc;
	id = port_from_key(r, tb, err);
	if (id < 0)
		return id;
	if (tb[NSDP_A_PORT_OPAQUE] == NULL)
		return nsdp_err_set(err, EINVAL, 0,
				    "nothing to change: a port takes only driver-specific attributes");
	return ctrl_driver_port_opaque((uint16_t)id, r->nlh, tb[NSDP_A_PORT_OPAQUE], err);
}

static void
port_notify_build(struct nsdp_builder *b, const void *arg)
{
	port_put(b, arg, false);
}

void
ctrl_port_sync(void)
{
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		const struct nsdp_port *np = &nsdp_ports[p];
		struct port_seen now = {
			.state = __atomic_load_n(&np->state, __ATOMIC_ACQUIRE),
			.link_up = __atomic_load_n(&np->link_up, __ATOMIC_RELAXED) != 0,
			.link_speed = __atomic_load_n(&np->link_speed, __ATOMIC_RELAXED),
		};

		if (port_seen_valid && memcmp(&now, &port_seen[p], sizeof(now)) != 0 &&
		    now.state != PORT_S_UNUSED)
			ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_CHANGE), port_notify_build, np);
		port_seen[p] = now;
	}
	port_seen_valid = true;
}

static const struct ctrl_handler port_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), false, port_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GETNEXT), false, port_getnext },
	{ NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_CHANGE), true, port_change },
};

int
ctrl_port_register(void)
{
	return ctrl_register(port_handlers, RTE_DIM(port_handlers));
}
