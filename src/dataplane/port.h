/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.h: the ethdev ports nsdp drives. Every port the EAL exposes (PCI
 * devices bound to vfio-pci, or --vdev net_tap / virtio_user / net_vhost /
 * net_memif / net_ring / net_null) is discovered at start and becomes
 * available to configuration (the ifd layer of the interface tree builds on
 * these records).
 *
 * Lock legend:
 *   [I] set before the lcores start, immutable afterwards
 *   [A] atomic; written by the event callback or the control thread
 *   [C] control thread only
 */
#ifndef NSDP_PORT_H
#define NSDP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

#include "layout.h"

enum port_state {
	PORT_S_UNUSED = 0,
	PORT_S_STARTED,   /* polled and transmitting */
	PORT_S_REMOVING,  /* removal announced; lcores stop touching it */
	PORT_S_CLOSED,    /* stopped and closed by the control thread */
};

struct nsdp_port {
	uint16_t port_id;                   /* [I] */
	char name[RTE_ETH_NAME_MAX_LEN];    /* [I] ethdev name, e.g. net_tap0 */
	char driver[32];                    /* [I] driver name, e.g. net_tap */
	struct rte_ether_addr mac;          /* [I] */
	uint16_t nb_rxq;                    /* [I] */
	uint16_t nb_txq;                    /* [I] */
	bool rss;                           /* [I] RSS spreads flows over nb_rxq queues */
	bool lsc_intr;                      /* [I] link changes are signalled, not polled */
	bool rmv_intr;                      /* [I] removal is signalled */
	uint32_t state;                     /* [A] enum port_state */
	uint32_t link_up;                   /* [A] */
	uint32_t link_speed;                /* [A] Mb/s */
	uint64_t lsc_events;                /* [A] link-state events seen */
	uint64_t rmv_events;                /* [A] removal events seen */
};

/* [I]/[A] as tagged; index by port id. */
extern struct nsdp_port nsdp_ports[RTE_MAX_ETHPORTS];

struct port_setup_req {
	unsigned rx_desc;
	unsigned tx_desc;
	bool promisc;
};

/**
 * List the ports the EAL exposes with their queue limits.
 * @return the number of ports written to @out (at most @max).
 */
unsigned ports_discover(struct layout_port *out, unsigned max);

/**
 * Configure and start every port of @l: nb_rxq rx queues (RSS when more than
 * one and the port supports it), one tx queue per transmitting lcore,
 * link-state and removal callbacks. May grow a port's rx queue count in @l
 * when its driver needs as many rx as tx queues.
 * Call from the main lcore before the lcores start.
 * @return 0, or -errno with @err set; ports already started are stopped.
 */
int ports_setup(struct layout *l, struct rte_mempool *mp, const struct port_setup_req *req,
		char *err, size_t errlen);

/** Stop and close every port still open. Lcores must be stopped. */
void ports_shutdown(void);

/**
 * The file descriptor the control thread polls: readable when a port event
 * (link change, removal) is pending. -1 before ports_setup().
 */
int ports_event_fd(void);

/**
 * Control thread: consume the event fd and refresh link states.
 * @return a bit mask of ports that entered PORT_S_REMOVING since the last
 *   call (the caller unpublishes them from the poll tables, waits for a
 *   grace period and calls port_close()).
 */
uint64_t ports_handle_events(void);

/**
 * Refresh the link status of every started port and log changes (control
 * thread, once a second): covers drivers without link interrupts and ports
 * whose interrupt was missed.
 */
void ports_poll_links(void);

/** Stop and close a port in PORT_S_REMOVING (control thread, after a grace period). */
void port_close(uint16_t port);

/** Mark a port as being removed, as the removal event does (any thread). */
void port_mark_removing(uint16_t port);

/** Whether lcores may transmit on @port now (read on the packet path). */
static inline bool
port_is_started(uint16_t port)
{
	return __atomic_load_n(&nsdp_ports[port].state, __ATOMIC_RELAXED) == PORT_S_STARTED;
}

const char *port_state_name(enum port_state s);

#endif
