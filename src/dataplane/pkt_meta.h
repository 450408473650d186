/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_meta.h: the metadata nsdp carries in every mbuf, in a DPDK dynamic field.
 *
 * The paper (448-470) insists that packets carry interface *indices*, never
 * pointers to configuration objects: an ifl may be deleted while its packets
 * sit in queues, and the index is looked up again (and may come back NULL)
 * wherever the interface matters. The same holds for the routing instance.
 *
 * The rx lcore stamps tickcount (one TSC read per burst, paper 3044-3092)
 * and the RECEIVED flag; packets built here carry ifl_index 0 and the
 * ORIGINATED flag. The service-queue link (svc_msg) sits here too so a packet
 * is queued to a worker without any allocation.
 */
#ifndef NSDP_PKT_META_H
#define NSDP_PKT_META_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "svc_msg.h"

/* Values of nsdp_pkt_meta.flags. */
#define PKT_F_RECEIVED   0x0001 /* came in through a port (forwarding rules apply) */
#define PKT_F_ORIGINATED 0x0002 /* built by nsdp or an application session */

struct nsdp_pkt_meta {
	uint64_t tickcount;  /* raw TSC at rx (tickcount_t); 0 if never stamped */
	uint32_t ifl_index;  /* incoming ifl; 0 = originated here */
	uint16_t rt_inst;    /* routing instance */
	uint16_t flags;      /* PKT_F_* */
	struct svc_msg msg;  /* service queue entry (type SVC_MSG_PACKET) */
};

/* Offset of the dynamic field in struct rte_mbuf; -1 until registered. */
extern int nsdp_pkt_meta_offset;

/**
 * Register the dynamic field. Idempotent; call after rte_eal_init() and
 * before any packet is touched. Not thread-safe against itself.
 *
 * @return 0, or -errno from rte_mbuf_dynfield_register() (e.g. -ENOMEM
 *   when the dynamic area is exhausted).
 */
int pkt_meta_register(void);

static inline struct nsdp_pkt_meta *
pkt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, nsdp_pkt_meta_offset, struct nsdp_pkt_meta *);
}

/** Stamp a freshly received packet; called once per packet in the rx burst. */
static inline void
pkt_meta_rx_init(struct rte_mbuf *m, uint64_t tickcount)
{
	struct nsdp_pkt_meta *pm = pkt_meta(m);

	pm->tickcount = tickcount;
	pm->ifl_index = 0;
	pm->rt_inst = 0;
	pm->flags = PKT_F_RECEIVED;
	pm->msg.next = NULL;
	pm->msg.type = SVC_MSG_PACKET;
	pm->msg.subtype = 0;
	pm->msg.arg = 0;
}

/** The mbuf a packet message belongs to (msg->type must be SVC_MSG_PACKET). */
static inline struct rte_mbuf *
svc_msg_to_mbuf(struct svc_msg *msg)
{
	char *pm = (char *)msg - offsetof(struct nsdp_pkt_meta, msg);

	return (struct rte_mbuf *)(pm - nsdp_pkt_meta_offset);
}

static inline struct svc_msg *
mbuf_to_svc_msg(struct rte_mbuf *m)
{
	return &pkt_meta(m)->msg;
}

#endif
