/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_msg.h: the entry of a service queue (paper "Packet Queues (or Message
 * Queues?)"). A service queue carries messages, not only packets: a packet,
 * a timer expiry, or a notification. The header is intrusive: it lives inside
 * the object it describes (in the mbuf's nsdp_pkt_meta for packets, inside the
 * timer for expiries), so enqueueing never allocates.
 *
 * Concurrency: `next` belongs to the queue the message is on ([Q]); the
 * other fields are written by the producer before enqueue and read by the
 * consumer after dequeue (the queue's release/acquire pair orders them).
 */
#ifndef NSDP_SVC_MSG_H
#define NSDP_SVC_MSG_H

#include <stdint.h>

enum svc_msg_type {
	SVC_MSG_PACKET = 1,  /* an mbuf; recover it with svc_msg_to_mbuf() */
	SVC_MSG_TIMER,       /* a timer expiry; the message is in struct nsdp_timer */
	SVC_MSG_NOTIFY,      /* a notification; the message is embedded by its sender */
};

struct svc_msg {
	struct svc_msg *next; /* [Q] link, owned by the queue */
	uint16_t type;        /* enum svc_msg_type */
	uint16_t subtype;     /* meaning chosen by the queue's consumer */
	uint32_t arg;         /* small argument, e.g. a next hop index */
};

#endif
