/* SPDX-License-Identifier: BSD-3-Clause */
/* latency.c: rx -> tx latency histograms (allocation, sums, percentiles). */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "latency.h"

struct latency_hist *nsdp_lcore_latency[RTE_MAX_LCORE];

static int
latency_alloc(unsigned lcore)
{
	size_t sz = sizeof(struct latency_hist) * RTE_MAX_ETHPORTS;

	if (nsdp_lcore_latency[lcore] != NULL)
		return 0;
	nsdp_lcore_latency[lcore] = rte_zmalloc("nsdp_latency", sz, RTE_CACHE_LINE_SIZE);
	return nsdp_lcore_latency[lcore] == NULL ? -ENOMEM : 0;
}

int
latency_init(void)
{
	unsigned lcore;
	int rc = 0;

	RTE_LCORE_FOREACH(lcore) {
		rc = latency_alloc(lcore);
		if (rc < 0)
			goto fail;
	}
	lcore = rte_lcore_id();
	if (lcore != LCORE_ID_ANY)
		rc = latency_alloc(lcore);
	if (rc == 0)
		return 0;
fail:
	latency_fini();
	return rc;
}

void
latency_fini(void)
{
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		rte_free(nsdp_lcore_latency[i]);
		nsdp_lcore_latency[i] = NULL;
	}
}

void
latency_bucket_bounds(unsigned b, uint64_t *lo, uint64_t *hi)
{
	unsigned msb, sub;

	if (b < (1u << LAT_SUB_BITS)) {
		*lo = *hi = b;
		return;
	}
	if (b >= LAT_BUCKETS)
		b = LAT_BUCKETS - 1;
	msb = (b >> LAT_SUB_BITS) + LAT_SUB_BITS - 1;
	sub = b & ((1u << LAT_SUB_BITS) - 1);
	if (msb > 63) {
		*lo = *hi = UINT64_MAX;
		return;
	}
	*lo = (1ULL << msb) | ((uint64_t)sub << (msb - LAT_SUB_BITS));
	*hi = *lo + ((1ULL << (msb - LAT_SUB_BITS)) - 1);
}

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void
latency_port_sum(uint16_t port, struct latency_hist *out)
{
	memset(out, 0, sizeof(*out));
	if (port >= RTE_MAX_ETHPORTS)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		const struct latency_hist *h;
		uint64_t mx;

		if (nsdp_lcore_latency[i] == NULL)
			continue;
		h = &nsdp_lcore_latency[i][port];
		out->total += LOAD(h->total);
		out->sum_ticks += LOAD(h->sum_ticks);
		mx = LOAD(h->max_ticks);
		if (mx > out->max_ticks)
			out->max_ticks = mx;
		for (unsigned b = 0; b < LAT_BUCKETS; b++)
			out->count[b] += LOAD(h->count[b]);
	}
}

uint64_t
latency_percentile(const struct latency_hist *h, unsigned permille)
{
	uint64_t n = 0, want, lo, hi;

	if (h->total == 0)
		return 0;
	if (permille > 1000)
		permille = 1000;
	/* Rank of the wanted sample, 1-based, rounded up. */
	want = (h->total * permille + 999) / 1000;
	if (want == 0)
		want = 1;
	for (unsigned b = 0; b < LAT_BUCKETS; b++) {
		n += h->count[b];
		if (n >= want) {
			latency_bucket_bounds(b, &lo, &hi);
			return hi < h->max_ticks ? hi : h->max_ticks;
		}
	}
	return h->max_ticks;
}
