/* SPDX-License-Identifier: BSD-3-Clause */
/* tickcount.c: TSC calibration and conversion to wall-clock time. */
#include <errno.h>
#include <time.h>

#include "tickcount.h"

/*
 * Sequence counter: odd while the writer updates `calib`. Readers retry
 * until they see the same even value before and after copying.
 */
static uint32_t calib_seq;
static struct tickcount_calib calib;

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/*
 * Read @clk bracketed by two tick reads; keep the narrowest of a few tries
 * so a preemption between the reads does not spoil the pair.
 */
static int
bracket(clockid_t clk, tickcount_t *tick, int64_t *ns, uint64_t *width)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 16; i++) {
		struct timespec ts;
		tickcount_t t0, t1;

		t0 = tickcount_now();
		if (clock_gettime(clk, &ts) < 0)
			return -errno;
		t1 = tickcount_now();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tick = t0 + (t1 - t0) / 2;
			*ns = ts_ns(&ts);
		}
	}
	*width = best;
	return 0;
}

static void
calib_publish(const struct tickcount_calib *c)
{
	uint32_t s = __atomic_load_n(&calib_seq, __ATOMIC_RELAXED);

	__atomic_store_n(&calib_seq, s + 1, __ATOMIC_RELAXED);
	/* Order the odd sequence before the data stores. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&calib.hz, c->hz, __ATOMIC_RELAXED);
	__atomic_store_n(&calib.ref_tick, c->ref_tick, __ATOMIC_RELAXED);
	__atomic_store_n(&calib.ref_real_ns, c->ref_real_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&calib.ref_error_ns, c->ref_error_ns, __ATOMIC_RELAXED);
	/* The data stores become visible before the even sequence. */
	__atomic_store_n(&calib_seq, s + 2, __ATOMIC_RELEASE);
}

static void
calib_read(struct tickcount_calib *c)
{
	uint32_t s0, s1;

	do {
		s0 = __atomic_load_n(&calib_seq, __ATOMIC_ACQUIRE);
		c->hz = __atomic_load_n(&calib.hz, __ATOMIC_RELAXED);
		c->ref_tick = __atomic_load_n(&calib.ref_tick, __ATOMIC_RELAXED);
		c->ref_real_ns = __atomic_load_n(&calib.ref_real_ns, __ATOMIC_RELAXED);
		c->ref_error_ns = __atomic_load_n(&calib.ref_error_ns, __ATOMIC_RELAXED);
		/* The data loads complete before the sequence is re-read. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s1 = __atomic_load_n(&calib_seq, __ATOMIC_RELAXED);
	} while ((s0 & 1) || s0 != s1);
}

static uint64_t
ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ticks * 1000000000u) / hz);
}

static int
take_reference(uint64_t hz, struct tickcount_calib *c)
{
	uint64_t width;
	int rc;

	rc = bracket(CLOCK_REALTIME, &c->ref_tick, &c->ref_real_ns, &width);
	if (rc < 0)
		return rc;
	c->hz = hz;
	c->ref_error_ns = ticks_to_ns(width / 2 + 1, hz);
	return 0;
}

int
tickcount_calibrate(unsigned sample_ms)
{
	struct tickcount_calib c;
	tickcount_t t0, t1;
	int64_t n0, n1;
	uint64_t w0, w1;
	struct timespec nap;
	int rc;

	if (sample_ms < 10 || sample_ms > 10000)
		return -EINVAL;
	rc = bracket(CLOCK_MONOTONIC_RAW, &t0, &n0, &w0);
	if (rc < 0)
		return rc;
	nap.tv_sec = sample_ms / 1000;
	nap.tv_nsec = (long)(sample_ms % 1000) * 1000000L;
	while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
		;
	rc = bracket(CLOCK_MONOTONIC_RAW, &t1, &n1, &w1);
	if (rc < 0)
		return rc;
	if (n1 <= n0 || t1 <= t0)
		return -EIO;
	c.hz = (uint64_t)(((unsigned __int128)(t1 - t0) * 1000000000u) /
			  (uint64_t)(n1 - n0));
	if (c.hz == 0)
		return -EIO;
	rc = take_reference(c.hz, &c);
	if (rc < 0)
		return rc;
	calib_publish(&c);
	return 0;
}

int
tickcount_resync(void)
{
	struct tickcount_calib c;
	int rc;

	calib_read(&c);
	if (c.hz == 0)
		return -EAGAIN;
	rc = take_reference(c.hz, &c);
	if (rc < 0)
		return rc;
	calib_publish(&c);
	return 0;
}

int
tickcount_get_calib(struct tickcount_calib *out)
{
	calib_read(out);
	return out->hz == 0 ? -EAGAIN : 0;
}

uint64_t
tickcount_hz(void)
{
	struct tickcount_calib c;

	calib_read(&c);
	return c.hz;
}

int64_t
tickcount_to_realtime_ns(tickcount_t t)
{
	struct tickcount_calib c;

	calib_read(&c);
	if (c.hz == 0)
		return 0;
	if (t >= c.ref_tick)
		return c.ref_real_ns + (int64_t)ticks_to_ns(t - c.ref_tick, c.hz);
	return c.ref_real_ns - (int64_t)ticks_to_ns(c.ref_tick - t, c.hz);
}

uint64_t
tickcount_delta_ns(uint64_t ticks)
{
	uint64_t hz = tickcount_hz();

	return hz == 0 ? 0 : ticks_to_ns(ticks, hz);
}

uint64_t
tickcount_ns_to_ticks(uint64_t ns)
{
	uint64_t hz = tickcount_hz();

	return hz == 0 ? 0 : (uint64_t)(((unsigned __int128)ns * hz) / 1000000000u);
}
