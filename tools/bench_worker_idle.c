/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_worker_idle.c: CPU used by service-queue workers (src/dataplane/svcq.c)
 * when idle, during a burst, and idle again. Starts a scheduler with N worker
 * threads, lets them idle, then makes many queues ready from a producer
 * thread, then idles again; prints each worker's CPU time per phase (from
 * its thread CPU clock), messages handled, and the scheduler's counters.
 * Figures are printed, never asserted.
 *
 * usage: bench_worker_idle [-w workers] [-i idle_s] [-q queues]
 *                          [-m msgs] [-f wake_factor] [-c work_cycles]
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_pause.h>

#include "dataplane/svcq.h"

#define MAX_WORKERS 64

struct worker {
	pthread_t th;
	clockid_t cpu;
	struct svc_sched *s;
	int rc;
};

static uint64_t work_cycles = 500;
static uint64_t handled;

static void
handler(struct svcq *q, struct svc_msg *m, void *ctx)
{
	uint64_t end = rte_rdtsc() + work_cycles;

	(void)q;
	(void)m;
	(void)ctx;
	/* Stand-in for per-message protocol work. */
	while (rte_rdtsc() < end)
		rte_pause();
	__atomic_fetch_add(&handled, 1, __ATOMIC_RELAXED);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	w->rc = svc_worker_run(w->s);
	return NULL;
}

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_ms(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
snapshot(struct worker *w, unsigned int n, double *out)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = cpu_ms(w[i].cpu);
}

static void
print_phase(const char *name, double secs, const double *a, const double *b,
	    unsigned int n)
{
	double sum = 0;
	unsigned int i;

	printf("%-8s %6.2f s wall  cpu ms per worker:", name, secs);
	for (i = 0; i < n; i++) {
		printf(" %8.2f", b[i] - a[i]);
		sum += b[i] - a[i];
	}
	printf("  total %.2f ms (%.3f%% of one cpu)\n", sum,
	       sum / (secs * 1e3) * 100.0);
}

int
main(int argc, char **argv)
{
	unsigned int nworkers = 4, nq = 64, factor = 2, i;
	double idle_s = 3.0, t0, t1, t2, t3, t4;
	uint64_t nmsg = 1000000, k;
	double c0[MAX_WORKERS], c1[MAX_WORKERS], c2[MAX_WORKERS];
	double c3[MAX_WORKERS];
	struct worker w[MAX_WORKERS];
	struct svc_sched_stats st;
	struct svc_worker_stats ws;
	struct svc_sched *s;
	struct svc_msg *msgs;
	struct svcq *qs;
	int c;

	while ((c = getopt(argc, argv, "w:i:q:m:f:c:h")) != -1) {
		switch (c) {
		case 'w': nworkers = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'i': idle_s = strtod(optarg, NULL); break;
		case 'q': nq = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'm': nmsg = strtoull(optarg, NULL, 0); break;
		case 'f': factor = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'c': work_cycles = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-w workers] [-i idle_s] "
				"[-q queues] [-m msgs] [-f wake_factor] "
				"[-c work_cycles]\n", argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (nworkers == 0 || nworkers > MAX_WORKERS || nq == 0 || nmsg == 0) {
		fprintf(stderr, "bad arguments\n");
		return 2;
	}

	s = svc_sched_create(factor, nworkers);
	qs = calloc(nq, sizeof(*qs));
	msgs = calloc(nmsg, sizeof(*msgs));
	if (s == NULL || qs == NULL || msgs == NULL) {
		perror("setup");
		return 1;
	}
	for (i = 0; i < nq; i++)
		if (svcq_init(&qs[i], s, "bench", handler, NULL) != 0)
			return 1;
	for (i = 0; i < nworkers; i++) {
		w[i].s = s;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0 ||
		    pthread_getcpuclockid(w[i].th, &w[i].cpu) != 0) {
			perror("worker");
			return 1;
		}
	}
	printf("bench_worker_idle: %u workers, wake factor %u, %u queues, "
	       "%llu msgs, %llu cycles/msg, %ld online cpus\n", nworkers,
	       factor, nq, (unsigned long long)nmsg,
	       (unsigned long long)work_cycles, sysconf(_SC_NPROCESSORS_ONLN));

	/* Let the workers start and go to sleep before measuring. */
	usleep(200 * 1000);
	snapshot(w, nworkers, c0);
	t0 = mono_s();
	usleep((useconds_t)(idle_s * 1e6));
	t1 = mono_s();
	snapshot(w, nworkers, c1);

	for (k = 0; k < nmsg; k++)
		svcq_enqueue(&qs[k % nq], &msgs[k]);
	t2 = mono_s();
	while (__atomic_load_n(&handled, __ATOMIC_RELAXED) < nmsg)
		usleep(100);
	t3 = mono_s();
	snapshot(w, nworkers, c2);

	usleep((useconds_t)(idle_s * 1e6));
	t4 = mono_s();
	snapshot(w, nworkers, c3);

	print_phase("idle", t1 - t0, c0, c1, nworkers);
	print_phase("burst", t3 - t1, c1, c2, nworkers);
	print_phase("idle", t4 - t3, c2, c3, nworkers);
	printf("burst: enqueue %.3f s, until all handled %.3f s, "
	       "%.2f Mmsg/s\n", t2 - t1, t3 - t1,
	       (double)nmsg / (t3 - t1) / 1e6);
	svc_sched_stats(s, &st);
	printf("sched: schedules %llu wakeups %llu sleeps %llu running %u "
	       "scheduled %u\n", (unsigned long long)st.schedules,
	       (unsigned long long)st.wakeups, (unsigned long long)st.sleeps,
	       st.running, st.scheduled);
	for (i = 0; i < nworkers; i++) {
		if (svc_sched_worker_stats(s, i, &ws) != 0)
			continue;
		printf("worker %u: msgs %llu queues %llu sleeps %llu "
		       "busy %.1f ms idle %.1f ms\n", i,
		       (unsigned long long)ws.msgs,
		       (unsigned long long)ws.queues,
		       (unsigned long long)ws.sleeps, ws.busy_ns / 1e6,
		       ws.idle_ns / 1e6);
	}

	svc_sched_stop(s);
	for (i = 0; i < nworkers; i++)
		pthread_join(w[i].th, NULL);
	for (i = 0; i < nq; i++)
		svcq_fini(&qs[i]);
	svc_sched_destroy(s);
	free(msgs);
	free(qs);
	return 0;
}
