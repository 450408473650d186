/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpsc.c: the out-of-line parts of the intrusive MPSC message queue
 * (mpsc.h): initialisation and the consumer's wait for a producer that is
 * between its tail exchange and its link store.
 */
#include <sched.h>

#include <rte_pause.h>

#include "mpsc.h"

/* Pause-spin this many times before yielding: the producer's window is a
 * few instructions unless it was preempted, and then only yielding helps
 * (on a machine with fewer cores than runnable threads). */
#define MPSC_SPIN_BEFORE_YIELD 256

void
mpsc_init(struct mpsc *q, struct mpsc_cursor *c)
{
	q->head = NULL;
	q->tail = NULL;
	if (c != NULL)
		c->cur = NULL;
}

struct svc_msg *
mpsc_wait_link(struct svc_msg *h)
{
	struct svc_msg *next;
	unsigned int spins = 0;

	/* Acquire: pairs with the producer's release store of h->next. */
	while ((next = __atomic_load_n(&h->next, __ATOMIC_ACQUIRE)) == NULL) {
		if (++spins < MPSC_SPIN_BEFORE_YIELD)
			rte_pause();
		else
			sched_yield();
	}
	return next;
}
