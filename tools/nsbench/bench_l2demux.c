/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_l2demux.c: `nsbench l2demux`: cycles and nanoseconds per frame of
 * the L2 demux (src/dataplane/l2demux.c) on one core, for untagged,
 * 802.1Q, QinQ and PPPoE-in-VLAN frames, against tables of 1, 16, 1,000
 * and 100,000 entries (and 4 and 8, around the linear form's limit),
 * measured two ways: key extraction + lookup per
 * frame, and l2demux_input() per 32-frame burst with a handler that only
 * counts. Tables of up to 32 entries are measured in both forms (linear
 * scan and hash per prefix length) to show where one overtakes the other.
 * Hashed tables are also measured against DPDK's rte_hash holding the same
 * entries (one table per prefix length, probed longest first), the library
 * alternative to the hash written here.
 *
 * Tables are a concentrator's: the entries the frames of the kind measured
 * hit (up to what the kind's key space allows), filled up with PPPoE
 * sessions (VLAN x session x peer). Frames cycle over FRAMES distinct
 * frames, each matching a random entry of its kind. Figures are medians of
 * --runs runs; they are printed, never asserted.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include <urcu-qsbr.h>

#include "dataplane/counters.h"
#include "dataplane/l2demux.h"
#include "dataplane/lcore.h"
#include "dataplane/pkt_meta.h"
#include "nsbench.h"

#define FRAMES 4096
#define ROUNDS 64 /* passes over the frames per run */
#define RUNS_DEFAULT 5
#define RUNS_MAX 31
#define BENCH_PORT 0

enum kind { K_UNTAGGED, K_DOT1Q, K_QINQ, K_PPPOE, K_NB };
static const char *const kind_names[K_NB] = { "untagged", "1 tag", "qinq", "pppoe" };
static const char *const kind_json[K_NB] = { "untagged", "dot1q", "qinq", "pppoe" };
static const unsigned sizes[] = { 1, 4, 8, 16, 1000, 100000 };

static const uint16_t untagged_types[] = { 0x0800, 0x86dd, 0x0806, 0x8863 };

static uint64_t handled;

static void
h_count(struct lcore_ctx *c, uint16_t port, struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	(void)c, (void)port, (void)pkts, (void)arg;
	handled += n;
}

/* The @i-th key of @kind (whole frame key), and its frame fields. */
struct spec {
	uint16_t outer, inner, type, session;
	uint8_t mac[6];
};

static void
spec_of(enum kind kind, unsigned i, struct spec *s)
{
	memset(s, 0, sizeof(*s));
	s->mac[0] = 0x02;
	switch (kind) {
	case K_UNTAGGED:
		s->type = untagged_types[i % RTE_DIM(untagged_types)];
		break;
	case K_DOT1Q:
		s->outer = (uint16_t)(1 + i % 4000);
		s->type = 0x0800;
		break;
	case K_QINQ:
		s->outer = (uint16_t)(1 + i / 4000);
		s->inner = (uint16_t)(1 + i % 4000);
		s->type = 0x0800;
		break;
	case K_PPPOE:
		/* VLAN x session; the peer MAC varies with the session. */
		s->outer = (uint16_t)(1 + i / 60000);
		s->session = (uint16_t)(1 + i % 60000);
		s->mac[4] = (uint8_t)(s->session >> 8);
		s->mac[5] = (uint8_t)s->session;
		s->type = 0x0021;
		break;
	default:
		break;
	}
}

static unsigned
kind_cap(enum kind kind)
{
	switch (kind) {
	case K_UNTAGGED:
		return RTE_DIM(untagged_types);
	case K_DOT1Q:
		return 4000;
	default:
		return 1000000;
	}
}

static void
key_of(enum kind kind, const struct spec *s, struct l2key *k)
{
	l2key_init(k);
	switch (kind) {
	case K_UNTAGGED:
		l2key_push_type(k, s->type);
		break;
	case K_DOT1Q:
		l2key_push_tag(k, 0x8100, s->outer);
		l2key_push_type(k, s->type);
		break;
	case K_QINQ:
		l2key_push_tag(k, 0x88a8, s->outer);
		l2key_push_tag(k, 0x8100, s->inner);
		l2key_push_type(k, s->type);
		break;
	case K_PPPOE:
		l2key_push_tag(k, 0x8100, s->outer);
		l2key_push_pppoe_session(k, s->session, s->mac);
		l2key_push_bits(k, s->type, 16);
		break;
	default:
		break;
	}
}

static size_t
frame_of(enum kind kind, const struct spec *s, uint8_t *f)
{
	size_t o = 12;

	memset(f, 0, 64);
	f[0] = 0x02;
	f[5] = 0xfe;
	memcpy(f + 6, s->mac, 6);
	if (kind == K_QINQ) {
		f[o] = 0x88, f[o + 1] = 0xa8, f[o + 2] = (uint8_t)(s->outer >> 8);
		f[o + 3] = (uint8_t)s->outer;
		o += 4;
		f[o] = 0x81, f[o + 2] = (uint8_t)(s->inner >> 8), f[o + 3] = (uint8_t)s->inner;
		o += 4;
	} else if (kind == K_DOT1Q || kind == K_PPPOE) {
		f[o] = 0x81, f[o + 2] = (uint8_t)(s->outer >> 8), f[o + 3] = (uint8_t)s->outer;
		o += 4;
	}
	if (kind == K_PPPOE) {
		f[o] = 0x88, f[o + 1] = 0x64;
		f[o + 2] = 0x11;
		f[o + 4] = (uint8_t)(s->session >> 8), f[o + 5] = (uint8_t)s->session;
		f[o + 7] = 22; /* PPPoE length: PPP protocol + 20 bytes */
		f[o + 8] = (uint8_t)(s->type >> 8), f[o + 9] = (uint8_t)s->type;
		o += 10;
	} else {
		f[o] = (uint8_t)(s->type >> 8), f[o + 1] = (uint8_t)s->type;
		o += 2;
	}
	f[o] = 0x45;
	return o + 20 < 60 ? 60 : o + 20;
}

/* A table of @n entries: @kind's first, then PPPoE fillers. */
static struct l2demux *
table_build(enum kind kind, unsigned n, unsigned *nkind)
{
	struct l2demux *d = l2demux_create();
	struct l2demux_result r = { .handler = h_count, .name = "bench" };
	unsigned i, own = n < kind_cap(kind) ? n : kind_cap(kind);

	if (d == NULL)
		return NULL;
	for (i = 0; i < own; i++) {
		struct spec s;
		struct l2key k;

		spec_of(kind, i, &s);
		key_of(kind, &s, &k);
		r.ifl_index = i + 1;
		if (l2demux_add(d, &k, &r) < 0)
			goto fail;
	}
	for (unsigned j = 0; i < n; i++, j++) {
		struct spec s;
		struct l2key k;

		/* Fillers: PPPoE sessions on VLANs the PPPoE frames do not use. */
		spec_of(K_PPPOE, j, &s);
		s.outer = (uint16_t)(s.outer + 2000);
		key_of(K_PPPOE, &s, &k);
		r.ifl_index = i + 1;
		if (l2demux_add(d, &k, &r) < 0)
			goto fail;
	}
	*nkind = own;
	return d;
fail:
	l2demux_free(d);
	return NULL;
}

struct result {
	double lookup_cyc, input_cyc, extract_cyc;
	double lookup_min, input_min; /* the best run: what a quiet machine gives */
	double rh_cyc, rh_min;        /* the same lookups in rte_hash tables; 0 = not run */
};

/*
 * The library alternative, for comparison in the same run: one rte_hash
 * per prefix length, keyed by the key's bytes up to that length (the last
 * one masked), probed longest length first.
 */
#define RH_LENS 16

struct rh_len {
	uint16_t bits;
	uint64_t mask[L2KEY_MAX / 8];
	struct rte_hash *h;
};

struct rh_table {
	unsigned n;
	unsigned count;
	struct rh_len len[RH_LENS];
};

static int
rh_add(const struct l2key *p, const struct l2demux_result *r, void *arg)
{
	struct rh_table *t = arg;
	struct rh_len *l = NULL;

	for (unsigned i = 0; i < t->n; i++)
		if (t->len[i].bits == p->bits)
			l = &t->len[i];
	if (l == NULL) {
		static unsigned seq;
		struct rte_hash_parameters hp = {
			/* Only the bytes of the length, hashed with CRC32-C as ours. */
			.key_len = p->bits ? (p->bits + 7u) / 8 : 1,
			.entries = t->count + 64,
			.hash_func = rte_hash_crc,
			.socket_id = SOCKET_ID_ANY,
			.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
		};
		char name[RTE_HASH_NAMESIZE];
		uint8_t mb[L2KEY_MAX] = { 0 };

		if (t->n == RH_LENS)
			return -ENOSPC;
		snprintf(name, sizeof(name), "l2rh%u", seq++);
		hp.name = name;
		l = &t->len[t->n++];
		l->bits = p->bits;
		memset(mb, 0xff, p->bits / 8);
		if (p->bits % 8)
			mb[p->bits / 8] = (uint8_t)(0xff << (8 - p->bits % 8));
		memcpy(l->mask, mb, sizeof(mb));
		l->h = rte_hash_create(&hp);
		if (l->h == NULL)
			return -ENOMEM;
	}
	return rte_hash_add_key_data(l->h, p->b, (void *)(uintptr_t)r) < 0 ? -ENOMEM : 0;
}

static int
cmp_rh_len(const void *a, const void *b)
{
	return (int)((const struct rh_len *)b)->bits - (int)((const struct rh_len *)a)->bits;
}

static void
rh_free(struct rh_table *t)
{
	for (unsigned i = 0; i < t->n; i++)
		rte_hash_free(t->len[i].h);
	t->n = 0;
}

static int
rh_build(struct rh_table *t, const struct l2demux *d)
{
	memset(t, 0, sizeof(*t));
	t->count = (unsigned)l2demux_count(d);
	if (l2demux_walk(d, rh_add, t) != 0) {
		rh_free(t);
		return -1;
	}
	qsort(t->len, t->n, sizeof(t->len[0]), cmp_rh_len);
	return 0;
}

static inline const struct l2demux_result *
rh_lookup(const struct rh_table *t, const struct l2key *k)
{
	uint64_t kw[L2KEY_MAX / 8], mk[L2KEY_MAX / 8];

	memcpy(kw, k->b, sizeof(kw));
	for (unsigned i = 0; i < t->n; i++) {
		void *data;

		if (t->len[i].bits > k->bits)
			continue;
		for (unsigned w = 0; w < L2KEY_MAX / 8; w++)
			mk[w] = kw[w] & t->len[i].mask[w];
		if (rte_hash_lookup_data(t->len[i].h, mk, &data) >= 0)
			return data;
	}
	return NULL;
}

static double
min_of(const double *v, unsigned n)
{
	double m = v[0];

	for (unsigned i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double
cyc_per_frame(uint64_t cycles, uint64_t frames)
{
	return (double)cycles / (double)frames;
}

static volatile uint64_t sink;

static void
measure(struct l2demux *d, const struct rh_table *rh, struct rte_mbuf **m, unsigned runs,
	struct result *res)
{
	double lk[RUNS_MAX], in[RUNS_MAX], ex[RUNS_MAX], rl[RUNS_MAX];

	for (unsigned run = 0; run < runs; run++) {
		uint64_t t0, sum = 0;

		/* Extraction alone. */
		t0 = rte_rdtsc_precise();
		for (unsigned r = 0; r < ROUNDS; r++)
			for (unsigned i = 0; i < FRAMES; i++) {
				struct l2key k;
				uint16_t l2_len;

				sum += (uint64_t)l2key_extract(m[i], &k, &l2_len) + k.b[3];
			}
		ex[run] = cyc_per_frame(rte_rdtsc_precise() - t0, (uint64_t)ROUNDS * FRAMES);
		/* Extraction + lookup. */
		t0 = rte_rdtsc_precise();
		for (unsigned r = 0; r < ROUNDS; r++)
			for (unsigned i = 0; i < FRAMES; i++) {
				const struct l2demux_result *res1;
				struct l2key k;
				uint16_t l2_len;

				if (l2key_extract(m[i], &k, &l2_len) < 0)
					continue;
				res1 = l2demux_lookup(d, &k);
				sum += res1 != NULL ? res1->ifl_index : 0;
			}
		lk[run] = cyc_per_frame(rte_rdtsc_precise() - t0, (uint64_t)ROUNDS * FRAMES);
		/* The rx stage, per burst. */
		handled = 0;
		t0 = rte_rdtsc_precise();
		for (unsigned r = 0; r < ROUNDS; r++)
			for (unsigned i = 0; i < FRAMES; i += RX_BURST)
				l2demux_input(NULL, BENCH_PORT, &m[i], RX_BURST);
		in[run] = cyc_per_frame(rte_rdtsc_precise() - t0, (uint64_t)ROUNDS * FRAMES);
		sum += handled;
		/* Extraction + the rte_hash tables. */
		rl[run] = 0;
		if (rh != NULL) {
			t0 = rte_rdtsc_precise();
			for (unsigned r = 0; r < ROUNDS; r++)
				for (unsigned i = 0; i < FRAMES; i++) {
					const struct l2demux_result *res1;
					struct l2key k;
					uint16_t l2_len;

					if (l2key_extract(m[i], &k, &l2_len) < 0)
						continue;
					res1 = rh_lookup(rh, &k);
					sum += res1 != NULL ? res1->ifl_index : 0;
				}
			rl[run] = cyc_per_frame(rte_rdtsc_precise() - t0,
						(uint64_t)ROUNDS * FRAMES);
		}
		rcu_quiescent_state();
		sink += sum;
	}
	res->rh_min = min_of(rl, runs);
	res->rh_cyc = nsbench_median(rl, runs);
	res->lookup_min = min_of(lk, runs);
	res->input_min = min_of(in, runs);
	res->extract_cyc = nsbench_median(ex, runs);
	res->lookup_cyc = nsbench_median(lk, runs);
	res->input_cyc = nsbench_median(in, runs);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: nsbench l2demux [--json] [--runs N]\n"
		"  per frame cost of L2 key extraction + demux lookup, and of the rx\n"
		"  stage l2demux_input(), for 1, 16, 1000 and 100000 entries\n"
		"  --runs N   runs per figure, median printed (1..%d, default %d)\n",
		RUNS_MAX, RUNS_DEFAULT);
}

static int
bench_l2demux(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rte_mbuf *m[FRAMES];
	struct rte_mempool *mp;
	unsigned runs = RUNS_DEFAULT;
	bool json = false, first = true;
	double ns_per_cyc;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'r':
			runs = (unsigned)atoi(optarg);
			if (runs < 1 || runs > RUNS_MAX) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (nsbench_eal_init(512) < 0)
		return 1;
	if (pkt_meta_register() < 0 || counters_init() < 0) {
		fprintf(stderr, "nsbench: cannot register mbuf metadata or counters\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("l2demux_bench", FRAMES * 2 - 1, 256, 0,
				     RTE_PKTMBUF_HEADROOM + 128, SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "nsbench: cannot create the mbuf pool\n");
		return 1;
	}
	rcu_register_thread();
	ns_per_cyc = 1e9 / (double)nsbench_hz();
	if (json)
		printf("{\"bench\":\"l2demux\",\"hz\":%" PRIu64 ",\"runs\":%u,\"frames\":%u,"
		       "\"rounds\":%u,\"results\":[",
		       nsbench_hz(), runs, FRAMES, ROUNDS);
	else
		printf("L2 demux, one core, %.2f GHz TSC, median of %u runs, %u distinct frames\n"
		       "%-9s %8s %-7s %9s %9s %9s %9s %9s %9s\n",
		       (double)nsbench_hz() / 1e9, runs, FRAMES, "frame", "entries", "form",
		       "extr.cyc", "x+lk cyc", "x+lk ns", "input cyc", "input ns", "rte_hash");
	for (unsigned kind = 0; kind < K_NB; kind++) {
		uint8_t f[64];

		/* The frames, matching random entries of their kind once a table has them. */
		for (unsigned i = 0; i < FRAMES; i++) {
			struct spec s;
			size_t len;

			m[i] = rte_pktmbuf_alloc(mp);
			if (m[i] == NULL) {
				fprintf(stderr, "nsbench: out of mbufs\n");
				return 1;
			}
			spec_of(kind,
				(unsigned)rand() % (kind == K_PPPOE ? 100000 : kind_cap(kind)), &s);
			len = frame_of(kind, &s, f);
			memcpy(rte_pktmbuf_append(m[i], (uint16_t)len), f, len);
			pkt_meta_rx_init(m[i], 0);
		}
		for (unsigned si = 0; si < RTE_DIM(sizes); si++) {
			unsigned nforms = sizes[si] <= 32 ? 2 : 1;

			for (unsigned form = 0; form < nforms; form++) {
				struct l2demux *d;
				struct result res;
				struct rh_table rh;
				unsigned nkind = 0;
				const char *fname;

				d = table_build(kind, sizes[si], &nkind);
				if (d == NULL) {
					fprintf(stderr, "nsbench: cannot build a table of %u\n",
						sizes[si]);
					return 1;
				}
				/* Small tables both ways: linear, then hashed. */
				if (nforms == 2)
					l2demux_set_linear_max(d, form == 0 ? 32 : 0);
				fname = nforms == 2 && form == 0 ? "linear" : "hash";
				/* Frames whose entry the table lacks (1 and 16 entries) are not
				 * for us: re-point them at the entries present. */
				for (unsigned i = 0; i < FRAMES; i++) {
					struct spec s;
					size_t len;

					spec_of(kind, (unsigned)rand() % nkind, &s);
					len = frame_of(kind, &s, f);
					rte_pktmbuf_reset(m[i]);
					memcpy(rte_pktmbuf_append(m[i], (uint16_t)len), f, len);
					pkt_meta_rx_init(m[i], 0);
				}
				/* The rte_hash alternative holds the same entries. */
				memset(&rh, 0, sizeof(rh));
				if (strcmp(fname, "hash") == 0 && rh_build(&rh, d) < 0) {
					fprintf(stderr, "nsbench: cannot build rte_hash tables\n");
					return 1;
				}
				/* Both give the same answers, or the comparison means nothing. */
				for (unsigned i = 0; rh.n && i < FRAMES; i++) {
					struct l2key k;
					uint16_t l2_len;

					if (l2key_extract(m[i], &k, &l2_len) == 0 &&
					    rh_lookup(&rh, &k) != l2demux_lookup(d, &k)) {
						fprintf(stderr, "nsbench: rte_hash and l2demux disagree\n");
						return 1;
					}
				}
				l2demux_port_set(BENCH_PORT, d);
				measure(d, rh.n ? &rh : NULL, m, runs, &res);
				l2demux_port_set(BENCH_PORT, NULL);
				rh_free(&rh);
				if (json) {
					printf("%s{\"frame\":\"%s\",\"entries\":%u,\"form\":\"%s\","
					       "\"extract_cycles\":%.1f,\"lookup_cycles\":%.1f,"
					       "\"lookup_ns\":%.2f,\"input_cycles\":%.1f,\"input_ns\":%.2f,"
					       "\"lookup_ns_min\":%.2f,\"input_ns_min\":%.2f,"
					       "\"rte_hash_ns\":%.2f,\"rte_hash_ns_min\":%.2f}",
					       first ? "" : ",", kind_json[kind], sizes[si], fname,
					       res.extract_cyc, res.lookup_cyc,
					       res.lookup_cyc * ns_per_cyc, res.input_cyc,
					       res.input_cyc * ns_per_cyc,
					       res.lookup_min * ns_per_cyc,
					       res.input_min * ns_per_cyc, res.rh_cyc * ns_per_cyc,
					       res.rh_min * ns_per_cyc);
					first = false;
				} else {
					printf("%-9s %8u %-7s %9.1f %9.1f %9.2f %9.1f %9.2f",
					       kind_names[kind], sizes[si], fname, res.extract_cyc,
					       res.lookup_cyc, res.lookup_cyc * ns_per_cyc,
					       res.input_cyc, res.input_cyc * ns_per_cyc);
					if (res.rh_cyc > 0)
						printf(" %9.2f\n", res.rh_cyc * ns_per_cyc);
					else
						printf(" %9s\n", "-");
				}
				fflush(stdout);
				/* Nobody else reads the table: no grace period to wait for. */
				l2demux_free(d);
			}
		}
		rte_pktmbuf_free_bulk(m, FRAMES);
	}
	if (json)
		printf("]}\n");
	rcu_unregister_thread();
	return 0;
}

static const struct nsbench_cmd l2demux_cmd = {
	.name = "l2demux",
	.summary = "L2 key extraction + demux lookup per frame, 1 to 100000 entries",
	.run = bench_l2demux,
};

static void __attribute__((constructor)) bench_l2demux_register(void)
{
	nsbench_register(&l2demux_cmd);
}
