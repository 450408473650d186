/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_l3demux.c: libFuzzer target for the L3 demux's packet path:
 * l3demux_extract() over arbitrary IPv4 / IPv6 packets (in one or two mbuf
 * segments whose buffers are exactly as long as their data, so a read past
 * the packet is caught by AddressSanitizer), then l3demux_lookup() of the
 * extracted key in a fuzzer-built table, checked against a brute-force
 * reference of the best-match rules of l3demux.h.
 *
 * Input:
 *   byte 0       bits 0-2: entries (0..7); bit 3: IPv6; bit 4: two segments
 *   byte 1       bytes in the first segment (mod the length + 1)
 *   per entry    14 bytes: flags (bit 0: every instance, bit 1: the packet's
 *                protocol), dst_len, src_len, dst bit to flip (>= 128: none),
 *                src bit to flip, proto, tp[4], tp_mask[4]; the entry's
 *                addresses are the packet's with that bit flipped
 *   the rest     the packet, from its IP header
 *
 * Invariants (a violation calls __builtin_trap()):
 *   extract  returns 0 or -EINVAL, the same however the packet is cut; on
 *            success l4_off <= the length, tp_len = min(4, length - l4_off),
 *            IPv4: l4_off = IHL * 4 and the protocol is the header's.
 *   add      refuses exactly the keys already present (-EEXIST).
 *   lookup   returns the entry the reference picks (instance entries before
 *            every-instance ones, then dst, src prefix, mask bits, mask),
 *            or NULL when none matches.
 *   del      removes every entry; the count returns to 0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/l3demux.h"

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

#define ENT_BYTES 14
#define PKT_MAX 4096
#define INST 7

struct ref {
	struct l3demux_key k;
	uint16_t inst;
	uint32_t id;
	bool added;
};

static bool
pfx_match(const uint8_t *a, const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		if (((a[i / 8] ^ p[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static bool
ref_match(const struct ref *r, const struct l3demux_pkey *pk)
{
	if (r->k.proto != pk->proto || !pfx_match(r->k.dst, pk->dst, r->k.dst_len) ||
	    !pfx_match(r->k.src, pk->src, r->k.src_len))
		return false;
	for (unsigned i = 0; i < 4; i++) {
		uint8_t b = i < pk->tp_len ? ((const uint8_t *)&pk->tp)[i] : 0;

		if (r->k.tp_mask[i] != 0 && i >= pk->tp_len)
			return false;
		if ((b ^ r->k.tp[i]) & r->k.tp_mask[i])
			return false;
	}
	return true;
}

static unsigned
bits(const uint8_t m[4])
{
	return (unsigned)__builtin_popcount((unsigned)m[0] << 24 | (unsigned)m[1] << 16 |
					    (unsigned)m[2] << 8 | m[3]);
}

static uint32_t
be(const uint8_t m[4])
{
	return (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
}

/* true if @a beats @b. */
static bool
ref_better(const struct ref *a, const struct ref *b)
{
	if ((a->inst == INST) != (b->inst == INST))
		return a->inst == INST;
	if (a->k.dst_len != b->k.dst_len)
		return a->k.dst_len > b->k.dst_len;
	if (a->k.src_len != b->k.src_len)
		return a->k.src_len > b->k.src_len;
	if (bits(a->k.tp_mask) != bits(b->k.tp_mask))
		return bits(a->k.tp_mask) > bits(b->k.tp_mask);
	return be(a->k.tp_mask) > be(b->k.tp_mask);
}

static void
nop(struct lcore_ctx *c, struct rte_mbuf **pkts, uint16_t n, void *state)
{
	(void)c, (void)pkts, (void)n, (void)state;
}

static struct rte_mbuf *
chain(struct rte_mbuf *segs, uint8_t *p, size_t len, size_t cut)
{
	memset(segs, 0, 2 * sizeof(*segs));
	if (cut == 0 || cut >= len) {
		segs[0].buf_addr = p;
		segs[0].buf_len = (uint16_t)len;
		segs[0].data_len = (uint16_t)len;
		segs[0].pkt_len = (uint32_t)len;
		segs[0].nb_segs = 1;
		return &segs[0];
	}
	segs[0].buf_addr = p;
	segs[0].buf_len = segs[0].data_len = (uint16_t)cut;
	segs[0].next = &segs[1];
	segs[0].nb_segs = 2;
	segs[0].pkt_len = (uint32_t)len;
	segs[1].buf_addr = p + cut;
	segs[1].buf_len = segs[1].data_len = (uint16_t)(len - cut);
	segs[1].nb_segs = 1;
	return &segs[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf segs[2], one[2];
	struct l3demux_pkey pk, pk1;
	struct ref r[8];
	const struct l3demux_entry *got;
	const struct ref *want = NULL;
	unsigned n, family, alen;
	size_t len, cut;
	uint8_t *pkt;
	int rc, rc1;

	if (size < 2)
		return 0;
	n = data[0] & 7;
	family = data[0] & 8 ? 6 : 4;
	alen = family == 4 ? 4 : 16;
	if (size < 2 + (size_t)n * ENT_BYTES + 1)
		return 0;
	len = size - 2 - (size_t)n * ENT_BYTES;
	if (len > PKT_MAX)
		len = PKT_MAX;
	/* Exactly as long as the packet: ASan sees any read past it. */
	pkt = malloc(len);
	if (pkt == NULL)
		return 0;
	memcpy(pkt, data + 2 + n * ENT_BYTES, len);
	cut = data[0] & 16 ? data[1] % (len + 1) : 0;
	rc = l3demux_extract(chain(segs, pkt, len, cut), (int)family, &pk);
	rc1 = l3demux_extract(chain(one, pkt, len, 0), (int)family, &pk1);
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(rc == rc1);
	if (rc < 0) {
		free(pkt);
		return 0;
	}
	CHECK(memcmp(&pk, &pk1, sizeof(pk)) == 0);
	CHECK(pk.l4_off <= len);
	CHECK(pk.tp_len == (len - pk.l4_off >= 4 ? 4 : len - pk.l4_off));
	if (family == 4) {
		CHECK(pk.l4_off == (pkt[0] & 0xf) * 4u);
		CHECK(pk.proto == pkt[9]);
	}

	/* A table of entries near the packet's key. */
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = data + 2 + i * ENT_BYTES;
		bool dup = false;

		memset(&r[i], 0, sizeof(r[i]));
		r[i].inst = e[0] & 1 ? L3DEMUX_INST_ANY : INST;
		r[i].k.family = (uint8_t)family;
		r[i].k.proto = e[0] & 2 ? pk.proto : e[5];
		r[i].k.dst_len = (uint8_t)(e[1] % (alen * 8 + 1));
		r[i].k.src_len = (uint8_t)(e[2] % (alen * 8 + 1));
		memcpy(r[i].k.dst, pk.dst, alen);
		memcpy(r[i].k.src, pk.src, alen);
		if (e[3] < alen * 8)
			r[i].k.dst[e[3] / 8] ^= (uint8_t)(0x80 >> (e[3] % 8));
		if (e[4] < alen * 8)
			r[i].k.src[e[4] / 8] ^= (uint8_t)(0x80 >> (e[4] % 8));
		/* Normalise as the table does: bits past the prefixes, the mask. */
		for (unsigned b = r[i].k.dst_len; b < 128; b++)
			r[i].k.dst[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		for (unsigned b = r[i].k.src_len; b < 128; b++)
			r[i].k.src[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
		memcpy(r[i].k.tp_mask, e + 10, 4);
		for (unsigned b = 0; b < 4; b++)
			r[i].k.tp[b] = e[6 + b] & r[i].k.tp_mask[b];
		for (unsigned j = 0; j < i; j++)
			if (r[j].added && r[j].inst == r[i].inst &&
			    memcmp(&r[j].k, &r[i].k, sizeof(r[i].k)) == 0)
				dup = true;
		rc = l3demux_add(r[i].inst, &r[i].k, nop, NULL, "fuzz", &r[i].id);
		CHECK(dup ? rc == -EEXIST : rc == 0);
		r[i].added = rc == 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (r[i].added && ref_match(&r[i], &pk) &&
		    (want == NULL || ref_better(&r[i], want)))
			want = &r[i];
	got = l3demux_lookup(INST, &pk);
	CHECK((got == NULL) == (want == NULL));
	CHECK(got == NULL || l3demux_entry_id(got) == want->id);
	for (unsigned i = 0; i < n; i++)
		if (r[i].added)
			CHECK(l3demux_del_id(r[i].id) == 0);
	CHECK(l3demux_count(false) == 0);
	free(pkt);
	return 0;
}
