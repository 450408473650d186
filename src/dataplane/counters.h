/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * counters.h: per-port packet counters and the named drop reasons.
 *
 * Every dropped packet is counted under exactly one reason. Counters are
 * per lcore (one writer each, [L]): the packet path adds with plain stores,
 * readers (telemetry, control thread) sum over lcores with relaxed atomic
 * loads, which are exact for 64-bit words on the architectures DPDK runs
 * on. Nothing on the packet path takes a lock or an atomic RMW to count.
 */
#ifndef NSDP_COUNTERS_H
#define NSDP_COUNTERS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_lcore.h>

/*
 * X(name, description). The name is what operators see in telemetry and
 * nsctl; keep it stable.
 */
#define NSDP_DROP_REASONS(X)                                                       \
	X(not_for_us, "no L2 demux entry matched the frame (nothing configured for it)") \
	X(tx_full, "the port's tx queue was full")                                      \
	X(port_removed, "the port was removed or is being removed")

enum drop_reason {
#define DROP_ENUM(name, desc) DROP_##name,
	NSDP_DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
	DROP_MAX
};

/** Operator-facing name of a drop reason, NULL if out of range. */
const char *drop_reason_name(unsigned reason);
/** One-line description of a drop reason, NULL if out of range. */
const char *drop_reason_desc(unsigned reason);

struct port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_bursts;     /* non-empty rx bursts */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[DROP_MAX];
} __rte_cache_aligned;

/* [L] one instance per lcore; index by port id. */
struct lcore_counters {
	struct port_counters port[RTE_MAX_ETHPORTS];
};

/* [I] after counters_init(): RTE_MAX_LCORE pointers, NULL for unused lcores. */
extern struct lcore_counters *nsdp_lcore_counters[RTE_MAX_LCORE];

/**
 * Allocate the counters of every enabled lcore (and of the calling thread's
 * lcore id if it is a registered non-EAL thread). Call once, from the main
 * lcore, after rte_eal_init().
 * @return 0 or -ENOMEM.
 */
int counters_init(void);
/** Free what counters_init() allocated. Lcores must be stopped. */
void counters_fini(void);

/* Packet path helpers: the caller's lcore owns @pc. */
static inline void
counters_drop(struct port_counters *pc, enum drop_reason r, uint64_t n)
{
	pc->drops[r] += n;
}

/** This lcore's counters of @port. The lcore must be one counters_init() saw. */
static inline struct port_counters *
counters_this_lcore(uint16_t port)
{
	return &nsdp_lcore_counters[rte_lcore_id()]->port[port];
}

/**
 * Sum the counters of @port over all lcores into @out. Safe from any thread
 * at any time (values may be a few packets behind the lcores).
 */
void counters_port_sum(uint16_t port, struct port_counters *out);

/** Zero every counter of @port on every lcore. Lcores must be stopped. */
void counters_port_reset(uint16_t port);

#endif
