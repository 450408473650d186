/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifl.c: iflogicals (paper 311-470): added on an ifd or on another ifl,
 * named "%s.%u"; the ifl_index and its RCU-published dataplane copy; the
 * L2_ID (VLAN tag stack, PPPoE session) and the path it extends; flags;
 * the Ethernet and loopback encapsulations' rules for ifls.
 *
 * Tags (paper 362-379): every tag of a path but the innermost uses TPID
 * 0x88a8 or 0x9100; the innermost may also be 0x8100 (802.1Q), and an ifl
 * whose path ends in a 0x8100 tag carries no tagged ifl on it. VLAN IDs 0
 * and 4095 are reserved (802.1Q) and refused. A path holds at most
 * L2KEY_MAX_TAGS tags (what the demux extracts).
 *
 * Scale: names and paths are hashed, the index map is a radix: adding or
 * deleting an ifl costs O(1) besides its own subtree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ifl_stats.h"
#include "dataplane/l3demux.h"
#include "dataplane/nexthop.h"
#include "ifcfg_priv.h"

static uint32_t ifl_next_index = 1;
static bool ifl_index_wrapped;

void
ifl_index_test_set_next(uint32_t next)
{
	ifl_next_index = next;
}

struct ifl_priv *
ifl_priv_by_index(uint32_t idx)
{
	return ifindex_map_priv(idx);
}

struct ifl_priv *
ifl_next(uint32_t after)
{
	uint32_t idx = ifindex_map_next(after);

	return idx != 0 ? ifindex_map_priv(idx) : NULL;
}

uint32_t
ifl_count(void)
{
	return (uint32_t)ifcfg_ifl_names.n;
}

static struct ifl_priv *
ifl_find_exact(const char *name)
{
	uint64_t h = ifcfg_name_hash(name);

	for (struct chash_node *n = chash_first(&ifcfg_ifl_names, h); n != NULL; n = n->next) {
		struct ifl_priv *l = container_of_ifcfg(n, struct ifl_priv, name_node);

		if (n->hash == h && strcmp(l->name, name) == 0)
			return l;
	}
	return NULL;
}

struct ifl_priv *
ifl_find(const char *name)
{
	char full[IFNAME_MAX + 2];

	if (strchr(name, '.') != NULL)
		return ifl_find_exact(name);
	/* Paper 338-345: a name without '.' in an ifl context is unit 0. */
	if ((size_t)snprintf(full, sizeof(full), "%s.0", name) >= sizeof(full))
		return NULL;
	return ifl_find_exact(full);
}

static struct ifl_priv *
path_find(uint32_t ifd_index, const struct l2key *path)
{
	uint64_t h = ifcfg_path_hash(ifd_index, path);

	for (struct chash_node *n = chash_first(&ifcfg_ifl_paths, h); n != NULL; n = n->next) {
		struct ifl_priv *l = container_of_ifcfg(n, struct ifl_priv, path_node);

		if (n->hash == h && l->ifd->ifd_index == ifd_index && l->path.bits == path->bits &&
		    memcmp(l->path.b, path->b, (path->bits + 7) / 8) == 0)
			return l;
	}
	return NULL;
}

void
l2id_format(const struct l2id *id, char *buf, size_t len)
{
	size_t off = 0;

	switch (id->kind) {
	case L2ID_TAGS:
		buf[0] = '\0';
		for (unsigned i = 0; i < id->n_tags && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%04x/%u", i ? " " : "",
						id->tpid[i], id->vid[i]);
		break;
	case L2ID_PPPOE:
		snprintf(buf, len, "pppoe 0x%04x peer %02x:%02x:%02x:%02x:%02x:%02x", id->session,
			 id->peer[0], id->peer[1], id->peer[2], id->peer[3], id->peer[4], id->peer[5]);
		break;
	default:
		snprintf(buf, len, "-");
		break;
	}
}

/* --- encapsulation rules ----------------------------------------------------- */

static bool
tpid_outer(uint16_t tpid)
{
	return tpid == 0x88a8 || tpid == 0x9100;
}

static int
eth_ifl_check(const struct ifd *ifd, const struct ifl_priv *parent, struct ifl_spec *s,
	      struct ifcfg_err *e)
{
	const struct l2id *id = &s->l2id;
	const struct ifl_priv *sib;
	unsigned have = parent != NULL ? parent->n_tags : 0;

	if (s->flags & IFL_F_LOOPBACK)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS,
				 "only ifls of lo are loopback ifls");
	/* Paper 612-624: a bridge family owns the whole frame stream. */
	if (parent != NULL && parent->iff[IFF_BRIDGE] != NULL)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_NAME,
				 "ifl %s has a bridge family: nothing can be added on it",
				 parent->name);
	/* A bridge family is only ever on the sole ifl of its parent: O(1). */
	sib = parent != NULL ? TAILQ_FIRST(&parent->children) : TAILQ_FIRST(&ifd->ifls);
	if (sib != NULL && sib->iff[IFF_BRIDGE] != NULL)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_NAME,
				 "ifl %s has a bridge family: no other ifl can be added beside it",
				 sib->name);
	if (parent != NULL && parent->pppoe)
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_NAME,
				 "ifl %s is a PPPoE session (PPP, not Ethernet): no ifl can be added "
				 "on it", parent->name);
	switch (id->kind) {
	case L2ID_NONE:
		if (parent != NULL)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
					 "an ifl on ifl %s needs an L2_ID (vlan, outer tags or pppoe)",
					 parent->name);
		break;
	case L2ID_TAGS:
		if (id->n_tags == 0 || have + id->n_tags > L2KEY_MAX_TAGS)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
					 "%u tags: a path holds 1 to %u tags (%u on the parent)",
					 have + id->n_tags, L2KEY_MAX_TAGS, have);
		if (have > 0 && !tpid_outer(parent->l2id.tpid[parent->l2id.n_tags - 1]))
			return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
					 "ifl %s ends with an 802.1Q (0x8100) tag, the innermost: "
					 "tags outside another use TPID 0x88a8 or 0x9100",
					 parent->name);
		for (unsigned i = 0; i < id->n_tags; i++) {
			if (id->tpid[i] != 0x8100 && !tpid_outer(id->tpid[i]))
				return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
						 "TPID 0x%04x: tags use 0x8100, 0x88a8 or 0x9100",
						 id->tpid[i]);
			if (i + 1 < id->n_tags && !tpid_outer(id->tpid[i]))
				return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
						 "tag %u (0x%04x) is outside another: outer tags use "
						 "TPID 0x88a8 or 0x9100", i + 1, id->tpid[i]);
			if (id->vid[i] == 0 || id->vid[i] >= 4095)
				return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
						 "VLAN ID %u: valid IDs are 1..4094", id->vid[i]);
		}
		break;
	case L2ID_PPPOE:
		if (parent == NULL)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
					 "a PPPoE session runs on an Ethernet ifl: add it on %s.0 or "
					 "on a VLAN ifl", ifd->name);
		if (id->session == 0xffff)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID,
					 "PPPoE session 0xffff is reserved (RFC 2516)");
		if ((id->peer[0] & 1) || memcmp(id->peer, "\0\0\0\0\0\0", 6) == 0)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_PEER,
					 "the PPPoE peer address must be unicast and not all zeros");
		/* A session has one neighbour. */
		s->flags |= IFL_F_P2P;
		s->flags &= (uint16_t)~IFL_F_NBMA;
		break;
	default:
		return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID, "unknown L2_ID kind %u", id->kind);
	}
	return 0;
}

static int
lo_ifl_check(const struct ifd *ifd, const struct ifl_priv *parent, struct ifl_spec *s,
	     struct ifcfg_err *e)
{
	if (parent != NULL)
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_NAME,
				 "loopback ifls are added on %s itself", ifd->name);
	if (s->l2id.kind != L2ID_NONE)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID, "a loopback ifl has no L2_ID");
	if (s->flags & IFL_F_NBMA)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS, "a loopback ifl is point-to-point, not NBMA");
	/* Paper 900-905: a point-to-point ifl with local addresses only. */
	s->flags |= IFL_F_LOOPBACK | IFL_F_P2P;
	return 0;
}

static int
chan_ifl_check(const struct ifd *ifd, const struct ifl_priv *parent, struct ifl_spec *s,
	       struct ifcfg_err *e)
{
	(void)parent, (void)s;
	return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_NAME,
			 "ifd %s is channelized: ifls go on its channel ifds", ifd->name);
}

/* iff rules per encapsulation (iff.c). */
int ifcfg_eth_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);
int ifcfg_lo_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);
int ifcfg_chan_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);

const struct ifd_encap_ops ifcfg_eth_encap = { eth_ifl_check, ifcfg_eth_iff_check };
const struct ifd_encap_ops ifcfg_lo_encap = { lo_ifl_check, ifcfg_lo_iff_check };
const struct ifd_encap_ops ifcfg_chan_encap = { chan_ifl_check, ifcfg_chan_iff_check };

/* --- index allocation ---------------------------------------------------------- */

static int
nh_holds(const struct nexthop *nh, void *arg)
{
	uint32_t idx = *(const uint32_t *)arg;

	if (nh->ifl_index == idx)
		return 1;
	for (unsigned i = 0; i < nh->n_ifl && nh->ifl_list != NULL; i++)
		if (nh->ifl_list[i] == idx)
			return 1;
	return 0;
}

/*
 * Increasing from 1. Once the space wrapped, an index is taken only if no
 * ifl has it and no next hop holds it (routes hold next hops, and packets
 * hold only indices: a reused index must not inherit old routes).
 */
static uint32_t
ifl_index_alloc(void)
{
	for (uint64_t tries = 0; tries <= UINT32_MAX; tries++) {
		uint32_t idx = ifl_next_index++;

		if (ifl_next_index == 0) {
			ifl_next_index = 1;
			ifl_index_wrapped = true;
		}
		if (idx == 0 || ifindex_map_priv(idx) != NULL)
			continue;
		if (ifl_index_wrapped && nh_walk(1, nh_holds, &idx) != 0)
			continue;
		return idx;
	}
	return 0;
}

/* --- dataplane copy ----------------------------------------------------------- */

uint32_t
ifl_max_mtu(const struct ifl_priv *ifl)
{
	uint32_t over = 4u * ifl->n_tags + (ifl->pppoe ? 8u : 0u);

	return ifl->ifd->mtu > over ? ifl->ifd->mtu - over : 0;
}

void
ifl_dp_build(const struct ifl_priv *ifl, struct ifl *out)
{
	static const uint16_t bcast_type[IFF_FAM_MAX] = { 0x0800, 0x86dd, 0 };
	static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t max = ifl_max_mtu(ifl);

	memset(out, 0, sizeof(*out));
	out->ifl_index = ifl->ifl_index;
	out->ifd_index = ifl->ifd->ifd_index;
	out->port = ifl->ifd->port;
	out->flags = ifl->flags;
	out->stats_slot = ifl->stats_slot;
	for (unsigned f = 0; f < IFF_FAM_MAX; f++) {
		const struct iff *iff = ifl->iff[f];
		struct ifl_family *fd = &out->fam[f];
		int n;

		if (iff == NULL)
			continue;
		fd->present = true;
		fd->rt_inst = iff->rt_inst;
		fd->mtu = (uint16_t)RTE_MIN(iff->mtu != 0 ? iff->mtu : max, RTE_MIN(max, 65535u));
		fd->in_filter = iff->in_filter;
		fd->out_filter = iff->out_filter;
		fd->caps = iff->caps;
		if (bcast_type[f] == 0 || (ifl->flags & IFL_F_NBMA) || ifl->pppoe ||
		    ifl->ifd->port == IFL_NO_PORT)
			continue;
		n = ifl_l2_header(ifl->ifl_index, bcast_mac, bcast_type[f], fd->bcast_l2,
				  sizeof(fd->bcast_l2), NULL);
		if (n > 0)
			fd->bcast_l2_len = (uint8_t)n;
	}
}

int
ifl_publish(struct ifl_priv *ifl)
{
	struct ifl *dp = malloc(sizeof(*dp)), *old = ifl->dp;

	if (dp == NULL)
		return -ENOMEM;
	ifl_dp_build(ifl, dp);
	ifl->dp = dp;
	ifindex_map_publish(ifl->ifl_index, dp);
	ifcfg_retire(free, old);
	return 0;
}

/* --- add, delete, change -------------------------------------------------------- */

static int
path_build(const struct ifl_priv *parent, const struct l2id *id, struct l2key *path,
	   uint8_t *n_tags)
{
	int rc = 0;

	if (parent != NULL)
		*path = parent->path;
	else
		l2key_init(path);
	*n_tags = parent != NULL ? parent->n_tags : 0;
	if (id->kind == L2ID_TAGS) {
		for (unsigned i = 0; i < id->n_tags && rc == 0; i++)
			rc = l2key_push_tag(path, id->tpid[i], id->vid[i]);
		*n_tags = (uint8_t)(*n_tags + id->n_tags);
	} else if (id->kind == L2ID_PPPOE) {
		rc = l2key_push_pppoe_session(path, id->session, id->peer);
	}
	return rc;
}

int
ifl_add(struct ifl_spec *s, struct ifl_priv **out, struct ifcfg_err *e)
{
	char pname[IFNAME_MAX];
	struct ifl_priv *l, *parent = NULL, *other;
	const char *dot;
	struct ifd *ifd;
	uint32_t unit = 0;
	uint64_t v = 0;
	int rc;

	if (strlen(s->name) >= IFNAME_MAX)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME, "ifl name '%s' is longer than %d characters",
				 s->name, IFNAME_MAX - 1);
	dot = strrchr(s->name, '.');
	if (dot == NULL || dot == s->name)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME,
				 "'%s': an ifl is named PARENT.UNIT (tap0.100, tap0.7.3)", s->name);
	if (dot[1] == '\0' || (dot[1] == '0' && dot[2] != '\0'))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME, "'%s': after '.' comes a unit number",
				 s->name);
	for (const char *p = dot + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || (v = v * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
			return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME,
					 "'%s': after '.' comes a unit number (0..4294967295)", s->name);
	}
	unit = (uint32_t)v;
	snprintf(pname, sizeof(pname), "%.*s", (int)(dot - s->name), s->name);
	if (strchr(pname, '.') != NULL) {
		parent = ifl_find_exact(pname);
		if (parent == NULL)
			return ifcfg_err(e, ENOENT, IFCFG_ARG_NAME, "no ifl %s to add %s on", pname,
					 s->name);
		ifd = parent->ifd;
	} else {
		ifd = ifd_find(pname);
		if (ifd == NULL)
			return ifcfg_err(e, ENOENT, IFCFG_ARG_NAME, "no ifd %s to add %s on", pname,
					 s->name);
	}
	if (ifl_find_exact(s->name) != NULL)
		return ifcfg_err(e, EEXIST, IFCFG_ARG_NAME, "ifl %s exists", s->name);
	if (s->flags & ~(IFL_F_LOOPBACK | IFL_F_P2P | IFL_F_NBMA | IFL_F_LINK_DOWN))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS, "unknown ifl flags 0x%x", s->flags);
	if ((s->flags & IFL_F_P2P) && (s->flags & IFL_F_NBMA))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS,
				 "an ifl is point-to-point or NBMA, not both");
	rc = ifd->eops->ifl_check(ifd, parent, s, e);
	if (rc < 0)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	snprintf(l->name, sizeof(l->name), "%s", s->name);
	l->unit = unit;
	l->ifd = ifd;
	l->parent = parent;
	l->l2id = s->l2id;
	l->flags = s->flags;
	l->pppoe = s->l2id.kind == L2ID_PPPOE;
	TAILQ_INIT(&l->children);
	if (path_build(parent, &s->l2id, &l->path, &l->n_tags) < 0) {
		free(l);
		return ifcfg_err(e, EINVAL, IFCFG_ARG_L2ID, "the L2 path of %s is too long", s->name);
	}
	/* Loopback ifls carry no frames: only frames need a unique path. */
	other = ifd->type == IFD_TYPE_LOOPBACK ? NULL : path_find(ifd->ifd_index, &l->path);
	if (other != NULL) {
		char id[64];

		l2id_format(&s->l2id, id, sizeof(id));
		free(l);
		return ifcfg_err(e, EEXIST, IFCFG_ARG_L2ID,
				 other->l2id.kind == L2ID_NONE && s->l2id.kind == L2ID_NONE
					 ? "ifd %s already has an untagged ifl, %s"
					 : "ifd %s: %s already receives these frames (L2_ID %s)",
				 ifd->name, other->name, id);
	}
	l->ifl_index = ifl_index_alloc();
	l->dp = malloc(sizeof(*l->dp));
	l->stats_slot = ifl_stats_slot_alloc();
	if (l->ifl_index == 0 || l->dp == NULL || l->stats_slot == 0) {
		int err = l->ifl_index == 0 ? ENOSPC : ENOMEM;

		ifl_stats_slot_free(l->stats_slot);
		free(l->dp);
		free(l);
		return ifcfg_err(e, err, IFCFG_ARG_NONE, "no ifl_index or memory left");
	}
	ifl_dp_build(l, l->dp);
	if (chash_insert(&ifcfg_ifl_names, &l->name_node, ifcfg_name_hash(l->name)) < 0)
		goto nomem;
	if (ifd->type != IFD_TYPE_LOOPBACK &&
	    chash_insert(&ifcfg_ifl_paths, &l->path_node,
			 ifcfg_path_hash(ifd->ifd_index, &l->path)) < 0) {
		chash_remove(&ifcfg_ifl_names, &l->name_node);
		goto nomem;
	}
	if (ifindex_map_set(l->ifl_index, l->dp, l) < 0) {
		chash_remove(&ifcfg_ifl_names, &l->name_node);
		if (ifd->type != IFD_TYPE_LOOPBACK)
			chash_remove(&ifcfg_ifl_paths, &l->path_node);
		goto nomem;
	}
	if (parent != NULL) {
		TAILQ_INSERT_TAIL(&parent->children, l, link);
		parent->n_children++;
	} else {
		TAILQ_INSERT_TAIL(&ifd->ifls, l, link);
	}
	ifd->n_ifl++;
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifl(l, 1);
	if (out != NULL)
		*out = l;
	return 0;
nomem:
	ifl_stats_slot_free(l->stats_slot);
	free(l->dp);
	free(l);
	return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
}

void
ifl_del(struct ifl_priv *l)
{
	struct ifl_priv *c;

	while ((c = TAILQ_FIRST(&l->children)) != NULL)
		ifl_del(c);
	for (unsigned f = 0; f < IFF_FAM_MAX; f++)
		if (l->iff[f] != NULL)
			iff_del(l->iff[f]);
	/* Next hops user routes still hold turn DEAD (paper 1319-1650). */
	nh_ifl_gone(l->ifl_index);
	/* Early demux bindings of the ifl go with it (its index may be reused). */
	early_demux_flush_ifl(l->ifl_index);
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifl(l, -1);
	ifindex_map_clear(l->ifl_index);
	ifcfg_retire(free, l->dp);
	ifcfg_retire(ifl_stats_slot_retire, (void *)(uintptr_t)l->stats_slot);
	chash_remove(&ifcfg_ifl_names, &l->name_node);
	if (l->ifd->type != IFD_TYPE_LOOPBACK)
		chash_remove(&ifcfg_ifl_paths, &l->path_node);
	if (l->parent != NULL) {
		TAILQ_REMOVE(&l->parent->children, l, link);
		l->parent->n_children--;
	} else {
		TAILQ_REMOVE(&l->ifd->ifls, l, link);
	}
	l->ifd->n_ifl--;
	free(l);
}

int
ifl_change(struct ifl_priv *l, const struct ifl_change *c, struct ifcfg_err *e)
{
	const uint16_t settable = IFL_F_P2P | IFL_F_NBMA | IFL_F_LINK_DOWN;
	uint16_t old = l->flags, want;
	int rc;

	if (!c->set_flags)
		return 0;
	if (c->flags & ~settable)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS,
				 "only point-to-point, nbma and link-down can be set on an ifl");
	want = (uint16_t)((old & ~settable) | c->flags);
	if ((want & IFL_F_P2P) && (want & IFL_F_NBMA))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS,
				 "an ifl is point-to-point or NBMA, not both");
	if (((want ^ old) & (IFL_F_P2P | IFL_F_NBMA)) &&
	    ((old & IFL_F_LOOPBACK) || l->pppoe))
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FLAGS,
				 "ifl %s is point-to-point by its nature", l->name);
	if ((want ^ old) & (IFL_F_P2P | IFL_F_NBMA))
		for (unsigned f = 0; f < IFF_FAM_MAX; f++)
			if (l->iff[f] != NULL && l->iff[f]->n_ifa > 0)
				return ifcfg_err(e, EBUSY, IFCFG_ARG_FLAGS,
						 "ifl %s has %s addresses, which follow the "
						 "addressing of its kind: delete them first",
						 l->name, iff_family_name(f));
	l->flags = want;
	rc = ifl_publish(l);
	if (rc < 0) {
		l->flags = old;
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	}
	if (ifcfg_notify != NULL)
		ifcfg_notify->ifl(l, 0);
	return 0;
}
