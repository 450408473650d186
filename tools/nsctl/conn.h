/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn.h: nsctl's connection to nsdp: an AF_UNIX SOCK_SEQPACKET socket, the
 * HELLO handshake, sending one message per datagram and receiving
 * datagrams that hold one or more messages, walked one at a time.
 *
 * The request machinery built on it (sequence numbers, the window of
 * requests in flight, dumps with resume) is declared in nsctl.h and lives
 * in conn.c too.
 */
#ifndef NSCTL_CONN_H
#define NSCTL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/proto/codec.h"

#define NSCTL_REPLY_TIMEOUT_MS 30000
#define NSCTL_RBUF_SIZE (4 * NSDP_MSG_MAX)

struct nsctl_conn {
	int fd;
	uint32_t next_seq;              /* never 0: seq 0 marks notifications */
	uint32_t server_version;
	uint32_t server_max_msg;
	char server_name[128];
	char rbuf[NSCTL_RBUF_SIZE];     /* the datagram being walked, host order */
	size_t rlen, roff;
};

/**
 * Connect to @path and shake hands.
 * @return 0, or -errno with @err set to a message naming the socket.
 */
int conn_open(struct nsctl_conn *c, const char *path, struct nsdp_err *err);
void conn_close(struct nsctl_conn *c);
/** Receive timeout in ms; 0 = wait forever (monitor). */
int conn_set_timeout(struct nsctl_conn *c, unsigned ms);
/** A fresh sequence number. */
uint32_t conn_seq(struct nsctl_conn *c);
/** Send one message already in wire order. 0 or -errno with @err set. */
int conn_send(struct nsctl_conn *c, const void *msg, size_t len, struct nsdp_err *err);
/**
 * The next received message, headers in host order; valid until the next
 * call. Blocks for a datagram when the current one is used up.
 * @return 0, or -errno with @err set (-EINTR: a signal interrupted the wait).
 */
int conn_recv(struct nsctl_conn *c, const struct nlmsghdr **nlh, struct nsdp_err *err);

/** Decode an NLMSG_ERROR into @e (errnum 0 = ack). 0 or -EBADMSG. */
int conn_decode_error(const struct nlmsghdr *nlh, struct nsdp_err *e);
/**
 * Decode an NLMSG_DONE: @more, the LAST key nest (NULL if absent) and the
 * count of objects in the part. 0 or -EBADMSG with @err set.
 */
int conn_decode_done(const struct nlmsghdr *nlh, bool *more, const struct nlattr **last,
		     uint32_t *count, struct nsdp_err *err);

#endif
