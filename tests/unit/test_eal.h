/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_eal.h: bring up a small EAL for unit tests: no hugepages, no PCI,
 * no shared config and a per-process prefix (several test programs may run
 * side by side), optional vdevs.
 */
#ifndef NSDP_TEST_EAL_H
#define NSDP_TEST_EAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

/*
 * @lcores  EAL --lcores value ("0" for one lcore)
 * @vdevs   NULL-terminated list of --vdev values, may be NULL
 * Aborts the program on failure: nothing can be tested without the EAL.
 */
static inline void
test_eal_init(const char *lcores, const char *const *vdevs)
{
	static char prefix[64];
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"test";
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"256";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"--no-shconf";
	snprintf(prefix, sizeof(prefix), "--file-prefix=nsdp-test-%d", (int)getpid());
	argv[argc++] = prefix;
	argv[argc++] = (char *)"--no-telemetry";
	argv[argc++] = (char *)"--log-level=lib.*:error";
	argv[argc++] = (char *)"--lcores";
	argv[argc++] = (char *)lcores;
	for (int i = 0; vdevs != NULL && vdevs[i] != NULL && argc < 30; i++) {
		argv[argc++] = (char *)"--vdev";
		argv[argc++] = (char *)vdevs[i];
	}
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "test: EAL initialisation failed\n");
		exit(1);
	}
}

#endif
