/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_opts.c: libFuzzer target for the daemon's option parser
 * (src/ctrl/opts.c) and the lcore/queue layout builder
 * (src/dataplane/layout.c). Neither needs the EAL, so neither does this.
 *
 * Input format:
 *   bytes 0..4  the fake machine (see env_from_header()): how many lcores
 *               besides the main one and their ids, how many ports, their
 *               ids and their rx and tx queue limits.
 *   the rest    argv words separated by NUL bytes (a trailing NUL ends the
 *               last word; two NULs in a row give an empty word).
 *
 * Invariants checked (a violation calls __builtin_trap()):
 *   opts_parse()   returns 0 or -EINVAL; on error the message is non-empty,
 *                  NUL-terminated, truncated cleanly to a smaller buffer, and
 *                  the options are exactly the defaults; on success every
 *                  value is within its documented range; parsing is
 *                  deterministic.
 *   layout_build() on error: -EINVAL and a non-empty message; on success:
 *                  one control lcore (the main one), rx and worker roles only
 *                  on enabled lcores and as requested, every rx queue of
 *                  every port polled by exactly one rx lcore, tx queue
 *                  indexes distinct, < n_txq and present exactly on the lcores
 *                  with a role, and every port has room for n_txq tx queues.
 *   layout_grow_rxq() as ports_setup() calls it: the layout stays consistent
 *                  on success and is left untouched on failure.
 *
 * Every buffer is allocated per input and freed before returning, each argv
 * word separately so that AddressSanitizer catches a read past its NUL.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/opts.h"
#include "dataplane/layout.h"

#define HDR_LEN 5
#define FUZZ_MAX_INPUT 4096
#define MAX_WORDS 64
#define ERR_LEN 256
#define MAX_FAKE_LCORES 7
#define MAX_FAKE_PORTS 6

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake_env {
	unsigned main_lcore;
	uint16_t lcores[MAX_FAKE_LCORES];
	unsigned n_lcores;
	struct layout_port ports[MAX_FAKE_PORTS];
	unsigned n_ports;
	unsigned small_errlen; /* second parse: error buffer this small */
};

/*
 * The fake machine. Zero bits give the common case (main lcore 0, lcores
 * 1..n, ports 0..n-1); the other patterns reach the rejections of
 * layout_build() (main lcore among the others, duplicate ports, ids at the
 * top of the range, too few queues).
 *   h[0] bits 0-2  lcores besides the main one (0-7)
 *        bit 3     their ids are 1,3,5,... instead of 1,2,3,...
 *        bits 4-5  main lcore: 0, RTE_MAX_LCORE - 1, 1 or 4
 *        bit 6     their ids count down from RTE_MAX_LCORE - 2
 *   h[1] bits 0-2  ports (0-6; 7 means 0)
 *        bits 3-4  port ids 0,1,2,... / 0,2,4,... / 31,30,... / 0,0,1,1,...
 *        bits 5-7  size - 1 of the error buffer of the second parse
 *   h[2], h[3]     max rx queues of even / odd ports (modulo 72)
 *   h[4]           max tx queues of every port (modulo 12); bit 7: port 0
 *                  has 1024
 */
static void
env_from_header(const uint8_t *h, struct fake_env *e)
{
	static const uint16_t main_choice[4] = { 0, RTE_MAX_LCORE - 1, 1, 4 };
	unsigned pattern = (h[1] >> 3) & 3;

	memset(e, 0, sizeof(*e));
	e->n_lcores = h[0] & 7;
	e->main_lcore = main_choice[(h[0] >> 4) & 3];
	for (unsigned i = 0; i < e->n_lcores; i++) {
		/* bit 3: odd ids only, so "lcore not enabled" errors show up. */
		e->lcores[i] = (uint16_t)((h[0] & 0x08) ? 2 * i + 1 : i + 1);
		if (h[0] & 0x40)
			e->lcores[i] = (uint16_t)(RTE_MAX_LCORE - 2 - i);
	}

	e->n_ports = (h[1] & 7) % (MAX_FAKE_PORTS + 1);
	for (unsigned i = 0; i < e->n_ports; i++) {
		struct layout_port *p = &e->ports[i];

		switch (pattern) {
		case 0:
			p->port_id = (uint16_t)i;
			break;
		case 1:
			p->port_id = (uint16_t)(2 * i);
			break;
		case 2:
			p->port_id = (uint16_t)(RTE_MAX_ETHPORTS - 1 - i);
			break;
		default: /* every id twice: layout_build() must refuse */
			p->port_id = (uint16_t)(i / 2);
			break;
		}
		/* Up to a little over LAYOUT_MAX_RXQ, so the cap is exercised. */
		p->max_rxq = (uint16_t)((i & 1 ? h[3] : h[2]) % (LAYOUT_MAX_RXQ + 8));
		p->max_txq = (uint16_t)(h[4] % 12);
		if ((h[4] & 0x80) && i == 0)
			p->max_txq = 1024;
	}
	e->small_errlen = 1 + (h[1] >> 5);
}

static bool
in_list(const uint16_t *list, unsigned n, unsigned v)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/* A failure message: present, terminated inside the buffer, not empty. */
static void
check_err(const char *err, size_t errlen)
{
	CHECK(memchr(err, '\0', errlen) != NULL);
	CHECK(errlen < 2 || err[0] != '\0');
}

static void
check_lcore_list(const uint16_t *l, unsigned n)
{
	CHECK(n <= RTE_MAX_LCORE);
	for (unsigned i = 0; i < n; i++) {
		CHECK(l[i] < RTE_MAX_LCORE);
		CHECK(!in_list(l, i, l[i]));
	}
}

static void
check_opts_ranges(const struct nsdp_opts *o)
{
	const struct layout_req *r = &o->layout;

	CHECK(o->wake_factor >= 1 && o->wake_factor <= 1024);
	CHECK(o->mbufs == 0 || (o->mbufs >= 1024 && o->mbufs <= (1u << 26)));
	CHECK(o->rx_desc >= 64 && o->rx_desc <= 32768);
	CHECK(o->tx_desc >= 64 && o->tx_desc <= 32768);
	CHECK(o->idle_sleep_us <= 100000);
	CHECK(r->rxq <= LAYOUT_MAX_RXQ);
	check_lcore_list(r->rx_lcores, r->n_rx_lcores);
	check_lcore_list(r->worker_lcores, r->n_worker_lcores);
	CHECK(r->n_rx_map <= RTE_DIM(r->rx_map));
	for (unsigned i = 0; i < r->n_rx_map; i++) {
		CHECK(r->rx_map[i].port < RTE_MAX_ETHPORTS);
		CHECK(r->rx_map[i].queue < LAYOUT_MAX_RXQ);
		CHECK(r->rx_map[i].lcore < RTE_MAX_LCORE);
	}
}

/*
 * The queue invariants, which layout_grow_rxq() must preserve too: only rx
 * lcores poll, only ports in use with queues below nb_rxq, and every such
 * queue exactly once.
 */
static void
check_polls(const struct layout *l)
{
	uint8_t seen[RTE_MAX_ETHPORTS][LAYOUT_MAX_RXQ];
	unsigned total = 0, expect = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		CHECK(l->poll[lc].n <= LAYOUT_MAX_POLL);
		CHECK(l->poll[lc].n == 0 || l->role[lc] == LCORE_ROLE_RX);
		for (unsigned i = 0; i < l->poll[lc].n; i++) {
			const struct poll_entry *e = &l->poll[lc].q[i];

			CHECK(e->port < RTE_MAX_ETHPORTS && l->port_used[e->port]);
			CHECK(e->queue < l->nb_rxq[e->port]);
			CHECK(seen[e->port][e->queue] == 0);
			seen[e->port][e->queue] = 1;
			total++;
		}
	}
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
		CHECK(l->nb_rxq[p] <= LAYOUT_MAX_RXQ);
		CHECK(l->port_used[p] ? l->nb_rxq[p] >= 1 : l->nb_rxq[p] == 0);
		expect += l->nb_rxq[p];
	}
	CHECK(total == expect);
}

static void
check_layout(const struct layout *l, const struct layout_req *req, const struct fake_env *e)
{
	bool txq_used[RTE_MAX_LCORE];
	unsigned n_rx = 0, n_worker = 0, n_role = 0;

	/* Roles. */
	CHECK(l->main_lcore == e->main_lcore);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		enum lcore_role r = l->role[lc];

		if (lc == e->main_lcore) {
			CHECK(r == LCORE_ROLE_CONTROL);
		} else if (!in_list(e->lcores, e->n_lcores, lc)) {
			CHECK(r == LCORE_ROLE_NONE);
		} else {
			CHECK(r == LCORE_ROLE_NONE || r == LCORE_ROLE_RX || r == LCORE_ROLE_WORKER);
		}
		n_rx += r == LCORE_ROLE_RX;
		n_worker += r == LCORE_ROLE_WORKER;
		n_role += r != LCORE_ROLE_NONE;
	}
	CHECK(n_rx == l->n_rx_lcores && n_rx >= 1);
	CHECK(n_worker == l->n_worker_lcores && n_worker >= 1);
	for (unsigned i = 0; i < req->n_rx_lcores; i++)
		CHECK(l->role[req->rx_lcores[i]] == LCORE_ROLE_RX);
	for (unsigned i = 0; i < req->n_worker_lcores; i++)
		CHECK(l->role[req->worker_lcores[i]] == LCORE_ROLE_WORKER);
	if (req->n_rx_lcores == 0 && req->n_worker_lcores == 0) {
		/* The documented default: the last lcore works, the others poll. */
		for (unsigned i = 0; i < e->n_lcores; i++)
			CHECK(l->role[e->lcores[i]] ==
			      (i + 1 == e->n_lcores ? LCORE_ROLE_WORKER : LCORE_ROLE_RX));
	} else if (req->n_rx_lcores == 0 || req->n_worker_lcores == 0) {
		/* One list given: every other enabled lcore takes the other role. */
		for (unsigned i = 0; i < e->n_lcores; i++)
			CHECK(l->role[e->lcores[i]] != LCORE_ROLE_NONE);
	}

	/* Ports and rx queues. */
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
		bool listed = false;

		for (unsigned i = 0; i < e->n_ports; i++)
			listed |= e->ports[i].port_id == p;
		CHECK(l->port_used[p] == listed);
	}
	for (unsigned i = 0; i < e->n_ports; i++) {
		const struct layout_port *p = &e->ports[i];

		CHECK(l->nb_rxq[p->port_id] <= p->max_rxq);
		if (req->n_rx_map == 0) {
			unsigned want = req->rxq ? req->rxq : 1;

			CHECK(l->nb_rxq[p->port_id] == RTE_MIN(want, (unsigned)p->max_rxq));
		}
	}
	for (unsigned i = 0; i < req->n_rx_map; i++) {
		const struct rx_map_entry *m = &req->rx_map[i];
		bool found = false;

		for (unsigned k = 0; k < l->poll[m->lcore].n; k++)
			found |= l->poll[m->lcore].q[k].port == m->port &&
				 l->poll[m->lcore].q[k].queue == m->queue;
		CHECK(found);
	}
	check_polls(l);

	/* Tx queues: a bijection between the lcores with a role and 0..n_txq-1. */
	memset(txq_used, 0, sizeof(txq_used));
	CHECK(l->n_txq == n_role);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		if (l->role[lc] == LCORE_ROLE_NONE) {
			CHECK(l->txq[lc] == UINT16_MAX);
			continue;
		}
		CHECK(l->txq[lc] < l->n_txq);
		CHECK(!txq_used[l->txq[lc]]);
		txq_used[l->txq[lc]] = true;
	}
	for (unsigned i = 0; i < e->n_ports; i++)
		CHECK(e->ports[i].max_txq >= l->n_txq);
}

/* What ports_setup() does for drivers that need as many rx as tx queues. */
static void
grow_like_ports_setup(struct layout *l, const struct fake_env *e)
{
	struct layout *before = malloc(sizeof(*before));

	CHECK(before != NULL);
	for (unsigned i = 0; i < e->n_ports; i++) {
		uint16_t pid = e->ports[i].port_id;
		uint16_t want = (uint16_t)l->n_txq;
		unsigned old = l->nb_rxq[pid];
		int rc;

		memcpy(before, l, sizeof(*l));
		rc = layout_grow_rxq(l, pid, want);
		if (rc == 0) {
			CHECK(l->nb_rxq[pid] == RTE_MAX(old, (unsigned)want));
			check_polls(l);
		} else {
			CHECK(rc == -EINVAL);
			CHECK(memcmp(before, l, sizeof(*l)) == 0);
		}
	}
	free(before);
}

static void
run_layout(const struct nsdp_opts *o, const struct fake_env *e)
{
	struct layout *l = malloc(sizeof(*l));
	char *err = malloc(ERR_LEN);
	int rc;

	CHECK(l != NULL && err != NULL);
	/* Garbage in, so a field layout_build() forgets to set shows up. */
	memset(l, 0xa5, sizeof(*l));
	memset(err, 0x5a, ERR_LEN);
	rc = layout_build(l, &o->layout, e->main_lcore, e->lcores, e->n_lcores, e->ports,
			  e->n_ports, err, ERR_LEN);
	if (rc == 0) {
		check_layout(l, &o->layout, e);
		grow_like_ports_setup(l, e);
	} else {
		CHECK(rc == -EINVAL);
		check_err(err, ERR_LEN);
	}
	free(err);
	free(l);
}

static void
check_defaults(const struct nsdp_opts *o)
{
	struct nsdp_opts d;

	opts_defaults(&d);
	CHECK(memcmp(o, &d, sizeof(d)) == 0);
}

static void
run_opts(int argc, char **argv, const struct fake_env *e)
{
	struct nsdp_opts *o = malloc(sizeof(*o)), *again = malloc(sizeof(*again));
	char *err = malloc(ERR_LEN), *small = malloc(e->small_errlen);
	int rc, rc2;

	CHECK(o != NULL && again != NULL && err != NULL && small != NULL);
	memset(o, 0xa5, sizeof(*o));
	memset(err, 0x5a, ERR_LEN);
	rc = opts_parse(o, argc, argv, err, ERR_LEN);
	CHECK(rc == 0 || rc == -EINVAL);

	/* Same words, tiny error buffer: same outcome, message cut cleanly. */
	memset(again, 0x3c, sizeof(*again));
	memset(small, 0x5a, e->small_errlen);
	rc2 = opts_parse(again, argc, argv, small, e->small_errlen);
	CHECK(rc2 == rc);
	CHECK(memcmp(o, again, sizeof(*o)) == 0);

	if (rc < 0) {
		size_t len;

		check_err(err, ERR_LEN);
		check_defaults(o);
		check_err(small, e->small_errlen);
		len = strlen(small);
		CHECK(len == RTE_MIN(strlen(err), e->small_errlen - 1));
		CHECK(strncmp(small, err, len) == 0);
	} else {
		check_opts_ranges(o);
		run_layout(o, e);
	}
	free(small);
	free(err);
	free(again);
	free(o);
}

/* The lcore list parser on its own, with a small output array. */
static void
run_lcore_list(const char *word, unsigned max)
{
	uint16_t *out = malloc(max * sizeof(*out));
	int n;

	CHECK(out != NULL);
	n = opts_parse_lcore_list(word, out, max);
	CHECK(n == -EINVAL || (n >= 1 && (unsigned)n <= max));
	if (n > 0)
		check_lcore_list(out, (unsigned)n);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2];
	struct fake_env env;
	int argc = 0;
	size_t off;

	if (size < HDR_LEN || size > FUZZ_MAX_INPUT)
		return 0;
	env_from_header(data, &env);

	argv[argc++] = strdup("nsdp");
	CHECK(argv[0] != NULL);
	for (off = HDR_LEN; off < size && argc < MAX_WORDS + 1;) {
		const uint8_t *nul = memchr(data + off, '\0', size - off);
		size_t len = nul != NULL ? (size_t)(nul - (data + off)) : size - off;
		char *w = malloc(len + 1);

		CHECK(w != NULL);
		memcpy(w, data + off, len);
		w[len] = '\0';
		argv[argc++] = w;
		off += len + 1;
	}
	argv[argc] = NULL;

	run_opts(argc, argv, &env);
	for (int i = 1; i < argc; i++)
		run_lcore_list(argv[i], 1 + (unsigned)(i & 7));

	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
