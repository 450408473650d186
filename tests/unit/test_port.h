/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_port.h: start an ethdev port (a vdev such as net_null or net_ring)
 * with one rx and one tx queue and list it in nsdp_ports[] as started, the
 * way ports_setup() leaves a port, for unit tests that build an interface
 * tree on it. Include after cmocka.h; failures fail the test.
 */
#ifndef NSDP_TEST_PORT_H
#define NSDP_TEST_PORT_H

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dataplane/port.h"

static inline void
test_port_up(uint16_t p, struct rte_mempool *mp, uint16_t desc)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;

	memset(&conf, 0, sizeof(conf));
	assert_int_equal(rte_eth_dev_info_get(p, &info), 0);
	assert_int_equal(rte_eth_dev_configure(p, 1, 1, &conf), 0);
	assert_int_equal(rte_eth_rx_queue_setup(p, 0, desc, SOCKET_ID_ANY, NULL, mp), 0);
	assert_int_equal(rte_eth_tx_queue_setup(p, 0, desc, SOCKET_ID_ANY, NULL), 0);
	assert_int_equal(rte_eth_dev_start(p), 0);
	nsdp_ports[p].port_id = p;
	rte_eth_dev_get_name_by_port(p, nsdp_ports[p].name);
	snprintf(nsdp_ports[p].driver, sizeof(nsdp_ports[p].driver), "%s", info.driver_name);
	rte_eth_macaddr_get(p, &nsdp_ports[p].mac);
	nsdp_ports[p].state = PORT_S_STARTED;
}

#endif
