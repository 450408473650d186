/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mpsc.c: the intrusive MPSC queue (src/dataplane/mpsc.h): single-thread
 * edge cases, then a stress run with several producers and one consumer per
 * queue checking no loss, no duplication, per-producer FIFO order, and that
 * the number of enqueues returning "unblocked" equals the number of
 * empty -> non-empty transitions (counted exactly by the consumer as the
 * dequeues that turned the queue empty).
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/mpsc.h"

/* ---- single thread ------------------------------------------------------ */

static void
test_empty(void **state)
{
	struct mpsc q;
	struct mpsc_cursor c;
	bool emptied = true;

	(void)state;
	mpsc_init(&q, &c);
	assert_true(mpsc_empty(&q));
	assert_null(mpsc_peek(&q, &c));
	assert_null(mpsc_dequeue(&q, &c));
	assert_null(mpsc_dequeue_emptied(&q, &c, &emptied));
	assert_false(emptied);
}

static void
test_one(void **state)
{
	struct mpsc q = MPSC_INITIALIZER;
	struct mpsc_cursor c = MPSC_CURSOR_INITIALIZER;
	struct svc_msg a = { .type = SVC_MSG_NOTIFY, .arg = 7 };
	bool emptied = false;

	(void)state;
	assert_true(mpsc_enqueue(&q, &a));
	assert_false(mpsc_empty(&q));
	assert_ptr_equal(mpsc_peek(&q, &c), &a);
	assert_ptr_equal(mpsc_dequeue_emptied(&q, &c, &emptied), &a);
	assert_true(emptied);
	assert_int_equal(a.arg, 7);
	assert_true(mpsc_empty(&q));
	assert_null(mpsc_dequeue(&q, &c));
	/* The same message may go on again once off. */
	assert_true(mpsc_enqueue(&q, &a));
	assert_ptr_equal(mpsc_dequeue(&q, &c), &a);
	assert_true(mpsc_empty(&q));
}

static void
test_unblocked_first_only(void **state)
{
	struct mpsc q;
	struct mpsc_cursor c;
	struct svc_msg m[5];
	bool emptied;
	int i;

	(void)state;
	mpsc_init(&q, &c);
	for (i = 0; i < 5; i++)
		assert_int_equal(mpsc_enqueue(&q, &m[i]), i == 0);
	for (i = 0; i < 5; i++) {
		assert_ptr_equal(mpsc_dequeue_emptied(&q, &c, &emptied), &m[i]);
		assert_int_equal(emptied, i == 4);
	}
	assert_null(mpsc_dequeue(&q, &c));

	/* Refill after a partial drain: not empty, so no unblock. */
	assert_true(mpsc_enqueue(&q, &m[0]));
	assert_false(mpsc_enqueue(&q, &m[1]));
	assert_ptr_equal(mpsc_dequeue(&q, &c), &m[0]);
	assert_false(mpsc_enqueue(&q, &m[2]));
	assert_ptr_equal(mpsc_dequeue(&q, &c), &m[1]);
	assert_ptr_equal(mpsc_dequeue_emptied(&q, &c, &emptied), &m[2]);
	assert_true(emptied);
	assert_true(mpsc_enqueue(&q, &m[3]));
	assert_ptr_equal(mpsc_dequeue(&q, &c), &m[3]);
}

/* White box: the state between an unblocking producer's exchange and its
 * publication of head reads as "nothing to dequeue" but not empty. */
static void
test_publish_window(void **state)
{
	struct mpsc q;
	struct mpsc_cursor c;
	struct svc_msg a = { 0 };

	(void)state;
	mpsc_init(&q, &c);
	q.tail = &a;
	assert_false(mpsc_empty(&q));
	assert_null(mpsc_peek(&q, &c));
	assert_null(mpsc_dequeue(&q, &c));
	q.head = &a; /* the producer's store */
	assert_ptr_equal(mpsc_peek(&q, &c), &a);
	assert_ptr_equal(mpsc_dequeue(&q, &c), &a);
	assert_null(q.head); /* taken over once per non-empty period */
	assert_true(mpsc_empty(&q));
}

/* ---- stress ------------------------------------------------------------- */

#define NPROD 4
#define NQUEUE 3
#define PER_PROD 100000u

struct tmsg {
	struct svc_msg m;
	uint32_t prod;
	uint32_t seq;
	uint32_t seen;
};

struct squeue {
	struct mpsc q;
	struct mpsc_cursor c __attribute__((aligned(64)));
	uint64_t unblocked;  /* producers' trues, added atomically at the end */
	uint64_t emptied;    /* consumer's non-empty -> empty transitions */
	uint64_t got;
	uint64_t expected;
	uint32_t last_seq[NPROD];
	uint64_t order_errors;
	uint64_t dup_errors;
};

static struct squeue squeues[NQUEUE];
static struct tmsg *msgs; /* NPROD * PER_PROD */
static volatile int go;

static void *
producer(void *arg)
{
	uint32_t p = (uint32_t)(uintptr_t)arg;
	uint64_t trues[NQUEUE] = { 0 };
	uint32_t i, qi;
	struct tmsg *tm;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
	for (i = 0; i < PER_PROD; i++) {
		/* Spread over queues unevenly so queues empty and refill. */
		qi = (i * 7 + p) % NQUEUE;
		tm = &msgs[p * PER_PROD + i];
		tm->prod = p;
		tm->seq = i;
		tm->m.type = SVC_MSG_NOTIFY;
		if (mpsc_enqueue(&squeues[qi].q, &tm->m))
			trues[qi]++;
		if ((i & 1023) == 0)
			sched_yield(); /* let the consumers empty the queues */
	}
	for (qi = 0; qi < NQUEUE; qi++)
		__atomic_fetch_add(&squeues[qi].unblocked, trues[qi],
				   __ATOMIC_RELAXED);
	return NULL;
}

static void *
consumer(void *arg)
{
	struct squeue *sq = arg;
	struct svc_msg *m;
	struct tmsg *tm;
	bool emptied;
	unsigned int idle = 0;

	while (sq->got < sq->expected) {
		m = mpsc_dequeue_emptied(&sq->q, &sq->c, &emptied);
		if (m == NULL) {
			if (++idle > 64)
				sched_yield();
			continue;
		}
		idle = 0;
		if (emptied)
			sq->emptied++;
		tm = (struct tmsg *)m;
		if (tm->seen++ != 0)
			sq->dup_errors++;
		/* seq starts at 0; last_seq holds last + 1 */
		if (tm->seq + 1 <= sq->last_seq[tm->prod])
			sq->order_errors++;
		sq->last_seq[tm->prod] = tm->seq + 1;
		sq->got++;
	}
	return NULL;
}

static void
test_stress(void **state)
{
	pthread_t pt[NPROD], ct[NQUEUE];
	uint32_t p, i, qi;
	uint64_t total_unblocked = 0;

	(void)state;
	msgs = calloc((size_t)NPROD * PER_PROD, sizeof(*msgs));
	assert_non_null(msgs);
	memset(squeues, 0, sizeof(squeues));
	for (qi = 0; qi < NQUEUE; qi++)
		mpsc_init(&squeues[qi].q, &squeues[qi].c);
	for (p = 0; p < NPROD; p++)
		for (i = 0; i < PER_PROD; i++)
			squeues[(i * 7 + p) % NQUEUE].expected++;

	for (qi = 0; qi < NQUEUE; qi++)
		assert_int_equal(pthread_create(&ct[qi], NULL, consumer,
						&squeues[qi]), 0);
	for (p = 0; p < NPROD; p++)
		assert_int_equal(pthread_create(&pt[p], NULL, producer,
						(void *)(uintptr_t)p), 0);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	for (p = 0; p < NPROD; p++)
		pthread_join(pt[p], NULL);
	for (qi = 0; qi < NQUEUE; qi++)
		pthread_join(ct[qi], NULL);

	for (qi = 0; qi < NQUEUE; qi++) {
		struct squeue *sq = &squeues[qi];

		assert_true(mpsc_empty(&sq->q));
		assert_null(mpsc_dequeue(&sq->q, &sq->c));
		assert_int_equal(sq->got, sq->expected);
		assert_int_equal(sq->dup_errors, 0);
		assert_int_equal(sq->order_errors, 0);
		/* Exactly one "unblocked" per empty -> non-empty transition. */
		assert_int_equal(sq->unblocked, sq->emptied);
		assert_true(sq->unblocked >= 1);
		total_unblocked += sq->unblocked;
	}
	for (i = 0; i < NPROD * PER_PROD; i++)
		assert_int_equal(msgs[i].seen, 1);
	print_message("stress: %u messages, %llu unblocking enqueues\n",
		      NPROD * PER_PROD, (unsigned long long)total_unblocked);
	free(msgs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_unblocked_first_only),
		cmocka_unit_test(test_publish_window),
		cmocka_unit_test(test_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
