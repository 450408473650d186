/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifd.c: ifdevices (paper 196-310): added on a driver ("%s%u", bound to
 * one of its instances) or on another ifd ("%s:%u", where the parent's
 * driver allows it); type, encapsulation, data link addresses, admin
 * state, MTU; the ifd's L2 demux table, bound to its port.
 *
 * Admin down unbinds the ifd's demux table from its port (every frame is
 * then not_for_us, counted by the demux) and asks the PMD to take the link
 * down (rte_eth_dev_set_link_down, where supported). The port itself keeps
 * running: stopping a port lcores poll is not safe, and nothing is
 * received through the ifd either way. Admin up reverses both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dataplane/port.h"
#include "ifcfg_priv.h"

static TAILQ_HEAD(ifd_list, ifd) ifd_all = TAILQ_HEAD_INITIALIZER(ifd_all); /* index order */
static uint32_t ifd_next_index = 1;

static const char *const type_names[] = {
	[IFD_TYPE_ETHERNET] = "ethernet",
	[IFD_TYPE_LOOPBACK] = "loopback",
	[IFD_TYPE_CHANNEL] = "channel",
};

static const char *const encap_names[] = {
	[IFD_ENCAP_ETHERNET] = "ethernet",
	[IFD_ENCAP_LOOPBACK] = "loopback",
	[IFD_ENCAP_CHANNEL] = "channel",
};

const char *
ifd_type_name(unsigned type)
{
	return type < RTE_DIM(type_names) && type_names[type] != NULL ? type_names[type] : "?";
}

const char *
ifd_encap_name(unsigned encap)
{
	return encap < RTE_DIM(encap_names) && encap_names[encap] != NULL ? encap_names[encap] : "?";
}

unsigned
ifd_encap_by_name(const char *name)
{
	for (unsigned i = 1; i < RTE_DIM(encap_names); i++)
		if (strcmp(encap_names[i], name) == 0)
			return i;
	return 0;
}

/* Encapsulation ops (ifl.c, iff.c hold the checks). */
extern const struct ifd_encap_ops ifcfg_eth_encap, ifcfg_lo_encap, ifcfg_chan_encap;

static const struct ifd_encap_ops *
encap_ops(unsigned encap)
{
	switch (encap) {
	case IFD_ENCAP_ETHERNET: return &ifcfg_eth_encap;
	case IFD_ENCAP_LOOPBACK: return &ifcfg_lo_encap;
	default: return &ifcfg_chan_encap;
	}
}

struct ifd *
ifd_find(const char *name)
{
	uint64_t h = ifcfg_name_hash(name);

	for (struct chash_node *n = chash_first(&ifcfg_ifd_names, h); n != NULL; n = n->next) {
		struct ifd *ifd = container_of_ifcfg(n, struct ifd, name_node);

		if (n->hash == h && strcmp(ifd->name, name) == 0)
			return ifd;
	}
	return NULL;
}

struct ifd *
ifd_by_index(uint32_t idx)
{
	uint64_t h = chash_bytes(&idx, sizeof(idx), 2);

	for (struct chash_node *n = chash_first(&ifcfg_ifd_indices, h); n != NULL; n = n->next) {
		struct ifd *ifd = container_of_ifcfg(n, struct ifd, index_node);

		if (ifd->ifd_index == idx)
			return ifd;
	}
	return NULL;
}

struct ifd *
ifd_next(uint32_t after)
{
	struct ifd *ifd;

	TAILQ_FOREACH(ifd, &ifd_all, link_all)
		if (ifd->ifd_index > after)
			return ifd;
	return NULL;
}

bool
ifd_link_up(const struct ifd *ifd)
{
	if (!ifd->admin_up)
		return false;
	if (ifd->port == IFL_NO_PORT)
		return true;
	return __atomic_load_n(&nsdp_ports[ifd->port].link_up, __ATOMIC_RELAXED) != 0;
}

uint32_t
ifd_link_speed(const struct ifd *ifd)
{
	if (ifd->port == IFL_NO_PORT)
		return 0;
	return __atomic_load_n(&nsdp_ports[ifd->port].link_speed, __ATOMIC_RELAXED);
}

/* "123" -> 123; no sign, no leading zero, at most UINT32_MAX. */
static bool
parse_unit(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The driver whose name + a unit make @name. */
static struct ifdriver *
driver_of_name(const char *name, uint32_t *unit)
{
	struct ifdriver *d;

	for (unsigned i = 0; (d = ifdriver_at(i)) != NULL; i++) {
		size_t n = strlen(d->name);

		if (strncmp(name, d->name, n) == 0 && parse_unit(name + n, unit))
			return d;
	}
	return NULL;
}

static uint32_t
ifd_index_alloc(void)
{
	/* Increasing; after a wrap, skip indices in use (never 0). */
	for (;;) {
		uint32_t idx = ifd_next_index++;

		if (ifd_next_index == 0)
			ifd_next_index = 1;
		if (idx != 0 && ifd_by_index(idx) == NULL)
			return idx;
	}
}

static void
ifd_list_insert(struct ifd *ifd)
{
	struct ifd *o;

	/* Keep index order (new indices are the largest unless wrapped). */
	TAILQ_FOREACH_REVERSE(o, &ifd_all, ifd_list, link_all)
		if (o->ifd_index < ifd->ifd_index) {
			TAILQ_INSERT_AFTER(&ifd_all, o, ifd, link_all);
			return;
		}
	TAILQ_INSERT_HEAD(&ifd_all, ifd, link_all);
}

int
ifd_add(const struct ifd_spec *s, struct ifd **out, struct ifcfg_err *e)
{
	struct ifd *ifd, *parent = NULL;
	struct ifdriver *drv;
	const char *colon;
	uint32_t unit;
	int rc;

	if (strlen(s->name) >= IFNAME_MAX)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME, "ifd name '%s' is longer than %d characters",
				 s->name, IFNAME_MAX - 1);
	if (strchr(s->name, '.') != NULL)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME,
				 "'%s' names an ifl (it has a '.'): an ifd is named DRIVER UNIT "
				 "(tap0) or PARENT:UNIT (tap0:1)", s->name);
	if (ifd_find(s->name) != NULL)
		return ifcfg_err(e, EEXIST, IFCFG_ARG_NAME, "ifd %s exists", s->name);
	colon = strrchr(s->name, ':');
	if (colon != NULL) {
		char pname[IFNAME_MAX];

		snprintf(pname, sizeof(pname), "%.*s", (int)(colon - s->name), s->name);
		if (!parse_unit(colon + 1, &unit))
			return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME,
					 "'%s': after ':' comes a unit number (tap0:1)", s->name);
		parent = ifd_find(pname);
		if (parent == NULL)
			return ifcfg_err(e, ENOENT, IFCFG_ARG_NAME, "no ifd %s to add %s on", pname,
					 s->name);
		drv = parent->drv;
		if (drv->ops->ifd_child_add == NULL)
			return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_NAME,
					 "ifd %s: driver %s has no channelized hardware, no ifd can "
					 "be added on its ifds", s->name, drv->name);
	} else {
		drv = driver_of_name(s->name, &unit);
		if (drv == NULL)
			return ifcfg_err(e, ENOENT, IFCFG_ARG_NAME,
					 "'%s' is not a driver name followed by a unit (see nsctl "
					 "driver list)", s->name);
	}
	ifd = calloc(1, sizeof(*ifd));
	if (ifd == NULL)
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	snprintf(ifd->name, sizeof(ifd->name), "%s", s->name);
	ifd->unit = unit;
	ifd->drv = drv;
	ifd->parent = parent;
	ifd->port = IFL_NO_PORT;
	ifd->admin_up = true;
	TAILQ_INIT(&ifd->children);
	TAILQ_INIT(&ifd->ifls);
	if (parent != NULL) {
		if (s->has_port) {
			free(ifd);
			return ifcfg_err(e, EINVAL, IFCFG_ARG_PORT,
					 "ifd %s is a channel of %s: it takes no port", s->name,
					 parent->name);
		}
		rc = drv->ops->ifd_child_add(parent, ifd, e);
	} else {
		rc = drv->ops->ifd_add(drv, ifd, s, e);
	}
	if (rc < 0) {
		free(ifd);
		return rc;
	}
	ifd->eops = encap_ops(ifd->encap);
	if (ifd->port != IFL_NO_PORT) {
		ifd->demux = l2demux_create();
		if (ifd->demux == NULL) {
			drv->ops->ifd_del(drv, ifd, false);
			free(ifd);
			return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory for the demux table");
		}
	}
	ifd->ifd_index = ifd_index_alloc();
	if (chash_insert(&ifcfg_ifd_names, &ifd->name_node, ifcfg_name_hash(ifd->name)) < 0)
		goto nomem;
	if (chash_insert(&ifcfg_ifd_indices, &ifd->index_node,
			 chash_bytes(&ifd->ifd_index, sizeof(ifd->ifd_index), 2)) < 0) {
		chash_remove(&ifcfg_ifd_names, &ifd->name_node);
		goto nomem;
	}
	ifd_list_insert(ifd);
	if (parent != NULL)
		TAILQ_INSERT_TAIL(&parent->children, ifd, link);
	else
		TAILQ_INSERT_TAIL(&drv->ifds, ifd, link);
	drv->n_ifd++;
	if (ifd->demux != NULL)
		l2demux_port_set(ifd->port, ifd->demux);
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifd(ifd, 1);
	if (out != NULL)
		*out = ifd;
	return 0;
nomem:
	if (ifd->demux != NULL)
		l2demux_free(ifd->demux);
	drv->ops->ifd_del(drv, ifd, false);
	free(ifd);
	return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
}

static void
demux_free_cb(void *p)
{
	l2demux_free(p);
}

void
ifd_del(struct ifd *ifd, bool gone)
{
	struct ifd *c;
	struct ifl_priv *l;

	while ((c = TAILQ_FIRST(&ifd->children)) != NULL)
		ifd_del(c, gone);
	while ((l = TAILQ_FIRST(&ifd->ifls)) != NULL)
		ifl_del(l);
	if (ifd->demux != NULL) {
		if (ifd->admin_up)
			l2demux_port_set(ifd->port, NULL);
		ifcfg_retire(demux_free_cb, ifd->demux);
		ifd->demux = NULL;
	}
	ifd->drv->ops->ifd_del(ifd->drv, ifd, gone);
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifd(ifd, -1);
	chash_remove(&ifcfg_ifd_names, &ifd->name_node);
	chash_remove(&ifcfg_ifd_indices, &ifd->index_node);
	TAILQ_REMOVE(&ifd_all, ifd, link_all);
	if (ifd->parent != NULL)
		TAILQ_REMOVE(&ifd->parent->children, ifd, link);
	else
		TAILQ_REMOVE(&ifd->drv->ifds, ifd, link);
	ifd->drv->n_ifd--;
	free(ifd);
}

/* Every ifl of @ifd's subtree, depth first. */
static unsigned
ifls_collect(struct ifl_priv *l, struct ifl_priv **out, unsigned n)
{
	struct ifl_priv *c;

	out[n++] = l;
	TAILQ_FOREACH(c, &l->children, link)
		n = ifls_collect(c, out, n);
	return n;
}

/*
 * Publish fresh dataplane copies of every ifl of @ifd (their MTU or
 * broadcast header follow the ifd). All copies are allocated before any is
 * published: on ENOMEM nothing changed.
 */
static int
ifd_republish(struct ifd *ifd)
{
	struct ifl_priv **ls;
	struct ifl **dps;
	struct ifl_priv *l;
	unsigned n = 0;

	if (ifd->n_ifl == 0)
		return 0;
	ls = calloc(ifd->n_ifl, sizeof(*ls));
	dps = calloc(ifd->n_ifl, sizeof(*dps));
	if (ls == NULL || dps == NULL)
		goto nomem;
	TAILQ_FOREACH(l, &ifd->ifls, link)
		n = ifls_collect(l, ls, n);
	for (unsigned i = 0; i < n; i++) {
		dps[i] = malloc(sizeof(*dps[i]));
		if (dps[i] == NULL)
			goto nomem;
	}
	for (unsigned i = 0; i < n; i++) {
		struct ifl *old = ls[i]->dp;

		ifl_dp_build(ls[i], dps[i]);
		ls[i]->dp = dps[i];
		ifindex_map_publish(ls[i]->ifl_index, dps[i]);
		ifcfg_retire(free, old);
	}
	free(ls);
	free(dps);
	return 0;
nomem:
	for (unsigned i = 0; dps != NULL && i < n; i++)
		free(dps[i]);
	free(ls);
	free(dps);
	return -ENOMEM;
}

static void
ifd_children_del(struct ifd *ifd)
{
	struct ifd *c;
	struct ifl_priv *l;

	while ((c = TAILQ_FIRST(&ifd->children)) != NULL)
		ifd_del(c, false);
	while ((l = TAILQ_FIRST(&ifd->ifls)) != NULL)
		ifl_del(l);
}

int
ifd_change(struct ifd *ifd, const struct ifd_change *c, struct ifcfg_err *e)
{
	uint8_t old_mac[6];
	uint32_t old_mtu = ifd->mtu;
	bool mac_set = false, mtu_set = false;
	int rc;

	/* Semantic pass: everything checked before anything changes. */
	if (c->set_encap && !ifd->drv->ops->encap_ok(ifd, c->encap))
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_ENCAP,
				 "ifd %s (driver %s) cannot take encapsulation %s", ifd->name,
				 ifd->drv->name, ifd_encap_name(c->encap));
	if ((c->set_mac || c->set_mtu || c->set_admin) && ifd->port == IFL_NO_PORT)
		return ifcfg_err(e, EOPNOTSUPP,
				 c->set_mac ? IFCFG_ARG_MAC : c->set_mtu ? IFCFG_ARG_MTU : IFCFG_ARG_ADMIN,
				 "ifd %s has no hardware: its address, MTU and admin state are fixed",
				 ifd->name);
	if (c->set_mac && ((c->mac[0] & 1) || memcmp(c->mac, "\0\0\0\0\0\0", 6) == 0))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_MAC,
				 "a data link address must be unicast and not all zeros");
	if (c->set_mtu && (c->mtu < IFD_MTU_MIN || c->mtu > IFD_MTU_MAX))
		return ifcfg_err(e, ERANGE, IFCFG_ARG_MTU, "MTU %u is outside %u..%u", c->mtu,
				 IFD_MTU_MIN, IFD_MTU_MAX);
	/* Actions that can fail, each undone if a later one fails. */
	memcpy(old_mac, ifd->mac, 6);
	if (c->set_mac && memcmp(c->mac, ifd->mac, 6) != 0) {
		struct rte_ether_addr a;

		memcpy(a.addr_bytes, c->mac, 6);
		rc = rte_eth_dev_default_mac_addr_set(ifd->port, &a);
		if (rc < 0)
			return ifcfg_err(e, -rc, IFCFG_ARG_MAC, "port %u refused the address: %s",
					 ifd->port, strerror(-rc));
		memcpy(ifd->mac, c->mac, 6);
		mac_set = true;
	}
	if (c->set_mtu && c->mtu != ifd->mtu) {
		rc = rte_eth_dev_set_mtu(ifd->port, (uint16_t)c->mtu);
		if (rc < 0) {
			ifcfg_err(e, -rc, IFCFG_ARG_MTU, "port %u refused MTU %u: %s", ifd->port, c->mtu,
				  rc == -ENOTSUP ? "its driver cannot change the MTU" : strerror(-rc));
			goto undo;
		}
		ifd->mtu = c->mtu;
		mtu_set = true;
	}
	if ((mac_set || mtu_set) && ifd_republish(ifd) < 0) {
		rc = ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
		goto undo;
	}
	/* What cannot fail. */
	if (c->set_admin && c->admin_up != ifd->admin_up) {
		ifd->admin_up = c->admin_up;
		if (c->admin_up) {
			rte_eth_dev_set_link_up(ifd->port);
			l2demux_port_set(ifd->port, ifd->demux);
		} else {
			l2demux_port_set(ifd->port, NULL);
			rte_eth_dev_set_link_down(ifd->port);
		}
	}
	if (c->set_encap && c->encap != ifd->encap) {
		/* Paper 283-290: what fits on the old encapsulation goes first. */
		ifd_children_del(ifd);
		ifd->encap = c->encap;
		ifd->eops = encap_ops(c->encap);
	}
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifd(ifd, 0);
	return 0;
undo:
	if (mtu_set) {
		rte_eth_dev_set_mtu(ifd->port, (uint16_t)old_mtu);
		ifd->mtu = old_mtu;
	}
	if (mac_set) {
		struct rte_ether_addr a;

		memcpy(a.addr_bytes, old_mac, 6);
		rte_eth_dev_default_mac_addr_set(ifd->port, &a);
		memcpy(ifd->mac, old_mac, 6);
	}
	return rc;
}
