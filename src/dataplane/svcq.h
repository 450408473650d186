/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svcq.h: service queues and the worker scheduler (paper "Kernel Thread and
 * Process Contexts" and "Kernel Thread Scheduling"). A service queue is an
 * MPSC message queue plus the state of its single consumer; the scheduler is
 * a queue of ready service queues drained by worker threads (the paper's
 * kernel threads), which sleep when there is nothing to do.
 *
 * Protocol (see docs/service-queues.md):
 *  - svcq_enqueue() is lock-free unless it unblocked the queue (empty ->
 *    non-empty). Only that one enqueuer takes the queue's mutex and, if no
 *    consumer is active or scheduled, puts the queue on the scheduler queue.
 *  - A consumer (a worker, or a thread in process context between
 *    svcq_consume_begin() and svcq_consume_end()) has exclusive use of the
 *    queue's cursor and of whatever state the handler protects with it.
 *  - A consumer going idle re-checks the queue under the mutex and schedules
 *    it again if a message arrived that no unblocking enqueuer will report.
 *  - Workers run at most SVC_SCHED_BUDGET messages of a queue at a time,
 *    then put it back at the end of the scheduler queue.
 *  - Timer messages (SVC_MSG_TIMER) are passed through nsdp_timer_delivered()
 *    before the handler sees them; stale expiries are dropped (timer.h).
 *
 * Concurrency legend:
 *   [I] immutable after init
 *   [A] atomic
 *   [M] the service queue's mutex
 *   [Q] owned by the queue's active consumer
 *   [L] owned by one worker thread (read by stats with relaxed atomics)
 *   [S] the scheduler's sleep mutex
 */
#ifndef NSDP_SVCQ_H
#define NSDP_SVCQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "mpsc.h"
#include "svc_msg.h"

#define SVCQ_NAMESIZE 32

struct svcq;
struct svc_sched;

/**
 * A service queue's handler: consume one message. Runs on the queue's active
 * consumer; on a worker it runs as an online urcu-qsbr reader. It may sleep
 * (briefly: the worker is then busy), enqueue onto any service queue, arm and
 * cancel timers. It must not call svcq_consume_begin() on its own queue.
 */
typedef void (*svcq_fn)(struct svcq *q, struct svc_msg *m, void *ctx);

/*
 * Layout: producers write the first cache line (the queue's tail, the
 * hand-off head, the enqueue count) on every enqueue; the consumer's cursor
 * and counters sit on the next line so dequeues do not steal it from them.
 * The struct is four cache lines; the paper's "tiny when empty" is the
 * mpsc's two pointers, and a service queue carries a mutex and a condition
 * variable anyway.
 */
struct svcq {
	/* Producer side. */
	struct mpsc mq;              /* [A] the messages */
	uint64_t enqueued;           /* [A] messages enqueued */

	/* Consumer side. */
	struct mpsc_cursor cur __rte_cache_aligned; /* [Q] */
	uint64_t dequeued;           /* [Q] messages consumed (relaxed atomic) */
	svcq_fn fn;                  /* [I] handler */
	void *ctx;                   /* [I] handler argument */
	struct svc_sched *sched;     /* [I] scheduler the queue is run by */
	struct svc_msg sched_link;   /* [M] entry on the scheduler queue */

	/* Consumer state (paper 2436-2468). */
	pthread_mutex_t lock;
	pthread_cond_t idle_cv;      /* [M] signalled when active drops */
	bool active;                 /* [M] a consumer is running */
	bool scheduled;              /* [M] on the scheduler queue */
	uint32_t waiters;            /* [M] process-context threads waiting */
	uint64_t schedules;          /* [M] times put on the scheduler queue
	                              *     (relaxed atomic for stats) */
	char name[SVCQ_NAMESIZE];    /* [I] */
};

struct svcq_stats {
	uint64_t enqueued;
	uint64_t dequeued;
	uint64_t schedules;
};

/**
 * Initialise a service queue.
 *
 * @param q     the queue (embedded in its owner; not copied after init).
 * @param s     the scheduler whose workers run it.
 * @param name  a name for stats and logs (truncated to SVCQ_NAMESIZE - 1).
 * @param fn    the handler.
 * @param ctx   the handler's argument.
 * @return 0, or -EINVAL (NULL s or fn), or the -errno of pthread init.
 * Thread-safety: not thread-safe for @p q.
 */
int svcq_init(struct svcq *q, struct svc_sched *s, const char *name,
	      svcq_fn fn, void *ctx);

/**
 * Release a service queue's resources.
 *
 * @param q  the queue: empty, no consumer active or waiting, not scheduled.
 * @return 0, or -EBUSY if it is not (nothing is released then).
 * Thread-safety: no concurrent enqueue may be in progress or follow.
 */
int svcq_fini(struct svcq *q);

/**
 * Add a message; if that unblocked the queue and no consumer is active or
 * scheduled, schedule the queue and wake a worker if none is running.
 *
 * @param q  the queue.
 * @param m  the message (fields set; not on any queue).
 * @return   true if this enqueue unblocked the queue (empty -> non-empty).
 * Thread-safety: multi-thread safe, from any thread including DPDK lcores.
 *   Lock-free and allocation-free when it returns false; when it returns
 *   true it took the queue's mutex briefly (and, if no worker is running,
 *   the scheduler's sleep mutex). Not async-signal-safe.
 */
bool svcq_enqueue(struct svcq *q, struct svc_msg *m);

/**
 * Become the queue's consumer in process context, sleeping while another
 * consumer is active. A scheduled worker that finds the queue taken skips
 * it. Pair with svcq_consume_end().
 *
 * @param q  the queue.
 * Thread-safety: any thread that is not already the consumer of @p q (a
 *   handler must not call it for its own queue: it would deadlock).
 */
void svcq_consume_begin(struct svcq *q);

/**
 * Become the consumer if no consumer is active, without sleeping.
 *
 * @param q  the queue.
 * @return   true if the caller is now the consumer (pair with
 *           svcq_consume_end()), false if another consumer is active.
 * Thread-safety: as svcq_consume_begin().
 */
bool svcq_consume_try_begin(struct svcq *q);

/**
 * Run the handler on every message in the queue, including those added
 * while it runs, until the queue looks empty.
 *
 * @param q  the queue; the caller must be its consumer.
 * @return   the number of messages taken off the queue (stale timer
 *           expiries included, though the handler did not see them).
 * Thread-safety: the queue's consumer only.
 */
unsigned int svcq_drain(struct svcq *q);

/**
 * Stop being the consumer: hand over to a waiting process-context thread,
 * or, if messages remain that no enqueuer will report, schedule the queue.
 *
 * @param q  the queue; the caller must be its consumer.
 * Thread-safety: the queue's consumer only.
 */
void svcq_consume_end(struct svcq *q);

/**
 * Read a queue's counters (each read atomically; not a consistent snapshot).
 *
 * @param q   the queue.
 * @param st  filled in.
 * Thread-safety: any thread.
 */
void svcq_stats(const struct svcq *q, struct svcq_stats *st);

/* ---- scheduler and workers ---------------------------------------------- */

/* A worker drains at most this many messages of one queue before putting it
 * back at the end of the scheduler queue, so one busy queue cannot starve
 * the others. */
#define SVC_SCHED_BUDGET 256

struct svc_worker_stats {
	uint64_t msgs;     /* messages taken off service queues */
	uint64_t queues;   /* service queues run */
	uint64_t sleeps;   /* times it went to sleep */
	uint64_t busy_ns;  /* time spent running queues */
	uint64_t idle_ns;  /* time spent asleep */
	bool live;         /* inside svc_worker_run() now */
};

struct svc_sched_stats {
	uint32_t scheduled;     /* queues on the scheduler queue now */
	uint32_t running;       /* workers awake (or woken and not yet up) */
	uint32_t sleeping;      /* workers in the sleep loop */
	uint32_t workers;       /* workers that have called svc_worker_run() */
	uint32_t live;          /* workers inside svc_worker_run() now */
	uint32_t wake_factor;
	uint64_t schedules;     /* total queue schedules */
	uint64_t wakeups;       /* worker wakeups issued */
	uint64_t sleeps;        /* times a worker went to sleep */
};

/**
 * Create a scheduler.
 *
 * @param wake_factor  a worker that takes a queue (and a thread that
 *                     schedules one) wakes one more sleeping worker when
 *                     queues scheduled > running workers * wake_factor
 *                     (0: whenever any backlog remains).
 * @param max_workers  the most threads that may call svc_worker_run() over
 *                     the scheduler's life (1..1024).
 * @return the scheduler, or NULL with errno EINVAL or ENOMEM.
 * Thread-safety: thread-safe.
 */
struct svc_sched *svc_sched_create(unsigned int wake_factor,
				   unsigned int max_workers);

/**
 * Change the wake factor (see svc_sched_create()).
 *
 * @param s  the scheduler.
 * @param wake_factor  the new factor.
 * Thread-safety: any thread; workers see it at their next queue.
 */
void svc_sched_set_wake_factor(struct svc_sched *s, unsigned int wake_factor);

/**
 * Run a worker on the calling thread until svc_sched_stop(). The thread
 * registers as a urcu-qsbr reader for the duration (it must not already be
 * registered), reports a quiescent state after every queue it runs, and is
 * offline while it sleeps. An idle worker sleeps on a condition variable and
 * uses no CPU.
 *
 * @param s  the scheduler.
 * @return 0 after svc_sched_stop(), -ENOSPC if max_workers threads have
 *         already run workers, -ESHUTDOWN if the scheduler was stopped.
 * Thread-safety: any number of threads, up to max_workers.
 */
int svc_worker_run(struct svc_sched *s);

/**
 * svc_worker_run() with the signature of a DPDK lcore function, for
 * rte_eal_remote_launch(svc_worker_lcore, sched, lcore_id).
 *
 * @param sched  the struct svc_sched *.
 * @return as svc_worker_run().
 */
int svc_worker_lcore(void *sched);

/**
 * Stop the scheduler: wake every worker and make svc_worker_run() return
 * (after the queue each is running, if any). Queues still scheduled stay
 * so; their messages can be drained in process context. Final: workers can
 * not be started again.
 *
 * @param s  the scheduler.
 * Thread-safety: any thread, including a handler (it then returns after its
 *   queue).
 */
void svc_sched_stop(struct svc_sched *s);

/**
 * Destroy a scheduler. Queues still on its scheduler queue are taken off it
 * (marked unscheduled) so they can be finalised.
 *
 * @param s  the scheduler, stopped or never run; NULL is ignored.
 * @return 0, or -EBUSY if a worker is still inside svc_worker_run()
 *         (nothing is destroyed then).
 * Thread-safety: no other use of @p s may be in progress or follow; no
 *   enqueue onto its queues may follow.
 */
int svc_sched_destroy(struct svc_sched *s);

/**
 * Read the scheduler's counters.
 *
 * @param s   the scheduler.
 * @param st  filled in.
 * Thread-safety: any thread; each counter is read atomically (the set is
 *   not a consistent snapshot).
 */
void svc_sched_stats(const struct svc_sched *s, struct svc_sched_stats *st);

/**
 * Read one worker's counters.
 *
 * @param s    the scheduler.
 * @param idx  the worker, in the order workers called svc_worker_run(),
 *             below svc_sched_stats().workers.
 * @param ws   filled in.
 * @return 0, or -ENOENT if there is no such worker.
 * Thread-safety: any thread.
 */
int svc_sched_worker_stats(const struct svc_sched *s, unsigned int idx,
			   struct svc_worker_stats *ws);

#endif
