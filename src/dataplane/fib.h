/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib.h: the forwarding structure compiled from a route table (paper
 * 945-1100: the route table is a routing table; what lcores search is a
 * compact structure derived from it).
 *
 * A fib maps every address of one family to a 32-bit value (the route
 * table stores next-hop indices there) by longest-prefix match over the
 * prefixes set in it. The /0 prefix always has a value (given at creation,
 * changeable with fib_set()), so every lookup finds one.
 *
 * Concurrency:
 *   - one writer at a time ([C]: the caller serialises, normally with the
 *     config lock); fib_set() and fib_del() change only the part of the
 *     structure the prefix covers, never rebuild it;
 *   - any number of readers without locks: QSBR RCU readers (urcu-qsbr:
 *     registered threads between quiescent states, as every lcore is).
 *     A reader sees, for its address, the value before or after each
 *     change, never a mix of parts of both. Memory a change releases is
 *     freed after a grace period (call_rcu), so the writer never blocks.
 *
 * Addresses and prefixes are given in network byte order (uint8_t[4] or
 * uint8_t[16]); bulk IPv4 lookups take host-order uint32_t as the packet
 * path has them after one load and bswap.
 */
#ifndef NSDP_FIB_H
#define NSDP_FIB_H

#include <stddef.h>
#include <stdint.h>

/* Values are below this (next-hop indices, 2^24 of them). */
#define FIB_VALUE_MAX (1u << 24)

struct nsdp_fib;

/**
 * Create an empty fib of @family (4 or 6) where /0 maps to @default_value.
 * @return the fib, or NULL with errno EINVAL (family, value) or ENOMEM.
 * Not thread-safe with respect to the new object (nobody else has it yet).
 */
struct nsdp_fib *fib_create(int family, uint32_t default_value);

/**
 * Free @fib at once. No reader may still use it: unpublish it and wait for
 * a grace period first (or never publish it).
 */
void fib_free(struct nsdp_fib *fib);

/** The family @fib was created with (4 or 6). */
int fib_family(const struct nsdp_fib *fib);

/**
 * Set @prefix/@len to @value, inserting or replacing. Bits of @prefix
 * beyond @len are ignored. [C] single writer.
 * @return 0, or -EINVAL (len, value), -ENOMEM (nothing changed).
 */
int fib_set(struct nsdp_fib *fib, const uint8_t *prefix, uint8_t len, uint32_t value);

/**
 * Remove @prefix/@len: its addresses fall back to the covering prefix.
 * Removing /0 is refused (-EINVAL). [C] single writer.
 * @return 0, -ENOENT (not set), -EINVAL, -ENOMEM (nothing changed).
 */
int fib_del(struct nsdp_fib *fib, const uint8_t *prefix, uint8_t len);

/** Longest-prefix match of one IPv4 address (host order). RCU reader. */
uint32_t fib_lookup4(const struct nsdp_fib *fib, uint32_t addr);

/** Longest-prefix match of one IPv6 address. RCU reader. */
uint32_t fib_lookup6(const struct nsdp_fib *fib, const uint8_t addr[16]);

/** @n IPv4 lookups (host-order addresses) into @values. RCU reader. */
void fib_lookup4_bulk(const struct nsdp_fib *fib, const uint32_t *addrs, uint32_t *values,
		      unsigned n);

/** @n IPv6 lookups into @values. RCU reader. */
void fib_lookup6_bulk(const struct nsdp_fib *fib, const uint8_t (*addrs)[16], uint32_t *values,
		      unsigned n);

/** Bytes of memory the structure holds now (what lcores touch plus bookkeeping). */
size_t fib_memory(const struct nsdp_fib *fib);

/** Bytes of that which lookups read (the direct table, nodes and leaves). */
size_t fib_memory_lookup(const struct nsdp_fib *fib);

/** Number of prefixes set, /0 included. */
size_t fib_count(const struct nsdp_fib *fib);

#endif
