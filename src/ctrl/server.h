/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * server.h: the control protocol server (proto.h) on the control thread.
 *
 * An AF_UNIX SOCK_SEQPACKET socket; one datagram carries one or more
 * netlink-framed messages. Every client gets:
 *   - its peer credentials (SO_PEERCRED, SO_PEERGROUPS), checked for write
 *     requests: root, the daemon's own uid, the allowed uids and members of
 *     the allowed gids may write; everybody who can open the socket may read;
 *   - a handshake: the first message must be HELLO (else EPROTO);
 *   - a bounded output queue. All socket I/O is non-blocking. While a
 *     client's queue lacks room for one more message of NSDP_MSG_MAX bytes,
 *     its requests, dump continuations included, are not read until it
 *     reads (it resumes a dump with GETNEXT after the last key it got);
 *     notifications to it are dropped, and one NLMSG_OVERRUN is queued
 *     once its queue is half empty again, so it knows to resync. No client
 *     can stall the others or the dataplane.
 *
 * Requests: wire framing (nsdp_wire_to_host), handshake, policy parse
 * (nsdp_parse), permission, then the handler registered for the message
 * type. Write handlers run with the config lock held (config.h) and must
 * apply completely or not at all. Errors are answered with NLMSG_ERROR
 * (nsdp_build_error); success with an ack when the request has NLM_F_ACK.
 *
 * GETNEXT is a dump, one part per request: one datagram of at most
 * NSDP_MSG_MAX bytes with the objects after the request's key (NLM_F_MULTI,
 * the request's type and seq), ending with NLMSG_DONE { MORE, LAST, COUNT }.
 * MORE = 1 with LAST = the key of the last object sent when objects remain:
 * the client asks for the next part with GETNEXT after LAST. MORE = 0 ends
 * the dump. The server keeps no dump state: the cursor is the key.
 *
 * Notifications (ctrl_notify) have seq 0 and go to clients subscribed to
 * group 1 << object (MONITOR ADD).
 *
 * Threads: everything here runs on the control thread ([C]), except where
 * stated.
 */
#ifndef NSDP_CTRL_SERVER_H
#define NSDP_CTRL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/codec.h"

#define CTRL_OUTQ_DEFAULT (256u * 1024)   /* bytes queued per client */
#define CTRL_MAX_CLIENTS_DEFAULT 256u
#define CTRL_MAX_ALLOWED 16u              /* entries in each allow list */

struct ctrl_server_conf {
	const char *path;          /* NULL = NSDP_SOCK_DEFAULT; the directory must exist */
	mode_t mode;               /* socket file mode; 0 = 0660 */
	long group;                /* gid given to the socket file; -1 = the creator's */
	const uid_t *allow_uids;   /* may write, besides root and the daemon's uid */
	unsigned n_allow_uids;
	const gid_t *allow_gids;   /* members (primary or supplementary) may write */
	unsigned n_allow_gids;
	size_t outq_max;           /* per-client output queue bound; 0 = CTRL_OUTQ_DEFAULT */
	unsigned max_clients;      /* 0 = CTRL_MAX_CLIENTS_DEFAULT; more are refused */
	unsigned dump_part_objs;   /* objects per dump part; 0 = as many as fit (tests lower it) */
};

struct ctrl_server;
struct ctrl_client;

/* What a handler sees of one request. */
struct ctrl_req {
	const struct nlmsghdr *nlh; /* the request, headers in host order */
	uid_t uid;                  /* peer credentials */
	gid_t gid;
	pid_t pid;
	/* private to server.c */
	struct ctrl_server *srv;
	struct ctrl_client *client;
	unsigned part_count;
	bool part_full;
};

/*
 * A handler: semantic pass over @tb (already checked against the object's
 * policy), then the action, then its replies (ctrl_reply, ctrl_dump_put).
 * @return 0, or -errno with @err set (nsdp_err_set) and nothing changed.
 */
typedef int (*ctrl_handler_fn)(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err);

struct ctrl_handler {
	uint16_t type;         /* NSDP_MSG_TYPE(obj, op) */
	bool write;            /* changes configuration: permission check + config lock */
	ctrl_handler_fn fn;
};

/**
 * Register @n handlers (a table that lives as long as the program). Call
 * before ctrl_server_create(), from the main thread.
 * @return 0, -EEXIST if a type already has a handler (nothing registered),
 *   -EINVAL for a type outside the object/op space.
 */
int ctrl_register(const struct ctrl_handler *tab, unsigned n);

/** Register the handlers of every object served today (handlers.c). */
int ctrl_handlers_register_all(void);

/** Forget every registration (tests). */
void ctrl_handlers_clear(void);

/**
 * Put one object's attributes into @b (started by the caller). With
 * @key_only, only the attributes that identify it (for NSDP_A_DONE_LAST).
 */
typedef void (*ctrl_put_fn)(struct nsdp_builder *b, const void *obj, bool key_only);

/**
 * Reply to @r with one message of the request's type holding @obj.
 * @return 0, -EMSGSIZE (does not fit in NSDP_MSG_MAX) or -ENOBUFS.
 */
int ctrl_reply(struct ctrl_req *r, ctrl_put_fn put, const void *obj);

/**
 * GETNEXT handlers: add @obj, the next object after the request's key, to
 * the dump part. The handler walks objects in key order and stops at the
 * first that does not fit.
 * @return 0 added; 1 the part is full and @obj was not added (it starts
 *   the next part): return 0 now; -EMSGSIZE @obj alone exceeds a part.
 */
int ctrl_dump_put(struct ctrl_req *r, ctrl_put_fn put, const void *obj);

/** Mark the requesting client as having completed the handshake (HELLO). */
void ctrl_req_hello_done(struct ctrl_req *r);

/** Set (ADD) or clear (DELETE) notification groups of the requesting client. */
void ctrl_req_monitor(struct ctrl_req *r, uint32_t groups, bool add);

/** The requesting client's notification groups. */
uint32_t ctrl_req_groups(const struct ctrl_req *r);

/** A notification's attributes; @b is started with the notification's type. */
typedef void (*ctrl_notify_fn)(struct nsdp_builder *b, const void *arg);

/**
 * Build one notification of @type and queue it to every client subscribed
 * to 1 << NSDP_MSG_OBJ(type) (see the overflow rules at the top). No-op
 * without a server. Control thread.
 */
void ctrl_notify(uint16_t type, ctrl_notify_fn build, const void *arg);

/**
 * Create the socket (replacing a stale socket file at the path), set its
 * mode and group, listen. The directory must exist.
 * @return the server, or NULL with errno set. One server at a time.
 */
struct ctrl_server *ctrl_server_create(const struct ctrl_server_conf *conf);

/**
 * One file descriptor to add to the control loop's epoll (EPOLLIN): it is
 * readable whenever ctrl_server_process() has something to do.
 */
int ctrl_server_epoll_fd(const struct ctrl_server *s);

/**
 * Do all pending work without blocking: accept, read, dispatch, resume
 * dumps, flush. Bounded work per client per call; what remains keeps the
 * epoll fd readable.
 */
void ctrl_server_process(struct ctrl_server *s);

/** Number of connected clients. */
unsigned ctrl_server_clients(const struct ctrl_server *s);

/** Close every client and the socket, unlink the socket file. NULL is a no-op. */
void ctrl_server_destroy(struct ctrl_server *s);

#endif
