/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_lcore.c: the rx lcore loop, the tx path and port removal, on net_null
 * ports (the only "hardware" here is DPDK's null PMD, which produces and
 * swallows frames).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/latency.h"
#include "dataplane/lcore.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/port.h"
#include "dataplane/tickcount.h"
#include "test_eal.h"

static struct layout L;
static struct rte_mempool *mp;

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
setup(void **state)
{
	struct layout_port ports[RTE_MAX_ETHPORTS];
	struct layout_req req = { 0 };
	struct port_setup_req preq = { .rx_desc = 256, .tx_desc = 256 };
	uint16_t lcores[] = { 1, 2 };
	unsigned n;
	char err[256];

	(void)state;
	assert_int_equal(pkt_meta_register(), 0);
	assert_int_equal(tickcount_calibrate(20), 0);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	n = ports_discover(ports, RTE_DIM(ports));
	assert_int_equal(n, 2);
	if (layout_build(&L, &req, 0, lcores, 2, ports, n, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	mp = rte_pktmbuf_pool_create("test_mbufs", 8191, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	if (ports_setup(&L, mp, &preq, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(lcores_init(&L, 0), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ports_shutdown();
	lcores_fini();
	rte_mempool_free(mp);
	latency_fini();
	counters_fini();
	return 0;
}

static void
test_ports_configured(void **state)
{
	(void)state;
	for (uint16_t p = 0; p < 2; p++) {
		assert_int_equal(nsdp_ports[p].state, PORT_S_STARTED);
		assert_string_equal(nsdp_ports[p].driver, "net_null");
		assert_int_equal(nsdp_ports[p].nb_txq, 3);
		assert_true(port_is_started(p));
	}
	assert_non_null(nsdp_lcores[0]);
	assert_int_equal(nsdp_lcores[1]->role, LCORE_ROLE_RX);
	assert_int_equal(nsdp_lcores[1]->poll->n, 2);
	assert_int_equal(nsdp_lcores[2]->role, LCORE_ROLE_WORKER);
}

static struct rte_mbuf *
received_packet(tickcount_t t)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, 60));
	pkt_meta_rx_init(m, t);
	return m;
}

static void
test_tx_counts_and_latency(void **state)
{
	struct lcore_ctx *c = nsdp_lcores[rte_lcore_id()];
	struct port_counters pc;
	struct latency_hist *h = malloc(sizeof(*h));
	tickcount_t t = tickcount_now();
	unsigned in_use = rte_mempool_in_use_count(mp);

	(void)state;
	assert_non_null(h);
	/* 150 received packets (more than one tx buffer) and 10 originated. */
	for (int i = 0; i < 150; i++)
		tx_enqueue(c, 0, received_packet(t));
	for (int i = 0; i < 10; i++) {
		struct rte_mbuf *m = received_packet(0);

		pkt_meta(m)->flags = PKT_F_ORIGINATED;
		tx_enqueue(c, 0, m);
	}
	tx_flush(c);
	assert_int_equal(c->n_tx_pending, 0);
	counters_port_sum(0, &pc);
	assert_int_equal(pc.tx_packets, 160);
	assert_int_equal(pc.tx_bytes, 160 * 60);
	assert_int_equal(pc.drops[DROP_tx_full], 0);
	latency_port_sum(0, h);
	/* Only received packets carry an rx time: originated ones are not sampled. */
	assert_int_equal(h->total, 150);
	assert_true(h->max_ticks > 0);
	latency_port_sum(1, h);
	assert_int_equal(h->total, 0);
	/* net_null frees what it sends: nothing leaked. */
	assert_int_equal(rte_mempool_in_use_count(mp), in_use);
	free(h);
}

static void
test_rx_loop_drops_not_for_us(void **state)
{
	struct port_counters p0, p1;
	struct lcore_ctx *rx = nsdp_lcores[1];

	(void)state;
	counters_port_reset(0);
	counters_port_reset(1);
	assert_int_equal(rte_eal_remote_launch(rx_lcore_main, rx, 1), 0);
	nap_ms(100);
	__atomic_store_n(&rx->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	rx->stop = 0;
	counters_port_sum(0, &p0);
	counters_port_sum(1, &p1);
	print_message("rx lcore: %lu + %lu packets in %lu loops\n", (unsigned long)p0.rx_packets,
		      (unsigned long)p1.rx_packets, (unsigned long)rx->loops);
	assert_true(p0.rx_packets > 0);
	assert_true(p1.rx_packets > 0);
	/* Nothing is configured: every received frame is dropped as not for us. */
	assert_int_equal(p0.drops[DROP_not_for_us], p0.rx_packets);
	assert_int_equal(p1.drops[DROP_not_for_us], p1.rx_packets);
	assert_int_equal(p0.rx_bytes, p0.rx_packets * 64);
	assert_true(rx->loops > 0);
}

static void
test_port_removal_while_polling(void **state)
{
	struct lcore_ctx *rx = nsdp_lcores[1], *c = nsdp_lcores[rte_lcore_id()];
	struct port_counters before, after;
	uint64_t mask;

	(void)state;
	assert_int_equal(rte_eal_remote_launch(rx_lcore_main, rx, 1), 0);
	nap_ms(20);
	/* What the removal event callback does, then what the control thread does. */
	port_mark_removing(1);
	assert_false(port_is_started(1));
	mask = ports_handle_events();
	assert_int_equal(mask, 1ULL << 1);
	assert_int_equal(ports_handle_events(), 0); /* announced once */
	assert_int_equal(lcores_unpoll_ports(mask), 0);
	port_close(1);
	assert_int_equal(nsdp_ports[1].state, PORT_S_CLOSED);
	assert_int_equal(nsdp_lcores[1]->poll->n, 1);

	/* The rx lcore goes on with port 0 and never touches port 1 again. */
	counters_port_sum(1, &before);
	nap_ms(50);
	counters_port_sum(1, &after);
	assert_int_equal(before.rx_packets, after.rx_packets);
	counters_port_sum(0, &before);
	assert_true(before.rx_packets > 0);

	__atomic_store_n(&rx->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(1), 0);

	/* Packets for a removed port are dropped and counted, not sent. */
	counters_port_sum(1, &before);
	for (int i = 0; i < 5; i++)
		tx_enqueue(c, 1, received_packet(tickcount_now()));
	tx_flush(c);
	counters_port_sum(1, &after);
	assert_int_equal(after.drops[DROP_port_removed] - before.drops[DROP_port_removed], 5);
	assert_int_equal(after.tx_packets, before.tx_packets);
}

static void
test_drop_reason_names(void **state)
{
	(void)state;
	assert_string_equal(drop_reason_name(DROP_not_for_us), "not_for_us");
	assert_non_null(drop_reason_desc(DROP_tx_full));
	assert_null(drop_reason_name(DROP_MAX));
	assert_null(drop_reason_desc(DROP_MAX));
	for (unsigned r = 0; r < DROP_MAX; r++)
		assert_non_null(drop_reason_name(r));
}

static void
test_pkt_meta_msg_roundtrip(void **state)
{
	struct rte_mbuf *m = received_packet(1234);
	struct svc_msg *msg = mbuf_to_svc_msg(m);

	(void)state;
	assert_int_equal(pkt_meta(m)->tickcount, 1234);
	assert_int_equal(pkt_meta(m)->flags, PKT_F_RECEIVED);
	assert_int_equal(pkt_meta(m)->ifl_index, 0);
	assert_int_equal(msg->type, SVC_MSG_PACKET);
	assert_ptr_equal(svc_msg_to_mbuf(msg), m);
	/* Registration is idempotent and keeps the offset. */
	int off = nsdp_pkt_meta_offset;
	assert_int_equal(pkt_meta_register(), 0);
	assert_int_equal(nsdp_pkt_meta_offset, off);
	rte_pktmbuf_free(m);
}

int
main(void)
{
	static const char *const vdevs[] = { "net_null0", "net_null1", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_configured),
		cmocka_unit_test(test_pkt_meta_msg_roundtrip),
		cmocka_unit_test(test_drop_reason_names),
		cmocka_unit_test(test_tx_counts_and_latency),
		cmocka_unit_test(test_rx_loop_drops_not_for_us),
		cmocka_unit_test(test_port_removal_while_polling),
	};

	test_eal_init("0,1@0,2@0", vdevs);
	return cmocka_run_group_tests(tests, setup, teardown);
}
