/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layout.h: which lcore does what. The main lcore runs the control thread;
 * rx lcores poll (port, queue) pairs and run the stateless core (paper
 * "software interrupt context"); worker lcores drain service queues (paper
 * "kernel thread context"). Every lcore that may transmit (all of them) owns
 * one tx queue on every port, so transmission never takes a lock.
 *
 * layout_build() is a pure function of the request and the ports' limits so
 * it can be unit-tested and fuzzed without hardware.
 */
#ifndef NSDP_LAYOUT_H
#define NSDP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>

#define LAYOUT_MAX_RXQ 64              /* rx queues per port we configure at most */
#define LAYOUT_MAX_POLL 128            /* (port, queue) pairs one rx lcore polls */

enum lcore_role {
	LCORE_ROLE_NONE = 0,
	LCORE_ROLE_CONTROL,
	LCORE_ROLE_RX,
	LCORE_ROLE_WORKER,
};

struct rx_map_entry {
	uint16_t port;
	uint16_t queue;
	uint16_t lcore;
};

/* What the operator asked for (all optional). */
struct layout_req {
	uint16_t rx_lcores[RTE_MAX_LCORE];
	unsigned n_rx_lcores;
	uint16_t worker_lcores[RTE_MAX_LCORE];
	unsigned n_worker_lcores;
	struct rx_map_entry rx_map[RTE_MAX_ETHPORTS * 4];
	unsigned n_rx_map;
	unsigned rxq;                  /* rx queues per port; 0 = default (1) */
};

/* What a port can do. */
struct layout_port {
	uint16_t port_id;
	uint16_t max_rxq;
	uint16_t max_txq;
};

struct poll_entry {
	uint16_t port;
	uint16_t queue;
};

struct layout {
	unsigned main_lcore;
	enum lcore_role role[RTE_MAX_LCORE];
	/* tx queue index this lcore owns on every port; UINT16_MAX = none */
	uint16_t txq[RTE_MAX_LCORE];
	unsigned n_txq;                /* tx queues per port */
	unsigned n_rx_lcores;
	unsigned n_worker_lcores;
	bool port_used[RTE_MAX_ETHPORTS];
	uint16_t nb_rxq[RTE_MAX_ETHPORTS];
	struct {
		unsigned n;
		struct poll_entry q[LAYOUT_MAX_POLL];
	} poll[RTE_MAX_LCORE];
};

/**
 * Decide the roles and the rx queue assignment.
 *
 * Defaults: without --rx-lcores/--worker-lcores, the last available lcore is
 * the worker and the others poll; at least two non-main lcores are needed.
 * Rx queues of each port are spread round-robin over the rx lcores unless
 * @req->rx_map places them explicitly (then every queue of every port must
 * be placed exactly once).
 *
 * @param l        output
 * @param req      the operator's request
 * @param main_lcore  the control thread's lcore
 * @param lcores   the enabled lcores other than the main one
 * @param n_lcores their number
 * @param ports    the ports found, with their queue limits
 * @param n_ports  their number
 * @param err      receives a human-readable reason on failure
 * @return 0, or -EINVAL with @err set.
 */
int layout_build(struct layout *l, const struct layout_req *req, unsigned main_lcore,
		 const uint16_t *lcores, unsigned n_lcores,
		 const struct layout_port *ports, unsigned n_ports,
		 char *err, size_t errlen);

/**
 * Raise @port's rx queue count to @nb_rxq (some drivers, net_tap among them,
 * need as many rx as tx queues): the new queues are spread over the rx
 * lcores already polling the port so that none is left unpolled.
 * @return 0, or -EINVAL if @nb_rxq exceeds LAYOUT_MAX_RXQ or an lcore's poll
 *   list would overflow.
 */
int layout_grow_rxq(struct layout *l, uint16_t port, uint16_t nb_rxq);

/** Name of a role ("control", "rx", "worker", "none"). */
const char *lcore_role_name(enum lcore_role r);

#endif
