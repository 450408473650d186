/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd_ifcfg.c: `nsctl ifd|ifl|iff|ifa ...`: the interface tree (paper
 * 107-944): add, delete, set and show ifds, ifls, iffs and ifas, and the
 * tree under one ifd (`nsctl ifd show NAME`).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "nsctl.h"

static const char *const family_names[] = { "inet", "inet6", "bridge" };
static const char *const encap_names[] = { "?", "ethernet", "loopback", "channel" };

/* --- argument helpers ---------------------------------------------------------- */

static int
parse_ul(struct nsctl_ctx *ctx, char *const *w, unsigned long max, const char *what,
	 unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(*w, &end, 0);
	if (**w == '\0' || **w == '-' || *end != '\0' || errno != 0 || *out > max)
		return nsctl_err_word(ctx, w, "'%s' is not %s (0..%lu)", *w, what, max);
	return 0;
}

static int
parse_mac(struct nsctl_ctx *ctx, char *const *w, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(*w, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return nsctl_err_word(ctx, w, "'%s' is not a MAC address (02:00:00:00:00:01)", *w);
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return nsctl_err_word(ctx, w, "'%s' is not a MAC address", *w);
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static int
parse_family(struct nsctl_ctx *ctx, char *const *w, unsigned max, uint8_t *fam)
{
	for (unsigned f = 0; f <= max; f++)
		if (strcmp(*w, family_names[f]) == 0) {
			*fam = (uint8_t)f;
			return 0;
		}
	return nsctl_err_word(ctx, w, "'%s' is not a family (%s)", *w,
			      max >= 2 ? "inet, inet6, bridge" : "inet, inet6");
}

/* Value of the word after a keyword, or a "missing" error. */
static int
need_value(struct nsctl_ctx *ctx, int argc, int i, const char *what)
{
	return i + 1 < argc ? 0 : nsctl_err_missing(ctx, what);
}

static void
fmt_mac(const struct nlattr *a, char *buf, size_t len)
{
	const uint8_t *m;

	if (a == NULL || mnl_attr_get_payload_len(a) != 6) {
		snprintf(buf, len, "-");
		return;
	}
	m = mnl_attr_get_payload(a);
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *
str_or(const struct nlattr *a, const char *dflt)
{
	return a != NULL ? nsdp_get_str(a) : dflt;
}

static void
fmt_flags(uint16_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", f & 1 ? "loopback," : "", f & 2 ? "p2p," : "",
		 f & 4 ? "nbma," : "", f & 8 ? "link-down," : "", f == 0 ? "multiaccess," : "");
	if (buf[0] != '\0')
		buf[strlen(buf) - 1] = '\0';
}

static void
fmt_families(uint8_t fams, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned f = 0; f < 3 && off < len; f++)
		if (fams & (1u << f))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						family_names[f]);
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

/* "192.0.2.1/24", "10.0.0.1 -> 10.0.0.2", "fe80::1" */
static void
fmt_ifa(const struct nlattr **tb, char *buf, size_t len)
{
	int af = tb[NSDP_A_IFA_FAMILY] && nsdp_get_u8(tb[NSDP_A_IFA_FAMILY]) == 1 ? AF_INET6 : AF_INET;
	char l[INET6_ADDRSTRLEN] = "", d[INET6_ADDRSTRLEN] = "";
	unsigned dl = tb[NSDP_A_IFA_DEST_LEN] ? nsdp_get_u8(tb[NSDP_A_IFA_DEST_LEN]) : 0;
	unsigned host = af == AF_INET6 ? 128 : 32;

	if (tb[NSDP_A_IFA_LOCAL])
		inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_IFA_LOCAL]), l, sizeof(l));
	if (tb[NSDP_A_IFA_DEST])
		inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_IFA_DEST]), d, sizeof(d));
	if (l[0] && d[0] && dl < host)
		snprintf(buf, len, "%s/%u", l, dl);
	else if (l[0] && d[0])
		snprintf(buf, len, "local %s dest %s", l, d);
	else if (d[0])
		snprintf(buf, len, "dest %s/%u", d, dl);
	else
		snprintf(buf, len, "local %s", l);
}

/* --- ifd ----------------------------------------------------------------------- */

static int
ifd_add_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	unsigned long port = 0;
	int rc, i = 1;
	bool has_port = false;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifd name (tap0)");
	if (i < argc && strcmp(argv[i], "port") == 0) {
		rc = need_value(ctx, argc, i, "a port id");
		if (rc == 0)
			rc = parse_ul(ctx, &argv[i + 1], 0xfffe, "a port id", &port);
		if (rc != 0)
			return rc;
		has_port = true;
		i += 2;
	}
	rc = nsctl_no_more(ctx, argc, argv, i);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_ADD), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFD_NAME, argv[0]);
	if (has_port) {
		nsctl_req_mark(ctx, req, &argv[2]);
		nsdp_put_u32(&req->b, NSDP_A_IFD_PORT, (uint32_t)port);
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
ifd_del_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifd name");
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_DELETE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFD_NAME, argv[0]);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
ifd_set_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	int rc, i;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifd name");
	if (argc < 2)
		return nsctl_err_missing(ctx, "a setting (mac, mtu, up, down, encap)");
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_CHANGE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFD_NAME, argv[0]);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "up") == 0 || strcmp(argv[i], "down") == 0) {
			nsctl_req_mark(ctx, req, &argv[i]);
			nsdp_put_u8(&req->b, NSDP_A_IFD_ADMIN_UP, argv[i][0] == 'u');
		} else if (strcmp(argv[i], "mac") == 0) {
			uint8_t mac[6];

			rc = need_value(ctx, argc, i, "a MAC address");
			if (rc == 0)
				rc = parse_mac(ctx, &argv[i + 1], mac);
			if (rc != 0)
				return rc;
			nsctl_req_mark(ctx, req, &argv[++i]);
			nsdp_put_bin(&req->b, NSDP_A_IFD_MAC, mac, 6);
		} else if (strcmp(argv[i], "mtu") == 0) {
			unsigned long mtu;

			rc = need_value(ctx, argc, i, "an MTU");
			if (rc == 0)
				rc = parse_ul(ctx, &argv[i + 1], 65535, "an MTU", &mtu);
			if (rc != 0)
				return rc;
			nsctl_req_mark(ctx, req, &argv[++i]);
			nsdp_put_u32(&req->b, NSDP_A_IFD_MTU, (uint32_t)mtu);
		} else if (strcmp(argv[i], "encap") == 0) {
			unsigned e;

			rc = need_value(ctx, argc, i, "an encapsulation (ethernet)");
			if (rc != 0)
				return rc;
			for (e = 1; e < 4; e++)
				if (strcmp(argv[i + 1], encap_names[e]) == 0)
					break;
			if (e == 4)
				return nsctl_err_word(ctx, &argv[i + 1],
						      "'%s' is not an encapsulation (ethernet, "
						      "loopback, channel)", argv[i + 1]);
			nsctl_req_mark(ctx, req, &argv[++i]);
			nsdp_put_u8(&req->b, NSDP_A_IFD_ENCAP, (uint8_t)e);
		} else {
			return nsctl_err_word(ctx, &argv[i],
					      "unknown setting '%s' (mac, mtu, up, down, encap)",
					      argv[i]);
		}
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

enum { D_INDEX, D_NAME, D_DRIVER, D_PORT, D_MAC, D_ADMIN, D_LINK, D_MTU, D_ENCAP, D_IFLS, D_NB };

static void
ifd_json(struct out_json *j, const struct nlattr **tb)
{
	char mac[18];

	out_json_ku64(j, "index", tb[NSDP_A_IFD_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFD_INDEX]) : 0);
	out_json_kstr(j, "name", str_or(tb[NSDP_A_IFD_NAME], ""));
	out_json_kstr(j, "driver", str_or(tb[NSDP_A_IFD_DRIVER], ""));
	if (tb[NSDP_A_IFD_PORT])
		out_json_ku64(j, "port", nsdp_get_u32(tb[NSDP_A_IFD_PORT]));
	if (tb[NSDP_A_IFD_PARENT])
		out_json_kstr(j, "parent", nsdp_get_str(tb[NSDP_A_IFD_PARENT]));
	if (tb[NSDP_A_IFD_MAC]) {
		fmt_mac(tb[NSDP_A_IFD_MAC], mac, sizeof(mac));
		out_json_kstr(j, "mac", mac);
		fmt_mac(tb[NSDP_A_IFD_PERM_MAC], mac, sizeof(mac));
		out_json_kstr(j, "perm_mac", mac);
	}
	if (tb[NSDP_A_IFD_ENCAP])
		out_json_kstr(j, "encap", encap_names[nsdp_get_u8(tb[NSDP_A_IFD_ENCAP])]);
	if (tb[NSDP_A_IFD_ADMIN_UP])
		out_json_kbool(j, "admin_up", nsdp_get_u8(tb[NSDP_A_IFD_ADMIN_UP]));
	if (tb[NSDP_A_IFD_LINK_UP])
		out_json_kbool(j, "link_up", nsdp_get_u8(tb[NSDP_A_IFD_LINK_UP]));
	if (tb[NSDP_A_IFD_SPEED])
		out_json_ku64(j, "speed", nsdp_get_u32(tb[NSDP_A_IFD_SPEED]));
	if (tb[NSDP_A_IFD_MTU])
		out_json_ku64(j, "mtu", nsdp_get_u32(tb[NSDP_A_IFD_MTU]));
	if (tb[NSDP_A_IFD_IFLS])
		out_json_ku64(j, "ifls", nsdp_get_u32(tb[NSDP_A_IFD_IFLS]));
}

static int
ifd_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	char mac[18];

	(void)nlh;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		ifd_json(&ctx->js, tb);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	fmt_mac(tb[NSDP_A_IFD_MAC], mac, sizeof(mac));
	out_table_cell(t, D_INDEX, "%u", tb[NSDP_A_IFD_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFD_INDEX]) : 0);
	out_table_cell(t, D_NAME, "%s", str_or(tb[NSDP_A_IFD_NAME], "?"));
	out_table_cell(t, D_DRIVER, "%s", str_or(tb[NSDP_A_IFD_DRIVER], "?"));
	if (tb[NSDP_A_IFD_PORT])
		out_table_cell(t, D_PORT, "%u", nsdp_get_u32(tb[NSDP_A_IFD_PORT]));
	else
		out_table_cell(t, D_PORT, "%s", str_or(tb[NSDP_A_IFD_PARENT], "-"));
	out_table_cell(t, D_MAC, "%s", mac);
	out_table_cell(t, D_ADMIN, "%s",
		       tb[NSDP_A_IFD_ADMIN_UP] && nsdp_get_u8(tb[NSDP_A_IFD_ADMIN_UP]) ? "up" : "down");
	out_table_cell(t, D_LINK, "%s",
		       tb[NSDP_A_IFD_LINK_UP] && nsdp_get_u8(tb[NSDP_A_IFD_LINK_UP]) ? "up" : "down");
	out_table_cell(t, D_MTU, "%u", tb[NSDP_A_IFD_MTU] ? nsdp_get_u32(tb[NSDP_A_IFD_MTU]) : 0);
	out_table_cell(t, D_ENCAP, "%s",
		       encap_names[tb[NSDP_A_IFD_ENCAP] ? nsdp_get_u8(tb[NSDP_A_IFD_ENCAP]) : 0]);
	out_table_cell(t, D_IFLS, "%u", tb[NSDP_A_IFD_IFLS] ? nsdp_get_u32(tb[NSDP_A_IFD_IFLS]) : 0);
	return 0;
}

/* --- the tree under one ifd ---------------------------------------------------------- */

struct tree_node {
	char name[64];
	char parent[64];
	uint32_t index;
	char l2id[128];
	uint16_t flags;
	char fam[3][64];                  /* "table 0 mtu 1500" */
	char *addrs[3];                   /* "a, b" */
};

struct tree {
	const char *ifd;
	bool found;                       /* the ifd itself was received */
	struct tree_node *n;
	unsigned count, cap;
};

static bool
under_ifd(const char *ifl, const char *ifd)
{
	size_t n = strlen(ifd);

	return strncmp(ifl, ifd, n) == 0 && ifl[n] == '.';
}

static struct tree_node *
tree_find(struct tree *t, const char *name)
{
	for (unsigned i = 0; i < t->count; i++)
		if (strcmp(t->n[i].name, name) == 0)
			return &t->n[i];
	return NULL;
}

static int
tree_ifl(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct tree *t = arg;
	struct tree_node *n;
	const char *name = str_or(tb[NSDP_A_IFL_NAME], "");

	(void)nlh;
	if (!under_ifd(name, t->ifd))
		return 0;
	if (t->count == t->cap) {
		void *p = realloc(t->n, (t->cap ? t->cap * 2 : 16) * sizeof(*t->n));

		if (p == NULL)
			return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
		t->n = p;
		t->cap = t->cap ? t->cap * 2 : 16;
	}
	n = &t->n[t->count++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->parent, sizeof(n->parent), "%s", str_or(tb[NSDP_A_IFL_PARENT], ""));
	snprintf(n->l2id, sizeof(n->l2id), "%s", str_or(tb[NSDP_A_IFL_L2ID], "-"));
	n->index = tb[NSDP_A_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFL_INDEX]) : 0;
	n->flags = tb[NSDP_A_IFL_FLAGS] ? nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]) : 0;
	return 0;
}

static int
tree_iff(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct tree_node *n = tree_find(arg, str_or(tb[NSDP_A_IFF_IFL], ""));
	unsigned f = tb[NSDP_A_IFF_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFF_FAMILY]) : 0;

	(void)ctx, (void)nlh;
	if (n == NULL || f > 2)
		return 0;
	snprintf(n->fam[f], sizeof(n->fam[f]), "table %u mtu %u",
		 tb[NSDP_A_IFF_TABLE] ? nsdp_get_u32(tb[NSDP_A_IFF_TABLE]) : 0,
		 tb[NSDP_A_IFF_MTU] ? nsdp_get_u16(tb[NSDP_A_IFF_MTU]) : 0);
	return 0;
}

static int
tree_ifa(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct tree_node *n = tree_find(arg, str_or(tb[NSDP_A_IFA_IFL], ""));
	unsigned f = tb[NSDP_A_IFA_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFA_FAMILY]) : 0;
	char a[128];
	size_t old;
	char *p;

	(void)nlh;
	if (n == NULL || f > 2)
		return 0;
	fmt_ifa(tb, a, sizeof(a));
	old = n->addrs[f] ? strlen(n->addrs[f]) : 0;
	p = realloc(n->addrs[f], old + strlen(a) + 3);
	if (p == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	snprintf(p + old, strlen(a) + 3, "%s%s", old ? ", " : "", a);
	n->addrs[f] = p;
	return 0;
}

static unsigned
tree_depth(struct tree *t, const struct tree_node *n)
{
	const struct tree_node *p = tree_find(t, n->parent);

	return p != NULL ? 1 + tree_depth(t, p) : 0;
}

static void
tree_print(struct nsctl_ctx *ctx, struct tree *t)
{
	char flags[64];

	if (ctx->json) {
		out_json_key(&ctx->js, "tree");
		out_json_arr_begin(&ctx->js);
	}
	for (unsigned i = 0; i < t->count; i++) {
		struct tree_node *n = &t->n[i];
		unsigned d = tree_depth(t, n);

		fmt_flags(n->flags, flags, sizeof(flags));
		if (ctx->json) {
			out_json_obj_begin(&ctx->js);
			out_json_kstr(&ctx->js, "name", n->name);
			out_json_ku64(&ctx->js, "index", n->index);
			out_json_kstr(&ctx->js, "parent", n->parent);
			out_json_kstr(&ctx->js, "l2id", n->l2id);
			out_json_kstr(&ctx->js, "flags", flags);
			out_json_key(&ctx->js, "families");
			out_json_arr_begin(&ctx->js);
			for (unsigned f = 0; f < 3; f++) {
				if (n->fam[f][0] == '\0')
					continue;
				out_json_obj_begin(&ctx->js);
				out_json_kstr(&ctx->js, "family", family_names[f]);
				out_json_kstr(&ctx->js, "settings", n->fam[f]);
				out_json_kstr(&ctx->js, "addresses", n->addrs[f] ? n->addrs[f] : "");
				out_json_obj_end(&ctx->js);
			}
			out_json_arr_end(&ctx->js);
			out_json_obj_end(&ctx->js);
			continue;
		}
		fprintf(ctx->out, "%*s%s  index %u  l2id %s  %s\n", (int)(2 + 2 * d), "", n->name,
			n->index, n->l2id, flags);
		for (unsigned f = 0; f < 3; f++)
			if (n->fam[f][0] != '\0')
				fprintf(ctx->out, "%*s%s %s%s%s\n", (int)(6 + 2 * d), "", family_names[f],
					n->fam[f], n->addrs[f] ? "  " : "",
					n->addrs[f] ? n->addrs[f] : "");
	}
	if (ctx->json)
		out_json_arr_end(&ctx->js);
}

static int
ifd_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct tree *t = arg;
	char mac[18], perm[18];

	(void)nlh;
	t->found = true;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		ifd_json(&ctx->js, tb);
		return 0;
	}
	fmt_mac(tb[NSDP_A_IFD_MAC], mac, sizeof(mac));
	fmt_mac(tb[NSDP_A_IFD_PERM_MAC], perm, sizeof(perm));
	fprintf(ctx->out, "%s  index %u  driver %s", str_or(tb[NSDP_A_IFD_NAME], "?"),
		tb[NSDP_A_IFD_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFD_INDEX]) : 0,
		str_or(tb[NSDP_A_IFD_DRIVER], "?"));
	if (tb[NSDP_A_IFD_PORT])
		fprintf(ctx->out, "  port %u", nsdp_get_u32(tb[NSDP_A_IFD_PORT]));
	fprintf(ctx->out, "  encap %s  mtu %u  admin %s  link %s\n",
		encap_names[tb[NSDP_A_IFD_ENCAP] ? nsdp_get_u8(tb[NSDP_A_IFD_ENCAP]) : 0],
		tb[NSDP_A_IFD_MTU] ? nsdp_get_u32(tb[NSDP_A_IFD_MTU]) : 0,
		tb[NSDP_A_IFD_ADMIN_UP] && nsdp_get_u8(tb[NSDP_A_IFD_ADMIN_UP]) ? "up" : "down",
		tb[NSDP_A_IFD_LINK_UP] && nsdp_get_u8(tb[NSDP_A_IFD_LINK_UP]) ? "up" : "down");
	if (tb[NSDP_A_IFD_MAC])
		fprintf(ctx->out, "  mac %s  permanent %s\n", mac, perm);
	return 0;
}

static int
ifd_show_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	struct tree t = { 0 };
	int rc;

	if (argc == 0) {
		static const char *const hdr[D_NB] = { "INDEX", "NAME", "DRIVER", "PORT", "MAC",
						       "ADMIN", "LINK", "MTU", "ENCAP", "IFLS" };
		struct out_table *tab = out_table_new(D_NB);

		if (tab == NULL)
			return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
		for (unsigned c = 0; c < D_NB; c++)
			out_table_col(tab, c, hdr[c],
				      c == D_INDEX || c == D_MTU || c == D_IFLS ? OUT_RIGHT : OUT_LEFT);
		return nsctl_dump_table(ctx, NSDP_OBJ_IFD, ifd_row, tab);
	}
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	t.ifd = argv[0];
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFD, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFD_NAME, argv[0]);
	rc = nsctl_req_send(ctx, req, ifd_print, &t);
	if (rc == 0)
		rc = nsctl_drain(ctx);
	if (rc == 0)
		rc = nsctl_dump(ctx, NSDP_OBJ_IFL, tree_ifl, &t);
	if (rc == 0)
		rc = nsctl_dump(ctx, NSDP_OBJ_IFF, tree_iff, &t);
	if (rc == 0)
		rc = nsctl_dump(ctx, NSDP_OBJ_IFA, tree_ifa, &t);
	if (rc == 0)
		tree_print(ctx, &t);
	if (ctx->json && t.found) {
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	}
	for (unsigned i = 0; i < t.count; i++)
		for (unsigned f = 0; f < 3; f++)
			free(t.n[i].addrs[f]);
	free(t.n);
	return rc;
}

/* --- ifl ---------------------------------------------------------------------------- */

static int
parse_tag(struct nsctl_ctx *ctx, char *const *w, unsigned *tpid, unsigned *vid)
{
	char *colon = strchr(*w, ':'), *end;
	unsigned long t, v;

	if (colon == NULL)
		return nsctl_err_word(ctx, w, "'%s' is not TPID:VID (0x88a8:10)", *w);
	t = strtoul(*w, &end, 0);
	if (end != colon || t > 0xffff)
		return nsctl_err_word(ctx, w, "'%s': the TPID is 0x88a8 or 0x9100", *w);
	v = strtoul(colon + 1, &end, 0);
	if (*end != '\0' || colon[1] == '\0' || v > 4095)
		return nsctl_err_word(ctx, w, "'%s': the VLAN ID is 1..4094", *w);
	*tpid = (unsigned)t;
	*vid = (unsigned)v;
	return 0;
}

static int
ifl_add_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	unsigned tpid[8], vid[8], ntags = 0, flags = 0;
	int vlan_at = -1, pppoe_at = -1, tags_at = -1, i, rc;
	unsigned long session = 0;
	uint8_t peer[6];
	struct nsctl_req *req;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifl name (tap0.100)");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "outer") == 0) {
			rc = need_value(ctx, argc, i, "an outer tag TPID:VID");
			if (rc == 0 && ntags == 7)
				rc = nsctl_err_word(ctx, &argv[i], "too many tags");
			if (rc == 0)
				rc = parse_tag(ctx, &argv[i + 1], &tpid[ntags], &vid[ntags]);
			if (rc != 0)
				return rc;
			if (tags_at < 0)
				tags_at = i;
			ntags++;
			i++;
		} else if (strcmp(argv[i], "vlan") == 0) {
			unsigned long v;

			rc = need_value(ctx, argc, i, "a VLAN ID");
			if (rc == 0)
				rc = parse_ul(ctx, &argv[i + 1], 4095, "a VLAN ID", &v);
			if (rc != 0)
				return rc;
			vlan_at = ++i;
			vid[7] = (unsigned)v;
		} else if (strcmp(argv[i], "pppoe") == 0) {
			rc = need_value(ctx, argc, i, "a PPPoE session id");
			if (rc == 0)
				rc = parse_ul(ctx, &argv[i + 1], 0xffff, "a PPPoE session id", &session);
			if (rc != 0)
				return rc;
			pppoe_at = ++i;
			if (i + 1 >= argc || strcmp(argv[i + 1], "peer") != 0)
				return nsctl_err_missing(ctx, "peer MAC (the PPPoE peer's address)");
			rc = need_value(ctx, argc, i + 1, "the peer's MAC address");
			if (rc == 0)
				rc = parse_mac(ctx, &argv[i + 2], peer);
			if (rc != 0)
				return rc;
			i += 2;
		} else if (strcmp(argv[i], "p2p") == 0 || strcmp(argv[i], "point-to-point") == 0) {
			flags |= 2;
		} else if (strcmp(argv[i], "nbma") == 0) {
			flags |= 4;
		} else if (strcmp(argv[i], "link-down") == 0) {
			flags |= 8;
		} else {
			return nsctl_err_word(ctx, &argv[i],
					      "unknown word '%s' (vlan, outer, pppoe, p2p, nbma, "
					      "link-down)", argv[i]);
		}
	}
	if (pppoe_at >= 0 && (vlan_at >= 0 || ntags > 0))
		return nsctl_err_word(ctx, &argv[pppoe_at],
				      "an ifl's L2_ID is tags or a PPPoE session, not both");
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_ADD), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFL_NAME, argv[0]);
	if (ntags > 0 || vlan_at >= 0) {
		struct nlattr *nest;

		nsctl_req_mark(ctx, req, &argv[tags_at >= 0 ? tags_at : vlan_at]);
		nest = nsdp_nest_start(&req->b, NSDP_A_IFL_TAGS);
		/* Outer tags as given (outermost first), then the 802.1Q tag, innermost. */
		for (unsigned k = 0; k < ntags; k++) {
			struct nlattr *e = nsdp_nest_start(&req->b, NSDP_A_TAG_ENTRY);

			nsdp_put_u16(&req->b, NSDP_A_TAG_TPID, (uint16_t)tpid[k]);
			nsdp_put_u16(&req->b, NSDP_A_TAG_VID, (uint16_t)vid[k]);
			nsdp_nest_end(&req->b, e);
		}
		if (vlan_at >= 0) {
			struct nlattr *e = nsdp_nest_start(&req->b, NSDP_A_TAG_ENTRY);

			nsdp_put_u16(&req->b, NSDP_A_TAG_TPID, 0x8100);
			nsdp_put_u16(&req->b, NSDP_A_TAG_VID, (uint16_t)vid[7]);
			nsdp_nest_end(&req->b, e);
		}
		nsdp_nest_end(&req->b, nest);
	}
	if (pppoe_at >= 0) {
		nsctl_req_mark(ctx, req, &argv[pppoe_at]);
		nsdp_put_u16(&req->b, NSDP_A_IFL_PPPOE_SESSION, (uint16_t)session);
		nsctl_req_mark(ctx, req, &argv[pppoe_at + 2]);
		nsdp_put_bin(&req->b, NSDP_A_IFL_PPPOE_PEER, peer, 6);
	}
	if (flags != 0)
		nsdp_put_u16(&req->b, NSDP_A_IFL_FLAGS, (uint16_t)flags);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
ifl_del_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifl name");
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_DELETE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFL_NAME, argv[0]);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
ifl_flags_cb(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	(void)ctx, (void)nlh;
	*(uint16_t *)arg = tb[NSDP_A_IFL_FLAGS] ? nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]) : 0;
	return 0;
}

static int
ifl_set_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	uint16_t flags = 0;
	int rc;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifl name");
	if (argc < 2)
		return nsctl_err_missing(ctx, "a setting (p2p, nbma, multiaccess, link-down, link-up)");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "p2p") != 0 && strcmp(argv[i], "nbma") != 0 &&
		    strcmp(argv[i], "multiaccess") != 0 && strcmp(argv[i], "link-down") != 0 &&
		    strcmp(argv[i], "link-up") != 0)
			return nsctl_err_word(ctx, &argv[i],
					      "unknown setting '%s' (p2p, nbma, multiaccess, "
					      "link-down, link-up)", argv[i]);
	/* The request carries every settable flag: start from the current ones. */
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFL_NAME, argv[0]);
	rc = nsctl_req_send(ctx, req, ifl_flags_cb, &flags);
	if (rc == 0)
		rc = nsctl_drain(ctx);
	if (rc != 0)
		return rc;
	flags &= 0xe;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "p2p") == 0)
			flags = (uint16_t)((flags & ~4) | 2);
		else if (strcmp(argv[i], "nbma") == 0)
			flags = (uint16_t)((flags & ~2) | 4);
		else if (strcmp(argv[i], "multiaccess") == 0)
			flags &= (uint16_t)~6;
		else if (strcmp(argv[i], "link-down") == 0)
			flags |= 8;
		else
			flags &= (uint16_t)~8;
	}
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_CHANGE), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFL_NAME, argv[0]);
	nsctl_req_mark(ctx, req, &argv[1]);
	nsdp_put_u16(&req->b, NSDP_A_IFL_FLAGS, flags);
	return nsctl_req_send(ctx, req, NULL, NULL);
}

enum { L_INDEX, L_NAME, L_PARENT, L_L2ID, L_FLAGS, L_FAMS, L_NB };

static void
ifl_json(struct out_json *j, const struct nlattr **tb)
{
	char buf[64];

	out_json_ku64(j, "index", tb[NSDP_A_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFL_INDEX]) : 0);
	out_json_kstr(j, "name", str_or(tb[NSDP_A_IFL_NAME], ""));
	out_json_kstr(j, "ifd", str_or(tb[NSDP_A_IFL_IFD], ""));
	out_json_kstr(j, "parent", str_or(tb[NSDP_A_IFL_PARENT], ""));
	out_json_kstr(j, "l2id", str_or(tb[NSDP_A_IFL_L2ID], "-"));
	if (tb[NSDP_A_IFL_PATH])
		out_json_kstr(j, "path", nsdp_get_str(tb[NSDP_A_IFL_PATH]));
	fmt_flags(tb[NSDP_A_IFL_FLAGS] ? nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]) : 0, buf, sizeof(buf));
	out_json_kstr(j, "flags", buf);
	out_json_key(j, "families");
	out_json_arr_begin(j);
	for (unsigned f = 0; f < 3; f++)
		if (tb[NSDP_A_IFL_FAMILIES] && (nsdp_get_u8(tb[NSDP_A_IFL_FAMILIES]) & (1u << f)))
			out_json_str(j, family_names[f]);
	out_json_arr_end(j);
	{
		static const struct { const char *key; unsigned attr; } ctrs[] = {
			{ "rx_packets", NSDP_A_IFL_RX_PACKETS }, { "rx_bytes", NSDP_A_IFL_RX_BYTES },
			{ "tx_packets", NSDP_A_IFL_TX_PACKETS }, { "tx_bytes", NSDP_A_IFL_TX_BYTES },
		};

		for (unsigned i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++)
			out_json_ku64(j, ctrs[i].key,
				      tb[ctrs[i].attr] ? nsdp_get_u64(tb[ctrs[i].attr]) : 0);
	}
}

static int
ifl_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	char buf[64];

	(void)nlh;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		ifl_json(&ctx->js, tb);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, L_INDEX, "%u", tb[NSDP_A_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFL_INDEX]) : 0);
	out_table_cell(t, L_NAME, "%s", str_or(tb[NSDP_A_IFL_NAME], "?"));
	out_table_cell(t, L_PARENT, "%s", str_or(tb[NSDP_A_IFL_PARENT], "?"));
	out_table_cell(t, L_L2ID, "%s", str_or(tb[NSDP_A_IFL_L2ID], "-"));
	fmt_flags(tb[NSDP_A_IFL_FLAGS] ? nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]) : 0, buf, sizeof(buf));
	out_table_cell(t, L_FLAGS, "%s", buf);
	fmt_families(tb[NSDP_A_IFL_FAMILIES] ? nsdp_get_u8(tb[NSDP_A_IFL_FAMILIES]) : 0, buf,
		     sizeof(buf));
	out_table_cell(t, L_FAMS, "%s", buf);
	return 0;
}

static int
ifl_print(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	char flags[64], fams[64];

	(void)nlh, (void)arg;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		ifl_json(&ctx->js, tb);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
		return 0;
	}
	fmt_flags(tb[NSDP_A_IFL_FLAGS] ? nsdp_get_u16(tb[NSDP_A_IFL_FLAGS]) : 0, flags, sizeof(flags));
	fmt_families(tb[NSDP_A_IFL_FAMILIES] ? nsdp_get_u8(tb[NSDP_A_IFL_FAMILIES]) : 0, fams,
		     sizeof(fams));
	fprintf(ctx->out, "%s  index %u  parent %s  l2id %s  %s  families %s\n",
		str_or(tb[NSDP_A_IFL_NAME], "?"),
		tb[NSDP_A_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFL_INDEX]) : 0,
		str_or(tb[NSDP_A_IFL_PARENT], "?"), str_or(tb[NSDP_A_IFL_L2ID], "-"), flags, fams);
	if (tb[NSDP_A_IFL_PATH])
		fprintf(ctx->out, "  demux key %s\n", nsdp_get_str(tb[NSDP_A_IFL_PATH]));
	if (tb[NSDP_A_IFL_RX_PACKETS])
		fprintf(ctx->out, "  rx %" PRIu64 " packets %" PRIu64 " bytes  tx %" PRIu64
			" packets %" PRIu64 " bytes\n",
			nsdp_get_u64(tb[NSDP_A_IFL_RX_PACKETS]),
			tb[NSDP_A_IFL_RX_BYTES] ? nsdp_get_u64(tb[NSDP_A_IFL_RX_BYTES]) : 0,
			tb[NSDP_A_IFL_TX_PACKETS] ? nsdp_get_u64(tb[NSDP_A_IFL_TX_PACKETS]) : 0,
			tb[NSDP_A_IFL_TX_BYTES] ? nsdp_get_u64(tb[NSDP_A_IFL_TX_BYTES]) : 0);
	return 0;
}

static int
ifl_show_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct nsctl_req *req;
	int rc;

	if (argc == 0) {
		static const char *const hdr[L_NB] = { "INDEX", "NAME", "PARENT", "L2ID", "FLAGS",
						       "FAMILIES" };
		struct out_table *t = out_table_new(L_NB);

		if (t == NULL)
			return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
		for (unsigned c = 0; c < L_NB; c++)
			out_table_col(t, c, hdr[c], c == L_INDEX ? OUT_RIGHT : OUT_LEFT);
		return nsctl_dump_table(ctx, NSDP_OBJ_IFL, ifl_row, t);
	}
	rc = nsctl_no_more(ctx, argc, argv, 1);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFL, NSDP_OP_GET), 0);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFL_NAME, argv[0]);
	return nsctl_req_send(ctx, req, ifl_print, NULL);
}

/* --- iff ---------------------------------------------------------------------------- */

static int
iff_request(struct nsctl_ctx *ctx, int argc, char **argv, uint8_t op, bool settings)
{
	struct nsctl_req *req;
	uint8_t fam = 0;
	int rc, i;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifl name");
	if (argc < 2)
		return nsctl_err_missing(ctx, "a family (inet, inet6, bridge)");
	rc = parse_family(ctx, &argv[1], 2, &fam);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFF, op), op == NSDP_OP_GET ? 0 : NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFF_IFL, argv[0]);
	nsctl_req_mark(ctx, req, &argv[1]);
	nsdp_put_u8(&req->b, NSDP_A_IFF_FAMILY, fam);
	for (i = 2; settings && i < argc; i += 2) {
		static const struct { const char *w; uint16_t attr; unsigned long max; } kw[] = {
			{ "table", NSDP_A_IFF_TABLE, 4095 },
			{ "mtu", NSDP_A_IFF_MTU, 65535 },
			{ "in-filter", NSDP_A_IFF_IN_FILTER, UINT32_MAX },
			{ "out-filter", NSDP_A_IFF_OUT_FILTER, UINT32_MAX },
		};
		unsigned k;
		unsigned long v;

		/* A flag without a value: the inet6 iff gets no link-local address. */
		if (op == NSDP_OP_ADD && strcmp(argv[i], "no-link-local") == 0) {
			if (fam != 1)
				return nsctl_err_word(ctx, &argv[i],
						      "no-link-local applies to inet6 only");
			nsctl_req_mark(ctx, req, &argv[i]);
			nsdp_put_u8(&req->b, NSDP_A_IFF_NO_LINK_LOCAL, 1);
			i--;
			continue;
		}
		for (k = 0; k < (sizeof(kw) / sizeof(kw[0])); k++)
			if (strcmp(argv[i], kw[k].w) == 0)
				break;
		if (k == (sizeof(kw) / sizeof(kw[0])))
			return nsctl_err_word(ctx, &argv[i],
					      "unknown setting '%s' (table, mtu, in-filter, out-filter)",
					      argv[i]);
		rc = need_value(ctx, argc, i, kw[k].w);
		if (rc == 0)
			rc = parse_ul(ctx, &argv[i + 1], kw[k].max, "a number", &v);
		if (rc != 0)
			return rc;
		nsctl_req_mark(ctx, req, &argv[i + 1]);
		if (kw[k].attr == NSDP_A_IFF_MTU)
			nsdp_put_u16(&req->b, kw[k].attr, (uint16_t)v);
		else
			nsdp_put_u32(&req->b, kw[k].attr, (uint32_t)v);
	}
	if (!settings) {
		rc = nsctl_no_more(ctx, argc, argv, 2);
		if (rc != 0)
			return rc;
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
iff_add_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return iff_request(ctx, argc, argv, NSDP_OP_ADD, true);
}

static int
iff_set_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	if (argc == 2)
		return nsctl_err_missing(ctx, "a setting (table, mtu, in-filter, out-filter)");
	return iff_request(ctx, argc, argv, NSDP_OP_CHANGE, true);
}

static int
iff_del_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return iff_request(ctx, argc, argv, NSDP_OP_DELETE, false);
}

enum { F_IFL, F_INDEX, F_FAM, F_TABLE, F_MTU, F_INF, F_OUTF, F_ADDRS, F_NB };

static int
iff_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	unsigned f = tb[NSDP_A_IFF_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFF_FAMILY]) : 0;

	(void)nlh;
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "ifl", str_or(tb[NSDP_A_IFF_IFL], ""));
		out_json_ku64(&ctx->js, "ifl_index",
			      tb[NSDP_A_IFF_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFF_IFL_INDEX]) : 0);
		out_json_kstr(&ctx->js, "family", f < 3 ? family_names[f] : "?");
		out_json_ku64(&ctx->js, "table", tb[NSDP_A_IFF_TABLE] ? nsdp_get_u32(tb[NSDP_A_IFF_TABLE]) : 0);
		out_json_ku64(&ctx->js, "mtu", tb[NSDP_A_IFF_MTU] ? nsdp_get_u16(tb[NSDP_A_IFF_MTU]) : 0);
		out_json_ku64(&ctx->js, "in_filter",
			      tb[NSDP_A_IFF_IN_FILTER] ? nsdp_get_u32(tb[NSDP_A_IFF_IN_FILTER]) : 0);
		out_json_ku64(&ctx->js, "out_filter",
			      tb[NSDP_A_IFF_OUT_FILTER] ? nsdp_get_u32(tb[NSDP_A_IFF_OUT_FILTER]) : 0);
		out_json_ku64(&ctx->js, "caps", tb[NSDP_A_IFF_CAPS] ? nsdp_get_u32(tb[NSDP_A_IFF_CAPS]) : 0);
		out_json_ku64(&ctx->js, "addresses",
			      tb[NSDP_A_IFF_ADDRS] ? nsdp_get_u32(tb[NSDP_A_IFF_ADDRS]) : 0);
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, F_IFL, "%s", str_or(tb[NSDP_A_IFF_IFL], "?"));
	out_table_cell(t, F_INDEX, "%u", tb[NSDP_A_IFF_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFF_IFL_INDEX]) : 0);
	out_table_cell(t, F_FAM, "%s", f < 3 ? family_names[f] : "?");
	out_table_cell(t, F_TABLE, "%u", tb[NSDP_A_IFF_TABLE] ? nsdp_get_u32(tb[NSDP_A_IFF_TABLE]) : 0);
	out_table_cell(t, F_MTU, "%u", tb[NSDP_A_IFF_MTU] ? nsdp_get_u16(tb[NSDP_A_IFF_MTU]) : 0);
	out_table_cell(t, F_INF, "%u", tb[NSDP_A_IFF_IN_FILTER] ? nsdp_get_u32(tb[NSDP_A_IFF_IN_FILTER]) : 0);
	out_table_cell(t, F_OUTF, "%u", tb[NSDP_A_IFF_OUT_FILTER] ? nsdp_get_u32(tb[NSDP_A_IFF_OUT_FILTER]) : 0);
	out_table_cell(t, F_ADDRS, "%u", tb[NSDP_A_IFF_ADDRS] ? nsdp_get_u32(tb[NSDP_A_IFF_ADDRS]) : 0);
	return 0;
}

static int
iff_show_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	static const char *const hdr[F_NB] = { "IFL", "INDEX", "FAMILY", "TABLE", "MTU",
					       "IN-FILTER", "OUT-FILTER", "ADDRS" };
	struct out_table *t;
	int rc = nsctl_no_more(ctx, argc, argv, 0);

	if (rc != 0)
		return rc;
	t = out_table_new(F_NB);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	for (unsigned c = 0; c < F_NB; c++)
		out_table_col(t, c, hdr[c], c == F_IFL || c == F_FAM ? OUT_LEFT : OUT_RIGHT);
	return nsctl_dump_table(ctx, NSDP_OBJ_IFF, iff_row, t);
}

/* --- ifa ---------------------------------------------------------------------------- */

static int
parse_addr(struct nsctl_ctx *ctx, char *const *w, uint8_t fam, uint8_t out[16], int *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long l;

	snprintf(buf, sizeof(buf), "%s", *w);
	slash = strchr(buf, '/');
	*len = -1;
	if (slash != NULL) {
		char *end;

		*slash = '\0';
		l = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || l > (fam == 1 ? 128u : 32u))
			return nsctl_err_word(ctx, w, "'%s': bad prefix length", *w);
		*len = (int)l;
	}
	memset(out, 0, 16);
	if (inet_pton(fam == 1 ? AF_INET6 : AF_INET, buf, out) != 1)
		return nsctl_err_word(ctx, w, "'%s' is not an %s address", *w, family_names[fam]);
	return 0;
}

static int
ifa_request(struct nsctl_ctx *ctx, int argc, char **argv, uint8_t op)
{
	uint8_t fam = 0, local[16], dest[16];
	int rc, i, len, dlen = -1, local_at = -1, dest_at = -1;
	struct nsctl_req *req;

	if (argc < 1)
		return nsctl_err_missing(ctx, "an ifl name");
	if (argc < 2)
		return nsctl_err_missing(ctx, "a family (inet, inet6)");
	rc = parse_family(ctx, &argv[1], 1, &fam);
	if (rc != 0)
		return rc;
	if (argc < 3)
		return nsctl_err_missing(ctx, "an address (ADDR/LEN, or local ADDR and/or dest ADDR)");
	if (strcmp(argv[2], "local") != 0 && strcmp(argv[2], "dest") != 0) {
		/* ADDR/LEN: local address in its subnet; ADDR alone: local only. */
		rc = parse_addr(ctx, &argv[2], fam, local, &len);
		if (rc != 0)
			return rc;
		local_at = 2;
		if (len >= 0) {
			memcpy(dest, local, 16);
			dest_at = 2;
			dlen = len;
		}
		i = 3;
	} else {
		for (i = 2; i + 1 < argc + 1 && i < argc; i += 2) {
			bool is_local = strcmp(argv[i], "local") == 0;

			if (!is_local && strcmp(argv[i], "dest") != 0)
				break;
			rc = need_value(ctx, argc, i, is_local ? "a local address" : "a destination");
			if (rc == 0)
				rc = parse_addr(ctx, &argv[i + 1], fam, is_local ? local : dest, &len);
			if (rc != 0)
				return rc;
			if (is_local) {
				if (len >= 0 && len != (fam == 1 ? 128 : 32))
					return nsctl_err_word(ctx, &argv[i + 1],
							      "a local address is a host address");
				local_at = i + 1;
			} else {
				dest_at = i + 1;
				dlen = len;
			}
		}
	}
	rc = nsctl_no_more(ctx, argc, argv, i);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, NSDP_MSG_TYPE(NSDP_OBJ_IFA, op), NLM_F_ACK);
	if (req == NULL)
		return NSCTL_FAIL;
	nsctl_req_mark(ctx, req, &argv[0]);
	nsdp_put_str(&req->b, NSDP_A_IFA_IFL, argv[0]);
	nsctl_req_mark(ctx, req, &argv[1]);
	nsdp_put_u8(&req->b, NSDP_A_IFA_FAMILY, fam);
	if (local_at >= 0) {
		nsctl_req_mark(ctx, req, &argv[local_at]);
		nsdp_put_bin(&req->b, NSDP_A_IFA_LOCAL, local, 16);
	}
	if (dest_at >= 0) {
		nsctl_req_mark(ctx, req, &argv[dest_at]);
		nsdp_put_bin(&req->b, NSDP_A_IFA_DEST, dest, 16);
		nsdp_put_u8(&req->b, NSDP_A_IFA_DEST_LEN,
			    (uint8_t)(dlen >= 0 ? dlen : fam == 1 ? 128 : 32));
	}
	return nsctl_req_send(ctx, req, NULL, NULL);
}

static int
ifa_add_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return ifa_request(ctx, argc, argv, NSDP_OP_ADD);
}

static int
ifa_del_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	return ifa_request(ctx, argc, argv, NSDP_OP_DELETE);
}

static int
ifa_row(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	struct out_table *t = arg;
	unsigned f = tb[NSDP_A_IFA_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFA_FAMILY]) : 0;
	int af = f == 1 ? AF_INET6 : AF_INET;
	char a[160], l[INET6_ADDRSTRLEN] = "", d[INET6_ADDRSTRLEN] = "";

	(void)nlh;
	fmt_ifa(tb, a, sizeof(a));
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "ifl", str_or(tb[NSDP_A_IFA_IFL], ""));
		out_json_ku64(&ctx->js, "ifl_index",
			      tb[NSDP_A_IFA_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFA_IFL_INDEX]) : 0);
		out_json_kstr(&ctx->js, "family", f < 3 ? family_names[f] : "?");
		if (tb[NSDP_A_IFA_LOCAL]) {
			inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_IFA_LOCAL]), l, sizeof(l));
			out_json_kstr(&ctx->js, "local", l);
		}
		if (tb[NSDP_A_IFA_DEST]) {
			inet_ntop(af, mnl_attr_get_payload(tb[NSDP_A_IFA_DEST]), d, sizeof(d));
			out_json_kstr(&ctx->js, "dest", d);
			out_json_ku64(&ctx->js, "dest_len",
				      tb[NSDP_A_IFA_DEST_LEN] ? nsdp_get_u8(tb[NSDP_A_IFA_DEST_LEN]) : 0);
		}
		out_json_obj_end(&ctx->js);
		return 0;
	}
	if (out_table_row(t) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_cell(t, 0, "%s", str_or(tb[NSDP_A_IFA_IFL], "?"));
	out_table_cell(t, 1, "%s", f < 3 ? family_names[f] : "?");
	out_table_cell(t, 2, "%s", a);
	return 0;
}

static int
ifa_show_cmd(struct nsctl_ctx *ctx, int argc, char **argv)
{
	struct out_table *t;
	int rc = nsctl_no_more(ctx, argc, argv, 0);

	if (rc != 0)
		return rc;
	t = out_table_new(3);
	if (t == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "out of memory");
	out_table_col(t, 0, "IFL", OUT_LEFT);
	out_table_col(t, 1, "FAMILY", OUT_LEFT);
	out_table_col(t, 2, "ADDRESS", OUT_LEFT);
	return nsctl_dump_table(ctx, NSDP_OBJ_IFA, ifa_row, t);
}

/* --- monitor ------------------------------------------------------------------------- */

static int
ifcfg_event(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, const struct nlattr **tb, void *arg)
{
	unsigned obj = NSDP_MSG_OBJ(nlh->nlmsg_type);
	const char *op = nsdp_op_name(NSDP_MSG_OP(nlh->nlmsg_type));
	const char *oname = nsdp_obj_name(obj);
	char text[200] = "";

	(void)arg;
	switch (obj) {
	case NSDP_OBJ_IFD:
		snprintf(text, sizeof(text), "%s index %u", str_or(tb[NSDP_A_IFD_NAME], "?"),
			 tb[NSDP_A_IFD_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFD_INDEX]) : 0);
		break;
	case NSDP_OBJ_IFL:
		snprintf(text, sizeof(text), "%s index %u l2id %s", str_or(tb[NSDP_A_IFL_NAME], "?"),
			 tb[NSDP_A_IFL_INDEX] ? nsdp_get_u32(tb[NSDP_A_IFL_INDEX]) : 0,
			 str_or(tb[NSDP_A_IFL_L2ID], "-"));
		break;
	case NSDP_OBJ_IFF: {
		unsigned f = tb[NSDP_A_IFF_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFF_FAMILY]) : 0;

		snprintf(text, sizeof(text), "%s %s table %u", str_or(tb[NSDP_A_IFF_IFL], "?"),
			 f < 3 ? family_names[f] : "?",
			 tb[NSDP_A_IFF_TABLE] ? nsdp_get_u32(tb[NSDP_A_IFF_TABLE]) : 0);
		break;
	}
	default: {
		unsigned f = tb[NSDP_A_IFA_FAMILY] ? nsdp_get_u8(tb[NSDP_A_IFA_FAMILY]) : 0;
		char a[160];

		fmt_ifa(tb, a, sizeof(a));
		snprintf(text, sizeof(text), "%s %s %s", str_or(tb[NSDP_A_IFA_IFL], "?"),
			 f < 3 ? family_names[f] : "?", a);
		break;
	}
	}
	if (ctx->json) {
		out_json_obj_begin(&ctx->js);
		out_json_kstr(&ctx->js, "object", oname ? oname : "?");
		out_json_kstr(&ctx->js, "event", op ? op : "?");
		out_json_kstr(&ctx->js, "what", text);
		out_json_obj_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	} else {
		fprintf(ctx->out, "%s %s %s\n", oname ? oname : "?", op ? op : "?", text);
	}
	return 0;
}

static const struct nsctl_cmd ifcfg_cmds[] = {
	{ "ifd", "add", ifd_add_cmd,
	  "ifd add NAME [port PORT]\n"
	  "Add an ifd: NAME is a driver name and a unit (tap0) bound to one of the\n"
	  "driver's ports, or PARENT:UNIT for a channel of a channelized ifd." },
	{ "ifd", "del", ifd_del_cmd,
	  "ifd del NAME\n"
	  "Delete an ifd and everything configured on it." },
	{ "ifd", "set", ifd_set_cmd,
	  "ifd set NAME [mac MAC] [mtu MTU] [up|down] [encap ENCAP]\n"
	  "Change an ifd. Down unbinds its demux table and takes the link down;\n"
	  "changing the encapsulation deletes everything on the ifd first." },
	{ "ifd", "show", ifd_show_cmd,
	  "ifd show [NAME]\n"
	  "List the ifds, or show one with the tree of ifls, families and\n"
	  "addresses configured on it." },
	{ "ifl", "add", ifl_add_cmd,
	  "ifl add NAME [outer TPID:VID]... [vlan VID] | [pppoe SESSION peer MAC] [p2p] [nbma] [link-down]\n"
	  "Add an ifl PARENT.UNIT on an ifd or an ifl. Its L2_ID is a tag stack\n"
	  "(outer tags outermost first, then the 802.1Q VLAN tag) or a PPPoE session." },
	{ "ifl", "del", ifl_del_cmd,
	  "ifl del NAME\n"
	  "Delete an ifl and everything configured on it (a bare name means unit 0)." },
	{ "ifl", "set", ifl_set_cmd,
	  "ifl set NAME [p2p|nbma|multiaccess] [link-down|link-up]\n"
	  "Change an ifl's flags." },
	{ "ifl", "show", ifl_show_cmd,
	  "ifl show [NAME]\n"
	  "List the ifls (index, parent, L2_ID, flags, families) or show one." },
	{ "iff", "add", iff_add_cmd,
	  "iff add IFL FAMILY [table N] [mtu M] [in-filter F] [out-filter F] [no-link-local]\n"
	  "Add a protocol family (inet, inet6, bridge) on an ifl; installs its\n"
	  "demux entries. inet6 also gets its fe80::/64 EUI-64 link-local\n"
	  "address unless no-link-local is given." },
	{ "iff", "set", iff_set_cmd,
	  "iff set IFL FAMILY [table N] [mtu M] [in-filter F] [out-filter F]\n"
	  "Change a family; the table changes only while it has no addresses.\n"
	  "mtu 0 follows the ifd's MTU again." },
	{ "iff", "del", iff_del_cmd,
	  "iff del IFL FAMILY\n"
	  "Delete a family with its addresses and demux entries." },
	{ "iff", "show", iff_show_cmd,
	  "iff show\n"
	  "List the families configured on ifls." },
	{ "ifa", "add", ifa_add_cmd,
	  "ifa add IFL FAMILY ADDR[/LEN] | [local ADDR] [dest ADDR[/LEN]]\n"
	  "Add an address: ADDR/LEN is a local address in its subnet (multiaccess),\n"
	  "ADDR alone a local address, local/dest the two ends of a point-to-point ifl." },
	{ "ifa", "del", ifa_del_cmd,
	  "ifa del IFL FAMILY ADDR[/LEN] | [local ADDR] [dest ADDR[/LEN]]\n"
	  "Delete an address and the routes it installed." },
	{ "ifa", "show", ifa_show_cmd,
	  "ifa show\n"
	  "List the addresses configured on families." },
};
NSCTL_REGISTER(ifcfg_cmds)

static const struct nsctl_event ifd_ev = { NSDP_OBJ_IFD, ifcfg_event };
static const struct nsctl_event ifl_ev = { NSDP_OBJ_IFL, ifcfg_event };
static const struct nsctl_event iff_ev = { NSDP_OBJ_IFF, ifcfg_event };
static const struct nsctl_event ifa_ev = { NSDP_OBJ_IFA, ifcfg_event };

static void __attribute__((constructor))
ifcfg_event_register(void)
{
	nsctl_register_event(&ifd_ev);
	nsctl_register_event(&ifl_ev);
	nsctl_register_event(&iff_ev);
	nsctl_register_event(&ifa_ev);
}
