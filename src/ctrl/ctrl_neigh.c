/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_neigh.c: NEIGH as the protocol shows it (dataplane/neigh.h;
 * proto_neigh.h): static neighbours added and deleted, entries shown one
 * at a time or dumped in (family, ifl, address) order, the counters of a
 * family, and its tunables (timers, probes, hold queue).
 *
 * Reads take the config lock themselves: the neighbour workers change the
 * table under it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/neigh.h"
#include "handlers.h"
#include "ifcfg/ifcfg.h"

_Static_assert((int)NSDP_NEIGH_STATIC == (int)NEIGH_STATIC &&
		       (int)NSDP_NEIGH_INCOMPLETE == (int)NEIGH_INCOMPLETE,
	       "wire states follow enum neigh_state");

static const char *
addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len);
}

static void
neigh_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct neigh_info *ni = obj;
	uint8_t addr[16] = { 0 };
	char name[64];

	memcpy(addr, ni->addr, ni->family == 4 ? 4 : 16);
	nsdp_put_u8(b, NSDP_A_NEIGH_FAMILY, ni->family);
	nsdp_put_u32(b, NSDP_A_NEIGH_IFL, ni->ifl_index);
	nsdp_put_bin(b, NSDP_A_NEIGH_ADDR, addr, 16);
	if (key_only)
		return;
	if (ifl_name(ni->ifl_index, name, sizeof(name)) == 0)
		nsdp_put_str(b, NSDP_A_NEIGH_DEV, name);
	nsdp_put_bin(b, NSDP_A_NEIGH_LLADDR, ni->mac, 6);
	nsdp_put_u32(b, NSDP_A_NEIGH_TABLE, ni->rt_inst);
	nsdp_put_u8(b, NSDP_A_NEIGH_STATE, ni->state);
	nsdp_put_u8(b, NSDP_A_NEIGH_FLAGS, ni->flags);
	nsdp_put_u64(b, NSDP_A_NEIGH_AGE_MS, ni->age_ms);
	nsdp_put_u32(b, NSDP_A_NEIGH_PROBES, ni->probes);
	nsdp_put_u32(b, NSDP_A_NEIGH_NH_INDEX, ni->nh_index);
	nsdp_put_u32(b, NSDP_A_NEIGH_HELD, ni->held);
}

struct neigh_stats_view {
	uint8_t family;
	struct neigh_stats st;
	struct neigh_params p;
};

/* The tunables as attributes: wire attribute <-> field of struct neigh_params. */
static const struct {
	uint16_t attr;
	size_t off;
} param_attrs[] = {
	{ NSDP_A_NEIGH_REACHABLE_MS, offsetof(struct neigh_params, reachable_ms) },
	{ NSDP_A_NEIGH_RETRANS_MS, offsetof(struct neigh_params, retrans_ms) },
	{ NSDP_A_NEIGH_RETRANS_MAX_MS, offsetof(struct neigh_params, retrans_max_ms) },
	{ NSDP_A_NEIGH_DELAY_MS, offsetof(struct neigh_params, delay_ms) },
	{ NSDP_A_NEIGH_STALE_MS, offsetof(struct neigh_params, stale_ms) },
	{ NSDP_A_NEIGH_FAILED_MS, offsetof(struct neigh_params, failed_ms) },
	{ NSDP_A_NEIGH_MCAST_PROBES, offsetof(struct neigh_params, mcast_probes) },
	{ NSDP_A_NEIGH_UCAST_PROBES, offsetof(struct neigh_params, ucast_probes) },
	{ NSDP_A_NEIGH_HOLD_MAX, offsetof(struct neigh_params, hold_max) },
};

static uint32_t *
param_field(struct neigh_params *p, unsigned i)
{
	return (uint32_t *)((char *)p + param_attrs[i].off);
}

static void
neigh_stats_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct neigh_stats_view *v = obj;

	nsdp_put_u8(b, NSDP_A_NEIGH_FAMILY, v->family);
	if (key_only)
		return;
	nsdp_put_u64(b, NSDP_A_NEIGH_REQUESTS_SENT, v->st.requests_sent);
	nsdp_put_u64(b, NSDP_A_NEIGH_REQUESTS_RCVD, v->st.requests_rcvd);
	nsdp_put_u64(b, NSDP_A_NEIGH_REPLIES_SENT, v->st.replies_sent);
	nsdp_put_u64(b, NSDP_A_NEIGH_REPLIES_RCVD, v->st.replies_rcvd);
	nsdp_put_u64(b, NSDP_A_NEIGH_RESOLVED, v->st.resolved);
	nsdp_put_u64(b, NSDP_A_NEIGH_FAILED, v->st.failed);
	nsdp_put_u64(b, NSDP_A_NEIGH_HELD_TOTAL, v->st.held);
	nsdp_put_u64(b, NSDP_A_NEIGH_HOLD_DROPPED, v->st.hold_dropped);
	nsdp_put_u64(b, NSDP_A_NEIGH_GRATUITOUS, v->st.gratuitous_sent);
	nsdp_put_u64(b, NSDP_A_NEIGH_ENTRIES, v->st.entries);
	for (unsigned i = 0; i < RTE_DIM(param_attrs); i++)
		nsdp_put_u32(b, param_attrs[i].attr,
			     *param_field((struct neigh_params *)(uintptr_t)&v->p, i));
}

static int
neigh_change_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct neigh_params p;
	uint32_t allowed = 1u << NSDP_A_NEIGH_FAMILY;
	uint8_t family;
	int rc;

	config_assert_locked();
	for (unsigned i = 0; i < RTE_DIM(param_attrs); i++)
		allowed |= 1u << param_attrs[i].attr;
	rc = ctrl_only_attrs(r, tb, allowed, err);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb,
				  NSDP_A_NEIGH_FAMILY, err);
	if (rc < 0)
		return rc;
	family = nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]);
	if (neigh_params_get(family, &p) < 0)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_FAMILY]),
				    "family %u is neither 4 (IPv4) nor 6 (IPv6)", family);
	for (unsigned i = 0; i < RTE_DIM(param_attrs); i++)
		if (tb[param_attrs[i].attr] != NULL)
			*param_field(&p, i) = nsdp_get_u32(tb[param_attrs[i].attr]);
	if (p.retrans_max_ms < p.retrans_ms)
		return nsdp_err_set(err, EINVAL,
				    ctrl_attr_off(r, tb[NSDP_A_NEIGH_RETRANS_MAX_MS] != NULL
							     ? tb[NSDP_A_NEIGH_RETRANS_MAX_MS]
							     : tb[NSDP_A_NEIGH_RETRANS_MS]),
				    "the retransmission backoff cap (%u ms) is below the "
				    "retransmission time (%u ms)", p.retrans_max_ms, p.retrans_ms);
	rc = neigh_params_set(family, &p);
	if (rc < 0)
		return nsdp_err_set(err, -rc, 0, "cannot set the neighbour tunables: %s",
				    strerror(-rc));
	return 0;
}

/* The parsed key of a request: family, address, ifl (0 = any). */
struct neigh_req {
	uint8_t family;
	uint8_t addr[16];
	uint32_t ifl_index;
};

static int
neigh_req_parse(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err,
		struct neigh_req *q, bool need_dev)
{
	const uint8_t *p;
	int rc;

	memset(q, 0, sizeof(*q));
	rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_NEIGH_FAMILY,
			  err);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb,
				  NSDP_A_NEIGH_ADDR, err);
	if (rc == 0 && need_dev)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb,
				  NSDP_A_NEIGH_DEV, err);
	if (rc < 0)
		return rc;
	q->family = nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]);
	if (q->family != 4 && q->family != 6)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_FAMILY]),
				    "family %u is neither 4 (IPv4) nor 6 (IPv6)", q->family);
	p = mnl_attr_get_payload(tb[NSDP_A_NEIGH_ADDR]);
	if (q->family == 4 && memcmp(p + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) != 0)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_ADDR]),
				    "an IPv4 address uses the first 4 bytes only");
	memcpy(q->addr, p, 16);
	if (tb[NSDP_A_NEIGH_DEV] != NULL) {
		q->ifl_index = ifl_index_by_name(nsdp_get_str(tb[NSDP_A_NEIGH_DEV]));
		if (q->ifl_index == 0)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_NEIGH_DEV]),
					    "no interface '%s'", nsdp_get_str(tb[NSDP_A_NEIGH_DEV]));
	}
	return 0;
}

static int
neigh_add_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct neigh_req q;
	const struct ifl *ifl;
	const uint8_t *mac;
	const char *dev;
	char buf[INET6_ADDRSTRLEN];
	uint32_t off_addr, off_mac, off_dev;
	unsigned fam;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_NEIGH_FAMILY | 1u << NSDP_A_NEIGH_ADDR |
				     1u << NSDP_A_NEIGH_LLADDR | 1u << NSDP_A_NEIGH_DEV |
				     1u << NSDP_A_NEIGH_TABLE,
			     err);
	if (rc == 0)
		rc = neigh_req_parse(r, tb, err, &q, true);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb,
				  NSDP_A_NEIGH_LLADDR, err);
	if (rc < 0)
		return rc;
	off_addr = ctrl_attr_off(r, tb[NSDP_A_NEIGH_ADDR]);
	off_mac = ctrl_attr_off(r, tb[NSDP_A_NEIGH_LLADDR]);
	off_dev = ctrl_attr_off(r, tb[NSDP_A_NEIGH_DEV]);
	dev = nsdp_get_str(tb[NSDP_A_NEIGH_DEV]);
	mac = mnl_attr_get_payload(tb[NSDP_A_NEIGH_LLADDR]);
	addr_str(q.family, q.addr, buf, sizeof(buf));
	fam = q.family == 4 ? IFF_INET : IFF_INET6;
	ifl = ifl_lookup(q.ifl_index);
	if (ifl == NULL || !ifl->fam[fam].present)
		return nsdp_err_set(err, ENOENT, off_dev, "%s has no %s family", dev,
				    q.family == 4 ? "inet" : "inet6");
	if (tb[NSDP_A_NEIGH_TABLE] != NULL &&
	    nsdp_get_u32(tb[NSDP_A_NEIGH_TABLE]) != ifl->fam[fam].rt_inst)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_TABLE]),
				    "%s is in table %u, not %u", dev, ifl->fam[fam].rt_inst,
				    nsdp_get_u32(tb[NSDP_A_NEIGH_TABLE]));
	if ((mac[0] & 1) || memcmp(mac, "\0\0\0\0\0\0", 6) == 0)
		return nsdp_err_set(err, EINVAL, off_mac,
				    "a neighbour's link-layer address is unicast and not zero");
	if (neigh_addr_is_ours(q.family, q.ifl_index, q.addr))
		return nsdp_err_set(err, EINVAL, off_addr, "%s is an address of %s itself", buf,
				    dev);
	rc = neigh_add_static(q.family, q.ifl_index, q.addr, mac);
	if (rc == -ENETUNREACH)
		return nsdp_err_set(err, ENETUNREACH, off_addr, "%s is not on a subnet of %s", buf,
				    dev);
	if (rc == -EINVAL)
		return nsdp_err_set(err, EINVAL, off_addr,
				    "%s cannot be a neighbour (zero, broadcast or multicast)", buf);
	if (rc < 0)
		return nsdp_err_set(err, -rc, off_addr, "cannot add neighbour %s: %s", buf,
				    strerror(-rc));
	return 0;
}

static int
neigh_del_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct neigh_req q;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_NEIGH_FAMILY | 1u << NSDP_A_NEIGH_ADDR |
				     1u << NSDP_A_NEIGH_DEV,
			     err);
	if (rc == 0)
		rc = neigh_req_parse(r, tb, err, &q, false);
	if (rc < 0)
		return rc;
	rc = neigh_del(q.family, q.ifl_index, q.addr);
	if (rc < 0)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_NEIGH_ADDR]),
				    "no neighbour %s%s%s", addr_str(q.family, q.addr, buf, sizeof(buf)),
				    tb[NSDP_A_NEIGH_DEV] != NULL ? " on " : "",
				    tb[NSDP_A_NEIGH_DEV] != NULL ? nsdp_get_str(tb[NSDP_A_NEIGH_DEV])
								 : "");
	return 0;
}

static int
neigh_found_any(const struct neigh_info *ni, void *arg)
{
	const struct neigh_req *q = arg;

	return ni->family == q->family && memcmp(ni->addr, q->addr, 16) == 0 ? (int)ni->ifl_index
									      : 0;
}

static int
neigh_get_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct neigh_info ni;
	struct neigh_req q;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_NEIGH_FAMILY | 1u << NSDP_A_NEIGH_ADDR |
				     1u << NSDP_A_NEIGH_DEV,
			     err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_NEIGH_FAMILY] != NULL && tb[NSDP_A_NEIGH_ADDR] == NULL &&
	    tb[NSDP_A_NEIGH_DEV] == NULL) {
		struct neigh_stats_view v = { .family = nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]) };

		if (neigh_stats_get(v.family, &v.st) < 0 || neigh_params_get(v.family, &v.p) < 0)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_FAMILY]),
					    "family %u is neither 4 (IPv4) nor 6 (IPv6)", v.family);
		rc = ctrl_reply(r, neigh_stats_put, &v);
		return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
	}
	rc = neigh_req_parse(r, tb, err, &q, false);
	if (rc < 0)
		return rc;
	if (q.ifl_index == 0) {
		int ifl = neigh_walk(q.family, 0, NULL, neigh_found_any, &q);

		q.ifl_index = ifl > 0 ? (uint32_t)ifl : 0;
	}
	if (q.ifl_index == 0 || neigh_get(q.family, q.ifl_index, q.addr, &ni) < 0)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_NEIGH_ADDR]),
				    "no neighbour %s", addr_str(q.family, q.addr, buf, sizeof(buf)));
	rc = ctrl_reply(r, neigh_put, &ni);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

struct neigh_dump {
	struct ctrl_req *r;
	int rc;
};

static int
neigh_dump_cb(const struct neigh_info *ni, void *arg)
{
	struct neigh_dump *d = arg;
	int rc = ctrl_dump_put(d->r, neigh_put, ni);

	if (rc < 0)
		d->rc = rc;
	return rc != 0;
}

static int
neigh_getnext_h(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct neigh_dump d = { .r = r };
	uint8_t from_addr[16];
	bool resume;
	uint8_t family = 0;
	uint32_t ifl = 0;
	int rc;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_NEIGH_FAMILY | 1u << NSDP_A_NEIGH_ADDR |
				     1u << NSDP_A_NEIGH_IFL,
			     err);
	if (rc < 0)
		return rc;
	resume = tb[NSDP_A_NEIGH_ADDR] != NULL;
	if (resume && (tb[NSDP_A_NEIGH_FAMILY] == NULL || tb[NSDP_A_NEIGH_IFL] == NULL))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_NEIGH_ADDR]),
				    "a resumed dump names the family, ifl and address of its last "
				    "entry");
	if (tb[NSDP_A_NEIGH_FAMILY] != NULL)
		family = nsdp_get_u8(tb[NSDP_A_NEIGH_FAMILY]);
	if (resume) {
		memcpy(from_addr, mnl_attr_get_payload(tb[NSDP_A_NEIGH_ADDR]), 16);
		ifl = nsdp_get_u32(tb[NSDP_A_NEIGH_IFL]);
		/* The rest of this family, then the next family of a whole dump. */
		rc = neigh_walk(family, ifl, from_addr, neigh_dump_cb, &d);
		if (rc == 0 && d.rc == 0 && family == 4)
			neigh_walk(6, 0, NULL, neigh_dump_cb, &d);
	} else {
		neigh_walk(family, 0, NULL, neigh_dump_cb, &d);
	}
	if (d.rc < 0)
		return nsdp_err_set(err, -d.rc, 0, "a neighbour does not fit in a message");
	return 0;
}

#define LOCKED_READ(name, fn)                                                                  \
	static int name(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)   \
	{                                                                                      \
		int rc;                                                                        \
                                                                                               \
		config_lock();                                                                 \
		rc = fn(r, tb, err);                                                           \
		config_unlock();                                                               \
		return rc;                                                                     \
	}
LOCKED_READ(neigh_get_locked, neigh_get_h)
LOCKED_READ(neigh_getnext_locked, neigh_getnext_h)

static const struct ctrl_handler neigh_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_ADD), true, neigh_add_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_DELETE), true, neigh_del_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_CHANGE), true, neigh_change_h },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_GET), false, neigh_get_locked },
	{ NSDP_MSG_TYPE(NSDP_OBJ_NEIGH, NSDP_OP_GETNEXT), false, neigh_getnext_locked },
};

int
ctrl_neigh_register(void)
{
	return ctrl_register(neigh_handlers, RTE_DIM(neigh_handlers));
}
