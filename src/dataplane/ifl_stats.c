/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifl_stats.c: per-ifl counter slots (see ifl_stats.h): the slot allocator
 * (a free stack plus a high-water mark, [C]) and the per-lcore chunks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "counters.h"
#include "ctrl/config.h"
#include "ifcfg/ifcfg.h"
#include "ifl_stats.h"

struct ifl_ctr *ifl_stats_chunks[IFL_STATS_MAX_CHUNKS][RTE_MAX_LCORE];

static uint32_t *free_slots; /* [C] stack of freed slots */
static uint32_t n_free, cap_free;
static uint32_t next_slot = 1; /* [C] slots below were handed out once */

static int
chunk_alloc(unsigned ci)
{
	size_t sz = sizeof(struct ifl_ctr) * IFL_STATS_CHUNK;
	struct ifl_ctr *mem[RTE_MAX_LCORE] = { NULL };

	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		if (nsdp_lcore_counters[lc] == NULL)
			continue;
		mem[lc] = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
		if (mem[lc] == NULL) {
			for (unsigned k = 0; k < lc; k++)
				free(mem[k]);
			return -ENOMEM;
		}
		memset(mem[lc], 0, sz);
	}
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (mem[lc] != NULL)
			__atomic_store_n(&ifl_stats_chunks[ci][lc], mem[lc], __ATOMIC_RELEASE);
	return 0;
}

static bool
chunk_present(unsigned ci)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (ifl_stats_chunks[ci][lc] != NULL)
			return true;
	return false;
}

static void
slot_zero(uint32_t slot)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		struct ifl_ctr *ch = ifl_stats_chunks[slot / IFL_STATS_CHUNK][lc];

		if (ch != NULL)
			memset(&ch[slot % IFL_STATS_CHUNK], 0, sizeof(*ch));
	}
}

uint32_t
ifl_stats_slot_alloc(void)
{
	uint32_t slot;

	if (n_free > 0) {
		slot = free_slots[--n_free];
		slot_zero(slot);
		return slot;
	}
	if (next_slot >= IFL_STATS_CHUNK * IFL_STATS_MAX_CHUNKS) {
		errno = ENOSPC;
		return 0;
	}
	slot = next_slot;
	if (!chunk_present(slot / IFL_STATS_CHUNK) && chunk_alloc(slot / IFL_STATS_CHUNK) < 0) {
		errno = ENOMEM;
		return 0;
	}
	next_slot++;
	slot_zero(slot);
	return slot;
}

void
ifl_stats_slot_free(uint32_t slot)
{
	if (slot == 0 || slot >= next_slot)
		return;
	if (n_free == cap_free) {
		uint32_t nc = cap_free ? cap_free * 2 : 256;
		uint32_t *p = realloc(free_slots, nc * sizeof(*p));

		/* Out of memory: the slot is lost to reuse, nothing else. */
		if (p == NULL)
			return;
		free_slots = p;
		cap_free = nc;
	}
	free_slots[n_free++] = slot;
}

void
ifl_stats_slot_retire(void *slot)
{
	ifl_stats_slot_free((uint32_t)(uintptr_t)slot);
}

void
ifl_stats_sum(uint32_t slot, struct ifl_ctr *out)
{
	memset(out, 0, sizeof(*out));
	if (slot == 0 || slot >= IFL_STATS_CHUNK * IFL_STATS_MAX_CHUNKS)
		return;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		const struct ifl_ctr *ch =
			__atomic_load_n(&ifl_stats_chunks[slot / IFL_STATS_CHUNK][lc],
					__ATOMIC_ACQUIRE);

		if (ch == NULL)
			continue;
		for (unsigned f = 0; f < IFL_STATS_FAMS; f++) {
			const struct ifl_fam_ctr *c = &ch[slot % IFL_STATS_CHUNK].fam[f];

			out->fam[f].rx_packets += __atomic_load_n(&c->rx_packets, __ATOMIC_RELAXED);
			out->fam[f].rx_bytes += __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
			out->fam[f].tx_packets += __atomic_load_n(&c->tx_packets, __ATOMIC_RELAXED);
			out->fam[f].tx_bytes += __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
		}
	}
}

void
ifl_stats_fini(void)
{
	for (unsigned ci = 0; ci < IFL_STATS_MAX_CHUNKS; ci++)
		for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
			free(ifl_stats_chunks[ci][lc]);
			ifl_stats_chunks[ci][lc] = NULL;
		}
	free(free_slots);
	free_slots = NULL;
	n_free = cap_free = 0;
	next_slot = 1;
}

/* --- telemetry: /nsdp/ifl,<ifl_index> -------------------------------------- */

static void
tel_fam(struct rte_tel_data *d, const char *name, const struct ifl_fam_ctr *c)
{
	struct rte_tel_data *f = rte_tel_data_alloc();

	if (f == NULL)
		return;
	rte_tel_data_start_dict(f);
	rte_tel_data_add_dict_u64(f, "rx_packets", c->rx_packets);
	rte_tel_data_add_dict_u64(f, "rx_bytes", c->rx_bytes);
	rte_tel_data_add_dict_u64(f, "tx_packets", c->tx_packets);
	rte_tel_data_add_dict_u64(f, "tx_bytes", c->tx_bytes);
	rte_tel_data_add_dict_container(d, name, f, 0);
}

static int
tel_ifl(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long idx;
	char *end, name[64];
	struct ifl_ctr c;
	const struct ifl *ifl;
	uint32_t slot;

	(void)cmd;
	if (params == NULL || *params < '0' || *params > '9')
		return -EINVAL;
	errno = 0;
	idx = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || idx == 0 || idx > UINT32_MAX)
		return -EINVAL;
	/* The telemetry thread reads the tree under the config lock. */
	config_lock();
	ifl = ifl_lookup((uint32_t)idx);
	slot = ifl != NULL ? ifl->stats_slot : 0;
	if (ifl == NULL || ifl_name((uint32_t)idx, name, sizeof(name)) < 0) {
		config_unlock();
		return -ENOENT;
	}
	config_unlock();
	ifl_stats_sum(slot, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ifl_index", idx);
	rte_tel_data_add_dict_string(d, "name", name);
	tel_fam(d, "inet", &c.fam[0]);
	tel_fam(d, "inet6", &c.fam[1]);
	return 0;
}

void
ifl_stats_telemetry_register(void)
{
	/* Registered once per process (a second ip_init in tests finds it there). */
	rte_telemetry_register_cmd("/nsdp/ifl", tel_ifl,
				   "Per-ifl rx/tx packets and bytes by family. Parameter: ifl index.");
}
