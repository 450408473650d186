/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iff.c: iffamilies (paper 472-690): one per protocol family on an ifl,
 * holding the routing instance, family MTU, filter indices, capability
 * flags; the L2 demux entries each iff installs in its ifd's table, and
 * the bridging exclusivity rules (paper 606-645).
 *
 * Demux entries (key = the ifl's path, then):
 *   inet    type 0x0800 -> inet input, type 0x0806 -> ARP   (Ethernet ifls)
 *           PPP 0x0021 -> inet input                         (PPPoE ifls)
 *   inet6   type 0x86dd -> inet6 input; PPP 0x0057 on PPPoE ifls
 *   bridge  the path alone (every frame of the ifl, L2 header kept)
 * Each entry carries the ifl_index and calls the family input dispatcher
 * (ifcfg_core.c), which counts no_family_input until an input registers.
 *
 * Routing instance changes while ifas exist are refused (paper 736-760
 * leaves the choice): the operator deletes the addresses, changes the
 * instance and adds them back, so no route ever sits in a table its iff
 * no longer names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "dataplane/route.h"
#include "ifcfg_priv.h"

static const char *const family_names[IFF_FAM_MAX] = { "inet", "inet6", "bridge" };

const char *
iff_family_name(unsigned family)
{
	return family < IFF_FAM_MAX ? family_names[family] : "?";
}

int
iff_family_by_name(const char *name)
{
	for (unsigned f = 0; f < IFF_FAM_MAX; f++)
		if (strcmp(family_names[f], name) == 0)
			return (int)f;
	return -1;
}

/* --- encapsulation rules ----------------------------------------------------- */

int ifcfg_eth_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);
int ifcfg_lo_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);
int ifcfg_chan_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e);

int
ifcfg_eth_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e)
{
	if (ifl->iff[IFF_BRIDGE] != NULL)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_FAMILY,
				 "ifl %s has a bridge family, which takes every frame: no other "
				 "family can be added on it", ifl->name);
	if (family != IFF_BRIDGE)
		return 0;
	/* Paper 619-624: one ifl, no L2_ID, no other family. */
	if (ifl->l2id.kind != L2ID_NONE)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FAMILY,
				 "a bridge family goes on an ifl without L2_ID (%s has one)", ifl->name);
	if (TAILQ_FIRST(&ifl->ifd->ifls) != ifl || TAILQ_NEXT(ifl, link) != NULL)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_FAMILY,
				 "a bridge family needs %s to be the only ifl of %s", ifl->name,
				 ifl->ifd->name);
	if (ifl->n_children > 0)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_FAMILY,
				 "a bridge family needs %s to carry no ifl", ifl->name);
	for (unsigned f = 0; f < IFF_FAM_MAX; f++)
		if (ifl->iff[f] != NULL)
			return ifcfg_err(e, EBUSY, IFCFG_ARG_FAMILY,
					 "a bridge family excludes every other: %s has %s", ifl->name,
					 family_names[f]);
	return 0;
}

int
ifcfg_lo_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e)
{
	if (family == IFF_BRIDGE)
		return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_FAMILY,
				 "a loopback ifl carries no bridge family");
	if (ifl->unit >= RT_INST_MAX)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_NAME,
				 "%s: lo0.N holds the local addresses of routing instance N, and "
				 "instances are 0..%u", ifl->name, RT_INST_MAX - 1);
	return 0;
}

int
ifcfg_chan_iff_check(const struct ifl_priv *ifl, unsigned family, struct ifcfg_err *e)
{
	(void)family;
	return ifcfg_err(e, EOPNOTSUPP, IFCFG_ARG_FAMILY, "ifl %s cannot carry families", ifl->name);
}

/* --- demux entries ---------------------------------------------------------- */

struct demux_intent {
	struct l2key key;
	enum ifcfg_input input;
	const char *name;
	bool strip;
};

static unsigned
iff_demux_intents(const struct iff *iff, struct demux_intent *out)
{
	const struct ifl_priv *l = iff->ifl;
	unsigned n = 0;

	if (l->ifd->demux == NULL)
		return 0;
	switch (iff->family) {
	case IFF_INET:
		out[n] = (struct demux_intent){ l->path, IFCFG_INPUT_INET, "inet", true };
		if (l->pppoe) {
			l2key_push_bits(&out[n++].key, 0x0021, 16);
			break;
		}
		l2key_push_type(&out[n++].key, 0x0800);
		out[n] = (struct demux_intent){ l->path, IFCFG_INPUT_ARP, "arp", true };
		l2key_push_type(&out[n++].key, 0x0806);
		break;
	case IFF_INET6:
		out[n] = (struct demux_intent){ l->path, IFCFG_INPUT_INET6, "inet6", true };
		if (l->pppoe)
			l2key_push_bits(&out[n++].key, 0x0057, 16);
		else
			l2key_push_type(&out[n++].key, 0x86dd);
		break;
	case IFF_BRIDGE:
		out[n++] = (struct demux_intent){ l->path, IFCFG_INPUT_BRIDGE, "bridge", false };
		break;
	}
	return n;
}

static int
iff_demux_install(struct iff *iff, struct ifcfg_err *e)
{
	struct demux_intent in[IFF_DEMUX_MAX];
	unsigned n = iff_demux_intents(iff, in);
	struct l2demux *d = iff->ifl->ifd->demux;

	for (unsigned i = 0; i < n; i++) {
		struct l2demux_result r = {
			.ifl_index = iff->ifl->ifl_index,
			.strip = in[i].strip,
			.handler = ifcfg_input_handler(),
			.arg = ifcfg_input_arg(in[i].input),
			.name = in[i].name,
		};
		int rc = l2demux_add(d, &in[i].key, &r);

		if (rc < 0) {
			char k[128];

			while (i-- > 0)
				l2demux_del(d, &in[i].key);
			l2key_format(&in[0].key, k, sizeof(k));
			return ifcfg_err(e, -rc, IFCFG_ARG_FAMILY,
					 rc == -EEXIST ? "the demux of %s already has an entry for %s"
						       : "cannot install the demux entry of %s (%s)",
					 iff->ifl->ifd->name, k);
		}
		iff->demux[i] = in[i].key;
	}
	iff->n_demux = (uint8_t)n;
	return 0;
}

static void
iff_demux_remove(struct iff *iff)
{
	for (unsigned i = 0; i < iff->n_demux; i++) {
		int rc = l2demux_del(iff->ifl->ifd->demux, &iff->demux[i]);

		if (rc < 0)
			RTE_LOG(ERR, USER1, "ifl %s: demux entry not removed: %s\n", iff->ifl->name,
				strerror(-rc));
	}
	iff->n_demux = 0;
}

/* --- add, change, delete --------------------------------------------------- */

static int
iff_spec_check(const struct ifl_priv *ifl, unsigned family, const struct iff_spec *s,
	       uint16_t table, struct ifcfg_err *e)
{
	uint32_t max = ifl_max_mtu(ifl), min = family == IFF_INET6 ? 1280 : 68;

	if ((ifl->flags & IFL_F_LOOPBACK) && table != ifl->unit)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_TABLE,
				 "%s holds the local addresses of routing instance %u, not %u "
				 "(use lo0.%u)", ifl->name, ifl->unit, table, table);
	if (!rt_inst_exists(table))
		return ifcfg_err(e, ENOENT, IFCFG_ARG_TABLE,
				 "routing instance %u does not exist (nsctl table add %u)", table,
				 table);
	if (s->has_mtu && (s->mtu < min || s->mtu > max))
		return ifcfg_err(e, ERANGE, IFCFG_ARG_MTU, "%s MTU %u on %s: valid are %u..%u",
				 family_names[family], s->mtu, ifl->name, min, max);
	return 0;
}

int
iff_add(struct ifl_priv *ifl, const struct iff_spec *s, struct iff **out, struct ifcfg_err *e)
{
	uint16_t table;
	struct iff *iff;
	int rc;

	if (s->family >= IFF_FAM_MAX)
		return ifcfg_err(e, EINVAL, IFCFG_ARG_FAMILY, "unknown family %u", s->family);
	if (ifl->iff[s->family] != NULL)
		return ifcfg_err(e, EEXIST, IFCFG_ARG_FAMILY, "ifl %s already has family %s",
				 ifl->name, family_names[s->family]);
	rc = ifl->ifd->eops->iff_check(ifl, s->family, e);
	if (rc < 0)
		return rc;
	table = s->has_table ? s->table : (ifl->flags & IFL_F_LOOPBACK) ? (uint16_t)ifl->unit : 0;
	rc = iff_spec_check(ifl, s->family, s, table, e);
	if (rc < 0)
		return rc;
	iff = calloc(1, sizeof(*iff));
	if (iff == NULL)
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	iff->ifl = ifl;
	iff->family = s->family;
	iff->rt_inst = table;
	iff->mtu = s->has_mtu ? s->mtu : 0;
	iff->in_filter = s->has_in_filter ? s->in_filter : 0;
	iff->out_filter = s->has_out_filter ? s->out_filter : 0;
	/* Paper 520-528: offloads of the port, not through PPPoE. */
	iff->caps = ifl->pppoe ? 0 : ifl->ifd->caps;
	TAILQ_INIT(&iff->ifas);
	/* Publish the family before frames can arrive for it. */
	ifl->iff[s->family] = iff;
	if (ifl_publish(ifl) < 0) {
		ifl->iff[s->family] = NULL;
		free(iff);
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	}
	rc = iff_demux_install(iff, e);
	if (rc < 0) {
		ifl->iff[s->family] = NULL;
		if (ifl_publish(ifl) < 0)
			RTE_LOG(ERR, USER1, "ifl %s: out of memory unpublishing %s\n", ifl->name,
				family_names[s->family]);
		free(iff);
		return rc;
	}
	ifcfg_inst_users[iff->rt_inst]++;
	if (ifcfg_notify != NULL)
		ifcfg_notify->iff(iff, 1);
	if (out != NULL)
		*out = iff;
	return 0;
}

int
iff_change(struct iff *iff, const struct iff_spec *s, struct ifcfg_err *e)
{
	struct iff old = *iff;
	uint16_t table = s->has_table ? s->table : iff->rt_inst;
	int rc;

	rc = iff_spec_check(iff->ifl, iff->family, s, table, e);
	if (rc < 0)
		return rc;
	if (table != iff->rt_inst && iff->n_ifa > 0)
		return ifcfg_err(e, EBUSY, IFCFG_ARG_TABLE,
				 "%s %s has %u address(es) whose routes are in routing instance %u: "
				 "delete them, change the instance, then add them back",
				 iff->ifl->name, family_names[iff->family], iff->n_ifa, iff->rt_inst);
	iff->rt_inst = table;
	if (s->has_mtu)
		iff->mtu = s->mtu;
	if (s->has_in_filter)
		iff->in_filter = s->in_filter;
	if (s->has_out_filter)
		iff->out_filter = s->out_filter;
	if (ifl_publish(iff->ifl) < 0) {
		iff->rt_inst = old.rt_inst;
		iff->mtu = old.mtu;
		iff->in_filter = old.in_filter;
		iff->out_filter = old.out_filter;
		return ifcfg_err(e, ENOMEM, IFCFG_ARG_NONE, "out of memory");
	}
	ifcfg_inst_users[old.rt_inst]--;
	ifcfg_inst_users[iff->rt_inst]++;
	if (ifcfg_notify != NULL)
		ifcfg_notify->iff(iff, 0);
	return 0;
}

void
iff_del(struct iff *iff)
{
	struct ifl_priv *ifl = iff->ifl;

	ifa_del_all(iff);
	iff_demux_remove(iff);
	if (ifcfg_notify != NULL)
		ifcfg_notify->iff(iff, -1);
	ifl->iff[iff->family] = NULL;
	/* Without memory the old copy stays: no entry or route leads to it any more. */
	if (ifl_publish(ifl) < 0)
		RTE_LOG(ERR, USER1, "ifl %s: out of memory unpublishing %s\n", ifl->name,
			family_names[iff->family]);
	ifcfg_inst_users[iff->rt_inst]--;
	free(iff);
}
