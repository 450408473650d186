/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifdriver.c: the ifdrivers (paper 165-195), the roots of the tree. One per
 * ethdev driver that has ports (its instances: those ports, with their
 * hardware addresses) and the pseudo drivers (lo). Each driver's ops are
 * the arbiter of the ifds added on it and of ifds added on its ifds.
 *
 * ifd names: the driver's short name, then a unit ("%s%u"). The short name
 * of an ethdev driver is its name without the "net_" prefix (net_tap ->
 * "tap", net_null -> "null", net_memif -> "memif", net_virtio_user ->
 * "virtio_user"); when it ends with a digit an underscore is appended
 * (mlx5 -> "mlx5_", so "mlx5_0" stays unambiguous).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "dataplane/port.h"
#include "ifcfg_priv.h"

static struct ifdriver drivers[IFDRIVER_MAX];
static unsigned n_drivers;

void
ifdriver_short_name(const char *dpdk_name, char *buf, size_t len)
{
	const char *s = dpdk_name;
	size_t n;

	if (strncmp(s, "net_", 4) == 0)
		s += 4;
	snprintf(buf, len, "%s", s);
	n = strlen(buf);
	if (n > 0 && n + 1 < len && buf[n - 1] >= '0' && buf[n - 1] <= '9') {
		buf[n] = '_';
		buf[n + 1] = '\0';
	}
}

int
ifdriver_register(const char *name, const char *dpdk_name, const char *descr, bool pseudo,
		  const struct ifdriver_ops *ops, void *priv, struct ifdriver **out)
{
	struct ifdriver *d;

	if (ifdriver_find(name) != NULL)
		return -EEXIST;
	if (n_drivers == IFDRIVER_MAX)
		return -ENOSPC;
	d = &drivers[n_drivers];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->dpdk_name, sizeof(d->dpdk_name), "%s", dpdk_name != NULL ? dpdk_name : "");
	d->descr = descr;
	d->pseudo = pseudo;
	d->ops = ops;
	d->priv = priv;
	TAILQ_INIT(&d->ifds);
	n_drivers++;
	if (out != NULL)
		*out = d;
	return 0;
}

struct ifdriver *
ifdriver_find(const char *name)
{
	for (unsigned i = 0; i < n_drivers; i++)
		if (strcmp(drivers[i].name, name) == 0)
			return &drivers[i];
	return NULL;
}

struct ifdriver *
ifdriver_at(unsigned i)
{
	return i < n_drivers ? &drivers[i] : NULL;
}

static bool
port_is_instance(const struct ifdriver *drv, uint16_t p)
{
	uint32_t st = __atomic_load_n(&nsdp_ports[p].state, __ATOMIC_ACQUIRE);

	return (st == PORT_S_STARTED || st == PORT_S_REMOVING) &&
	       strcmp(nsdp_ports[p].driver, drv->dpdk_name) == 0;
}

unsigned
ifdriver_instances(const struct ifdriver *drv, uint16_t *ports, unsigned max)
{
	unsigned n = 0;

	if (drv->pseudo)
		return 0;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS && n < max; p++)
		if (port_is_instance(drv, p))
			ports[n++] = p;
	return n;
}

/* --- ethdev drivers ------------------------------------------------------------ */

static unsigned
instance_count(const struct ifdriver *drv)
{
	uint16_t ports[RTE_MAX_ETHPORTS];

	return ifdriver_instances(drv, ports, RTE_MAX_ETHPORTS);
}

static int
eth_ifd_add(struct ifdriver *drv, struct ifd *ifd, const struct ifd_spec *s, struct ifcfg_err *e)
{
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	uint16_t mtu;

	if (!s->has_port)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_PORT,
				 "ifd %s: which %s port? (driver %s drives %u; see nsctl driver show %s)",
				 s->name, drv->dpdk_name, drv->name, instance_count(drv), drv->name);
	if (s->port >= RTE_MAX_ETHPORTS || !port_is_instance(drv, s->port))
		return ifcfg_err(e, ENODEV, IFCFG_ARG_PORT, "port %u is not an instance of driver %s (%s)",
				 s->port, drv->name, drv->dpdk_name);
	if (__atomic_load_n(&nsdp_ports[s->port].state, __ATOMIC_ACQUIRE) != PORT_S_STARTED)
		return ifcfg_err(e, ENODEV, IFCFG_ARG_PORT, "port %u is being removed", s->port);
	for (struct ifd *o = TAILQ_FIRST(&drv->ifds); o != NULL; o = TAILQ_NEXT(o, link))
		if (o->port == s->port)
			return ifcfg_err(e, EBUSY, IFCFG_ARG_PORT, "port %u is already ifd %s", s->port,
					 o->name);
	ifd->port = s->port;
	ifd->type = IFD_TYPE_ETHERNET;
	ifd->encap = IFD_ENCAP_ETHERNET;
	memcpy(ifd->perm_mac, nsdp_ports[s->port].mac.addr_bytes, 6);
	if (rte_eth_macaddr_get(s->port, &mac) == 0)
		memcpy(ifd->mac, mac.addr_bytes, 6);
	else
		memcpy(ifd->mac, ifd->perm_mac, 6);
	ifd->mtu = rte_eth_dev_get_mtu(s->port, &mtu) == 0 ? mtu : IFD_MTU_DEFAULT;
	ifd->caps = 0;
	if (rte_eth_dev_info_get(s->port, &info) == 0) {
		if ((info.rx_offload_capa & (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
					     RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) ==
		    (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM))
			ifd->caps |= IFF_CAP_RX_CKSUM;
		if ((info.tx_offload_capa & (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
					     RTE_ETH_TX_OFFLOAD_TCP_CKSUM)) ==
		    (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM))
			ifd->caps |= IFF_CAP_TX_CKSUM;
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO)
			ifd->caps |= IFF_CAP_TSO;
	}
	return 0;
}

static void
eth_ifd_del(struct ifdriver *drv, struct ifd *ifd, bool gone)
{
	(void)drv;
	if (gone || ifd->port == IFL_NO_PORT)
		return;
	/* Leave the port as it was at start: its own address, link up. */
	if (memcmp(ifd->mac, ifd->perm_mac, 6) != 0) {
		struct rte_ether_addr a;

		memcpy(a.addr_bytes, ifd->perm_mac, 6);
		rte_eth_dev_default_mac_addr_set(ifd->port, &a);
	}
	if (!ifd->admin_up)
		rte_eth_dev_set_link_up(ifd->port);
}

static bool
eth_encap_ok(const struct ifd *ifd, unsigned encap)
{
	(void)ifd;
	return encap == IFD_ENCAP_ETHERNET;
}

static const struct ifdriver_ops eth_ops = {
	.ifd_add = eth_ifd_add,
	.ifd_del = eth_ifd_del,
	.ifd_child_add = NULL,  /* no channelized Ethernet hardware */
	.encap_ok = eth_encap_ok,
};

/* --- lo ---------------------------------------------------------------------- */

static int
lo_ifd_add(struct ifdriver *drv, struct ifd *ifd, const struct ifd_spec *s, struct ifcfg_err *e)
{
	(void)drv;
	if (s->has_port)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_PORT,
				 "lo is a pseudo driver: it has no ports, 'port' does not apply");
	ifd->port = IFL_NO_PORT;
	ifd->type = IFD_TYPE_LOOPBACK;
	ifd->encap = IFD_ENCAP_LOOPBACK;
	ifd->mtu = 65535;
	return 0;
}

static void
lo_ifd_del(struct ifdriver *drv, struct ifd *ifd, bool gone)
{
	(void)drv, (void)ifd, (void)gone;
}

static bool
lo_encap_ok(const struct ifd *ifd, unsigned encap)
{
	(void)ifd;
	return encap == IFD_ENCAP_LOOPBACK;
}

static const struct ifdriver_ops lo_ops = {
	.ifd_add = lo_ifd_add,
	.ifd_del = lo_ifd_del,
	.ifd_child_add = NULL,
	.encap_ok = lo_encap_ok,
};

int ifdriver_init(void);
void ifdriver_fini(void);

int
ifdriver_init(void)
{
	struct ifd_spec lo = { .name = "lo0" };
	struct ifl_spec lo0 = { .name = "lo0.0" };
	struct ifcfg_err e;
	struct ifd *ifd;
	int rc;

	rc = ifdriver_register("lo", NULL, "loopback: local addresses of each routing instance", true,
			       &lo_ops, NULL, NULL);
	if (rc < 0)
		return rc;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		char name[16];

		if (__atomic_load_n(&nsdp_ports[p].state, __ATOMIC_ACQUIRE) != PORT_S_STARTED)
			continue;
		ifdriver_short_name(nsdp_ports[p].driver, name, sizeof(name));
		if (ifdriver_find(name) != NULL)
			continue;
		rc = ifdriver_register(name, nsdp_ports[p].driver, "ethdev driver", false, &eth_ops,
				       NULL, NULL);
		if (rc < 0) {
			RTE_LOG(ERR, USER1, "ifdriver %s: cannot register: %s\n", name, strerror(-rc));
			return rc;
		}
	}
	/* lo0 exists from the start, with lo0.0 for routing instance 0 (paper 877-915). */
	rc = ifd_add(&lo, &ifd, &e);
	if (rc == 0)
		rc = ifl_add(&lo0, NULL, &e);
	if (rc < 0)
		RTE_LOG(ERR, USER1, "lo0: %s\n", e.msg);
	return rc;
}

void
ifdriver_fini(void)
{
	for (unsigned i = 0; i < n_drivers; i++) {
		struct ifd *ifd;

		while ((ifd = TAILQ_FIRST(&drivers[i].ifds)) != NULL)
			ifd_del(ifd, true);
	}
	n_drivers = 0;
}
