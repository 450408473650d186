/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tickcount.c: what a packet time stamp costs. Prints, in TSC cycles
 * per call (median of several runs): reading a tickcount (done once per rx
 * burst), converting one to wall-clock time (done only when asked), and
 * clock_gettime(CLOCK_REALTIME), which the tickcount design avoids on the
 * packet path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>

#include "dataplane/tickcount.h"

#define CALLS 1000000
#define RUNS 7

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static volatile uint64_t sink;

static uint64_t
run_now(void)
{
	uint64_t t0 = rte_rdtsc_precise(), acc = 0;

	for (int i = 0; i < CALLS; i++)
		acc += tickcount_now();
	sink = acc;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
run_convert(void)
{
	uint64_t t0 = rte_rdtsc_precise(), acc = 0;
	tickcount_t t = tickcount_now();

	for (int i = 0; i < CALLS; i++)
		acc += (uint64_t)tickcount_to_realtime_ns(t + (uint64_t)i);
	sink = acc;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
run_gettime(void)
{
	uint64_t t0 = rte_rdtsc_precise(), acc = 0;
	struct timespec ts;

	for (int i = 0; i < CALLS; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		acc += (uint64_t)ts.tv_nsec;
	}
	sink = acc;
	return rte_rdtsc_precise() - t0;
}

static double
median_cycles(uint64_t (*fn)(void))
{
	uint64_t r[RUNS];

	for (int i = 0; i < RUNS; i++)
		r[i] = fn();
	qsort(r, RUNS, sizeof(r[0]), cmp_u64);
	return (double)r[RUNS / 2] / CALLS;
}

int
main(void)
{
	double now, conv, gt;

	if (tickcount_calibrate(200) < 0) {
		fprintf(stderr, "bench_tickcount: calibration failed\n");
		return 1;
	}
	now = median_cycles(run_now);
	conv = median_cycles(run_convert);
	gt = median_cycles(run_gettime);
	printf("tick rate: %lu Hz\n", (unsigned long)tickcount_hz());
	printf("cycles per call (median of %d runs x %d calls):\n", RUNS, CALLS);
	printf("  tickcount_now()            %8.1f\n", now);
	printf("  tickcount_to_realtime_ns() %8.1f\n", conv);
	printf("  clock_gettime(REALTIME)    %8.1f\n", gt);
	printf("stamping a 32-packet burst costs %.2f cycles per packet (one read per burst)\n",
	       now / 32);
	return 0;
}
