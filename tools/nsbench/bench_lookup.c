/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_lookup.c: `nsbench lookup`: the forwarding structure
 * (src/dataplane/fib.c) against DPDK's rte_fib (DIR24_8 with 4-byte next
 * hops for IPv4, TRIE for IPv6) on the same table and the same keys, in the
 * same run. For each table it prints:
 *   - prefixes, bytes of memory (ours: fib_memory(), and the part lcores
 *     read; rte_fib: what rte_malloc handed out for create + fill, its RIB
 *     included, with room for the table's routes plus 1/4 and the tbl8
 *     groups it reserves plus 1/8, doubled until the table fits);
 *   - lookups per second and cycles per lookup on one core, bulk (bursts
 *     of 32) and single, for: uniform random destinations ("random"),
 *     random addresses inside random prefixes of the table ("routed"),
 *     one address repeated ("repeat") and a hot set of 64 ("hot64");
 *   - route deletes and adds per second while a reader thread looks up
 *     (half the table, at most 200,000 routes, deleted then added back);
 *   - the ratios ours / rte_fib.
 * Both run on transparent huge pages where the kernel gives them (ours
 * asks for them; for rte_fib, EAL memory is advised the same way, since
 * nsbench's EAL runs without hugetlbfs).
 * Figures are medians of several runs, ours and rte_fib interleaved
 * (A B A B ...). Every key's answer from both is compared; a mismatch is
 * an error (exit 1). Figures are printed, never asserted.
 *
 * usage: nsbench lookup [--rib FILE [--family 4|6]] [--generate N]
 *                       [--runs N] [--json]
 * With neither --rib nor --generate: both tables of tests/data/rib
 * (or --rib-dir DIR) and a generated table of 1,000,000 IPv4 prefixes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <sys/mman.h>
#include <urcu-qsbr.h>

#include "dataplane/fib.h"
#include "nsbench.h"

typedef unsigned __int128 u128;

#define NKEYS (1u << 20)
#define BURST 32
#define HOT 64
#define RUNS_DEFAULT 5
#define RUNS_MAX 15
#define UPDATES_MAX 200000
#define EAL_MEM_MB 2048

struct pfx {
	u128 key; /* left-aligned */
	uint8_t len;
	uint32_t value;
};

struct table {
	char name[128];
	int family;
	struct pfx *p;
	size_t n;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static u128
len_mask(unsigned len)
{
	return len == 0 ? 0 : ~(u128)0 << (128 - len);
}

static void
key_bytes(u128 k, uint8_t b[16])
{
	for (unsigned i = 0; i < 16; i++)
		b[i] = (uint8_t)(k >> (120 - 8 * i));
}

/* ---- tables ------------------------------------------------------------- */

static int
table_push(struct table *t, size_t *cap, u128 key, unsigned len, uint32_t value)
{
	if (t->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 4096;
		struct pfx *np = realloc(t->p, nc * sizeof(*np));

		if (np == NULL)
			return -ENOMEM;
		t->p = np;
		*cap = nc;
	}
	t->p[t->n++] = (struct pfx){ key & len_mask(len), (uint8_t)len, value };
	return 0;
}

struct labels {
	char **name;
	uint32_t *val;
	size_t size, n;
};

static uint32_t
label_value(struct labels *l, const char *s)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (const char *c = s; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	if (l->n * 2 >= l->size) {
		struct labels nl = { .size = l->size ? 2 * l->size : 1024 };

		nl.name = calloc(nl.size, sizeof(*nl.name));
		nl.val = calloc(nl.size, sizeof(*nl.val));
		if (nl.name == NULL || nl.val == NULL)
			return 0;
		for (i = 0; i < l->size; i++)
			if (l->name[i] != NULL) {
				uint64_t g = 1469598103934665603ull;
				size_t j;

				for (const char *c = l->name[i]; *c; c++)
					g = (g ^ (uint8_t)*c) * 1099511628211ull;
				for (j = g & (nl.size - 1); nl.name[j] != NULL;
				     j = (j + 1) & (nl.size - 1))
					;
				nl.name[j] = l->name[i];
				nl.val[j] = l->val[i];
			}
		nl.n = l->n;
		free(l->name);
		free(l->val);
		*l = nl;
	}
	for (i = h & (l->size - 1); l->name[i] != NULL; i = (i + 1) & (l->size - 1))
		if (strcmp(l->name[i], s) == 0)
			return l->val[i];
	l->name[i] = strdup(s);
	l->val[i] = (uint32_t)(++l->n % (FIB_VALUE_MAX - 1)) + 1;
	return l->val[i];
}

static void
labels_free(struct labels *l)
{
	for (size_t i = 0; i < l->size; i++)
		free(l->name[i]);
	free(l->name);
	free(l->val);
}

/* Load a table in the format of tests/data/rib: `prefix<TAB>label`. */
static int
table_load(struct table *t, const char *file, int family)
{
	struct labels labels = { 0 };
	char line[512];
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL) {
		fprintf(stderr, "nsbench: %s: %s\n", file, strerror(errno));
		return -1;
	}
	snprintf(t->name, sizeof(t->name), "%s",
		 strrchr(file, '/') ? strrchr(file, '/') + 1 : file);
	t->family = family;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *slash, *sep, *label, *end;
		uint8_t b[16] = { 0 };
		unsigned long len;
		int fam;
		u128 k = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		sep = line + strcspn(line, " \t");
		label = *sep ? sep + 1 + strspn(sep + 1, " \t") : sep;
		*sep = '\0';
		slash = strchr(line, '/');
		if (slash == NULL)
			goto bad;
		*slash = '\0';
		fam = strchr(line, ':') != NULL ? 6 : 4;
		if (t->family == 0)
			t->family = fam;
		if (fam != t->family || inet_pton(fam == 4 ? AF_INET : AF_INET6, line, b) != 1)
			goto bad;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > (fam == 4 ? 32u : 128u))
			goto bad;
		for (unsigned i = 0; i < 16; i++)
			k |= (u128)b[i] << (120 - 8 * i);
		if (table_push(t, &cap, k, (unsigned)len, label_value(&labels, label)) < 0)
			goto nomem;
		continue;
bad:
		fprintf(stderr, "nsbench: %s:%u: not `prefix<TAB>label` of IPv%d\n", file, lineno,
			t->family ? t->family : 4);
		fclose(f);
		labels_free(&labels);
		return -1;
	}
	fclose(f);
	labels_free(&labels);
	return 0;
nomem:
	fclose(f);
	labels_free(&labels);
	fprintf(stderr, "nsbench: out of memory\n");
	return -1;
}

static int
pfx_cmp(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* Keep the last of duplicate prefixes (what a table loaded in order has),
 * drop /0 (both structures have it as their default). */
static void
table_dedup(struct table *t)
{
	size_t w = 0;

	for (size_t i = 0; i < t->n; i++)
		t->p[i].key &= len_mask(t->p[i].len);
	qsort(t->p, t->n, sizeof(*t->p), pfx_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (t->p[i].len == 0)
			continue;
		if (w > 0 && t->p[w - 1].key == t->p[i].key && t->p[w - 1].len == t->p[i].len)
			t->p[w - 1] = t->p[i];
		else
			t->p[w++] = t->p[i];
	}
	t->n = w;
}

static void
table_shuffle(struct table *t)
{
	for (size_t i = t->n; i > 1; i--) {
		size_t j = rnd() % i;
		struct pfx x = t->p[i - 1];

		t->p[i - 1] = t->p[j];
		t->p[j] = x;
	}
}

/*
 * A real-like IPv4 table of @n prefixes (fixed seed): most are /24, then
 * /16-/23, a few shorter and some longer, clustered in allocated blocks
 * (/12 to /16) the way a full table is.
 */
static int
table_generate(struct table *t, size_t n)
{
	/* Per mille of each length, after a 2019 full table. */
	static const struct {
		uint8_t len;
		uint16_t permille;
	} dist[] = {
		{ 8, 1 },   { 11, 1 },  { 12, 2 },   { 13, 4 },  { 14, 7 },  { 15, 9 },
		{ 16, 16 }, { 17, 10 }, { 18, 17 },  { 19, 29 }, { 20, 42 }, { 21, 46 },
		{ 22, 88 }, { 23, 76 }, { 24, 592 }, { 25, 12 }, { 26, 12 }, { 27, 10 },
		{ 28, 9 },  { 29, 8 },  { 30, 5 },   { 31, 1 },  { 32, 3 },
	};
	size_t cap = 0, nblocks = n / 24 + 16;
	uint64_t saved = rng;
	u128 *blocks = malloc(nblocks * sizeof(*blocks));
	unsigned total = 0;

	if (blocks == NULL)
		return -1;
	rng = 0x5eed0f1b5eed0f1bull;
	for (size_t i = 0; i < RTE_DIM(dist); i++)
		total += dist[i].permille;
	snprintf(t->name, sizeof(t->name), "generated-%zu.v4", n);
	t->family = 4;
	for (size_t i = 0; i < nblocks; i++) {
		uint32_t a;

		do {
			a = (uint32_t)rnd();
		} while ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 24) >= 224);
		blocks[i] = (u128)a << 96;
	}
	while (t->n < n) {
		size_t want = n - t->n;

		for (size_t i = 0; i < want + want / 16 + 16; i++) {
			unsigned r = (unsigned)(rnd() % total), len = 24;
			u128 k;

			for (size_t d = 0; d < RTE_DIM(dist); d++) {
				if (r < dist[d].permille) {
					len = dist[d].len;
					break;
				}
				r -= dist[d].permille;
			}
			/* A block of /12 to /16, then random bits below it. */
			k = blocks[rnd() % nblocks] & len_mask(12 + (unsigned)(rnd() % 5));
			k |= ((u128)(uint32_t)rnd() << 96) & ~len_mask(16) & len_mask(32);
			k |= ((u128)(uint32_t)rnd() << 96) & ~len_mask(12) & len_mask(16) &
			     (rnd() % 4 == 0 ? ~(u128)0 : 0);
			if (table_push(t, &cap, k, len, 1 + (uint32_t)(rnd() % 64)) < 0) {
				free(blocks);
				return -1;
			}
		}
		table_dedup(t);
		if (t->n > n)
			t->n = n; /* drops from the top of the address space only */
	}
	table_shuffle(t);
	free(blocks);
	rng = saved;
	return 0;
}

/* ---- the two structures --------------------------------------------------- */

struct subject {
	struct nsdp_fib *ours;
	struct rte_fib *rte4;
	struct rte_fib6 *rte6;
	size_t rte_bytes;
};

static size_t
rte_heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	size_t total = 0;

	for (unsigned s = 0; s < rte_socket_count(); s++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			total += st.heap_allocsz_bytes;
	return total;
}

/* tbl8 groups rte_fib needs to hold @t. DIR24_8 reserves one per route
 * longer than /24 (fewer are used: one per /24 holding longer prefixes).
 * TRIE reserves, per route longer than /24, one group per 8-bit step
 * between its covering route and itself: at most (len rounded up to 8 -
 * 24) / 8. */
static uint32_t
tbl8_needed(const struct table *t)
{
	size_t nv = 0, uniq = 0;

	if (t->family == 6) {
		for (size_t i = 0; i < t->n; i++)
			if (t->p[i].len > 24)
				uniq += (((t->p[i].len + 7u) & ~7u) - 24) / 8;
		return (uint32_t)uniq;
	}
	for (size_t i = 0; i < t->n; i++)
		nv += t->p[i].len > 24;
	return (uint32_t)nv;
}

static void
subject_free(struct subject *s)
{
	fib_free(s->ours);
	rte_fib_free(s->rte4);
	rte_fib6_free(s->rte6);
	memset(s, 0, sizeof(*s));
}

/* Build both structures from @t. @return 0, or -1 (message printed). */
static int
subject_build(struct subject *s, const struct table *t, double *ours_fill, double *rte_fill,
	      bool rte_only, unsigned headroom)
{
	static unsigned seq;
	uint32_t tbl8 = tbl8_needed(t);
	size_t before;
	uint64_t t0;
	char name[32];
	int rc = 0;
	/* Room: routes * x / 4, tbl8 groups * x / 8. */
	unsigned routes_x = 5, tbl8_x = 9 * headroom;

	if (rte_only)
		goto retry;
	memset(s, 0, sizeof(*s));
	s->ours = fib_create(t->family, 0);
	if (s->ours == NULL) {
		fprintf(stderr, "nsbench: fib_create: %s\n", strerror(errno));
		return -1;
	}
	t0 = rte_rdtsc_precise();
	for (size_t i = 0; i < t->n; i++) {
		uint8_t b[16];

		key_bytes(t->p[i].key, b);
		rc = fib_set(s->ours, b, t->p[i].len, t->p[i].value);
		if (rc < 0) {
			fprintf(stderr, "nsbench: fib_set: %s\n", strerror(-rc));
			return -1;
		}
	}
	*ours_fill = (double)t->n * (double)nsbench_hz() / (double)(rte_rdtsc_precise() - t0);

retry:
	snprintf(name, sizeof(name), "nsbench_fib%u", seq++);
	before = rte_heap_bytes();
	if (t->family == 4) {
		struct rte_fib_conf conf = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = 0,
			.max_routes = (int)((t->n + 1024) * routes_x / 4),
			.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B,
				     .num_tbl8 = (tbl8 + 64) * tbl8_x / 8 },
		};

		s->rte4 = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	} else {
		struct rte_fib6_conf conf = {
			.type = RTE_FIB6_TRIE,
			.default_nh = 0,
			.max_routes = (int)((t->n + 1024) * routes_x / 4),
			.trie = { .nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = (tbl8 + 64) * tbl8_x / 8 },
		};

		s->rte6 = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
	}
	if (s->rte4 == NULL && s->rte6 == NULL) {
		fprintf(stderr, "nsbench: rte_fib%s_create: %s\n", t->family == 4 ? "" : "6",
			rte_strerror(rte_errno));
		return -1;
	}
	t0 = rte_rdtsc_precise();
	for (size_t i = 0; i < t->n && rc == 0; i++) {
		uint8_t b[16];

		key_bytes(t->p[i].key, b);
		rc = t->family == 4 ? rte_fib_add(s->rte4, (uint32_t)(t->p[i].key >> 96),
						  t->p[i].len, t->p[i].value)
				    : rte_fib6_add(s->rte6, b, t->p[i].len, t->p[i].value);
	}
	*rte_fill = (double)t->n * (double)nsbench_hz() / (double)(rte_rdtsc_precise() - t0);
	s->rte_bytes = rte_heap_bytes() - before;
	if (rc == -ENOSPC && routes_x < 16) {
		/* Its RIB has inner nodes too, and the TRIE may hold tbl8
		 * groups while it updates: give it more room and start again. */
		rte_fib_free(s->rte4);
		rte_fib6_free(s->rte6);
		s->rte4 = NULL;
		s->rte6 = NULL;
		routes_x *= 2;
		tbl8_x += 4;
		rc = 0;
		goto retry;
	}
	if (rc < 0) {
		fprintf(stderr, "nsbench: rte_fib%s_add: %s\n", t->family == 4 ? "" : "6",
			strerror(-rc));
		return -1;
	}
	return 0;
}

/* ---- keys and lookups -------------------------------------------------------- */

enum keyset { KS_RANDOM, KS_ROUTED, KS_REPEAT, KS_HOT, KS_NB };
static const char *const keyset_name[KS_NB] = { "random", "routed", "repeat", "hot64" };

struct keys {
	uint32_t *k4; /* host order */
	uint8_t (*k6)[16];
};

static u128
routed_key(const struct table *t)
{
	const struct pfx *p = &t->p[rnd() % t->n];
	u128 r = (u128)rnd() << 64 | rnd();

	return p->key | (r & ~len_mask(p->len));
}

static int
keys_make(struct keys ks[KS_NB], const struct table *t)
{
	u128 hot[HOT], one;

	for (unsigned i = 0; i < HOT; i++)
		hot[i] = routed_key(t);
	one = hot[0];
	for (unsigned s = 0; s < KS_NB; s++) {
		ks[s].k4 = malloc(NKEYS * sizeof(uint32_t));
		ks[s].k6 = malloc(NKEYS * 16);
		if (ks[s].k4 == NULL || ks[s].k6 == NULL)
			return -1;
		for (unsigned i = 0; i < NKEYS; i++) {
			u128 k;

			switch (s) {
			case KS_RANDOM:
				k = (u128)rnd() << 64 | rnd();
				break;
			case KS_ROUTED:
				k = routed_key(t);
				break;
			case KS_REPEAT:
				k = one;
				break;
			default:
				k = hot[i % HOT];
				break;
			}
			if (t->family == 4)
				k &= len_mask(32);
			ks[s].k4[i] = (uint32_t)(k >> 96);
			key_bytes(k, ks[s].k6[i]);
		}
	}
	return 0;
}

static void
keys_free(struct keys ks[KS_NB])
{
	for (unsigned s = 0; s < KS_NB; s++) {
		free(ks[s].k4);
		free(ks[s].k6);
	}
}

/* NKEYS lookups by ours (@rte false) or rte_fib, bulk or one at a time,
 * answers into @out. @return TSC cycles. */
static uint64_t
lookup_run(const struct subject *s, int family, const struct keys *k, bool rte, bool bulk,
	   uint32_t *out)
{
	uint64_t nh[BURST], t0 = rte_rdtsc_precise();

	if (!rte && family == 4) {
		if (bulk)
			for (unsigned i = 0; i < NKEYS; i += BURST)
				fib_lookup4_bulk(s->ours, k->k4 + i, out + i, BURST);
		else
			for (unsigned i = 0; i < NKEYS; i++)
				out[i] = fib_lookup4(s->ours, k->k4[i]);
	} else if (!rte) {
		if (bulk)
			for (unsigned i = 0; i < NKEYS; i += BURST)
				fib_lookup6_bulk(s->ours, (const uint8_t(*)[16])(k->k6 + i),
						 out + i, BURST);
		else
			for (unsigned i = 0; i < NKEYS; i++)
				out[i] = fib_lookup6(s->ours, k->k6[i]);
	} else if (family == 4) {
		if (bulk) {
			for (unsigned i = 0; i < NKEYS; i += BURST) {
				rte_fib_lookup_bulk(s->rte4, k->k4 + i, nh, BURST);
				for (unsigned j = 0; j < BURST; j++)
					out[i + j] = (uint32_t)nh[j];
			}
		} else {
			for (unsigned i = 0; i < NKEYS; i++) {
				rte_fib_lookup_bulk(s->rte4, k->k4 + i, nh, 1);
				out[i] = (uint32_t)nh[0];
			}
		}
	} else {
		if (bulk) {
			for (unsigned i = 0; i < NKEYS; i += BURST) {
				rte_fib6_lookup_bulk(s->rte6, k->k6 + i, nh, BURST);
				for (unsigned j = 0; j < BURST; j++)
					out[i + j] = (uint32_t)nh[j];
			}
		} else {
			for (unsigned i = 0; i < NKEYS; i++) {
				rte_fib6_lookup_bulk(s->rte6, k->k6 + i, nh, 1);
				out[i] = (uint32_t)nh[0];
			}
		}
	}
	return rte_rdtsc_precise() - t0;
}

/* Every answer of ours equals rte_fib's. @return mismatches (printed). */
static unsigned long
compare(const struct table *t, const struct keys *k, const char *what, const uint32_t *ours,
	const uint32_t *rte)
{
	unsigned long bad = 0;

	for (unsigned i = 0; i < NKEYS; i++) {
		char s[INET6_ADDRSTRLEN];
		uint8_t b[16];

		if (ours[i] == rte[i])
			continue;
		if (bad++ < 5) {
			if (t->family == 4) {
				uint32_t a = htonl(k->k4[i]);

				inet_ntop(AF_INET, &a, s, sizeof(s));
			} else {
				memcpy(b, k->k6[i], 16);
				inet_ntop(AF_INET6, b, s, sizeof(s));
			}
			fprintf(stderr, "nsbench: error: %s %s %s: ours %u, rte_fib %u\n", t->name,
				what, s, ours[i], rte[i]);
		}
	}
	return bad;
}

/* ---- updates with a reader ------------------------------------------------- */

struct reader {
	const struct subject *s;
	int family;
	bool rte;
	const struct keys *k;
	int stop;
	uint64_t lookups;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	uint32_t out[BURST];
	uint64_t n = 0, nh[BURST];
	unsigned i = 0;

	rcu_register_thread();
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (!r->rte && r->family == 4)
			fib_lookup4_bulk(r->s->ours, r->k->k4 + i, out, BURST);
		else if (!r->rte)
			fib_lookup6_bulk(r->s->ours, (const uint8_t(*)[16])(r->k->k6 + i), out,
					 BURST);
		else if (r->family == 4)
			rte_fib_lookup_bulk(r->s->rte4, r->k->k4 + i, nh, BURST);
		else
			rte_fib6_lookup_bulk(r->s->rte6, r->k->k6 + i, nh, BURST);
		rcu_quiescent_state();
		n += BURST;
		i = (i + BURST) % NKEYS;
	}
	rcu_unregister_thread();
	r->lookups = n;
	return NULL;
}

/* Delete then re-add the first @u prefixes of @t, with a reader running.
 * @return 0, or -1 (message printed; for rte_fib a note, the caller goes
 * on with the rounds that ran). */
static int
update_run(const struct subject *s, const struct table *t, const struct keys *k, bool rte, size_t u,
	   double *del_rate, double *add_rate)
{
	struct reader r = { .s = s, .family = t->family, .rte = rte, .k = k };
	const char *phase = "delete";
	pthread_t th;
	uint64_t t0, t1, t2;
	int rc = 0;

	if (pthread_create(&th, NULL, reader_main, &r) != 0) {
		fprintf(stderr, "nsbench: cannot start the reader thread\n");
		return -1;
	}
	t0 = rte_rdtsc_precise();
	for (size_t i = 0; i < u && rc == 0; i++) {
		const struct pfx *p = &t->p[i];
		uint8_t b[16];

		key_bytes(p->key, b);
		if (!rte)
			rc = fib_del(s->ours, b, p->len);
		else if (t->family == 4)
			rc = rte_fib_delete(s->rte4, (uint32_t)(p->key >> 96), p->len);
		else
			rc = rte_fib6_delete(s->rte6, b, p->len);
	}
	t1 = rte_rdtsc_precise();
	if (rc == 0)
		phase = "add";
	for (size_t i = 0; i < u && rc == 0; i++) {
		const struct pfx *p = &t->p[i];
		uint8_t b[16];

		key_bytes(p->key, b);
		if (!rte)
			rc = fib_set(s->ours, b, p->len, p->value);
		else if (t->family == 4)
			rc = rte_fib_add(s->rte4, (uint32_t)(p->key >> 96), p->len, p->value);
		else
			rc = rte_fib6_add(s->rte6, b, p->len, p->value);
	}
	t2 = rte_rdtsc_precise();
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (rc < 0) {
		fprintf(stderr, "nsbench: %s%s: %s failed: %s%s\n", rte ? "note: rte_fib" : "fib",
			t->family == 4 ? "" : "6", phase, strerror(-rc),
			rte ? " (its update figures come from the rounds before)" : "");
		return -1;
	}
	*del_rate = (double)u * (double)nsbench_hz() / (double)(t1 - t0);
	*add_rate = (double)u * (double)nsbench_hz() / (double)(t2 - t1);
	return 0;
}

/* ---- one table ----------------------------------------------------------------- */

struct figures {
	double mlps[KS_NB][2][2]; /* keyset, bulk?, rte? */
	double cyc[KS_NB][2][2];
	double del[2], add[2], fill[2];
	unsigned urun[2];
	size_t mem[2], mem_lookup;
};

static int
bench_table(const struct table *t, unsigned runs, bool json, bool first, double *lookup_ratio,
	    double *memory_ratio)
{
	struct subject s;
	struct keys ks[KS_NB] = { 0 };
	struct figures f = { 0 };
	double v[RUNS_MAX][2];
	uint32_t *out[2] = { malloc(NKEYS * sizeof(uint32_t)), malloc(NKEYS * sizeof(uint32_t)) };
	unsigned long bad = 0;
	/* Half the table at most: rte_fib 22.11 DIR24_8 counts a route longer
	 * than /24 added under a covering route with the same next hop as no
	 * tbl8 reservation, but releases one when deleting it; emptying the
	 * table drives the count below zero and every later add of such a
	 * route fails (ENOSPC). */
	size_t u = t->n / 2 < UPDATES_MAX ? t->n / 2 : UPDATES_MAX;
	bool rte_failed = false;
	int rc = -1;

	if (out[0] == NULL || out[1] == NULL || keys_make(ks, t) < 0) {
		fprintf(stderr, "nsbench: out of memory\n");
		goto out;
	}
	if (subject_build(&s, t, &f.fill[0], &f.fill[1], false, 1) < 0)
		goto out_subject;
	f.mem[0] = fib_memory(s.ours);
	f.mem_lookup = fib_memory_lookup(s.ours);
	f.mem[1] = s.rte_bytes;

	for (unsigned ks_i = 0; ks_i < KS_NB; ks_i++)
		for (unsigned bulk = 0; bulk < 2; bulk++) {
			/* Interleaved: ours, rte_fib, ours, rte_fib, ... */
			for (unsigned r = 0; r < runs; r++)
				for (unsigned rte = 0; rte < 2; rte++) {
					uint64_t c = lookup_run(&s, t->family, &ks[ks_i], rte, bulk,
								out[rte]);

					v[r][rte] = (double)c;
				}
			bad += compare(t, &ks[ks_i], keyset_name[ks_i], out[0], out[1]);
			for (unsigned rte = 0; rte < 2; rte++) {
				double c[RUNS_MAX], med;

				for (unsigned r = 0; r < runs; r++)
					c[r] = v[r][rte];
				med = nsbench_median(c, runs);
				f.cyc[ks_i][bulk][rte] = med / NKEYS;
				f.mlps[ks_i][bulk][rte] = (double)NKEYS * (double)nsbench_hz() /
							  med / 1e6;
			}
		}

	{
		double d[RUNS_MAX][2], a[RUNS_MAX][2];
		unsigned urun = runs < 3 ? runs : 3;

		unsigned done[2] = { 0, 0 };
		double refill;

		/* rte_fib reserves tbl8 groups per route, and deleting and
		 * adding routes again makes the count drift up: the update
		 * rounds run on an instance with twice the groups (the
		 * memory above is the instance that holds the table). */
		rte_fib_free(s.rte4);
		rte_fib6_free(s.rte6);
		s.rte4 = NULL;
		s.rte6 = NULL;
		if (subject_build(&s, t, NULL, &refill, true, 2) < 0)
			goto out_subject;
		for (unsigned r = 0; r < urun; r++)
			for (unsigned rte = 0; rte < 2; rte++) {
				if (rte && rte_failed)
					continue;
				if (update_run(&s, t, &ks[KS_ROUTED], rte, u, &d[done[rte]][rte],
					       &a[done[rte]][rte]) == 0) {
					done[rte]++;
					continue;
				}
				if (!rte)
					goto out_subject;
				/* rte_fib TRIE can run out of the tbl8 groups it
				 * reserves after a few rounds: keep the rounds that
				 * ran, rebuild it whole for the checks below. */
				rte_failed = true;
				rte_fib_free(s.rte4);
				rte_fib6_free(s.rte6);
				s.rte4 = NULL;
				s.rte6 = NULL;
				if (subject_build(&s, t, NULL, &refill, true, 1) < 0)
					goto out_subject;
			}
		for (unsigned rte = 0; rte < 2; rte++) {
			double dd[RUNS_MAX], aa[RUNS_MAX];

			for (unsigned r = 0; r < done[rte]; r++) {
				dd[r] = d[r][rte];
				aa[r] = a[r][rte];
			}
			f.del[rte] = nsbench_median(dd, done[rte]);
			f.add[rte] = nsbench_median(aa, done[rte]);
			f.urun[rte] = done[rte];
		}
		/* The table is whole again: both must still agree. */
		lookup_run(&s, t->family, &ks[KS_ROUTED], false, true, out[0]);
		lookup_run(&s, t->family, &ks[KS_ROUTED], true, true, out[1]);
		bad += compare(t, &ks[KS_ROUTED], "routed-after-updates", out[0], out[1]);
	}

	if (json) {
		printf("%s{\"table\":\"%s\",\"family\":%d,\"prefixes\":%zu,"
		       "\"memory\":{\"ours\":%zu,\"ours_lookup\":%zu,\"rte_fib\":%zu},"
		       "\"lookup\":{",
		       first ? "" : ",", t->name, t->family, t->n, f.mem[0], f.mem_lookup,
		       f.mem[1]);
		for (unsigned ks_i = 0; ks_i < KS_NB; ks_i++) {
			printf("%s\"%s\":{", ks_i ? "," : "", keyset_name[ks_i]);
			for (unsigned bulk = 0; bulk < 2; bulk++)
				printf("%s\"%s\":{\"ours_mlps\":%.2f,\"ours_cycles\":%.1f,"
				       "\"rte_fib_mlps\":%.2f,\"rte_fib_cycles\":%.1f,\"ratio\":%.3f}",
				       bulk ? "," : "", bulk ? "bulk" : "single",
				       f.mlps[ks_i][bulk][0], f.cyc[ks_i][bulk][0],
				       f.mlps[ks_i][bulk][1], f.cyc[ks_i][bulk][1],
				       f.mlps[ks_i][bulk][0] / f.mlps[ks_i][bulk][1]);
			printf("}");
		}
		printf("},\"updates_with_reader\":{\"deletes_per_s\":{\"ours\":%.0f,\"rte_fib\":%.0f},"
		       "\"adds_per_s\":{\"ours\":%.0f,\"rte_fib\":%.0f},\"count\":%zu,"
		       "\"rounds\":{\"ours\":%u,\"rte_fib\":%u}},"
		       "\"fill_adds_per_s\":{\"ours\":%.0f,\"rte_fib\":%.0f},"
		       "\"mismatches\":%lu,"
		       "\"lookup_ratio_random\":%.3f,\"memory_ratio\":%.4f}",
		       f.del[0], f.del[1], f.add[0], f.add[1], u, f.urun[0], f.urun[1], f.fill[0],
		       f.fill[1], bad, f.mlps[KS_RANDOM][1][0] / f.mlps[KS_RANDOM][1][1],
		       (double)f.mem[0] / (double)f.mem[1]);
	} else {
		printf("\n%s: IPv%d, %zu prefixes\n", t->name, t->family, t->n);
		printf("  memory: ours %zu bytes (%zu read by lookups), rte_fib %zu bytes, "
		       "ratio %.4f\n",
		       f.mem[0], f.mem_lookup, f.mem[1], (double)f.mem[0] / (double)f.mem[1]);
		printf("  %-8s %-6s %10s %8s %10s %8s %7s\n", "keys", "mode", "ours Ml/s", "cyc",
		       "rte Ml/s", "cyc", "ratio");
		for (unsigned ks_i = 0; ks_i < KS_NB; ks_i++)
			for (int bulk = 1; bulk >= 0; bulk--)
				printf("  %-8s %-6s %10.2f %8.1f %10.2f %8.1f %7.2f\n",
				       keyset_name[ks_i], bulk ? "bulk" : "single",
				       f.mlps[ks_i][bulk][0], f.cyc[ks_i][bulk][0],
				       f.mlps[ks_i][bulk][1], f.cyc[ks_i][bulk][1],
				       f.mlps[ks_i][bulk][0] / f.mlps[ks_i][bulk][1]);
		printf("  updates with a reader running (%zu prefixes deleted, then added; "
		       "rounds ours %u, rte_fib %u):\n",
		       u, f.urun[0], f.urun[1]);
		printf("    deletes/s ours %.0f, rte_fib %.0f, ratio %.2f\n", f.del[0], f.del[1],
		       f.del[0] / f.del[1]);
		printf("    adds/s    ours %.0f, rte_fib %.0f, ratio %.2f\n", f.add[0], f.add[1],
		       f.add[0] / f.add[1]);
		printf("  initial fill, adds/s: ours %.0f, rte_fib %.0f\n", f.fill[0], f.fill[1]);
		printf("  lookup_ratio_random %.3f, memory_ratio %.4f%s\n",
		       f.mlps[KS_RANDOM][1][0] / f.mlps[KS_RANDOM][1][1],
		       (double)f.mem[0] / (double)f.mem[1], bad ? "" : ", all answers equal");
	}
	fflush(stdout);
	*lookup_ratio = f.mlps[KS_RANDOM][1][0] / f.mlps[KS_RANDOM][1][1];
	*memory_ratio = (double)f.mem[0] / (double)f.mem[1];
	rc = bad ? 1 : 0;
	if (bad)
		fprintf(stderr, "nsbench: error: %s: %lu answers differ from rte_fib's\n", t->name,
			bad);
out_subject:
	/* Readers of ours are gone; let pending frees run before the next table. */
	rcu_barrier();
	subject_free(&s);
out:
	keys_free(ks);
	free(out[0]);
	free(out[1]);
	return rc;
}

/* nsbench's EAL runs without hugetlbfs; ours asks for transparent huge
 * pages, so give rte_fib's memory the same chance (same TLB conditions). */
static int
memseg_list_thp(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va != NULL && msl->len > 0)
		(void)madvise(msl->base_va, msl->len, MADV_HUGEPAGE);
	return 0;
}

/* ---- command ---------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: nsbench lookup [--rib FILE [--family 4|6]] [--generate N]\n"
		   "                      [--rib-dir DIR] [--runs N] [--json]\n"
		   "  --rib FILE     a table of `prefix<TAB>label` lines (family detected)\n"
		   "  --generate N   a generated real-like IPv4 table of N prefixes\n"
		   "  default        DIR/*.v4.txt and DIR/*.v6.txt of the shared RIBs\n"
		   "                 (DIR = tests/data/rib) and --generate 1000000\n");
}

static int
lookup_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rib", required_argument, NULL, 'r' },
		{ "family", required_argument, NULL, 'f' },
		{ "generate", required_argument, NULL, 'g' },
		{ "rib-dir", required_argument, NULL, 'd' },
		{ "runs", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rib = NULL, *dir = "tests/data/rib";
	struct table tables[3];
	unsigned ntables = 0, runs = RUNS_DEFAULT;
	int family = 0, c, rc = 0;
	long generate = -1;
	bool json = false;
	double lr = 0, mr = 0, top_lr = 0, top_mr = 0;

	memset(tables, 0, sizeof(tables));
	while ((c = getopt_long(argc, argv, "r:f:g:d:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rib = optarg;
			break;
		case 'f':
			family = atoi(optarg);
			if (family != 4 && family != 6) {
				fprintf(stderr, "nsbench: --family is 4 or 6\n");
				return 2;
			}
			break;
		case 'g':
			generate = atol(optarg);
			if (generate < 1 || generate > 4000000) {
				fprintf(stderr, "nsbench: --generate takes 1 to 4000000\n");
				return 2;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'n':
			runs = (unsigned)atoi(optarg);
			if (runs < 1 || runs > RUNS_MAX) {
				fprintf(stderr, "nsbench: --runs takes 1 to %u\n", RUNS_MAX);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (rib != NULL && table_load(&tables[ntables++], rib, family) < 0)
		return 1;
	if (generate > 0 && table_generate(&tables[ntables++], (size_t)generate) < 0)
		return 1;
	if (ntables == 0) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/routeviews-chicago-2019-peer23367.v4.txt", dir);
		if (table_load(&tables[ntables++], path, 4) < 0)
			return 1;
		snprintf(path, sizeof(path), "%s/routeviews-chicago-2019-peer293.v6.txt", dir);
		if (table_load(&tables[ntables++], path, 6) < 0)
			return 1;
		if (table_generate(&tables[ntables++], 1000000) < 0)
			return 1;
	}
	for (unsigned i = 0; i < ntables; i++) {
		if (tables[i].family == 0)
			tables[i].family = family ? family : 4;
		table_dedup(&tables[i]);
		table_shuffle(&tables[i]);
		if (tables[i].n == 0) {
			fprintf(stderr, "nsbench: %s holds no prefix\n", tables[i].name);
			return 1;
		}
	}
	if (nsbench_eal_init(EAL_MEM_MB) < 0)
		return 1;
	rte_memseg_list_walk(memseg_list_thp, NULL);
	if (json)
		printf("{\"bench\":\"lookup\",\"hz\":%" PRIu64 ",\"runs\":%u,\"keys\":%u,"
		       "\"tables\":[",
		       nsbench_hz(), runs, NKEYS);
	else
		printf("Lookups on one core, %.2f GHz TSC, median of %u interleaved runs, "
		       "%u keys per run; ratio = ours / rte_fib\n",
		       (double)nsbench_hz() / 1e9, runs, NKEYS);
	for (unsigned i = 0; i < ntables; i++) {
		int r = bench_table(&tables[i], runs, json, i == 0, &lr, &mr);

		if (r != 0)
			rc = 1;
		/* The top-level figures are the generated table's, else the last. */
		if (r == 0 && (i == ntables - 1 || generate > 0 || rib == NULL)) {
			if (top_lr == 0 || strncmp(tables[i].name, "generated", 9) == 0) {
				top_lr = lr;
				top_mr = mr;
			}
		}
		free(tables[i].p);
	}
	if (json)
		printf("],\"lookup_ratio_random\":%.3f,\"memory_ratio\":%.4f}\n", top_lr, top_mr);
	return rc;
}

static const struct nsbench_cmd lookup_cmd = {
	.name = "lookup",
	.summary = "forwarding lookups and updates: fib against rte_fib",
	.run = lookup_main,
};

static void __attribute__((constructor)) lookup_register(void)
{
	nsbench_register(&lookup_cmd);
}
