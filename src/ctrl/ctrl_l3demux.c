/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_l3demux.c: L3DEMUX, the entries of the L3 protocol demux of every
 * routing instance and of the early demux of every ifl (dataplane/
 * l3demux.h), with their match counters. Read-only: entries are installed
 * by in-dataplane consumers (echo) and application bindings.
 *
 * Dump order: table by table (routing instances in order, then the
 * every-instance table; early demux ifl by ifl), each in best-match order.
 * To resume, GETNEXT carries the id of the last entry sent plus the
 * request's filters; if that entry was deleted between two parts of the
 * dump, the dump fails with EAGAIN rather than silently skip entries.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/l3demux.h"
#include "dataplane/route.h"
#include "handlers.h"
#include "ifcfg/ifcfg.h"

_Static_assert(NSDP_L3DEMUX_OWNER_LEN == L3DEMUX_OWNER_LEN, "owner names fit the wire");
_Static_assert(NSDP_L3DEMUX_TABLE_ANY == L3DEMUX_INST_ANY, "same every-instance value");

struct l3d_dump {
	struct ctrl_req *r;
	bool has_kind, has_table, has_ifl;
	uint8_t kind;
	uint16_t table;
	uint32_t ifl_index;
	const char *ifl_name;
	uint32_t after; /* resume after this id, 0 = from the start */
	bool skipping;
	int err;
	/* Rank bookkeeping: position within (table, family, proto). */
	uint32_t last_tab;
	uint8_t last_fam, last_proto;
	uint32_t rank;
	bool have_last;
};

struct l3d_obj {
	const struct l3d_dump *d;
	const struct l3demux_info *i;
	uint32_t rank;
};

static void
l3d_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct l3d_obj *o = obj;
	const struct l3demux_info *i = o->i;
	uint8_t early = i->ifl_index != 0;
	char name[64];

	nsdp_put_u32(b, NSDP_A_L3DEMUX_ID, i->id);
	if (key_only) {
		/* The request's filters travel with the resume key. */
		if (o->d->has_kind)
			nsdp_put_u8(b, NSDP_A_L3DEMUX_KIND, o->d->kind);
		if (o->d->has_table)
			nsdp_put_u16(b, NSDP_A_L3DEMUX_TABLE, o->d->table);
		if (o->d->has_ifl)
			nsdp_put_str(b, NSDP_A_L3DEMUX_IFL, o->d->ifl_name);
		return;
	}
	nsdp_put_u8(b, NSDP_A_L3DEMUX_KIND, early);
	if (early) {
		if (ifl_name(i->ifl_index, name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "#%u", i->ifl_index);
		nsdp_put_str(b, NSDP_A_L3DEMUX_IFL, name);
	} else {
		nsdp_put_u16(b, NSDP_A_L3DEMUX_TABLE, i->rt_inst);
	}
	nsdp_put_u8(b, NSDP_A_L3DEMUX_FAMILY, i->key.family);
	nsdp_put_u8(b, NSDP_A_L3DEMUX_PROTO, i->key.proto);
	nsdp_put_bin(b, NSDP_A_L3DEMUX_DST, i->key.dst, 16);
	nsdp_put_u8(b, NSDP_A_L3DEMUX_DST_LEN, i->key.dst_len);
	nsdp_put_bin(b, NSDP_A_L3DEMUX_SRC, i->key.src, 16);
	nsdp_put_u8(b, NSDP_A_L3DEMUX_SRC_LEN, i->key.src_len);
	nsdp_put_bin(b, NSDP_A_L3DEMUX_TP, i->key.tp, 4);
	nsdp_put_bin(b, NSDP_A_L3DEMUX_TP_MASK, i->key.tp_mask, 4);
	nsdp_put_str(b, NSDP_A_L3DEMUX_OWNER, i->owner);
	nsdp_put_u64(b, NSDP_A_L3DEMUX_MATCHES, i->matches);
	nsdp_put_u32(b, NSDP_A_L3DEMUX_RANK, o->rank);
}

static int
l3d_one(const struct l3demux_info *i, void *arg)
{
	struct l3d_dump *d = arg;
	uint32_t tab = i->ifl_index != 0 ? i->ifl_index : i->rt_inst;
	struct l3d_obj o;
	int rc;

	if (!d->have_last || tab != d->last_tab || i->key.family != d->last_fam ||
	    i->key.proto != d->last_proto)
		d->rank = 0;
	else
		d->rank++;
	d->have_last = true;
	d->last_tab = tab;
	d->last_fam = i->key.family;
	d->last_proto = i->key.proto;
	if (d->skipping) {
		if (i->id == d->after)
			d->skipping = false;
		return 0;
	}
	o = (struct l3d_obj){ d, i, d->rank };
	rc = ctrl_dump_put(d->r, l3d_put, &o);
	if (rc < 0)
		d->err = rc;
	return rc;
}

static int
l3demux_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct l3d_dump d = { .r = r };
	int rc = 0;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_L3DEMUX_ID | 1u << NSDP_A_L3DEMUX_KIND |
				     1u << NSDP_A_L3DEMUX_TABLE | 1u << NSDP_A_L3DEMUX_IFL,
			     err);
	if (rc < 0)
		return rc;
	d.has_kind = tb[NSDP_A_L3DEMUX_KIND] != NULL;
	d.kind = d.has_kind ? nsdp_get_u8(tb[NSDP_A_L3DEMUX_KIND]) : 0;
	d.has_table = tb[NSDP_A_L3DEMUX_TABLE] != NULL;
	d.has_ifl = tb[NSDP_A_L3DEMUX_IFL] != NULL;
	if (d.has_table && (!d.has_kind || d.kind != 0))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_L3DEMUX_TABLE]),
				    "a routing instance selects L3 demux entries: give kind 0 with it");
	if (d.has_ifl && (!d.has_kind || d.kind != 1))
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_L3DEMUX_IFL]),
				    "an ifl selects early demux entries: give kind 1 with it");
	if (d.has_table) {
		d.table = nsdp_get_u16(tb[NSDP_A_L3DEMUX_TABLE]);
		if (d.table >= RT_INST_MAX && d.table != NSDP_L3DEMUX_TABLE_ANY)
			return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_L3DEMUX_TABLE]),
					    "routing instance %u is beyond the last (%u)", d.table,
					    RT_INST_MAX - 1);
	}
	if (tb[NSDP_A_L3DEMUX_ID] != NULL) {
		d.after = nsdp_get_u32(tb[NSDP_A_L3DEMUX_ID]);
		d.skipping = true;
	}
	config_lock();
	if (d.has_ifl) {
		d.ifl_name = nsdp_get_str(tb[NSDP_A_L3DEMUX_IFL]);
		d.ifl_index = ifl_index_by_name(d.ifl_name);
		if (d.ifl_index == 0) {
			rc = nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_L3DEMUX_IFL]),
					  "no ifl named %s", d.ifl_name);
			goto out;
		}
	}
	if (!d.has_kind || d.kind == 0)
		rc = l3demux_walk(false, d.has_table ? d.table : UINT32_MAX, l3d_one, &d);
	if (rc == 0 && (!d.has_kind || d.kind == 1)) {
		d.have_last = false;
		rc = l3demux_walk(true, d.has_ifl ? d.ifl_index : UINT32_MAX, l3d_one, &d);
	}
	if (d.err < 0)
		rc = nsdp_err_set(err, -d.err, 0, "a demux entry does not fit in a message");
	else if (rc == 0 && d.skipping)
		rc = nsdp_err_set(err, EAGAIN, 0,
				  "demux entry %u was deleted during the dump; dump again",
				  d.after);
	else
		rc = 0;
out:
	config_unlock();
	return rc;
}

static const struct ctrl_handler l3demux_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_L3DEMUX, NSDP_OP_GETNEXT), false, l3demux_getnext },
};

int
ctrl_l3demux_register(void)
{
	return ctrl_register(l3demux_handlers, RTE_DIM(l3demux_handlers));
}
