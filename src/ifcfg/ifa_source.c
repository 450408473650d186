/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ifa_source.c: the source address of packets nsdp sends in answer to a
 * received one (ICMP / ICMPv6 errors): an address of the incoming ifl's
 * iff of the family, else one of the routing instance's loopback (lo0.N).
 * Read-only over the interface tree; config lock held by the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/ip.h"
#include "ifcfg_priv.h"

/* Whether @dst lies in @a's subnet (its destination prefix). */
static bool
ifa_covers(const struct ifa *a, const uint8_t *dst, unsigned bytes)
{
	unsigned full = a->a.dest_len / 8, rest = a->a.dest_len % 8;

	if (!a->a.has_dest || dst == NULL || a->a.dest_len > bytes * 8)
		return false;
	if (memcmp(a->a.dest, dst, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a->a.dest[full] ^ dst[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool
ip6_ll(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* The best local address of @iff for @dst: on-subnet, else same scope (IPv6), else first. */
static const struct ifa *
iff_pick(const struct iff *iff, const uint8_t *dst, unsigned bytes)
{
	const struct ifa *a, *first = NULL, *scoped = NULL;

	TAILQ_FOREACH(a, &iff->ifas, link) {
		if (!a->a.has_local)
			continue;
		if (ifa_covers(a, dst, bytes))
			return a;
		if (first == NULL)
			first = a;
		if (scoped == NULL && bytes == 16 && dst != NULL &&
		    ip6_ll(a->a.local) == ip6_ll(dst))
			scoped = a;
	}
	return scoped != NULL ? scoped : first;
}

int
ifa_source_addr(uint32_t ifl_index, int family, const uint8_t *dst, uint8_t *out)
{
	unsigned fam, bytes;
	const struct ifl_priv *ifl;
	const struct ifa *a = NULL;
	const struct iff *iff;
	char lo[IFNAME_MAX];

	if (family == 4) {
		fam = IFF_INET;
		bytes = 4;
	} else if (family == 6) {
		fam = IFF_INET6;
		bytes = 16;
	} else {
		return -EINVAL;
	}
	ifl = ifl_priv_by_index(ifl_index);
	if (ifl == NULL || ifl->iff[fam] == NULL)
		return -ENOENT;
	iff = ifl->iff[fam];
	a = iff_pick(iff, dst, bytes);
	if (a == NULL) {
		/* The loopback of the routing instance: lo0.N (lo0.0 for instance 0). */
		const struct ifl_priv *l;

		snprintf(lo, sizeof(lo), "lo0.%u", iff->rt_inst);
		l = ifl_find(lo);
		if (l != NULL && l->iff[fam] != NULL && l->iff[fam]->rt_inst == iff->rt_inst)
			a = iff_pick(l->iff[fam], NULL, bytes);
	}
	if (a == NULL)
		return -ENOENT;
	memcpy(out, a->a.local, bytes);
	return 0;
}
