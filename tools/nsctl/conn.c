/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.c: the connection to nsdp (conn.h) and the requests nsctl sends
 * over it (nsctl.h): handshake, the window of requests in flight matched
 * to replies by sequence number, dumps resumed from the LAST key, error
 * replies reported against the word an attribute came from.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn.h"
#include "nsctl.h"

int
conn_set_timeout(struct nsctl_conn *c, unsigned ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

uint32_t
conn_seq(struct nsctl_conn *c)
{
	if (c->next_seq == 0)
		c->next_seq = 1;
	return c->next_seq++;
}

int
conn_send(struct nsctl_conn *c, const void *msg, size_t len, struct nsdp_err *err)
{
	ssize_t n;

	do
		n = send(c->fd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return nsdp_err_set(err, errno, 0, "cannot send to nsdp: %s", strerror(errno));
	if ((size_t)n != len)
		return nsdp_err_set(err, EIO, 0, "short send to nsdp (%zd of %zu bytes)", n, len);
	return 0;
}

int
conn_recv(struct nsctl_conn *c, const struct nlmsghdr **out, struct nsdp_err *err)
{
	struct nlmsghdr *nlh;
	ssize_t n;
	int rc;

	if (c->roff >= c->rlen) {
		c->rlen = c->roff = 0;
		n = recv(c->fd, c->rbuf, sizeof(c->rbuf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			return nsdp_err_set(err, EINTR, 0, "interrupted");
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return nsdp_err_set(err, ETIMEDOUT, 0, "no reply from nsdp within %u s",
					    NSCTL_REPLY_TIMEOUT_MS / 1000);
		if (n < 0)
			return nsdp_err_set(err, errno, 0, "cannot receive from nsdp: %s",
					    strerror(errno));
		if (n == 0)
			return nsdp_err_set(err, ECONNRESET, 0, "nsdp closed the connection");
		if ((size_t)n > sizeof(c->rbuf))
			return nsdp_err_set(err, EMSGSIZE, 0,
					    "nsdp sent a %zd-byte datagram, larger than %zu", n,
					    sizeof(c->rbuf));
		rc = nsdp_wire_to_host(c->rbuf, (size_t)n, err);
		if (rc < 0)
			return rc;
		c->rlen = (size_t)n;
	}
	/* nsdp_wire_to_host() checked every length in the datagram. */
	nlh = (struct nlmsghdr *)(c->rbuf + c->roff);
	c->roff += NLMSG_ALIGN(nlh->nlmsg_len);
	*out = nlh;
	return 0;
}

int
conn_decode_error(const struct nlmsghdr *nlh, struct nsdp_err *e)
{
	const struct nlattr *tb[NSDP_TB_MAX] = { 0 };
	struct nsdp_err perr = { 0 };

	memset(e, 0, sizeof(*e));
	if (nsdp_parse(nlh, nsdp_msg_policy(NLMSG_ERROR), tb, &perr) < 0 || tb[NSDP_A_ERR_ERRNO] == NULL) {
		nsdp_err_set(e, EBADMSG, 0, "malformed error reply from nsdp: %s",
			     perr.errnum ? perr.msg : "no errno");
		return -EBADMSG;
	}
	e->errnum = (int)nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]);
	if (tb[NSDP_A_ERR_OFFSET] != NULL)
		e->offset = nsdp_get_u32(tb[NSDP_A_ERR_OFFSET]);
	if (tb[NSDP_A_ERR_MSG] != NULL)
		snprintf(e->msg, sizeof(e->msg), "%s", nsdp_get_str(tb[NSDP_A_ERR_MSG]));
	else if (e->errnum != 0)
		snprintf(e->msg, sizeof(e->msg), "%s", strerror(e->errnum));
	return 0;
}

int
conn_decode_done(const struct nlmsghdr *nlh, bool *more, const struct nlattr **last,
		 uint32_t *count, struct nsdp_err *err)
{
	const struct nlattr *tb[NSDP_TB_MAX] = { 0 };

	if (nsdp_parse(nlh, nsdp_msg_policy(NLMSG_DONE), tb, err) < 0)
		return -EBADMSG;
	*more = tb[NSDP_A_DONE_MORE] != NULL && nsdp_get_u8(tb[NSDP_A_DONE_MORE]) != 0;
	*last = tb[NSDP_A_DONE_LAST];
	*count = tb[NSDP_A_DONE_COUNT] != NULL ? nsdp_get_u32(tb[NSDP_A_DONE_COUNT]) : 0;
	if (*more && *last == NULL)
		return nsdp_err_set(err, EBADMSG, 0, "nsdp said the dump has more but sent no key");
	return 0;
}

static int
hello(struct nsctl_conn *c, struct nsdp_err *err)
{
	const struct nlattr *tb[NSDP_TB_MAX] = { 0 };
	const struct nsdp_policy *pol;
	const struct nlmsghdr *nlh;
	struct nsdp_builder b;
	char buf[256];
	uint32_t seq = conn_seq(c);
	int len, rc;

	nsdp_msg_start(&b, buf, sizeof(buf), NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET),
		       NLM_F_REQUEST, seq);
	nsdp_put_u32(&b, NSDP_A_HELLO_VERSION, NSDP_PROTO_VERSION);
	nsdp_put_str(&b, NSDP_A_HELLO_NAME, "nsctl " NSCTL_VERSION);
	nsdp_put_u32(&b, NSDP_A_HELLO_MAX_MSG, NSCTL_RBUF_SIZE);
	len = nsdp_msg_end(&b);
	if (len < 0)
		return nsdp_err_set(err, -len, 0, "cannot build HELLO");
	rc = conn_send(c, buf, (size_t)len, err);
	if (rc < 0)
		return rc;
	for (;;) {
		rc = conn_recv(c, &nlh, err);
		if (rc < 0)
			return rc;
		if (nlh->nlmsg_seq == 0)
			continue; /* not subscribed yet; nothing should come */
		if (nlh->nlmsg_seq != seq)
			return nsdp_err_set(err, EPROTO, 0, "nsdp answered HELLO with seq %u, not %u",
					    nlh->nlmsg_seq, seq);
		break;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nsdp_err e;

		if (conn_decode_error(nlh, &e) < 0 || e.errnum == 0)
			return nsdp_err_set(err, EPROTO, 0, "nsdp did not answer HELLO");
		return nsdp_err_set(err, e.errnum, 0, "nsdp refused the handshake: %s", e.msg);
	}
	if (NSDP_MSG_OBJ(nlh->nlmsg_type) != NSDP_OBJ_HELLO)
		return nsdp_err_set(err, EPROTO, 0, "nsdp answered HELLO with message type %u",
				    nlh->nlmsg_type);
	pol = nsdp_msg_policy(nlh->nlmsg_type);
	if (pol == NULL || nsdp_parse(nlh, pol, tb, err) < 0)
		return nsdp_err_set(err, EPROTO, 0, "malformed HELLO reply from nsdp: %s", err->msg);
	if (tb[NSDP_A_HELLO_VERSION] != NULL)
		c->server_version = nsdp_get_u32(tb[NSDP_A_HELLO_VERSION]);
	if (tb[NSDP_A_HELLO_MAX_MSG] != NULL)
		c->server_max_msg = nsdp_get_u32(tb[NSDP_A_HELLO_MAX_MSG]);
	if (tb[NSDP_A_HELLO_NAME] != NULL)
		snprintf(c->server_name, sizeof(c->server_name), "%s",
			 nsdp_get_str(tb[NSDP_A_HELLO_NAME]));
	if (c->server_version != NSDP_PROTO_VERSION)
		return nsdp_err_set(err, EPROTONOSUPPORT, 0,
				    "nsdp speaks protocol version %u, nsctl speaks %u",
				    c->server_version, NSDP_PROTO_VERSION);
	return 0;
}

int
conn_open(struct nsctl_conn *c, const char *path, struct nsdp_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int rc;

	c->fd = -1;
	c->rlen = c->roff = 0;
	if (strlen(path) >= sizeof(sun.sun_path))
		return nsdp_err_set(err, ENAMETOOLONG, 0, "socket path '%s' is too long", path);
	strcpy(sun.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return nsdp_err_set(err, errno, 0, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = errno;
		conn_close(c);
		return nsdp_err_set(err, rc, 0, "cannot connect to %s: %s%s", path, strerror(rc),
				    rc == ENOENT || rc == ECONNREFUSED ? " (is nsdp running?)" : "");
	}
	conn_set_timeout(c, NSCTL_REPLY_TIMEOUT_MS);
	rc = hello(c, err);
	if (rc < 0)
		conn_close(c);
	return rc;
}

void
conn_close(struct nsctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* ---- requests ---------------------------------------------------------- */

int
nsctl_connect(struct nsctl_ctx *ctx)
{
	struct nsdp_err err = { 0 };

	if (ctx->connected)
		return 0;
	if (conn_open(&ctx->conn, ctx->sock_path, &err) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
	ctx->connected = true;
	return 0;
}

static struct nsctl_req *
win_at(struct nsctl_ctx *ctx, unsigned i)
{
	return &ctx->win[(ctx->head + i) % NSCTL_WINDOW];
}

/* Report @e (from nsdp) against the request it answers. */
static int
req_report(struct nsctl_ctx *ctx, struct nsctl_req *req, const struct nsdp_err *e)
{
	const struct nsctl_line *saved_line = ctx->line;
	const char *saved_what = ctx->what;
	int word = -1;
	unsigned i;

	ctx->line = &req->line;
	ctx->what = req->what;
	/* The mark at or before the offending offset names the word. */
	if (e->offset != 0)
		for (i = 0; i < req->nmarks; i++)
			if (req->marks[i].off <= e->offset)
				word = req->marks[i].word;
	if (word >= 0)
		nsctl_err_word(ctx, &req->line.words[word], "%s", e->msg);
	else
		nsctl_err(ctx, NSCTL_FAIL, "%s", e->msg);
	ctx->line = saved_line;
	ctx->what = saved_what;
	return NSCTL_FAIL;
}

static void
req_finish(struct nsctl_ctx *ctx)
{
	win_at(ctx, 0)->busy = false;
	ctx->head = (ctx->head + 1) % NSCTL_WINDOW;
	ctx->count--;
}

/* Build and send the next GETNEXT of a dump, after @last (NULL: from the start). */
static int
dump_send(struct nsctl_ctx *ctx, struct nsctl_req *req, const struct nlattr *last)
{
	struct nsdp_err err = { 0 };
	const struct nlattr *a;
	int len;

	req->seq = conn_seq(&ctx->conn);
	nsdp_msg_start(&req->b, req->buf, sizeof(req->buf), req->type, NLM_F_REQUEST, req->seq);
	if (last != NULL) {
		/* The key is the LAST nest's attributes, payloads already big-endian. */
		mnl_attr_for_each_nested(a, last)
			nsdp_put_bin(&req->b, a->nla_type, mnl_attr_get_payload(a),
				     mnl_attr_get_payload_len(a));
	}
	len = nsdp_msg_end(&req->b);
	if (len < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "dump key does not fit in a request");
	if (conn_send(&ctx->conn, req->buf, (size_t)len, &err) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
	return 0;
}

static int
handle_obj(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh, nsctl_reply_fn fn, void *arg)
{
	const struct nlattr *tb[NSDP_TB_MAX] = { 0 };
	const struct nsdp_policy *pol = nsdp_msg_policy(nlh->nlmsg_type);
	struct nsdp_err err = { 0 };

	if (pol == NULL)
		return nsctl_err(ctx, NSCTL_FAIL, "nsdp sent a message of unknown type %u",
				 nlh->nlmsg_type);
	if (nsdp_parse(nlh, pol, tb, &err) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "malformed %s message from nsdp: %s",
				 pol->name ? pol->name : "object", err.msg);
	return fn != NULL ? fn(ctx, nlh, tb, arg) : 0;
}

/* Handle one received message. 0, or an exit status (reported). */
static int
handle_msg(struct nsctl_ctx *ctx, const struct nlmsghdr *nlh)
{
	struct nsctl_req *req = ctx->count ? win_at(ctx, 0) : NULL;
	struct nsdp_err e;

	if (nlh->nlmsg_type == NLMSG_OVERRUN) {
		fprintf(stderr, "nsctl: monitor: nsdp dropped notifications for this "
				"client; resync with 'nsctl OBJECT list'\n");
		return 0;
	}
	if (nlh->nlmsg_seq == 0) {
		if (ctx->on_notify == NULL || nlh->nlmsg_type < NLMSG_MIN_TYPE)
			return 0;
		return handle_obj(ctx, nlh, ctx->on_notify, ctx->notify_arg);
	}
	if (req == NULL || nlh->nlmsg_seq != req->seq) {
		/* An ack nobody waits for (a GET answered with object + ack) is harmless. */
		if (nlh->nlmsg_type == NLMSG_ERROR && conn_decode_error(nlh, &e) == 0 &&
		    e.errnum == 0)
			return 0;
		return nsctl_err(ctx, NSCTL_FAIL, "nsdp sent a reply with seq %u, expected %u",
				 nlh->nlmsg_seq, req ? req->seq : 0);
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (conn_decode_error(nlh, &e) < 0)
			return nsctl_err(ctx, NSCTL_FAIL, "%s", e.msg);
		req_finish(ctx);
		return e.errnum != 0 ? req_report(ctx, req, &e) : 0;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		const struct nlattr *last;
		uint32_t count;
		bool more;

		if (!req->dump)
			return nsctl_err(ctx, NSCTL_FAIL, "nsdp ended a dump nobody asked for");
		if (conn_decode_done(nlh, &more, &last, &count, &e) < 0)
			return nsctl_err(ctx, NSCTL_FAIL, "malformed dump end from nsdp: %s", e.msg);
		if (more)
			return dump_send(ctx, req, last);
		req_finish(ctx);
		return 0;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return nsctl_err(ctx, NSCTL_FAIL, "nsdp sent control message type %u",
				 nlh->nlmsg_type);
	{
		const struct nsctl_line *saved_line = ctx->line;
		const char *saved_what = ctx->what;
		int rc;

		ctx->line = &req->line;
		ctx->what = req->what;
		rc = handle_obj(ctx, nlh, req->on_obj, req->arg);
		ctx->line = saved_line;
		ctx->what = saved_what;
		if (rc != 0)
			return rc;
	}
	/* A GET is answered by its object; writes and dumps end otherwise. */
	if (!req->write && !req->dump)
		req_finish(ctx);
	return 0;
}

static int
recv_one(struct nsctl_ctx *ctx)
{
	const struct nlmsghdr *nlh;
	struct nsdp_err err = { 0 };

	bool receiving = ctx->receiving;
	int rc;

	/* Errors found while handling a reply are reported at once: see
	 * earlier_failure() in main.c. */
	ctx->receiving = true;
	if (conn_recv(&ctx->conn, &nlh, &err) < 0)
		rc = nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
	else
		rc = handle_msg(ctx, nlh);
	ctx->receiving = receiving;
	return rc;
}

int
nsctl_drain(struct nsctl_ctx *ctx)
{
	int rc;

	if (ctx->flush != NULL) {
		rc = ctx->flush(ctx);
		if (rc != 0)
			return rc;
	}
	while (ctx->count > 0) {
		rc = recv_one(ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
nsctl_receive_loop(struct nsctl_ctx *ctx, bool (*stop)(void *arg), void *arg)
{
	const struct nlmsghdr *nlh;
	struct nsdp_err err = { 0 };
	int rc;

	while (!stop(arg)) {
		rc = conn_recv(&ctx->conn, &nlh, &err);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
		ctx->receiving = true;
		rc = handle_msg(ctx, nlh);
		ctx->receiving = false;
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct nsctl_req *
nsctl_req_new(struct nsctl_ctx *ctx, uint16_t type, uint16_t flags)
{
	struct nsctl_req *req;

	if (ctx->flush != NULL && ctx->flush(ctx) != 0)
		return NULL;
	/* A full window: wait for the oldest reply (its slot is the one we reuse). */
	while (ctx->count == NSCTL_WINDOW)
		if (recv_one(ctx) != 0)
			return NULL;
	req = win_at(ctx, ctx->count);
	req->busy = false;
	req->write = (flags & NLM_F_ACK) != 0;
	req->dump = NSDP_MSG_OP(type) == NSDP_OP_GETNEXT;
	req->type = type;
	req->nmarks = 0;
	req->seq = 0;
	snprintf(req->what, sizeof(req->what), "%s", ctx->what ? ctx->what : "");
	if (ctx->line != NULL)
		req->line = *ctx->line;
	nsdp_msg_start(&req->b, req->buf, sizeof(req->buf), type, NLM_F_REQUEST | flags, 0);
	return req;
}

void
nsctl_req_mark(struct nsctl_ctx *ctx, struct nsctl_req *req, char *const *wordp)
{
	if (req->nmarks == NSCTL_MARKS || ctx->line == NULL)
		return;
	/* nlmsg_len is, while building, where the next attribute starts. */
	req->marks[req->nmarks].off = req->b.nlh->nlmsg_len;
	req->marks[req->nmarks].word = (int)(wordp - (char *const *)ctx->line->words);
	req->nmarks++;
}

int
nsctl_req_send(struct nsctl_ctx *ctx, struct nsctl_req *req, nsctl_reply_fn on_obj, void *arg)
{
	struct nsdp_err err = { 0 };
	int len, rc;

	rc = nsctl_connect(ctx);
	if (rc != 0)
		return rc;
	/* Writes and dumps wait for every earlier reply: a batch must stop at
	 * its first failing line before a later write reaches nsdp. */
	if (req->write || req->dump) {
		rc = nsctl_drain(ctx);
		if (rc != 0)
			return rc;
		/* Every earlier slot is free now: @req, the next slot, is the oldest. */
	}
	req->seq = conn_seq(&ctx->conn);
	req->b.nlh->nlmsg_seq = req->seq;
	req->on_obj = on_obj;
	req->arg = arg;
	len = nsdp_msg_end(&req->b);
	if (len < 0)
		return nsctl_err(ctx, NSCTL_USAGE, "the request does not fit in %d bytes",
				 NSDP_MSG_MAX);
	if (conn_send(&ctx->conn, req->buf, (size_t)len, &err) < 0)
		return nsctl_err(ctx, NSCTL_FAIL, "%s", err.msg);
	req->busy = true;
	ctx->count++;
	/* Outside batch mode every request is answered before the next word is read. */
	if (!ctx->batch || req->write || req->dump)
		return nsctl_drain(ctx);
	return 0;
}

int
nsctl_dump(struct nsctl_ctx *ctx, unsigned obj, nsctl_reply_fn on_obj, void *arg)
{
	uint16_t type = NSDP_MSG_TYPE(obj, NSDP_OP_GETNEXT);
	struct nsctl_req *req;
	int rc;

	rc = nsctl_connect(ctx);
	if (rc != 0)
		return rc;
	rc = nsctl_drain(ctx);
	if (rc != 0)
		return rc;
	req = nsctl_req_new(ctx, type, 0);
	if (req == NULL)
		return NSCTL_FAIL;
	req->on_obj = on_obj;
	req->arg = arg;
	rc = dump_send(ctx, req, NULL);
	if (rc != 0)
		return rc;
	req->busy = true;
	ctx->count++;
	return nsctl_drain(ctx);
}

int
nsctl_dump_table(struct nsctl_ctx *ctx, unsigned obj, nsctl_reply_fn on_obj, struct out_table *t)
{
	int rc;

	if (ctx->json)
		out_json_arr_begin(&ctx->js);
	rc = nsctl_dump(ctx, obj, on_obj, t);
	if (ctx->json) {
		out_json_arr_end(&ctx->js);
		out_json_end_doc(&ctx->js);
	} else if (rc == 0) {
		out_table_print(t, ctx->out);
	}
	out_table_free(t);
	return rc;
}
