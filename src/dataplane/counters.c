/* SPDX-License-Identifier: BSD-3-Clause */
/* counters.c: per-lcore port counters and drop reason names. */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "counters.h"

struct lcore_counters *nsdp_lcore_counters[RTE_MAX_LCORE];

static const char *const drop_names[DROP_MAX] = {
#define DROP_NAME(name, desc) [DROP_##name] = #name,
	NSDP_DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};

static const char *const drop_descs[DROP_MAX] = {
#define DROP_DESC(name, desc) [DROP_##name] = desc,
	NSDP_DROP_REASONS(DROP_DESC)
#undef DROP_DESC
};

const char *
drop_reason_name(unsigned reason)
{
	return reason < DROP_MAX ? drop_names[reason] : NULL;
}

const char *
drop_reason_desc(unsigned reason)
{
	return reason < DROP_MAX ? drop_descs[reason] : NULL;
}

static int
counters_alloc(unsigned lcore)
{
	if (nsdp_lcore_counters[lcore] != NULL)
		return 0;
	nsdp_lcore_counters[lcore] = rte_zmalloc_socket("nsdp_counters",
		sizeof(struct lcore_counters), RTE_CACHE_LINE_SIZE,
		rte_lcore_to_socket_id(lcore));
	if (nsdp_lcore_counters[lcore] == NULL)
		nsdp_lcore_counters[lcore] = rte_zmalloc("nsdp_counters",
			sizeof(struct lcore_counters), RTE_CACHE_LINE_SIZE);
	return nsdp_lcore_counters[lcore] == NULL ? -ENOMEM : 0;
}

int
counters_init(void)
{
	unsigned lcore;
	int rc;

	RTE_LCORE_FOREACH(lcore) {
		rc = counters_alloc(lcore);
		if (rc < 0)
			goto fail;
	}
	lcore = rte_lcore_id();
	if (lcore != LCORE_ID_ANY) {
		rc = counters_alloc(lcore);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	counters_fini();
	return rc;
}

void
counters_fini(void)
{
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		rte_free(nsdp_lcore_counters[i]);
		nsdp_lcore_counters[i] = NULL;
	}
}

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void
counters_port_sum(uint16_t port, struct port_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (port >= RTE_MAX_ETHPORTS)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lcore_counters *lc = nsdp_lcore_counters[i];
		const struct port_counters *pc;

		if (lc == NULL)
			continue;
		pc = &lc->port[port];
		out->rx_packets += LOAD(pc->rx_packets);
		out->rx_bytes += LOAD(pc->rx_bytes);
		out->rx_bursts += LOAD(pc->rx_bursts);
		out->tx_packets += LOAD(pc->tx_packets);
		out->tx_bytes += LOAD(pc->tx_bytes);
		for (unsigned r = 0; r < DROP_MAX; r++)
			out->drops[r] += LOAD(pc->drops[r]);
	}
}

void
counters_port_reset(uint16_t port)
{
	if (port >= RTE_MAX_ETHPORTS)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++)
		if (nsdp_lcore_counters[i] != NULL)
			memset(&nsdp_lcore_counters[i]->port[port], 0,
			       sizeof(struct port_counters));
}
