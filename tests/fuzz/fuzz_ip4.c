/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_ip4.c: libFuzzer target for the IPv4 header check the rx lcore runs
 * on every packet (ip4_header_check) over arbitrary bytes, in one or two
 * mbuf segments whose buffers are exactly as long as their data (so a read
 * past the packet is caught by AddressSanitizer).
 *
 * Input:
 *   byte 0     bits 0-1: the port's checksum verdict (0 none, 1 good, 2 bad,
 *              3 none); bit 2: two segments
 *   byte 1     with two segments: bytes in the first one (mod the length + 1)
 *   the rest   the packet, from its IPv4 header
 *
 * Invariants (a violation calls __builtin_trap()):
 *   refused   the reason is one of the IPv4 header reasons;
 *   accepted  version 4, IHL >= 5 and the header within the first segment,
 *             the reported header length is IHL * 4, total length >= IHL,
 *             the packet now has exactly total-length bytes, and the header
 *             checksum verifies unless the port vouched for it; options are
 *             TLVs that stay inside the header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dataplane/ip4.h"

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

/* An independent walk of the options: every TLV inside the header. */
static bool
options_ok(const uint8_t *o, unsigned len)
{
	for (unsigned i = 0; i < len;) {
		if (o[i] == IP4_OPT_EOL)
			return true;
		if (o[i] == IP4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
			return false;
		i += o[i + 1];
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf m0, m1;
	uint8_t *b0 = NULL, *b1 = NULL;
	struct ip4_check chk;
	unsigned flags, hlen;
	size_t len, cut;
	int why;

	if (size < 2 || size > 2 + 9000)
		return 0;
	flags = data[0];
	len = size - 2;
	cut = len;
	if ((flags & 4) && len > 0)
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
	switch (flags & 3) {
	case 1:
		m0.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		break;
	case 2:
		m0.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
		break;
	default:
		m0.ol_flags = RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
		break;
	}

	why = ip4_header_check(&m0, &chk);
	if (why != 0) {
		CHECK(why == DROP_ip4_bad_version || why == DROP_ip4_bad_header_len ||
		      why == DROP_ip4_bad_checksum || why == DROP_ip4_bad_length ||
		      why == DROP_ip4_bad_options);
	} else {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)b0;

		CHECK((flags & 3) != 2);
		CHECK(len >= 20 && cut >= 20);
		CHECK((h->version_ihl >> 4) == 4);
		hlen = (h->version_ihl & 0xfu) * 4;
		CHECK(hlen >= 20 && hlen <= m0.data_len && hlen == chk.hlen);
		CHECK(rte_be_to_cpu_16(h->total_length) >= hlen);
		CHECK(m0.pkt_len == rte_be_to_cpu_16(h->total_length));
		if ((flags & 3) != 1)
			CHECK(rte_raw_cksum(h, hlen) == 0xffff);
		CHECK(options_ok(b0 + 20, hlen - 20));
	}
	free(b0);
	free(b1);
	return 0;
}
