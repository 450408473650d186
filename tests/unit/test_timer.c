/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_timer.c: timers delivered as SVC_MSG_TIMER messages into the owner's
 * service queue (src/dataplane/timer.c): many timers arrive once each, in
 * expiry order, never before due; cancel; re-arm moves a timer; an expiry
 * due while the timer's previous message is still queued reuses it (one
 * svc_msg is never queued twice); a cancelled or re-armed queued expiry
 * never reaches the handler.
 *
 * Tolerance: "not earlier than armed" is checked exactly on CLOCK_MONOTONIC
 * (arrival >= clock read before the arm call + delay); there is no upper
 * bound except the generous WAIT_S waits for things to happen at all.
 */
#include <errno.h>
#include <pthread.h>
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
#include "dataplane/timer.h"

#define WAIT_S 30.0
#define MS 1000000ull

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool
wait_for(bool (*cond)(void *), void *arg, double secs)
{
	uint64_t end = now_ns() + (uint64_t)(secs * 1e9);

	while (!cond(arg)) {
		if (now_ns() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* ---- the owner: records what its handler sees ---------------------------- */

#define NTIMERS 1000

struct rec {
	struct nsdp_timer *t;
	uint64_t at_ns;
	uint16_t type;
	uint16_t subtype;
	uint32_t arg;
};

struct owner {
	struct svcq q;
	struct rec rec[4 * NTIMERS]; /* [Q] */
	uint32_t nrec;               /* [Q], published with release */
};

static void
owner_handler(struct svcq *q, struct svc_msg *m, void *ctx)
{
	struct owner *o = ctx;
	uint32_t n = o->nrec;

	(void)q;
	if (n < sizeof(o->rec) / sizeof(o->rec[0])) {
		o->rec[n].t = nsdp_timer_from_msg(m);
		o->rec[n].at_ns = now_ns();
		o->rec[n].type = m->type;
		o->rec[n].subtype = m->subtype;
		o->rec[n].arg = m->arg;
	}
	/* Release: main reads the records after seeing the count. */
	__atomic_store_n(&o->nrec, n + 1, __ATOMIC_RELEASE);
}

static uint32_t
owner_count(struct owner *o)
{
	return __atomic_load_n(&o->nrec, __ATOMIC_ACQUIRE);
}

struct want {
	struct owner *o;
	uint32_t n;
};

static bool
owner_has(void *arg)
{
	struct want *w = arg;

	return owner_count(w->o) >= w->n;
}

struct enq_want {
	struct svcq *q;
	uint64_t n;
};

static bool
queue_has(void *arg)
{
	struct enq_want *w = arg;
	struct svcq_stats st;

	svcq_stats(w->q, &st);
	return st.enqueued >= w->n;
}

static bool
timer_fired(void *arg)
{
	return !nsdp_timer_armed(arg);
}

/* Process-context drain of the owner's queue (no workers in these tests). */
static unsigned int
owner_drain(struct owner *o)
{
	unsigned int n;

	svcq_consume_begin(&o->q);
	n = svcq_drain(&o->q);
	svcq_consume_end(&o->q);
	return n;
}

/* ---- many timers with a worker ------------------------------------------ */

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
test_many_ordered(void **state)
{
	static struct owner o;
	static struct nsdp_timer t[NTIMERS];
	static uint64_t armed_at[NTIMERS], delay[NTIMERS];
	static bool cancelled[NTIMERS];
	static uint32_t seen[NTIMERS];
	struct worker_thread w = { 0 };
	struct timer_service *ts;
	struct svc_sched *s;
	struct want want = { &o, 0 };
	unsigned int seed = 12345, i, live = 0;
	uint32_t n;
	size_t idx;

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(seen, 0, sizeof(seen));
	s = svc_sched_create(1, 1);
	assert_non_null(s);
	ts = timer_service_create();
	assert_non_null(ts);
	assert_int_equal(svcq_init(&o.q, s, "owner", owner_handler, &o), 0);
	w.s = s;
	assert_int_equal(pthread_create(&w.th, NULL, worker_main, &w), 0);
	assert_int_equal(timer_service_start(ts), 0);
	assert_int_equal(timer_service_start(ts), -EALREADY);

	for (i = 0; i < NTIMERS; i++) {
		nsdp_timer_init(&t[i], ts, &o.q, (uint16_t)(i & 0xffff));
		delay[i] = (50 + (uint64_t)(rand_r(&seed) % 250)) * MS;
		armed_at[i] = now_ns();
		assert_int_equal(nsdp_timer_arm(&t[i], delay[i]), 0);
	}
	/* Move a third, cancel a sixth: both must take effect exactly. */
	for (i = 0; i < NTIMERS; i += 3) {
		delay[i] = (20 + (uint64_t)(rand_r(&seed) % 300)) * MS;
		armed_at[i] = now_ns();
		assert_int_equal(nsdp_timer_arm(&t[i], delay[i]), 0);
	}
	for (i = 1; i < NTIMERS; i += 6) {
		/* Armed 50 ms or more ahead: the cancel stops it. */
		if (now_ns() < armed_at[i] + delay[i] - 10 * MS) {
			assert_true(nsdp_timer_cancel(&t[i]));
			cancelled[i] = true;
		}
	}
	for (i = 0; i < NTIMERS; i++)
		live += !cancelled[i];

	want.n = live;
	assert_true(wait_for(owner_has, &want, WAIT_S));
	/* Give a wrongly delivered cancelled timer a chance to show. */
	usleep(400 * 1000);
	n = owner_count(&o);
	assert_int_equal(n, live);

	for (i = 0; i < n; i++) {
		struct rec *r = &o.rec[i];

		idx = (size_t)(r->t - t);
		assert_true(idx < NTIMERS);
		assert_int_equal(r->type, SVC_MSG_TIMER);
		assert_int_equal(r->subtype, idx & 0xffff);
		assert_int_equal(r->arg, 0);
		assert_false(cancelled[idx]);
		seen[idx]++;
		/* Never before due (same clock, no tolerance needed). */
		assert_true(r->at_ns >= armed_at[idx] + delay[idx]);
		/* In expiry order. */
		if (i > 0)
			assert_true(o.rec[i - 1].t->expiry_ns <= r->t->expiry_ns);
	}
	for (i = 0; i < NTIMERS; i++) {
		assert_int_equal(seen[i], cancelled[i] ? 0 : 1);
		assert_true(nsdp_timer_idle(&t[i]));
		assert_false(nsdp_timer_cancel(&t[i]));
	}

	assert_int_equal(timer_service_stop(ts), 0);
	assert_int_equal(timer_service_stop(ts), -EALREADY);
	svc_sched_stop(s);
	pthread_join(w.th, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(svcq_fini(&o.q), 0);
	assert_int_equal(svc_sched_destroy(s), 0);
	timer_service_destroy(ts);
}

/* ---- deterministic cases: no worker, the test drains the queue ---------- */

struct fixture {
	struct svc_sched *s;
	struct timer_service *ts;
	struct owner o;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->s = svc_sched_create(1, 1);
	f->ts = timer_service_create();
	if (f->s == NULL || f->ts == NULL)
		return -1;
	if (svcq_init(&f->o.q, f->s, "owner", owner_handler, &f->o) != 0)
		return -1;
	if (timer_service_start(f->ts) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	timer_service_stop(f->ts);
	owner_drain(&f->o);
	/* Never run: destroying the scheduler unschedules the queue. */
	svc_sched_stop(f->s);
	svc_sched_destroy(f->s);
	svcq_fini(&f->o.q);
	timer_service_destroy(f->ts);
	free(f);
	return 0;
}

static void
test_cancel(void **state)
{
	struct fixture *f = *state;
	struct nsdp_timer t[50];
	struct enq_want ew = { &f->o.q, 25 };
	struct svcq_stats st;
	unsigned int i;

	for (i = 0; i < 50; i++) {
		nsdp_timer_init(&t[i], f->ts, &f->o.q, 7);
		assert_false(nsdp_timer_cancel(&t[i])); /* idle: nothing */
		assert_int_equal(nsdp_timer_arm(&t[i], (30 + i) * MS), 0);
		assert_true(nsdp_timer_pending(&t[i]));
	}
	for (i = 0; i < 50; i += 2) {
		assert_true(nsdp_timer_cancel(&t[i]));
		assert_false(nsdp_timer_cancel(&t[i]));
		assert_false(nsdp_timer_pending(&t[i]));
		assert_true(nsdp_timer_idle(&t[i]));
	}
	assert_true(wait_for(queue_has, &ew, WAIT_S));
	usleep(200 * 1000);
	svcq_stats(&f->o.q, &st);
	assert_int_equal(st.enqueued, 25);
	assert_int_equal(owner_drain(&f->o), 25);
	assert_int_equal(owner_count(&f->o), 25);
	for (i = 0; i < 25; i++)
		assert_int_equal((f->o.rec[i].t - t) % 2, 1);
}

static void
test_rearm_moves(void **state)
{
	struct fixture *f = *state;
	struct nsdp_timer t;
	struct enq_want ew = { &f->o.q, 1 };
	struct svcq_stats st;
	uint64_t before;

	nsdp_timer_init(&t, f->ts, &f->o.q, 3);
	assert_int_equal(nsdp_timer_arm(&t, 3600ull * 1000 * MS), 0);
	before = now_ns();
	assert_int_equal(nsdp_timer_arm(&t, 40 * MS), 0);
	assert_true(wait_for(queue_has, &ew, WAIT_S));
	assert_int_equal(owner_drain(&f->o), 1);
	assert_int_equal(owner_count(&f->o), 1);
	assert_true(f->o.rec[0].at_ns >= before + 40 * MS);
	assert_int_equal(f->o.rec[0].subtype, 3);
	usleep(100 * 1000);
	svcq_stats(&f->o.q, &st);
	assert_int_equal(st.enqueued, 1); /* the hour-long expiry is gone */
	assert_true(nsdp_timer_idle(&t));
	assert_int_equal(nsdp_timer_arm(&t, UINT64_MAX), -EOVERFLOW);
}

static void
test_fire_while_queued(void **state)
{
	struct fixture *f = *state;
	struct nsdp_timer t;
	struct svcq_stats st;

	nsdp_timer_init(&t, f->ts, &f->o.q, 9);

	/* Fires: the message is queued (nobody consumes yet). */
	assert_int_equal(nsdp_timer_arm(&t, 1 * MS), 0);
	assert_true(wait_for(timer_fired, &t, WAIT_S));
	assert_true(nsdp_timer_pending(&t));
	assert_false(nsdp_timer_idle(&t));
	/* Re-armed and due twice more before delivery: the queued message
	 * (made stale by each arm) is reused, never queued a second time. */
	assert_int_equal(nsdp_timer_arm(&t, 1 * MS), 0);
	assert_true(wait_for(timer_fired, &t, WAIT_S));
	assert_int_equal(nsdp_timer_arm(&t, 1 * MS), 0);
	assert_true(wait_for(timer_fired, &t, WAIT_S));
	svcq_stats(&f->o.q, &st);
	assert_int_equal(st.enqueued, 1); /* one svc_msg, queued once */
	assert_int_equal(owner_drain(&f->o), 1);
	assert_int_equal(owner_count(&f->o), 1);
	assert_int_equal(f->o.rec[0].subtype, 9);
	assert_true(nsdp_timer_idle(&t));

	/* Queued, then cancelled: dropped before the handler. */
	assert_int_equal(nsdp_timer_arm(&t, 1 * MS), 0);
	assert_true(wait_for(timer_fired, &t, WAIT_S));
	assert_true(nsdp_timer_cancel(&t));
	assert_false(nsdp_timer_pending(&t));
	assert_false(nsdp_timer_idle(&t)); /* its message is still queued */
	assert_false(nsdp_timer_cancel(&t));
	assert_int_equal(owner_drain(&f->o), 1);
	assert_int_equal(owner_count(&f->o), 1);
	assert_true(nsdp_timer_idle(&t));

	/* Queued, then re-armed: only the new expiry is delivered. */
	assert_int_equal(nsdp_timer_arm(&t, 1 * MS), 0);
	assert_true(wait_for(timer_fired, &t, WAIT_S));
	assert_int_equal(nsdp_timer_arm(&t, 3600ull * 1000 * MS), 0);
	assert_int_equal(owner_drain(&f->o), 1);
	assert_int_equal(owner_count(&f->o), 1); /* stale one dropped */
	assert_true(nsdp_timer_pending(&t));
	assert_true(nsdp_timer_cancel(&t));
	assert_true(nsdp_timer_idle(&t));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_ordered),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_moves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fire_while_queued, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
