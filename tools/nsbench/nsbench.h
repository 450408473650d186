/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nsbench.h: the benchmark driver. Each bench_<name>.c registers one
 * subcommand from a constructor; `nsbench NAME [options]` runs it. Figures
 * are printed (text, or one JSON object with --json), never asserted.
 */
#ifndef NSBENCH_H
#define NSBENCH_H

#include <stdint.h>

struct nsbench_cmd {
	const char *name;
	const char *summary;
	/* argv[0] is the subcommand name. @return the exit status. */
	int (*run)(int argc, char **argv);
};

void nsbench_register(const struct nsbench_cmd *cmd);

/**
 * Initialise DPDK's EAL for an in-process benchmark: one lcore, no PCI, no
 * hugepages needed (anonymous memory, @mem_mb MiB), a private file prefix.
 * Idempotent. @return 0 or -1 (message printed).
 */
int nsbench_eal_init(unsigned mem_mb);

/** TSC cycles per second as DPDK measured them (after nsbench_eal_init). */
uint64_t nsbench_hz(void);

/** Median of @n values (sorts @v in place). */
double nsbench_median(double *v, unsigned n);

#endif
