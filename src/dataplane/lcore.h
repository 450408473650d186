/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore.h: per-lcore state of the dataplane: the poll table an rx lcore
 * walks, and the tx buffers through which every lcore transmits on its own
 * tx queue of each port (no tx locks).
 *
 * Lock legend:
 *   [L] owned by the lcore; nobody else reads or writes it
 *   [R] RCU-published by the control thread, read by the lcore between
 *       quiescent states; the old version is freed after a grace period
 *   [A] atomic
 *   [I] set before the lcore starts
 */
#ifndef NSDP_LCORE_H
#define NSDP_LCORE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "counters.h"
#include "latency.h"
#include "layout.h"
#include "pkt_meta.h"
#include "port.h"
#include "tickcount.h"

#define RX_BURST 32
#define TX_BUF 64

struct poll_table {
	unsigned n;
	struct poll_entry q[];
};

struct tx_buf {
	uint16_t n;
	bool pending;                 /* listed in lcore_ctx.tx_pending */
	struct rte_mbuf *pkts[TX_BUF];
};

struct lcore_ctx {
	unsigned lcore_id;            /* [I] */
	enum lcore_role role;         /* [I] */
	uint16_t txq;                 /* [I] tx queue owned on every port */
	struct poll_table *poll;      /* [R] */
	uint32_t idle_sleep_us;       /* [I] sleep after this many idle polls (0 = never) */
	uint32_t stop;                /* [A] set by the control thread */
	uint64_t loops;               /* [L] poll loop iterations */
	uint64_t idle_loops;          /* [L] iterations that received nothing */
	uint64_t busy_ticks;          /* [L] ticks spent in iterations that received */
	uint16_t tx_pending[RTE_MAX_ETHPORTS]; /* [L] ports with buffered packets */
	uint16_t n_tx_pending;        /* [L] */
	struct tx_buf tx[RTE_MAX_ETHPORTS]; /* [L] */
} __rte_cache_aligned;

/* [I] per lcore id, NULL for lcores without a role. */
extern struct lcore_ctx *nsdp_lcores[RTE_MAX_LCORE];

/**
 * Create the context of every lcore that has a role in @l and publish the
 * rx lcores' poll tables. Main lcore, before the lcores start.
 * @return 0 or -ENOMEM.
 */
int lcores_init(const struct layout *l, uint32_t idle_sleep_us);
void lcores_fini(void);

/**
 * Control thread: republish every poll table without the ports in @mask,
 * and wait for a grace period so no lcore polls them any more. The caller
 * must not be an online RCU reader.
 * @return 0 or -ENOMEM (then nothing changed).
 */
int lcores_unpoll_ports(uint64_t mask);

/** Ask every lcore's loop to return. */
void lcores_stop(void);

/**
 * Flush the tx buffer of @port: transmit on this lcore's tx queue, record
 * the rx->tx latency of received packets, count what the queue refused as
 * DROP_tx_full (and everything as DROP_port_removed if the port is going).
 */
void tx_flush_port(struct lcore_ctx *c, uint16_t port);

/** Flush every port with buffered packets. Called once per loop. */
void tx_flush(struct lcore_ctx *c);

/** Buffer @m for transmission on @port; flushes when the buffer is full. */
static inline void
tx_enqueue(struct lcore_ctx *c, uint16_t port, struct rte_mbuf *m)
{
	struct tx_buf *b = &c->tx[port];

	if (!b->pending) {
		b->pending = true;
		c->tx_pending[c->n_tx_pending++] = port;
	}
	b->pkts[b->n++] = m;
	if (b->n == TX_BUF)
		tx_flush_port(c, port);
}

/** The rx lcore loop (rte_eal_remote_launch entry); @arg is the lcore_ctx. */
int rx_lcore_main(void *arg);

/**
 * The stateless core's entry for one rx burst from @port (packets already
 * stamped). Exposed for tests.
 */
void rx_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n);

#endif
