/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpsc.h: the packet (message) queue of the paper's "Packet Queues (or
 * Message Queues?)": an intrusive, lockless, multiple-producer single-consumer
 * FIFO of struct svc_msg. The shared part is two pointers; the link lives in
 * the message, so enqueue never allocates. The consumer keeps its position
 * in a struct mpsc_cursor of its own, which it may place away from the
 * queue, on a cache line producers do not write, so that dequeues do not
 * pull the line producers exchange the tail on (the reason DPDK's ring and
 * most MPSC queues separate their producer and consumer sides). Keeping it
 * beside the queue is correct too, and smaller.
 *
 * Invariants:
 *  - tail == NULL  <=>  the queue is empty. Every transition empty -> non-empty
 *    is made by exactly one producer's atomic exchange that returned NULL, and
 *    that producer (and only it) gets `true` ("unblocked") from mpsc_enqueue.
 *  - Every transition non-empty -> empty is the consumer's successful
 *    compare-and-swap of tail from its last message to NULL.
 *  - head is the hand-off slot of a non-empty period: the unblocking
 *    producer stores the period's first message there; the consumer takes it
 *    into its cursor and clears head, once per period. So between that
 *    producer's exchange and its store, head and the cursor are both NULL
 *    while tail is not: the consumer sees nothing to dequeue, and the
 *    unblocking producer has not yet reached the code that wakes the
 *    consumer (svcq.c relies on this so it never waits for a preempted
 *    producer).
 *  - A message may be on one queue at most once at a time.
 *
 * Concurrency legend:
 *   [A] atomic, written by any thread
 *   [L] owned by the consumer (one thread at a time)
 *   [Q] the message's link, owned by the queue it is on
 *
 * Cost: enqueue is one atomic exchange and one release store (a plain store
 * on x86); dequeue is an acquire load and a store to the consumer's own
 * cursor, plus a compare-and-swap when taking the last message.
 */
#ifndef NSDP_MPSC_H
#define NSDP_MPSC_H

#include <stdbool.h>
#include <stddef.h>

#include "svc_msg.h"

struct mpsc {
	struct svc_msg *head; /* [A] hand-off of a period's first message */
	struct svc_msg *tail; /* [A] newest message; NULL when empty */
};

/* The consumer's position in a queue. */
struct mpsc_cursor {
	struct svc_msg *cur;  /* [L] next message to dequeue, or NULL: take
	                       *     head */
};

#define MPSC_INITIALIZER { NULL, NULL }
#define MPSC_CURSOR_INITIALIZER { NULL }

/**
 * Initialise an empty queue and its consumer's cursor.
 *
 * @param q  the queue.
 * @param c  the cursor (may be NULL if it is initialised separately).
 * Thread-safety: not thread-safe; call before the queue is shared.
 */
void mpsc_init(struct mpsc *q, struct mpsc_cursor *c);

/**
 * Slow path of the dequeue: wait until the producer that swapped the tail
 * after @p h has linked its message behind @p h, and return that message.
 * The window is a few instructions long unless the producer is preempted;
 * the wait spins with a pause hint, then yields the CPU.
 *
 * @param h  the message at the head of the queue whose successor is awaited.
 * @return   h's successor, never NULL.
 * Thread-safety: consumer only.
 */
struct svc_msg *mpsc_wait_link(struct svc_msg *h);

/**
 * Append a message.
 *
 * @param q  the queue.
 * @param m  the message; it must not be on any queue. Its other fields must be
 *           set before the call: they are published to the consumer with it.
 * @return   true exactly when this call made the queue go from empty to
 *           non-empty ("unblocked"): among concurrent enqueuers onto an empty
 *           queue exactly one gets true. The caller that gets true must make
 *           sure a consumer will run.
 * Thread-safety: lock-free, multi-thread safe, no allocation, never blocks.
 */
static inline bool
mpsc_enqueue(struct mpsc *q, struct svc_msg *m)
{
	struct svc_msg *prev;

	/* Relaxed: the exchange below (release) publishes it. */
	__atomic_store_n(&m->next, NULL, __ATOMIC_RELAXED);
	/*
	 * Release: whoever later sees m through tail (the next producer, which
	 * writes m->next, or the consumer's CAS) sees m->next == NULL and the
	 * message's fields first. Acquire: if prev is NULL, the consumer's
	 * release CAS that emptied the queue happens-before us, so our store
	 * of head below lands after its own clearing of head.
	 */
	prev = __atomic_exchange_n(&q->tail, m, __ATOMIC_ACQ_REL);
	if (prev == NULL) {
		/* Release: pairs with the consumer's acquire load of head. */
		__atomic_store_n(&q->head, m, __ATOMIC_RELEASE);
		return true;
	}
	/* Release: pairs with the consumer's acquire load of prev->next. */
	__atomic_store_n(&prev->next, m, __ATOMIC_RELEASE);
	return false;
}

/**
 * Remove the oldest message and tell whether that made the queue empty.
 *
 * @param q        the queue.
 * @param c        the consumer's cursor for @p q.
 * @param emptied  if not NULL, set to true when this call took the last
 *                 message and turned the queue empty (a non-empty -> empty
 *                 transition, the counterpart of an enqueue returning true),
 *                 false otherwise.
 * @return  the message, or NULL if the queue is empty or its first message is
 *          still being published by its producer (see mpsc_peek()).
 * Thread-safety: single consumer: one thread at a time. Lock-free except for
 *   the short wait in mpsc_wait_link() when a producer is mid-enqueue behind
 *   the last message.
 */
static inline struct svc_msg *
mpsc_dequeue_emptied(struct mpsc *q, struct mpsc_cursor *c, bool *emptied)
{
	struct svc_msg *h, *next, *expect;

	if (emptied != NULL)
		*emptied = false;
	h = c->cur;
	if (h == NULL) {
		/* Acquire: pairs with the unblocking producer's release store
		 * of head, making the message's fields visible. */
		h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
		if (h == NULL)
			return NULL;
		/* Take the hand-off. Relaxed: no producer writes head again
		 * before tail goes NULL, which only our release CAS below
		 * does, and that orders this store before the next write. */
		__atomic_store_n(&q->head, NULL, __ATOMIC_RELAXED);
	}
	/* Acquire: pairs with the release store linking h->next, making the
	 * next message's fields visible before we hand it out. */
	next = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE);
	if (next == NULL) {
		/* h looks like the last message. */
		c->cur = NULL;
		expect = h;
		/* Release: once tail is NULL the next unblocking producer
		 * stores head; our clearing of head must come before. Relaxed
		 * on failure: the acquire load in mpsc_wait_link() does the
		 * synchronising. */
		if (__atomic_compare_exchange_n(&q->tail, &expect, NULL, false,
						__ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
			if (emptied != NULL)
				*emptied = true;
			return h;
		}
		/* A producer swapped tail after h (it got prev == h, so it will
		 * not touch head) and is about to link behind h. */
		next = mpsc_wait_link(h);
	}
	c->cur = next;
	return h;
}

/**
 * Remove the oldest message.
 *
 * @param q  the queue.
 * @param c  the consumer's cursor for @p q.
 * @return   the message, or NULL (see mpsc_dequeue_emptied()).
 * Thread-safety: single consumer.
 */
static inline struct svc_msg *
mpsc_dequeue(struct mpsc *q, struct mpsc_cursor *c)
{
	return mpsc_dequeue_emptied(q, c, NULL);
}

/**
 * Whether the queue is empty (tail == NULL). A snapshot: producers may add
 * messages right after.
 *
 * @param q  the queue.
 * @return   true if empty.
 * Thread-safety: any thread.
 */
static inline bool
mpsc_empty(const struct mpsc *q)
{
	/* Acquire: a caller that sees a message may go on to read it. */
	return __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) == NULL;
}

/**
 * The message the next dequeue would return, without removing it. NULL
 * means empty, or that the producer of the first message after an empty
 * period is between its exchange and its publication of head (then
 * mpsc_empty() is false); that producer got or will get `true` from its
 * enqueue and has not yet acted on it.
 *
 * @param q  the queue.
 * @param c  the consumer's cursor for @p q.
 * @return   the head message or NULL.
 * Thread-safety: consumer only (or a thread holding whatever lock excludes
 *   the consumer).
 */
static inline struct svc_msg *
mpsc_peek(const struct mpsc *q, const struct mpsc_cursor *c)
{
	if (c->cur != NULL)
		return c->cur;
	/* Acquire: pairs with the unblocking producer's release store. */
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
}

#endif
