/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_l2key.c: key extraction against the golden frames of
 * l2key_golden.txt (written by l2key_golden.py with scapy), each frame
 * also split over two and three mbuf segments at every offset within its
 * header; and the key builders.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "dataplane/l2demux.h"
#include "test_eal.h"

#ifndef L2KEY_GOLDEN
#error "L2KEY_GOLDEN must name the golden file (tests/unit/meson.build)"
#endif

#define FRAME_MAX 2048

static struct rte_mempool *mp;

struct golden {
	char name[128];
	uint8_t frame[FRAME_MAX];
	size_t len;
	bool malformed;
	struct l2key key;
	uint16_t l2_len;
};

static int
hex_to_bytes(const char *hex, uint8_t *out, size_t max, size_t *n)
{
	size_t len = strlen(hex);

	if (strcmp(hex, "-") == 0) {
		*n = 0;
		return 0;
	}
	if (len % 2 != 0 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*n = len / 2;
	return 0;
}

/* Parse one line; @return 1 for a frame, 0 for a comment, -1 on error. */
static int
golden_parse(char *line, struct golden *g)
{
	char *name, *frame, *key, *l2, *save = NULL;
	size_t n;

	memset(g, 0, sizeof(*g));
	if (line[0] == '#' || line[0] == '\n')
		return 0;
	name = strtok_r(line, " \n", &save);
	frame = strtok_r(NULL, " \n", &save);
	key = strtok_r(NULL, " \n", &save);
	l2 = strtok_r(NULL, " \n", &save);
	if (name == NULL || frame == NULL || key == NULL)
		return -1;
	snprintf(g->name, sizeof(g->name), "%s", name);
	if (hex_to_bytes(frame, g->frame, sizeof(g->frame), &g->len) < 0)
		return -1;
	if (strcmp(key, "malformed") == 0) {
		g->malformed = true;
		return 1;
	}
	if (l2 == NULL || hex_to_bytes(key, g->key.b, sizeof(g->key.b), &n) < 0)
		return -1;
	g->key.bits = (uint16_t)(n * 8);
	g->l2_len = (uint16_t)atoi(l2);
	return 1;
}

/* An mbuf chain holding @len bytes of @p, cut at the offsets in @cuts. */
static struct rte_mbuf *
chain_build(const uint8_t *p, size_t len, const size_t *cuts, unsigned ncuts)
{
	struct rte_mbuf *head = NULL;
	size_t start = 0;

	for (unsigned i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		char *d;

		assert_non_null(m);
		d = rte_pktmbuf_append(m, (uint16_t)(end - start));
		assert_true(end == start || d != NULL);
		if (end > start)
			memcpy(d, p + start, end - start);
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		start = end;
	}
	return head;
}

/* Extract from @m and compare with @g; @how says which layout failed. */
static void
check_one(const struct golden *g, struct rte_mbuf *m, const char *how)
{
	struct l2key k;
	uint16_t l2_len = 0xffff;
	int rc;

	memset(&k, 0xa5, sizeof(k));
	rc = l2key_extract(m, &k, &l2_len);
	if (g->malformed) {
		if (rc != -EBADMSG)
			fail_msg("%s (%s): expected malformed, got %d", g->name, how, rc);
		return;
	}
	if (rc != 0)
		fail_msg("%s (%s): expected a key, got %d", g->name, how, rc);
	if (k.bits != g->key.bits || memcmp(k.b, g->key.b, sizeof(k.b)) != 0) {
		char got[256], want[256];

		l2key_format(&k, got, sizeof(got));
		l2key_format(&g->key, want, sizeof(want));
		fail_msg("%s (%s): key '%s' (%u bits), expected '%s' (%u bits)", g->name, how, got,
			 k.bits, want, g->key.bits);
	}
	if (l2_len != g->l2_len)
		fail_msg("%s (%s): l2_len %u, expected %u", g->name, how, l2_len, g->l2_len);
	assert_true(l2_len <= m->pkt_len);
}

static void
test_golden(void **state)
{
	FILE *f = fopen(L2KEY_GOLDEN, "r");
	static char line[2 * FRAME_MAX + 512];
	struct golden *g = malloc(sizeof(*g));
	unsigned frames = 0, malformed = 0, chains = 0;

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	while (fgets(line, sizeof(line), f) != NULL) {
		struct rte_mbuf *m;
		int rc = golden_parse(line, g);

		if (rc < 0)
			fail_msg("bad golden line: %s", line);
		if (rc == 0)
			continue;
		frames++;
		malformed += g->malformed;
		m = chain_build(g->frame, g->len, NULL, 0);
		check_one(g, m, "one segment");
		rte_pktmbuf_free(m);
		/* Two segments cut at every offset of the header area, and three. */
		for (size_t c = 1; c < g->len && c <= 48; c++) {
			size_t cuts[2] = { c, c + 3 };
			char how[64];

			snprintf(how, sizeof(how), "two segments cut at %zu", c);
			m = chain_build(g->frame, g->len, cuts, 1);
			check_one(g, m, how);
			rte_pktmbuf_free(m);
			if (c + 3 < g->len) {
				snprintf(how, sizeof(how), "three segments cut at %zu, %zu", c,
					 c + 3);
				m = chain_build(g->frame, g->len, cuts, 2);
				check_one(g, m, how);
				rte_pktmbuf_free(m);
			}
			chains++;
		}
	}
	fclose(f);
	free(g);
	/* The file holds ~900 frames; a short read would test nothing. */
	assert_true(frames > 850);
	assert_true(malformed > 500);
	assert_true(frames - malformed > 100);
	assert_true(chains > 10000);
	/* Nothing leaked from the pool. */
	assert_int_equal(rte_mempool_in_use_count(mp), 0);
}

/* PCP and DEI never reach the key; the VID does. */
static void
test_pcp_dei_cleared(void **state)
{
	static const uint8_t f[] = {
		0x02, 0,    0,    0, 0,    0xfe, 0x02, 0,
		0,    0,    0,    1, 0x81, 0x00, 0xff, 0xff, /* PCP 7, DEI 1, VID 4095 */
		0x08, 0x00, 0x45, 0,
	};
	struct rte_mbuf *m = chain_build(f, sizeof(f), NULL, 0);
	struct l2key k, want;
	uint16_t l2_len;

	(void)state;
	assert_int_equal(l2key_extract(m, &k, &l2_len), 0);
	l2key_init(&want);
	assert_int_equal(l2key_push_tag(&want, 0x8100, 4095), 0);
	assert_int_equal(l2key_push_type(&want, 0x0800), 0);
	assert_int_equal(k.bits, want.bits);
	assert_memory_equal(k.b, want.b, sizeof(k.b));
	assert_int_equal(l2_len, 18);
	rte_pktmbuf_free(m);
}

static void
test_builders(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t llc[3] = { 0xfe, 0xfe, 0x03 };
	static const uint8_t want_pppoe[] = {
		0x81, 0x00, 0x00, 0x07, 0x88, 0x64, 0x12, 0x34, 2, 0, 0, 0, 0, 1, 0xc0,
	};
	struct l2key k;

	(void)state;
	l2key_init(&k);
	assert_int_equal(k.bits, 0);
	assert_int_equal(l2key_push_tag(&k, 0x8100, 4096), -EINVAL);
	assert_int_equal(l2key_push_tag(&k, 0x0800, 1), -EINVAL);
	assert_int_equal(k.bits, 0);
	assert_int_equal(l2key_push_tag(&k, 0x8100, 7), 0);
	assert_int_equal(l2key_push_pppoe_session(&k, 0x1234, mac), 0);
	assert_int_equal(l2key_push_bits(&k, 0xc021, 17), -EINVAL);
	assert_int_equal(l2key_push_bits(&k, 0xc021, 2), 0);
	assert_int_equal(k.bits, 14 * 8 + 2);
	assert_memory_equal(k.b, want_pppoe, sizeof(want_pppoe));
	/* Bits past the prefix stay zero. */
	for (size_t i = sizeof(want_pppoe); i < L2KEY_MAX; i++)
		assert_int_equal(k.b[i], 0);
	/* Nothing whole-byte goes after a partial byte. */
	assert_int_equal(l2key_push_type(&k, 0x0800), -EINVAL);
	assert_int_equal(l2key_push_bits(&k, 0, 0), -EINVAL);

	l2key_init(&k);
	assert_int_equal(l2key_push_type(&k, L2KEY_TYPE_LLC), 0);
	assert_int_equal(l2key_push_bytes(&k, llc, 3), 0);
	assert_int_equal(k.bits, 40);
	assert_int_equal(k.b[2], 0xfe);
	assert_int_equal(l2key_push_bits(&k, 0xffff, 0), 0);
	assert_int_equal(k.bits, 40);

	/* L2KEY_MAX bytes fit, one more does not, and a failure changes nothing. */
	l2key_init(&k);
	for (unsigned i = 0; i < L2KEY_MAX / 4; i++)
		assert_int_equal(l2key_push_tag(&k, 0x88a8, (uint16_t)i), 0);
	assert_int_equal(k.bits, L2KEY_MAX * 8);
	assert_int_equal(l2key_push_type(&k, 0x0800), -ENOSPC);
	assert_int_equal(l2key_push_bits(&k, 0x8000, 1), -ENOSPC);
	assert_int_equal(l2key_push_bytes(&k, llc, 1), -ENOSPC);
	assert_int_equal(l2key_push_pppoe_session(&k, 1, mac), -ENOSPC);
	assert_int_equal(k.bits, L2KEY_MAX * 8);
}

/* A header cut across segments where the frame is shorter than the area
 * extraction reads at most: every byte read is within the chain. */
static void
test_short_chains(void **state)
{
	static const uint8_t f[] = {
		0x02, 0,    0,    0,    0,    0xfe, 0x02, 0,    0,    0,    0,
		1,    0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0x02, 0x86, 0xdd,
	};
	(void)state;
	for (size_t len = 0; len <= sizeof(f); len++)
		for (size_t c = 1; c < len; c++) {
			size_t cuts[1] = { c };
			struct rte_mbuf *m = chain_build(f, len, cuts, 1);
			struct l2key k;
			uint16_t l2_len;
			int rc = l2key_extract(m, &k, &l2_len);

			if (len < sizeof(f)) {
				assert_int_equal(rc, -EBADMSG);
			} else {
				assert_int_equal(rc, 0);
				assert_int_equal(k.bits, 80);
				assert_int_equal(l2_len, sizeof(f));
			}
			rte_pktmbuf_free(m);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_pcp_dei_cleared),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_short_chains),
	};

	test_eal_init("0", NULL);
	mp = rte_pktmbuf_pool_create("l2key", 1023, 0, 0, FRAME_MAX + RTE_PKTMBUF_HEADROOM,
				     SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "test_l2key: cannot create the mbuf pool\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
