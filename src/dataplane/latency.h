/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * latency.h: rx -> tx latency histograms of forwarded packets, per tx port
 * (paper 3080-3092: "the timestamp carried in the packet combined with a
 * recently taken timestamp" measures the time spent inside).
 *
 * Buckets are log-linear in TSC ticks: exact below 4 ticks, then each power
 * of two is split into 4 sub-buckets (relative width <= 25 %). Recording is
 * a subtraction, a count-leading-zeros and an increment; converting buckets
 * to nanoseconds happens when the histogram is read.
 *
 * Concurrency: one histogram per (lcore, port), written only by that lcore
 * ([L]); readers sum with relaxed loads, as for counters.h.
 */
#ifndef NSDP_LATENCY_H
#define NSDP_LATENCY_H

#include <stdint.h>

#include <rte_config.h>
#include <rte_lcore.h>

#define LAT_SUB_BITS 2
#define LAT_BUCKETS (64 << LAT_SUB_BITS)

struct latency_hist {
	uint64_t total;      /* samples */
	uint64_t sum_ticks;  /* for the mean */
	uint64_t max_ticks;
	uint64_t count[LAT_BUCKETS];
};

/* [I] after latency_init(); NULL for unused lcores. Index by port id. */
extern struct latency_hist *nsdp_lcore_latency[RTE_MAX_LCORE];

/** Allocate histograms for every lcore (like counters_init). 0 or -ENOMEM. */
int latency_init(void);
void latency_fini(void);

/** Bucket index of a latency of @ticks ticks. */
static inline unsigned
latency_bucket(uint64_t ticks)
{
	unsigned msb;

	if (ticks < (1u << LAT_SUB_BITS))
		return (unsigned)ticks;
	msb = 63u - (unsigned)__builtin_clzll(ticks);
	return ((msb - LAT_SUB_BITS + 1) << LAT_SUB_BITS) |
	       (unsigned)((ticks >> (msb - LAT_SUB_BITS)) & ((1u << LAT_SUB_BITS) - 1));
}

/** Smallest and largest tick count that fall into bucket @b. */
void latency_bucket_bounds(unsigned b, uint64_t *lo, uint64_t *hi);

/** Record one sample in @h (caller owns @h). */
static inline void
latency_record(struct latency_hist *h, uint64_t ticks)
{
	h->total++;
	h->sum_ticks += ticks;
	if (ticks > h->max_ticks)
		h->max_ticks = ticks;
	h->count[latency_bucket(ticks)]++;
}

/** This lcore's histogram for tx port @port. */
static inline struct latency_hist *
latency_this_lcore(uint16_t port)
{
	return &nsdp_lcore_latency[rte_lcore_id()][port];
}

/** Sum the histograms of @port over all lcores. Any thread, any time. */
void latency_port_sum(uint16_t port, struct latency_hist *out);

/**
 * The upper bound (in ticks) of the bucket holding the @permille-th
 * per-mille sample of @h (500 = median, 990 = p99). 0 for an empty histogram.
 */
uint64_t latency_percentile(const struct latency_hist *h, unsigned permille);

#endif
