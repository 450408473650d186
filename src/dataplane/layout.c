/* SPDX-License-Identifier: BSD-3-Clause */
/* layout.c: lcore roles and the rx/tx queue assignment (see layout.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "layout.h"

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

const char *
lcore_role_name(enum lcore_role r)
{
	switch (r) {
	case LCORE_ROLE_CONTROL: return "control";
	case LCORE_ROLE_RX: return "rx";
	case LCORE_ROLE_WORKER: return "worker";
	case LCORE_ROLE_NONE: break;
	}
	return "none";
}

static bool
in_list(const uint16_t *list, unsigned n, unsigned v)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static int
poll_add(struct layout *l, unsigned lcore, uint16_t port, uint16_t queue)
{
	if (l->poll[lcore].n >= LAYOUT_MAX_POLL)
		return -EINVAL;
	l->poll[lcore].q[l->poll[lcore].n].port = port;
	l->poll[lcore].q[l->poll[lcore].n].queue = queue;
	l->poll[lcore].n++;
	return 0;
}

static int
assign_roles(struct layout *l, const struct layout_req *req, const uint16_t *lcores,
	     unsigned n_lcores, char *err, size_t errlen)
{
	for (unsigned i = 0; i < req->n_rx_lcores; i++) {
		unsigned lc = req->rx_lcores[i];

		if (lc == l->main_lcore)
			return fail(err, errlen, "lcore %u is the main lcore (control thread); it cannot poll", lc);
		if (!in_list(lcores, n_lcores, lc))
			return fail(err, errlen, "rx lcore %u is not enabled in the EAL arguments", lc);
		if (l->role[lc] != LCORE_ROLE_NONE)
			return fail(err, errlen, "lcore %u is listed twice", lc);
		l->role[lc] = LCORE_ROLE_RX;
	}
	for (unsigned i = 0; i < req->n_worker_lcores; i++) {
		unsigned lc = req->worker_lcores[i];

		if (lc == l->main_lcore)
			return fail(err, errlen, "lcore %u is the main lcore (control thread); it cannot be a worker", lc);
		if (!in_list(lcores, n_lcores, lc))
			return fail(err, errlen, "worker lcore %u is not enabled in the EAL arguments", lc);
		if (l->role[lc] != LCORE_ROLE_NONE)
			return fail(err, errlen, "lcore %u is both rx and worker", lc);
		l->role[lc] = LCORE_ROLE_WORKER;
	}

	if (req->n_rx_lcores == 0 && req->n_worker_lcores == 0) {
		/* Default: last lcore works, the others poll. */
		if (n_lcores < 2)
			return fail(err, errlen,
				    "need at least two lcores besides the main one (one rx, one worker), "
				    "e.g. EAL '--lcores 0@0,1@1,2@0'");
		for (unsigned i = 0; i + 1 < n_lcores; i++)
			l->role[lcores[i]] = LCORE_ROLE_RX;
		l->role[lcores[n_lcores - 1]] = LCORE_ROLE_WORKER;
	} else if (req->n_rx_lcores == 0) {
		for (unsigned i = 0; i < n_lcores; i++)
			if (l->role[lcores[i]] == LCORE_ROLE_NONE)
				l->role[lcores[i]] = LCORE_ROLE_RX;
	} else if (req->n_worker_lcores == 0) {
		for (unsigned i = 0; i < n_lcores; i++)
			if (l->role[lcores[i]] == LCORE_ROLE_NONE)
				l->role[lcores[i]] = LCORE_ROLE_WORKER;
	}

	for (unsigned i = 0; i < n_lcores; i++) {
		if (l->role[lcores[i]] == LCORE_ROLE_RX)
			l->n_rx_lcores++;
		else if (l->role[lcores[i]] == LCORE_ROLE_WORKER)
			l->n_worker_lcores++;
	}
	if (l->n_rx_lcores == 0)
		return fail(err, errlen, "no rx lcore: every lcore besides the main one is a worker");
	if (l->n_worker_lcores == 0)
		return fail(err, errlen, "no worker lcore: every lcore besides the main one polls");
	return 0;
}

static const struct layout_port *
find_port(const struct layout_port *ports, unsigned n, uint16_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (ports[i].port_id == id)
			return &ports[i];
	return NULL;
}

static int
assign_rx_map(struct layout *l, const struct layout_req *req,
	      const struct layout_port *ports, unsigned n_ports, char *err, size_t errlen)
{
	bool seen[RTE_MAX_ETHPORTS][LAYOUT_MAX_RXQ] = {{false}};

	/* The number of queues of a mapped port is its highest mapped queue + 1. */
	for (unsigned i = 0; i < req->n_rx_map; i++) {
		const struct rx_map_entry *e = &req->rx_map[i];
		const struct layout_port *p = find_port(ports, n_ports, e->port);

		if (p == NULL)
			return fail(err, errlen, "rx-map: port %u does not exist", e->port);
		if (e->queue >= LAYOUT_MAX_RXQ || e->queue >= p->max_rxq)
			return fail(err, errlen, "rx-map: port %u has at most %u rx queues (queue %u)",
				    e->port, RTE_MIN(p->max_rxq, LAYOUT_MAX_RXQ), e->queue);
		if (e->lcore >= RTE_MAX_LCORE || l->role[e->lcore] != LCORE_ROLE_RX)
			return fail(err, errlen, "rx-map: lcore %u is not an rx lcore", e->lcore);
		if (seen[e->port][e->queue])
			return fail(err, errlen, "rx-map: queue %u of port %u is mapped twice",
				    e->queue, e->port);
		seen[e->port][e->queue] = true;
		if (e->queue + 1u > l->nb_rxq[e->port])
			l->nb_rxq[e->port] = e->queue + 1;
		if (poll_add(l, e->lcore, e->port, e->queue) < 0)
			return fail(err, errlen, "rx-map: lcore %u polls more than %u queues",
				    e->lcore, LAYOUT_MAX_POLL);
	}
	for (unsigned i = 0; i < n_ports; i++) {
		uint16_t p = ports[i].port_id;

		if (l->nb_rxq[p] == 0)
			return fail(err, errlen, "rx-map: port %u has no queue mapped", p);
		for (unsigned q = 0; q < l->nb_rxq[p]; q++)
			if (!seen[p][q])
				return fail(err, errlen, "rx-map: queue %u of port %u is not mapped", q, p);
	}
	return 0;
}

static int
assign_round_robin(struct layout *l, const struct layout_req *req,
		   const struct layout_port *ports, unsigned n_ports, char *err, size_t errlen)
{
	unsigned rxq = req->rxq ? req->rxq : 1;
	uint16_t rx[RTE_MAX_LCORE];
	unsigned n_rx = 0, next = 0;

	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (l->role[lc] == LCORE_ROLE_RX)
			rx[n_rx++] = (uint16_t)lc;
	if (rxq > LAYOUT_MAX_RXQ)
		return fail(err, errlen, "at most %u rx queues per port", LAYOUT_MAX_RXQ);
	for (unsigned i = 0; i < n_ports; i++) {
		const struct layout_port *p = &ports[i];
		unsigned n = RTE_MIN(rxq, (unsigned)p->max_rxq);

		if (n == 0)
			return fail(err, errlen, "port %u has no rx queue", p->port_id);
		l->nb_rxq[p->port_id] = (uint16_t)n;
		for (unsigned q = 0; q < n; q++) {
			if (poll_add(l, rx[next], p->port_id, (uint16_t)q) < 0)
				return fail(err, errlen, "lcore %u would poll more than %u queues",
					    rx[next], LAYOUT_MAX_POLL);
			next = (next + 1) % n_rx;
		}
	}
	return 0;
}

int
layout_build(struct layout *l, const struct layout_req *req, unsigned main_lcore,
	     const uint16_t *lcores, unsigned n_lcores,
	     const struct layout_port *ports, unsigned n_ports,
	     char *err, size_t errlen)
{
	int rc;

	memset(l, 0, sizeof(*l));
	if (main_lcore >= RTE_MAX_LCORE)
		return fail(err, errlen, "main lcore %u out of range", main_lcore);
	if (n_lcores > RTE_MAX_LCORE || n_ports > RTE_MAX_ETHPORTS)
		return fail(err, errlen, "too many lcores or ports");
	for (unsigned i = 0; i < n_lcores; i++)
		if (lcores[i] >= RTE_MAX_LCORE || lcores[i] == main_lcore)
			return fail(err, errlen, "lcore %u is invalid here", lcores[i]);
	for (unsigned i = 0; i < n_ports; i++) {
		if (ports[i].port_id >= RTE_MAX_ETHPORTS || l->port_used[ports[i].port_id])
			return fail(err, errlen, "port %u is invalid or listed twice", ports[i].port_id);
		l->port_used[ports[i].port_id] = true;
	}
	l->main_lcore = main_lcore;
	l->role[main_lcore] = LCORE_ROLE_CONTROL;

	rc = assign_roles(l, req, lcores, n_lcores, err, errlen);
	if (rc < 0)
		return rc;
	if (req->n_rx_map > 0)
		rc = assign_rx_map(l, req, ports, n_ports, err, errlen);
	else
		rc = assign_round_robin(l, req, ports, n_ports, err, errlen);
	if (rc < 0)
		return rc;

	/* One tx queue per transmitting lcore: control, rx and workers. */
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		l->txq[lc] = UINT16_MAX;
		if (l->role[lc] != LCORE_ROLE_NONE)
			l->txq[lc] = (uint16_t)l->n_txq++;
	}
	for (unsigned i = 0; i < n_ports; i++)
		if (ports[i].max_txq < l->n_txq)
			return fail(err, errlen,
				    "port %u has %u tx queues; %u lcores transmit and each needs its own",
				    ports[i].port_id, ports[i].max_txq, l->n_txq);
	return 0;
}

int
layout_grow_rxq(struct layout *l, uint16_t port, uint16_t nb_rxq)
{
	uint16_t pollers[RTE_MAX_LCORE];
	unsigned n = 0, next = 0;

	if (port >= RTE_MAX_ETHPORTS || nb_rxq > LAYOUT_MAX_RXQ || !l->port_used[port])
		return -EINVAL;
	if (nb_rxq <= l->nb_rxq[port])
		return 0;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		for (unsigned i = 0; i < l->poll[lc].n; i++) {
			if (l->poll[lc].q[i].port == port) {
				pollers[n++] = (uint16_t)lc;
				break;
			}
		}
	}
	if (n == 0)
		return -EINVAL;
	/* Check that every poller has room first, so a failure leaves @l untouched. */
	for (unsigned i = 0; i < n; i++) {
		unsigned add = (nb_rxq - l->nb_rxq[port] + n - 1 - i) / n;

		if (l->poll[pollers[i]].n + add > LAYOUT_MAX_POLL)
			return -EINVAL;
	}
	for (uint16_t q = l->nb_rxq[port]; q < nb_rxq; q++) {
		if (poll_add(l, pollers[next], port, q) < 0)
			return -EINVAL;
		next = (next + 1) % n;
	}
	l->nb_rxq[port] = nb_rxq;
	return 0;
}
