/* SPDX-License-Identifier: BSD-3-Clause */
/* test_layout.c: lcore roles and queue assignment (src/dataplane/layout.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/layout.h"

static struct layout L;
static char err[256];

static const struct layout_port two_ports[] = {
	{ .port_id = 0, .max_rxq = 16, .max_txq = 16 },
	{ .port_id = 1, .max_rxq = 16, .max_txq = 16 },
};

/* Every queue of every port is polled by exactly one rx lcore. */
static void
assert_each_queue_polled_once(const struct layout *l)
{
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!l->port_used[p])
			continue;
		for (unsigned q = 0; q < l->nb_rxq[p]; q++) {
			unsigned seen = 0;

			for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
				for (unsigned i = 0; i < l->poll[lc].n; i++)
					if (l->poll[lc].q[i].port == p && l->poll[lc].q[i].queue == q) {
						assert_int_equal(l->role[lc], LCORE_ROLE_RX);
						seen++;
					}
			assert_int_equal(seen, 1);
		}
	}
}

static void
test_default_two_cores(void **state)
{
	struct layout_req req = { 0 };
	const uint16_t lcores[] = { 1, 2 };

	(void)state;
	assert_int_equal(layout_build(&L, &req, 0, lcores, 2, two_ports, 2, err, sizeof(err)), 0);
	assert_int_equal(L.role[0], LCORE_ROLE_CONTROL);
	assert_int_equal(L.role[1], LCORE_ROLE_RX);
	assert_int_equal(L.role[2], LCORE_ROLE_WORKER);
	assert_int_equal(L.n_rx_lcores, 1);
	assert_int_equal(L.n_worker_lcores, 1);
	assert_int_equal(L.nb_rxq[0], 1);
	assert_int_equal(L.nb_rxq[1], 1);
	assert_int_equal(L.poll[1].n, 2);
	/* Three transmitting lcores, three distinct tx queues. */
	assert_int_equal(L.n_txq, 3);
	assert_int_not_equal(L.txq[0], L.txq[1]);
	assert_int_not_equal(L.txq[1], L.txq[2]);
	assert_int_equal(L.txq[3], UINT16_MAX);
	assert_each_queue_polled_once(&L);
}

static void
test_rss_round_robin(void **state)
{
	struct layout_req req = { .rxq = 4 };
	const uint16_t lcores[] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(layout_build(&L, &req, 0, lcores, 3, two_ports, 2, err, sizeof(err)), 0);
	assert_int_equal(L.n_rx_lcores, 2);
	assert_int_equal(L.nb_rxq[0], 4);
	assert_int_equal(L.poll[1].n, 4);
	assert_int_equal(L.poll[2].n, 4);
	assert_each_queue_polled_once(&L);
	/* Limited by what the port supports. */
	const struct layout_port small[] = { { .port_id = 0, .max_rxq = 2, .max_txq = 8 } };
	assert_int_equal(layout_build(&L, &req, 0, lcores, 3, small, 1, err, sizeof(err)), 0);
	assert_int_equal(L.nb_rxq[0], 2);
	assert_each_queue_polled_once(&L);
}

static void
test_explicit_roles_and_map(void **state)
{
	struct layout_req req = {
		.rx_lcores = { 2, 3 }, .n_rx_lcores = 2,
		.worker_lcores = { 1 }, .n_worker_lcores = 1,
		.rx_map = { { 0, 0, 3 }, { 0, 1, 2 }, { 1, 0, 2 } }, .n_rx_map = 3,
	};
	const uint16_t lcores[] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(layout_build(&L, &req, 0, lcores, 3, two_ports, 2, err, sizeof(err)), 0);
	assert_int_equal(L.role[1], LCORE_ROLE_WORKER);
	assert_int_equal(L.nb_rxq[0], 2);
	assert_int_equal(L.nb_rxq[1], 1);
	assert_int_equal(L.poll[3].n, 1);
	assert_int_equal(L.poll[2].n, 2);
	assert_each_queue_polled_once(&L);
}

static void
expect_fail(const struct layout_req *req, const uint16_t *lcores, unsigned n,
	    const struct layout_port *ports, unsigned np, const char *msg)
{
	err[0] = '\0';
	assert_int_equal(layout_build(&L, req, 0, lcores, n, ports, np, err, sizeof(err)), -EINVAL);
	if (strstr(err, msg) == NULL)
		fail_msg("error '%s' does not contain '%s'", err, msg);
}

static void
test_errors(void **state)
{
	const uint16_t one[] = { 1 }, three[] = { 1, 2, 3 };
	struct layout_req req = { 0 };

	(void)state;
	expect_fail(&req, one, 1, two_ports, 2, "need at least two lcores");

	req = (struct layout_req){ .rx_lcores = { 0 }, .n_rx_lcores = 1 };
	expect_fail(&req, three, 3, two_ports, 2, "is the main lcore");
	req = (struct layout_req){ .rx_lcores = { 9 }, .n_rx_lcores = 1 };
	expect_fail(&req, three, 3, two_ports, 2, "not enabled");
	req = (struct layout_req){ .rx_lcores = { 1 }, .n_rx_lcores = 1,
				   .worker_lcores = { 1 }, .n_worker_lcores = 1 };
	expect_fail(&req, three, 3, two_ports, 2, "both rx and worker");
	req = (struct layout_req){ .rx_lcores = { 1, 2, 3 }, .n_rx_lcores = 3 };
	expect_fail(&req, three, 3, two_ports, 2, "no worker lcore");
	req = (struct layout_req){ .worker_lcores = { 1, 2, 3 }, .n_worker_lcores = 3 };
	expect_fail(&req, three, 3, two_ports, 2, "no rx lcore");

	/* rx-map: holes, duplicates, unknown ports and non-rx lcores. */
	req = (struct layout_req){ .rx_map = { { 0, 1, 1 }, { 1, 0, 1 } }, .n_rx_map = 2 };
	expect_fail(&req, three, 3, two_ports, 2, "queue 0 of port 0 is not mapped");
	req = (struct layout_req){ .rx_map = { { 0, 0, 1 }, { 0, 0, 2 }, { 1, 0, 1 } }, .n_rx_map = 3 };
	expect_fail(&req, three, 3, two_ports, 2, "mapped twice");
	req = (struct layout_req){ .rx_map = { { 5, 0, 1 } }, .n_rx_map = 1 };
	expect_fail(&req, three, 3, two_ports, 2, "port 5 does not exist");
	req = (struct layout_req){ .rx_map = { { 0, 0, 3 }, { 1, 0, 1 } }, .n_rx_map = 2 };
	expect_fail(&req, three, 3, two_ports, 2, "lcore 3 is not an rx lcore");
	req = (struct layout_req){ .rx_map = { { 0, 0, 1 } }, .n_rx_map = 1 };
	expect_fail(&req, three, 3, two_ports, 2, "port 1 has no queue mapped");

	/* Not enough tx queues for every transmitting lcore. */
	const struct layout_port narrow[] = { { .port_id = 0, .max_rxq = 4, .max_txq = 2 } };
	req = (struct layout_req){ 0 };
	expect_fail(&req, three, 3, narrow, 1, "each needs its own");
}

static void
test_grow_rxq(void **state)
{
	struct layout_req req = { .rx_lcores = { 1, 2 }, .n_rx_lcores = 2 };
	const uint16_t lcores[] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(layout_build(&L, &req, 0, lcores, 3, two_ports, 2, err, sizeof(err)), 0);
	assert_int_equal(L.nb_rxq[0], 1);
	assert_int_equal(layout_grow_rxq(&L, 0, 4), 0);
	assert_int_equal(L.nb_rxq[0], 4);
	assert_each_queue_polled_once(&L);
	/* Growing never shrinks, and bad arguments are refused without change. */
	assert_int_equal(layout_grow_rxq(&L, 0, 2), 0);
	assert_int_equal(L.nb_rxq[0], 4);
	assert_int_equal(layout_grow_rxq(&L, 7, 2), -EINVAL);
	assert_int_equal(layout_grow_rxq(&L, 0, LAYOUT_MAX_RXQ + 1), -EINVAL);
	assert_int_equal(L.nb_rxq[0], 4);
}

static void
test_grow_rxq_failure_leaves_no_trace(void **state)
{
	/* One rx lcore already polling LAYOUT_MAX_POLL - 1 queues cannot take two more. */
	const struct layout_port ports[] = {
		{ .port_id = 0, .max_rxq = 64, .max_txq = 8 },
		{ .port_id = 1, .max_rxq = 63, .max_txq = 8 },
		{ .port_id = 2, .max_rxq = 1, .max_txq = 8 },
	};
	struct layout_req req = { .rxq = 63 };
	const uint16_t lcores[] = { 1, 2 };
	static struct layout before;

	(void)state;
	assert_int_equal(layout_build(&L, &req, 0, lcores, 2, ports, 3, err, sizeof(err)), 0);
	assert_int_equal(L.poll[1].n, 127);
	memcpy(&before, &L, sizeof(L));
	assert_int_equal(layout_grow_rxq(&L, 2, 3), -EINVAL);
	assert_memory_equal(&before, &L, sizeof(L));
	assert_int_equal(layout_grow_rxq(&L, 2, 2), 0);
	assert_int_equal(L.poll[1].n, 128);
	assert_each_queue_polled_once(&L);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_two_cores),
		cmocka_unit_test(test_rss_round_robin),
		cmocka_unit_test(test_explicit_roles_and_map),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_grow_rxq),
		cmocka_unit_test(test_grow_rxq_failure_leaves_no_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
