/* SPDX-License-Identifier: BSD-3-Clause */
/* port.c: ethdev discovery, configuration, link-state and removal events. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_log.h>

#include "port.h"

_Static_assert(RTE_MAX_ETHPORTS <= 64, "ports_handle_events() returns a 64-bit port mask");

struct nsdp_port nsdp_ports[RTE_MAX_ETHPORTS];

static int event_fd = -1;

const char *
port_state_name(enum port_state s)
{
	switch (s) {
	case PORT_S_STARTED: return "started";
	case PORT_S_REMOVING: return "removing";
	case PORT_S_CLOSED: return "closed";
	case PORT_S_UNUSED: break;
	}
	return "unused";
}

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

unsigned
ports_discover(struct layout_port *out, unsigned max)
{
	unsigned n = 0;
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		struct rte_eth_dev_info info;

		if (n >= max)
			break;
		if (rte_eth_dev_info_get(pid, &info) != 0)
			continue;
		out[n].port_id = pid;
		out[n].max_rxq = info.max_rx_queues;
		out[n].max_txq = info.max_tx_queues;
		n++;
	}
	return n;
}

static void
event_signal(void)
{
	uint64_t one = 1;

	/* A full counter only means the control thread is already due to wake. */
	if (event_fd >= 0 && write(event_fd, &one, sizeof(one)) < 0)
		return;
}

void
port_mark_removing(uint16_t port)
{
	uint32_t expect = PORT_S_STARTED;

	if (port >= RTE_MAX_ETHPORTS)
		return;
	__atomic_compare_exchange_n(&nsdp_ports[port].state, &expect, PORT_S_REMOVING,
				    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	event_signal();
}

static void
link_refresh(uint16_t port)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(port, &link) != 0)
		return;
	__atomic_store_n(&nsdp_ports[port].link_speed, link.link_speed, __ATOMIC_RELAXED);
	__atomic_store_n(&nsdp_ports[port].link_up, link.link_status, __ATOMIC_RELAXED);
}

/*
 * Runs in the EAL interrupt thread. It must not stop or close the port (the
 * ethdev API forbids it from its own callback), so it records the event and
 * wakes the control thread, which does the work.
 */
static int
port_event_cb(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)arg;
	(void)ret;
	if (port >= RTE_MAX_ETHPORTS)
		return 0;
	switch (type) {
	case RTE_ETH_EVENT_INTR_LSC:
		__atomic_fetch_add(&nsdp_ports[port].lsc_events, 1, __ATOMIC_RELAXED);
		link_refresh(port);
		event_signal();
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		__atomic_fetch_add(&nsdp_ports[port].rmv_events, 1, __ATOMIC_RELAXED);
		port_mark_removing(port);
		break;
	default:
		break;
	}
	return 0;
}

static int
port_configure(struct layout *l, uint16_t pid, struct rte_mempool *mp,
	       const struct port_setup_req *req, char *err, size_t errlen)
{
	struct nsdp_port *p = &nsdp_ports[pid];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxq, nb_txq = (uint16_t)l->n_txq;
	uint16_t rx_desc = (uint16_t)req->rx_desc, tx_desc = (uint16_t)req->tx_desc;
	int rc;

	rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0)
		return fail(err, errlen, rc, "port %u: cannot read device info: %s", pid, strerror(-rc));

	memset(p, 0, sizeof(*p));
	p->port_id = pid;
	rte_eth_dev_get_name_by_port(pid, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->lsc_intr = (*info.dev_flags & RTE_ETH_DEV_INTR_LSC) != 0;
	p->rmv_intr = (*info.dev_flags & RTE_ETH_DEV_INTR_RMV) != 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		memset(&conf, 0, sizeof(conf));
		nb_rxq = l->nb_rxq[pid];
		p->rss = nb_rxq > 1 && info.flow_type_rss_offloads != 0;
		if (p->rss) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf =
				(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
				info.flow_type_rss_offloads;
		}
		conf.intr_conf.lsc = p->lsc_intr;
		conf.intr_conf.rmv = p->rmv_intr;
		/*
		 * Fragments (IPv4 forwarding, multicast copies) leave as chains of
		 * indirect mbufs from the fragmentation pools, so what a tx queue
		 * frees is neither single-segment nor from one pool: MBUF_FAST_FREE
		 * would break its contract, and drivers that only send chains when
		 * asked need MULTI_SEGS.
		 */
		if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		rc = rte_eth_dev_configure(pid, nb_rxq, nb_txq, &conf);
		if (rc == 0)
			break;
		/* Some drivers (net_tap) need as many rx as tx queues: grow rx. */
		if (attempt == 0 && nb_rxq < nb_txq && nb_txq <= info.max_rx_queues &&
		    layout_grow_rxq(l, pid, nb_txq) == 0) {
			RTE_LOG(INFO, USER1, "port %u: retrying with %u rx queues (as many as tx)\n",
				pid, nb_txq);
			continue;
		}
		return fail(err, errlen, rc, "port %u (%s): configure %u rx / %u tx queues failed: %s",
			    pid, p->name, nb_rxq, nb_txq, strerror(-rc));
	}
	p->nb_rxq = l->nb_rxq[pid];
	p->nb_txq = nb_txq;

	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rx_desc, &tx_desc);
	if (rc != 0)
		return fail(err, errlen, rc, "port %u: descriptor counts rejected: %s", pid, strerror(-rc));
	for (uint16_t q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, rx_desc, rte_eth_dev_socket_id(pid), NULL, mp);
		if (rc != 0)
			return fail(err, errlen, rc, "port %u: rx queue %u setup failed: %s",
				    pid, q, strerror(-rc));
	}
	for (uint16_t q = 0; q < p->nb_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(pid, q, tx_desc, rte_eth_dev_socket_id(pid), &txc);
		if (rc != 0)
			return fail(err, errlen, rc, "port %u: tx queue %u setup failed: %s",
				    pid, q, strerror(-rc));
	}
	rte_eth_macaddr_get(pid, &p->mac);
	rte_eth_dev_callback_register(pid, RTE_ETH_EVENT_INTR_LSC, port_event_cb, NULL);
	rte_eth_dev_callback_register(pid, RTE_ETH_EVENT_INTR_RMV, port_event_cb, NULL);

	rc = rte_eth_dev_start(pid);
	if (rc != 0)
		return fail(err, errlen, rc, "port %u (%s): start failed: %s", pid, p->name, strerror(-rc));
	if (req->promisc && rte_eth_promiscuous_enable(pid) != 0)
		RTE_LOG(WARNING, USER1, "port %u: promiscuous mode not supported\n", pid);
	__atomic_store_n(&p->state, PORT_S_STARTED, __ATOMIC_RELEASE);
	link_refresh(pid);
	return 0;
}

int
ports_setup(struct layout *l, struct rte_mempool *mp, const struct port_setup_req *req,
	    char *err, size_t errlen)
{
	int rc;

	if (event_fd < 0) {
		event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (event_fd < 0)
			return fail(err, errlen, -errno, "eventfd: %s", strerror(errno));
	}
	for (uint16_t pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		if (!l->port_used[pid])
			continue;
		rc = port_configure(l, pid, mp, req, err, errlen);
		if (rc != 0) {
			ports_shutdown();
			return rc;
		}
	}
	return 0;
}

void
port_close(uint16_t port)
{
	struct nsdp_port *p = &nsdp_ports[port];
	uint32_t st = __atomic_load_n(&p->state, __ATOMIC_ACQUIRE);

	if (st != PORT_S_STARTED && st != PORT_S_REMOVING)
		return;
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, port_event_cb, NULL);
	rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RMV, port_event_cb, NULL);
	/* A removed device may already be gone: errors here are expected. */
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	__atomic_store_n(&p->link_up, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, PORT_S_CLOSED, __ATOMIC_RELEASE);
}

void
ports_shutdown(void)
{
	for (uint16_t pid = 0; pid < RTE_MAX_ETHPORTS; pid++)
		port_close(pid);
	if (event_fd >= 0) {
		close(event_fd);
		event_fd = -1;
	}
}

int
ports_event_fd(void)
{
	return event_fd;
}

uint64_t
ports_handle_events(void)
{
	static uint64_t announced;
	uint64_t val, removing = 0;

	if (event_fd >= 0 && read(event_fd, &val, sizeof(val)) < 0)
		val = 0;
	for (uint16_t pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		uint32_t st = __atomic_load_n(&nsdp_ports[pid].state, __ATOMIC_ACQUIRE);

		if (st == PORT_S_REMOVING && !(announced & (1ULL << pid))) {
			announced |= 1ULL << pid;
			removing |= 1ULL << pid;
		} else if (st == PORT_S_STARTED) {
			announced &= ~(1ULL << pid);
		}
	}
	return removing;
}

void
ports_poll_links(void)
{
	for (uint16_t pid = 0; pid < RTE_MAX_ETHPORTS; pid++) {
		uint32_t st = __atomic_load_n(&nsdp_ports[pid].state, __ATOMIC_ACQUIRE);
		uint32_t was;

		if (st != PORT_S_STARTED)
			continue;
		was = __atomic_load_n(&nsdp_ports[pid].link_up, __ATOMIC_RELAXED);
		link_refresh(pid);
		if (was != __atomic_load_n(&nsdp_ports[pid].link_up, __ATOMIC_RELAXED))
			RTE_LOG(INFO, USER1, "port %u (%s): link %s\n", pid, nsdp_ports[pid].name,
				nsdp_ports[pid].link_up ? "up" : "down");
	}
}
