/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rx.c: the rx lcore (the paper's "software interrupt context", 2229): poll
 * the (port, queue) pairs of this lcore, stamp each burst with one tickcount,
 * and hand it to the stateless core. Nothing here locks, allocates (besides
 * mbufs) or makes a system call, except the optional idle sleep, taken only
 * after many empty polls and with the lcore offline for RCU.
 */
#include <unistd.h>

#include <rte_ethdev.h>
#include <urcu-qsbr.h>

#include "l2demux.h"
#include "lcore.h"

/* Empty polls in a row before an lcore with idle_sleep_us naps. */
#define IDLE_POLLS_BEFORE_SLEEP 256

void
rx_input(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	/*
	 * First stage: the L2 demultiplexer of the ifd (paper "Layer 2
	 * Interface Identification and Protocol Demultiplexing"). A port
	 * starts with an empty demux: until configuration installs an entry,
	 * no frame is for us and each one is dropped and counted there.
	 */
	l2demux_input(c, port, pkts, n);
}

static inline void
rx_poll(struct lcore_ctx *c, const struct poll_entry *e, bool *got)
{
	struct rte_mbuf *pkts[RX_BURST];
	struct port_counters *pc;
	tickcount_t now;
	uint64_t bytes = 0;
	uint16_t n;

	n = rte_eth_rx_burst(e->port, e->queue, pkts, RX_BURST);
	if (n == 0)
		return;
	*got = true;
	/* One tickcount per burst (paper 3044-3092). */
	now = tickcount_now();
	for (uint16_t i = 0; i < n; i++) {
		pkt_meta_rx_init(pkts[i], now);
		bytes += pkts[i]->pkt_len;
	}
	pc = counters_this_lcore(e->port);
	pc->rx_packets += n;
	pc->rx_bytes += bytes;
	pc->rx_bursts++;
	rx_input(c, e->port, pkts, n);
}

int
rx_lcore_main(void *arg)
{
	struct lcore_ctx *c = arg;
	unsigned idle = 0;

	rcu_register_thread();
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		const struct poll_table *t = rcu_dereference(c->poll);
		tickcount_t t0 = tickcount_now();
		bool got = false;

		for (unsigned i = 0; i < t->n; i++)
			rx_poll(c, &t->q[i], &got);
		tx_flush(c);
		c->loops++;
		if (got) {
			c->busy_ticks += tickcount_now() - t0;
			idle = 0;
		} else {
			c->idle_loops++;
			idle++;
		}
		/* One quiescent state per loop: nothing from `t` is held past here. */
		rcu_quiescent_state();
		if (c->idle_sleep_us != 0 && idle >= IDLE_POLLS_BEFORE_SLEEP) {
			rcu_thread_offline();
			usleep(c->idle_sleep_us);
			rcu_thread_online();
			idle = 0;
		}
	}
	tx_flush(c);
	rcu_unregister_thread();
	return 0;
}
