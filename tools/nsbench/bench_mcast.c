/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_mcast.c: `nsbench mcast`: what one interface copy of a multicast
 * packet costs on one core, made the two ways DPDK offers, in the same run:
 *   - "copy": rte_pktmbuf_copy() into an mbuf of the packet's pool, the L2
 *     header written into the copy's headroom (one segment per frame): what
 *     nh_output_multicast (src/dataplane/nh_output.c) does;
 *   - "indirect": a header mbuf from a small pool holding the L2 header,
 *     chained to rte_pktmbuf_clone() of the packet (indirect mbufs from a
 *     pool without data room, the data shared by reference count): two
 *     allocations per copy and a two-segment frame.
 * Each copy is freed afterwards in bulk, as the tx completion of a port
 * would; the cost of the port sending one segment or two is not included.
 * For 64-, 512- and 1500-byte packets, cycles per copy; runs alternate
 * copy / indirect (A B A B ...) and medians are printed with the ratio.
 * Figures are printed, never asserted.
 *
 * usage: nsbench mcast [--runs N] [--copies N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "nsbench.h"

#define PKTS 256          /* packets copied per round */
#define ROUNDS 200        /* rounds per run */
#define COPIES_MAX 8
#define RUNS_DEFAULT 9
#define RUNS_MAX 31
#define L2_LEN 18         /* Ethernet + one 802.1Q tag */

static struct rte_mempool *data_pool, *hdr_pool, *ind_pool;
static const uint8_t l2_hdr[L2_LEN] = { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03, 0x02, 0, 0, 0, 0, 1,
					0x81, 0x00, 0x00, 0x07, 0x08, 0x00 };

/* Copies of @pkts the way nh_output_multicast makes them; freed afterwards. */
static uint64_t
round_copy(struct rte_mbuf **pkts, unsigned copies, struct rte_mbuf **out)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned n = 0;

	for (unsigned i = 0; i < PKTS; i++) {
		for (unsigned k = 0; k < copies; k++) {
			struct rte_mbuf *c = rte_pktmbuf_copy(pkts[i], data_pool, 0, UINT32_MAX);
			char *h;

			if (c == NULL)
				continue;
			h = rte_pktmbuf_prepend(c, L2_LEN);
			memcpy(h, l2_hdr, L2_LEN);
			out[n++] = c;
		}
	}
	rte_pktmbuf_free_bulk(out, n);
	return rte_rdtsc_precise() - t0;
}

/* Header mbuf + indirect clone of the data; freed afterwards. */
static uint64_t
round_indirect(struct rte_mbuf **pkts, unsigned copies, struct rte_mbuf **out)
{
	uint64_t t0 = rte_rdtsc_precise();
	unsigned n = 0;

	for (unsigned i = 0; i < PKTS; i++) {
		for (unsigned k = 0; k < copies; k++) {
			struct rte_mbuf *h = rte_pktmbuf_alloc(hdr_pool), *cl;
			char *p;

			if (h == NULL)
				continue;
			cl = rte_pktmbuf_clone(pkts[i], ind_pool);
			if (cl == NULL) {
				rte_pktmbuf_free(h);
				continue;
			}
			p = rte_pktmbuf_append(h, L2_LEN);
			memcpy(p, l2_hdr, L2_LEN);
			rte_pktmbuf_chain(h, cl);
			out[n++] = h;
		}
	}
	rte_pktmbuf_free_bulk(out, n);
	return rte_rdtsc_precise() - t0;
}

static int
bench_mcast(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "copies", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint16_t sizes[] = { 64, 512, 1500 };
	static struct rte_mbuf *pkts[PKTS], *out[PKTS * COPIES_MAX];
	unsigned runs = RUNS_DEFAULT, copies = 3;
	int o;

	while ((o = getopt_long(argc, argv, "r:c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			runs = (unsigned)atoi(optarg);
			break;
		case 'c':
			copies = (unsigned)atoi(optarg);
			break;
		case 'h':
			printf("usage: nsbench mcast [--runs N] [--copies N (1..%u)]\n", COPIES_MAX);
			return 0;
		default:
			return 2;
		}
	}
	if (runs < 1 || runs > RUNS_MAX || copies < 1 || copies > COPIES_MAX) {
		fprintf(stderr, "nsbench mcast: --runs 1..%u, --copies 1..%u\n", RUNS_MAX, COPIES_MAX);
		return 2;
	}
	if (nsbench_eal_init(512) < 0)
		return 1;
	data_pool = rte_pktmbuf_pool_create("bm_data", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	hdr_pool = rte_pktmbuf_pool_create("bm_hdr", 8191, 256, 0, RTE_PKTMBUF_HEADROOM + 64,
					   SOCKET_ID_ANY);
	ind_pool = rte_pktmbuf_pool_create("bm_ind", 8191, 256, 0, 0, SOCKET_ID_ANY);
	if (data_pool == NULL || hdr_pool == NULL || ind_pool == NULL) {
		fprintf(stderr, "nsbench mcast: no mbuf pools\n");
		return 1;
	}
	printf("one interface copy of a multicast packet, %u copies of each of %u packets, "
	       "%u rounds, median of %u runs (cycles per copy, TSC %.2f GHz)\n",
	       copies, PKTS, ROUNDS, runs, (double)nsbench_hz() / 1e9);
	printf("%6s %10s %10s %8s\n", "bytes", "copy", "indirect", "ratio");
	for (unsigned s = 0; s < RTE_DIM(sizes); s++) {
		double a[RUNS_MAX], b[RUNS_MAX], ma, mb;

		for (unsigned i = 0; i < PKTS; i++) {
			char *p;

			pkts[i] = rte_pktmbuf_alloc(data_pool);
			p = pkts[i] != NULL ? rte_pktmbuf_append(pkts[i], sizes[s]) : NULL;
			if (p == NULL) {
				fprintf(stderr, "nsbench mcast: no mbufs\n");
				return 1;
			}
			memset(p, (int)i, sizes[s]);
		}
		/* Warm both paths and the pools' caches. */
		round_copy(pkts, copies, out);
		round_indirect(pkts, copies, out);
		for (unsigned r = 0; r < runs; r++) {
			uint64_t ca = 0, cb = 0;

			for (unsigned k = 0; k < ROUNDS; k++)
				ca += round_copy(pkts, copies, out);
			for (unsigned k = 0; k < ROUNDS; k++)
				cb += round_indirect(pkts, copies, out);
			a[r] = (double)ca / ((double)ROUNDS * PKTS * copies);
			b[r] = (double)cb / ((double)ROUNDS * PKTS * copies);
		}
		ma = nsbench_median(a, runs);
		mb = nsbench_median(b, runs);
		printf("%6u %10.1f %10.1f %8.2f\n", sizes[s], ma, mb, ma / mb);
		rte_pktmbuf_free_bulk(pkts, PKTS);
	}
	return 0;
}

static const struct nsbench_cmd mcast_cmd = {
	.name = "mcast",
	.summary = "one multicast interface copy: full copy against header + indirect clone",
	.run = bench_mcast,
};

static void __attribute__((constructor)) bench_mcast_register(void)
{
	nsbench_register(&mcast_cmd);
}
