/* SPDX-License-Identifier: BSD-3-Clause */
/* config.c: the network configuration lock (see config.h for who takes it). */
#include <pthread.h>
#include <stdlib.h>

#include <urcu-qsbr.h>

#include "config.h"

static pthread_mutex_t config_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Per thread, so config_held() needs no access to the mutex internals. */
static __thread bool config_owner;

void
config_lock(void)
{
	bool online;

	/* Recursive use is a bug: the mutex is not recursive and would deadlock. */
	assert(!config_owner);
	/*
	 * The holder may wait for an RCU grace period (synchronize_rcu) while
	 * it holds the lock. A registered QSBR reader that waited for the lock
	 * online would hold that grace period up forever: wait offline. The
	 * caller keeps no RCU-protected pointer across this call (it looks
	 * objects up again under the lock).
	 */
	online = rcu_read_ongoing();
	if (online)
		rcu_thread_offline();
	if (pthread_mutex_lock(&config_mutex) != 0)
		abort();
	if (online)
		rcu_thread_online();
	config_owner = true;
}

void
config_unlock(void)
{
	assert(config_owner);
	config_owner = false;
	pthread_mutex_unlock(&config_mutex);
}

bool
config_held(void)
{
	return config_owner;
}
