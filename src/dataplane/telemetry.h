/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry.h: the /nsdp/... commands of DPDK telemetry (usable with
 * dpdk-telemetry.py). Callbacks run in the telemetry thread and only read
 * counters, histograms and [I]/[A] fields.
 */
#ifndef NSDP_TELEMETRY_H
#define NSDP_TELEMETRY_H

struct svc_sched;

/**
 * Register every /nsdp/ command. @sched (may be NULL) is the worker
 * scheduler whose statistics /nsdp/workers reports.
 * @return 0 or the first negative error of rte_telemetry_register_cmd().
 */
int nsdp_telemetry_register(struct svc_sched *sched);

#endif
