/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.c: the control protocol server: listening socket, clients, their
 * output queues and dumps, dispatch to the registered handlers.
 *
 * Glossary:
 *   room     bytes a client's output queue may still take (outq_max - queued)
 *   NEED     room required before reading or dispatching a request: one
 *            full message (a reply or a dump part) plus an ack
 *   overrun  a notification did not fit: this one and every later one are
 *            dropped until the queue is half empty, then one NLMSG_OVERRUN
 *            is queued and notifications flow again
 *   ready    a client with work left that the next ctrl_server_process()
 *            must look at even without a socket event (the kick eventfd
 *            keeps the server's epoll fd readable meanwhile)
 *
 * Invariants:
 *   - no call here blocks: every socket is non-blocking, the queue is
 *     bounded, and a client whose queue lacks NEED bytes is neither read
 *     nor served until it drains (its epoll interest is then EPOLLOUT only,
 *     so a stuck client costs nothing);
 *   - a client is freed only at the end of ctrl_server_process(), so
 *     pointers held during one pass stay valid;
 *   - while a client has unprocessed messages its input buffer is not
 *     overwritten (no read until they are done).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <endian.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "config.h"
#include "server.h"

#define NEED (NSDP_MSG_MAX + 512)
#define DONE_RESERVE 256          /* NLMSG_DONE with the key of a part's last object */
#define RUN_BUDGET 32             /* requests or dump parts per client per pass */
#define EVENTS_MAX 64
#define PEER_GROUPS_MAX 256
/*
 * Kernel send buffer per client (the kernel doubles it): with the output
 * queue it bounds what one client can hold, whatever net.core.wmem_default.
 */
#define CLIENT_SNDBUF (64 * 1024)

struct out_msg {
	STAILQ_ENTRY(out_msg) next;
	uint32_t len;
	uint8_t data[];
};

struct ctrl_client {
	TAILQ_ENTRY(ctrl_client) next;
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool may_write;
	bool hello_done;
	bool ready;
	bool dead;
	bool overrun_pending;       /* notifications were dropped; NLMSG_OVERRUN not queued yet */
	uint32_t events;            /* current epoll interest */
	uint32_t groups;            /* notification groups */
	STAILQ_HEAD(, out_msg) outq;
	size_t queued;              /* bytes in outq */
	uint64_t notif_dropped;
	/* the current datagram of requests, headers in host order */
	uint32_t in_len;
	uint32_t in_off;
	uint8_t in[NSDP_MSG_MAX];
};

struct ctrl_server {
	struct ctrl_server_conf conf;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t allow_uids[CTRL_MAX_ALLOWED];
	gid_t allow_gids[CTRL_MAX_ALLOWED];
	int lfd;                    /* listening socket */
	int ep;                     /* epoll of lfd, kick and every client */
	int kick;                   /* eventfd: some client is ready */
	unsigned n_clients;
	TAILQ_HEAD(, ctrl_client) clients;
	/* scratch buffers: one message or dump part is built at a time */
	size_t part_len;
	int done_len;
	uint8_t part[NSDP_MSG_MAX];
	uint8_t done[DONE_RESERVE];
	uint8_t msg[NSDP_MSG_MAX];
};

/* Tags for the epoll events that are not clients. */
static int tag_listen, tag_kick;

static struct ctrl_server *ctrl_active;
static const struct ctrl_handler *handlers[NSDP_OBJ_MAX << 4];

/* --- registration ------------------------------------------------------- */

int
ctrl_register(const struct ctrl_handler *tab, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t t = tab[i].type;

		if (NSDP_MSG_OBJ(t) < 1 || NSDP_MSG_OBJ(t) >= NSDP_OBJ_MAX || NSDP_MSG_OP(t) < 1 ||
		    NSDP_MSG_OP(t) >= NSDP_OP_MAX || tab[i].fn == NULL)
			return -EINVAL;
		if (handlers[t] != NULL)
			return -EEXIST;
		for (unsigned j = 0; j < i; j++)
			if (tab[j].type == t)
				return -EEXIST;
	}
	for (unsigned i = 0; i < n; i++)
		handlers[tab[i].type] = &tab[i];
	return 0;
}

void
ctrl_handlers_clear(void)
{
	memset(handlers, 0, sizeof(handlers));
}

/* --- output queue ------------------------------------------------------- */

static size_t
room(const struct ctrl_server *s, const struct ctrl_client *c)
{
	return c->queued >= s->conf.outq_max ? 0 : s->conf.outq_max - c->queued;
}

static void
kick(struct ctrl_server *s, struct ctrl_client *c)
{
	uint64_t one = 1;

	c->ready = true;
	/* A full counter only means the server is already due to run. */
	if (write(s->kick, &one, sizeof(one)) < 0)
		return;
}

/* Queue one datagram. @return 0, -ENOBUFS (no room) or -ENOMEM. */
static int
enqueue(struct ctrl_server *s, struct ctrl_client *c, const void *data, size_t len)
{
	struct out_msg *m;

	if (len > room(s, c))
		return -ENOBUFS;
	m = malloc(sizeof(*m) + len);
	if (m == NULL)
		return -ENOMEM;
	m->len = (uint32_t)len;
	memcpy(m->data, data, len);
	STAILQ_INSERT_TAIL(&c->outq, m, next);
	c->queued += len;
	return 0;
}

/*
 * Tell a client that notifications were lost, once it drained half of its
 * queue: before that, each new notification would overflow again and the
 * client would get an overrun per notification instead of one per episode.
 */
static void
queue_overrun(struct ctrl_server *s, struct ctrl_client *c)
{
	struct nsdp_builder b;
	uint8_t buf[64];
	int len;

	if (room(s, c) < s->conf.outq_max / 2)
		return;
	nsdp_msg_start(&b, buf, sizeof(buf), NLMSG_OVERRUN, 0, 0);
	len = nsdp_msg_end(&b);
	if (len > 0 && enqueue(s, c, buf, (size_t)len) == 0)
		c->overrun_pending = false;
}

/* Send what the socket takes. Marks the client dead on a hard error. */
static void
flush(struct ctrl_server *s, struct ctrl_client *c)
{
	struct out_msg *m;

	while ((m = STAILQ_FIRST(&c->outq)) != NULL) {
		ssize_t n = send(c->fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n < 0) {
			c->dead = true;
			return;
		}
		/* SOCK_SEQPACKET sends a record whole or not at all. */
		STAILQ_REMOVE_HEAD(&c->outq, next);
		c->queued -= m->len;
		free(m);
	}
	if (c->overrun_pending)
		queue_overrun(s, c);
}

static void
reply_error(struct ctrl_server *s, struct ctrl_client *c, uint32_t seq, const struct nsdp_err *e)
{
	uint8_t buf[512];

	if (nsdp_build_error(buf, sizeof(buf), seq, e) < 0)
		return;
	/* The length is in the header, still in wire order. */
	enqueue(s, c, buf, be32toh(((struct nlmsghdr *)buf)->nlmsg_len));
}

/* --- the handler side of replies --------------------------------------- */

int
ctrl_reply(struct ctrl_req *r, ctrl_put_fn put, const void *obj)
{
	struct ctrl_server *s = r->srv;
	struct nsdp_builder b;
	int len;

	nsdp_msg_start(&b, s->msg, sizeof(s->msg), r->nlh->nlmsg_type, 0, r->nlh->nlmsg_seq);
	put(&b, obj, false);
	len = nsdp_msg_end(&b);
	if (len < 0)
		return -EMSGSIZE;
	return enqueue(s, r->client, s->msg, (size_t)len) < 0 ? -ENOBUFS : 0;
}

int
ctrl_dump_put(struct ctrl_req *r, ctrl_put_fn put, const void *obj)
{
	struct ctrl_server *s = r->srv;
	struct nsdp_builder b;
	struct nlattr *nest;
	int len;

	if (r->part_full)
		return 1;
	if (s->conf.dump_part_objs != 0 && r->part_count >= s->conf.dump_part_objs) {
		r->part_full = true;
		return 1;
	}
	nsdp_msg_start(&b, s->part + s->part_len, sizeof(s->part) - DONE_RESERVE - s->part_len,
		       r->nlh->nlmsg_type, NLM_F_MULTI, r->nlh->nlmsg_seq);
	put(&b, obj, false);
	len = nsdp_msg_end(&b);
	if (len < 0) {
		if (r->part_count == 0)
			return -EMSGSIZE;
		r->part_full = true;
		return 1;
	}
	s->part_len += NLMSG_ALIGN((size_t)len);
	r->part_count++;

	/* The end of this part should the next object not fit. */
	nsdp_msg_start(&b, s->done, sizeof(s->done), NLMSG_DONE, NLM_F_MULTI, r->nlh->nlmsg_seq);
	nsdp_put_u8(&b, NSDP_A_DONE_MORE, 1);
	nest = nsdp_nest_start(&b, NSDP_A_DONE_LAST);
	put(&b, obj, true);
	nsdp_nest_end(&b, nest);
	nsdp_put_u32(&b, NSDP_A_DONE_COUNT, r->part_count);
	s->done_len = nsdp_msg_end(&b);
	return 0;
}

void
ctrl_req_hello_done(struct ctrl_req *r)
{
	r->client->hello_done = true;
}

void
ctrl_req_monitor(struct ctrl_req *r, uint32_t groups, bool add)
{
	if (add)
		r->client->groups |= groups;
	else
		r->client->groups &= ~groups;
}

uint32_t
ctrl_req_groups(const struct ctrl_req *r)
{
	return r->client->groups;
}

void
ctrl_notify(uint16_t type, ctrl_notify_fn build, const void *arg)
{
	struct ctrl_server *s = ctrl_active;
	uint32_t group = 1u << NSDP_MSG_OBJ(type);
	struct ctrl_client *c;
	struct nsdp_builder b;
	int len;

	if (s == NULL)
		return;
	nsdp_msg_start(&b, s->msg, sizeof(s->msg), type, 0, 0);
	build(&b, arg);
	len = nsdp_msg_end(&b);
	if (len < 0) {
		RTE_LOG(ERR, USER1, "ctrl: notification %s %s does not fit in a message\n",
			nsdp_obj_name(NSDP_MSG_OBJ(type)), nsdp_op_name(NSDP_MSG_OP(type)));
		return;
	}
	TAILQ_FOREACH(c, &s->clients, next) {
		if (c->dead || !c->hello_done || !(c->groups & group))
			continue;
		if (c->overrun_pending)
			queue_overrun(s, c);
		if (c->overrun_pending || enqueue(s, c, s->msg, (size_t)len) < 0) {
			/* Told once, when there is room; the client then resyncs with dumps. */
			c->overrun_pending = true;
			c->notif_dropped++;
		}
		kick(s, c);
	}
}

/* --- dispatch ----------------------------------------------------------- */

static const char *
type_name(uint16_t type, char *buf, size_t len)
{
	const char *obj = nsdp_obj_name(NSDP_MSG_OBJ(type)), *op = nsdp_op_name(NSDP_MSG_OP(type));

	if (obj != NULL && op != NULL)
		snprintf(buf, len, "%s %s", obj, op);
	else
		snprintf(buf, len, "message type %u", type);
	return buf;
}

static void
req_init(struct ctrl_req *r, struct ctrl_server *s, struct ctrl_client *c, const struct nlmsghdr *nlh)
{
	memset(r, 0, sizeof(*r));
	r->nlh = nlh;
	r->uid = c->uid;
	r->gid = c->gid;
	r->pid = c->pid;
	r->srv = s;
	r->client = c;
}

/* Make sure a failed handler left a usable error. */
static void
err_fixup(struct nsdp_err *err, int rc)
{
	if (err->errnum == 0)
		nsdp_err_set(err, -rc, 0, "%s", strerror(-rc));
}

/* Answer a GETNEXT with one dump part: objects then NLMSG_DONE. */
static int
dump_part(struct ctrl_server *s, const struct ctrl_handler *h, struct ctrl_req *r,
	  const struct nlattr **tb, struct nsdp_err *err)
{
	struct nsdp_builder b;
	int rc, len;

	s->part_len = 0;
	s->done_len = -1;
	rc = h->fn(r, tb, err);
	if (rc < 0)
		return rc;
	if (r->part_full && s->done_len > 0) {
		memcpy(s->part + s->part_len, s->done, (size_t)s->done_len);
		s->part_len += (size_t)s->done_len;
	} else {
		nsdp_msg_start(&b, s->part + s->part_len, sizeof(s->part) - s->part_len, NLMSG_DONE,
			       NLM_F_MULTI, r->nlh->nlmsg_seq);
		nsdp_put_u8(&b, NSDP_A_DONE_MORE, 0);
		nsdp_put_u32(&b, NSDP_A_DONE_COUNT, r->part_count);
		len = nsdp_msg_end(&b);
		if (len > 0)
			s->part_len += (size_t)len;
	}
	rc = enqueue(s, r->client, s->part, s->part_len);
	if (rc < 0)
		return nsdp_err_set(err, -rc, 0, "cannot queue the dump part");
	return 0;
}

static bool
may_write_str(const struct ctrl_client *c, char *buf, size_t len)
{
	snprintf(buf, len, "uid %u gid %u may not change configuration "
		 "(allowed: root, the daemon's user, --allow-uid, --allow-gid)",
		 (unsigned)c->uid, (unsigned)c->gid);
	return c->may_write;
}

/* Dispatch one request message (host order). */
static void
handle_msg(struct ctrl_server *s, struct ctrl_client *c, struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	const struct ctrl_handler *h;
	const struct nsdp_policy *pol;
	struct nsdp_err err;
	struct ctrl_req r;
	uint16_t type = nlh->nlmsg_type;
	char name[64], why[160];
	int rc;

	memset(&err, 0, sizeof(err));
	if (type < NLMSG_MIN_TYPE) {
		nsdp_err_set(&err, EINVAL, 0, "message type %u is reserved for replies", type);
		goto error;
	}
	if (!c->hello_done && NSDP_MSG_OBJ(type) != NSDP_OBJ_HELLO) {
		nsdp_err_set(&err, EPROTO, 0, "send HELLO first");
		goto error;
	}
	pol = nsdp_msg_policy(type);
	h = type < RTE_DIM(handlers) ? handlers[type] : NULL;
	if (pol == NULL || h == NULL) {
		nsdp_err_set(&err, EOPNOTSUPP, 0, "%s is not supported by this server",
			     type_name(type, name, sizeof(name)));
		goto error;
	}
	if (nsdp_parse(nlh, pol, tb, &err) < 0)
		goto error;
	if (h->write && !may_write_str(c, why, sizeof(why))) {
		nsdp_err_set(&err, EPERM, 0, "%s", why);
		goto error;
	}
	req_init(&r, s, c, nlh);
	if (NSDP_MSG_OP(type) == NSDP_OP_GETNEXT) {
		rc = dump_part(s, h, &r, tb, &err);
	} else if (h->write) {
		config_lock();
		rc = h->fn(&r, tb, &err);
		config_unlock();
	} else {
		rc = h->fn(&r, tb, &err);
	}
	if (rc < 0) {
		err_fixup(&err, rc);
		goto error;
	}
	/* A dump part ends with NLMSG_DONE: no ack. */
	if ((nlh->nlmsg_flags & NLM_F_ACK) && NSDP_MSG_OP(type) != NSDP_OP_GETNEXT)
		reply_error(s, c, nlh->nlmsg_seq, &err);
	return;
error:
	reply_error(s, c, nlh->nlmsg_seq, &err);
}

/* Receive one datagram. @return 1 got one, 0 nothing to read, -1 the client is gone. */
static int
client_read(struct ctrl_server *s, struct ctrl_client *c)
{
	struct nsdp_err err;
	uint32_t seq = 0;
	ssize_t n;
	int rc;

	n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	memset(&err, 0, sizeof(err));
	if ((size_t)n >= sizeof(struct nlmsghdr))
		seq = be32toh(((struct nlmsghdr *)c->in)->nlmsg_seq);
	if ((size_t)n > sizeof(c->in)) {
		nsdp_err_set(&err, EMSGSIZE, 0, "message of %zd bytes exceeds the maximum of %u",
			     n, NSDP_MSG_MAX);
		reply_error(s, c, seq, &err);
		return 1;
	}
	rc = nsdp_wire_to_host(c->in, (size_t)n, &err);
	if (rc < 0) {
		err_fixup(&err, rc);
		reply_error(s, c, seq, &err);
		return 1;
	}
	c->in_len = (uint32_t)n;
	c->in_off = 0;
	return 1;
}

static void
set_interest(struct ctrl_server *s, struct ctrl_client *c)
{
	struct epoll_event ev = { .data.ptr = c };
	bool idle = c->in_off >= c->in_len;

	ev.events = 0;
	if (idle && room(s, c) >= NEED)
		ev.events |= EPOLLIN;
	if (!STAILQ_EMPTY(&c->outq))
		ev.events |= EPOLLOUT;
	if (ev.events == c->events)
		return;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		c->dead = true;
	c->events = ev.events;
}

static void
client_run(struct ctrl_server *s, struct ctrl_client *c)
{
	unsigned budget = RUN_BUDGET;

	c->ready = false;
	flush(s, c);
	while (!c->dead && budget > 0 && room(s, c) >= NEED) {
		if (c->in_off < c->in_len) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)(c->in + c->in_off);

			/* Framing was checked: every length is sane and in the buffer. */
			c->in_off += NLMSG_ALIGN(nlh->nlmsg_len);
			handle_msg(s, c, nlh);
		} else {
			int rc = client_read(s, c);

			if (rc < 0)
				c->dead = true;
			if (rc <= 0)
				break;
		}
		budget--;
		flush(s, c);
	}
	if (c->dead)
		return;
	flush(s, c);
	if (budget == 0 && room(s, c) >= NEED)
		kick(s, c);
	set_interest(s, c);
}

/* --- clients ------------------------------------------------------------ */

static bool
id_listed(const unsigned *list, unsigned n, unsigned id)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

static bool
peer_may_write(const struct ctrl_server *s, int fd, const struct ucred *cr)
{
	gid_t groups[PEER_GROUPS_MAX];
	socklen_t len = sizeof(groups);

	if (cr->uid == 0 || cr->uid == geteuid() ||
	    id_listed(s->allow_uids, s->conf.n_allow_uids, cr->uid) ||
	    id_listed(s->allow_gids, s->conf.n_allow_gids, cr->gid))
		return true;
	/* Supplementary groups; a peer in more groups than this is judged on these. */
	if (s->conf.n_allow_gids > 0 && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		for (unsigned i = 0; i < len / sizeof(gid_t); i++)
			if (id_listed(s->allow_gids, s->conf.n_allow_gids, groups[i]))
				return true;
	return false;
}

static void
client_free(struct ctrl_server *s, struct ctrl_client *c)
{
	struct out_msg *m;

	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	while ((m = STAILQ_FIRST(&c->outq)) != NULL) {
		STAILQ_REMOVE_HEAD(&c->outq, next);
		free(m);
	}
	TAILQ_REMOVE(&s->clients, c, next);
	s->n_clients--;
	free(c);
}

static void
refuse(int fd, int errnum, const char *why)
{
	struct nsdp_err err;
	uint8_t buf[512];

	memset(&err, 0, sizeof(err));
	nsdp_err_set(&err, errnum, 0, "%s", why);
	if (nsdp_build_error(buf, sizeof(buf), 0, &err) == 0 &&
	    send(fd, buf, be32toh(((struct nlmsghdr *)buf)->nlmsg_len), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		RTE_LOG(DEBUG, USER1, "ctrl: refused client did not get the reason\n");
	close(fd);
}

static void
accept_clients(struct ctrl_server *s)
{
	for (int i = 0; i < 16; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct ctrl_client *c;
		struct ucred cr;
		socklen_t len = sizeof(cr);
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
			close(fd);
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ CLIENT_SNDBUF }, sizeof(int)) < 0)
			RTE_LOG(DEBUG, USER1, "ctrl: cannot bound a client's send buffer\n");
		if (s->n_clients >= s->conf.max_clients) {
			refuse(fd, EUSERS, "too many clients: try again later");
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			refuse(fd, ENOMEM, "out of memory for a new client");
			continue;
		}
		c->fd = fd;
		c->uid = cr.uid;
		c->gid = cr.gid;
		c->pid = cr.pid;
		c->may_write = peer_may_write(s, fd, &cr);
		c->events = ev.events;
		STAILQ_INIT(&c->outq);
		ev.data.ptr = c;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		TAILQ_INSERT_TAIL(&s->clients, c, next);
		s->n_clients++;
	}
	/* More may be waiting: the listening socket stays readable. */
}

void
ctrl_server_process(struct ctrl_server *s)
{
	struct epoll_event evs[EVENTS_MAX];
	struct ctrl_client *c, *nc;
	uint64_t v;
	int n;

	if (read(s->kick, &v, sizeof(v)) < 0)
		v = 0;
	n = epoll_wait(s->ep, evs, EVENTS_MAX, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == &tag_listen) {
			accept_clients(s);
		} else if (evs[i].data.ptr != &tag_kick) {
			c = evs[i].data.ptr;
			if ((evs[i].events & (EPOLLHUP | EPOLLERR)) && !(evs[i].events & EPOLLIN))
				c->dead = true;
			c->ready = true;
		}
	}
	TAILQ_FOREACH(c, &s->clients, next)
		if (c->ready && !c->dead)
			client_run(s, c);
	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = nc) {
		nc = TAILQ_NEXT(c, next);
		if (c->dead)
			client_free(s, c);
	}
}

/* --- the server --------------------------------------------------------- */

/* Remove a socket file left by a daemon that died; refuse if one is alive. */
static int
clear_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

static int
epoll_add(int ep, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

struct ctrl_server *
ctrl_server_create(const struct ctrl_server_conf *conf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctrl_server *s;
	int rc;

	if (ctrl_active != NULL) {
		errno = EBUSY;
		return NULL;
	}
	if (conf->n_allow_uids > CTRL_MAX_ALLOWED || conf->n_allow_gids > CTRL_MAX_ALLOWED) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->conf = *conf;
	s->lfd = s->ep = s->kick = -1;
	TAILQ_INIT(&s->clients);
	if (s->conf.path == NULL)
		s->conf.path = NSDP_SOCK_DEFAULT;
	if (s->conf.mode == 0)
		s->conf.mode = 0660;
	if (s->conf.outq_max == 0)
		s->conf.outq_max = CTRL_OUTQ_DEFAULT;
	if (s->conf.outq_max < 2 * NEED)
		s->conf.outq_max = 2 * NEED;
	if (s->conf.max_clients == 0)
		s->conf.max_clients = CTRL_MAX_CLIENTS_DEFAULT;
	if (conf->n_allow_uids > 0)
		memcpy(s->allow_uids, conf->allow_uids, conf->n_allow_uids * sizeof(uid_t));
	if (conf->n_allow_gids > 0)
		memcpy(s->allow_gids, conf->allow_gids, conf->n_allow_gids * sizeof(gid_t));
	if (strlen(s->conf.path) >= sizeof(s->path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(s->path, sizeof(s->path), "%s", s->conf.path);
	s->conf.path = s->path;
	memcpy(sa.sun_path, s->path, sizeof(s->path));

	rc = clear_stale(s->path);
	if (rc < 0)
		goto fail;
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto fail;
	}
	/*
	 * bind() created the file with the umask's mode; set ours right away.
	 * Whoever connects in between is still subject to the write check.
	 */
	if (chmod(s->path, s->conf.mode) < 0 ||
	    (s->conf.group >= 0 && chown(s->path, (uid_t)-1, (gid_t)s->conf.group) < 0) ||
	    listen(s->lfd, SOMAXCONN) < 0) {
		rc = -errno;
		unlink(s->path);
		goto fail;
	}
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->ep < 0 || s->kick < 0 || epoll_add(s->ep, s->lfd, &tag_listen) < 0 ||
	    epoll_add(s->ep, s->kick, &tag_kick) < 0) {
		rc = -errno;
		unlink(s->path);
		goto fail;
	}
	ctrl_active = s;
	return s;
fail:
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->ep >= 0)
		close(s->ep);
	if (s->kick >= 0)
		close(s->kick);
	free(s);
	errno = -rc;
	return NULL;
}

int
ctrl_server_epoll_fd(const struct ctrl_server *s)
{
	return s->ep;
}

unsigned
ctrl_server_clients(const struct ctrl_server *s)
{
	return s->n_clients;
}

void
ctrl_server_destroy(struct ctrl_server *s)
{
	if (s == NULL)
		return;
	while (!TAILQ_EMPTY(&s->clients))
		client_free(s, TAILQ_FIRST(&s->clients));
	close(s->lfd);
	close(s->ep);
	close(s->kick);
	unlink(s->path);
	if (ctrl_active == s)
		ctrl_active = NULL;
	free(s);
}
