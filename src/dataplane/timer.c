/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * timer.c: the timer service: a binary min-heap of armed timers ordered by
 * expiry, and a thread that sleeps on a CLOCK_MONOTONIC condition variable
 * until the earliest expiry, then queues each due timer's message on its
 * owner's service queue. Semantics are in timer.h.
 *
 * Invariants (service mutex held):
 *  - t->heap_idx < ts->n  <=>  t is armed, and ts->heap[t->heap_idx] == t.
 *  - F_QUEUED  <=>  t->msg is on t->owner's queue (set when the service
 *    thread enqueues it, cleared by nsdp_timer_delivered()).
 *  - F_STALE only with F_QUEUED.
 *  - The owner's enqueue happens under the service mutex, so once
 *    nsdp_timer_cancel() returns no enqueue of the timer is in flight.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "svcq.h"
#include "timer.h"

#define TIMER_NOT_ARMED UINT32_MAX
#define TIMER_HEAP_MIN 64

struct timer_service {
	pthread_mutex_t lock;
	pthread_cond_t cv;        /* [T] the thread waits here */
	struct nsdp_timer **heap; /* [T] min-heap on expiry_ns */
	uint32_t n;               /* [T] armed timers */
	uint32_t cap;             /* [T] heap slots */
	bool stop;                /* [T] */
	bool running;             /* [T] the thread exists */
	pthread_t thread;         /* [T] */
	uint64_t fired;           /* [T] expiries */
	uint64_t reused;          /* [T] expiries that revived a stale queued msg */
};

static uint64_t
timer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- heap (service mutex held) ------------------------------------------ */

static inline bool
heap_less(const struct timer_service *ts, uint32_t a, uint32_t b)
{
	return ts->heap[a]->expiry_ns < ts->heap[b]->expiry_ns;
}

static inline void
heap_set(struct timer_service *ts, uint32_t i, struct nsdp_timer *t)
{
	ts->heap[i] = t;
	t->heap_idx = i;
}

static void
heap_up(struct timer_service *ts, uint32_t i)
{
	struct nsdp_timer *t = ts->heap[i];
	uint32_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (ts->heap[parent]->expiry_ns <= t->expiry_ns)
			break;
		heap_set(ts, i, ts->heap[parent]);
		i = parent;
	}
	heap_set(ts, i, t);
}

static void
heap_down(struct timer_service *ts, uint32_t i)
{
	struct nsdp_timer *t = ts->heap[i];
	uint32_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= ts->n)
			break;
		if (c + 1 < ts->n && heap_less(ts, c + 1, c))
			c++;
		if (t->expiry_ns <= ts->heap[c]->expiry_ns)
			break;
		heap_set(ts, i, ts->heap[c]);
		i = c;
	}
	heap_set(ts, i, t);
}

static int
heap_reserve(struct timer_service *ts)
{
	struct nsdp_timer **h;
	uint32_t cap;

	if (ts->n < ts->cap)
		return 0;
	if (ts->cap >= UINT32_MAX / 2)
		return -ENOMEM;
	cap = ts->cap != 0 ? ts->cap * 2 : TIMER_HEAP_MIN;
	h = realloc(ts->heap, (size_t)cap * sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	ts->heap = h;
	ts->cap = cap;
	return 0;
}

/* Insert; the caller reserved a slot. */
static void
heap_insert(struct timer_service *ts, struct nsdp_timer *t)
{
	heap_set(ts, ts->n++, t);
	heap_up(ts, t->heap_idx);
}

static void
heap_remove(struct timer_service *ts, struct nsdp_timer *t)
{
	uint32_t i = t->heap_idx;
	struct nsdp_timer *last;

	t->heap_idx = TIMER_NOT_ARMED;
	last = ts->heap[--ts->n];
	if (i == ts->n)
		return;
	heap_set(ts, i, last);
	if (i > 0 && last->expiry_ns < ts->heap[(i - 1) / 2]->expiry_ns)
		heap_up(ts, i);
	else
		heap_down(ts, i);
}

static inline bool
timer_armed(const struct nsdp_timer *t)
{
	return t->heap_idx != TIMER_NOT_ARMED;
}

/* ---- expiry ------------------------------------------------------------- */

/* A due timer, already off the heap: queue its message (service mutex held,
 * so cancel and re-arm are excluded until the message is on the queue). */
/* A due timer, already off the heap: queue its message (service mutex held,
 * so cancel and re-arm are excluded until the message is on the queue). */
static void
timer_fire(struct timer_service *ts, struct nsdp_timer *t)
{
	ts->fired++;
	if (t->flags & NSDP_TIMER_F_QUEUED) {
		/* Only a re-arm makes a queued timer due again, and it made the
		 * queued message stale: that message now stands for this
		 * expiry. One svc_msg is never on a queue twice. */
		t->flags &= (uint32_t)~NSDP_TIMER_F_STALE;
		ts->reused++;
		return;
	}
	t->flags |= NSDP_TIMER_F_QUEUED;
	svcq_enqueue(t->owner, &t->msg);
}

static void *
timer_thread(void *arg)
{
	struct timer_service *ts = arg;
	struct nsdp_timer *t;
	struct timespec abs;
	uint64_t now, due;

	pthread_mutex_lock(&ts->lock);
	while (!ts->stop) {
		now = timer_now_ns();
		while (ts->n != 0 && ts->heap[0]->expiry_ns <= now) {
			t = ts->heap[0];
			heap_remove(ts, t);
			timer_fire(ts, t);
		}
		if (ts->n == 0) {
			pthread_cond_wait(&ts->cv, &ts->lock);
			continue;
		}
		due = ts->heap[0]->expiry_ns;
		abs.tv_sec = (time_t)(due / 1000000000ull);
		abs.tv_nsec = (long)(due % 1000000000ull);
		/* Woken early by an arm of an earlier expiry, a stop, or a
		 * spurious wakeup: the loop re-reads the clock either way. */
		pthread_cond_timedwait(&ts->cv, &ts->lock, &abs);
	}
	pthread_mutex_unlock(&ts->lock);
	return NULL;
}

/* ---- service ------------------------------------------------------------ */

struct timer_service *
timer_service_create(void)
{
	struct timer_service *ts;
	pthread_condattr_t ca;
	int rc;

	ts = calloc(1, sizeof(*ts));
	if (ts == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	rc = pthread_mutex_init(&ts->lock, NULL);
	if (rc != 0)
		goto fail;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&ts->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&ts->lock);
		goto fail;
	}
	return ts;
fail:
	free(ts);
	errno = rc;
	return NULL;
}

int
timer_service_start(struct timer_service *ts)
{
	int rc;

	pthread_mutex_lock(&ts->lock);
	if (ts->running) {
		pthread_mutex_unlock(&ts->lock);
		return -EALREADY;
	}
	ts->stop = false;
	rc = pthread_create(&ts->thread, NULL, timer_thread, ts);
	if (rc == 0) {
		ts->running = true;
		pthread_setname_np(ts->thread, "nsdp-timer");
	}
	pthread_mutex_unlock(&ts->lock);
	return -rc;
}

int
timer_service_stop(struct timer_service *ts)
{
	pthread_t th;

	pthread_mutex_lock(&ts->lock);
	if (!ts->running) {
		pthread_mutex_unlock(&ts->lock);
		return -EALREADY;
	}
	ts->stop = true;
	th = ts->thread;
	pthread_cond_signal(&ts->cv);
	pthread_mutex_unlock(&ts->lock);
	pthread_join(th, NULL);
	pthread_mutex_lock(&ts->lock);
	ts->running = false;
	pthread_mutex_unlock(&ts->lock);
	return 0;
}

void
timer_service_destroy(struct timer_service *ts)
{
	uint32_t i;

	if (ts == NULL)
		return;
	if (ts->running)
		timer_service_stop(ts);
	for (i = 0; i < ts->n; i++)
		ts->heap[i]->heap_idx = TIMER_NOT_ARMED;
	free(ts->heap);
	pthread_cond_destroy(&ts->cv);
	pthread_mutex_destroy(&ts->lock);
	free(ts);
}

void
timer_service_stats(struct timer_service *ts, struct timer_service_stats *st)
{
	pthread_mutex_lock(&ts->lock);
	st->armed = ts->n;
	st->fired = ts->fired;
	st->reused = ts->reused;
	pthread_mutex_unlock(&ts->lock);
}

/* ---- timers ------------------------------------------------------------- */

void
nsdp_timer_init(struct nsdp_timer *t, struct timer_service *ts,
		struct svcq *owner, uint16_t subtype)
{
	t->msg.next = NULL;
	t->msg.type = SVC_MSG_TIMER;
	t->msg.subtype = subtype;
	t->msg.arg = 0;
	t->svc = ts;
	t->owner = owner;
	t->expiry_ns = 0;
	t->heap_idx = TIMER_NOT_ARMED;
	t->flags = 0;
}

int
nsdp_timer_arm(struct nsdp_timer *t, uint64_t delay_ns)
{
	struct timer_service *ts = t->svc;
	uint64_t now;
	int rc;

	pthread_mutex_lock(&ts->lock);
	/* The clock is read under the mutex: an expiry set after the service
	 * thread fired another timer is never earlier than that one's, so
	 * delivery order on a queue is expiry order. */
	now = timer_now_ns();
	if (delay_ns > (uint64_t)INT64_MAX - now) {
		pthread_mutex_unlock(&ts->lock);
		return -EOVERFLOW;
	}
	if (timer_armed(t)) {
		heap_remove(ts, t);
	} else {
		rc = heap_reserve(ts);
		if (rc != 0) {
			pthread_mutex_unlock(&ts->lock);
			return rc;
		}
	}
	/* The new expiry replaces one queued and not yet delivered. */
	if (t->flags & NSDP_TIMER_F_QUEUED)
		t->flags |= NSDP_TIMER_F_STALE;
	t->expiry_ns = now + delay_ns;
	heap_insert(ts, t);
	/* A new earliest expiry: the thread must shorten its sleep. */
	if (t->heap_idx == 0)
		pthread_cond_signal(&ts->cv);
	pthread_mutex_unlock(&ts->lock);
	return 0;
}

bool
nsdp_timer_cancel(struct nsdp_timer *t)
{
	struct timer_service *ts = t->svc;
	bool stopped = false;

	pthread_mutex_lock(&ts->lock);
	if (timer_armed(t)) {
		heap_remove(ts, t);
		stopped = true;
	}
	if ((t->flags & NSDP_TIMER_F_QUEUED) &&
	    !(t->flags & NSDP_TIMER_F_STALE)) {
		t->flags |= NSDP_TIMER_F_STALE;
		stopped = true;
	}
	pthread_mutex_unlock(&ts->lock);
	return stopped;
}

bool
nsdp_timer_pending(struct nsdp_timer *t)
{
	struct timer_service *ts = t->svc;
	bool pending;

	pthread_mutex_lock(&ts->lock);
	pending = timer_armed(t) ||
		  (t->flags & (NSDP_TIMER_F_QUEUED | NSDP_TIMER_F_STALE)) ==
			  NSDP_TIMER_F_QUEUED;
	pthread_mutex_unlock(&ts->lock);
	return pending;
}

bool
nsdp_timer_armed(struct nsdp_timer *t)
{
	struct timer_service *ts = t->svc;
	bool armed;

	pthread_mutex_lock(&ts->lock);
	armed = timer_armed(t);
	pthread_mutex_unlock(&ts->lock);
	return armed;
}

bool
nsdp_timer_idle(struct nsdp_timer *t)
{
	struct timer_service *ts = t->svc;
	bool idle;

	pthread_mutex_lock(&ts->lock);
	idle = !timer_armed(t) && !(t->flags & NSDP_TIMER_F_QUEUED);
	pthread_mutex_unlock(&ts->lock);
	return idle;
}

bool
nsdp_timer_delivered(struct nsdp_timer *t)
{
	struct timer_service *ts = t->svc;
	bool live;

	pthread_mutex_lock(&ts->lock);
	live = !(t->flags & NSDP_TIMER_F_STALE);
	t->flags &= (uint32_t)~(NSDP_TIMER_F_QUEUED | NSDP_TIMER_F_STALE);
	pthread_mutex_unlock(&ts->lock);
	return live;
}
