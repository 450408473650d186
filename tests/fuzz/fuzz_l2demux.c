/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_l2demux.c: libFuzzer target for what the rx lcore runs on every
 * frame: l2key_extract() over a fuzzer-built frame (in one to four mbuf
 * segments) and l2demux_lookup() in a fuzzer-built table.
 *
 * Input:
 *   byte 0       number of table entries (low 5 bits)
 *   byte 1       linear_max of the table (mod 33)
 *   per entry    2 bytes: prefix length in bits (big-endian, mod 385),
 *                1 byte: bit 0 = delete it again after all are added,
 *                then the prefix bytes ((bits + 7) / 8; bits past the length
 *                are cleared)
 *   1 byte       number of mbuf segments (1..4), then one byte per cut
 *   the rest     the frame
 *
 * Invariants checked (a violation calls __builtin_trap()):
 *   l2key_extract  returns 0 or -EBADMSG; gives the same result however the
 *                  frame is cut into segments; on success the key has whole
 *                  bytes, at most L2KEY_MAX of them, zero past its length,
 *                  and l2_len <= the frame length.
 *   l2demux_add    refuses exactly the duplicate prefixes (-EEXIST);
 *   l2demux_del    removes exactly what was added; l2demux_count follows.
 *   l2demux_lookup returns one of the entries present, the longest that
 *                  matches (by a linear scan), or NULL when none matches;
 *                  for the frame's key, each entry's own prefix and the
 *                  prefixes extended with frame bytes.
 *   l2key_format   writes a NUL-terminated string of the length it returns.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dataplane/l2demux.h"

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

#define MAX_ENTRIES 31
#define MAX_SEGS 4
#define FRAME_MAX 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_entry {
	struct l2key k;
	bool added, present, del;
};

static void
h_none(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)c, (void)port, (void)pkts, (void)n, (void)arg;
}

static bool
prefix_matches(const struct l2key *p, const struct l2key *k)
{
	if (p->bits > k->bits)
		return false;
	for (unsigned i = 0; i < p->bits; i++) {
		unsigned byte = i / 8, bit = 7 - i % 8;

		if (((p->b[byte] >> bit) & 1) != ((k->b[byte] >> bit) & 1))
			return false;
	}
	return true;
}

/* Check the lookup of @k against a linear scan of the present entries. */
static void
check_lookup(const struct l2demux *d, const struct fz_entry *e, unsigned n, const struct l2key *k)
{
	const struct l2demux_result *r = l2demux_lookup(d, k);
	int best = -1;

	for (unsigned i = 0; i < n; i++)
		if (e[i].present && prefix_matches(&e[i].k, k) &&
		    (best < 0 || e[i].k.bits > e[best].k.bits))
			best = (int)i;
	if (best < 0) {
		CHECK(r == NULL);
		return;
	}
	CHECK(r != NULL);
	CHECK(r->ifl_index == (uint32_t)best + 1);
	CHECK(r->handler == h_none);
}

static void
check_format(const struct l2key *k)
{
	char buf[512];
	int n = l2key_format(k, buf, sizeof(buf));

	CHECK(n > 0 && n < (int)sizeof(buf));
	CHECK(strlen(buf) == (size_t)n);
}

/* Segments over @frame cut at @cuts; @segs must hold MAX_SEGS mbufs. */
static struct rte_mbuf *
build_chain(struct rte_mbuf *segs, uint8_t *frame, size_t len, const size_t *cuts, unsigned ncuts)
{
	size_t start = 0;

	memset(segs, 0, MAX_SEGS * sizeof(*segs));
	for (unsigned i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		segs[i].buf_addr = frame + start;
		segs[i].buf_len = (uint16_t)(end - start);
		segs[i].data_off = 0;
		segs[i].data_len = (uint16_t)(end - start);
		segs[i].next = i < ncuts ? &segs[i + 1] : NULL;
		segs[i].nb_segs = 1;
		start = end;
	}
	segs[0].nb_segs = (uint16_t)(ncuts + 1);
	segs[0].pkt_len = (uint32_t)len;
	return &segs[0];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_entry e[MAX_ENTRIES];
	static uint8_t frame[FRAME_MAX];
	struct rte_mbuf segs[MAX_SEGS], one[MAX_SEGS];
	struct l2key fk, fk1;
	uint16_t l2_len = 0, l2_len1 = 0;
	size_t off = 0, flen, cuts[MAX_SEGS];
	unsigned n, ncuts, count = 0;
	struct l2demux *d;
	int rc, rc1;

	if (size < 3)
		return 0;
	n = data[off++] & 0x1f;
	d = l2demux_create();
	CHECK(d != NULL);
	CHECK(l2demux_set_linear_max(d, data[off++] % 33) == 0);
	memset(e, 0, sizeof(e));
	for (unsigned i = 0; i < n; i++) {
		struct l2demux_result r = { .ifl_index = i + 1, .handler = h_none, .name = "fuzz" };
		unsigned bits, bytes;
		bool dup = false;

		if (size - off < 3)
			break;
		bits = (unsigned)(data[off] << 8 | data[off + 1]) % (L2KEY_MAX * 8 + 1);
		e[i].del = data[off + 2] & 1;
		off += 3;
		bytes = (bits + 7) / 8;
		if (size - off < bytes)
			break;
		l2key_init(&e[i].k);
		memcpy(e[i].k.b, data + off, bytes);
		off += bytes;
		if (bits % 8)
			e[i].k.b[bits / 8] &= (uint8_t)(0xff << (8 - bits % 8));
		e[i].k.bits = (uint16_t)bits;
		for (unsigned j = 0; j < i && !dup; j++)
			dup = e[j].added && e[j].k.bits == e[i].k.bits &&
			      memcmp(e[j].k.b, e[i].k.b, L2KEY_MAX) == 0;
		rc = l2demux_add(d, &e[i].k, &r);
		CHECK(rc == (dup ? -EEXIST : 0));
		e[i].added = e[i].present = !dup;
		count += !dup;
		CHECK(l2demux_count(d) == count);
		check_format(&e[i].k);
	}
	n = n < MAX_ENTRIES ? n : MAX_ENTRIES;
	for (unsigned i = 0; i < n; i++) {
		if (!e[i].present || !e[i].del)
			continue;
		CHECK(l2demux_del(d, &e[i].k) == 0);
		CHECK(l2demux_del(d, &e[i].k) == -ENOENT);
		e[i].present = false;
		CHECK(l2demux_count(d) == --count);
	}
	/* The frame and its segments. */
	ncuts = 0;
	if (off < size) {
		unsigned nsegs = 1 + data[off++] % MAX_SEGS;

		for (unsigned i = 1; i < nsegs && off < size; i++)
			cuts[ncuts++] = data[off++];
	}
	flen = size - off < FRAME_MAX ? size - off : FRAME_MAX;
	memcpy(frame, data + off, flen);
	/* Cuts ascending and within the frame. */
	for (unsigned i = 0; i < ncuts; i++) {
		if (cuts[i] > flen)
			cuts[i] = flen;
		if (i > 0 && cuts[i] < cuts[i - 1])
			cuts[i] = cuts[i - 1];
	}
	rc = l2key_extract(build_chain(segs, frame, flen, cuts, ncuts), &fk, &l2_len);
	rc1 = l2key_extract(build_chain(one, frame, flen, NULL, 0), &fk1, &l2_len1);
	CHECK(rc == 0 || rc == -EBADMSG);
	CHECK(rc == rc1);
	if (rc == 0) {
		CHECK(fk.bits == fk1.bits && memcmp(fk.b, fk1.b, L2KEY_MAX) == 0);
		CHECK(l2_len == l2_len1);
		CHECK(fk.bits % 8 == 0 && fk.bits > 0 && fk.bits <= L2KEY_MAX * 8);
		for (unsigned i = fk.bits / 8; i < L2KEY_MAX; i++)
			CHECK(fk.b[i] == 0);
		CHECK(l2_len <= flen);
		check_format(&fk);
		check_lookup(d, e, n, &fk);
	}
	/* Every prefix as a key, and extended with frame bytes to a whole key. */
	for (unsigned i = 0; i < n; i++) {
		struct l2key k = e[i].k;
		unsigned from = (k.bits + 7) / 8;

		check_lookup(d, e, n, &k);
		for (unsigned b = from; b < L2KEY_MAX && b - from < flen; b++)
			k.b[b] = frame[b - from];
		k.bits = L2KEY_MAX * 8;
		check_lookup(d, e, n, &k);
	}
	l2demux_free(d);
	return 0;
}
