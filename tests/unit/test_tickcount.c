/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tickcount.c: tick calibration and conversion to wall-clock time
 * (src/dataplane/tickcount.c).
 *
 * Tolerance: a converted tick must agree with CLOCK_REALTIME within
 * 2 ms right after calibration and after 300 ms of running on the
 * calibrated rate. The conversion error itself is microseconds on an idle
 * machine; the margin covers preemption on a busy 2-core machine.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_cycles.h>

#include "dataplane/tickcount.h"
#include "test_eal.h"

#define TOLERANCE_NS 2000000LL

static int64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* |tick converted - realtime| for the tightest of several bracketed samples. */
static int64_t
conversion_error(void)
{
	int64_t best = INT64_MAX;

	for (int i = 0; i < 8; i++) {
		tickcount_t t = tickcount_now();
		int64_t r = realtime_ns();
		int64_t d = tickcount_to_realtime_ns(t) - r;

		if (d < 0)
			d = -d;
		if (d < best)
			best = d;
	}
	return best;
}

static void
test_uncalibrated(void **state)
{
	struct tickcount_calib c;

	(void)state;
	assert_int_equal(tickcount_hz(), 0);
	assert_int_equal(tickcount_to_realtime_ns(tickcount_now()), 0);
	assert_int_equal(tickcount_delta_ns(1000), 0);
	assert_int_equal(tickcount_get_calib(&c), -EAGAIN);
	assert_int_equal(tickcount_resync(), -EAGAIN);
	assert_int_equal(tickcount_calibrate(5), -EINVAL);
	assert_int_equal(tickcount_calibrate(10001), -EINVAL);
	assert_int_equal(tickcount_hz(), 0);
}

static void
test_calibrate_rate(void **state)
{
	uint64_t hz, eal;

	(void)state;
	assert_int_equal(tickcount_calibrate(100), 0);
	hz = tickcount_hz();
	eal = rte_get_tsc_hz();
	print_message("calibrated %lu Hz, EAL says %lu Hz\n", (unsigned long)hz, (unsigned long)eal);
	/* The EAL's own estimate may be coarse; agree within 1 %. */
	assert_true(hz > eal - eal / 100 && hz < eal + eal / 100);
}

static void
test_to_realtime(void **state)
{
	int64_t e0, e1;
	struct timespec nap = { 0, 300000000L };

	(void)state;
	e0 = conversion_error();
	nanosleep(&nap, NULL);
	e1 = conversion_error();
	print_message("conversion error: %ld ns now, %ld ns after 300 ms\n", (long)e0, (long)e1);
	assert_true(e0 < TOLERANCE_NS);
	assert_true(e1 < TOLERANCE_NS);
	assert_int_equal(tickcount_resync(), 0);
	assert_true(conversion_error() < TOLERANCE_NS);
}

static void
test_past_ticks_and_deltas(void **state)
{
	struct tickcount_calib c;
	uint64_t hz;

	(void)state;
	assert_int_equal(tickcount_get_calib(&c), 0);
	hz = c.hz;
	/* One second of ticks is one second of nanoseconds (rounding down). */
	assert_true(tickcount_delta_ns(hz) >= 999999999ULL && tickcount_delta_ns(hz) <= 1000000000ULL);
	assert_true(tickcount_ns_to_ticks(1000000000ULL) >= hz - 1 &&
		    tickcount_ns_to_ticks(1000000000ULL) <= hz);
	/* A tick one second before the reference converts to one second earlier. */
	int64_t a = tickcount_to_realtime_ns(c.ref_tick);
	int64_t b = tickcount_to_realtime_ns(c.ref_tick - hz);
	assert_true(a - b >= 999999999LL && a - b <= 1000000001LL);
	assert_int_equal(a, c.ref_real_ns);
	/* Monotonic in the tick. */
	assert_true(tickcount_to_realtime_ns(c.ref_tick + 10) >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uncalibrated),
		cmocka_unit_test(test_calibrate_rate),
		cmocka_unit_test(test_to_realtime),
		cmocka_unit_test(test_past_ticks_and_deltas),
	};

	test_eal_init("0", NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
