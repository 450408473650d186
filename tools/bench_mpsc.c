/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_mpsc.c: throughput of the intrusive MPSC queue (src/dataplane/mpsc.h)
 * against DPDK's rte_ring in multi-producer / single-consumer mode, in the
 * same run: P producer threads, one consumer thread, N messages per run,
 * several runs per configuration; prints medians, the ratio, and TSC cycles
 * per message (end to end, and per enqueue as the producers see it).
 * The ring lives in malloc'd memory set up with rte_ring_init(), so no EAL
 * is needed. Figures are printed, never asserted.
 *
 * mpsc-1line is the same queue with the consumer's cursor on the cache line
 * the producers write, to show why mpsc.h asks for it elsewhere.
 *
 * P = 0 is one thread alternating enqueue and dequeue bursts: the bare
 * cost of the operations (cyc/msg is then enqueue plus dequeue).
 *
 * Also measured: rte_ring with bursts of 32 (what an rx lcore could do if
 * it batched per destination queue), and rte_ring in RTS mode
 * (RING_F_MP_RTS_ENQ), DPDK's answer to preempted producers.
 *
 * By default P goes up to online cpus - 1 so producers and the consumer
 * each have a cpu: with more threads than cpus a classic MP rte_ring
 * producer preempted between its head reservation and its tail update
 * stalls every other producer (they spin in rte_wait_until_equal_32 until
 * the scheduler runs it), and a run can take minutes. Our MPSC producers
 * never wait for each other, so -p above that is fair to ask of it, and the
 * tool then runs the MP ring only if -o is given.
 *
 * usage: bench_mpsc [-n msgs] [-r runs] [-p max_producers] [-s ring_size] [-o]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "dataplane/mpsc.h"

enum impl {
	IMPL_MPSC,
	IMPL_MPSC_SHARED,
	IMPL_RING,
	IMPL_RING_BURST,
	IMPL_RING_RTS,
	IMPL_MAX
};

static const char *const impl_name[IMPL_MAX] = {
	[IMPL_MPSC] = "mpsc",
	[IMPL_MPSC_SHARED] = "mpsc-1line",
	[IMPL_RING] = "rte_ring",
	[IMPL_RING_BURST] = "rte_ring/32",
	[IMPL_RING_RTS] = "rte_ring-rts",
};

#define BURST 32
#define MAX_PROD 16

struct run {
	enum impl impl;
	unsigned int nprod;
	uint64_t per_prod;
	struct mpsc q;
	struct mpsc_cursor c __rte_cache_aligned; /* off the producers' line */
	struct {
		/* The layout mpsc.h warns against: the consumer's cursor on
		 * the line producers exchange the tail on. */
		struct mpsc q;
		struct mpsc_cursor c;
	} one_line __rte_cache_aligned;
	struct rte_ring *ring;
	struct svc_msg *msgs;          /* nprod * per_prod */
	int go;
	uint64_t prod_cycles[MAX_PROD];
	uint64_t unblocked;
	uint64_t full_spins;
};

/* Waiting for the other side: pause-spin briefly, then yield, so that on
 * a machine with fewer free cpus than threads the waiter gives its cpu to
 * the thread it waits for instead of burning its time slice. */
static inline void
backoff(unsigned int *spins)
{
	if (++*spins < 64) {
		rte_pause();
	} else {
		*spins = 0;
		sched_yield();
	}
}

struct prod_arg {
	struct run *r;
	unsigned int id;
};

static void *
producer(void *arg)
{
	struct prod_arg *pa = arg;
	struct run *r = pa->r;
	struct svc_msg *m = &r->msgs[pa->id * r->per_prod];
	uint64_t i, t0, unblocked = 0, spins = 0;
	void *burst[BURST];
	unsigned int k, done, bo = 0;

	while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
		rte_pause();
	t0 = rte_rdtsc();
	switch (r->impl) {
	case IMPL_MPSC:
		for (i = 0; i < r->per_prod; i++)
			unblocked += mpsc_enqueue(&r->q, &m[i]);
		break;
	case IMPL_MPSC_SHARED:
		for (i = 0; i < r->per_prod; i++)
			unblocked += mpsc_enqueue(&r->one_line.q, &m[i]);
		break;
	case IMPL_RING:
	case IMPL_RING_RTS:
		/* The generic enqueue follows the ring's flags (MP or RTS). */
		for (i = 0; i < r->per_prod; i++)
			while (rte_ring_enqueue(r->ring, &m[i]) != 0) {
				spins++;
				backoff(&bo);
			}
		break;
	case IMPL_RING_BURST:
		for (i = 0; i < r->per_prod; i += k) {
			k = (unsigned int)RTE_MIN((uint64_t)BURST,
						  r->per_prod - i);
			for (done = 0; done < k; done++)
				burst[done] = &m[i + done];
			done = 0;
			while (done < k) {
				done += rte_ring_mp_enqueue_burst(r->ring,
						burst + done, k - done, NULL);
				if (done < k) {
					spins++;
					backoff(&bo);
				}
			}
		}
		break;
	default:
		break;
	}
	r->prod_cycles[pa->id] = rte_rdtsc() - t0;
	__atomic_fetch_add(&r->unblocked, unblocked, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->full_spins, spins, __ATOMIC_RELAXED);
	return NULL;
}

static uint64_t
consume(struct run *r, uint64_t total)
{
	uint64_t got = 0, checksum = 0;
	struct svc_msg *m = NULL;
	void *burst[BURST];
	unsigned int k, i, bo = 0;

	while (got < total) {
		switch (r->impl) {
		case IMPL_MPSC:
		case IMPL_MPSC_SHARED:
			m = r->impl == IMPL_MPSC ?
				mpsc_dequeue(&r->q, &r->c) :
				mpsc_dequeue(&r->one_line.q, &r->one_line.c);
			if (m == NULL) {
				backoff(&bo);
				continue;
			}
			checksum += m->arg;
			got++;
			break;
		case IMPL_RING:
		case IMPL_RING_RTS:
			if (rte_ring_sc_dequeue(r->ring, (void **)&m) != 0) {
				backoff(&bo);
				continue;
			}
			checksum += m->arg;
			got++;
			break;
		case IMPL_RING_BURST:
			k = rte_ring_sc_dequeue_burst(r->ring, burst, BURST,
						      NULL);
			if (k == 0) {
				backoff(&bo);
				continue;
			}
			for (i = 0; i < k; i++)
				checksum += ((struct svc_msg *)burst[i])->arg;
			got += k;
			break;
		default:
			break;
		}
	}
	return checksum;
}

struct result {
	double mops;
	double cyc_per_msg;   /* consumer-side wall TSC / messages */
	double cyc_per_enq;   /* mean over producers of their TSC / their msgs */
};

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* P = 0: one thread enqueues BURST messages then dequeues them, over and
 * over: the cost of the operations themselves, with no cache line moving
 * between cpus and no scheduler effects. */
static uint64_t
run_single_thread(enum impl impl, struct rte_ring *ring, struct svc_msg *msgs,
		  uint64_t total)
{
	struct mpsc q;
	struct mpsc_cursor c;
	void *burst[BURST];
	struct svc_msg *m = NULL;
	uint64_t i, sum = 0;
	unsigned int j, k;

	mpsc_init(&q, &c);
	if (ring != NULL)
		rte_ring_reset(ring);
	for (i = 0; i + BURST <= total; i += BURST) {
		switch (impl) {
		case IMPL_MPSC:
		case IMPL_MPSC_SHARED:
			for (j = 0; j < BURST; j++)
				mpsc_enqueue(&q, &msgs[i + j]);
			for (j = 0; j < BURST; j++)
				sum += mpsc_dequeue(&q, &c)->arg;
			break;
		case IMPL_RING:
		case IMPL_RING_RTS:
			for (j = 0; j < BURST; j++)
				rte_ring_enqueue(ring, &msgs[i + j]);
			for (j = 0; j < BURST; j++) {
				rte_ring_sc_dequeue(ring, (void **)&m);
				sum += m->arg;
			}
			break;
		case IMPL_RING_BURST:
			for (j = 0; j < BURST; j++)
				burst[j] = &msgs[i + j];
			rte_ring_mp_enqueue_bulk(ring, burst, BURST, NULL);
			k = rte_ring_sc_dequeue_bulk(ring, burst, BURST, NULL);
			for (j = 0; j < k; j++)
				sum += ((struct svc_msg *)burst[j])->arg;
			break;
		default:
			break;
		}
	}
	return sum;
}

static int
run_once(enum impl impl, unsigned int nprod, uint64_t total,
	 struct rte_ring *ring, struct svc_msg *msgs, struct result *res)
{
	static struct run r;
	struct prod_arg pa[MAX_PROD];
	pthread_t th[MAX_PROD];
	uint64_t c0, c1, want = 0, sum = 0, i;
	double t0, t1, enq = 0;
	unsigned int p;

	if (nprod == 0) {
		total -= total % BURST;
		for (i = 0; i < total; i++)
			want += msgs[i].arg;
		t0 = mono_s();
		c0 = rte_rdtsc();
		sum = run_single_thread(impl, ring, msgs, total);
		c1 = rte_rdtsc();
		t1 = mono_s();
		if (sum != want)
			return -1;
		res->mops = (double)total / (t1 - t0) / 1e6;
		res->cyc_per_msg = (double)(c1 - c0) / (double)total;
		res->cyc_per_enq = res->cyc_per_msg; /* enqueue + dequeue */
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.impl = impl;
	r.nprod = nprod;
	r.per_prod = total / nprod;
	r.ring = ring;
	r.msgs = msgs;
	mpsc_init(&r.q, &r.c);
	mpsc_init(&r.one_line.q, &r.one_line.c);
	if (ring != NULL)
		rte_ring_reset(ring);
	total = r.per_prod * nprod;
	for (i = 0; i < total; i++)
		want += msgs[i].arg;

	for (p = 0; p < nprod; p++) {
		pa[p].r = &r;
		pa[p].id = p;
		if (pthread_create(&th[p], NULL, producer, &pa[p]) != 0)
			return -1;
	}
	t0 = mono_s();
	c0 = rte_rdtsc();
	__atomic_store_n(&r.go, 1, __ATOMIC_RELEASE);
	sum = consume(&r, total);
	c1 = rte_rdtsc();
	t1 = mono_s();
	for (p = 0; p < nprod; p++) {
		pthread_join(th[p], NULL);
		enq += (double)r.prod_cycles[p] / (double)r.per_prod;
	}
	if (sum != want) {
		fprintf(stderr, "%s: checksum mismatch\n", impl_name[impl]);
		return -1;
	}
	res->mops = (double)total / (t1 - t0) / 1e6;
	res->cyc_per_msg = (double)(c1 - c0) / (double)total;
	res->cyc_per_enq = enq / nprod;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool
skipped(enum impl k, unsigned int p, long ncpu, bool oversub)
{
	/* See the file comment: MP rings convoy when oversubscribed. */
	return (k == IMPL_RING || k == IMPL_RING_BURST) && p + 1 > ncpu &&
	       p > 0 &&
	       !oversub;
}

int
main(int argc, char **argv)
{
	uint64_t total = 2000000;
	unsigned int runs = 5, maxp = 0, ring_size = 16384, p, i, k;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct rte_ring *ring[IMPL_MAX] = { NULL };
	double mops[IMPL_MAX][64], cpm[IMPL_MAX][64], cpe[IMPL_MAX][64];
	double med[IMPL_MAX];
	struct svc_msg *msgs;
	bool oversub = false;
	struct result res;
	ssize_t ring_mem;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "n:r:p:s:oh")) != -1) {
		switch (c) {
		case 'n': total = strtoull(optarg, NULL, 0); break;
		case 'r': runs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'p': maxp = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 's': ring_size = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'o': oversub = true; break;
		default:
			fprintf(stderr, "usage: %s [-n msgs] [-r runs] "
				"[-p max_producers] [-s ring_size] [-o]\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (maxp == 0)
		maxp = ncpu > 2 ? (unsigned int)(ncpu - 1) : 1;
	if (runs == 0 || runs > 64 || maxp > MAX_PROD || total < maxp) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}

	msgs = calloc(total, sizeof(*msgs));
	ring_mem = rte_ring_get_memsize(ring_size);
	if (msgs == NULL || ring_mem < 0) {
		fprintf(stderr, "out of memory or bad ring size\n");
		return 1;
	}
	for (i = 0; i < total; i++)
		msgs[i].arg = i & 0xffff;
	for (k = IMPL_RING; k < IMPL_MAX; k++) {
		/* Default flags are multi-producer; RING_F_SC_DEQ: one
		 * consumer; RTS: relaxed tail sync for the producers. */
		unsigned int flags = RING_F_SC_DEQ |
			(k == IMPL_RING_RTS ? RING_F_MP_RTS_ENQ : 0);

		if (posix_memalign((void **)&ring[k], RTE_CACHE_LINE_SIZE,
				   (size_t)ring_mem) != 0 ||
		    rte_ring_init(ring[k], impl_name[k], ring_size,
				  flags) != 0) {
			fprintf(stderr, "ring setup failed\n");
			return 1;
		}
	}

	printf("bench_mpsc: %llu msgs/run, %u runs (median shown), "
	       "1 consumer, ring size %u, %ld online cpus\n",
	       (unsigned long long)total, runs, ring_size, ncpu);
	printf("%-3s %-13s %10s %12s %12s\n", "P", "impl", "Mmsg/s",
	       "cyc/msg", "cyc/enqueue");
	for (p = 0; p <= maxp; p++) {
		/* Interleave implementations run by run, so drifting machine
		 * load hits them alike. */
		for (i = 0; i < runs; i++)
			for (k = 0; k < IMPL_MAX; k++) {
				if (skipped(k, p, ncpu, oversub))
					continue;
				if (run_once((enum impl)k, p, total, ring[k],
					     msgs, &res) != 0)
					return 1;
				mops[k][i] = res.mops;
				cpm[k][i] = res.cyc_per_msg;
				cpe[k][i] = res.cyc_per_enq;
			}
		for (k = 0; k < IMPL_MAX; k++) {
			if (skipped(k, p, ncpu, oversub)) {
				printf("%-3u %-13s %10s (oversubscribed: -o to "
				       "run)\n", p, impl_name[k], "skipped");
				med[k] = 0;
				continue;
			}
			med[k] = median(mops[k], runs);
			printf("%-3u %-13s %10.2f %12.1f %12.1f\n", p,
			       impl_name[k], med[k], median(cpm[k], runs),
			       median(cpe[k], runs));
		}
		printf("%-3u ratio of median throughput: mpsc/mpsc-1line %.2f, "
		       "mpsc/rte_ring %.2f, mpsc/rte_ring-burst32 %.2f, "
		       "mpsc/rte_ring-rts %.2f\n", p,
		       med[IMPL_MPSC] / med[IMPL_MPSC_SHARED],
		       med[IMPL_RING] > 0 ? med[IMPL_MPSC] / med[IMPL_RING] : 0,
		       med[IMPL_RING_BURST] > 0 ?
			       med[IMPL_MPSC] / med[IMPL_RING_BURST] : 0,
		       med[IMPL_MPSC] / med[IMPL_RING_RTS]);
	}
	for (k = 0; k < IMPL_MAX; k++)
		free(ring[k]);
	free(msgs);
	return 0;
}
