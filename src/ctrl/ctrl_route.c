/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_route.c: TABLE, ROUTE and NEXTHOP as the protocol shows them
 * (dataplane/route.h, nexthop.h; docs/protocol.md "Routing instances,
 * routes and next hops").
 *
 *   TABLE    ADD / DELETE / GET / GETNEXT of routing instances, by id.
 *   ROUTE    ADD (one route, or many as NSDP_A_ROUTE_ENTRY nests: all or
 *            none), CHANGE, DELETE of user routes; GET = the forwarding
 *            decision for a destination [source] [incoming ifl]; GETNEXT
 *            in (table, family, key, preference) order, optionally of one
 *            table / family, resumable after any route. A route's next hop
 *            is a gateway, a type (reject, discard; mgroup and multicast
 *            with their ifl lists) or an existing index; IIF makes it an
 *            RTF_IFCHECK route.
 *   NEXTHOP  GET / GETNEXT by index.
 *
 * Only user and user-ignore routes are configured here; interface, neighbour
 * and clone routes come from the code that owns them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "config.h"
#include "dataplane/fib.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "handlers.h"
#include "ifcfg/ifcfg.h"

#define ROUTE_BULK_MAX 1024

static const char *
addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len);
}

/* ---- TABLE ---- */

struct table_view {
	uint16_t id;
};

static void
table_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct table_view *v = obj;
	struct rt_table *t4 = rt_table_get(v->id, 4), *t6 = rt_table_get(v->id, 6);

	nsdp_put_u32(b, NSDP_A_TABLE_ID, v->id);
	if (key_only || t4 == NULL || t6 == NULL)
		return;
	nsdp_put_u64(b, NSDP_A_TABLE_ROUTES4, rt_table_routes(t4));
	nsdp_put_u64(b, NSDP_A_TABLE_ROUTES6, rt_table_routes(t6));
	nsdp_put_u64(b, NSDP_A_TABLE_FIB_BYTES4, fib_memory(rt_table_fib(t4)));
	nsdp_put_u64(b, NSDP_A_TABLE_FIB_BYTES6, fib_memory(rt_table_fib(t6)));
	nsdp_put_u64(b, NSDP_A_TABLE_FIB_PREFIXES4, fib_count(rt_table_fib(t4)));
	nsdp_put_u64(b, NSDP_A_TABLE_FIB_PREFIXES6, fib_count(rt_table_fib(t6)));
}

static int
table_id(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err, uint16_t *id)
{
	int rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_TABLE_ID,
			      err);

	if (rc < 0)
		return rc;
	*id = (uint16_t)nsdp_get_u32(tb[NSDP_A_TABLE_ID]);
	return 0;
}

static int
table_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint16_t id = 0;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_TABLE_ID, err);
	if (rc == 0)
		rc = table_id(r, tb, err, &id);
	if (rc < 0)
		return rc;
	rc = rt_inst_add(id);
	if (rc == -EEXIST)
		return nsdp_err_set(err, EEXIST, ctrl_attr_off(r, tb[NSDP_A_TABLE_ID]),
				    "table %u exists already", id);
	if (rc < 0)
		return nsdp_err_set(err, -rc, 0, "cannot create table %u: %s", id, strerror(-rc));
	return 0;
}

static int
table_del(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t off;
	uint16_t id = 0;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_TABLE_ID, err);
	if (rc == 0)
		rc = table_id(r, tb, err, &id);
	if (rc < 0)
		return rc;
	off = ctrl_attr_off(r, tb[NSDP_A_TABLE_ID]);
	if (id == 0)
		return nsdp_err_set(err, EINVAL, off, "table 0 always exists");
	if (!rt_inst_exists(id))
		return nsdp_err_set(err, ENOENT, off, "no table %u", id);
	if (ifcfg_inst_in_use(id))
		return nsdp_err_set(err, EBUSY, off,
				    "table %u is in use by interfaces: move or delete them first", id);
	rc = rt_inst_del(id);
	if (rc == -EBUSY)
		return nsdp_err_set(err, EBUSY, off, "table %u still holds interface routes", id);
	if (rc < 0)
		return nsdp_err_set(err, -rc, off, "cannot delete table %u: %s", id, strerror(-rc));
	return 0;
}

static int
table_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct table_view v = { 0 };
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_TABLE_ID, err);
	if (rc == 0)
		rc = table_id(r, tb, err, &v.id);
	if (rc < 0)
		return rc;
	if (!rt_inst_exists(v.id))
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_TABLE_ID]), "no table %u",
				    v.id);
	rc = ctrl_reply(r, table_put, &v);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
table_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t from;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_TABLE_ID, err);
	if (rc < 0)
		return rc;
	from = tb[NSDP_A_TABLE_ID] != NULL ? nsdp_get_u32(tb[NSDP_A_TABLE_ID]) + 1 : 0;
	for (uint32_t id = from; id < RT_INST_MAX; id++) {
		struct table_view v = { (uint16_t)id };

		if (!rt_inst_exists((uint16_t)id))
			continue;
		rc = ctrl_dump_put(r, table_put, &v);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "table %u does not fit in a message", id);
		if (rc > 0)
			return 0;
	}
	return 0;
}

/* The ifl list of an MGROUP / MULTICAST next hop (also once it is DEAD) as members. */
static void
nh_list_put(struct nsdp_builder *b, const struct nexthop *nh, uint16_t member_attr,
	    uint16_t local_attr)
{
	bool local = false;
	char name[64];

	for (unsigned i = 0; i < nh->n_ifl && nh->ifl_list != NULL; i++) {
		struct nlattr *m;

		if (nh->ifl_list[i] == 0) {
			local = true;
			continue;
		}
		m = nsdp_nest_start(b, member_attr);
		if (ifl_name(nh->ifl_list[i], name, sizeof(name)) == 0)
			nsdp_put_str(b, NSDP_A_NHM_NAME, name);
		nsdp_put_u32(b, NSDP_A_NHM_IFL, nh->ifl_list[i]);
		nsdp_nest_end(b, m);
	}
	if (local)
		nsdp_put_u8(b, local_attr, 1);
}

/* ---- ROUTE ---- */

/* A route as sent: where it lives and what the table says about it. */
struct route_view {
	uint16_t inst;
	const struct route_info *ri;
	bool verdict_set;
	uint8_t verdict;
	/* dump filters, echoed in the key so a resumed dump keeps them */
	bool f_table, f_family;
	uint16_t ft;
	uint8_t ff;
};

static void
route_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct route_view *v = obj;
	const struct route_info *ri = v->ri;
	const struct nexthop *nh = ri->nh;
	char name[64];

	nsdp_put_u32(b, NSDP_A_ROUTE_TABLE, v->inst);
	nsdp_put_u8(b, NSDP_A_ROUTE_FAMILY, ri->key.family);
	nsdp_put_bin(b, NSDP_A_ROUTE_DST, ri->key.dst, 16);
	nsdp_put_u8(b, NSDP_A_ROUTE_DST_LEN, ri->key.dst_len);
	if (ri->key.src_len > 0) {
		nsdp_put_bin(b, NSDP_A_ROUTE_SRC, ri->key.src, 16);
		nsdp_put_u8(b, NSDP_A_ROUTE_SRC_LEN, ri->key.src_len);
	}
	nsdp_put_u8(b, NSDP_A_ROUTE_TYPE, ri->type);
	nsdp_put_u32(b, NSDP_A_ROUTE_IFL, ri->ifl_index);
	if (v->f_table)
		nsdp_put_u32(b, NSDP_A_ROUTE_DUMP_TABLE, v->ft);
	if (v->f_family)
		nsdp_put_u8(b, NSDP_A_ROUTE_DUMP_FAMILY, v->ff);
	if (key_only)
		return;
	nsdp_put_u16(b, NSDP_A_ROUTE_FLAGS, ri->flags);
	if (ri->ifl_index != 0 && ifl_name(ri->ifl_index, name, sizeof(name)) == 0)
		nsdp_put_str(b, NSDP_A_ROUTE_IFL_NAME, name);
	nsdp_put_u32(b, NSDP_A_ROUTE_NH_INDEX, nh->index);
	nsdp_put_u8(b, NSDP_A_ROUTE_NH_TYPE, __atomic_load_n(&nh->type, __ATOMIC_RELAXED));
	if (nh->type == RNH_UNICAST || nh->type == RNH_HOLD || nh->type == RNH_LOCAL ||
	    (nh->type == RNH_DEAD && memcmp(nh->addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16)))
		nsdp_put_bin(b, NSDP_A_ROUTE_GATEWAY, nh->addr, 16);
	if (nh->ifl_index != 0) {
		nsdp_put_u32(b, NSDP_A_ROUTE_NH_IFL, nh->ifl_index);
		if (ifl_name(nh->ifl_index, name, sizeof(name)) == 0)
			nsdp_put_str(b, NSDP_A_ROUTE_DEV, name);
	}
	nh_list_put(b, nh, NSDP_A_ROUTE_NH_MEMBER, NSDP_A_ROUTE_NH_LOCAL);
	if (v->verdict_set)
		nsdp_put_u8(b, NSDP_A_ROUTE_VERDICT, v->verdict);
}

/* The parsed request: table, key, type, next hop. */
struct route_req {
	uint16_t inst;
	struct rt_table *t;
	struct route_spec spec;
	bool has_dst;
};

static uint32_t
off_of(struct ctrl_req *r, const struct nlattr *a, const struct nlattr *fallback)
{
	return ctrl_attr_off(r, a != NULL ? a : fallback);
}

/* Table and family of a request; the family is needed with an address. */
static int
route_req_table(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
		struct nsdp_err *err, struct route_req *q)
{
	uint8_t family;

	q->inst = tb[NSDP_A_ROUTE_TABLE] != NULL ? (uint16_t)nsdp_get_u32(tb[NSDP_A_ROUTE_TABLE])
						 : 0;
	if (!rt_inst_exists(q->inst))
		return nsdp_err_set(err, ENOENT, off_of(r, tb[NSDP_A_ROUTE_TABLE], whole),
				    "no table %u", q->inst);
	if (tb[NSDP_A_ROUTE_FAMILY] == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, whole),
				    "the route's family is missing");
	family = nsdp_get_u8(tb[NSDP_A_ROUTE_FAMILY]);
	if (family != 4 && family != 6)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_ROUTE_FAMILY]),
				    "family %u is neither 4 (IPv4) nor 6 (IPv6)", family);
	q->t = rt_table_get(q->inst, family);
	q->spec.key.family = family;
	return 0;
}

/* An address attribute of @family: IPv4 leaves bytes 4..15 zero. */
static int
route_addr(struct ctrl_req *r, const struct nlattr *a, uint8_t family, uint8_t *out,
	   struct nsdp_err *err, const char *what)
{
	const uint8_t *p = mnl_attr_get_payload(a);

	if (family == 4 && memcmp(p + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
				    "%s: an IPv4 address uses the first 4 bytes only", what);
	memcpy(out, p, 16);
	return 0;
}

/* A prefix: address, length within the family, no bits beyond the length. */
static int
route_prefix(struct ctrl_req *r, const struct nlattr *aa, const struct nlattr *al,
	     const struct nlattr *whole, uint8_t family, uint8_t *addr, uint8_t *len,
	     struct nsdp_err *err, const char *what)
{
	unsigned width = family == 4 ? 32 : 128;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	if (aa == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, whole), "the %s is missing", what);
	rc = route_addr(r, aa, family, addr, err, what);
	if (rc < 0)
		return rc;
	*len = al != NULL ? nsdp_get_u8(al) : (uint8_t)width;
	if (*len > width)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, al),
				    "%s length %u is longer than %u", what, *len, width);
	for (unsigned i = *len; i < width; i++) {
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, aa),
					    "%s %s/%u has bits set beyond the prefix length", what,
					    addr_str(family, addr, buf, sizeof(buf)), *len);
	}
	return 0;
}

/* The key of a route request (destination prefix, optional source prefix). */
static int
route_req_key(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
	      struct nsdp_err *err, struct route_req *q)
{
	struct route_key *k = &q->spec.key;
	int rc;

	rc = route_prefix(r, tb[NSDP_A_ROUTE_DST], tb[NSDP_A_ROUTE_DST_LEN], whole, k->family,
			  k->dst, &k->dst_len, err, "destination");
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_ROUTE_DST_LEN] == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_ROUTE_DST]),
				    "the destination length is missing");
	if (tb[NSDP_A_ROUTE_SRC] != NULL || tb[NSDP_A_ROUTE_SRC_LEN] != NULL) {
		rc = route_prefix(r, tb[NSDP_A_ROUTE_SRC], tb[NSDP_A_ROUTE_SRC_LEN], whole,
				  k->family, k->src, &k->src_len, err, "source");
		if (rc < 0)
			return rc;
		if (k->src_len > 0 && k->dst_len != (k->family == 4 ? 32 : 128))
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_ROUTE_SRC]),
					    "a source-specific route needs a full-length "
					    "destination (a group or host address)");
	}
	return 0;
}

/* Route type of a configuration request: user (default) or user-ignore. */
static int
route_req_type(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err,
	       struct route_req *q)
{
	q->spec.type = tb[NSDP_A_ROUTE_TYPE] != NULL ? nsdp_get_u8(tb[NSDP_A_ROUTE_TYPE]) : RTT_USER;
	if (q->spec.type != RTT_USER && q->spec.type != RTT_USER_IGNORE)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_ROUTE_TYPE]),
				    "only user and user-ignore routes are configured here; "
				    "%s routes come from the code that owns them",
				    rtt_name(q->spec.type));
	return 0;
}

/*
 * The ifl named by @a as an interface of the route's table: it exists and
 * has an iff of the family in the table's routing instance. @what names
 * its role for the message. @return the ifl_index, or 0 with @err set.
 */
static uint32_t
route_req_ifl(struct ctrl_req *r, const struct nlattr *a, const struct route_req *q,
	      const char *what, struct nsdp_err *err)
{
	const char *name = nsdp_get_str(a);
	unsigned f = q->spec.key.family == 6 ? IFF_INET6 : IFF_INET;
	const char *fam = f == IFF_INET6 ? "inet6" : "inet";
	uint32_t idx = ifl_index_by_name(name);
	const struct ifl *ifl = idx != 0 ? ifl_lookup(idx) : NULL;

	if (ifl == NULL) {
		nsdp_err_set(err, ENODEV, ctrl_attr_off(r, a), "no interface '%s'", name);
		return 0;
	}
	if (!ifl->fam[f].present) {
		nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a), "%s (%s) has no %s iff", name, what,
			     fam);
		return 0;
	}
	if (ifl->fam[f].rt_inst != q->inst) {
		nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
			     "%s (%s) is in table %u, not %u: its %s packets are never routed here",
			     name, what, ifl->fam[f].rt_inst, q->inst, fam);
		return 0;
	}
	return idx;
}

/*
 * Flags of an ADD / CHANGE: RTF_LOCAL (local-only) and RTF_SCOPE (IPv6) as
 * given, RTF_IFCHECK through IIF, the interface packets must come in on.
 */
static int
route_req_flags(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
		struct nsdp_err *err, struct route_req *q)
{
	const struct nlattr *fl = tb[NSDP_A_ROUTE_FLAGS], *iif = tb[NSDP_A_ROUTE_IIF];
	uint16_t flags = fl != NULL ? nsdp_get_u16(fl) : 0;

	if ((flags & RTF_SCOPE) && q->spec.key.family != 6)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, fl),
				    "RTF_SCOPE is for IPv6 routes");
	if ((flags & RTF_IFCHECK) && iif == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, fl != NULL ? fl : whole),
				    "RTF_IFCHECK needs the incoming interface (iif IFL)");
	if (iif != NULL) {
		q->spec.ifl_index = route_req_ifl(r, iif, q, "iif", err);
		if (q->spec.ifl_index == 0)
			return -err->errnum;
		flags |= RTF_IFCHECK;
	}
	if ((flags & RTF_IFCHECK) && (flags & RTF_LOCAL))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, iif),
				    "iif and local-only exclude each other: a packet comes in on "
				    "an interface or is originated here, so none could use the "
				    "route");
	q->spec.flags = flags;
	return 0;
}

/* Whether the destination of @k is multicast: inside 224.0.0.0/4 or ff00::/8. */
static bool
route_key_multicast(const struct route_key *k)
{
	if (k->family == 4)
		return k->dst_len >= 4 && (k->dst[0] & 0xf0) == 0xe0;
	return k->dst_len >= 8 && k->dst[0] == 0xff;
}

/*
 * The list of an MGROUP / MULTICAST next hop: NH_MEMBER nests naming ifls
 * of the table (MULTICAST: ones that can send multicast), NH_LOCAL for the
 * local copy (MULTICAST only). A set: no ifl twice, at most NH_LIST_MAX
 * entries, the local copy included; never the route's incoming interface.
 */
static int
route_req_list(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
	       struct nsdp_err *err, struct route_req *q, struct nh_spec *s)
{
	const struct nsdp_policy *mpol =
		nsdp_msg_policy(r->nlh->nlmsg_type)->attrs[NSDP_A_ROUTE_NH_MEMBER].nested;
	const struct nlattr *ty = tb[NSDP_A_ROUTE_NH_TYPE], *loc = tb[NSDP_A_ROUTE_NH_LOCAL];
	const struct nlattr *a, *mem[NH_LIST_MAX + 1];
	const struct route_key *k = &q->spec.key;
	bool mc = s->type == RNH_MULTICAST;
	unsigned f = k->family == 6 ? IFF_INET6 : IFF_INET, nm = 0;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	if (!route_key_multicast(k))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, ty),
				    "a%s %s next hop is for multicast destinations (224.0.0.0/4, "
				    "ff00::/8); %s/%u is not one", mc ? "" : "n",
				    rnh_type_name(s->type), addr_str(k->family, k->dst, buf, sizeof(buf)),
				    k->dst_len);
	if (!mc && k->dst_len != (k->family == 4 ? 32 : 128))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, ty),
				    "an mgroup next hop is for a group route: a full-length group "
				    "(/%u)", k->family == 4 ? 32 : 128);
	if (loc != NULL && !mc)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, loc),
				    "local goes with a multicast next hop (an mgroup lists where the "
				    "group is joined)");
	if (loc != NULL && nsdp_get_u8(loc) != 0)
		s->ifl_list[s->n_ifl++] = 0;
	/* Members are top-level attributes of a single ADD, or inside its ENTRY. */
	if (whole != NULL) {
		mnl_attr_for_each_nested(a, whole)
			if (mnl_attr_get_type(a) == NSDP_A_ROUTE_NH_MEMBER && nm <= NH_LIST_MAX)
				mem[nm++] = a;
	} else {
		mnl_attr_for_each(a, r->nlh, 0)
			if (mnl_attr_get_type(a) == NSDP_A_ROUTE_NH_MEMBER && nm <= NH_LIST_MAX)
				mem[nm++] = a;
	}
	for (unsigned m = 0; m < nm; m++) {
		const struct nlattr *mtb[NSDP_TB_MAX] = { 0 };
		uint32_t idx;

		a = mem[m];
		rc = nsdp_parse_nested(r->nlh, a, mpol, mtb, err);
		if (rc < 0)
			return rc;
		if (mtb[NSDP_A_NHM_IFL] != NULL)
			return nsdp_err_set(err, EOPNOTSUPP, ctrl_attr_off(r, mtb[NSDP_A_NHM_IFL]),
					    "a member is named by its ifl name; its index is in "
					    "replies only");
		if (mtb[NSDP_A_NHM_NAME] == NULL)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
					    "a member without an ifl name");
		if (s->n_ifl == NH_LIST_MAX)
			return nsdp_err_set(err, E2BIG, ctrl_attr_off(r, a),
					    "at most %u entries in a list (the local copy counts)",
					    NH_LIST_MAX);
		idx = route_req_ifl(r, mtb[NSDP_A_NHM_NAME], q, "a member", err);
		if (idx == 0)
			return -err->errnum;
		for (unsigned i = 0; i < s->n_ifl; i++)
			if (s->ifl_list[i] == idx)
				return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
						    "%s is listed twice",
						    nsdp_get_str(mtb[NSDP_A_NHM_NAME]));
		if ((q->spec.flags & RTF_IFCHECK) && idx == q->spec.ifl_index)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
					    "%s is the incoming interface (iif): copies never go "
					    "back out of it", nsdp_get_str(mtb[NSDP_A_NHM_NAME]));
		if (mc && ifl_lookup(idx)->fam[f].bcast_l2_len == 0)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, a),
					    "%s cannot send multicast (NBMA, PPPoE or no port)",
					    nsdp_get_str(mtb[NSDP_A_NHM_NAME]));
		s->ifl_list[s->n_ifl++] = idx;
	}
	if (s->n_ifl == 0 || (!mc && s->ifl_list[0] == 0))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, ty),
				    mc ? "a multicast next hop needs interfaces or local"
				       : "an mgroup next hop needs the interfaces the group is joined on");
	return 0;
}

/*
 * The next hop of an ADD / CHANGE: exactly one of `via GATEWAY [dev IFL]`,
 * a next-hop type (reject, discard) or an existing next-hop index. Holds a
 * reference in q->spec.nh on success.
 */
static int
route_req_nh(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
	     struct nsdp_err *err, struct route_req *q)
{
	const struct nlattr *gw = tb[NSDP_A_ROUTE_GATEWAY], *ty = tb[NSDP_A_ROUTE_NH_TYPE],
			    *ix = tb[NSDP_A_ROUTE_NH_INDEX], *dev = tb[NSDP_A_ROUTE_DEV];
	uint8_t family = q->spec.key.family;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	const struct nlattr *mem = tb[NSDP_A_ROUTE_NH_MEMBER], *loc = tb[NSDP_A_ROUTE_NH_LOCAL];
	uint8_t t = ty != NULL ? nsdp_get_u8(ty) : 0;

	if ((gw != NULL) + (ty != NULL) + (ix != NULL) != 1)
		return nsdp_err_set(err, EINVAL,
				    ctrl_attr_off(r, gw && ty ? ty : gw && ix ? ix : ty && ix ? ix : whole),
				    gw || ty || ix ? "give one next hop: a gateway, a type or an index"
						   : "the route's next hop is missing (via, reject, "
						     "discard, multicast, mgroup or a next-hop index)");
	if (dev != NULL && gw == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, dev), "dev goes with a gateway");
	if ((mem != NULL || loc != NULL) && t != RNH_MULTICAST && t != RNH_MGROUP)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, mem != NULL ? mem : loc),
				    "interfaces go with a multicast or mgroup next hop");
	if (ix != NULL) {
		const struct nexthop *nh = nh_by_index(nsdp_get_u32(ix));

		if (nh == NULL)
			return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, ix), "no next hop %u",
					    nsdp_get_u32(ix));
		if (nh->family != family)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, ix),
					    "next hop %u is of the other family", nh->index);
		q->spec.nh = (struct nexthop *)(uintptr_t)nh;
		nh_ref(q->spec.nh);
		return 0;
	}
	if (ty != NULL) {
		struct nh_spec s = { .family = family, .type = t };

		if (s.type != RNH_REJECT && s.type != RNH_DISCARD && s.type != RNH_MULTICAST &&
		    s.type != RNH_MGROUP)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, ty),
					    "a %s next hop is not configured directly (use reject, "
					    "discard, multicast, mgroup or via)",
					    rnh_type_name(s.type));
		if (s.type == RNH_MULTICAST || s.type == RNH_MGROUP) {
			rc = route_req_list(r, tb, whole, err, q, &s);
			if (rc < 0)
				return rc;
		}
		q->spec.nh = nh_get(&s);
		if (q->spec.nh == NULL)
			return nsdp_err_set(err, errno, ctrl_attr_off(r, ty), "no next hop: %s",
					    strerror(errno));
		return 0;
	}
	{
		uint8_t addr[16];
		uint32_t ifl = 0;
		const char *why;

		rc = route_addr(r, gw, family, addr, err, "gateway");
		if (rc < 0)
			return rc;
		if (dev != NULL) {
			ifl = ifl_index_by_name(nsdp_get_str(dev));
			if (ifl == 0)
				return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, dev),
						    "no interface '%s'", nsdp_get_str(dev));
		}
		rc = route_nh_resolve(q->t, addr, ifl, &q->spec.nh, &why);
		if (rc == -ENETUNREACH && ifl == 0)
			return nsdp_err_set(err, ENETUNREACH, ctrl_attr_off(r, gw),
					    "gateway %s is not on a connected subnet",
					    addr_str(family, addr, buf, sizeof(buf)));
		if (rc == -ENETUNREACH)
			return nsdp_err_set(err, ENETUNREACH, ctrl_attr_off(r, gw),
					    "gateway %s is not on a connected subnet of %s",
					    addr_str(family, addr, buf, sizeof(buf)),
					    nsdp_get_str(dev));
		if (rc < 0)
			return nsdp_err_set(err, -rc, ctrl_attr_off(r, gw), "gateway %s: %s",
					    addr_str(family, addr, buf, sizeof(buf)), why);
	}
	return 0;
}

static int
route_req_parse(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
		struct nsdp_err *err, struct route_req *q, bool with_nh)
{
	int rc;

	memset(q, 0, sizeof(*q));
	rc = route_req_table(r, tb, whole, err, q);
	if (rc == 0)
		rc = route_req_key(r, tb, whole, err, q);
	if (rc == 0)
		rc = route_req_type(r, tb, err, q);
	if (rc == 0 && with_nh)
		rc = route_req_flags(r, tb, whole, err, q);
	if (rc == 0 && with_nh)
		rc = route_req_nh(r, tb, whole, err, q);
	return rc;
}

/* A route's key and type: DELETE, and with the next hop and flags ADD / CHANGE. */
#define ROUTE_KEY_ATTRS                                                                     \
	(1u << NSDP_A_ROUTE_TABLE | 1u << NSDP_A_ROUTE_FAMILY | 1u << NSDP_A_ROUTE_DST |    \
	 1u << NSDP_A_ROUTE_DST_LEN | 1u << NSDP_A_ROUTE_SRC | 1u << NSDP_A_ROUTE_SRC_LEN |  \
	 1u << NSDP_A_ROUTE_TYPE)
/* The GETNEXT cursor: the key, type and ifl of the last route sent. */
#define ROUTE_REQ_ATTRS (ROUTE_KEY_ATTRS | 1u << NSDP_A_ROUTE_FLAGS | 1u << NSDP_A_ROUTE_IFL)
#define ROUTE_NH_ATTRS                                                                    \
	(1u << NSDP_A_ROUTE_NH_TYPE | 1u << NSDP_A_ROUTE_GATEWAY | 1u << NSDP_A_ROUTE_DEV | \
	 1u << NSDP_A_ROUTE_NH_INDEX | 1u << NSDP_A_ROUTE_NH_MEMBER |                        \
	 1u << NSDP_A_ROUTE_NH_LOCAL | 1u << NSDP_A_ROUTE_FLAGS | 1u << NSDP_A_ROUTE_IIF)

/* What undoing one added route needs: the user route it replaced, if any. */
struct route_undo {
	struct rt_table *t;
	struct route_key key;
	uint8_t type;
	bool had_old;
	bool deleted;             /* a delete: undone by adding old back */
	struct route_spec old;    /* holds a reference on old.nh */
};

/* All-multicast reception on @port, once (nd.c does the same for IPv6 addresses). */
static void
port_multicast_on(uint16_t port)
{
	int rc;

	if (port >= RTE_MAX_ETHPORTS || !port_is_started(port) || rte_eth_allmulticast_get(port) == 1)
		return;
	rc = rte_eth_allmulticast_enable(port);
	if (rc < 0)
		RTE_LOG(WARNING, USER1, "port %u: all-multicast mode refused (%s): multicast "
			"routed through it may not arrive\n", port, strerror(-rc));
}

/*
 * A multicast route must see its groups' frames, whose MACs a port filters
 * unless told otherwise: all-multicast on where they come in: the iif's
 * port (RTF_IFCHECK), the listed ifls' ports of an MGROUP, else every port.
 * Never turned off (other routes and families may rely on it). [C]
 */
static void
route_multicast_rx(const struct route_spec *s)
{
	const struct nexthop *nh = s->nh;
	const struct ifl *ifl;

	if (nh->type != RNH_MULTICAST && nh->type != RNH_MGROUP)
		return;
	if (s->flags & RTF_IFCHECK) {
		ifl = ifl_lookup(s->ifl_index);
		if (ifl != NULL)
			port_multicast_on(ifl->port);
	} else if (nh->type == RNH_MGROUP) {
		for (unsigned i = 0; i < nh->n_ifl; i++)
			if ((ifl = ifl_lookup(nh->ifl_list[i])) != NULL)
				port_multicast_on(ifl->port);
	} else {
		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
			port_multicast_on(p);
	}
}

/* Add one route, recording how to undo it. */
static int
route_add_one(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
	      struct nsdp_err *err, struct route_undo *u)
{
	struct route_req q;
	const char *why;
	int rc;

	rc = ctrl_only_attrs(r, tb, ROUTE_KEY_ATTRS | ROUTE_NH_ATTRS, err);
	if (rc == 0)
		rc = route_req_parse(r, tb, whole, err, &q, true);
	if (rc < 0)
		return rc;
	memset(u, 0, sizeof(*u));
	u->t = q.t;
	u->key = q.spec.key;
	u->type = q.spec.type;
	rc = route_add_replace(q.t, &q.spec, &u->old, &u->had_old, &why);
	if (rc == 0)
		route_multicast_rx(&q.spec);
	nh_put(q.spec.nh);
	if (rc < 0) {
		return nsdp_err_set(err, -rc, off_of(r, tb[NSDP_A_ROUTE_DST], whole), "%s",
				    why != NULL ? why : strerror(-rc));
	}
	return 0;
}

static void
route_undo(struct route_undo *u)
{
	const char *why;

	/* An add that replaced a user route, or a delete: the old route comes back. */
	if (u->had_old) {
		(void)route_add(u->t, &u->old, &why);
		nh_put(u->old.nh);
	} else if (!u->deleted) {
		(void)route_del(u->t, &u->key, u->type, 0, &why);
	}
}

static void
route_undo_forget(struct route_undo *u)
{
	if (u->had_old)
		nh_put(u->old.nh);
}

/*
 * A bulk add is bound by the cache misses of the table's trie: walk the
 * paths of all its routes at once first (the keys read here unchecked are
 * only a hint; the adds check everything).
 */
static void
route_bulk_prefetch(struct ctrl_req *r)
{
	static struct route_key keys[RT_PREFETCH_MAX];
	const struct nlattr *a, *e;
	struct rt_table *t = NULL;
	unsigned n = 0;

	mnl_attr_for_each(a, r->nlh, 0) {
		struct route_key *k = &keys[n];
		uint32_t inst = 0;

		if (mnl_attr_get_type(a) != NSDP_A_ROUTE_ENTRY || n == RT_PREFETCH_MAX)
			continue;
		memset(k, 0, sizeof(*k));
		mnl_attr_for_each_nested(e, a) {
			switch (mnl_attr_get_type(e)) {
			case NSDP_A_ROUTE_TABLE:
				if (mnl_attr_get_payload_len(e) == 4)
					inst = nsdp_get_u32(e);
				break;
			case NSDP_A_ROUTE_FAMILY:
				if (mnl_attr_get_payload_len(e) == 1)
					k->family = nsdp_get_u8(e);
				break;
			case NSDP_A_ROUTE_DST:
				if (mnl_attr_get_payload_len(e) == 16)
					memcpy(k->dst, mnl_attr_get_payload(e), 16);
				break;
			case NSDP_A_ROUTE_DST_LEN:
				if (mnl_attr_get_payload_len(e) == 1)
					k->dst_len = nsdp_get_u8(e);
				break;
			}
		}
		if (t == NULL && inst < RT_INST_MAX && (k->family == 4 || k->family == 6))
			t = rt_table_get((uint16_t)inst, k->family);
		n++;
	}
	if (t != NULL)
		route_prefetch(t, keys, n);
}

typedef int (*route_one_fn)(struct ctrl_req *r, const struct nlattr **tb,
			   const struct nlattr *whole, struct nsdp_err *err, struct route_undo *u);

/* An ADD or DELETE of one route, or of many as ENTRY nests: all of them or none. */
static int
route_bulk(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err, route_one_fn one)
{
	static struct route_undo undo[ROUTE_BULK_MAX];
	const struct nsdp_policy *entry_pol;
	const struct nlattr *a;
	unsigned n = 0;
	int rc = 0;

	config_assert_locked();
	if (tb[NSDP_A_ROUTE_ENTRY] == NULL) {
		struct route_undo u;

		rc = one(r, tb, NULL, err, &u);
		if (rc == 0)
			route_undo_forget(&u);
		return rc;
	}
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_ROUTE_ENTRY, err);
	if (rc < 0)
		return rc;
	entry_pol = nsdp_msg_policy(r->nlh->nlmsg_type)->attrs[NSDP_A_ROUTE_ENTRY].nested;
	route_bulk_prefetch(r);
	mnl_attr_for_each(a, r->nlh, 0) {
		const struct nlattr *etb[NSDP_TB_MAX] = { 0 };

		if (mnl_attr_get_type(a) != NSDP_A_ROUTE_ENTRY)
			continue;
		if (n == ROUTE_BULK_MAX) {
			rc = nsdp_err_set(err, E2BIG, ctrl_attr_off(r, a),
					  "more than %d routes in one message", ROUTE_BULK_MAX);
			break;
		}
		rc = nsdp_parse_nested(r->nlh, a, entry_pol, etb, err);
		if (rc == 0)
			rc = one(r, etb, a, err, &undo[n]);
		if (rc < 0)
			break;
		n++;
	}
	while (n-- > 0) {
		if (rc < 0)
			route_undo(&undo[n]);
		else
			route_undo_forget(&undo[n]);
	}
	return rc;
}

static int
route_add_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return route_bulk(r, tb, err, route_add_one);
}

static int
route_change_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct route_req q;
	const char *why;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, ROUTE_KEY_ATTRS | ROUTE_NH_ATTRS, err);
	if (rc == 0)
		rc = route_req_parse(r, tb, NULL, err, &q, true);
	if (rc < 0)
		return rc;
	rc = route_change(q.t, &q.spec, &why);
	if (rc == 0)
		route_multicast_rx(&q.spec);
	nh_put(q.spec.nh);
	if (rc < 0)
		return nsdp_err_set(err, -rc, ctrl_attr_off(r, tb[NSDP_A_ROUTE_DST]), "%s",
				    why != NULL ? why : strerror(-rc));
	return 0;
}

/* Delete one route, recording it so that it can be put back. */
static int
route_del_one(struct ctrl_req *r, const struct nlattr **tb, const struct nlattr *whole,
	      struct nsdp_err *err, struct route_undo *u)
{
	struct route_match m = { .exact = true };
	struct route_info ri;
	struct route_req q;
	const char *why;
	int rc;

	rc = ctrl_only_attrs(r, tb, ROUTE_KEY_ATTRS, err);
	if (rc == 0)
		rc = route_req_parse(r, tb, whole, err, &q, false);
	if (rc < 0)
		return rc;
	memset(u, 0, sizeof(*u));
	u->t = q.t;
	u->key = q.spec.key;
	u->type = q.spec.type;
	/* What is deleted, so that a failing bulk delete can put it back. */
	m.type_mask = 1u << RTT_USER | 1u << RTT_USER_IGNORE;
	m.dst_len = q.spec.key.dst_len;
	if (route_lookup(q.t, q.spec.key.dst, q.spec.key.src_len ? q.spec.key.src : NULL, &m,
			 &ri) == 0 &&
	    ri.key.src_len == q.spec.key.src_len && memcmp(ri.key.src, q.spec.key.src, 16) == 0) {
		u->had_old = true;
		u->deleted = true;
		u->old = (struct route_spec){ .key = ri.key, .type = ri.type, .flags = ri.flags,
					      .ifl_index = ri.ifl_index,
					      .nh = (struct nexthop *)(uintptr_t)ri.nh };
		nh_ref(u->old.nh);
	}
	rc = route_del(q.t, &q.spec.key, q.spec.type, q.spec.ifl_index, &why);
	if (rc < 0) {
		route_undo_forget(u);
		u->had_old = false;
		return nsdp_err_set(err, -rc, off_of(r, tb[NSDP_A_ROUTE_DST], whole), "%s",
				    why != NULL ? why : strerror(-rc));
	}
	return 0;
}

static int
route_del_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return route_bulk(r, tb, err, route_del_one);
}

/* GET: the forwarding decision for a destination [source] [incoming ifl]. */
static int
route_get_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct route_req q;
	struct route_info ri;
	struct route_view v = { 0 };
	uint8_t dst[16], src[16];
	uint32_t iif = 0;
	int rc;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_ROUTE_TABLE | 1u << NSDP_A_ROUTE_FAMILY |
				     1u << NSDP_A_ROUTE_DST | 1u << NSDP_A_ROUTE_SRC |
				     1u << NSDP_A_ROUTE_IIF,
			     err);
	if (rc < 0)
		return rc;
	memset(&q, 0, sizeof(q));
	rc = route_req_table(r, tb, NULL, err, &q);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_ROUTE_DST] == NULL)
		return nsdp_err_set(err, EINVAL, 0, "the destination address is missing");
	rc = route_addr(r, tb[NSDP_A_ROUTE_DST], q.spec.key.family, dst, err, "destination");
	if (rc == 0 && tb[NSDP_A_ROUTE_SRC] != NULL)
		rc = route_addr(r, tb[NSDP_A_ROUTE_SRC], q.spec.key.family, src, err, "source");
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_ROUTE_IIF] != NULL) {
		iif = ifl_index_by_name(nsdp_get_str(tb[NSDP_A_ROUTE_IIF]));
		if (iif == 0)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_ROUTE_IIF]),
					    "no interface '%s'", nsdp_get_str(tb[NSDP_A_ROUTE_IIF]));
	}
	rc = route_fwd_lookup(q.t, dst, tb[NSDP_A_ROUTE_SRC] != NULL ? src : NULL, &ri);
	if (rc < 0)
		return nsdp_err_set(err, -rc, 0, "no route");
	v.inst = q.inst;
	v.ri = &ri;
	v.verdict_set = true;
	/* The packet path's checks (rt_flags_verdict), applied to this packet. */
	switch (rt_flags_verdict(ri.flags, ri.ifl_index, iif)) {
	case RT_FWD_IFCHECK:
		v.verdict = NSDP_RV_IFCHECK;
		break;
	case RT_FWD_LOCAL_ONLY:
		v.verdict = NSDP_RV_LOCAL_ONLY;
		break;
	default:
		v.verdict = NSDP_RV_NEXTHOP;
		break;
	}
	rc = ctrl_reply(r, route_put, &v);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

struct route_dump {
	struct ctrl_req *r;
	struct route_view v;
	int rc;                   /* ctrl_dump_put's error, if any */
};

static int
route_dump_cb(const struct route_info *ri, void *arg)
{
	struct route_dump *d = arg;
	int rc;

	d->v.ri = ri;
	rc = ctrl_dump_put(d->r, route_put, &d->v);
	if (rc < 0) {
		d->rc = rc;
		return 1;
	}
	return rc; /* 1: the part is full */
}

static int
route_getnext_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct route_dump d = { .r = r };
	struct route_key cur = { 0 };
	bool have_cur = tb[NSDP_A_ROUTE_DST] != NULL;
	uint16_t inst0 = 0;
	uint8_t type = 0;
	uint32_t ifl = 0;
	int fam0 = 4, rc;

	rc = ctrl_only_attrs(r, tb,
			     ROUTE_REQ_ATTRS | 1u << NSDP_A_ROUTE_DUMP_TABLE |
				     1u << NSDP_A_ROUTE_DUMP_FAMILY,
			     err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_ROUTE_DUMP_TABLE] != NULL) {
		d.v.f_table = true;
		d.v.ft = (uint16_t)nsdp_get_u32(tb[NSDP_A_ROUTE_DUMP_TABLE]);
		if (!rt_inst_exists(d.v.ft))
			return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_ROUTE_DUMP_TABLE]),
					    "no table %u", d.v.ft);
		inst0 = d.v.ft;
	}
	if (tb[NSDP_A_ROUTE_DUMP_FAMILY] != NULL) {
		d.v.f_family = true;
		d.v.ff = nsdp_get_u8(tb[NSDP_A_ROUTE_DUMP_FAMILY]);
		if (d.v.ff != 4 && d.v.ff != 6)
			return nsdp_err_set(err, EINVAL,
					    ctrl_attr_off(r, tb[NSDP_A_ROUTE_DUMP_FAMILY]),
					    "family %u is neither 4 nor 6", d.v.ff);
		fam0 = d.v.ff;
	}
	if (have_cur) {
		/* The cursor: the key of the last route sent. */
		if (tb[NSDP_A_ROUTE_TABLE] != NULL)
			inst0 = (uint16_t)nsdp_get_u32(tb[NSDP_A_ROUTE_TABLE]);
		if (tb[NSDP_A_ROUTE_FAMILY] != NULL)
			fam0 = nsdp_get_u8(tb[NSDP_A_ROUTE_FAMILY]) == 6 ? 6 : 4;
		cur.family = (uint8_t)fam0;
		memcpy(cur.dst, mnl_attr_get_payload(tb[NSDP_A_ROUTE_DST]), 16);
		cur.dst_len = tb[NSDP_A_ROUTE_DST_LEN] ? nsdp_get_u8(tb[NSDP_A_ROUTE_DST_LEN]) : 0;
		if (tb[NSDP_A_ROUTE_SRC] != NULL)
			memcpy(cur.src, mnl_attr_get_payload(tb[NSDP_A_ROUTE_SRC]), 16);
		cur.src_len = tb[NSDP_A_ROUTE_SRC_LEN] ? nsdp_get_u8(tb[NSDP_A_ROUTE_SRC_LEN]) : 0;
		type = tb[NSDP_A_ROUTE_TYPE] ? nsdp_get_u8(tb[NSDP_A_ROUTE_TYPE]) : 0;
		ifl = tb[NSDP_A_ROUTE_IFL] ? nsdp_get_u32(tb[NSDP_A_ROUTE_IFL]) : 0;
	}
	for (uint32_t inst = inst0; inst < RT_INST_MAX; inst++) {
		if (d.v.f_table && inst != d.v.ft)
			break;
		if (!rt_inst_exists((uint16_t)inst))
			continue;
		d.v.inst = (uint16_t)inst;
		for (int fam = (inst == inst0 ? fam0 : 4); fam <= 6; fam += 2) {
			const struct rt_table *t = rt_table_get((uint16_t)inst, fam);
			bool resume = have_cur && inst == inst0 && fam == fam0;

			if (d.v.f_family && fam != d.v.ff)
				continue;
			rc = resume ? route_walk_after(t, &cur, type, ifl, route_dump_cb, &d)
				    : route_walk(t, route_dump_cb, &d);
			if (d.rc < 0)
				return nsdp_err_set(err, -d.rc, 0, "a route does not fit in a message");
			if (rc != 0)
				return 0;
		}
	}
	return 0;
}

/* ---- NEXTHOP ---- */

static void
nexthop_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct nexthop *nh = obj;
	uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);
	char name[64];

	nsdp_put_u32(b, NSDP_A_NEXTHOP_INDEX, nh->index);
	if (key_only)
		return;
	nsdp_put_u8(b, NSDP_A_NEXTHOP_FAMILY, nh->family);
	nsdp_put_u8(b, NSDP_A_NEXTHOP_TYPE, type);
	nsdp_put_u32(b, NSDP_A_NEXTHOP_IFL, nh->ifl_index);
	if (nh->ifl_index != 0 && ifl_name(nh->ifl_index, name, sizeof(name)) == 0)
		nsdp_put_str(b, NSDP_A_NEXTHOP_IFL_NAME, name);
	nsdp_put_bin(b, NSDP_A_NEXTHOP_ADDR, nh->addr, 16);
	nsdp_put_u32(b, NSDP_A_NEXTHOP_REFCNT, nh_refcnt(nh));
	if (type == RNH_UNICAST) {
		nsdp_put_u16(b, NSDP_A_NEXTHOP_PORT, nh->port);
		nsdp_put_u16(b, NSDP_A_NEXTHOP_MTU, nh->mtu);
		nsdp_put_u8(b, NSDP_A_NEXTHOP_L2_LEN, nh->l2_len);
	}
	if (nh->resolver != NULL && nh->resolver->name != NULL)
		nsdp_put_str(b, NSDP_A_NEXTHOP_RESOLVER, nh->resolver->name);
	if (nh->n_ifl > 0)
		nsdp_put_u8(b, NSDP_A_NEXTHOP_N_IFL, nh->n_ifl);
	nh_list_put(b, nh, NSDP_A_NEXTHOP_MEMBER, NSDP_A_NEXTHOP_LOCAL);
}

static int
nexthop_get_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct nexthop *nh;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_NEXTHOP_INDEX, err);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb,
				  NSDP_A_NEXTHOP_INDEX, err);
	if (rc < 0)
		return rc;
	nh = nh_by_index(nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]));
	if (nh == NULL)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_NEXTHOP_INDEX]),
				    "no next hop %u", nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]));
	rc = ctrl_reply(r, nexthop_put, nh);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

struct nh_dump {
	struct ctrl_req *r;
	int rc;
};

static int
nexthop_dump_cb(const struct nexthop *nh, void *arg)
{
	struct nh_dump *d = arg;
	int rc = ctrl_dump_put(d->r, nexthop_put, nh);

	if (rc < 0) {
		d->rc = rc;
		return 1;
	}
	return rc;
}

static int
nexthop_getnext_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct nh_dump d = { .r = r };
	uint32_t from;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_NEXTHOP_INDEX, err);
	if (rc < 0)
		return rc;
	from = tb[NSDP_A_NEXTHOP_INDEX] != NULL ? nsdp_get_u32(tb[NSDP_A_NEXTHOP_INDEX]) + 1 : 1;
	if (from == 0)
		return 0;
	nh_walk(from, nexthop_dump_cb, &d);
	if (d.rc < 0)
		return nsdp_err_set(err, -d.rc, 0, "a next hop does not fit in a message");
	return 0;
}

/*
 * Reads walk [C] structures: they take the config lock themselves (the
 * server takes it only for writes), so a writer on another thread (a
 * resolver installing neighbours) never changes a table under a walk.
 */
#define LOCKED_READ(name, fn)                                                      \
	static int name(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err) \
	{                                                                          \
		int rc;                                                            \
									   \
		config_lock();                                                     \
		rc = fn(r, tb, err);                                               \
		config_unlock();                                                   \
		return rc;                                                         \
	}
LOCKED_READ(table_get_locked, table_get)
LOCKED_READ(table_getnext_locked, table_getnext)
LOCKED_READ(route_get_locked, route_get_h)
LOCKED_READ(route_getnext_locked, route_getnext_h)
LOCKED_READ(nexthop_get_locked, nexthop_get_h)
LOCKED_READ(nexthop_getnext_locked, nexthop_getnext_h)

static const struct ctrl_handler route_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_TABLE, NSDP_OP_ADD), true, table_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_TABLE, NSDP_OP_DELETE), true, table_del },
	{ NSDP_MSG_TYPE(NSDP_OBJ_TABLE, NSDP_OP_GET), false, table_get_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_TABLE, NSDP_OP_GETNEXT), false, table_getnext_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_ADD), true, route_add_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_CHANGE), true, route_change_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_DELETE), true, route_del_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_GET), false, route_get_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_ROUTE, NSDP_OP_GETNEXT), false, route_getnext_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEXTHOP, NSDP_OP_GET), false, nexthop_get_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEXTHOP, NSDP_OP_GETNEXT), false, nexthop_getnext_locked },
};

int
ctrl_route_register(void)
{
	return ctrl_register(route_handlers, RTE_DIM(route_handlers));
}
