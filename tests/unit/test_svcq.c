/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_svcq.c: service queues and the worker scheduler (src/dataplane/svcq.c):
 * every message handled exactly once with queues made ready from several
 * threads, never two consumers on a queue at once (workers and process
 * context), a scheduled worker skipping a queue a process-context consumer
 * holds, the wake factor waking extra workers under backlog (and not when
 * set high), idle workers asleep, and stop() returning every worker.
 *
 * Timing: waits are bounded polls (at most tens of seconds, normally
 * milliseconds); nothing asserts how fast anything happens.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/svcq.h"

#define WAIT_S 30.0

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll @p cond every millisecond for at most @p secs. */
static bool
wait_for(bool (*cond)(void *), void *arg, double secs)
{
	double end = mono_s() + secs;

	while (!cond(arg)) {
		if (mono_s() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* ---- worker threads ----------------------------------------------------- */

struct worker_thread {
	pthread_t th;
	struct svc_sched *s;
	int rc;
};

static void *
worker_main(void *arg)
{
	struct worker_thread *w = arg;

	w->rc = svc_worker_run(w->s);
	return NULL;
}

static void
workers_start(struct worker_thread *w, unsigned int n, struct svc_sched *s)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		w[i].s = s;
		w[i].rc = -1;
		assert_int_equal(pthread_create(&w[i].th, NULL, worker_main,
						&w[i]), 0);
	}
}

/* Stop and join with a bound: a worker that does not return fails. */
static void
workers_stop(struct worker_thread *w, unsigned int n, struct svc_sched *s)
{
	struct timespec abs;
	unsigned int i;

	svc_sched_stop(s);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &abs);
		abs.tv_sec += 10;
		assert_int_equal(pthread_timedjoin_np(w[i].th, NULL, &abs), 0);
		assert_int_equal(w[i].rc, 0);
	}
}

struct asleep_arg {
	struct svc_sched *s;
	unsigned int n;
};

/* All @p n workers started, and every one of them in the sleep loop. */
static bool
all_asleep_cond(void *arg)
{
	struct asleep_arg *a = arg;
	struct svc_sched_stats st;

	svc_sched_stats(a->s, &st);
	return st.workers == a->n && st.live == a->n && st.running == 0 &&
	       st.sleeping == a->n;
}

static bool
all_asleep(struct svc_sched *s, unsigned int n)
{
	struct asleep_arg a = { s, n };

	return wait_for(all_asleep_cond, &a, WAIT_S);
}

/* ---- a queue with exclusivity checks ------------------------------------ */

struct tq {
	struct svcq q;
	int busy;           /* consumers inside now: must be 0 or 1 */
	uint64_t handled;   /* [Q] */
};

struct tmsg {
	struct svc_msg m;
	uint32_t handled;   /* times the handler saw it */
};

static uint64_t overlap_errors;
static uint64_t total_handled;

static void
consumer_enter(struct tq *t)
{
	if (__atomic_fetch_add(&t->busy, 1, __ATOMIC_ACQ_REL) != 0)
		__atomic_fetch_add(&overlap_errors, 1, __ATOMIC_RELAXED);
}

static void
consumer_leave(struct tq *t)
{
	__atomic_fetch_sub(&t->busy, 1, __ATOMIC_ACQ_REL);
}

static void
tq_handler(struct svcq *q, struct svc_msg *m, void *ctx)
{
	struct tq *t = ctx;
	struct tmsg *tm = (struct tmsg *)m;

	(void)q;
	consumer_enter(t);
	tm->handled++;
	t->handled++;
	if ((t->handled & 63) == 0)
		sched_yield(); /* widen the window for overlap */
	consumer_leave(t);
	__atomic_fetch_add(&total_handled, 1, __ATOMIC_RELAXED);
}

/* ---- many producers, many queues, workers and process context ---------- */

#define NQ 16
#define NPROD 3
#define PER_PROD 30000u
#define NWORK 3
#define NSYSCALL 2

static struct tq tqs[NQ];
static struct tmsg *tmsgs;
static int producers_done;
static int syscalls_stop;
static uint64_t syscall_rounds;

static void *
producer_main(void *arg)
{
	uint32_t p = (uint32_t)(uintptr_t)arg;
	uint32_t i;

	for (i = 0; i < PER_PROD; i++) {
		svcq_enqueue(&tqs[(i * 5 + p * 3) % NQ].q,
			     &tmsgs[p * PER_PROD + i].m);
		if ((i & 255) == 0)
			sched_yield();
	}
	__atomic_fetch_add(&producers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* A thread in process context ("a system call"): become the consumer,
 * touch the state the queue protects, do the queue's pending work. */
static void *
syscall_main(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct tq *t;

	while (!__atomic_load_n(&syscalls_stop, __ATOMIC_ACQUIRE)) {
		t = &tqs[rand_r(&seed) % NQ];
		if (rand_r(&seed) & 1) {
			svcq_consume_begin(&t->q);
		} else if (!svcq_consume_try_begin(&t->q)) {
			sched_yield();
			continue;
		}
		consumer_enter(t);
		sched_yield();
		consumer_leave(t);
		if (rand_r(&seed) & 1)
			svcq_drain(&t->q);
		svcq_consume_end(&t->q);
		__atomic_fetch_add(&syscall_rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static bool
all_handled(void *arg)
{
	return __atomic_load_n(&total_handled, __ATOMIC_RELAXED) ==
	       *(uint64_t *)arg;
}

static void
run_many(bool with_syscalls)
{
	struct worker_thread w[NWORK];
	pthread_t pt[NPROD], st[NSYSCALL];
	struct svc_sched *s;
	struct svc_sched_stats ss;
	struct svc_worker_stats ws;
	struct svcq_stats qs;
	uint64_t total = (uint64_t)NPROD * PER_PROD, sum = 0, wmsgs = 0;
	unsigned int i;

	overlap_errors = 0;
	total_handled = 0;
	producers_done = 0;
	syscalls_stop = 0;
	syscall_rounds = 0;
	tmsgs = calloc(total, sizeof(*tmsgs));
	assert_non_null(tmsgs);
	for (i = 0; i < total; i++)
		tmsgs[i].m.type = SVC_MSG_NOTIFY;
	s = svc_sched_create(1, NWORK);
	assert_non_null(s);
	memset(tqs, 0, sizeof(tqs));
	for (i = 0; i < NQ; i++)
		assert_int_equal(svcq_init(&tqs[i].q, s, "tq", tq_handler,
					   &tqs[i]), 0);
	workers_start(w, NWORK, s);
	if (with_syscalls)
		for (i = 0; i < NSYSCALL; i++)
			assert_int_equal(pthread_create(&st[i], NULL,
					 syscall_main, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < NPROD; i++)
		assert_int_equal(pthread_create(&pt[i], NULL, producer_main,
						(void *)(uintptr_t)i), 0);
	for (i = 0; i < NPROD; i++)
		pthread_join(pt[i], NULL);

	assert_true(wait_for(all_handled, &total, WAIT_S));
	if (with_syscalls) {
		__atomic_store_n(&syscalls_stop, 1, __ATOMIC_RELEASE);
		for (i = 0; i < NSYSCALL; i++)
			pthread_join(st[i], NULL);
		print_message("process-context rounds: %llu\n",
			      (unsigned long long)syscall_rounds);
	}
	/* Every queue went idle with nothing stranded. */
	assert_true(all_asleep(s, NWORK));

	assert_int_equal(overlap_errors, 0);
	for (i = 0; i < total; i++)
		assert_int_equal(tmsgs[i].handled, 1);
	for (i = 0; i < NQ; i++) {
		svcq_stats(&tqs[i].q, &qs);
		assert_int_equal(qs.enqueued, qs.dequeued);
		assert_int_equal(qs.dequeued, tqs[i].handled);
		sum += tqs[i].handled;
	}
	assert_int_equal(sum, total);
	svc_sched_stats(s, &ss);
	assert_int_equal(ss.scheduled, 0);
	assert_int_equal(ss.workers, NWORK);
	for (i = 0; i < NWORK; i++) {
		assert_int_equal(svc_sched_worker_stats(s, i, &ws), 0);
		wmsgs += ws.msgs;
	}
	assert_int_equal(svc_sched_worker_stats(s, NWORK, &ws), -ENOENT);
	assert_true(wmsgs <= total);
	print_message("schedules %llu wakeups %llu sleeps %llu, "
		      "workers handled %llu of %llu\n",
		      (unsigned long long)ss.schedules,
		      (unsigned long long)ss.wakeups,
		      (unsigned long long)ss.sleeps,
		      (unsigned long long)wmsgs, (unsigned long long)total);

	workers_stop(w, NWORK, s);
	for (i = 0; i < NQ; i++)
		assert_int_equal(svcq_fini(&tqs[i].q), 0);
	assert_int_equal(svc_sched_destroy(s), 0);
	free(tmsgs);
}

static void
test_workers_exactly_once(void **state)
{
	(void)state;
	run_many(false);
}

static void
test_workers_and_process_context(void **state)
{
	(void)state;
	run_many(true);
}

/* ---- process context holding the queue ---------------------------------- */

static void
test_active_consumer_defers(void **state)
{
	struct worker_thread w[1];
	struct tmsg m[3] = { 0 };
	struct svcq_stats qs;
	struct svc_sched *s;
	struct tq t = { 0 };
	uint64_t three = 3;

	(void)state;
	total_handled = 0;
	overlap_errors = 0;
	s = svc_sched_create(1, 1);
	assert_non_null(s);
	assert_int_equal(svcq_init(&t.q, s, "held", tq_handler, &t), 0);

	/* A message while no worker runs: the queue is scheduled. */
	assert_true(svcq_enqueue(&t.q, &m[0].m));
	svcq_stats(&t.q, &qs);
	assert_int_equal(qs.schedules, 1);

	/* Process context takes the queue, then a worker starts: it finds
	 * the queue active and just unschedules it. */
	svcq_consume_begin(&t.q);
	assert_false(svcq_consume_try_begin(&t.q));
	workers_start(w, 1, s);
	assert_true(all_asleep(s, 1));
	assert_int_equal(__atomic_load_n(&total_handled, __ATOMIC_RELAXED), 0);

	/* Enqueues while the queue is held do not schedule it... */
	assert_false(svcq_enqueue(&t.q, &m[1].m));
	assert_false(svcq_enqueue(&t.q, &m[2].m));
	svcq_stats(&t.q, &qs);
	assert_int_equal(qs.schedules, 1);
	/* ...and ending the consume without draining hands them to a worker. */
	svcq_consume_end(&t.q);
	assert_true(wait_for(all_handled, &three, WAIT_S));
	assert_true(all_asleep(s, 1));
	assert_int_equal(m[0].handled + m[1].handled + m[2].handled, 3);
	svcq_stats(&t.q, &qs);
	assert_int_equal(qs.schedules, 2);
	assert_int_equal(qs.dequeued, 3);

	/* Process context draining itself: no schedule at all. */
	svcq_consume_begin(&t.q);
	assert_true(svcq_enqueue(&t.q, &m[0].m));
	assert_int_equal(svcq_drain(&t.q), 1);
	svcq_consume_end(&t.q);
	svcq_stats(&t.q, &qs);
	assert_int_equal(qs.schedules, 2);
	assert_int_equal(m[0].handled, 2);
	assert_int_equal(overlap_errors, 0);

	workers_stop(w, 1, s);
	assert_int_equal(svcq_fini(&t.q), 0);
	assert_int_equal(svc_sched_destroy(s), 0);
}

/* Stopped with a queue still scheduled: destroy unschedules it, and its
 * message can be drained in process context. */
static void
test_destroy_unschedules(void **state)
{
	struct svc_sched *s;
	struct tmsg m = { 0 };
	struct tq t = { 0 };

	(void)state;
	s = svc_sched_create(0, 1);
	assert_non_null(s);
	assert_int_equal(svcq_init(&t.q, s, "left", tq_handler, &t), 0);
	assert_true(svcq_enqueue(&t.q, &m.m));
	svc_sched_stop(s);
	assert_int_equal(svc_worker_run(s), -ESHUTDOWN);
	assert_int_equal(svcq_fini(&t.q), -EBUSY);
	svcq_consume_begin(&t.q);
	assert_int_equal(svcq_drain(&t.q), 1);
	svcq_consume_end(&t.q);
	assert_int_equal(svcq_fini(&t.q), -EBUSY); /* still scheduled */
	assert_int_equal(svc_sched_destroy(s), 0);
	assert_int_equal(svcq_fini(&t.q), 0);
	assert_int_equal(m.handled, 1);
}

/* ---- wake factor ------------------------------------------------------- */

#define NBLOCK 8
#define NWAKE 4

static int release_handlers;
static int in_handlers;
static int max_in_handlers;

static void
block_handler(struct svcq *q, struct svc_msg *m, void *ctx)
{
	double end = mono_s() + WAIT_S;
	int now, max;

	(void)q;
	(void)m;
	(void)ctx;
	now = __atomic_add_fetch(&in_handlers, 1, __ATOMIC_ACQ_REL);
	max = __atomic_load_n(&max_in_handlers, __ATOMIC_RELAXED);
	while (now > max && !__atomic_compare_exchange_n(&max_in_handlers,
			&max, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	while (!__atomic_load_n(&release_handlers, __ATOMIC_ACQUIRE) &&
	       mono_s() < end)
		usleep(1000);
	__atomic_sub_fetch(&in_handlers, 1, __ATOMIC_ACQ_REL);
	__atomic_fetch_add(&total_handled, 1, __ATOMIC_RELAXED);
}

static bool
concurrency_ge2(void *arg)
{
	(void)arg;
	return __atomic_load_n(&max_in_handlers, __ATOMIC_RELAXED) >= 2;
}

static unsigned int
run_wake(unsigned int factor, bool expect_help)
{
	struct worker_thread w[NWAKE];
	struct svcq qs[NBLOCK];
	struct svc_msg m[NBLOCK] = { 0 };
	struct svc_sched *s;
	struct svc_sched_stats st;
	uint64_t total = NBLOCK;
	unsigned int i;

	release_handlers = 0;
	in_handlers = 0;
	max_in_handlers = 0;
	total_handled = 0;
	s = svc_sched_create(factor, NWAKE);
	assert_non_null(s);
	for (i = 0; i < NBLOCK; i++)
		assert_int_equal(svcq_init(&qs[i], s, "blk", block_handler,
					   NULL), 0);
	workers_start(w, NWAKE, s);
	/* Start from every worker asleep, so only our enqueues wake them. */
	assert_true(all_asleep(s, NWAKE));

	for (i = 0; i < NBLOCK; i++)
		assert_true(svcq_enqueue(&qs[i], &m[i]));
	if (expect_help) {
		/* Handlers block until released, so each extra worker that
		 * comes in shows up as concurrency. */
		assert_true(wait_for(concurrency_ge2, NULL, WAIT_S));
	} else {
		/* One worker was woken by the enqueuer and it does not ask
		 * for help; give others every chance to show up wrongly. */
		assert_true(wait_for(concurrency_ge2, NULL, 0.3) == false);
	}
	__atomic_store_n(&release_handlers, 1, __ATOMIC_RELEASE);
	assert_true(wait_for(all_handled, &total, WAIT_S));
	assert_true(all_asleep(s, NWAKE));
	svc_sched_stats(s, &st);
	print_message("factor %u: max concurrent handlers %d, wakeups %llu\n",
		      factor, max_in_handlers,
		      (unsigned long long)st.wakeups);
	workers_stop(w, NWAKE, s);
	for (i = 0; i < NBLOCK; i++)
		assert_int_equal(svcq_fini(&qs[i]), 0);
	assert_int_equal(svc_sched_destroy(s), 0);
	return (unsigned int)max_in_handlers;
}

static void
test_wake_factor(void **state)
{
	(void)state;
	/* Factor 0: any backlog wakes another worker; up to all four. */
	assert_true(run_wake(0, true) >= 2);
	/* Factor 1000: a backlog of 7 never exceeds running * 1000. */
	assert_int_equal(run_wake(1000, false), 1);
}

/* ---- stop and limits ----------------------------------------------------- */

static void
test_stop_returns_workers(void **state)
{
	struct worker_thread w[3];
	struct svc_sched *s;
	struct svc_sched_stats st;
	struct svc_worker_stats ws;
	unsigned int i;

	(void)state;
	assert_null(svc_sched_create(1, 0));
	assert_int_equal(errno, EINVAL);
	s = svc_sched_create(1, 3);
	assert_non_null(s);
	workers_start(w, 3, s);
	assert_true(all_asleep(s, 3));
	/* A fourth worker is over the limit. */
	assert_int_equal(svc_worker_run(s), -ENOSPC);
	assert_int_equal(svc_sched_destroy(s), -EBUSY);
	svc_sched_stats(s, &st);
	assert_true(st.sleeps >= 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(svc_sched_worker_stats(s, i, &ws), 0);
		assert_true(ws.live);
	}
	workers_stop(w, 3, s);
	svc_sched_stats(s, &st);
	assert_int_equal(st.live, 0);
	assert_int_equal(svc_sched_destroy(s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_exactly_once),
		cmocka_unit_test(test_workers_and_process_context),
		cmocka_unit_test(test_active_consumer_defers),
		cmocka_unit_test(test_destroy_unschedules),
		cmocka_unit_test(test_wake_factor),
		cmocka_unit_test(test_stop_returns_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
