/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifl_stats.h: per-ifl, per-family packet and byte counters (rx and tx),
 * kept per lcore without atomics and summed by readers.
 *
 * Each ifl gets a dense counter slot when it is added (struct ifl
 * stats_slot; slot 0 = none). Slots index chunks of IFL_STATS_CHUNK
 * entries; each chunk exists once per lcore that counts, allocated the
 * first time a slot in it is handed out and kept until ifl_stats_fini, so
 * 100,000 ifls cost 100,000 x 64 bytes per counting lcore and nothing
 * is allocated on the packet path. A slot is reused only after a grace
 * period (no lcore holds the ifl copy naming it) and is zeroed then.
 *
 * Lock legend: [C] config lock, [R] RCU-published, [L] lcore-owned.
 */
#ifndef NSDP_IFL_STATS_H
#define NSDP_IFL_STATS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>

#define IFL_STATS_CHUNK 1024
#define IFL_STATS_MAX_CHUNKS 1024 /* slots 1 .. 2^20 - 1 */
#define IFL_STATS_FAMS 2          /* inet, inet6 (enum iff_family order) */

struct ifl_fam_ctr {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
};

struct ifl_ctr {
	struct ifl_fam_ctr fam[IFL_STATS_FAMS];
};

/* [R] chunk pointers per (chunk, lcore); NULL = not allocated. */
extern struct ifl_ctr *ifl_stats_chunks[IFL_STATS_MAX_CHUNKS][RTE_MAX_LCORE];

/**
 * This lcore's counters of @slot, NULL if none (slot 0, or an lcore that
 * does not count). RCU reader.
 */
static inline struct ifl_fam_ctr *
ifl_stats_this_lcore(uint32_t slot, unsigned fam)
{
	unsigned lc = rte_lcore_id();
	struct ifl_ctr *ch;

	if (slot == 0 || slot >= IFL_STATS_CHUNK * IFL_STATS_MAX_CHUNKS || lc >= RTE_MAX_LCORE ||
	    fam >= IFL_STATS_FAMS)
		return NULL;
	ch = __atomic_load_n(&ifl_stats_chunks[slot / IFL_STATS_CHUNK][lc], __ATOMIC_CONSUME);
	return ch != NULL ? &ch[slot % IFL_STATS_CHUNK].fam[fam] : NULL;
}

/**
 * A free slot with zeroed counters, allocating its chunk for every lcore
 * that has counters (counters_init) if needed. [C]
 * @return the slot (> 0), or 0 with errno ENOMEM / ENOSPC.
 */
uint32_t ifl_stats_slot_alloc(void);

/**
 * Give @slot back. Call after a grace period since the last ifl copy
 * naming it was unpublished (ifcfg_retire). [C]
 */
void ifl_stats_slot_free(uint32_t slot);

/** ifl_stats_slot_free with the slot cast to a pointer (for ifcfg_retire). */
void ifl_stats_slot_retire(void *slot);

/** Sum the counters of @slot over lcores into @out (zeros for slot 0). Any thread. */
void ifl_stats_sum(uint32_t slot, struct ifl_ctr *out);

/** Register the telemetry command /nsdp/ifl,<ifl_index>. Control thread, once. */
void ifl_stats_telemetry_register(void);

/** Free every chunk. Lcores stopped, no ifl left. */
void ifl_stats_fini(void);

#endif
