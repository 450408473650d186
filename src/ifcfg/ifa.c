/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifa.c: ifaddrs (paper 692-830): local and/or destination addresses on an
 * iff, all equal siblings; the family's addressing rules and the routes
 * each ifa installs in its iff's routing instance.
 *
 * Rules (the iff is the arbiter):
 *   loopback ifl         local address only (a host address)
 *   point-to-point ifl   local and/or destination, each a host address,
 *                        not equal
 *   multiaccess, inet    subnet addressing: local inside destination
 *                        prefix of at most /30, host part neither all
 *                        zeros nor all ones
 *   multiaccess, inet6   the same with prefixes up to /127 (host part not
 *                        all zeros below /127), or a local address alone
 *   any iff              (local, destination) unique; destination prefixes
 *                        of different lengths must not overlap; local
 *                        addresses are unicast
 * Routes (type RTT_IF unless said, ifl_index = the iff's ifl):
 *   local address        /32 (/128), RTT_LOCAL -> LOCAL (no flags: received
 *                        packets to our addresses are ours; RTF_LOCAL would
 *                        refuse them)
 *   subnet (multiaccess) prefix -> RESOLV (no resolver until ARP/ND exist)
 *   inet subnet          all-ones /32 -> BRECV (not on NBMA ifls),
 *                        all-zeros /32 -> RECV
 *   p2p destination      /32 (/128), RTT_IFDEST -> RESOLV
 * Two ifas of one iff may imply the same route (same subnet, or the same
 * local address with different destinations): the route exists while
 * any ifa implies it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/neigh.h"
#include "dataplane/route.h"
#include "ifcfg_priv.h"

#define IFA_ROUTES_MAX 4

struct route_intent {
	struct route_key key;
	uint8_t type;
	uint8_t nh_type;
};

static unsigned
alen(unsigned family)
{
	return family == IFF_INET6 ? 16 : 4;
}

static void
prefix_clear(uint8_t *a, unsigned len, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++) {
		int keep = (int)len - (int)i * 8;

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
	}
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rem = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return rem == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

/* Whether the host part of @a under /@len is all @bit (0 or 1). */
static bool
host_all(const uint8_t *a, unsigned len, unsigned bytes, int bit)
{
	for (unsigned i = len; i < bytes * 8; i++)
		if (((a[i / 8] >> (7 - i % 8)) & 1) != bit)
			return false;
	return true;
}

int
ifa_cmp(const struct ifa_spec *a, const struct ifa_spec *b)
{
	int c;

	if (a->has_local != b->has_local)
		return a->has_local ? 1 : -1;
	c = memcmp(a->local, b->local, 16);
	if (c != 0)
		return c;
	if (a->has_dest != b->has_dest)
		return a->has_dest ? 1 : -1;
	c = memcmp(a->dest, b->dest, 16);
	if (c != 0)
		return c;
	return (int)a->dest_len - (int)b->dest_len;
}

static unsigned
ifa_routes(const struct iff *iff, const struct ifa_spec *a, struct route_intent *r)
{
	unsigned fam = iff->family, bytes = alen(fam), n = 0;
	const struct ifl_priv *l = iff->ifl;

	memset(r, 0, sizeof(*r) * IFA_ROUTES_MAX);
	for (unsigned i = 0; i < IFA_ROUTES_MAX; i++)
		r[i].key.family = fam == IFF_INET6 ? 6 : 4;
	if (a->has_local) {
		memcpy(r[n].key.dst, a->local, bytes);
		r[n].key.dst_len = (uint8_t)(bytes * 8);
		r[n].type = RTT_LOCAL;
		r[n++].nh_type = RNH_LOCAL;
	}
	if (!a->has_dest)
		return n;
	if (!ifl_multiaccess(l)) {
		memcpy(r[n].key.dst, a->dest, bytes);
		r[n].key.dst_len = (uint8_t)(bytes * 8);
		r[n].type = RTT_IFDEST;
		r[n++].nh_type = RNH_RESOLV;
		return n;
	}
	memcpy(r[n].key.dst, a->dest, bytes);
	r[n].key.dst_len = a->dest_len;
	r[n].type = RTT_IF;
	r[n++].nh_type = RNH_RESOLV;
	if (fam != IFF_INET)
		return n;
	/* All-zeros host: RECV; all-ones host: BRECV (paper 1319-1650). */
	memcpy(r[n].key.dst, a->dest, bytes);
	r[n].key.dst_len = 32;
	r[n].type = RTT_IF;
	r[n++].nh_type = RNH_RECV;
	if (!(l->flags & IFL_F_NBMA)) {
		uint32_t host = a->dest_len == 0 ? UINT32_MAX : (UINT32_MAX >> a->dest_len);

		memcpy(r[n].key.dst, a->dest, bytes);
		r[n].key.dst[0] |= (uint8_t)(host >> 24);
		r[n].key.dst[1] |= (uint8_t)(host >> 16);
		r[n].key.dst[2] |= (uint8_t)(host >> 8);
		r[n].key.dst[3] |= (uint8_t)host;
		r[n].key.dst_len = 32;
		r[n].type = RTT_IF;
		r[n++].nh_type = RNH_BRECV;
	}
	return n;
}

static bool
intent_eq(const struct route_intent *a, const struct route_intent *b)
{
	return a->type == b->type && a->key.dst_len == b->key.dst_len &&
	       memcmp(a->key.dst, b->key.dst, 16) == 0;
}

/* Whether an ifa of @iff other than @skip implies route @r. */
static bool
route_implied_elsewhere(const struct iff *iff, const struct ifa *skip,
			const struct route_intent *r)
{
	struct route_intent o[IFA_ROUTES_MAX];
	const struct ifa *x;

	TAILQ_FOREACH(x, &iff->ifas, link) {
		unsigned n;

		if (x == skip)
			continue;
		n = ifa_routes(iff, &x->a, o);
		for (unsigned i = 0; i < n; i++)
			if (intent_eq(&o[i], r))
				return true;
	}
	return false;
}

static int
route_install(const struct iff *iff, const struct ifa_spec *a, const struct route_intent *r,
	      const char **why)
{
	struct rt_table *t = rt_table_get(iff->rt_inst, r->key.family);
	struct nh_spec ns;
	struct route_spec rs;
	struct nexthop *nh;
	int rc;

	if (t == NULL) {
		*why = "the routing instance has no table for the family";
		return -ENOENT;
	}
	memset(&ns, 0, sizeof(ns));
	ns.family = r->key.family;
	ns.type = r->nh_type;
	if (r->nh_type == RNH_LOCAL || r->nh_type == RNH_RESOLV)
		ns.ifl_index = iff->ifl->ifl_index;
	if (r->nh_type == RNH_LOCAL)
		memcpy(ns.addr, a->local, alen(iff->family));
	nh = nh_get(&ns);
	if (nh == NULL) {
		*why = "no next hop could be made";
		return -errno;
	}
	memset(&rs, 0, sizeof(rs));
	rs.key = r->key;
	rs.type = r->type;
	rs.ifl_index = iff->ifl->ifl_index;
	rs.nh = nh;
	rc = route_add(t, &rs, why);
	nh_put(nh);
	return rc;
}

static void
route_remove(const struct iff *iff, const struct route_intent *r)
{
	struct rt_table *t = rt_table_get(iff->rt_inst, r->key.family);
	const char *why;

	if (t != NULL)
		route_del(t, &r->key, r->type, iff->ifl->ifl_index, &why);
}

static bool
addr_zero(const uint8_t *a, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		if (a[i] != 0)
			return false;
	return true;
}

static int
ifa_check(const struct iff *iff, struct ifa_spec *a, struct ifcfg_err *e)
{
	const struct ifl_priv *l = iff->ifl;
	unsigned bytes = alen(iff->family), host = bytes * 8;
	const char *fam = iff_family_name(iff->family);
	const struct ifa *x;

	if (iff->family == IFF_BRIDGE)
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_FAMILY, "the bridge family takes no addresses");
	if (!a->has_local && !a->has_dest)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL, "an ifa needs a local or a destination address");
	if (a->has_dest && a->dest_len > host)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_DEST, "/%u is longer than an %s address",
				 a->dest_len, fam);
	if (!a->has_dest)
		a->dest_len = 0;
	if (!a->has_local)
		memset(a->local, 0, sizeof(a->local));
	memset(a->local + bytes, 0, 16 - bytes);
	memset(a->dest + bytes, 0, 16 - bytes);
	if (a->has_dest)
		prefix_clear(a->dest, a->dest_len, bytes);
	else
		memset(a->dest, 0, sizeof(a->dest));
	if (a->has_local) {
		bool mcast = iff->family == IFF_INET ? (a->local[0] & 0xf0) == 0xe0 : a->local[0] == 0xff;

		if (mcast || addr_zero(a->local, bytes) ||
		    (iff->family == IFF_INET && host_all(a->local, 0, 4, 1)))
			return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL,
					 "a local address is a unicast address");
	}
	if (l->flags & IFL_F_LOOPBACK) {
		/* Paper 900-905. */
		if (a->has_dest || !a->has_local)
			return ifcfg_err(e, EINVAL, a->has_dest ? IFCFG_ARG_DEST : IFCFG_ARG_LOCAL,
					 "%s is a loopback ifl: its addresses are local addresses only",
					 l->name);
	} else if (l->flags & IFL_F_P2P) {
		if (a->has_dest && a->dest_len != host)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_DEST,
					 "%s is point-to-point: the destination is the other end's "
					 "address, a /%u", l->name, host);
		if (a->has_dest && a->has_local && memcmp(a->local, a->dest, bytes) == 0)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_DEST,
					 "the local and destination addresses are the same");
	} else {
		unsigned max = iff->family == IFF_INET ? 30 : 127;

		if (!a->has_local)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_DEST,
					 "%s is multiaccess: an %s address there is a local address "
					 "in a subnet (ADDR/LEN)", l->name, fam);
		if (!a->has_dest && iff->family == IFF_INET)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL,
					 "%s is multiaccess: IPv4 uses subnet addressing, give the "
					 "prefix length (ADDR/LEN)", l->name);
		if (a->has_dest) {
			if (a->dest_len > max)
				return ifcfg_err(e, EINVAL, IFCFG_ARG_DEST,
						 "/%u: a subnet on multiaccess %s is at most /%u "
						 "(longer is for point-to-point ifls)",
						 a->dest_len, l->name, max);
			if (!prefix_match(a->local, a->dest, a->dest_len))
				return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL,
						 "the local address is not inside the destination "
						 "prefix");
			if (a->dest_len < host - 1 && host_all(a->local, a->dest_len, bytes, 0))
				return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL,
						 "the local address is the subnet's all-zeros "
						 "address");
			if (iff->family == IFF_INET && host_all(a->local, a->dest_len, bytes, 1))
				return ifcfg_err(e, EINVAL, IFCFG_ARG_LOCAL,
						 "the local address is the subnet's all-ones "
						 "(broadcast) address");
		}
	}
	TAILQ_FOREACH(x, &iff->ifas, link) {
		if (ifa_cmp(&x->a, a) == 0)
			return ifcfg_err(e, EEXIST, IFCFG_ARG_LOCAL, "this address exists on %s %s",
					 l->name, fam);
		if (ifl_multiaccess(l) && a->has_dest && x->a.has_dest &&
		    x->a.dest_len != a->dest_len &&
		    prefix_match(x->a.dest, a->dest, RTE_MIN(x->a.dest_len, a->dest_len)))
			return ifcfg_err(e, EEXIST, IFCFG_ARG_DEST,
					 "the prefix overlaps /%u of another address on %s %s",
					 x->a.dest_len, l->name, fam);
	}
	return 0;
}

int
ifa_add(struct iff *iff, const struct ifa_spec *s, struct ifa **out, struct ifcfg_err *e)
{
	struct route_intent r[IFA_ROUTES_MAX];
	bool added[IFA_ROUTES_MAX] = { false };
	struct ifa *ifa, *x;
	unsigned n;
	int rc;

	ifa = calloc(1, sizeof(*ifa));
	if (ifa == NULL)
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	ifa->iff = iff;
	ifa->a = *s;
	rc = ifa_check(iff, &ifa->a, e);
	if (rc < 0) {
		free(ifa);
		return rc;
	}
	n = ifa_routes(iff, &ifa->a, r);
	for (unsigned i = 0; i < n; i++) {
		const char *why = NULL;

		if (route_implied_elsewhere(iff, NULL, &r[i]))
			continue;
		rc = route_install(iff, &ifa->a, &r[i], &why);
		if (rc < 0) {
			ifcfg_err(e, -rc, IFCFG_ARG_LOCAL, "route of the address not installed: %s",
				  why != NULL ? why : strerror(-rc));
			while (i-- > 0)
				if (added[i])
					route_remove(iff, &r[i]);
			free(ifa);
			return rc;
		}
		added[i] = true;
	}
	TAILQ_FOREACH(x, &iff->ifas, link)
		if (ifa_cmp(&x->a, &ifa->a) > 0)
			break;
	if (x != NULL)
		TAILQ_INSERT_BEFORE(x, ifa, link);
	else
		TAILQ_INSERT_TAIL(&iff->ifas, ifa, link);
	iff->n_ifa++;
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifa(ifa, 1);
	/* Neighbours learn the new address (gratuitous ARP, unsolicited NA). */
	if (ifa->a.has_local && iff->family != IFF_BRIDGE)
		neigh_ifa_added(iff->ifl->ifl_index, iff->family == IFF_INET6 ? 6 : 4, ifa->a.local);
	if (out != NULL)
		*out = ifa;
	return 0;
}

static void
ifa_remove(struct ifa *ifa)
{
	struct iff *iff = ifa->iff;
	struct route_intent r[IFA_ROUTES_MAX];
	unsigned n = ifa_routes(iff, &ifa->a, r);

	/* Neighbour entries of the ifl's family (host routes, timers) go first. */
	if (iff->family != IFF_BRIDGE)
		neigh_ifa_removed(iff->ifl->ifl_index, iff->family == IFF_INET6 ? 6 : 4);
	for (unsigned i = 0; i < n; i++)
		if (!route_implied_elsewhere(iff, ifa, &r[i]))
			route_remove(iff, &r[i]);
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifa(ifa, -1);
	TAILQ_REMOVE(&iff->ifas, ifa, link);
	iff->n_ifa--;
	free(ifa);
}

int
ifa_del(struct iff *iff, const struct ifa_spec *s, struct ifcfg_err *e)
{
	struct ifa_spec k = *s;
	unsigned bytes = alen(iff->family);
	struct ifa *x;

	if (!k.has_local)
		memset(k.local, 0, sizeof(k.local));
	memset(k.local + bytes, 0, 16 - bytes);
	if (k.has_dest) {
		memset(k.dest + bytes, 0, 16 - bytes);
		prefix_clear(k.dest, k.dest_len, bytes);
	} else {
		memset(k.dest, 0, sizeof(k.dest));
		k.dest_len = 0;
	}
	TAILQ_FOREACH(x, &iff->ifas, link)
		if (ifa_cmp(&x->a, &k) == 0) {
			ifa_remove(x);
			return 0;
		}
	return ifcfg_err(e, ENOENT, IFCFG_ARG_LOCAL, "no such address on %s %s", iff->ifl->name,
			 iff_family_name(iff->family));
}

void
ifa_del_all(struct iff *iff)
{
	struct ifa *x;

	while ((x = TAILQ_FIRST(&iff->ifas)) != NULL)
		ifa_remove(x);
}
