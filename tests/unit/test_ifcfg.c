/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ifcfg.c: the interface tree's rules (naming, indices, L2_IDs,
 * bridging exclusivity, addressing), its side effects (L2 demux entries,
 * interface routes, DEAD next hops) and their exact undoing, on net_null
 * ports: after any sequence of adds and deletes, the routes and demux
 * entries equal those a rebuild of the remaining configuration makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/l2demux.h"
#include "dataplane/nexthop.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "ifcfg/ifcfg.h"
#include "ifcfg/ifcfg_priv.h"
#include "test_eal.h"

static struct ifcfg_err E;

/* --- helpers ----------------------------------------------------------------- */

static int
ifd_add_port(const char *name, int port)
{
	struct ifd_spec s = { .name = name, .has_port = port >= 0, .port = (uint16_t)port };

	return ifd_add(&s, NULL, &E);
}

static int
ifl_add_tags(const char *name, unsigned n, const uint16_t *tpid, const uint16_t *vid)
{
	struct ifl_spec s = { .name = name };

	if (n > 0) {
		s.l2id.kind = L2ID_TAGS;
		s.l2id.n_tags = (uint8_t)n;
		for (unsigned i = 0; i < n && i < L2KEY_MAX_TAGS; i++) {
			s.l2id.tpid[i] = tpid[i];
			s.l2id.vid[i] = vid[i];
		}
	}
	return ifl_add(&s, NULL, &E);
}

static int
ifl_add_vlan(const char *name, uint16_t vid)
{
	uint16_t t = 0x8100;

	return vid == 0 ? ifl_add_tags(name, 0, NULL, NULL) : ifl_add_tags(name, 1, &t, &vid);
}

static int
ifl_add_flags(const char *name, uint16_t flags)
{
	struct ifl_spec s = { .name = name, .flags = flags };

	return ifl_add(&s, NULL, &E);
}

static int
ifl_add_pppoe(const char *name, uint16_t session)
{
	struct ifl_spec s = { .name = name };
	static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };

	s.l2id.kind = L2ID_PPPOE;
	s.l2id.session = session;
	memcpy(s.l2id.peer, peer, 6);
	return ifl_add(&s, NULL, &E);
}

static int
iff_add_fam(const char *ifl, unsigned fam, int table)
{
	struct iff_spec s = { .family = (uint8_t)fam, .has_table = table >= 0,
			      .table = (uint16_t)(table < 0 ? 0 : table) };
	struct ifl_priv *l = ifl_find(ifl);

	if (l == NULL)
		return -ENOENT;
	return iff_add(l, &s, NULL, &E);
}

static struct iff *
iff_of(const char *ifl, unsigned fam)
{
	struct ifl_priv *l = ifl_find(ifl);

	return l != NULL ? l->iff[fam] : NULL;
}

/* "192.0.2.1/24" (local + subnet), "L" local only, "L>D" p2p local and dest, ">D" dest only. */
static void
ifa_parse(unsigned fam, const char *text, struct ifa_spec *a)
{
	char buf[128], *gt, *slash;
	int af = fam == IFF_INET6 ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	snprintf(buf, sizeof(buf), "%s", text);
	gt = strchr(buf, '>');
	if (gt != NULL) {
		*gt = '\0';
		if (buf[0] != '\0') {
			assert_int_equal(inet_pton(af, buf, a->local), 1);
			a->has_local = true;
		}
		assert_int_equal(inet_pton(af, gt + 1, a->dest), 1);
		a->has_dest = true;
		a->dest_len = fam == IFF_INET6 ? 128 : 32;
		return;
	}
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		a->dest_len = (uint8_t)atoi(slash + 1);
		a->has_dest = true;
	}
	assert_int_equal(inet_pton(af, buf, a->local), 1);
	a->has_local = true;
	if (a->has_dest)
		memcpy(a->dest, a->local, 16);
}

static int
ifa_add_text(const char *ifl, unsigned fam, const char *text)
{
	struct ifa_spec a;
	struct iff *iff = iff_of(ifl, fam);

	if (iff == NULL)
		return -ENOENT;
	ifa_parse(fam, text, &a);
	return ifa_add(iff, &a, NULL, &E);
}

static int
ifa_del_text(const char *ifl, unsigned fam, const char *text)
{
	struct ifa_spec a;
	struct iff *iff = iff_of(ifl, fam);

	if (iff == NULL)
		return -ENOENT;
	ifa_parse(fam, text, &a);
	return ifa_del(iff, &a, &E);
}

static void
del_ifl(const char *name)
{
	struct ifl_priv *l = ifl_find(name);

	assert_non_null(l);
	ifl_del(l);
}

static void
del_ifd(const char *name)
{
	struct ifd *d = ifd_find(name);

	assert_non_null(d);
	ifd_del(d, false);
}

/* Whether table (inst, fam 4/6) holds route (dst/len, type) on @ifl with next hop @nh_type. */
static bool
has_route(uint16_t inst, int fam, const char *dst, unsigned len, unsigned type, const char *ifl,
	  unsigned nh_type)
{
	struct route_match m = { .type_mask = 1u << type, .exact = true, .dst_len = (uint8_t)len,
				 .ifl_index = ifl_index_by_name(ifl) };
	uint8_t a[16] = { 0 };
	struct route_info ri;
	struct rt_table *t = rt_table_get(inst, fam);

	assert_non_null(t);
	assert_int_equal(inet_pton(fam == 6 ? AF_INET6 : AF_INET, dst, a), 1);
	if (m.ifl_index == 0 || route_lookup(t, a, NULL, &m, &ri) != 0)
		return false;
	return ri.type == type && ri.key.dst_len == len && ri.nh != NULL && ri.nh->type == nh_type;
}

/* Snapshot: interface routes and demux entries as sorted text, ifls by name. */
struct snap {
	char **line;
	unsigned n, cap;
};

static void
snap_add(struct snap *s, const char *text)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->line = realloc(s->line, s->cap * sizeof(*s->line));
		assert_non_null(s->line);
	}
	s->line[s->n++] = strdup(text);
}

static int
snap_route(const struct route_info *r, void *arg)
{
	char name[IFNAME_MAX] = "-", dst[64], line[256];

	if (!((RTT_IF_TYPES >> r->type) & 1))
		return 0;
	ifl_name(r->ifl_index, name, sizeof(name));
	inet_ntop(r->key.family == 6 ? AF_INET6 : AF_INET, r->key.dst, dst, sizeof(dst));
	snprintf(line, sizeof(line), "route %s/%u type %u flags %u ifl %s nh %u nh-ifl %s", dst,
		 r->key.dst_len, r->type, r->flags, name, r->nh->type,
		 r->nh->ifl_index != 0 ? name : "-");
	snap_add(arg, line);
	return 0;
}

static int
snap_demux(const struct l2key *k, const struct l2demux_result *r, void *arg)
{
	char name[IFNAME_MAX] = "-", key[160], line[256];

	ifl_name(r->ifl_index, name, sizeof(name));
	l2key_format(k, key, sizeof(key));
	snprintf(line, sizeof(line), "demux %s -> %s %s strip %d", key, name, r->name, r->strip);
	snap_add(arg, line);
	return 0;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
snap_take(struct snap *s, const char *ifd)
{
	memset(s, 0, sizeof(*s));
	for (uint16_t inst = 0; inst < 4; inst++) {
		if (!rt_inst_exists(inst))
			continue;
		route_walk(rt_table_get(inst, 4), snap_route, s);
		route_walk(rt_table_get(inst, 6), snap_route, s);
	}
	if (ifd_l2demux_by_name(ifd) != NULL)
		l2demux_walk(ifd_l2demux_by_name(ifd), snap_demux, s);
	if (s->n > 0)
		qsort(s->line, s->n, sizeof(*s->line), line_cmp);
}

static void
snap_free(struct snap *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->line[i]);
	free(s->line);
}

static unsigned
count_if_routes(void)
{
	struct snap s;
	unsigned n;

	snap_take(&s, "none");
	n = s.n;
	snap_free(&s);
	return n;
}

/* --- setup -------------------------------------------------------------------- */

static int
group_setup(void **state)
{
	static const char *const vdevs[] = { "net_null0", "net_null1", NULL };
	uint16_t p;

	(void)state;
	test_eal_init("0", vdevs);
	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		assert_int_equal(rte_eth_dev_info_get(p, &info), 0);
		nsdp_ports[p].port_id = p;
		rte_eth_dev_get_name_by_port(p, nsdp_ports[p].name);
		snprintf(nsdp_ports[p].driver, sizeof(nsdp_ports[p].driver), "%s", info.driver_name);
		rte_eth_macaddr_get(p, &nsdp_ports[p].mac);
		nsdp_ports[p].state = PORT_S_STARTED;
	}
	assert_int_equal(counters_init(), 0);
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(rt_inst_add(1), 0);
	assert_int_equal(ifcfg_init(), 0);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	ifcfg_fini();
	rt_fini();
	nh_fini();
	counters_fini();
	return 0;
}

/* Every test leaves only lo0 / lo0.0 (without families) behind. */
static int
test_teardown(void **state)
{
	struct ifd *d, *lo = ifd_find("lo0");
	struct ifl_priv *l, *next;

	(void)state;
	for (;;) {
		for (d = ifd_next(0); d != NULL; d = ifd_next(d->ifd_index))
			if (d != lo && d->parent == NULL)
				break;
		if (d == NULL)
			break;
		ifd_del(d, false);
	}
	for (l = TAILQ_FIRST(&lo->ifls); l != NULL; l = next) {
		next = TAILQ_NEXT(l, link);
		if (strcmp(l->name, "lo0.0") != 0)
			ifl_del(l);
	}
	l = ifl_find("lo0.0");
	for (unsigned f = 0; f < IFF_FAM_MAX; f++)
		if (l->iff[f] != NULL)
			iff_del(l->iff[f]);
	ifcfg_retire_flush();
	return 0;
}

/* --- drivers and ifds --------------------------------------------------------------- */

static void
test_drivers(void **state)
{
	struct ifdriver *null = ifdriver_find("null"), *lo = ifdriver_find("lo");
	uint16_t ports[8];
	char b[32];

	(void)state;
	assert_non_null(null);
	assert_non_null(lo);
	assert_false(null->pseudo);
	assert_true(lo->pseudo);
	assert_string_equal(null->dpdk_name, "net_null");
	assert_int_equal(ifdriver_instances(null, ports, 8), 2);
	assert_int_equal(ifdriver_instances(lo, ports, 8), 0);
	ifdriver_short_name("net_tap", b, sizeof(b));
	assert_string_equal(b, "tap");
	ifdriver_short_name("net_virtio_user", b, sizeof(b));
	assert_string_equal(b, "virtio_user");
	ifdriver_short_name("net_memif", b, sizeof(b));
	assert_string_equal(b, "memif");
	ifdriver_short_name("mlx5", b, sizeof(b));
	assert_string_equal(b, "mlx5_");
	/* lo0 and lo0.0 exist from the start. */
	assert_non_null(ifd_find("lo0"));
	assert_non_null(ifl_find("lo0"));
	assert_true(ifl_find("lo0")->flags & IFL_F_LOOPBACK);
	assert_true(ifl_find("lo0")->flags & IFL_F_P2P);
}

static void
test_ifd_naming(void **state)
{
	struct ifd *d;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	d = ifd_find("null0");
	assert_non_null(d);
	assert_true(d->ifd_index != 0);
	assert_int_equal(d->port, 0);
	assert_int_equal(d->type, IFD_TYPE_ETHERNET);
	assert_int_equal(d->encap, IFD_ENCAP_ETHERNET);
	assert_ptr_equal(l2demux_by_port[0], d->demux);
	assert_memory_equal(d->perm_mac, nsdp_ports[0].mac.addr_bytes, 6);
	/* One ifd per port; names are unique; a driver name then a unit. */
	assert_int_equal(ifd_add_port("null1", 0), -EBUSY);
	assert_int_equal(E.arg, IFCFG_ARG_PORT);
	assert_int_equal(ifd_add_port("null0", 1), -EEXIST);
	assert_int_equal(ifd_add_port("foo0", 1), -ENOENT);
	assert_int_equal(ifd_add_port("null01", 1), -ENOENT);
	assert_int_equal(ifd_add_port("null", 1), -ENOENT);
	assert_int_equal(ifd_add_port("null2", -1), -EINVAL);
	assert_int_equal(ifd_add_port("null2", 7), -ENODEV);
	assert_int_equal(ifd_add_port("lo1", 0), -EINVAL);
	assert_int_equal(ifd_add_port("null0.1", 1), -EINVAL);
	/* No Ethernet hardware is channelized. */
	assert_int_equal(ifd_add_port("null0:1", -1), -EOPNOTSUPP);
	assert_non_null(strstr(E.msg, "channelized"));
	/* Units are free: null7 on port 1. */
	assert_int_equal(ifd_add_port("null7", 1), 0);
	assert_true(ifd_find("null7")->ifd_index > d->ifd_index);
	del_ifd("null7");
	assert_null(l2demux_by_port[1]);
	assert_null(ifd_find("null7"));
}

/* A channelized test driver: the ifd-on-ifd mechanism. */
static int
chan_ifd_add(struct ifdriver *drv, struct ifd *ifd, const struct ifd_spec *s, struct ifcfg_err *e)
{
	(void)drv, (void)e, (void)s;
	ifd->type = IFD_TYPE_CHANNEL;
	ifd->encap = IFD_ENCAP_CHANNEL;
	ifd->mtu = 1500;
	return 0;
}

static void
chan_ifd_del(struct ifdriver *drv, struct ifd *ifd, bool gone)
{
	(void)drv, (void)ifd, (void)gone;
}

static int
chan_child_add(struct ifd *parent, struct ifd *child, struct ifcfg_err *e)
{
	if (parent->encap != IFD_ENCAP_CHANNEL)
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_NAME, "%s is not channelized", parent->name);
	child->type = IFD_TYPE_ETHERNET;
	child->encap = IFD_ENCAP_ETHERNET;
	child->mtu = 1500;
	return 0;
}

static bool
chan_encap_ok(const struct ifd *ifd, unsigned encap)
{
	(void)ifd;
	return encap == IFD_ENCAP_CHANNEL || encap == IFD_ENCAP_ETHERNET;
}

static const struct ifdriver_ops chan_ops = { chan_ifd_add, chan_ifd_del, chan_child_add,
					      chan_encap_ok };

static void
test_ifd_on_ifd(void **state)
{
	struct ifd_change c = { .set_encap = true, .encap = IFD_ENCAP_ETHERNET };
	struct ifd *top;

	(void)state;
	if (ifdriver_find("chan") == NULL)
		assert_int_equal(ifdriver_register("chan", NULL, "test channelized", true, &chan_ops,
						   NULL, NULL), 0);
	assert_int_equal(ifd_add_port("chan0", -1), 0);
	assert_int_equal(ifd_add_port("chan0:1", -1), 0);
	assert_int_equal(ifd_add_port("chan0:2", -1), 0);
	assert_int_equal(ifd_add_port("chan0:1", -1), -EEXIST);
	assert_int_equal(ifd_add_port("chan9:1", -1), -ENOENT);
	assert_int_equal(ifd_add_port("chan0:x", -1), -EINVAL);
	assert_int_equal(ifd_find("chan0:1")->parent, ifd_find("chan0"));
	/* Channels are Ethernet: ifls go there, not on the channelized parent. */
	assert_int_equal(ifl_add_vlan("chan0:1.0", 0), 0);
	assert_int_equal(ifl_add_vlan("chan0.0", 0), -EOPNOTSUPP);
	/* A channel's own children follow its parent's rules: not channelized. */
	assert_int_equal(ifd_add_port("chan0:1:1", -1), -EOPNOTSUPP);
	/* Changing the encapsulation deletes every child first (paper 283-290). */
	top = ifd_find("chan0");
	assert_int_equal(ifd_change(top, &c, &E), 0);
	assert_null(ifd_find("chan0:1"));
	assert_null(ifd_find("chan0:2"));
	assert_null(ifl_find("chan0:1.0"));
	assert_int_equal(top->encap, IFD_ENCAP_ETHERNET);
	assert_int_equal(ifd_add_port("chan0:3", -1), -EOPNOTSUPP);
	/* Deleting a parent deletes its channels. */
	c.encap = IFD_ENCAP_CHANNEL;
	assert_int_equal(ifd_change(top, &c, &E), 0);
	assert_int_equal(ifd_add_port("chan0:4", -1), 0);
	del_ifd("chan0");
	assert_null(ifd_find("chan0:4"));
	/* Ethernet hardware takes no other encapsulation. */
	assert_int_equal(ifd_add_port("null0", 0), 0);
	c.encap = IFD_ENCAP_CHANNEL;
	assert_int_equal(ifd_change(ifd_find("null0"), &c, &E), -EOPNOTSUPP);
	assert_int_equal(E.arg, IFCFG_ARG_ENCAP);
}

static void
test_ifd_change(void **state)
{
	struct ifd_change c = { 0 };
	struct ifd *d;
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct rte_ether_addr now;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	d = ifd_find("null0");
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(iff_add_fam("null0", IFF_INET, -1), 0);
	c.set_mac = true;
	memcpy(c.mac, mac, 6);
	assert_int_equal(ifd_change(d, &c, &E), 0);
	assert_memory_equal(d->mac, mac, 6);
	assert_int_equal(rte_eth_macaddr_get(0, &now), 0);
	assert_memory_equal(now.addr_bytes, mac, 6);
	/* The broadcast header the packet path sees follows the address. */
	assert_memory_equal(ifl_lookup(ifl_index_by_name("null0"))->fam[IFF_INET].bcast_l2 + 6, mac, 6);
	c.mac[0] = 0x01;
	assert_int_equal(ifd_change(d, &c, &E), -EINVAL);
	memset(&c, 0, sizeof(c));
	c.set_mtu = true;
	c.mtu = 20;
	assert_int_equal(ifd_change(d, &c, &E), -ERANGE);
	/* Admin down unbinds the demux table; up binds it again. */
	memset(&c, 0, sizeof(c));
	c.set_admin = true;
	assert_int_equal(ifd_change(d, &c, &E), 0);
	assert_false(d->admin_up);
	assert_null(l2demux_by_port[0]);
	assert_false(ifd_link_up(d));
	c.admin_up = true;
	assert_int_equal(ifd_change(d, &c, &E), 0);
	assert_ptr_equal(l2demux_by_port[0], d->demux);
	/* lo0 has no hardware. */
	c.set_mtu = true;
	c.mtu = 1500;
	assert_int_equal(ifd_change(ifd_find("lo0"), &c, &E), -EOPNOTSUPP);
	/* Delete restores the permanent address. */
	del_ifd("null0");
	assert_int_equal(rte_eth_macaddr_get(0, &now), 0);
	assert_memory_equal(now.addr_bytes, nsdp_ports[0].mac.addr_bytes, 6);
}

/* --- ifls -------------------------------------------------------------------- */

static void
test_ifl_naming_and_index(void **state)
{
	uint32_t a, b, c;
	const struct ifl *dp;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 101), -EEXIST);
	assert_int_equal(ifl_add_vlan("null0", 5), -EINVAL);
	assert_int_equal(ifl_add_vlan("null0.01", 5), -EINVAL);
	assert_int_equal(ifl_add_vlan("null0.x", 5), -EINVAL);
	assert_int_equal(ifl_add_vlan("null0.4294967296", 5), -EINVAL);
	assert_int_equal(ifl_add_vlan("null9.1", 5), -ENOENT);
	assert_int_equal(ifl_add_vlan("null0.5.1", 5), -ENOENT);
	/* A bare name means unit 0. */
	a = ifl_index_by_name("null0");
	assert_int_equal(a, ifl_index_by_name("null0.0"));
	b = ifl_index_by_name("null0.100");
	assert_true(a != 0 && b > a);
	dp = ifl_lookup(b);
	assert_non_null(dp);
	assert_int_equal(dp->ifl_index, b);
	assert_int_equal(dp->port, 0);
	assert_int_equal(dp->ifd_index, ifd_find("null0")->ifd_index);
	/* Deleted: lookups give NULL, the index is not given out again. */
	del_ifl("null0.100");
	assert_null(ifl_lookup(b));
	assert_int_equal(ifl_index_by_name("null0.100"), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	c = ifl_index_by_name("null0.100");
	assert_true(c > b);
	/* After the 32-bit space wraps, indices in use are skipped, 0 never used. */
	ifl_index_test_set_next(UINT32_MAX);
	assert_int_equal(ifl_add_vlan("null0.200", 200), 0);
	assert_int_equal(ifl_index_by_name("null0.200"), UINT32_MAX);
	assert_int_equal(ifl_add_vlan("null0.201", 201), 0);
	assert_true(ifl_index_by_name("null0.201") != 0);
	assert_true(ifl_index_by_name("null0.201") != ifl_index_by_name("lo0.0"));
	assert_true(ifl_index_by_name("null0.201") != a);
	assert_true(ifl_index_by_name("null0.201") != c);
	assert_non_null(ifl_lookup(UINT32_MAX));
	ifl_index_test_set_next(c + 100);
	/* ifl_name */
	{
		char n[8];

		assert_int_equal(ifl_name(c, n, sizeof(n)), -ENOSPC);
		assert_int_equal(ifl_name(0, n, sizeof(n)), -ENOENT);
	}
	/* Deleting the ifd deletes its ifls. */
	del_ifd("null0");
	assert_null(ifl_lookup(a));
	assert_null(ifl_lookup(c));
	assert_int_equal(ifl_count(), 1); /* lo0.0 */
}

static void
test_ifl_l2id(void **state)
{
	static const uint16_t qinq_t[2] = { 0x88a8, 0x8100 }, qinq_v[2] = { 10, 20 };
	static const uint16_t bad_t[2] = { 0x8100, 0x88a8 };
	static const uint16_t deep_t[5] = { 0x88a8, 0x88a8, 0x88a8, 0x88a8, 0x8100 };
	static const uint16_t deep_v[5] = { 1, 2, 3, 4, 5 };
	uint16_t t, v;
	uint8_t hdr[64];
	static const uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint16_t port;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	/* One untagged ifl per parent. */
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.1", 0), -EEXIST);
	assert_int_equal(E.arg, IFCFG_ARG_L2ID);
	/* VLAN IDs unique among siblings, 1..4094. */
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	assert_int_equal(ifl_add_vlan("null0.101", 100), -EEXIST);
	assert_non_null(strstr(E.msg, "null0.100"));
	assert_int_equal(ifl_add_vlan("null0.102", 4095), -EINVAL);
	t = 0x8100, v = 0;
	assert_int_equal(ifl_add_tags("null0.103", 1, &t, &v), -EINVAL);
	t = 0x0800, v = 3;
	assert_int_equal(ifl_add_tags("null0.104", 1, &t, &v), -EINVAL);
	/* QinQ in one ifl, and as an outer ifl with an inner ifl on it. */
	assert_int_equal(ifl_add_tags("null0.7", 2, qinq_t, qinq_v), 0);
	t = 0x88a8, v = 10;
	assert_int_equal(ifl_add_tags("null0.8", 1, &t, &v), 0);
	assert_int_equal(ifl_add_vlan("null0.8.20", 20), -EEXIST); /* same frames as null0.7 */
	assert_int_equal(ifl_add_vlan("null0.8.21", 21), 0);
	t = 0x9100, v = 30;
	assert_int_equal(ifl_add_tags("null0.8.22", 1, &t, &v), 0);
	assert_int_equal(ifl_add_vlan("null0.8.22.5", 5), 0);
	/* 0x8100 is the innermost tag. */
	assert_int_equal(ifl_add_tags("null0.9", 2, bad_t, qinq_v), -EINVAL);
	assert_int_equal(ifl_add_vlan("null0.100.1", 1), -EINVAL);
	assert_int_equal(ifl_add_tags("null0.10", 5, deep_t, deep_v), -EINVAL);
	assert_int_equal(ifl_add_tags("null0.10", 4, deep_t + 1, deep_v + 1), 0);
	/* An ifl on an ifl needs an L2_ID. */
	assert_int_equal(ifl_add_vlan("null0.8.0", 0), -EINVAL);
	/* PPPoE: on an Ethernet ifl, point-to-point, nothing on it. */
	assert_int_equal(ifl_add_pppoe("null0.11", 1), -EINVAL);
	assert_int_equal(ifl_add_pppoe("null0.0.1", 1), 0);
	assert_true(ifl_find("null0.0.1")->flags & IFL_F_P2P);
	assert_int_equal(ifl_add_pppoe("null0.0.2", 1), -EEXIST);
	assert_int_equal(ifl_add_pppoe("null0.100.1", 1), 0);
	assert_int_equal(ifl_add_vlan("null0.0.1.1", 1), -EOPNOTSUPP);
	/* Headers built from the chain: 88a8/10 8100/20 then the type. */
	assert_int_equal(ifl_l2_header(ifl_index_by_name("null0.7"), dst, 0x0800, hdr, sizeof(hdr),
				       &port), 22);
	assert_int_equal(port, 0);
	assert_memory_equal(hdr + 12, "\x88\xa8\x00\x0a\x81\x00\x00\x14\x08\x00", 10);
	assert_int_equal(ifl_l2_header(ifl_index_by_name("null0.7"), dst, 0x0800, hdr, 10, &port),
			 -ENOSPC);
	assert_int_equal(ifl_l2_header(ifl_index_by_name("null0.0.1"), dst, 0x0800, hdr, 64, &port),
			 -EOPNOTSUPP);
	/* Flags. */
	assert_int_equal(ifl_add_flags("null0.12", IFL_F_P2P | IFL_F_NBMA), -EINVAL);
	assert_int_equal(ifl_add_flags("null0.12", IFL_F_LOOPBACK), -EINVAL);
	/* Cascade: deleting null0.8 deletes its whole subtree. */
	del_ifl("null0.8");
	assert_null(ifl_find("null0.8.21"));
	assert_null(ifl_find("null0.8.22.5"));
	assert_non_null(ifl_find("null0.7"));
	assert_int_equal(ifl_add_vlan("null0.8", 44), 0);
}

static void
test_bridge_exclusive(void **state)
{
	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifd_add_port("null1", 1), 0);
	/* Accepted: the only ifl, no L2_ID, no other family. */
	assert_int_equal(ifl_add_vlan("null1.0", 0), 0);
	assert_int_equal(iff_add_fam("null1.0", IFF_BRIDGE, -1), 0);
	assert_int_equal(l2demux_count(ifd_find("null1")->demux), 1);
	/* Then nothing else: no family, no ifl beside or on it. */
	assert_int_equal(iff_add_fam("null1.0", IFF_INET, -1), -EBUSY);
	assert_int_equal(iff_add_fam("null1.0", IFF_INET6, -1), -EBUSY);
	assert_int_equal(ifl_add_vlan("null1.5", 5), -EBUSY);
	assert_int_equal(ifl_add_vlan("null1.0.5", 5), -EBUSY);
	assert_int_equal(ifa_add_text("null1.0", IFF_BRIDGE, "192.0.2.1/24"), -EOPNOTSUPP);
	iff_del(iff_of("null1.0", IFF_BRIDGE));
	assert_int_equal(l2demux_count(ifd_find("null1")->demux), 0);
	assert_int_equal(ifl_add_vlan("null1.5", 5), 0);
	/* Refused: another ifl beside, an L2_ID, another family. */
	assert_int_equal(iff_add_fam("null1.0", IFF_BRIDGE, -1), -EBUSY);
	assert_int_equal(iff_add_fam("null1.5", IFF_BRIDGE, -1), -EINVAL);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(iff_add_fam("null0.0", IFF_INET6, -1), 0);
	assert_int_equal(iff_add_fam("null0.0", IFF_BRIDGE, -1), -EBUSY);
	iff_del(iff_of("null0.0", IFF_INET6));
	assert_int_equal(ifl_add_pppoe("null0.0.1", 3), 0);
	assert_int_equal(iff_add_fam("null0.0", IFF_BRIDGE, -1), -EBUSY);
}

/* --- iffs and their demux entries ------------------------------------------------- */

struct demux_find {
	const char *key;
	const char *name;
	uint32_t ifl_index;
	bool found;
};

static int
demux_find_cb(const struct l2key *k, const struct l2demux_result *r, void *arg)
{
	struct demux_find *f = arg;
	char key[160];

	l2key_format(k, key, sizeof(key));
	if (strcmp(key, f->key) == 0 && strcmp(r->name, f->name) == 0 &&
	    r->ifl_index == f->ifl_index)
		f->found = true;
	return 0;
}

static bool
has_demux(const char *ifd, const char *ifl, const struct l2key *k, const char *name)
{
	char key[160];
	struct demux_find f = { key, name, ifl_index_by_name(ifl), false };

	l2key_format(k, key, sizeof(key));
	l2demux_walk(ifd_l2demux_by_name(ifd), demux_find_cb, &f);
	return f.found;
}

static void
test_iff(void **state)
{
	static const uint16_t qinq_t[2] = { 0x88a8, 0x8100 }, qinq_v[2] = { 10, 20 };
	static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct iff_spec s = { 0 };
	struct l2key k;
	const struct ifl *dp;
	struct l2demux *d;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	d = ifd_l2demux_by_name("null0");
	assert_non_null(d);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	assert_int_equal(ifl_add_tags("null0.7", 2, qinq_t, qinq_v), 0);
	assert_int_equal(ifl_add_pppoe("null0.0.1", 1), 0);
	assert_int_equal(l2demux_count(d), 0);
	/* Routing instances must exist. */
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, 77), -ENOENT);
	assert_int_equal(E.arg, IFCFG_ARG_TABLE);
	assert_int_equal(l2demux_count(d), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, 1), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, 1), -EEXIST);
	assert_true(ifcfg_inst_in_use(1));
	/* inet: IPv4 and ARP under the tag. */
	l2key_init(&k);
	l2key_push_tag(&k, 0x8100, 100);
	l2key_push_type(&k, 0x0800);
	assert_true(has_demux("null0", "null0.100", &k, "inet"));
	l2key_init(&k);
	l2key_push_tag(&k, 0x8100, 100);
	l2key_push_type(&k, 0x0806);
	assert_true(has_demux("null0", "null0.100", &k, "arp"));
	/* inet6 on the QinQ ifl, both tags in the key. */
	assert_int_equal(iff_add_fam("null0.7", IFF_INET6, -1), 0);
	l2key_init(&k);
	l2key_push_tag(&k, 0x88a8, 10);
	l2key_push_tag(&k, 0x8100, 20);
	l2key_push_type(&k, 0x86dd);
	assert_true(has_demux("null0", "null0.7", &k, "inet6"));
	/* Untagged inet: the type alone. */
	assert_int_equal(iff_add_fam("null0", IFF_INET, -1), 0);
	l2key_init(&k);
	l2key_push_type(&k, 0x0800);
	assert_true(has_demux("null0", "null0.0", &k, "inet"));
	/* PPPoE: session, peer, PPP protocol; no ARP. */
	assert_int_equal(iff_add_fam("null0.0.1", IFF_INET, -1), 0);
	l2key_init(&k);
	l2key_push_pppoe_session(&k, 1, peer);
	l2key_push_bits(&k, 0x0021, 16);
	assert_true(has_demux("null0", "null0.0.1", &k, "inet"));
	assert_int_equal(l2demux_count(d), 6);
	/* The packet path's view. */
	dp = ifl_lookup(ifl_index_by_name("null0.100"));
	assert_true(dp->fam[IFF_INET].present);
	assert_false(dp->fam[IFF_INET6].present);
	assert_int_equal(dp->fam[IFF_INET].rt_inst, 1);
	assert_int_equal(dp->fam[IFF_INET].mtu, ifd_find("null0")->mtu - 4);
	assert_int_equal(dp->fam[IFF_INET].bcast_l2_len, 18);
	assert_int_equal(ifl_lookup(ifl_index_by_name("null0.7"))->fam[IFF_INET6].mtu,
			 ifd_find("null0")->mtu - 8);
	assert_int_equal(ifl_lookup(ifl_index_by_name("null0.0.1"))->fam[IFF_INET].bcast_l2_len, 0);
	/* MTU range; change without addresses. */
	s.has_mtu = true;
	s.mtu = 1497;
	assert_int_equal(iff_change(iff_of("null0.100", IFF_INET), &s, &E), -ERANGE);
	s.mtu = 1400;
	s.has_in_filter = true;
	s.in_filter = 9;
	assert_int_equal(iff_change(iff_of("null0.100", IFF_INET), &s, &E), 0);
	dp = ifl_lookup(ifl_index_by_name("null0.100"));
	assert_int_equal(dp->fam[IFF_INET].mtu, 1400);
	assert_int_equal(dp->fam[IFF_INET].in_filter, 9);
	/* The routing instance changes only while there are no addresses. */
	memset(&s, 0, sizeof(s));
	s.has_table = true;
	s.table = 0;
	assert_int_equal(ifa_add_text("null0.100", IFF_INET, "192.0.2.1/24"), 0);
	assert_int_equal(iff_change(iff_of("null0.100", IFF_INET), &s, &E), -EBUSY);
	assert_non_null(strstr(E.msg, "delete them"));
	assert_int_equal(ifa_del_text("null0.100", IFF_INET, "192.0.2.1/24"), 0);
	assert_int_equal(iff_change(iff_of("null0.100", IFF_INET), &s, &E), 0);
	assert_false(ifcfg_inst_in_use(1));
	assert_int_equal(ifl_lookup(ifl_index_by_name("null0.100"))->fam[IFF_INET].rt_inst, 0);
	/* Deleting an iff removes exactly its entries. */
	iff_del(iff_of("null0.100", IFF_INET));
	assert_int_equal(l2demux_count(d), 4);
	assert_false(ifl_lookup(ifl_index_by_name("null0.100"))->fam[IFF_INET].present);
	/* Loopback iffs live in the instance of their unit. */
	assert_int_equal(iff_add_fam("lo0.0", IFF_INET, 1), -EINVAL);
	assert_int_equal(iff_add_fam("lo0.0", IFF_BRIDGE, -1), -EOPNOTSUPP);
	assert_int_equal(ifl_add_vlan("lo0.1", 0), 0);
	assert_int_equal(iff_add_fam("lo0.1", IFF_INET, -1), 0);
	assert_int_equal(iff_of("lo0.1", IFF_INET)->rt_inst, 1);
	assert_int_equal(ifl_add_vlan("lo0.5", 5), -EINVAL);
	del_ifl("lo0.1");
}

/* --- ifas ------------------------------------------------------------------- */

static void
test_ifa_multiaccess_inet(void **state)
{
	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_flags("null0.0.9", 0), -EINVAL); /* needs an L2_ID */
	assert_int_equal(iff_add_fam("null0", IFF_INET, -1), 0);
	/* Accepted. */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "192.0.2.1/24"), 0);
	assert_true(has_route(0, 4, "192.0.2.1", 32, RTT_LOCAL, "null0", RNH_LOCAL));
	assert_true(has_route(0, 4, "192.0.2.0", 24, RTT_IF, "null0", RNH_RESOLV));
	assert_true(has_route(0, 4, "192.0.2.255", 32, RTT_IF, "null0", RNH_BRECV));
	assert_true(has_route(0, 4, "192.0.2.0", 32, RTT_IF, "null0", RNH_RECV));
	assert_int_equal(ifa_add_text("null0", IFF_INET, "192.0.2.2/24"), 0); /* same subnet */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "198.51.100.1/30"), 0);
	/* Refused. */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "192.0.2.1/24"), -EEXIST);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "192.0.2.9/25"), -EEXIST);  /* overlaps */
	assert_int_equal(E.arg, IFCFG_ARG_DEST);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "192.0.0.1/16"), -EEXIST);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "203.0.113.1/31"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "203.0.113.1/32"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "203.0.113.0/24"), -EINVAL);  /* all zeros */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "203.0.113.255/24"), -EINVAL);/* all ones */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "203.0.113.1"), -EINVAL);  /* no subnet */
	assert_int_equal(ifa_add_text("null0", IFF_INET, ">203.0.113.1"), -EINVAL); /* dest only */
	assert_int_equal(ifa_add_text("null0", IFF_INET, "224.0.0.5/24"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET, "0.0.0.0/8"), -EINVAL);
	{
		struct ifa_spec a;

		/* Local outside the prefix. */
		ifa_parse(IFF_INET, "203.0.113.1/24", &a);
		inet_pton(AF_INET, "10.0.0.0", a.dest);
		assert_int_equal(ifa_add(iff_of("null0", IFF_INET), &a, NULL, &E), -EINVAL);
		assert_int_equal(E.arg, IFCFG_ARG_LOCAL);
	}
	/* Shared routes stay while any ifa implies them. */
	assert_int_equal(ifa_del_text("null0", IFF_INET, "192.0.2.1/24"), 0);
	assert_false(has_route(0, 4, "192.0.2.1", 32, RTT_LOCAL, "null0", RNH_LOCAL));
	assert_true(has_route(0, 4, "192.0.2.0", 24, RTT_IF, "null0", RNH_RESOLV));
	assert_true(has_route(0, 4, "192.0.2.255", 32, RTT_IF, "null0", RNH_BRECV));
	assert_int_equal(ifa_del_text("null0", IFF_INET, "192.0.2.1/24"), -ENOENT);
	assert_int_equal(ifa_del_text("null0", IFF_INET, "192.0.2.2/24"), 0);
	assert_false(has_route(0, 4, "192.0.2.0", 24, RTT_IF, "null0", RNH_RESOLV));
	assert_false(has_route(0, 4, "192.0.2.255", 32, RTT_IF, "null0", RNH_BRECV));
	/* NBMA: no broadcast route. */
	assert_int_equal(ifl_add_vlan("null0.5", 5), 0);
	{
		struct ifl_change c = { .set_flags = true, .flags = IFL_F_NBMA };

		assert_int_equal(ifl_change(ifl_find("null0.5"), &c, &E), 0);
	}
	assert_int_equal(iff_add_fam("null0.5", IFF_INET, -1), 0);
	assert_int_equal(ifa_add_text("null0.5", IFF_INET, "10.5.0.1/24"), 0);
	assert_true(has_route(0, 4, "10.5.0.0", 24, RTT_IF, "null0.5", RNH_RESOLV));
	assert_false(has_route(0, 4, "10.5.0.255", 32, RTT_IF, "null0.5", RNH_BRECV));
	/* Kind changes while addresses exist are refused. */
	{
		struct ifl_change c = { .set_flags = true, .flags = IFL_F_P2P };

		assert_int_equal(ifl_change(ifl_find("null0.5"), &c, &E), -EBUSY);
	}
	/* Same subnet on two ifls: both routes, told apart by ifl_index. */
	assert_int_equal(ifl_add_vlan("null0.6", 6), 0);
	assert_int_equal(iff_add_fam("null0.6", IFF_INET, -1), 0);
	assert_int_equal(ifa_add_text("null0.6", IFF_INET, "10.5.0.2/24"), 0);
	assert_true(has_route(0, 4, "10.5.0.0", 24, RTT_IF, "null0.6", RNH_RESOLV));
	assert_true(has_route(0, 4, "10.5.0.0", 24, RTT_IF, "null0.5", RNH_RESOLV));
}

static void
test_ifa_p2p_inet6_loopback(void **state)
{
	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_pppoe("null0.0.1", 1), 0);
	assert_int_equal(iff_add_fam("null0.0.1", IFF_INET, -1), 0);
	/* Point-to-point: host addresses, either optional. */
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, "10.0.0.1>10.0.0.2"), 0);
	assert_true(has_route(0, 4, "10.0.0.1", 32, RTT_LOCAL, "null0.0.1", RNH_LOCAL));
	assert_true(has_route(0, 4, "10.0.0.2", 32, RTT_IFDEST, "null0.0.1", RNH_RESOLV));
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, "10.0.0.3"), 0);
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, ">10.0.0.4"), 0);
	assert_true(has_route(0, 4, "10.0.0.4", 32, RTT_IFDEST, "null0.0.1", RNH_RESOLV));
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, "10.0.0.1>10.0.0.1"), -EINVAL);
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, "10.9.0.1/24"), -EINVAL);
	assert_int_equal(E.arg, IFCFG_ARG_DEST);
	/* The same local address with another destination shares its route. */
	assert_int_equal(ifa_add_text("null0.0.1", IFF_INET, "10.0.0.1>10.0.0.6"), 0);
	assert_int_equal(ifa_del_text("null0.0.1", IFF_INET, "10.0.0.1>10.0.0.2"), 0);
	assert_true(has_route(0, 4, "10.0.0.1", 32, RTT_LOCAL, "null0.0.1", RNH_LOCAL));
	assert_false(has_route(0, 4, "10.0.0.2", 32, RTT_IFDEST, "null0.0.1", RNH_RESOLV));
	/* inet6 on multiaccess: subnets, and local-only addresses. */
	assert_int_equal(iff_add_fam("null0", IFF_INET6, -1), 0);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "2001:db8::1/64"), 0);
	assert_true(has_route(0, 6, "2001:db8::1", 128, RTT_LOCAL, "null0", RNH_LOCAL));
	assert_true(has_route(0, 6, "2001:db8::", 64, RTT_IF, "null0", RNH_RESOLV));
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "fe80::1"), 0);
	assert_true(has_route(0, 6, "fe80::1", 128, RTT_LOCAL, "null0", RNH_LOCAL));
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "2001:db8::/64"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "2001:db8:1::1/128"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "2001:db8:2::1/127"), 0);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "2001:db8::5/48"), -EEXIST);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, "ff02::1"), -EINVAL);
	assert_int_equal(ifa_add_text("null0", IFF_INET6, ">2001:db8:9::1"), -EINVAL);
	/* Loopback: local addresses only. */
	assert_int_equal(iff_add_fam("lo0", IFF_INET, -1), 0);
	assert_int_equal(ifa_add_text("lo0", IFF_INET, "127.0.0.1"), 0);
	assert_true(has_route(0, 4, "127.0.0.1", 32, RTT_LOCAL, "lo0.0", RNH_LOCAL));
	assert_int_equal(ifa_add_text("lo0", IFF_INET, "192.0.2.1/24"), -EINVAL);
	assert_int_equal(ifa_add_text("lo0", IFF_INET, "10.0.0.1>10.0.0.2"), -EINVAL);
	assert_int_equal(ifa_add_text("lo0", IFF_INET, ">10.0.0.2"), -EINVAL);
	iff_del(iff_of("lo0", IFF_INET));
	assert_false(has_route(0, 4, "127.0.0.1", 32, RTT_LOCAL, "lo0.0", RNH_LOCAL));
}

static void
test_cascade_and_dead(void **state)
{
	struct nh_spec ns = { .family = 4, .type = RNH_LOCAL };
	struct route_spec rs = { 0 };
	struct nexthop *nh;
	const char *why;
	uint32_t idx;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, -1), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET6, -1), 0);
	assert_int_equal(ifa_add_text("null0.100", IFF_INET, "192.0.2.1/24"), 0);
	assert_int_equal(ifa_add_text("null0.100", IFF_INET6, "2001:db8::1/64"), 0);
	assert_int_equal(count_if_routes(), 6);
	/* A user route holds the LOCAL next hop of the address. */
	idx = ifl_index_by_name("null0.100");
	ns.ifl_index = idx;
	inet_pton(AF_INET, "192.0.2.1", ns.addr);
	nh = nh_get(&ns);
	assert_non_null(nh);
	rs.key.family = 4;
	rs.key.dst_len = 24;
	inet_pton(AF_INET, "198.51.100.0", rs.key.dst);
	rs.type = RTT_USER;
	rs.nh = nh;
	assert_int_equal(route_add(rt_table_get(0, 4), &rs, &why), 0);
	/* Deleting the ifd removes its ifls, iffs, ifas, routes, entries. */
	del_ifd("null0");
	assert_int_equal(count_if_routes(), 0);
	assert_null(ifl_lookup(idx));
	assert_null(l2demux_by_port[0]);
	assert_false(ifcfg_inst_in_use(1));
	/* The next hop the user route holds is DEAD. */
	assert_int_equal(nh->type, RNH_DEAD);
	assert_int_equal(route_del(rt_table_get(0, 4), &rs.key, RTT_USER, 0, &why), 0);
	nh_put(nh);
}

static void
test_port_removed(void **state)
{
	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifd_add_port("null1", 1), 0);
	assert_int_equal(ifl_add_vlan("null0.0", 0), 0);
	assert_int_equal(ifl_add_vlan("null1.0", 0), 0);
	assert_int_equal(iff_add_fam("null1", IFF_INET, -1), 0);
	assert_int_equal(ifa_add_text("null1", IFF_INET, "192.0.2.1/24"), 0);
	ifcfg_port_removed(1);
	assert_null(ifd_find("null1"));
	assert_null(ifl_find("null1"));
	assert_null(l2demux_by_port[1]);
	assert_int_equal(count_if_routes(), 0);
	/* The other port's ifd is untouched. */
	assert_non_null(ifl_find("null0"));
	assert_ptr_equal(l2demux_by_port[0], ifd_find("null0")->demux);
	ifcfg_port_removed(1);
}

/* A request whose side effects fail half-way leaves no trace. */
static void
test_rollback(void **state)
{
	struct l2demux_result r = { .name = "other" };
	struct nh_spec ns = { .family = 4, .type = RNH_RECV };
	struct route_spec rs = { 0 };
	struct l2key k;
	struct l2demux *d;
	struct nexthop *nh;
	const char *why;
	struct snap before, after;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	d = ifd_l2demux_by_name("null0");
	/* Someone else (an L2 binding) owns ARP on VLAN 100: inet cannot be added. */
	l2key_init(&k);
	l2key_push_tag(&k, 0x8100, 100);
	l2key_push_type(&k, 0x0806);
	r.ifl_index = 77;
	r.handler = ifcfg_input_handler();
	assert_int_equal(l2demux_add(d, &k, &r), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, -1), -EEXIST);
	assert_null(iff_of("null0.100", IFF_INET));
	assert_int_equal(l2demux_count(d), 1);
	assert_false(ifl_lookup(ifl_index_by_name("null0.100"))->fam[IFF_INET].present);
	assert_false(ifcfg_inst_in_use(1));
	assert_int_equal(l2demux_del(d, &k), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, -1), 0);
	assert_int_equal(l2demux_count(d), 2);
	/* A route the ifa would install exists already: the ifa adds nothing. */
	snap_take(&before, "null0");
	nh = nh_get(&ns);
	assert_non_null(nh);
	rs.key.family = 4;
	rs.key.dst_len = 32;
	inet_pton(AF_INET, "192.0.2.0", rs.key.dst);
	rs.type = RTT_IF;
	rs.ifl_index = ifl_index_by_name("null0.100");
	rs.nh = nh;
	assert_int_equal(route_add(rt_table_get(0, 4), &rs, &why), 0);
	assert_int_equal(ifa_add_text("null0.100", IFF_INET, "192.0.2.1/24"), -EEXIST);
	assert_int_equal(iff_of("null0.100", IFF_INET)->n_ifa, 0);
	assert_int_equal(route_del(rt_table_get(0, 4), &rs.key, RTT_IF, rs.ifl_index, &why), 0);
	nh_put(nh);
	snap_take(&after, "null0");
	assert_int_equal(before.n, after.n);
	for (unsigned i = 0; i < before.n; i++)
		assert_string_equal(before.line[i], after.line[i]);
	snap_free(&before);
	snap_free(&after);
	assert_int_equal(ifa_add_text("null0.100", IFF_INET, "192.0.2.1/24"), 0);
	assert_int_equal(count_if_routes(), 4);
}

/* The family input registry behind every iff's demux entries. */
struct got_input {
	unsigned calls, pkts;
	void *arg;
};

static void
test_input_fn(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct got_input *g = arg;

	(void)c, (void)port;
	g->calls++;
	g->pkts += n;
	g->arg = arg;
	rte_pktmbuf_free_bulk(pkts, n);
}

static int
find_inet_entry(const struct l2key *k, const struct l2demux_result *r, void *arg)
{
	(void)k;
	if (strcmp(r->name, "inet") == 0) {
		*(struct l2demux_result *)arg = *r;
		return 1;
	}
	return 0;
}

static void
test_family_input(void **state)
{
	static struct rte_mempool *mp;
	struct l2demux_result r;
	struct got_input g = { 0 };
	struct port_counters pc;
	struct rte_mbuf *m[4];
	uint64_t before;

	(void)state;
	if (mp == NULL)
		mp = rte_pktmbuf_pool_create("ifcfg_test", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	assert_int_equal(ifd_add_port("null0", 0), 0);
	assert_int_equal(ifl_add_vlan("null0.100", 100), 0);
	assert_int_equal(iff_add_fam("null0.100", IFF_INET, -1), 0);
	assert_int_equal(l2demux_walk(ifd_l2demux_by_name("null0"), find_inet_entry, &r), 1);
	assert_int_equal(r.ifl_index, ifl_index_by_name("null0.100"));
	assert_true(r.strip);
	/* Nothing registered: dropped and counted as no_family_input. */
	counters_port_sum(0, &pc);
	before = pc.drops[DROP_no_family_input];
	assert_int_equal(rte_pktmbuf_alloc_bulk(mp, m, 4), 0);
	r.handler(NULL, 0, m, 4, r.arg);
	counters_port_sum(0, &pc);
	assert_int_equal(pc.drops[DROP_no_family_input] - before, 4);
	/* Registered: the same entry hands frames to the input, with its argument. */
	assert_int_equal(ifcfg_family_input_register(IFCFG_INPUT_INET, test_input_fn, &g), 0);
	assert_int_equal(rte_pktmbuf_alloc_bulk(mp, m, 4), 0);
	r.handler(NULL, 0, m, 3, r.arg);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.pkts, 3);
	assert_ptr_equal(g.arg, &g);
	rte_pktmbuf_free(m[3]);
	assert_int_equal(ifcfg_family_input_register(IFCFG_INPUT_INET, NULL, NULL), 0);
	assert_int_equal(ifcfg_family_input_register(IFCFG_INPUT_MAX, test_input_fn, &g), -EINVAL);
	assert_int_equal(rte_pktmbuf_alloc_bulk(mp, m, 1), 0);
	r.handler(NULL, 0, m, 1, r.arg);
	assert_int_equal(g.calls, 1);
	counters_port_sum(0, &pc);
	assert_int_equal(pc.drops[DROP_no_family_input] - before, 5);
}

/* --- random sequence vs rebuild ------------------------------------------------- */

#define R_IFL 24

struct r_ifl {
	bool on;
	char name[32];
	uint16_t vid;          /* 0 = untagged */
	bool fam[2];
	uint8_t table[2];
	bool addr[2][3];
};

static const char *const r_addr[2][3] = {
	{ "10.%u.0.1/24", "10.%u.0.2/24", "10.%u.1.1/30" },
	{ "2001:db8:%x::1/64", "fd00::%x", "2001:db8:%x:1::1/64" },
};

static void
r_apply_addr(struct r_ifl *x, unsigned i, unsigned f, unsigned a, bool add)
{
	char text[64];

	snprintf(text, sizeof(text), r_addr[f][a], i + 1);
	if (add)
		assert_int_equal(ifa_add_text(x->name, f, text), 0);
	else
		assert_int_equal(ifa_del_text(x->name, f, text), 0);
}

static void
r_build(struct r_ifl *m)
{
	for (unsigned i = 0; i < R_IFL; i++) {
		struct r_ifl *x = &m[i];

		if (!x->on)
			continue;
		assert_int_equal(ifl_add_vlan(x->name, x->vid), 0);
		for (unsigned f = 0; f < 2; f++) {
			if (!x->fam[f])
				continue;
			assert_int_equal(iff_add_fam(x->name, f, x->table[f]), 0);
			for (unsigned a = 0; a < 3; a++)
				if (x->addr[f][a])
					r_apply_addr(x, i, f, a, true);
		}
	}
}

static void
test_random_vs_rebuild(void **state)
{
	struct r_ifl m[R_IFL];
	struct snap before, after;
	unsigned seed = 12345;

	(void)state;
	memset(m, 0, sizeof(m));
	for (unsigned i = 0; i < R_IFL; i++) {
		snprintf(m[i].name, sizeof(m[i].name), "null0.%u", i);
		m[i].vid = (uint16_t)(i == 0 ? 0 : 100 + i);
	}
	assert_int_equal(ifd_add_port("null0", 0), 0);
	for (unsigned step = 0; step < 3000; step++) {
		unsigned i = (unsigned)rand_r(&seed) % R_IFL, f = (unsigned)rand_r(&seed) % 2;
		unsigned a = (unsigned)rand_r(&seed) % 3, op = (unsigned)rand_r(&seed) % 10;
		struct r_ifl *x = &m[i];

		if (!x->on) {
			assert_int_equal(ifl_add_vlan(x->name, x->vid), 0);
			x->on = true;
		} else if (op == 0) {
			del_ifl(x->name);
			memset(x->fam, 0, sizeof(x->fam));
			memset(x->addr, 0, sizeof(x->addr));
			x->on = false;
		} else if (!x->fam[f]) {
			x->table[f] = (uint8_t)(rand_r(&seed) % 2);
			assert_int_equal(iff_add_fam(x->name, f, x->table[f]), 0);
			x->fam[f] = true;
		} else if (op == 1) {
			iff_del(iff_of(x->name, f));
			x->fam[f] = false;
			memset(x->addr[f], 0, sizeof(x->addr[f]));
		} else {
			r_apply_addr(x, i, f, a, !x->addr[f][a]);
			x->addr[f][a] = !x->addr[f][a];
		}
	}
	snap_take(&before, "null0");
	assert_true(before.n > 0);
	/* From scratch: delete everything, build what remains. */
	del_ifd("null0");
	assert_int_equal(count_if_routes(), 0);
	assert_int_equal(ifd_add_port("null0", 0), 0);
	r_build(m);
	snap_take(&after, "null0");
	assert_int_equal(before.n, after.n);
	for (unsigned i = 0; i < before.n; i++)
		assert_string_equal(before.line[i], after.line[i]);
	snap_free(&before);
	snap_free(&after);
}

/* --- scale ----------------------------------------------------------------------- */

static void
test_many_vlans(void **state)
{
	char name[32], text[32];
	unsigned n = 4094;

	(void)state;
	assert_int_equal(ifd_add_port("null0", 0), 0);
	for (unsigned v = 1; v <= n; v++) {
		snprintf(name, sizeof(name), "null0.%u", v);
		assert_int_equal(ifl_add_vlan(name, (uint16_t)v), 0);
		assert_int_equal(iff_add_fam(name, IFF_INET, -1), 0);
		snprintf(text, sizeof(text), "10.%u.%u.1/24", v >> 8, v & 0xff);
		assert_int_equal(ifa_add_text(name, IFF_INET, text), 0);
	}
	assert_int_equal(ifl_count(), n + 1);
	assert_int_equal(l2demux_count(ifd_find("null0")->demux), 2 * n);
	assert_int_equal(count_if_routes(), 4 * n);
	for (unsigned v = 1; v <= n; v += 2) {
		snprintf(name, sizeof(name), "null0.%u", v);
		del_ifl(name);
	}
	assert_int_equal(l2demux_count(ifd_find("null0")->demux), n);
	assert_int_equal(count_if_routes(), 2 * n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_drivers, test_teardown),
		cmocka_unit_test_teardown(test_ifd_naming, test_teardown),
		cmocka_unit_test_teardown(test_ifd_on_ifd, test_teardown),
		cmocka_unit_test_teardown(test_ifd_change, test_teardown),
		cmocka_unit_test_teardown(test_ifl_naming_and_index, test_teardown),
		cmocka_unit_test_teardown(test_ifl_l2id, test_teardown),
		cmocka_unit_test_teardown(test_bridge_exclusive, test_teardown),
		cmocka_unit_test_teardown(test_iff, test_teardown),
		cmocka_unit_test_teardown(test_ifa_multiaccess_inet, test_teardown),
		cmocka_unit_test_teardown(test_ifa_p2p_inet6_loopback, test_teardown),
		cmocka_unit_test_teardown(test_cascade_and_dead, test_teardown),
		cmocka_unit_test_teardown(test_port_removed, test_teardown),
		cmocka_unit_test_teardown(test_rollback, test_teardown),
		cmocka_unit_test_teardown(test_family_input, test_teardown),
		cmocka_unit_test_teardown(test_random_vs_rebuild, test_teardown),
		cmocka_unit_test_teardown(test_many_vlans, test_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
