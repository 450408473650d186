/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * timer.h: timers whose expiries are delivered as messages (SVC_MSG_TIMER)
 * into the service queue that owns them (paper 2637-2643: "provide
 * indications of timeout events by queuing a notification of these to the
 * same packet queue"), so a timeout is handled with the same exclusive
 * access to the owner's state as its packets. A timer service thread keeps
 * armed timers in a binary min-heap and sleeps until the earliest expiry.
 *
 * Semantics:
 *  - A timer has one embedded message, so at most one expiry of it is ever
 *    on a queue, and the handler sees at most one expiry per arm. A timer
 *    can only come due again after nsdp_timer_arm(), which makes a still
 *    queued expiry stale; if the new expiry fires before the stale message
 *    is dequeued, that message is reused for it (not queued again).
 *  - The service queue's dispatch calls nsdp_timer_delivered() for every
 *    SVC_MSG_TIMER message before the handler; the owner never calls it.
 *    Expiries made stale by a cancel or re-arm after they were queued are
 *    dropped there and never reach the handler.
 *  - nsdp_timer_arm() on an armed or fired-but-undelivered timer replaces
 *    the old expiry: the handler sees only the new one, never earlier than
 *    its delay after the arm call.
 *  - Expiry times are CLOCK_MONOTONIC; an expiry is never delivered before
 *    it is due, and is queued as soon as the service thread gets the CPU.
 *  - Expiries of timers on one service queue arrive in expiry order (the
 *    service thread queues them in heap order, the queue is FIFO).
 *  - Freeing a timer: cancel it, then free it when nsdp_timer_idle() is
 *    true; from the owner's consumer, a simple way is a message enqueued
 *    on the same queue after the cancel, since the queue is FIFO.
 *
 * Concurrency legend:
 *   [I] immutable after nsdp_timer_init()
 *   [T] the timer service's mutex
 */
#ifndef NSDP_TIMER_H
#define NSDP_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svc_msg.h"

struct svcq;
struct timer_service;

struct nsdp_timer {
	struct svc_msg msg;          /* SVC_MSG_TIMER; subtype [I]; arg free
	                              * for the owner (0 after init); next is
	                              * the queue's while queued */
	struct timer_service *svc;   /* [I] */
	struct svcq *owner;          /* [I] queue its expiries go to */
	uint64_t expiry_ns;          /* [T] due time (CLOCK_MONOTONIC ns) */
	uint32_t heap_idx;           /* [T] slot in the heap, or not armed */
	uint32_t flags;              /* [T] NSDP_TIMER_F_* */
};

#define NSDP_TIMER_F_QUEUED 0x1 /* msg is on the owner's queue */
#define NSDP_TIMER_F_STALE  0x2 /* the queued msg no longer is an expiry */

/**
 * Create a timer service (not started).
 *
 * @return the service, or NULL with errno ENOMEM (or a pthread error).
 * Thread-safety: thread-safe.
 */
struct timer_service *timer_service_create(void);

/**
 * Start the service thread.
 *
 * @param ts  the service.
 * @return 0, -EALREADY if running, or the -errno of pthread_create.
 * Thread-safety: not with stop/destroy of the same service.
 */
int timer_service_start(struct timer_service *ts);

/**
 * Stop the service thread and wait for it. Armed timers stay armed and fire
 * after a later timer_service_start() if they are due.
 *
 * @param ts  the service.
 * @return 0, or -EALREADY if not running.
 * Thread-safety: not with start/destroy of the same service.
 */
int timer_service_stop(struct timer_service *ts);

/**
 * Destroy a stopped service. Timers still armed are disarmed; none of its
 * timers may be used afterwards.
 *
 * @param ts  the service, or NULL.
 * Thread-safety: no other use of @p ts may be in progress or follow.
 */
void timer_service_destroy(struct timer_service *ts);

struct timer_service_stats {
	uint32_t armed;  /* timers in the heap now */
	uint64_t fired;  /* expiries so far */
	uint64_t reused; /* expiries that reused a stale queued message */
};

/**
 * Read the service's counters (a consistent snapshot).
 *
 * @param ts  the service.
 * @param st  filled in.
 * Thread-safety: any thread; takes the service mutex.
 */
void timer_service_stats(struct timer_service *ts,
			 struct timer_service_stats *st);

/**
 * Initialise a timer (not armed).
 *
 * @param t        the timer (embedded in its owner's state).
 * @param ts       the service that runs it.
 * @param owner    the service queue its expiries are delivered to.
 * @param subtype  msg.subtype of its expiry messages, for the owner's handler.
 * Thread-safety: not thread-safe for @p t.
 */
void nsdp_timer_init(struct nsdp_timer *t, struct timer_service *ts,
		     struct svcq *owner, uint16_t subtype);

/**
 * Arm (or move) a timer to expire @p delay_ns from now. Replaces a pending
 * expiry, armed or already queued and not yet delivered.
 *
 * @param t         the timer.
 * @param delay_ns  delay in nanoseconds (0: as soon as possible).
 * @return 0, or -ENOMEM if the heap could not grow (the timer is then
 *         unchanged), -EOVERFLOW if the expiry does not fit.
 * Thread-safety: any thread; takes the service mutex.
 */
int nsdp_timer_arm(struct nsdp_timer *t, uint64_t delay_ns);

/**
 * Cancel a timer.
 *
 * @param t  the timer.
 * @return true if this stopped a pending expiry (armed, or queued and not
 *         yet delivered: it will be dropped), false if nothing was pending.
 * Thread-safety: any thread; takes the service mutex.
 */
bool nsdp_timer_cancel(struct nsdp_timer *t);

/**
 * Whether an expiry is pending: armed, or queued and not stale.
 *
 * @param t  the timer.
 * Thread-safety: any thread; a snapshot.
 */
bool nsdp_timer_pending(struct nsdp_timer *t);

/**
 * Whether the timer is armed (in the service's heap, not yet fired).
 *
 * @param t  the timer.
 * Thread-safety: any thread; a snapshot.
 */
bool nsdp_timer_armed(struct nsdp_timer *t);

/**
 * Whether the timer is idle: not armed and its message not on a queue (so
 * it may be freed if nobody arms it again).
 *
 * @param t  the timer.
 * Thread-safety: any thread; a snapshot.
 */
bool nsdp_timer_idle(struct nsdp_timer *t);

/**
 * Take a timer's message off its queue's books: called by the service
 * queue dispatch for every SVC_MSG_TIMER message it dequeues, before the
 * handler. After it returns the timer may fire and be queued again (the
 * message's fields other than next are not changed by that).
 *
 * @param t  the timer whose message was just dequeued.
 * @return true if the message is a live expiry to hand to the handler,
 *         false if it went stale (cancelled or re-armed) and is dropped.
 * Thread-safety: the owner queue's consumer.
 */
bool nsdp_timer_delivered(struct nsdp_timer *t);

/**
 * The timer that contains a SVC_MSG_TIMER message.
 *
 * @param m  the message.
 * @return   its timer.
 */
static inline struct nsdp_timer *
nsdp_timer_from_msg(struct svc_msg *m)
{
	return (struct nsdp_timer *)((char *)m - offsetof(struct nsdp_timer, msg));
}

#endif
