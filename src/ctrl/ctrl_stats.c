/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrl_stats.c: STATS, per-port packet counters and named drop counters.
 * GET and GETNEXT by port id; CHANGE with RESET zeroes a port's counters.
 *
 * A reset never writes the lcores' counters (they have one writer each,
 * the lcore, and counters_port_reset() needs the lcores stopped): it
 * records the current sums as the port's baseline, which reads subtract.
 * That is safe while the lcores run. Telemetry (/nsdp/port) keeps showing
 * the raw sums since start.
 *
 * Dump order: by port id; GETNEXT continues after the id it carries.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "dataplane/port.h"
#include "handlers.h"

/* [C] the sums at the last reset, per port; written under the config lock. */
static struct port_counters stats_base[RTE_MAX_ETHPORTS];

struct stats_view {
	uint16_t port;
	struct port_counters pc;
};

void
ctrl_stats_read(uint16_t port, struct port_counters *out)
{
	const struct port_counters *b = &stats_base[port];

	counters_port_sum(port, out);
	/* Sums only grow, so each is at least its baseline. */
	out->rx_packets -= b->rx_packets;
	out->rx_bytes -= b->rx_bytes;
	out->rx_bursts -= b->rx_bursts;
	out->tx_packets -= b->tx_packets;
	out->tx_bytes -= b->tx_bytes;
	for (unsigned r = 0; r < DROP_MAX; r++)
		out->drops[r] -= b->drops[r];
}

void
ctrl_stats_clear_baselines(void)
{
	memset(stats_base, 0, sizeof(stats_base));
}

static bool
port_listed(uint32_t p)
{
	return p < RTE_MAX_ETHPORTS &&
	       __atomic_load_n(&nsdp_ports[p].state, __ATOMIC_ACQUIRE) != PORT_S_UNUSED;
}

static void
stats_put(struct nsdp_builder *b, const void *obj, bool key_only)
{
	const struct stats_view *v = obj;
	struct nlattr *drops;

	nsdp_put_u32(b, NSDP_A_STATS_PORT, v->port);
	if (key_only)
		return;
	nsdp_put_u64(b, NSDP_A_STATS_RX_PACKETS, v->pc.rx_packets);
	nsdp_put_u64(b, NSDP_A_STATS_RX_BYTES, v->pc.rx_bytes);
	nsdp_put_u64(b, NSDP_A_STATS_TX_PACKETS, v->pc.tx_packets);
	nsdp_put_u64(b, NSDP_A_STATS_TX_BYTES, v->pc.tx_bytes);
	drops = nsdp_nest_start(b, NSDP_A_STATS_DROPS);
	for (unsigned r = 0; r < DROP_MAX; r++) {
		struct nlattr *e = nsdp_nest_start(b, NSDP_A_DROP_ENTRY);

		nsdp_put_str(b, NSDP_A_DROP_NAME, drop_reason_name(r));
		nsdp_put_u64(b, NSDP_A_DROP_COUNT, v->pc.drops[r]);
		nsdp_nest_end(b, e);
	}
	nsdp_nest_end(b, drops);
}

static void
stats_view(uint16_t port, struct stats_view *v)
{
	v->port = port;
	ctrl_stats_read(port, &v->pc);
}

static int
stats_port(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint32_t id;
	int rc;

	rc = nsdp_require(r->nlh, nsdp_msg_policy(r->nlh->nlmsg_type), tb, NSDP_A_STATS_PORT, err);
	if (rc < 0)
		return rc;
	id = nsdp_get_u32(tb[NSDP_A_STATS_PORT]);
	if (!port_listed(id))
		return nsdp_err_set(err, ENODEV, ctrl_attr_off(r, tb[NSDP_A_STATS_PORT]), "no port %u", id);
	return (int)id;
}

static int
stats_get(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct stats_view v;
	int rc, id;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_STATS_PORT, err);
	if (rc < 0)
		return rc;
	id = stats_port(r, tb, err);
	if (id < 0)
		return id;
	stats_view((uint16_t)id, &v);
	rc = ctrl_reply(r, stats_put, &v);
	return rc < 0 ? nsdp_err_set(err, -rc, 0, "cannot queue the reply") : 0;
}

static int
stats_getnext(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	uint64_t from;
	int rc;

	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_STATS_PORT, err);
	if (rc < 0)
		return rc;
	from = tb[NSDP_A_STATS_PORT] != NULL ? (uint64_t)nsdp_get_u32(tb[NSDP_A_STATS_PORT]) + 1 : 0;
	for (uint64_t p = from; p < RTE_MAX_ETHPORTS; p++) {
		struct stats_view v;

		if (!port_listed((uint32_t)p))
			continue;
		stats_view((uint16_t)p, &v);
		rc = ctrl_dump_put(r, stats_put, &v);
		if (rc < 0)
			return nsdp_err_set(err, -rc, 0, "stats of port %u do not fit in a message",
					    (unsigned)p);
		if (rc > 0)
			return 0;
	}
	return 0;
}

static void
stats_notify_build(struct nsdp_builder *b, const void *arg)
{
	stats_put(b, arg, false);
}

static int
stats_change(struct ctrl_req *r, const struct nlattr **tb, struct nsdp_err *err)
{
	struct stats_view v;
	int rc, id;

	config_assert_locked();
	rc = ctrl_only_attrs(r, tb, 1u << NSDP_A_STATS_PORT | 1u << NSDP_A_STATS_RESET, err);
	if (rc < 0)
		return rc;
	id = stats_port(r, tb, err);
	if (id < 0)
		return id;
	if (tb[NSDP_A_STATS_RESET] == NULL || nsdp_get_u8(tb[NSDP_A_STATS_RESET]) != 1)
		return nsdp_err_set(err, EINVAL, ctrl_attr_off(r, tb[NSDP_A_STATS_RESET]),
				    "nothing to change: stats CHANGE takes reset = 1");
	counters_port_sum((uint16_t)id, &stats_base[id]);
	stats_view((uint16_t)id, &v);
	ctrl_notify(NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_CHANGE), stats_notify_build, &v);
	return 0;
}

static const struct ctrl_handler stats_handlers[] = {
	{ NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), false, stats_get },
	{ NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GETNEXT), false, stats_getnext },
	{ NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_CHANGE), true, stats_change },
};

int
ctrl_stats_register(void)
{
	return ctrl_register(stats_handlers, RTE_DIM(stats_handlers));
}
