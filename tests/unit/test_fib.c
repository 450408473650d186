/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_fib.c: the forwarding structure (src/dataplane/fib.c), checked
 * against a linear-scan reference (the longest of all prefixes that cover
 * the address):
 *   - argument and error cases, counts, /0 handling;
 *   - the real IPv4 and IPv6 tables of tests/data/rib (directory given by
 *     FIB_RIB_DIR at build time, or argv[1]) on a sample of addresses:
 *     random ones and the first and last address of sampled prefixes, +-1;
 *     then the same after deleting half of the prefixes;
 *   - random tables of both families: adds, replaces and deletes of
 *     prefixes of every length interleaved with lookups of random
 *     addresses and of prefix boundaries, single and bulk;
 *   - an RCU torture test: reader threads look up while a writer changes
 *     prefixes (see torture_reader for how each answer is judged);
 *   - fib_free leaves nothing behind (run under ASan).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <urcu-qsbr.h>

#include "dataplane/fib.h"

#ifndef FIB_RIB_DIR
#define FIB_RIB_DIR "tests/data/rib"
#endif

static const char *rib_dir = FIB_RIB_DIR;

/* ---- the reference ------------------------------------------------------ */

/* Keys are 128-bit, left-aligned (IPv4 in the top 32 bits). */
typedef unsigned __int128 u128;

struct ref_pfx {
	u128 net;
	u128 mask;
	uint8_t len;
	uint32_t value;
};

struct ref {
	struct ref_pfx *p;
	size_t n, cap;
	uint32_t def; /* /0 */
};

static u128
len_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

static u128
bytes_to_key(const uint8_t *b, unsigned nbytes)
{
	u128 k = 0;

	for (unsigned i = 0; i < nbytes; i++)
		k |= (u128)b[i] << (120 - 8 * i);
	return k;
}

static void
key_to_bytes(u128 k, uint8_t *b, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++)
		b[i] = (uint8_t)(k >> (120 - 8 * i));
}

static ssize_t
ref_find(const struct ref *r, u128 net, uint8_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i].len == len && r->p[i].net == net)
			return (ssize_t)i;
	return -1;
}

static void
ref_append(struct ref *r, u128 net, uint8_t len, uint32_t value)
{
	net &= len_mask(len);
	if (len == 0) {
		r->def = value;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->p = realloc(r->p, r->cap * sizeof(*r->p));
		assert_non_null(r->p);
	}
	r->p[r->n++] = (struct ref_pfx){ net, len_mask(len), len, value };
}

static void
ref_set(struct ref *r, u128 net, uint8_t len, uint32_t value)
{
	ssize_t i;

	net &= len_mask(len);
	if (len == 0) {
		r->def = value;
		return;
	}
	i = ref_find(r, net, len);
	if (i >= 0) {
		r->p[i].value = value;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->p = realloc(r->p, r->cap * sizeof(*r->p));
		assert_non_null(r->p);
	}
	r->p[r->n++] = (struct ref_pfx){ net, len_mask(len), len, value };
}

static int
ref_del(struct ref *r, u128 net, uint8_t len)
{
	ssize_t i = ref_find(r, net & len_mask(len), len);

	if (i < 0)
		return -ENOENT;
	r->p[i] = r->p[--r->n];
	return 0;
}

static uint32_t
ref_lookup(const struct ref *r, u128 key)
{
	uint32_t v = r->def;
	int best = -1;

	uint64_t khi = (uint64_t)(key >> 64), klo = (uint64_t)key;

	for (size_t i = 0; i < r->n; i++)
		if ((khi & (uint64_t)(r->p[i].mask >> 64)) == (uint64_t)(r->p[i].net >> 64) &&
		    (klo & (uint64_t)r->p[i].mask) == (uint64_t)r->p[i].net && r->p[i].len > best) {
			best = r->p[i].len;
			v = r->p[i].value;
		}
	return v;
}

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	/* xorshift64*: reproducible across runs. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static u128
rnd128(void)
{
	return (u128)rnd() << 64 | rnd();
}

static unsigned
family_bits(int family)
{
	return family == 4 ? 32 : 128;
}

static uint32_t
fib_lookup_key(const struct nsdp_fib *fib, u128 key)
{
	uint8_t b[16];

	if (fib_family(fib) == 4)
		return fib_lookup4(fib, (uint32_t)(key >> 96));
	key_to_bytes(key, b, 16);
	return fib_lookup6(fib, b);
}

static int
fib_set_key(struct nsdp_fib *fib, u128 net, uint8_t len, uint32_t value)
{
	uint8_t b[16];

	key_to_bytes(net, b, 16);
	return fib_set(fib, b, len, value);
}

static int
fib_del_key(struct nsdp_fib *fib, u128 net, uint8_t len)
{
	uint8_t b[16];

	key_to_bytes(net, b, 16);
	return fib_del(fib, b, len);
}

/* Addresses to probe around one prefix: first, last, and their outer
 * neighbours. Returns how many were written (out of 4). */
static unsigned
boundary_keys(u128 net, uint8_t len, int family, u128 out[4])
{
	u128 fam_mask = len_mask(family_bits(family));
	u128 unit = (u128)1 << (128 - family_bits(family));
	u128 first = net & len_mask(len), last = (first | ~len_mask(len)) & fam_mask;

	out[0] = first;
	out[1] = last;
	out[2] = (first - unit) & fam_mask;
	out[3] = (last + unit) & fam_mask;
	return 4;
}

/* Compare @n keys one by one and in bulk. */
static void
check_keys(const struct nsdp_fib *fib, const struct ref *r, const u128 *keys, unsigned n)
{
	uint32_t want[64], got[64];
	uint32_t a4[64];
	uint8_t a6[64][16];

	while (n > 0) {
		unsigned k = n < 64 ? n : 64;

		for (unsigned i = 0; i < k; i++) {
			want[i] = ref_lookup(r, keys[i]);
			if (fib_lookup_key(fib, keys[i]) != want[i]) {
				char s[INET6_ADDRSTRLEN];
				uint8_t b[16];

				key_to_bytes(keys[i], b, 16);
				inet_ntop(fib_family(fib) == 4 ? AF_INET : AF_INET6, b, s,
					  sizeof(s));
				fail_msg("lookup %s: got %u, want %u", s,
					 fib_lookup_key(fib, keys[i]), want[i]);
			}
			a4[i] = (uint32_t)(keys[i] >> 96);
			key_to_bytes(keys[i], a6[i], 16);
		}
		if (fib_family(fib) == 4)
			fib_lookup4_bulk(fib, a4, got, k);
		else
			fib_lookup6_bulk(fib, (const uint8_t(*)[16])a6, got, k);
		for (unsigned i = 0; i < k; i++)
			assert_int_equal(got[i], want[i]);
		keys += k;
		n -= k;
	}
}

/* ---- arguments and errors ----------------------------------------------- */

static void
test_args(void **state)
{
	uint8_t p[16] = { 10, 1, 2, 3 };
	struct nsdp_fib *fib;

	(void)state;
	errno = 0;
	assert_null(fib_create(5, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(fib_create(4, FIB_VALUE_MAX));
	assert_int_equal(errno, EINVAL);

	fib = fib_create(4, 7);
	assert_non_null(fib);
	assert_int_equal(fib_family(fib), 4);
	assert_int_equal(fib_count(fib), 1);
	assert_true(fib_memory(fib) > 0);
	assert_int_equal(fib_lookup4(fib, 0x0a010203), 7);
	assert_int_equal(fib_set(fib, p, 33, 1), -EINVAL);
	assert_int_equal(fib_set(fib, p, 8, FIB_VALUE_MAX), -EINVAL);
	assert_int_equal(fib_del(fib, p, 0), -EINVAL);
	assert_int_equal(fib_del(fib, p, 33), -EINVAL);
	assert_int_equal(fib_del(fib, p, 8), -ENOENT);

	/* Bits beyond the length are ignored. */
	assert_int_equal(fib_set(fib, p, 8, 3), 0);
	assert_int_equal(fib_count(fib), 2);
	assert_int_equal(fib_lookup4(fib, 0x0aff0000), 3);
	assert_int_equal(fib_lookup4(fib, 0x0b000000), 7);
	assert_int_equal(fib_set(fib, p, 8, 4), 0); /* replace */
	assert_int_equal(fib_count(fib), 2);
	assert_int_equal(fib_lookup4(fib, 0x0a000001), 4);
	assert_int_equal(fib_set(fib, p, 32, FIB_VALUE_MAX - 1), 0);
	assert_int_equal(fib_lookup4(fib, 0x0a010203), FIB_VALUE_MAX - 1);
	assert_int_equal(fib_lookup4(fib, 0x0a010204), 4);
	assert_int_equal(fib_del(fib, p, 16), -ENOENT); /* covered, not set */
	assert_int_equal(fib_set(fib, p, 0, 9), 0);     /* /0 changes */
	assert_int_equal(fib_count(fib), 3);
	assert_int_equal(fib_lookup4(fib, 0x0b000000), 9);
	assert_int_equal(fib_del(fib, p, 8), 0);
	assert_int_equal(fib_lookup4(fib, 0x0a000001), 9);
	assert_int_equal(fib_lookup4(fib, 0x0a010203), FIB_VALUE_MAX - 1);
	assert_int_equal(fib_del(fib, p, 32), 0);
	assert_int_equal(fib_count(fib), 1);
	assert_int_equal(fib_lookup4(fib, 0x0a010203), 9);
	fib_free(fib);

	fib = fib_create(6, 1);
	assert_non_null(fib);
	assert_int_equal(fib_family(fib), 6);
	p[0] = 0x20;
	p[1] = 0x01;
	assert_int_equal(fib_set(fib, p, 129, 1), -EINVAL);
	assert_int_equal(fib_set(fib, p, 128, 2), 0);
	assert_int_equal(fib_lookup6(fib, p), 2);
	p[15] ^= 1;
	assert_int_equal(fib_lookup6(fib, p), 1);
	assert_int_equal(fib_set(fib, p, 127, 3), 0);
	assert_int_equal(fib_lookup6(fib, p), 3);
	p[15] ^= 1;
	assert_int_equal(fib_lookup6(fib, p), 2);
	fib_free(fib);
	fib_free(NULL);
}

/* ---- the real tables ---------------------------------------------------- */

struct label_map {
	char (*name)[32];
	unsigned n;
};

static uint32_t
label_value(struct label_map *m, const char *label)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->name[i], label) == 0)
			return i + 1;
	m->name = realloc(m->name, (m->n + 1) * sizeof(*m->name));
	assert_non_null(m->name);
	snprintf(m->name[m->n], sizeof(m->name[0]), "%s", label);
	return ++m->n;
}

/* Load @file into @r. @return prefixes read, or -1 if the file is absent. */
static long
rib_load(const char *file, int family, struct ref *r)
{
	struct label_map labels = { 0 };
	char line[256];
	long n = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *slash = strchr(line, '/'), *tab = strchr(line, '\t');
		uint8_t b[16] = { 0 };
		unsigned len;

		if (slash == NULL || tab == NULL)
			continue;
		*slash = '\0';
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\r\n")] = '\0';
		assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, line, b), 1);
		len = (unsigned)atoi(slash + 1);
		assert_true(len <= family_bits(family));
		/* Appended without a duplicate search (ref_set would be quadratic
		 * here); fib_count() below proves there were no duplicates. */
		ref_append(r, bytes_to_key(b, 16), (uint8_t)len, label_value(&labels, tab + 1));
		n++;
	}
	fclose(f);
	free(labels.name);
	return n;
}

static void
real_table(int family, const char *name)
{
	char path[512];
	struct ref r = { .def = 0 };
	struct nsdp_fib *fib;
	u128 *keys;
	unsigned nk = 0, nsample = 600;
	long n;

	snprintf(path, sizeof(path), "%s/%s", rib_dir, name);
	n = rib_load(path, family, &r);
	if (n < 0) {
		print_message("%s not found: real-table test skipped\n", path);
		skip();
	}
	fib = fib_create(family, r.def);
	assert_non_null(fib);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(fib_set_key(fib, r.p[i].net, r.p[i].len, r.p[i].value), 0);
	assert_int_equal(fib_count(fib), r.n + 1);
	print_message("%s: %zu prefixes, %zu bytes\n", name, r.n, fib_memory(fib));

	keys = calloc(nsample * 5, sizeof(*keys));
	assert_non_null(keys);
	for (int round = 0; round < 2; round++) {
		nk = 0;
		for (unsigned i = 0; i < nsample; i++) {
			const struct ref_pfx *p = &r.p[rnd() % r.n];

			keys[nk++] = rnd128() & len_mask(family_bits(family));
			nk += boundary_keys(p->net, p->len, family, &keys[nk]);
		}
		check_keys(fib, &r, keys, nk);
		if (round == 0) {
			/* Delete half of the prefixes, then check again. */
			for (size_t i = 0; i < r.n;) {
				if (rnd() & 1) {
					assert_int_equal(fib_del_key(fib, r.p[i].net, r.p[i].len),
							 0);
					r.p[i] = r.p[--r.n];
				} else {
					i++;
				}
			}
			assert_int_equal(fib_count(fib), r.n + 1);
		}
	}
	free(keys);
	fib_free(fib);
	free(r.p);
}

static void
test_real_v4(void **state)
{
	(void)state;
	real_table(4, "routeviews-chicago-2019-peer23367.v4.txt");
}

static void
test_real_v6(void **state)
{
	(void)state;
	real_table(6, "routeviews-chicago-2019-peer293.v6.txt");
}

/* ---- random tables ------------------------------------------------------ */

/* A random prefix near one of a few bases, so that prefixes nest, share
 * first levels and sit next to each other. */
static void
random_prefix(int family, const u128 *bases, unsigned nbases, u128 *net, uint8_t *len)
{
	unsigned bits = family_bits(family);
	u128 k = bases[rnd() % nbases];

	*len = (uint8_t)(rnd() % (bits + 1));
	if (rnd() % 4 == 0)
		*len = (uint8_t)(1 + rnd() % bits);
	/* Flip a few bits anywhere to spread around the base. */
	for (unsigned f = (unsigned)(rnd() % 3); f > 0; f--)
		k ^= (u128)1 << (128 - 1 - rnd() % bits);
	*net = k & len_mask(*len);
}

static void
random_table(int family, unsigned ops, unsigned max_prefixes)
{
	struct ref r = { .def = 5 };
	struct nsdp_fib *fib = fib_create(family, 5);
	u128 bases[8], keys[16];
	unsigned sets = 0, dels = 0;

	assert_non_null(fib);
	for (unsigned i = 0; i < 8; i++)
		bases[i] = rnd128() & len_mask(family_bits(family));
	for (unsigned op = 0; op < ops; op++) {
		u128 net;
		uint8_t len;
		unsigned nk = 0, roll = (unsigned)(rnd() % 10);

		if (roll < 6 && r.n < max_prefixes) {
			/* Values on both sides of each leaf width the structure
			 * picks (8, 16 or 32 bits, and the 7 and 15 bits of
			 * array roots), and a few small ones that nest. */
			static const uint32_t vmax[] = { 4, 200, 300, 40000, 70000, FIB_VALUE_MAX };
			uint32_t v = (uint32_t)(rnd() % vmax[rnd() % 6]);

			random_prefix(family, bases, 8, &net, &len);
			assert_int_equal(fib_set_key(fib, net, len, v), 0);
			ref_set(&r, net, len, v);
			sets++;
		} else if (roll < 9 && r.n > 0) {
			size_t i = rnd() % r.n;

			net = r.p[i].net;
			len = r.p[i].len;
			assert_int_equal(fib_del_key(fib, net, len), 0);
			assert_int_equal(ref_del(&r, net, len), 0);
			dels++;
		} else {
			random_prefix(family, bases, 8, &net, &len);
			if (len > 0)
				assert_int_equal(fib_del_key(fib, net, len), ref_del(&r, net, len));
		}
		assert_int_equal(fib_count(fib), r.n + 1);
		nk += boundary_keys(net, len, family, &keys[nk]);
		if (r.n > 0) {
			const struct ref_pfx *p = &r.p[rnd() % r.n];

			nk += boundary_keys(p->net, p->len, family, &keys[nk]);
		}
		keys[nk++] = rnd128() & len_mask(family_bits(family));
		keys[nk++] = (bases[rnd() % 8] ^ (rnd128() >> (rnd() % 128))) &
			     len_mask(family_bits(family));
		check_keys(fib, &r, keys, nk);
	}
	print_message("IPv%d: %u sets, %u deletes, %zu prefixes at the end\n", family, sets, dels,
		      r.n);
	/* Delete everything: only /0 is left. */
	while (r.n > 0) {
		assert_int_equal(fib_del_key(fib, r.p[r.n - 1].net, r.p[r.n - 1].len), 0);
		r.n--;
		if (r.n % 64 == 0) {
			keys[0] = rnd128() & len_mask(family_bits(family));
			check_keys(fib, &r, keys, 1);
		}
	}
	assert_int_equal(fib_count(fib), 1);
	free(r.p);
	fib_free(fib);
}

static void
test_random_v4(void **state)
{
	(void)state;
	random_table(4, 30000, 3000);
}

static void
test_random_v6(void **state)
{
	(void)state;
	random_table(6, 20000, 3000);
}

/* Many prefixes in one region so that nodes fill up and empty again; each
 * round with values around one of the limits of the leaf widths (arrays
 * and compressed blocks of 8-, 16- and 32-bit leaves, array roots). */
static void
test_dense_v4(void **state)
{
	struct ref r = { .def = 0 };
	struct nsdp_fib *fib = fib_create(4, 0);
	u128 keys[8];

	(void)state;
	assert_non_null(fib);
	static const uint32_t base[] = { 0, 126, 254, 32766, 65534 };

	for (unsigned round = 0; round < 5; round++) {
		for (unsigned i = 0; i < 4000; i++) {
			uint8_t len = (uint8_t)(16 + rnd() % 17);
			u128 net = ((u128)0x0a0a0000 << 96 | (u128)(rnd() & 0xffff) << 96) &
				   len_mask(len);
			uint32_t v = base[round] + (uint32_t)(rnd() % 4);

			assert_int_equal(fib_set_key(fib, net, len, v), 0);
			ref_set(&r, net, len, v);
		}
		for (unsigned i = 0; i < 3000; i++) {
			unsigned nk = boundary_keys(r.p[rnd() % r.n].net, 32, 4, keys);

			keys[nk++] = (u128)(0x0a0a0000 | (rnd() & 0xffff)) << 96;
			check_keys(fib, &r, keys, nk);
		}
		while (r.n > 100) {
			size_t i = rnd() % r.n;

			assert_int_equal(fib_del_key(fib, r.p[i].net, r.p[i].len), 0);
			r.p[i] = r.p[--r.n];
		}
		for (unsigned a = 0; a < 0x10000; a += 7) {
			keys[0] = (u128)(0x0a0a0000 | a) << 96;
			check_keys(fib, &r, keys, 1);
		}
	}
	free(r.p);
	fib_free(fib);
}

/* ---- RCU torture ---------------------------------------------------------- */

/*
 * How each answer is judged: the writer numbers its changes 1, 2, ... and
 * before starting change k it writes the value every watched address will
 * have once change k is done into hist[k] (hist[0] is the initial state);
 * then it stores seq = 2k - 1 (change k in flight), applies the change, and
 * stores seq = 2k (done). A reader loads seq (s1), looks up, loads seq
 * again (s2). The fib it searched was in some state between the states
 * s1 / 2 (changes completed at s1) and (s2 + 1) / 2 (the last one that may
 * have been in flight at s2), so its answer must equal hist[k][address]
 * for some k in that range; a value made of parts of two states, or a
 * stale pointer, would match none of them (the values are chosen so that
 * consecutive states of one address differ often). hist[k] is written
 * before the release store of seq = 2k - 1, and the reader's acquire load
 * of s2 >= 2k - 1 makes it visible.
 */
#define T_WATCH 16
#define T_CHANGES 30000
#define T_READERS 2

struct torture {
	struct nsdp_fib *fib;
	int family;
	u128 watch[T_WATCH];
	uint32_t (*hist)[T_WATCH];
	unsigned long seq;
	int stop;
	unsigned long lookups[T_READERS];
	unsigned long bad[T_READERS];
	unsigned id_next;
};

static void *
torture_reader(void *arg)
{
	struct torture *t = arg;
	unsigned id = __atomic_fetch_add(&t->id_next, 1, __ATOMIC_RELAXED);
	uint64_t x = 0x12345 + id;
	unsigned long n = 0, bad = 0;

	rcu_register_thread();
	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE)) {
		unsigned w = (unsigned)((x = x * 6364136223846793005ull + 1) >> 59) % T_WATCH;
		unsigned long s1, s2, k;
		uint32_t v, bulk[4];
		uint32_t a4[4];
		uint8_t a6[4][16];
		bool ok = false;

		for (unsigned i = 0; i < 4; i++) {
			a4[i] = (uint32_t)(t->watch[(w + i) % T_WATCH] >> 96);
			key_to_bytes(t->watch[(w + i) % T_WATCH], a6[i], 16);
		}
		s1 = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		if (t->family == 4) {
			v = fib_lookup4(t->fib, a4[0]);
			fib_lookup4_bulk(t->fib, a4, bulk, 4);
		} else {
			v = fib_lookup6(t->fib, a6[0]);
			fib_lookup6_bulk(t->fib, (const uint8_t(*)[16])a6, bulk, 4);
		}
		s2 = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		for (k = s1 / 2; k <= (s2 + 1) / 2 && !ok; k++)
			ok = t->hist[k][w] == v;
		bad += !ok;
		for (unsigned i = 0; i < 4; i++) {
			ok = false;
			for (k = s1 / 2; k <= (s2 + 1) / 2 && !ok; k++)
				ok = t->hist[k][(w + i) % T_WATCH] == bulk[i];
			bad += !ok;
		}
		if (++n % 32 == 0)
			rcu_quiescent_state();
	}
	rcu_unregister_thread();
	t->lookups[id] = n;
	t->bad[id] = bad;
	return NULL;
}

static void
torture(int family)
{
	struct torture t = { .family = family };
	pthread_t th[T_READERS];
	unsigned bits = family_bits(family);
	uint8_t len_of[T_WATCH][129];
	struct ref r = { .def = 1 };
	unsigned long total = 0;

	t.hist = calloc(T_CHANGES + 1, sizeof(*t.hist));
	assert_non_null(t.hist);
	t.fib = fib_create(family, 1);
	assert_non_null(t.fib);
	memset(len_of, 0, sizeof(len_of));
	/* Watched addresses close together so that their prefixes nest. */
	t.watch[0] = rnd128() & len_mask(bits);
	for (unsigned i = 1; i < T_WATCH; i++)
		t.watch[i] = (t.watch[0] ^ (rnd128() >> (bits - 20 + rnd() % 20))) & len_mask(bits);
	for (unsigned i = 0; i < T_WATCH; i++)
		t.hist[0][i] = 1;
	for (unsigned i = 0; i < T_READERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, torture_reader, &t), 0);

	for (unsigned long k = 1; k <= T_CHANGES; k++) {
		unsigned w = (unsigned)(rnd() % T_WATCH);
		uint8_t len = (uint8_t)(bits - 24 + rnd() % 25);
		u128 net = t.watch[w] & len_mask(len);
		bool del = ref_find(&r, net, len) >= 0 && rnd() % 2;
		/* Some values above 2^16: regions switch leaf widths under readers. */
		uint32_t v = (uint32_t)(k % 7 == 0 ? FIB_VALUE_MAX - 1 - k % 1000 : 2 + k % 1000);

		if (del)
			ref_del(&r, net, len);
		else
			ref_set(&r, net, len, v);
		for (unsigned i = 0; i < T_WATCH; i++)
			t.hist[k][i] = ref_lookup(&r, t.watch[i]);
		__atomic_store_n(&t.seq, 2 * k - 1, __ATOMIC_RELEASE);
		if (del)
			assert_int_equal(fib_del_key(t.fib, net, len), 0);
		else
			assert_int_equal(fib_set_key(t.fib, net, len, v), 0);
		__atomic_store_n(&t.seq, 2 * k, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < T_READERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(t.bad[i], 0);
		total += t.lookups[i];
	}
	print_message("IPv%d: %d changes, %lu checked lookup rounds\n", family, T_CHANGES, total);
	assert_true(total > 0);
	/* Callbacks of the last changes still reference freed nodes. */
	rcu_barrier();
	fib_free(t.fib);
	free(t.hist);
	free(r.p);
}

static void
test_torture_v4(void **state)
{
	(void)state;
	torture(4);
}

static void
test_torture_v6(void **state)
{
	(void)state;
	torture(6);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),       cmocka_unit_test(test_real_v4),
		cmocka_unit_test(test_real_v6),    cmocka_unit_test(test_random_v4),
		cmocka_unit_test(test_random_v6),  cmocka_unit_test(test_dense_v4),
		cmocka_unit_test(test_torture_v4), cmocka_unit_test(test_torture_v6),
	};

	if (argc > 1)
		rib_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
