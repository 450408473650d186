/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_arp.c: libFuzzer target for the ARP parse every received ARP frame
 * goes through on the neighbour worker (arp_parse) over arbitrary bytes, in
 * one or two mbuf segments whose buffers are exactly as long as their data
 * (so a read past the packet is caught by AddressSanitizer).
 *
 * Input:
 *   byte 0     bit 0: two segments
 *   byte 1     with two segments: bytes in the first one (mod the length + 1)
 *   the rest   the packet, from its ARP header (L2 header stripped)
 *
 * Invariants (a violation calls __builtin_trap()):
 *   refused   the reason is one of the ARP reasons, and an input the
 *             independent check below accepts is never refused;
 *   accepted  at least 28 bytes, Ethernet (1) / IPv4 (0x0800), lengths 6 / 4,
 *             op 1 or 2, sender MAC unicast and not zero, sender IP not
 *             multicast or broadcast, target IP not multicast, broadcast or
 *             zero, and the copied body equals the packet's first 28 bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/neigh.h"

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
seg_init(struct rte_mbuf *m, uint8_t *buf, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->buf_len = (uint16_t)len;
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->nb_segs = 1;
	rte_mbuf_refcnt_set(m, 1);
}

static bool
ip_mcast_bcast(const uint8_t *a)
{
	return (a[0] & 0xf0) == 0xe0 || (a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff);
}

/* An independent reading of what a usable Ethernet/IPv4 ARP packet is. */
static bool
valid(const uint8_t *p, size_t len)
{
	static const uint8_t zero[6];

	if (len < 28)
		return false;
	if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 || p[4] != 6 || p[5] != 4)
		return false;
	if (p[6] != 0 || (p[7] != 1 && p[7] != 2))
		return false;
	if ((p[8] & 1) || memcmp(p + 8, zero, 6) == 0 || ip_mcast_bcast(p + 14))
		return false;
	if (ip_mcast_bcast(p + 24) || memcmp(p + 24, zero, 4) == 0)
		return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf m0, m1;
	uint8_t *b0 = NULL, *b1 = NULL;
	struct arp_eth4 a;
	size_t len, cut;
	int why;

	if (size < 2 || size > 2 + 2048)
		return 0;
	len = size - 2;
	cut = len;
	if ((data[0] & 1) && len > 0)
		cut = data[1] % (len + 1);
	if (cut == 0)
		cut = len;
	/* Exact-size buffers: malloc(0) may return NULL, so at least one byte. */
	b0 = malloc(cut ? cut : 1);
	if (b0 == NULL)
		return 0;
	memcpy(b0, data + 2, cut);
	seg_init(&m0, b0, cut);
	if (cut < len) {
		b1 = malloc(len - cut);
		if (b1 == NULL) {
			free(b0);
			return 0;
		}
		memcpy(b1, data + 2 + cut, len - cut);
		seg_init(&m1, b1, len - cut);
		m0.next = &m1;
		m0.nb_segs = 2;
		m0.pkt_len = (uint32_t)len;
	}
	why = arp_parse(&m0, &a);
	if (why != 0) {
		CHECK(why == DROP_arp_malformed || why == DROP_arp_unsupported ||
		      why == DROP_arp_bad_sender || why == DROP_arp_bad_target);
		CHECK(!valid(data + 2, len));
	} else {
		CHECK(valid(data + 2, len));
		CHECK(memcmp(&a, data + 2, 28) == 0);
	}
	free(b0);
	free(b1);
	return 0;
}
