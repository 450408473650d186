/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svcq.c: service queues (consumer state, process-context consumers) and the
 * worker scheduler: the scheduler queue of ready service queues, the count of
 * scheduled queues and running workers, waking and sleeping.
 *
 * Worker accounting: s->running counts workers that are awake plus wakeups
 * issued and not yet taken (s->tokens); a waker increments it on behalf of
 * the worker it wakes, so several workers deciding at once do not all wake
 * the same sleeper's worth of help. A worker leaving the running count to
 * sleep and an enqueuer scheduling a queue form a Dekker pair:
 *
 *   enqueuer: push on runq (xchg); running += 0 (RMW) == 0 -> wake one
 *   worker:   running -= 1 (RMW);  read runq empty        -> sleep
 *
 * Both sides touch running with read-modify-writes, which are totally
 * ordered on it and each read the latest value: if the worker's comes
 * first the enqueuer reads the decrement; if the enqueuer's comes first
 * the worker's acquire RMW synchronises with it, so the worker's re-check
 * sees the push. A scheduled queue is never left with every worker
 * asleep. The wakeup itself is a token counted under the sleep mutex, so it
 * is not lost if it comes before the worker reaches pthread_cond_wait().
 *
 * Lock order: timer service mutex -> svcq mutex -> scheduler sleep mutex;
 * the scheduler's take mutex nests inside nothing and contains no other.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
/* liburcu 0.13: <urcu/urcu-qsbr.h> clears the rcu_* short names unless
 * URCU_API_MAP is set, so the flavour-prefixed urcu_qsbr_* names are used. */
#include <urcu/urcu-qsbr.h>

#include "svcq.h"
#include "timer.h"

#define SVC_SCHED_MAX_WORKERS 1024

struct svc_worker {
	uint64_t msgs;    /* [L] */
	uint64_t queues;  /* [L] */
	uint64_t sleeps;  /* [L] */
	uint64_t busy_ns; /* [L] */
	uint64_t idle_ns; /* [L] */
	bool live;        /* [A] */
} __rte_cache_aligned;

struct svc_sched {
	/* Written by every thread that schedules a queue. */
	struct mpsc runq;       /* [A] ready service queues (via sched_link) */
	uint32_t nscheduled;    /* [A] queues on runq */
	uint64_t schedules;     /* [A] */

	/* Read by schedulers on every schedule; written by workers. */
	uint32_t running __rte_cache_aligned; /* [A] see file comment */
	uint32_t wake_factor;   /* [A] */
	bool stop;              /* [A] */
	uint32_t max_workers;   /* [I] */
	uint32_t nworkers;      /* [A] worker slots handed out */
	uint32_t nlive;         /* [A] threads inside svc_worker_run() */

	/* Workers only. The paper's first option: runq is MPSC, its consumers
	 * serialise on a mutex held only around the dequeue. */
	pthread_mutex_t take_lock __rte_cache_aligned;
	struct mpsc_cursor runq_cur; /* guarded by take_lock */
	pthread_mutex_t sleep_lock;
	pthread_cond_t sleep_cv; /* [S] */
	uint32_t sleepers;       /* [S] workers in the sleep loop */
	uint32_t tokens;         /* [S] wakeups issued, not yet taken */
	uint64_t wakeups;        /* [A] */
	uint64_t sleeps;         /* [A] */

	struct svc_worker worker[]; /* [L] one per svc_worker_run() call */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Counters with one writer: relaxed load and store, no locked RMW; the
 * atomic access only keeps concurrent readers of stats well defined. */
static inline void
counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n,
			 __ATOMIC_RELAXED);
}

static inline uint64_t
counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* ---- scheduler internals ------------------------------------------------ */

/* Put @p q on the scheduler queue. Called with q->lock held, right after
 * setting q->scheduled; the caller calls sched_kick() after unlocking. */
static void
sched_push(struct svc_sched *s, struct svcq *q)
{
	/* Relaxed: the count is advisory (wake factor, stats). It is raised
	 * before the push, and the worker's decrement comes after its acquire
	 * dequeue of our push, so it never goes below zero. */
	__atomic_fetch_add(&s->nscheduled, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->schedules, 1, __ATOMIC_RELAXED);
	mpsc_enqueue(&s->runq, &q->sched_link);
}

/*
 * Issue one wakeup. With @p need_sleeper, only if a worker is asleep and not
 * already being woken (the wake-factor case: extra help, if available);
 * otherwise only if still no worker is running (the enqueuer's case).
 */
static void
sched_wake(struct svc_sched *s, bool need_sleeper)
{
	pthread_mutex_lock(&s->sleep_lock);
	if (need_sleeper) {
		if (s->sleepers <= s->tokens)
			goto out;
	} else if (__atomic_load_n(&s->running, __ATOMIC_SEQ_CST) != 0) {
		/* Someone woke a worker since our check; that worker reads
		 * runq after its wakeup, so it sees our push. */
		goto out;
	}
	if (s->tokens >= s->max_workers)
		goto out;
	s->tokens++;
	/* Counted as running from now on: see the file comment. */
	__atomic_fetch_add(&s->running, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&s->wakeups, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&s->sleep_cv);
out:
	pthread_mutex_unlock(&s->sleep_lock);
}

/* Whether the backlog calls for one more worker (paper 2704-2707). */
static bool
sched_backlogged(const struct svc_sched *s, uint32_t running)
{
	uint64_t backlog = __atomic_load_n(&s->nscheduled, __ATOMIC_RELAXED);
	uint64_t f = __atomic_load_n(&s->wake_factor, __ATOMIC_RELAXED);

	return backlog > (uint64_t)running * f;
}

/*
 * After a sched_push(): make sure a worker will look at the runq, and
 * apply the wake-factor test here too. The paper leaves that test to
 * workers taking a queue, but a worker inside a long handler takes none,
 * so a backlog building behind it would wait for it; the thread scheduling
 * a queue is on its slow path already (it took the queue's mutex).
 */
static void
sched_kick(struct svc_sched *s)
{
	uint32_t running;

	/* Read running with a read-modify-write, not a load: an RMW reads the
	 * latest value, and it is ordered with the worker's decrement (an RMW
	 * too). If ours comes first, the worker's acquire decrement reads from
	 * (the release sequence of) ours, so our push happens-before its
	 * re-check of runq; if the worker's comes first, we read its value.
	 * Either way the Dekker pair holds, with no fence. */
	running = __atomic_fetch_add(&s->running, 0, __ATOMIC_ACQ_REL);
	if (running == 0)
		sched_wake(s, false);
	else if (sched_backlogged(s, running))
		sched_wake(s, true);
}

static struct svcq *
sched_take(struct svc_sched *s)
{
	struct svc_msg *m;

	if (mpsc_empty(&s->runq))
		return NULL;
	pthread_mutex_lock(&s->take_lock);
	m = mpsc_dequeue(&s->runq, &s->runq_cur);
	pthread_mutex_unlock(&s->take_lock);
	if (m == NULL)
		return NULL;
	__atomic_fetch_sub(&s->nscheduled, 1, __ATOMIC_RELAXED);
	return container_of(m, struct svcq, sched_link);
}

/* ---- service queue ------------------------------------------------------ */

int
svcq_init(struct svcq *q, struct svc_sched *s, const char *name, svcq_fn fn,
	  void *ctx)
{
	pthread_condattr_t ca;
	int rc;

	if (q == NULL || s == NULL || fn == NULL)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	mpsc_init(&q->mq, &q->cur);
	q->fn = fn;
	q->ctx = ctx;
	q->sched = s;
	q->sched_link.type = SVC_MSG_NOTIFY;
	snprintf(q->name, sizeof(q->name), "%s", name != NULL ? name : "");
	rc = pthread_mutex_init(&q->lock, NULL);
	if (rc != 0)
		return -rc;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&q->idle_cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&q->lock);
		return -rc;
	}
	return 0;
}

int
svcq_fini(struct svcq *q)
{
	bool busy;

	pthread_mutex_lock(&q->lock);
	busy = q->active || q->scheduled || q->waiters != 0 ||
	       !mpsc_empty(&q->mq);
	pthread_mutex_unlock(&q->lock);
	if (busy)
		return -EBUSY;
	pthread_cond_destroy(&q->idle_cv);
	pthread_mutex_destroy(&q->lock);
	return 0;
}

bool
svcq_enqueue(struct svcq *q, struct svc_msg *m)
{
	bool kick = false;

	/* Relaxed: a statistic. Counted before the message is visible so
	 * that dequeued never reads above enqueued. */
	__atomic_fetch_add(&q->enqueued, 1, __ATOMIC_RELAXED);
	if (!mpsc_enqueue(&q->mq, m))
		return false; /* a consumer is active or scheduled already */

	/* We unblocked the queue: we alone decide whether to schedule it.
	 * If a consumer is active, it re-checks under this mutex before
	 * going idle and sees our message (published before the lock). */
	pthread_mutex_lock(&q->lock);
	if (!q->active && !q->scheduled) {
		q->scheduled = true;
		__atomic_fetch_add(&q->schedules, 1, __ATOMIC_RELAXED);
		sched_push(q->sched, q);
		kick = true;
	}
	pthread_mutex_unlock(&q->lock);
	if (kick)
		sched_kick(q->sched);
	return true;
}

/*
 * The consumer gives up the queue (q->lock held). Returns true if it put the
 * queue on the scheduler queue (the caller kicks after unlocking).
 */
static bool
svcq_release_locked(struct svcq *q)
{
	q->active = false;
	if (q->waiters != 0) {
		/* A process-context thread takes over; it applies this same
		 * rule when it is done, so remaining messages are not lost. */
		pthread_cond_signal(&q->idle_cv);
		return false;
	}
	if (q->scheduled)
		return false; /* a worker will come */
	/*
	 * Nothing to peek: empty, or an unblocking producer has exchanged
	 * the tail but not yet published head. It publishes head before taking
	 * this mutex, and our lock acquire would have made that store visible
	 * had it already been through; so it is still to come, will find the
	 * queue idle and will schedule it. We need not wait for it.
	 */
	if (mpsc_peek(&q->mq, &q->cur) == NULL)
		return false;
	/* Messages that no enqueuer will report: schedule (or reschedule,
	 * for a worker out of budget) ourselves. */
	q->scheduled = true;
	__atomic_fetch_add(&q->schedules, 1, __ATOMIC_RELAXED);
	sched_push(q->sched, q);
	return true;
}

static unsigned int
svcq_drain_budget(struct svcq *q, unsigned int budget)
{
	struct svc_msg *m;
	unsigned int n = 0;

	while (n < budget && (m = mpsc_dequeue(&q->mq, &q->cur)) != NULL) {
		n++;
		if (m->type == SVC_MSG_TIMER &&
		    !nsdp_timer_delivered(nsdp_timer_from_msg(m)))
			continue; /* stale expiry: cancelled or re-armed */
		q->fn(q, m, q->ctx);
	}
	counter_add(&q->dequeued, n);
	return n;
}

void
svcq_consume_begin(struct svcq *q)
{
	pthread_mutex_lock(&q->lock);
	if (q->active) {
		q->waiters++;
		while (q->active)
			pthread_cond_wait(&q->idle_cv, &q->lock);
		q->waiters--;
	}
	q->active = true;
	pthread_mutex_unlock(&q->lock);
}

bool
svcq_consume_try_begin(struct svcq *q)
{
	bool got;

	pthread_mutex_lock(&q->lock);
	got = !q->active;
	if (got)
		q->active = true;
	pthread_mutex_unlock(&q->lock);
	return got;
}

unsigned int
svcq_drain(struct svcq *q)
{
	return svcq_drain_budget(q, UINT_MAX);
}

void
svcq_consume_end(struct svcq *q)
{
	bool kick;

	pthread_mutex_lock(&q->lock);
	kick = svcq_release_locked(q);
	pthread_mutex_unlock(&q->lock);
	if (kick)
		sched_kick(q->sched);
}

void
svcq_stats(const struct svcq *q, struct svcq_stats *st)
{
	st->enqueued = __atomic_load_n(&q->enqueued, __ATOMIC_RELAXED);
	st->dequeued = counter_read(&q->dequeued);
	st->schedules = __atomic_load_n(&q->schedules, __ATOMIC_RELAXED);
}

/* A worker took @p q off the scheduler queue: run it, or skip it if a
 * process-context consumer has it (paper 2465-2468). */
static unsigned int
svcq_run(struct svcq *q)
{
	unsigned int n;

	pthread_mutex_lock(&q->lock);
	q->scheduled = false;
	if (q->active) {
		/* That consumer re-checks the queue when it ends. */
		pthread_mutex_unlock(&q->lock);
		return 0;
	}
	q->active = true;
	pthread_mutex_unlock(&q->lock);

	n = svcq_drain_budget(q, SVC_SCHED_BUDGET);
	svcq_consume_end(q);
	return n;
}

/* ---- scheduler ---------------------------------------------------------- */

struct svc_sched *
svc_sched_create(unsigned int wake_factor, unsigned int max_workers)
{
	struct svc_sched *s;
	pthread_condattr_t ca;
	size_t sz;

	if (max_workers == 0 || max_workers > SVC_SCHED_MAX_WORKERS) {
		errno = EINVAL;
		return NULL;
	}
	sz = sizeof(*s) + (size_t)max_workers * sizeof(s->worker[0]);
	if (posix_memalign((void **)&s, RTE_CACHE_LINE_SIZE, sz) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	memset(s, 0, sz);
	mpsc_init(&s->runq, &s->runq_cur);
	s->wake_factor = wake_factor;
	s->max_workers = max_workers;
	pthread_mutex_init(&s->take_lock, NULL);
	pthread_mutex_init(&s->sleep_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->sleep_cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void
svc_sched_set_wake_factor(struct svc_sched *s, unsigned int wake_factor)
{
	__atomic_store_n(&s->wake_factor, wake_factor, __ATOMIC_RELAXED);
}

static bool
sched_stopping(const struct svc_sched *s)
{
	/* Acquire: pairs with the release in svc_sched_stop(). */
	return __atomic_load_n(&s->stop, __ATOMIC_ACQUIRE);
}

/* The worker just took a queue: wake another if the backlog is large. */
static void
sched_maybe_wake_more(struct svc_sched *s)
{
	if (sched_backlogged(s, __atomic_load_n(&s->running, __ATOMIC_RELAXED)))
		sched_wake(s, true);
}

/* Sleep until a wakeup or stop; on return the worker counts as running. */
static void
worker_sleep(struct svc_sched *s, struct svc_worker *w)
{
	uint64_t t0, t1;
	bool slept = false;

	/* Offline: a sleeping worker must not hold up grace periods. */
	urcu_qsbr_thread_offline();
	t0 = now_ns();
	pthread_mutex_lock(&s->sleep_lock);
	/* Atomic stores (under the mutex) only for stats readers. */
	__atomic_store_n(&s->sleepers, s->sleepers + 1, __ATOMIC_SEQ_CST);
	while (s->tokens == 0 && !sched_stopping(s)) {
		if (!slept) {
			slept = true;
			__atomic_fetch_add(&s->sleeps, 1, __ATOMIC_RELAXED);
			counter_add(&w->sleeps, 1);
		}
		pthread_cond_wait(&s->sleep_cv, &s->sleep_lock);
	}
	__atomic_store_n(&s->sleepers, s->sleepers - 1, __ATOMIC_SEQ_CST);
	if (s->tokens != 0)
		s->tokens--; /* the waker counted us as running */
	else
		__atomic_fetch_add(&s->running, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&s->sleep_lock);
	t1 = now_ns();
	counter_add(&w->idle_ns, t1 - t0);
	urcu_qsbr_thread_online();
}

int
svc_worker_run(struct svc_sched *s)
{
	struct svc_worker *w;
	struct svcq *q;
	uint32_t idx;
	uint64_t t0, t1;
	unsigned int n;

	if (sched_stopping(s))
		return -ESHUTDOWN;
	idx = __atomic_load_n(&s->nworkers, __ATOMIC_RELAXED);
	do {
		if (idx >= s->max_workers)
			return -ENOSPC;
	} while (!__atomic_compare_exchange_n(&s->nworkers, &idx, idx + 1,
					      false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	w = &s->worker[idx];
	__atomic_store_n(&w->live, true, __ATOMIC_RELAXED);
	urcu_qsbr_register_thread();
	/* Running before live: a stats reader that sees us live (it reads
	 * live first) also sees us running. */
	__atomic_fetch_add(&s->running, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&s->nlive, 1, __ATOMIC_SEQ_CST);

	for (;;) {
		if (sched_stopping(s))
			break;
		q = sched_take(s);
		if (q != NULL) {
			sched_maybe_wake_more(s);
			t0 = now_ns();
			n = svcq_run(q);
			t1 = now_ns();
			counter_add(&w->msgs, n);
			counter_add(&w->queues, 1);
			counter_add(&w->busy_ns, t1 - t0);
			urcu_qsbr_quiescent_state();
			continue;
		}
		urcu_qsbr_quiescent_state();
		if (!mpsc_empty(&s->runq)) {
			/* A scheduler is between its exchange and its publish
			 * of runq's head (perhaps preempted): let it run. */
			sched_yield();
			continue;
		}
		/* Leave the running count, then look again: Dekker pair
		 * with sched_kick(), see the file comment. Acquire: see
		 * there; release: keeps our earlier work before it. */
		__atomic_fetch_sub(&s->running, 1, __ATOMIC_ACQ_REL);
		if (!mpsc_empty(&s->runq) || sched_stopping(s)) {
			__atomic_fetch_add(&s->running, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		worker_sleep(s, w);
	}

	__atomic_fetch_sub(&s->running, 1, __ATOMIC_SEQ_CST);
	urcu_qsbr_unregister_thread();
	__atomic_store_n(&w->live, false, __ATOMIC_RELAXED);
	/* Release: svc_sched_destroy() may free s once this reads zero. */
	__atomic_fetch_sub(&s->nlive, 1, __ATOMIC_RELEASE);
	return 0;
}

int
svc_worker_lcore(void *sched)
{
	return svc_worker_run(sched);
}

void
svc_sched_stop(struct svc_sched *s)
{
	/* Release: pairs with the acquire in sched_stopping(). */
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	/* Through the sleep mutex: a worker about to wait checks stop under
	 * it, so the broadcast cannot fall between its check and its wait. */
	pthread_mutex_lock(&s->sleep_lock);
	pthread_cond_broadcast(&s->sleep_cv);
	pthread_mutex_unlock(&s->sleep_lock);
}

int
svc_sched_destroy(struct svc_sched *s)
{
	struct svc_msg *m;
	struct svcq *q;

	if (s == NULL)
		return 0;
	/* Acquire: pairs with the last worker's release on its way out. */
	if (__atomic_load_n(&s->nlive, __ATOMIC_ACQUIRE) != 0)
		return -EBUSY;
	while (!mpsc_empty(&s->runq)) {
		m = mpsc_dequeue(&s->runq, &s->runq_cur);
		if (m == NULL)
			continue;
		q = container_of(m, struct svcq, sched_link);
		pthread_mutex_lock(&q->lock);
		q->scheduled = false;
		pthread_mutex_unlock(&q->lock);
	}
	pthread_cond_destroy(&s->sleep_cv);
	pthread_mutex_destroy(&s->sleep_lock);
	pthread_mutex_destroy(&s->take_lock);
	free(s);
	return 0;
}

void
svc_sched_stats(const struct svc_sched *s, struct svc_sched_stats *st)
{
	/* Seq-cst, in this order: workers and live before running and
	 * sleeping, so a worker counted live is also counted in those. */
	st->workers = __atomic_load_n(&s->nworkers, __ATOMIC_SEQ_CST);
	st->live = __atomic_load_n(&s->nlive, __ATOMIC_SEQ_CST);
	st->running = __atomic_load_n(&s->running, __ATOMIC_SEQ_CST);
	st->sleeping = __atomic_load_n(&s->sleepers, __ATOMIC_SEQ_CST);
	st->scheduled = __atomic_load_n(&s->nscheduled, __ATOMIC_RELAXED);
	st->wake_factor = __atomic_load_n(&s->wake_factor, __ATOMIC_RELAXED);
	st->schedules = __atomic_load_n(&s->schedules, __ATOMIC_RELAXED);
	st->wakeups = __atomic_load_n(&s->wakeups, __ATOMIC_RELAXED);
	st->sleeps = __atomic_load_n(&s->sleeps, __ATOMIC_RELAXED);
}

int
svc_sched_worker_stats(const struct svc_sched *s, unsigned int idx,
		       struct svc_worker_stats *ws)
{
	const struct svc_worker *w;

	if (idx >= __atomic_load_n(&s->nworkers, __ATOMIC_RELAXED) ||
	    idx >= s->max_workers)
		return -ENOENT;
	w = &s->worker[idx];
	ws->msgs = counter_read(&w->msgs);
	ws->queues = counter_read(&w->queues);
	ws->sleeps = counter_read(&w->sleeps);
	ws->busy_ns = counter_read(&w->busy_ns);
	ws->idle_ns = counter_read(&w->idle_ns);
	ws->live = __atomic_load_n(&w->live, __ATOMIC_RELAXED);
	return 0;
}
