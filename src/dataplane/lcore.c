/* SPDX-License-Identifier: BSD-3-Clause */
/* lcore.c: lcore contexts, poll-table publication and the tx path. */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <urcu-qsbr.h>

#include "lcore.h"

struct lcore_ctx *nsdp_lcores[RTE_MAX_LCORE];

static struct poll_table *
poll_table_build(const struct poll_entry *q, unsigned n, uint64_t skip_mask)
{
	struct poll_table *t = rte_zmalloc("nsdp_poll", sizeof(*t) + n * sizeof(t->q[0]),
					   RTE_CACHE_LINE_SIZE);

	if (t == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		if (!(skip_mask & (1ULL << q[i].port)))
			t->q[t->n++] = q[i];
	return t;
}

int
lcores_init(const struct layout *l, uint32_t idle_sleep_us)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct lcore_ctx *c;

		if (l->role[lc] == LCORE_ROLE_NONE)
			continue;
		c = rte_zmalloc_socket("nsdp_lcore", sizeof(*c), RTE_CACHE_LINE_SIZE,
				       rte_lcore_to_socket_id(lc));
		if (c == NULL)
			c = rte_zmalloc("nsdp_lcore", sizeof(*c), RTE_CACHE_LINE_SIZE);
		if (c == NULL)
			goto nomem;
		c->lcore_id = lc;
		c->role = l->role[lc];
		c->txq = l->txq[lc];
		c->idle_sleep_us = idle_sleep_us;
		nsdp_lcores[lc] = c;
		if (c->role == LCORE_ROLE_RX) {
			c->poll = poll_table_build(l->poll[lc].q, l->poll[lc].n, 0);
			if (c->poll == NULL)
				goto nomem;
		}
	}
	return 0;
nomem:
	lcores_fini();
	return -ENOMEM;
}

void
lcores_fini(void)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct lcore_ctx *c = nsdp_lcores[lc];

		if (c == NULL)
			continue;
		/* Packets still buffered belong to ports that are shutting down. */
		for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (c->tx[p].n > 0)
				rte_pktmbuf_free_bulk(c->tx[p].pkts, c->tx[p].n);
		rte_free(c->poll);
		rte_free(c);
		nsdp_lcores[lc] = NULL;
	}
}

int
lcores_unpoll_ports(uint64_t mask)
{
	struct poll_table *fresh[RTE_MAX_LCORE] = { NULL };

	/* Build every new table first so a failure changes nothing. */
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct lcore_ctx *c = nsdp_lcores[lc];

		if (c == NULL || c->poll == NULL)
			continue;
		fresh[lc] = poll_table_build(c->poll->q, c->poll->n, mask);
		if (fresh[lc] == NULL) {
			for (unsigned k = 0; k < lc; k++)
				rte_free(fresh[k]);
			return -ENOMEM;
		}
	}
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct lcore_ctx *c = nsdp_lcores[lc];
		struct poll_table *old;

		if (fresh[lc] == NULL)
			continue;
		old = c->poll;
		rcu_assign_pointer(c->poll, fresh[lc]);
		fresh[lc] = old;
	}
	/* After this no lcore can still be inside a burst of a removed port. */
	synchronize_rcu();
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		rte_free(fresh[lc]);
	return 0;
}

void
lcores_stop(void)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (nsdp_lcores[lc] != NULL)
			__atomic_store_n(&nsdp_lcores[lc]->stop, 1, __ATOMIC_RELEASE);
}

void
tx_flush_port(struct lcore_ctx *c, uint16_t port)
{
	struct tx_buf *b = &c->tx[port];
	struct port_counters *pc = counters_this_lcore(port);
	struct latency_hist *lh = latency_this_lcore(port);
	uint64_t lat[TX_BUF], bytes[TX_BUF];
	tickcount_t now;
	uint16_t n = b->n, sent, i;

	if (n == 0)
		return;
	b->n = 0;
	if (!port_is_started(port)) {
		counters_drop(pc, DROP_port_removed, n);
		rte_pktmbuf_free_bulk(b->pkts, n);
		return;
	}
	/*
	 * Read what we need from the packets before handing them over: once
	 * transmitted they belong to the driver and may already be recycled.
	 */
	now = tickcount_now();
	for (i = 0; i < n; i++) {
		const struct nsdp_pkt_meta *pm = pkt_meta(b->pkts[i]);

		bytes[i] = b->pkts[i]->pkt_len;
		lat[i] = (pm->flags & PKT_F_RECEIVED) && pm->tickcount != 0 &&
				 now > pm->tickcount ? now - pm->tickcount : UINT64_MAX;
	}
	sent = rte_eth_tx_burst(port, c->txq, b->pkts, n);
	for (i = 0; i < sent; i++) {
		pc->tx_bytes += bytes[i];
		if (lat[i] != UINT64_MAX)
			latency_record(lh, lat[i]);
	}
	pc->tx_packets += sent;
	if (sent < n) {
		counters_drop(pc, DROP_tx_full, n - sent);
		rte_pktmbuf_free_bulk(&b->pkts[sent], n - sent);
	}
}

void
tx_flush(struct lcore_ctx *c)
{
	for (uint16_t i = 0; i < c->n_tx_pending; i++) {
		c->tx[c->tx_pending[i]].pending = false;
		tx_flush_port(c, c->tx_pending[i]);
	}
	c->n_tx_pending = 0;
}
