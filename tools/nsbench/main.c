/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nsbench: one binary for nsdp's benchmarks (docs/benchmarks.md). Each
 * subcommand lives in its own bench_<name>.c and registers itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "nsbench.h"

#define NSBENCH_MAX_CMDS 16

static const struct nsbench_cmd *cmds[NSBENCH_MAX_CMDS];
static unsigned nb_cmds;

void
nsbench_register(const struct nsbench_cmd *cmd)
{
	if (nb_cmds < NSBENCH_MAX_CMDS)
		cmds[nb_cmds++] = cmd;
}

int
nsbench_eal_init(unsigned mem_mb)
{
	static int done;
	char prefix[64], mem[32];
	char *argv[] = {
		"nsbench", "-l", "0", "--no-pci", "--no-huge", "--no-shconf", "-m", mem,
		"--file-prefix", prefix, "--log-level", "lib.*:warning",
	};

	if (done)
		return 0;
	snprintf(prefix, sizeof(prefix), "nsbench-%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0) {
		fprintf(stderr, "nsbench: cannot initialise DPDK's EAL\n");
		return -1;
	}
	done = 1;
	return 0;
}

uint64_t
nsbench_hz(void)
{
	return rte_get_tsc_hz();
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
nsbench_median(double *v, unsigned n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: nsbench COMMAND [options]   (nsbench COMMAND --help)\n\ncommands:\n");
	for (unsigned i = 0; i < nb_cmds; i++)
		fprintf(f, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (unsigned i = 0; i < nb_cmds; i++)
		if (strcmp(cmds[i]->name, argv[1]) == 0)
			return cmds[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "nsbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
