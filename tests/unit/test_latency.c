/* SPDX-License-Identifier: BSD-3-Clause */
/* test_latency.c: latency histogram buckets, sums and percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/latency.h"
#include "test_eal.h"

static void
test_bucket_bounds(void **state)
{
	uint64_t prev_hi = 0;

	(void)state;
	/* Buckets tile the value range without gaps or overlaps. */
	for (unsigned b = 0; b < LAT_BUCKETS - 4; b++) {
		uint64_t lo, hi;

		latency_bucket_bounds(b, &lo, &hi);
		if (b > 0)
			assert_int_equal(lo, prev_hi + 1);
		assert_true(hi >= lo);
		assert_int_equal(latency_bucket(lo), b);
		assert_int_equal(latency_bucket(hi), b);
		prev_hi = hi;
		if (hi == UINT64_MAX)
			break;
	}
	/* Every value lands in a bucket whose bounds contain it, <= 25 % wide. */
	for (uint64_t v = 0; v < 100000; v += 7) {
		uint64_t lo, hi;

		latency_bucket_bounds(latency_bucket(v), &lo, &hi);
		assert_true(lo <= v && v <= hi);
		assert_true(hi - lo <= lo / 4 + 1);
	}
	assert_true(latency_bucket(UINT64_MAX) < LAT_BUCKETS);
}

static void
test_record_and_percentiles(void **state)
{
	struct latency_hist *h = calloc(1, sizeof(*h));

	(void)state;
	assert_int_equal(latency_percentile(h, 500), 0);
	for (uint64_t i = 1; i <= 1000; i++)
		latency_record(h, i * 100);
	assert_int_equal(h->total, 1000);
	assert_int_equal(h->max_ticks, 100000);
	assert_int_equal(h->sum_ticks, 100ULL * 1000 * 1001 / 2);
	/* The median sample is 50000; its bucket is at most 25 % wider. */
	uint64_t p50 = latency_percentile(h, 500);
	assert_true(p50 >= 50000 && p50 <= 62500);
	uint64_t p99 = latency_percentile(h, 990);
	assert_true(p99 >= 99000 && p99 <= 100000);
	assert_int_equal(latency_percentile(h, 1000), 100000);
	assert_int_equal(latency_percentile(h, 5000), 100000);
	free(h);
}

static void
test_port_sum_over_lcores(void **state)
{
	struct latency_hist sum;

	(void)state;
	assert_int_equal(latency_init(), 0);
	/* Two lcores' histograms of port 3 add up; other ports stay empty. */
	latency_record(&nsdp_lcore_latency[0][3], 10);
	latency_record(&nsdp_lcore_latency[1][3], 1000);
	latency_record(&nsdp_lcore_latency[1][3], 20);
	latency_port_sum(3, &sum);
	assert_int_equal(sum.total, 3);
	assert_int_equal(sum.max_ticks, 1000);
	assert_int_equal(sum.sum_ticks, 1030);
	assert_int_equal(sum.count[latency_bucket(10)], 1);
	latency_port_sum(2, &sum);
	assert_int_equal(sum.total, 0);
	latency_port_sum(RTE_MAX_ETHPORTS, &sum);
	assert_int_equal(sum.total, 0);
	latency_fini();
	assert_null(nsdp_lcore_latency[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_bounds),
		cmocka_unit_test(test_record_and_percentiles),
		cmocka_unit_test(test_port_sum_over_lcores),
	};

	test_eal_init("0,1@0", NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
