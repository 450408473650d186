/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_l2demux.c: L2DEMUX, the entries of an ifd's L2 demux table
 * (dataplane/l2demux.h) as the protocol shows them: GET of one entry by
 * ifd and prefix, GETNEXT of an ifd's entries in key order. Entries are
 * installed by the interface tree and application bindings, never through
 * this object: it is read-only.
 *
 * Dump order: the table's key order (l2demux_walk_after); GETNEXT carries
 * the ifd and, to resume, the prefix and length of the last entry sent.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/l2demux.h"
#include "handlers.h"
#include "ifcfg/ifcfg.h"

_Static_assert(NSDP_L2DEMUX_PREFIX_LEN == L2KEY_MAX, "the wire prefix is a whole key");

#define HANDLER_NAME_MAX 32 /* policy_l2demux.c, with the NUL */

/* One entry as put into a message. */
struct demux_obj {
	const char *ifd;
	const struct l2key *key;
	const struct l2demux_result *res;
};

static void
demux_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct demux_obj *o = obj;
	char text[512], name[HANDLER_NAME_MAX];

	nsdp_put_str(b, NSDP_A_L2DEMUX_IFD, o->ifd);
	nsdp_put_bin(b, NSDP_A_L2DEMUX_PREFIX, o->key->b, L2KEY_MAX);
	nsdp_put_u16(b, NSDP_A_L2DEMUX_BITS, o->key->bits);
	if (key_only)
		return;
	l2key_format(o->key, text, sizeof(text));
	nsdp_put_str(b, NSDP_A_L2DEMUX_TEXT, text);
	nsdp_put_u32(b, NSDP_A_L2DEMUX_IFL_INDEX, o->res->ifl_index);
	snprintf(name, sizeof(name), "%s", o->res->name != NULL ? o->res->name : "-");
	nsdp_put_str(b, NSDP_A_L2DEMUX_HANDLER, name);
	nsdp_put_u8(b, NSDP_A_L2DEMUX_STRIP, o->res->strip);
}

/*
 * Semantic pass over the key attributes: the ifd (mandatory) and its table,
 * and the prefix (PREFIX and BITS, both or neither; mandatory with
 * @need_prefix). @has_prefix tells whether one was given. [C]
 */
static int
demux_from_key(struct ctrl_req *r, const struct nlattr **tb, bool need_prefix, struct l2demux **d,
	       struct l2key *k, bool *has_prefix, struct nsdp_err *err)
{
	const struct nsdp_policy *pol = nsdp_msg_policy(r->nlh->nlmsg_type);
	const char *ifd;
	int rc;

	rc = ctrl_only_attrs(r, tb,
			     1u << NSDP_A_L2DEMUX_IFD | 1u << NSDP_A_L2DEMUX_PREFIX |
				     1u << NSDP_A_L2DEMUX_BITS,
			     err);
	if (rc < 0)
		return rc;
	rc = nsdp_require(r->nlh, pol, tb, NSDP_A_L2DEMUX_IFD, err);
	if (rc < 0)
		return rc;
	*has_prefix = tb[NSDP_A_L2DEMUX_PREFIX] != NULL || tb[NSDP_A_L2DEMUX_BITS] != NULL;
	if (need_prefix || *has_prefix) {
		rc = nsdp_require(r->nlh, pol, tb, NSDP_A_L2DEMUX_PREFIX, err);
		if (rc == 0)
			rc = nsdp_require(r->nlh, pol, tb, NSDP_A_L2DEMUX_BITS, err);
		if (rc < 0)
			return rc;
		l2key_init(k);
		memcpy(k->b, mnl_attr_get_payload(tb[NSDP_A_L2DEMUX_PREFIX]), L2KEY_MAX);
		k->bits = nsdp_get_u16(tb[NSDP_A_L2DEMUX_BITS]);
		for (unsigned i = k->bits; i < L2KEY_MAX * 8; i++)
			if (k->b[i / 8] & (0x80 >> (i % 8)))
				return nsdp_err_set(
					err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_L2DEMUX_PREFIX]),
					"the prefix has bit %u set, past its length of %u bits", i,
					k->bits);
	}
	ifd = nsdp_get_str(tb[NSDP_A_L2DEMUX_IFD]);
	*d = ifd_l2demux_by_name(ifd);
	if (*d == NULL)
		return nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_L2DEMUX_IFD]),
				    "no ifd named %s", ifd);
	return 0;
}

static int
demux_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	const struct l2demux_result *res;
	struct demux_obj o;
	struct l2demux *d;
	struct l2key k;
	bool has_prefix;
	int rc;

	/* Reads take the config lock too: the table's control side is [C]. */
	config_lock();
	rc = demux_from_key(r, tb, true, &d, &k, &has_prefix, err);
	if (rc < 0)
		goto out;
	res = l2demux_get(d, &k);
	if (res == NULL) {
		char text[512];

		l2key_format(&k, text, sizeof(text));
		rc = nsdp_err_set(err, ENOENT, ctrl_attr_off(r, tb[NSDP_A_L2DEMUX_PREFIX]),
				  "no demux entry %s (%u bits) on %s", text, k.bits,
				  nsdp_get_str(tb[NSDP_A_L2DEMUX_IFD]));
		goto out;
	}
	o = (struct demux_obj){ nsdp_get_str(tb[NSDP_A_L2DEMUX_IFD]), &k, res };
	rc = ctrl_reply(r, demux_put, &o);
	if (rc < 0)
		rc = nsdp_err_set(err, -rc, 0, "cannot queue the reply");
out:
	config_unlock();
	return rc;
}

struct dump_ctx {
	struct ctrl_req *r;
	const char *ifd;
	int err;
};

static int
dump_one(const struct l2key *prefix, const struct l2demux_result *res, void *arg)
{
	struct dump_ctx *dc = arg;
	struct demux_obj o = { dc->ifd, prefix, res };
	int rc = ctrl_dump_put(dc->r, demux_put, &o);

	if (rc < 0) {
		dc->err = rc;
		return rc;
	}
	/* 1: the part is full; the client resumes after the last key sent. */
	return rc;
}

static int
demux_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct dump_ctx dc = { .r = r };
	struct l2demux *d;
	struct l2key k;
	bool has_prefix;
	int rc;

	config_lock();
	rc = demux_from_key(r, tb, false, &d, &k, &has_prefix, err);
	if (rc < 0)
		goto out;
	dc.ifd = nsdp_get_str(tb[NSDP_A_L2DEMUX_IFD]);
	rc = l2demux_walk_after(d, has_prefix ? &k : NULL, dump_one, &dc);
	if (dc.err < 0)
		rc = nsdp_err_set(err, -dc.err, 0, "a demux entry of %s does not fit in a message",
				  dc.ifd);
	else if (rc < 0)
		rc = nsdp_err_set(err, -rc, 0, "out of memory walking the demux table of %s",
				  dc.ifd);
	else
		rc = 0;
out:
	config_unlock();
	return rc;
}

static const struct ctrl_handler l2demux_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_L2DEMUX, NSDP_OP_GET), false, demux_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_L2DEMUX, NSDP_OP_GETNEXT), false, demux_getnext },
};

int
ctrl_l2demux_register(void)
{
	return ctrl_register(l2demux_handlers, RTE_DIM(l2demux_handlers));
}
