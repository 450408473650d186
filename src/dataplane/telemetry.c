/* SPDX-License-Identifier: BSD-3-Clause */
/* telemetry.c: /nsdp/... DPDK telemetry commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>
#include <urcu-qsbr.h>

#include "counters.h"
#include "latency.h"
#include "lcore.h"
#include "port.h"
#include "svcq.h"
#include "telemetry.h"
#include "tickcount.h"

static struct svc_sched *tel_sched;

/*
 * The telemetry thread reads RCU-published tables (poll tables): it becomes
 * a QSBR reader on first use and stays offline between commands, so it never
 * holds up a grace period while it sleeps on its socket.
 */
static __thread bool tel_rcu_registered;

static void
tel_rcu_enter(void)
{
	if (!tel_rcu_registered) {
		rcu_register_thread();
		tel_rcu_registered = true;
		return;
	}
	rcu_thread_online();
}

static void
tel_rcu_exit(void)
{
	rcu_thread_offline();
}

/* Parse the port id parameter; -1 if absent or not a started/closed port. */
static int
param_port(const char *params)
{
	char *end;
	long v;

	if (params == NULL || *params == '\0')
		return -1;
	v = strtol(params, &end, 10);
	if (*end != '\0' || v < 0 || v >= RTE_MAX_ETHPORTS ||
	    nsdp_ports[v].state == PORT_S_UNUSED)
		return -1;
	return (int)v;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		char key[8];

		if (nsdp_ports[p].state == PORT_S_UNUSED)
			continue;
		snprintf(key, sizeof(key), "%u", p);
		rte_tel_data_add_dict_string(d, key, nsdp_ports[p].name);
	}
	return 0;
}

static struct rte_tel_data *
drops_container(const struct port_counters *pc)
{
	struct rte_tel_data *dr = rte_tel_data_alloc();

	if (dr == NULL)
		return NULL;
	rte_tel_data_start_dict(dr);
	for (unsigned r = 0; r < DROP_MAX; r++)
		rte_tel_data_add_dict_u64(dr, drop_reason_name(r), pc->drops[r]);
	return dr;
}

static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct nsdp_port *np;
	struct port_counters pc;
	struct rte_eth_stats es;
	struct rte_tel_data *dr;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	int p = param_port(params);

	(void)cmd;
	if (p < 0)
		return -EINVAL;
	np = &nsdp_ports[p];
	counters_port_sum((uint16_t)p, &pc);
	rte_ether_format_addr(mac, sizeof(mac), &np->mac);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port_id", p);
	rte_tel_data_add_dict_string(d, "name", np->name);
	rte_tel_data_add_dict_string(d, "driver", np->driver);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_string(d, "state", port_state_name(__atomic_load_n(&np->state, __ATOMIC_RELAXED)));
	rte_tel_data_add_dict_int(d, "link_up", (int)__atomic_load_n(&np->link_up, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "link_speed_mbps", __atomic_load_n(&np->link_speed, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_int(d, "nb_rxq", np->nb_rxq);
	rte_tel_data_add_dict_int(d, "nb_txq", np->nb_txq);
	rte_tel_data_add_dict_int(d, "rss", np->rss);
	rte_tel_data_add_dict_u64(d, "lsc_events", __atomic_load_n(&np->lsc_events, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "rmv_events", __atomic_load_n(&np->rmv_events, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "rx_packets", pc.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", pc.rx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_bursts", pc.rx_bursts);
	rte_tel_data_add_dict_u64(d, "tx_packets", pc.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", pc.tx_bytes);
	if (__atomic_load_n(&np->state, __ATOMIC_RELAXED) == PORT_S_STARTED &&
	    rte_eth_stats_get((uint16_t)p, &es) == 0) {
		/* What the device itself dropped before nsdp saw it. */
		rte_tel_data_add_dict_u64(d, "hw_imissed", es.imissed);
		rte_tel_data_add_dict_u64(d, "hw_ierrors", es.ierrors);
		rte_tel_data_add_dict_u64(d, "hw_rx_nombuf", es.rx_nombuf);
		rte_tel_data_add_dict_u64(d, "hw_oerrors", es.oerrors);
	}
	dr = drops_container(&pc);
	if (dr != NULL)
		rte_tel_data_add_dict_container(d, "drops", dr, 0);
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct port_counters total, pc;

	(void)cmd;
	(void)params;
	memset(&total, 0, sizeof(total));
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (nsdp_ports[p].state == PORT_S_UNUSED)
			continue;
		counters_port_sum(p, &pc);
		for (unsigned r = 0; r < DROP_MAX; r++)
			total.drops[r] += pc.drops[r];
	}
	rte_tel_data_start_dict(d);
	for (unsigned r = 0; r < DROP_MAX; r++)
		rte_tel_data_add_dict_u64(d, drop_reason_name(r), total.drops[r]);
	return 0;
}

static int
tel_drop_reasons(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned r = 0; r < DROP_MAX; r++)
		rte_tel_data_add_dict_string(d, drop_reason_name(r), drop_reason_desc(r));
	return 0;
}

static int
tel_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		const struct lcore_ctx *c = nsdp_lcores[lc];
		struct rte_tel_data *e;
		char key[16], polls[RTE_TEL_MAX_STRING_LEN];
		size_t off = 0;

		if (c == NULL)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "role", lcore_role_name(c->role));
		rte_tel_data_add_dict_int(e, "txq", c->txq);
		polls[0] = '\0';
		if (c->role == LCORE_ROLE_RX) {
			const struct poll_table *t;

			tel_rcu_enter();
			t = rcu_dereference(c->poll);
			for (unsigned i = 0; i < t->n && off + 16 < sizeof(polls); i++)
				off += (size_t)snprintf(polls + off, sizeof(polls) - off, "%s%u:%u",
							i ? "," : "", t->q[i].port, t->q[i].queue);
			tel_rcu_exit();
		}
		rte_tel_data_add_dict_string(e, "polls", polls);
		rte_tel_data_add_dict_u64(e, "loops", __atomic_load_n(&c->loops, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(e, "idle_loops", __atomic_load_n(&c->idle_loops, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(e, "busy_ns",
			tickcount_delta_ns(__atomic_load_n(&c->busy_ticks, __ATOMIC_RELAXED)));
		snprintf(key, sizeof(key), "%u", lc);
		rte_tel_data_add_dict_container(d, key, e, 0);
	}
	return 0;
}

static int
tel_latency(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct latency_hist *h;
	struct rte_tel_data *b;
	int p = param_port(params);

	(void)cmd;
	if (p < 0)
		return -EINVAL;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	latency_port_sum((uint16_t)p, h);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "samples", h->total);
	rte_tel_data_add_dict_u64(d, "mean_ns", h->total ? tickcount_delta_ns(h->sum_ticks / h->total) : 0);
	rte_tel_data_add_dict_u64(d, "p50_ns", tickcount_delta_ns(latency_percentile(h, 500)));
	rte_tel_data_add_dict_u64(d, "p90_ns", tickcount_delta_ns(latency_percentile(h, 900)));
	rte_tel_data_add_dict_u64(d, "p99_ns", tickcount_delta_ns(latency_percentile(h, 990)));
	rte_tel_data_add_dict_u64(d, "max_ns", tickcount_delta_ns(h->max_ticks));
	b = rte_tel_data_alloc();
	if (b != NULL) {
		unsigned added = 0;

		/* Non-empty buckets only, keyed "lo_ns-hi_ns". */
		rte_tel_data_start_dict(b);
		for (unsigned i = 0; i < LAT_BUCKETS && added < RTE_TEL_MAX_DICT_ENTRIES; i++) {
			uint64_t lo, hi;
			char key[48];

			if (h->count[i] == 0)
				continue;
			latency_bucket_bounds(i, &lo, &hi);
			snprintf(key, sizeof(key), "%lu-%lu", (unsigned long)tickcount_delta_ns(lo),
				 (unsigned long)tickcount_delta_ns(hi));
			rte_tel_data_add_dict_u64(b, key, h->count[i]);
			added++;
		}
		rte_tel_data_add_dict_container(d, "buckets", b, 0);
	}
	free(h);
	return 0;
}

static int
tel_time(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tickcount_calib c;
	tickcount_t now = tickcount_now();

	(void)cmd;
	(void)params;
	if (tickcount_get_calib(&c) < 0)
		return -EAGAIN;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tick_hz", c.hz);
	rte_tel_data_add_dict_u64(d, "eal_tsc_hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "ref_tick", c.ref_tick);
	rte_tel_data_add_dict_u64(d, "ref_realtime_ns", (uint64_t)c.ref_real_ns);
	rte_tel_data_add_dict_u64(d, "ref_error_ns", c.ref_error_ns);
	rte_tel_data_add_dict_u64(d, "now_tick", now);
	rte_tel_data_add_dict_u64(d, "now_realtime_ns", (uint64_t)tickcount_to_realtime_ns(now));
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct svc_sched_stats st;

	(void)cmd;
	(void)params;
	if (tel_sched == NULL)
		return -ENOENT;
	svc_sched_stats(tel_sched, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "scheduled", st.scheduled);
	rte_tel_data_add_dict_u64(d, "running", st.running);
	rte_tel_data_add_dict_u64(d, "workers", st.workers);
	rte_tel_data_add_dict_u64(d, "live", st.live);
	rte_tel_data_add_dict_u64(d, "wake_factor", st.wake_factor);
	rte_tel_data_add_dict_u64(d, "schedules", st.schedules);
	rte_tel_data_add_dict_u64(d, "wakeups", st.wakeups);
	rte_tel_data_add_dict_u64(d, "sleeps", st.sleeps);
	for (unsigned i = 0; i < st.workers; i++) {
		struct svc_worker_stats ws;
		struct rte_tel_data *w;
		char key[24];

		if (svc_sched_worker_stats(tel_sched, i, &ws) < 0)
			continue;
		w = rte_tel_data_alloc();
		if (w == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "msgs", ws.msgs);
		rte_tel_data_add_dict_u64(w, "queues", ws.queues);
		rte_tel_data_add_dict_u64(w, "sleeps", ws.sleeps);
		rte_tel_data_add_dict_u64(w, "busy_ns", ws.busy_ns);
		rte_tel_data_add_dict_u64(w, "idle_ns", ws.idle_ns);
		rte_tel_data_add_dict_int(w, "live", ws.live);
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, w, 0);
	}
	return 0;
}

int
nsdp_telemetry_register(struct svc_sched *sched)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ "/nsdp/ports", tel_ports, "Ports nsdp drives: id -> name." },
		{ "/nsdp/port", tel_port, "Port state, counters and drops by reason. Parameter: port id." },
		{ "/nsdp/drops", tel_drops, "Dropped packets by reason, all ports." },
		{ "/nsdp/drop_reasons", tel_drop_reasons, "What each drop reason means." },
		{ "/nsdp/lcores", tel_lcores, "Lcore roles, polled queues and loop counters." },
		{ "/nsdp/latency", tel_latency, "Rx->tx latency of forwarded packets leaving a port. Parameter: port id." },
		{ "/nsdp/time", tel_time, "Tick calibration and the current time." },
		{ "/nsdp/workers", tel_workers, "Service-queue scheduler and worker statistics." },
	};
	int rc;

	tel_sched = sched;
	for (unsigned i = 0; i < RTE_DIM(cmds); i++) {
		rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
		if (rc < 0)
			return rc;
	}
	return 0;
}
