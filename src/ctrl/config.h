/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h: the network configuration lock (paper 3093-3130).
 *
 * One mutex serialises every change to the shared network configuration:
 * interfaces, routes, next hops, demux entries, counters baselines.
 *
 * Who takes it:
 *   - the control thread, around every write request of the control
 *     protocol (ctrl_handler.write), so a request applies completely or not
 *     at all before another writer looks at the state;
 *   - later, worker lcores that install configuration themselves (for
 *     example neighbour resolution installing routes).
 * Who never takes it: rx lcores and anything on the packet path. They read
 * RCU-published structures; holding this lock never blocks packet delivery.
 *
 * Fields guarded by it are tagged [C] in their headers.
 */
#ifndef NSDP_CONFIG_H
#define NSDP_CONFIG_H

#include <assert.h>
#include <stdbool.h>

/**
 * Take the configuration lock. Blocks; not for the packet path. A
 * registered urcu-qsbr thread that is online waits offline (the holder may
 * be waiting for a grace period), so it must not keep RCU-protected
 * pointers from before the call.
 */
void config_lock(void);

/** Release the configuration lock; the calling thread must hold it. */
void config_unlock(void);

/** Whether the calling thread holds the configuration lock. */
bool config_held(void);

/* Assert the calling context of functions that modify [C] state. */
#ifdef NDEBUG
#define config_assert_locked() do { } while (0)
#else
#define config_assert_locked() assert(config_held())
#endif

#endif
