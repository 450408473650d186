/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpsc.h: the packet (message) queue of the paper's "Packet Queues (or
 * Message Queues?)": an intrusive, lockless, multiple-producer single-consumer
 * FIFO of struct svc_msg. It owns nothing but two pointers; the link lives in
 * the message, so enqueue never allocates.
 *
 * Invariants:
 *  - tail == NULL  <=>  the queue is empty. Every transition empty -> non-empty
 *    is made by exactly one producer's atomic exchange that returned NULL, and
 *    that producer (and only it) gets `true` ("unblocked") from mpsc_enqueue.
 *  - Every transition non-empty -> empty is the consumer's successful
 *    compare-and-swap of tail from its last message to NULL.
 *  - head is written by the consumer, except right after an empty -> non-empty
 *    transition, when the unblocking producer publishes it. Between that
 *    producer's exchange and its store, head is NULL while tail is not: the
 *    consumer sees an empty queue and the unblocking producer has not yet
 *    reached the code that wakes the consumer (see svcq.c, which relies on
 *    this to avoid waiting for a preempted producer).
 *  - A message may be on one queue at most once at a time.
 *
 * Concurrency legend:
 *   [A] atomic, written by any thread
 *   [L] owned by the consumer (one thread at a time)
 *   [Q] the message's link, owned by the queue it is on
 *
 * Cost: enqueue is one atomic exchange and one release store (a plain store
 * on x86); dequeue is two acquire loads and a store, plus a compare-and-swap
 * when taking the last message.
 */
#ifndef NSDP_MPSC_H
#define NSDP_MPSC_H

#include <stdbool.h>
#include <stddef.h>

#include "svc_msg.h"

struct mpsc {
	struct svc_msg *head; /* [L] oldest message; see invariants above */
	struct svc_msg *tail; /* [A] newest message; NULL when empty */
};

#define MPSC_INITIALIZER { NULL, NULL }

/**
 * Initialise an empty queue.
 *
 * @param q  the queue.
 * Thread-safety: not thread-safe; call before the queue is shared.
 */
void mpsc_init(struct mpsc *q);

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
mpsc_dequeue_emptied(struct mpsc *q, bool *emptied)
{
	struct svc_msg *h, *next, *expect;

	if (emptied != NULL)
		*emptied = false;
	/* Acquire: pairs with the unblocking producer's release store of head
	 * (the consumer's own stores are program-ordered). */
	h = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	if (h == NULL)
		return NULL;
	/* Acquire: pairs with the release store linking h->next, making the
	 * next message's fields visible before we hand it out. */
	next = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE);
	if (next == NULL) {
		/*
		 * h looks like the last message. Clear head before the CAS: once
		 * tail is NULL the next unblocking producer owns head. Relaxed:
		 * the release CAS orders it before that producer's store.
		 */
		__atomic_store_n(&q->head, NULL, __ATOMIC_RELAXED);
		expect = h;
		/* Release: see above. Relaxed on failure: the acquire load in
		 * mpsc_wait_link() does the synchronising. */
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
	/* Relaxed: only the consumer reads head while the queue is non-empty. */
	__atomic_store_n(&q->head, next, __ATOMIC_RELAXED);
	return h;
}

/**
 * Remove the oldest message.
 *
 * @param q  the queue.
 * @return   the message, or NULL (see mpsc_dequeue_emptied()).
 * Thread-safety: single consumer.
 */
static inline struct svc_msg *
mpsc_dequeue(struct mpsc *q)
{
	return mpsc_dequeue_emptied(q, NULL);
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
 * @return   the head message or NULL.
 * Thread-safety: consumer only (or a thread holding whatever lock excludes
 *   the consumer).
 */
static inline struct svc_msg *
mpsc_peek(const struct mpsc *q)
{
	/* Acquire: pairs with the unblocking producer's release store. */
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
}

#endif
