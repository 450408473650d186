/* SPDX-License-Identifier: BSD-3-Clause */
/* config.c: the network configuration lock (see config.h for who takes it). */
#include <pthread.h>
#include <stdlib.h>

#include "config.h"

static pthread_mutex_t config_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Per thread, so config_held() needs no access to the mutex internals. */
static __thread bool config_owner;

void
config_lock(void)
{
	/* Recursive use is a bug: the mutex is not recursive and would deadlock. */
	assert(!config_owner);
	if (pthread_mutex_lock(&config_mutex) != 0)
		abort();
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
