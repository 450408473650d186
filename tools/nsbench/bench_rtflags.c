/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_rtflags.c: `nsbench rtflags`: what route flags cost the packet
 * path's lookup, rt_fwd_lookup4_bulk (src/dataplane/route.c), on one core.
 * Three tables of the same generated routes (200,000 IPv4 prefixes /8../32
 * over 16 next hops), in one process: without flags; with every tenth
 * route RTF_LOCAL (a bit of the fib value); with every tenth route
 * RTF_IFCHECK (a stage per destination). 2^20 destinations inside the
 * routes, shuffled, looked up in bursts of 32 from incoming ifl 7: with
 * one route in ten flagged, nearly every burst has a flagged packet, the
 * worst case for the checks. Cycles per lookup, runs alternating between
 * the tables (A B C A B C ...), medians and ratios to the table without
 * flags printed. Figures are printed, never asserted.
 *
 * usage: nsbench rtflags [--runs N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dataplane/nexthop.h"
#include "dataplane/route.h"
#include "nsbench.h"

#define ROUTES 200000
#define KEYS (1u << 20)
#define BURST 32
#define RUNS_DEFAULT 9
#define RUNS_MAX 31
#define IN_IFL 7

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Routes of table @inst; every tenth gets @flags. Destinations inside them into @dst. */
static int
fill(uint16_t inst, uint16_t flags, struct nexthop **nh, uint32_t *dst)
{
	struct rt_table *t;

	if (inst != 0 && rt_inst_add(inst) < 0)
		return -1;
	t = rt_table_get(inst, 4);
	rng = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < ROUTES; i++) {
		struct route_spec s = { .key = { .family = 4 }, .type = RTT_USER, .nh = nh[i % 16] };
		uint32_t a = (uint32_t)rnd(), host;
		const char *why;

		s.key.dst_len = (uint8_t)(8 + rnd() % 25);
		host = s.key.dst_len == 32 ? 0 : ~0u >> s.key.dst_len;
		a &= ~host;
		if ((a >> 28) >= 14)
			a &= 0x7fffffff; /* unicast only */
		s.key.dst[0] = (uint8_t)(a >> 24), s.key.dst[1] = (uint8_t)(a >> 16);
		s.key.dst[2] = (uint8_t)(a >> 8), s.key.dst[3] = (uint8_t)a;
		if (i % 10 == 0 && flags != 0) {
			s.flags = flags;
			s.ifl_index = flags & RTF_IFCHECK ? IN_IFL : 0;
		}
		if (route_add(t, &s, &why) < 0 && strcmp(why, "out of memory") == 0)
			return -1;
		if (dst != NULL)
			dst[i] = a | ((uint32_t)rnd() & host);
	}
	return 0;
}

static double
run_one(const struct rt_table *t, const uint32_t *dst, uint32_t *out)
{
	uint64_t t0 = rte_rdtsc_precise();

	for (unsigned i = 0; i < KEYS; i += BURST)
		rt_fwd_lookup4_bulk(t, &dst[i], NULL, IN_IFL, &out[i], BURST);
	return (double)(rte_rdtsc_precise() - t0) / KEYS;
}

static int
bench_rtflags(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[3] = { "no flags", "10% RTF_LOCAL", "10% RTF_IFCHECK" };
	static const uint16_t flags[3] = { 0, RTF_LOCAL, RTF_IFCHECK };
	static uint32_t dst[KEYS], out[KEYS];
	double v[3][RUNS_MAX], med[3];
	struct nexthop *nh[16];
	unsigned runs = RUNS_DEFAULT;
	int o;

	while ((o = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			runs = (unsigned)atoi(optarg);
			break;
		case 'h':
			printf("usage: nsbench rtflags [--runs N]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (runs < 1 || runs > RUNS_MAX) {
		fprintf(stderr, "nsbench rtflags: --runs 1..%u\n", RUNS_MAX);
		return 2;
	}
	if (nsbench_eal_init(256) < 0 || nh_init() < 0 || rt_init() < 0)
		return 1;
	for (unsigned i = 0; i < 16; i++) {
		struct nh_spec s = { .family = 4, .type = RNH_UNICAST, .ifl_index = 1 + i, .l2_len = 14 };

		s.addr[0] = 10, s.addr[3] = (uint8_t)(i + 1);
		nh[i] = nh_get(&s);
		if (nh[i] == NULL)
			return 1;
	}
	for (unsigned k = 0; k < 3; k++)
		if (fill((uint16_t)k, flags[k], nh, k == 0 ? dst : NULL) < 0) {
			fprintf(stderr, "nsbench rtflags: cannot build the tables\n");
			return 1;
		}
	for (unsigned i = ROUTES; i < KEYS; i++)
		dst[i] = dst[rnd() % ROUTES];
	for (unsigned i = 0; i < KEYS; i++) {
		unsigned j = (unsigned)(rnd() % KEYS);
		uint32_t x = dst[i];

		dst[i] = dst[j];
		dst[j] = x;
	}
	for (unsigned k = 0; k < 3; k++)
		run_one(rt_table_get((uint16_t)k, 4), dst, out);
	for (unsigned r = 0; r < runs; r++)
		for (unsigned k = 0; k < 3; k++)
			v[k][r] = run_one(rt_table_get((uint16_t)k, 4), dst, out);
	printf("rt_fwd_lookup4_bulk, %u routes, %u destinations in bursts of %u, "
	       "median of %u runs (TSC %.2f GHz)\n", ROUTES, KEYS, BURST, runs,
	       (double)nsbench_hz() / 1e9);
	printf("%-18s %14s %8s\n", "table", "cycles/lookup", "ratio");
	for (unsigned k = 0; k < 3; k++) {
		med[k] = nsbench_median(v[k], runs);
		printf("%-18s %14.1f %8.2f\n", names[k], med[k], med[k] / med[0]);
	}
	return 0;
}

static const struct nsbench_cmd rtflags_cmd = {
	.name = "rtflags",
	.summary = "route flags on the bulk forwarding lookup: none, RTF_LOCAL, RTF_IFCHECK",
	.run = bench_rtflags,
};

static void __attribute__((constructor)) bench_rtflags_register(void)
{
	nsbench_register(&rtflags_cmd);
}
