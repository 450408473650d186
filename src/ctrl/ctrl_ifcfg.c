/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_ifcfg.c: IFD, IFL, IFF and IFA, the interface tree (src/ifcfg) as
 * the protocol shows it: ADD, CHANGE, DELETE, GET and resumable GETNEXT
 * dumps, and a notification per object added, changed or deleted
 * (cascading deletes notify every object they remove, children first).
 *
 * Dump orders: ifds by ifd_index, ifls by ifl_index, iffs by (ifl_index,
 * family), ifas by (ifl_index, family, local, destination). A dump resumes
 * after the key it carries, so objects deleted between parts are skipped
 * and 100,000 ifls are dumped in parts without state in the server.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/ifl_stats.h"
#include "dataplane/ip6.h"
#include "handlers.h"
#include "ifcfg/ifcfg_priv.h"

/* --- errors ----------------------------------------------------------------- */

/* The attribute an ifcfg error points at, per object. */
static const struct nlattr *
err_attr(const struct nlattr **tb, unsigned obj, enum ifcfg_arg arg)
{
	static const uint8_t ifd_map[] = {
		[IFCFG_ARG_NAME] = NSDP_A_IFD_NAME, [IFCFG_ARG_PORT] = NSDP_A_IFD_PORT,
		[IFCFG_ARG_MAC] = NSDP_A_IFD_MAC, [IFCFG_ARG_MTU] = NSDP_A_IFD_MTU,
		[IFCFG_ARG_ENCAP] = NSDP_A_IFD_ENCAP, [IFCFG_ARG_ADMIN] = NSDP_A_IFD_ADMIN_UP,
	};
	static const uint8_t ifl_map[] = {
		[IFCFG_ARG_NAME] = NSDP_A_IFL_NAME, [IFCFG_ARG_L2ID] = NSDP_A_IFL_TAGS,
		[IFCFG_ARG_PEER] = NSDP_A_IFL_PPPOE_PEER, [IFCFG_ARG_FLAGS] = NSDP_A_IFL_FLAGS,
	};
	static const uint8_t iff_map[] = {
		[IFCFG_ARG_NAME] = NSDP_A_IFF_IFL, [IFCFG_ARG_FAMILY] = NSDP_A_IFF_FAMILY,
		[IFCFG_ARG_TABLE] = NSDP_A_IFF_TABLE, [IFCFG_ARG_MTU] = NSDP_A_IFF_MTU,
		[IFCFG_ARG_FILTER] = NSDP_A_IFF_IN_FILTER,
	};
	static const uint8_t ifa_map[] = {
		[IFCFG_ARG_NAME] = NSDP_A_IFA_IFL, [IFCFG_ARG_FAMILY] = NSDP_A_IFA_FAMILY,
		[IFCFG_ARG_LOCAL] = NSDP_A_IFA_LOCAL, [IFCFG_ARG_DEST] = NSDP_A_IFA_DEST,
	};
	const uint8_t *map;
	size_t n;

	switch (obj) {
	case NSDP_OBJ_IFD: map = ifd_map, n = RTE_DIM(ifd_map); break;
	case NSDP_OBJ_IFL: map = ifl_map, n = RTE_DIM(ifl_map); break;
	case NSDP_OBJ_IFF: map = iff_map, n = RTE_DIM(iff_map); break;
	default: map = ifa_map, n = RTE_DIM(ifa_map); break;
	}
	if ((size_t)arg >= n || map[arg] == 0)
		return NULL;
	/* PPPoE L2_IDs point at the session when there are no tags. */
	if (obj == NSDP_OBJ_IFL && arg == IFCFG_ARG_L2ID && tb[NSDP_A_IFL_TAGS] == NULL)
		return tb[NSDP_A_IFL_PPPOE_SESSION];
	if (obj == NSDP_OBJ_IFA && arg == IFCFG_ARG_LOCAL && tb[NSDP_A_IFA_LOCAL] == NULL)
		return tb[NSDP_A_IFA_DEST];
	if (obj == NSDP_OBJ_IFA && arg == IFCFG_ARG_DEST && tb[NSDP_A_IFA_DEST] == NULL)
		return tb[NSDP_A_IFA_LOCAL];
	return tb[map[arg]];
}

static int
ifcfg_fail(struct ctrl_req *r, const struct nlattr **tb, int rc, const struct ifcfg_err *e,
	   struct nsdp_err *err)
{
	unsigned obj = NSDP_MSG_OBJ(r->nlh->nlmsg_type);

	return nsdp_err_set(err, -rc, ctrl_attr_off(r, err_attr(tb, obj, e->arg)), "%s", e->msg);
}

/* --- IFD ----------------------------------------------------------------------- */

static void
ifd_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct ifd *d = obj;

	nsdp_put_u32(b, NSDP_A_IFD_INDEX, d->ifd_index);
	if (key_only)
		return;
	nsdp_put_str(b, NSDP_A_IFD_NAME, d->name);
	nsdp_put_str(b, NSDP_A_IFD_DRIVER, d->drv->name);
	if (d->port != IFL_NO_PORT)
		nsdp_put_u32(b, NSDP_A_IFD_PORT, d->port);
	if (d->parent != NULL)
		nsdp_put_str(b, NSDP_A_IFD_PARENT, d->parent->name);
	nsdp_put_u8(b, NSDP_A_IFD_TYPE, d->type);
	nsdp_put_u8(b, NSDP_A_IFD_ENCAP, d->encap);
	if (d->port != IFL_NO_PORT) {
		nsdp_put_bin(b, NSDP_A_IFD_MAC, d->mac, 6);
		nsdp_put_bin(b, NSDP_A_IFD_PERM_MAC, d->perm_mac, 6);
		nsdp_put_u32(b, NSDP_A_IFD_SPEED, ifd_link_speed(d));
	}
	nsdp_put_u8(b, NSDP_A_IFD_ADMIN_UP, d->admin_up);
	nsdp_put_u32(b, NSDP_A_IFD_MTU, d->mtu);
	nsdp_put_u8(b, NSDP_A_IFD_LINK_UP, ifd_link_up(d));
	nsdp_put_u32(b, NSDP_A_IFD_IFLS, d->n_ifl);
}

static int
ifd_from_key(struct ctrl_req *r, const struct nlattr **tb, struct ifd **out, struct nsdp_err *err)
{
	if (tb[NSDP_A_IFD_NAME] != NULL) {
		*out = ifd_find(nsdp_get_str(tb[NSDP_A_IFD_NAME]));
		if (*out == NULL)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_IFD_NAME]),
					    "no ifd %s", nsdp_get_str(tb[NSDP_A_IFD_NAME]));
		return 0;
	}
	if (tb[NSDP_A_IFD_INDEX] != NULL) {
		*out = ifd_by_index(nsdp_get_u32(tb[NSDP_A_IFD_INDEX]));
		if (*out == NULL)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_IFD_INDEX]),
					    "no ifd with index %u", nsdp_get_u32(tb[NSDP_A_IFD_INDEX]));
		return 0;
	}
	return nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_IFD_NAME, err);
}

static int
h_ifd_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifd_spec s = { 0 };
	struct ifcfg_err e;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFD_NAME | 1u << NSDP_A_IFD_PORT, err);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_IFD_NAME, err);
	if (rc < 0)
		return rc;
	s.name = nsdp_get_str(tb[NSDP_A_IFD_NAME]);
	if (tb[NSDP_A_IFD_PORT] != NULL) {
		s.has_port = true;
		s.port = (uint16_t)nsdp_get_u32(tb[NSDP_A_IFD_PORT]);
	}
	rc = ifd_add(&s, NULL, &e);
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_ifd_del(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifd *d;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFD_NAME | 1u << NSDP_A_IFD_INDEX, err);
	if (rc == 0)
		rc = ifd_from_key(r, tb, &d, err);
	if (rc < 0)
		return rc;
	if (d->drv->pseudo && strcmp(d->name, "lo0") == 0)
		return nsdp_err_set(err, EPERM, ctrl_attr_off(r, tb[NSDP_A_IFD_NAME]),
				    "lo0 is permanent (its ifls can be deleted)");
	ifd_del(d, false);
	return 0;
}

static int
h_ifd_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifd_change c = { 0 };
	struct ifcfg_err e;
	struct ifd *d;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_IFD_NAME | 1u << NSDP_A_IFD_INDEX | 1u << NSDP_A_IFD_MAC |
				     1u << NSDP_A_IFD_MTU | 1u << NSDP_A_IFD_ADMIN_UP |
				     1u << NSDP_A_IFD_ENCAP, err);
	if (rc == 0)
		rc = ifd_from_key(r, tb, &d, err);
	if (rc < 0)
		return rc;
	if ((c.set_mac = tb[NSDP_A_IFD_MAC] != NULL))
		memcpy(c.mac, mnl_attr_get_payload(tb[NSDP_A_IFD_MAC]), 6);
	if ((c.set_mtu = tb[NSDP_A_IFD_MTU] != NULL))
		c.mtu = nsdp_get_u32(tb[NSDP_A_IFD_MTU]);
	if ((c.set_admin = tb[NSDP_A_IFD_ADMIN_UP] != NULL))
		c.admin_up = nsdp_get_u8(tb[NSDP_A_IFD_ADMIN_UP]) != 0;
	if ((c.set_encap = tb[NSDP_A_IFD_ENCAP] != NULL))
		c.encap = nsdp_get_u8(tb[NSDP_A_IFD_ENCAP]);
	if (!c.set_mac && !c.set_mtu && !c.set_admin && !c.set_encap)
		return nsdp_err_set(err, EINVAL, 0, "nothing to change (mac, mtu, admin state, encapsulation)");
	rc = ifd_change(d, &c, &e);
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_ifd_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifd *d;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFD_NAME | 1u << NSDP_A_IFD_INDEX, err);
	if (rc == 0)
		rc = ifd_from_key(r, tb, &d, err);
	if (rc < 0)
		return rc;
	rc = ctrl_reply(r, ifd_put, d);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
h_ifd_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t after = 0;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFD_INDEX, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFD_INDEX] != NULL)
		after = nsdp_get_u32(tb[NSDP_A_IFD_INDEX]);
	for (struct ifd *d = ifd_next(after); d != NULL; d = ifd_next(d->ifd_index)) {
		rc = ctrl_dump_put(r, ifd_put, d);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "ifd %s does not fit in a message", d->name);
		if (rc > 0)
			return 0;
	}
	return 0;
}

/* --- IFL ------------------------------------------------------------------------- */

static void
ifl_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct ifl_priv *l = obj;
	uint64_t rx_p = 0, rx_b = 0, tx_p = 0, tx_b = 0;
	struct ifl_ctr ctr;
	char text[256];
	uint8_t fams = 0;

	nsdp_put_u32(b, NSDP_A_IFL_INDEX, l->ifl_index);
	if (key_only)
		return;
	nsdp_put_str(b, NSDP_A_IFL_NAME, l->name);
	nsdp_put_str(b, NSDP_A_IFL_IFD, l->ifd->name);
	nsdp_put_str(b, NSDP_A_IFL_PARENT, l->parent != NULL ? l->parent->name : l->ifd->name);
	nsdp_put_u32(b, NSDP_A_IFL_UNIT, l->unit);
	if (l->l2id.kind == L2ID_TAGS) {
		struct nlattr *tags = nsdp_nest_start(b, NSDP_A_IFL_TAGS);

		for (unsigned i = 0; i < l->l2id.n_tags; i++) {
			struct nlattr *t = nsdp_nest_start(b, NSDP_A_TAG_ENTRY);

			nsdp_put_u16(b, NSDP_A_TAG_TPID, l->l2id.tpid[i]);
			nsdp_put_u16(b, NSDP_A_TAG_VID, l->l2id.vid[i]);
			nsdp_nest_end(b, t);
		}
		nsdp_nest_end(b, tags);
	} else if (l->l2id.kind == L2ID_PPPOE) {
		nsdp_put_u16(b, NSDP_A_IFL_PPPOE_SESSION, l->l2id.session);
		nsdp_put_bin(b, NSDP_A_IFL_PPPOE_PEER, l->l2id.peer, 6);
	}
	nsdp_put_u16(b, NSDP_A_IFL_FLAGS, l->flags);
	l2id_format(&l->l2id, text, sizeof(text));
	nsdp_put_str(b, NSDP_A_IFL_L2ID, text);
	if (l->ifd->port != IFL_NO_PORT) {
		l2key_format(&l->path, text, sizeof(text));
		nsdp_put_str(b, NSDP_A_IFL_PATH, text);
	}
	for (unsigned f = 0; f < IFF_FAM_MAX; f++)
		if (l->iff[f] != NULL)
			fams |= (uint8_t)(1u << f);
	nsdp_put_u8(b, NSDP_A_IFL_FAMILIES, fams);
	ifl_stats_sum(l->stats_slot, &ctr);
	for (unsigned f = 0; f < IFL_STATS_FAMS; f++) {
		rx_p += ctr.fam[f].rx_packets, rx_b += ctr.fam[f].rx_bytes;
		tx_p += ctr.fam[f].tx_packets, tx_b += ctr.fam[f].tx_bytes;
	}
	nsdp_put_u64(b, NSDP_A_IFL_RX_PACKETS, rx_p);
	nsdp_put_u64(b, NSDP_A_IFL_RX_BYTES, rx_b);
	nsdp_put_u64(b, NSDP_A_IFL_TX_PACKETS, tx_p);
	nsdp_put_u64(b, NSDP_A_IFL_TX_BYTES, tx_b);
}

static int
ifl_from_key(struct ctrl_req *r, const struct nlattr *name, const struct nlattr *index,
	     struct ifl_priv **out, struct nsdp_err *err)
{
	if (name != NULL) {
		*out = ifl_find(nsdp_get_str(name));
		if (*out == NULL)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, name), "no ifl %s",
					    nsdp_get_str(name));
		return 0;
	}
	if (index != NULL) {
		*out = ifl_priv_by_index(nsdp_get_u32(index));
		if (*out == NULL)
			return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, index),
					    "no ifl with index %u", nsdp_get_u32(index));
		return 0;
	}
	return nsdp_err_set(err, EINVAL, 0, "which ifl? (name or index missing)");
}

static int
h_ifl_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifl_spec s = { 0 };
	struct ifcfg_err e;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_IFL_NAME | 1u << NSDP_A_IFL_TAGS |
				     1u << NSDP_A_IFL_PPPOE_SESSION | 1u << NSDP_A_IFL_PPPOE_PEER |
				     1u << NSDP_A_IFL_FLAGS, err);
	if (rc == 0)
		rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_IFL_NAME, err);
	if (rc < 0)
		return rc;
	s.name = nsdp_get_str(tb[NSDP_A_IFL_NAME]);
	if (tb[NSDP_A_IFL_FLAGS] != NULL)
		s.flags = nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]);
	if (tb[NSDP_A_IFL_TAGS] != NULL && tb[NSDP_A_IFL_PPPOE_SESSION] != NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_IFL_PPPOE_SESSION]),
				    "an ifl's L2_ID is tags or a PPPoE session, not both");
	if ((tb[NSDP_A_IFL_PPPOE_SESSION] != NULL) != (tb[NSDP_A_IFL_PPPOE_PEER] != NULL))
		return nsdp_err_set(err, EINVAL,
				    ctrl_attr_off(r, tb[NSDP_A_IFL_PPPOE_SESSION] != NULL
							     ? tb[NSDP_A_IFL_PPPOE_SESSION]
							     : tb[NSDP_A_IFL_PPPOE_PEER]),
				    "a PPPoE L2_ID is a session and the peer's address");
	if (tb[NSDP_A_IFL_TAGS] != NULL) {
		const struct nlattr *t;

		s.l2id.kind = L2ID_TAGS;
		mnl_attr_for_each_nested(t, tb[NSDP_A_IFL_TAGS]) {
			const struct nlattr *tt[NSDP_TB_MAX] = { NULL };
			const struct nsdp_policy *tags =
				nsdp_msg_policy(r->nlh->nlmsg_type)->attrs[NSDP_A_IFL_TAGS].nested;

			rc = nsdp_parse_nested(r->nlh, t, tags->attrs[NSDP_A_TAG_ENTRY].nested, tt, err);
			if (rc < 0)
				return rc;
			if (tt[NSDP_A_TAG_TPID] == NULL || tt[NSDP_A_TAG_VID] == NULL)
				return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, t),
						    "a tag is a TPID and a VLAN ID");
			if (s.l2id.n_tags == L2KEY_MAX_TAGS)
				return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, t),
						    "at most %u tags", L2KEY_MAX_TAGS);
			s.l2id.tpid[s.l2id.n_tags] = nsdp_get_u16(tt[NSDP_A_TAG_TPID]);
			s.l2id.vid[s.l2id.n_tags++] = nsdp_get_u16(tt[NSDP_A_TAG_VID]);
		}
	} else if (tb[NSDP_A_IFL_PPPOE_SESSION] != NULL) {
		s.l2id.kind = L2ID_PPPOE;
		s.l2id.session = nsdp_get_u16(tb[NSDP_A_IFL_PPPOE_SESSION]);
		memcpy(s.l2id.peer, mnl_attr_get_payload(tb[NSDP_A_IFL_PPPOE_PEER]), 6);
	}
	rc = ifl_add(&s, NULL, &e);
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_ifl_del(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifl_priv *l;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFL_NAME | 1u << NSDP_A_IFL_INDEX, err);
	if (rc == 0)
		rc = ifl_from_key(r, tb[NSDP_A_IFL_NAME], tb[NSDP_A_IFL_INDEX], &l, err);
	if (rc < 0)
		return rc;
	ifl_del(l);
	return 0;
}

static int
h_ifl_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifl_change c = { 0 };
	struct ifcfg_err e;
	struct ifl_priv *l;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFL_NAME | 1u << NSDP_A_IFL_INDEX |
					    1u << NSDP_A_IFL_FLAGS, err);
	if (rc == 0)
		rc = ifl_from_key(r, tb[NSDP_A_IFL_NAME], tb[NSDP_A_IFL_INDEX], &l, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFL_FLAGS] == NULL)
		return nsdp_err_set(err, EINVAL, 0,
				    "nothing to change (flags; an L2_ID is changed by deleting the ifl)");
	c.set_flags = true;
	c.flags = nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]);
	rc = ifl_change(l, &c, &e);
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_ifl_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifl_priv *l;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFL_NAME | 1u << NSDP_A_IFL_INDEX, err);
	if (rc == 0)
		rc = ifl_from_key(r, tb[NSDP_A_IFL_NAME], tb[NSDP_A_IFL_INDEX], &l, err);
	if (rc < 0)
		return rc;
	rc = ctrl_reply(r, ifl_put, l);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
h_ifl_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t after = 0;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFL_INDEX, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFL_INDEX] != NULL)
		after = nsdp_get_u32(tb[NSDP_A_IFL_INDEX]);
	for (struct ifl_priv *l = ifl_next(after); l != NULL; l = ifl_next(l->ifl_index)) {
		rc = ctrl_dump_put(r, ifl_put, l);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "ifl %s does not fit in a message", l->name);
		if (rc > 0)
			return 0;
	}
	return 0;
}

/* --- IFF ------------------------------------------------------------------------- */

static void
iff_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct iff *f = obj;

	nsdp_put_u32(b, NSDP_A_IFF_IFL_INDEX, f->ifl->ifl_index);
	nsdp_put_u8(b, NSDP_A_IFF_FAMILY, f->family);
	if (key_only)
		return;
	nsdp_put_str(b, NSDP_A_IFF_IFL, f->ifl->name);
	nsdp_put_u32(b, NSDP_A_IFF_TABLE, f->rt_inst);
	nsdp_put_u16(b, NSDP_A_IFF_MTU, f->ifl->dp->fam[f->family].mtu);
	nsdp_put_u32(b, NSDP_A_IFF_IN_FILTER, f->in_filter);
	nsdp_put_u32(b, NSDP_A_IFF_OUT_FILTER, f->out_filter);
	nsdp_put_u32(b, NSDP_A_IFF_CAPS, f->caps);
	nsdp_put_u32(b, NSDP_A_IFF_ADDRS, f->n_ifa);
}

/* The iff named by IFL (or IFL_INDEX) + FAMILY; @must_exist false: only the ifl. */
static int
iff_key(struct ctrl_req *r, const struct nlattr **tb, unsigned a_ifl, unsigned a_index,
	unsigned a_family, struct ifl_priv **l, unsigned *family, struct nsdp_err *err)
{
	int rc = ifl_from_key(r, tb[a_ifl], tb[a_index], l, err);

	if (rc < 0)
		return rc;
	rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, a_family, err);
	if (rc < 0)
		return rc;
	*family = nsdp_get_u8(tb[a_family]);
	return 0;
}

static void
iff_spec_from(const struct nlattr **tb, struct iff_spec *s)
{
	if ((s->has_table = tb[NSDP_A_IFF_TABLE] != NULL))
		s->table = (uint16_t)nsdp_get_u32(tb[NSDP_A_IFF_TABLE]);
	if ((s->has_mtu = tb[NSDP_A_IFF_MTU] != NULL))
		s->mtu = nsdp_get_u16(tb[NSDP_A_IFF_MTU]);
	if ((s->has_in_filter = tb[NSDP_A_IFF_IN_FILTER] != NULL))
		s->in_filter = nsdp_get_u32(tb[NSDP_A_IFF_IN_FILTER]);
	if ((s->has_out_filter = tb[NSDP_A_IFF_OUT_FILTER] != NULL))
		s->out_filter = nsdp_get_u32(tb[NSDP_A_IFF_OUT_FILTER]);
}

#define IFF_KEY_ATTRS (1u << NSDP_A_IFF_IFL | 1u << NSDP_A_IFF_IFL_INDEX | 1u << NSDP_A_IFF_FAMILY)
#define IFF_SET_ATTRS                                                                  \
	(1u << NSDP_A_IFF_TABLE | 1u << NSDP_A_IFF_MTU | 1u << NSDP_A_IFF_IN_FILTER | \
	 1u << NSDP_A_IFF_OUT_FILTER)

/*
 * The link-local address of a new inet6 iff (RFC 4291 2.5.6, RFC 4862 5.3):
 * fe80::/64 with the modified EUI-64 id of the ifd's MAC, on multiaccess
 * ifls with a MAC. @return 0 (also when none applies) or -errno in @e.
 */
static int
iff_link_local_add(struct iff *f, struct ifcfg_err *e)
{
	const struct ifl_priv *l = f->ifl;
	struct ifa_spec a = { .has_local = true, .has_dest = true, .dest_len = 64 };
	const uint8_t *mac = l->ifd->mac;

	if (!ifl_multiaccess(l) || (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
		return 0;
	ip6_link_local_from_mac(mac, a.local);
	memcpy(a.dest, a.local, 8);
	return ifa_add(f, &a, NULL, e);
}

static int
h_iff_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct iff_spec s = { 0 };
	struct ifcfg_err e;
	struct ifl_priv *l;
	struct iff *f;
	unsigned fam;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, IFF_KEY_ATTRS | IFF_SET_ATTRS | 1u << NSDP_A_IFF_NO_LINK_LOCAL,
			     err);
	if (rc == 0)
		rc = iff_key(r, tb, NSDP_A_IFF_IFL, NSDP_A_IFF_IFL_INDEX, NSDP_A_IFF_FAMILY, &l, &fam,
			     err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFF_NO_LINK_LOCAL] != NULL && fam != IFF_INET6)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_IFF_NO_LINK_LOCAL]),
				    "no-link-local applies to the inet6 family only");
	s.family = (uint8_t)fam;
	iff_spec_from(tb, &s);
	if (s.has_mtu && s.mtu == 0)
		s.has_mtu = false;
	rc = iff_add(l, &s, &f, &e);
	if (rc < 0)
		return ifcfg_fail(r, tb, rc, &e, err);
	if (fam == IFF_INET6 && tb[NSDP_A_IFF_NO_LINK_LOCAL] == NULL) {
		rc = iff_link_local_add(f, &e);
		if (rc < 0) {
			/* All or nothing: the iff goes with its failed address. */
			iff_del(f);
			return nsdp_err_set(err, -rc, 0, "link-local address of %s: %s", l->name,
					    e.msg);
		}
	}
	return 0;
}

static int
iff_existing(struct ctrl_req *r, const struct nlattr **tb, struct iff **out, struct nsdp_err *err)
{
	struct ifl_priv *l;
	unsigned fam;
	int rc;

	rc = iff_key(r, tb, NSDP_A_IFF_IFL, NSDP_A_IFF_IFL_INDEX, NSDP_A_IFF_FAMILY, &l, &fam, err);
	if (rc < 0)
		return rc;
	*out = l->iff[fam];
	if (*out == NULL)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_IFF_FAMILY]),
				    "ifl %s has no %s family", l->name, iff_family_name(fam));
	return 0;
}

static int
h_iff_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct iff_spec s = { 0 };
	struct ifcfg_err e;
	struct iff *f;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, IFF_KEY_ATTRS | IFF_SET_ATTRS, err);
	if (rc == 0)
		rc = iff_existing(r, tb, &f, err);
	if (rc < 0)
		return rc;
	iff_spec_from(tb, &s);
	if (!s.has_table && !s.has_mtu && !s.has_in_filter && !s.has_out_filter)
		return nsdp_err_set(err, EINVAL, 0, "nothing to change (table, mtu, filters)");
	/* MTU 0: follow the ifd again. */
	if (s.has_mtu && s.mtu == 0) {
		struct iff_spec rest = s;

		rest.has_mtu = false;
		rc = iff_change(f, &rest, &e);
		if (rc == 0 && f->mtu != 0) {
			f->mtu = 0;
			if (ifl_publish(f->ifl) < 0)
				return nsdp_err_set(err, ENOMEM, 0, "out of memory");
		}
	} else {
		rc = iff_change(f, &s, &e);
	}
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_iff_del(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct iff *f;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, IFF_KEY_ATTRS, err);
	if (rc == 0)
		rc = iff_existing(r, tb, &f, err);
	if (rc < 0)
		return rc;
	iff_del(f);
	return 0;
}

static int
h_iff_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct iff *f;
	int rc;

	rc = ctrl_only_attrs(r, tb, IFF_KEY_ATTRS, err);
	if (rc == 0)
		rc = iff_existing(r, tb, &f, err);
	if (rc < 0)
		return rc;
	rc = ctrl_reply(r, iff_put, f);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
h_iff_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t after = 0;
	unsigned fam0 = 0;
	struct ifl_priv *l;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_IFF_IFL_INDEX | 1u << NSDP_A_IFF_FAMILY, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFF_IFL_INDEX] != NULL) {
		after = nsdp_get_u32(tb[NSDP_A_IFF_IFL_INDEX]);
		fam0 = tb[NSDP_A_IFF_FAMILY] != NULL ? nsdp_get_u8(tb[NSDP_A_IFF_FAMILY]) + 1u : 0;
	}
	l = ifl_priv_by_index(after);
	if (l == NULL) {
		l = ifl_next(after);
		fam0 = 0;
	}
	for (; l != NULL; l = ifl_next(l->ifl_index), fam0 = 0)
		for (unsigned f = fam0; f < IFF_FAM_MAX; f++) {
			if (l->iff[f] == NULL)
				continue;
			rc = ctrl_dump_put(r, iff_put, l->iff[f]);
			if (rc < 0)
				return nsdp_err_set(err, -rc, 0, "an iff does not fit in a message");
			if (rc > 0)
				return 0;
		}
	return 0;
}

/* --- IFA ------------------------------------------------------------------------- */

static void
ifa_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct ifa *a = obj;

	nsdp_put_u32(b, NSDP_A_IFA_IFL_INDEX, a->iff->ifl->ifl_index);
	nsdp_put_u8(b, NSDP_A_IFA_FAMILY, a->iff->family);
	if (a->a.has_local)
		nsdp_put_bin(b, NSDP_A_IFA_LOCAL, a->a.local, 16);
	if (a->a.has_dest) {
		nsdp_put_bin(b, NSDP_A_IFA_DEST, a->a.dest, 16);
		nsdp_put_u8(b, NSDP_A_IFA_DEST_LEN, a->a.dest_len);
	}
	if (!key_only)
		nsdp_put_str(b, NSDP_A_IFA_IFL, a->iff->ifl->name);
}

static void
ifa_spec_from(const struct nlattr **tb, struct ifa_spec *s)
{
	memset(s, 0, sizeof(*s));
	if ((s->has_local = tb[NSDP_A_IFA_LOCAL] != NULL))
		memcpy(s->local, mnl_attr_get_payload(tb[NSDP_A_IFA_LOCAL]), 16);
	if ((s->has_dest = tb[NSDP_A_IFA_DEST] != NULL)) {
		memcpy(s->dest, mnl_attr_get_payload(tb[NSDP_A_IFA_DEST]), 16);
		s->dest_len = tb[NSDP_A_IFA_DEST_LEN] != NULL ? nsdp_get_u8(tb[NSDP_A_IFA_DEST_LEN])
							      : 128;
	}
}

static int
ifa_request(struct ctrl_req *r, const struct nlattr **tb, bool add, struct nsdp_err *err)
{
	struct ifa_spec s;
	struct ifcfg_err e;
	struct ifl_priv *l;
	struct iff *f;
	unsigned fam;
	int rc;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_IFA_IFL | 1u << NSDP_A_IFA_IFL_INDEX | 1u << NSDP_A_IFA_FAMILY |
				     1u << NSDP_A_IFA_LOCAL | 1u << NSDP_A_IFA_DEST |
				     1u << NSDP_A_IFA_DEST_LEN, err);
	if (rc == 0)
		rc = iff_key(r, tb, NSDP_A_IFA_IFL, NSDP_A_IFA_IFL_INDEX, NSDP_A_IFA_FAMILY, &l, &fam,
			     err);
	if (rc < 0)
		return rc;
	f = l->iff[fam];
	if (f == NULL)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_IFA_FAMILY]),
				    "ifl %s has no %s family (nsctl iff add %s %s)", l->name,
				    iff_family_name(fam), l->name, iff_family_name(fam));
	if (tb[NSDP_A_IFA_DEST_LEN] != NULL && tb[NSDP_A_IFA_DEST] == NULL)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_IFA_DEST_LEN]),
				    "a prefix length goes with a destination");
	if (fam == IFF_INET) {
		static const uint8_t zero[12];

		if ((tb[NSDP_A_IFA_LOCAL] != NULL &&
		     memcmp((const uint8_t *)mnl_attr_get_payload(tb[NSDP_A_IFA_LOCAL]) + 4, zero, 12) != 0) ||
		    (tb[NSDP_A_IFA_DEST] != NULL &&
		     memcmp((const uint8_t *)mnl_attr_get_payload(tb[NSDP_A_IFA_DEST]) + 4, zero, 12) != 0))
			return nsdp_err_set(err, EINVAL, 0,
					    "an IPv4 address fills the first 4 of 16 bytes, the rest zero");
	}
	ifa_spec_from(tb, &s);
	if (fam == IFF_INET && s.has_dest && tb[NSDP_A_IFA_DEST_LEN] == NULL)
		s.dest_len = 32;
	rc = add ? ifa_add(f, &s, NULL, &e) : ifa_del(f, &s, &e);
	return rc < 0 ? ifcfg_fail(r, tb, rc, &e, err) : 0;
}

static int
h_ifa_add(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return ifa_request(r, tb, true, err);
}

static int
h_ifa_del(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	return ifa_request(r, tb, false, err);
}

static int
h_ifa_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct ifa_spec key;
	bool have_key = false;
	uint32_t after = 0;
	unsigned fam0 = 0;
	struct ifl_priv *l;
	int rc;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_IFA_IFL_INDEX | 1u << NSDP_A_IFA_FAMILY |
				     1u << NSDP_A_IFA_LOCAL | 1u << NSDP_A_IFA_DEST |
				     1u << NSDP_A_IFA_DEST_LEN, err);
	if (rc < 0)
		return rc;
	if (tb[NSDP_A_IFA_IFL_INDEX] != NULL) {
		after = nsdp_get_u32(tb[NSDP_A_IFA_IFL_INDEX]);
		fam0 = tb[NSDP_A_IFA_FAMILY] != NULL ? nsdp_get_u8(tb[NSDP_A_IFA_FAMILY]) : 0;
		ifa_spec_from(tb, &key);
		have_key = true;
	}
	l = ifl_priv_by_index(after);
	if (l == NULL) {
		l = ifl_next(after);
		fam0 = 0;
		have_key = false;
	}
	for (; l != NULL; l = ifl_next(l->ifl_index), fam0 = 0, have_key = false)
		for (unsigned f = fam0; f < IFF_FAM_MAX; f++) {
			struct ifa *a;

			if (l->iff[f] == NULL)
				continue;
			TAILQ_FOREACH(a, &l->iff[f]->ifas, link) {
				if (have_key && f == fam0 && ifa_cmp(&a->a, &key) <= 0)
					continue;
				rc = ctrl_dump_put(r, ifa_put, a);
				if (rc < 0)
					return nsdp_err_set(err, -rc, 0, "an ifa does not fit in a message");
				if (rc > 0)
					return 0;
			}
		}
	return 0;
}

/* --- notifications ----------------------------------------------------------------- */

static uint8_t
op_of(int op)
{
	return op > 0 ? NSDP_OP_ADD : op < 0 ? NSDP_OP_DELETE : NSDP_OP_CHANGE;
}

static void
ifd_notify_build(struct nsdp_builder *b, const void *arg)
{
	ifd_put(b, arg, false);
}

static void
ifl_notify_build(struct nsdp_builder *b, const void *arg)
{
	ifl_put(b, arg, false);
}

static void
iff_notify_build(struct nsdp_builder *b, const void *arg)
{
	iff_put(b, arg, false);
}

static void
ifa_notify_build(struct nsdp_builder *b, const void *arg)
{
	ifa_put(b, arg, false);
}

static void
notify_ifd(const struct ifd *d, int op)
{
	ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_IFD, op_of(op)), ifd_notify_build, d);
}

static void
notify_ifl(const struct ifl_priv *l, int op)
{
	ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_IFL, op_of(op)), ifl_notify_build, l);
}

static void
notify_iff(const struct iff *f, int op)
{
	ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_IFF, op_of(op)), iff_notify_build, f);
}

static void
notify_ifa(const struct ifa *a, int op)
{
	ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_IFA, op_of(op)), ifa_notify_build, a);
}

static const struct ifcfg_notify_ops notify_ops = { notify_ifd, notify_ifl, notify_iff, notify_ifa };

static const struct ctrl_handler ifcfg_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_ADD), true, h_ifd_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_DELETE), true, h_ifd_del },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_CHANGE), true, h_ifd_change },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_GET), false, h_ifd_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_GETNEXT), false, h_ifd_getnext },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_ADD), true, h_ifl_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_DELETE), true, h_ifl_del },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_CHANGE), true, h_ifl_change },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_GET), false, h_ifl_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_GETNEXT), false, h_ifl_getnext },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFF, NSDP_OP_ADD), true, h_iff_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFF, NSDP_OP_DELETE), true, h_iff_del },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFF, NSDP_OP_CHANGE), true, h_iff_change },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFF, NSDP_OP_GET), false, h_iff_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFF, NSDP_OP_GETNEXT), false, h_iff_getnext },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFA, NSDP_OP_ADD), true, h_ifa_add },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFA, NSDP_OP_DELETE), true, h_ifa_del },
	{ NSDP_MSG_TYPE(NSDP_OBJ_IFA, NSDP_OP_GETNEXT), false, h_ifa_getnext },
};

int
ctrl_ifcfg_register(void)
{
	ifcfg_notify = &notify_ops;
	return ctrl_register(ifcfg_handlers, RTE_DIM(ifcfg_handlers));
}
