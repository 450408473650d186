/* SPDX-License-Identifier: BSD-3-Clause */
/* test_opts.c: the daemon's option parser (src/ctrl/opts.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctrl/opts.h"

static int
parse(struct nsdp_opts *o, char *err, const char *const *args)
{
	char *argv[32] = { (char *)"nsdp" };
	int argc = 1;

	while (args[argc - 1] != NULL)
		argv[argc] = (char *)args[argc - 1], argc++;
	return opts_parse(o, argc, argv, err, 256);
}

#define PARSE(o, err, ...) parse(o, err, (const char *const[]){ __VA_ARGS__, NULL })

static void
test_defaults(void **state)
{
	struct nsdp_opts o;
	char err[256];

	(void)state;
	assert_int_equal(parse(&o, err, (const char *const[]){ NULL }), 0);
	assert_int_equal(o.wake_factor, OPTS_DEFAULT_WAKE_FACTOR);
	assert_int_equal(o.rx_desc, 1024);
	assert_int_equal(o.layout.n_rx_lcores, 0);
	assert_int_equal(o.layout.rxq, 0);
	assert_false(o.promisc);
	assert_false(o.help);
	assert_string_equal(o.socket_path, NSDP_SOCK_DEFAULT);
	assert_int_equal(o.socket_group, -1);
	assert_int_equal(o.n_allow_uids, 0);
	assert_int_equal(o.n_allow_gids, 0);
}

static void
test_socket_options(void **state)
{
	struct nsdp_opts o;
	char err[256], longpath[200];

	(void)state;
	assert_int_equal(PARSE(&o, err, "--socket", "/tmp/x.sock", "--socket-group=0",
			       "--allow-uid", "0,1000,root", "--allow-gid=5,1"), -EINVAL);
	assert_non_null(strstr(err, "--allow-uid: '0,1000,root' is not a list of at most 16 distinct"));
	assert_int_equal(PARSE(&o, err, "--socket", "/tmp/x.sock", "--socket-group=root",
			       "--allow-uid", "1000,root,65534", "--allow-gid=5,1"), 0);
	assert_string_equal(o.socket_path, "/tmp/x.sock");
	assert_int_equal(o.socket_group, 0);
	assert_int_equal(o.n_allow_uids, 3);
	assert_int_equal(o.allow_uids[0], 1000);
	assert_int_equal(o.allow_uids[1], 0);
	assert_int_equal(o.allow_uids[2], 65534);
	assert_int_equal(o.n_allow_gids, 2);
	assert_int_equal(o.allow_gids[0], 5);
	assert_int_equal(o.allow_gids[1], 1);
	assert_int_equal(PARSE(&o, err, "--socket-group", "4000000000"), 0);
	assert_int_equal(o.socket_group, 4000000000L);

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(PARSE(&o, err, "--socket", longpath), -EINVAL);
	assert_non_null(strstr(err, "is not a path of 1 to 107 bytes"));
	assert_string_equal(o.socket_path, NSDP_SOCK_DEFAULT);
	assert_int_equal(opts_parse_id_list("1-3", false, (unsigned[4]){ 0 }, 4), -EINVAL);
	assert_int_equal(opts_parse_id_list("1,2,3,4,5", false, (unsigned[4]){ 0 }, 4), -EINVAL);
}

static void
test_all_options(void **state)
{
	struct nsdp_opts o;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&o, err, "--rx-lcores", "1,3-4", "--worker-lcores=5",
			       "--rxq", "4", "--wake-factor=2", "--mbufs", "65536",
			       "--rx-desc", "512", "--tx-desc=2048", "--promisc",
			       "--rx-idle-sleep", "50"), 0);
	assert_int_equal(o.layout.n_rx_lcores, 3);
	assert_int_equal(o.layout.rx_lcores[0], 1);
	assert_int_equal(o.layout.rx_lcores[1], 3);
	assert_int_equal(o.layout.rx_lcores[2], 4);
	assert_int_equal(o.layout.n_worker_lcores, 1);
	assert_int_equal(o.layout.worker_lcores[0], 5);
	assert_int_equal(o.layout.rxq, 4);
	assert_int_equal(o.wake_factor, 2);
	assert_int_equal(o.mbufs, 65536);
	assert_int_equal(o.rx_desc, 512);
	assert_int_equal(o.tx_desc, 2048);
	assert_int_equal(o.idle_sleep_us, 50);
	assert_true(o.promisc);
}

static void
test_icmp_ratelimit(void **state)
{
	struct nsdp_opts o;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&o, err, "--rx-lcores", "1"), 0);
	assert_int_equal(o.icmp_rate, OPTS_DEFAULT_ICMP_RATE);
	assert_int_equal(o.icmp_burst, OPTS_DEFAULT_ICMP_BURST);
	assert_int_equal(PARSE(&o, err, "--icmp-ratelimit", "200/7"), 0);
	assert_int_equal(o.icmp_rate, 200);
	assert_int_equal(o.icmp_burst, 7);
	assert_int_equal(PARSE(&o, err, "--icmp-ratelimit=30"), 0);
	assert_int_equal(o.icmp_rate, 30);
	assert_int_equal(o.icmp_burst, OPTS_DEFAULT_ICMP_BURST);
	assert_int_equal(PARSE(&o, err, "--icmp-ratelimit", "0"), 0);
	assert_int_equal(o.icmp_rate, 0);
}

static void
test_rx_map(void **state)
{
	struct nsdp_opts o;
	char err[256];

	(void)state;
	assert_int_equal(PARSE(&o, err, "--rx-map", "0:0@1,0:1@2,1:0@1"), 0);
	assert_int_equal(o.layout.n_rx_map, 3);
	assert_int_equal(o.layout.rx_map[1].port, 0);
	assert_int_equal(o.layout.rx_map[1].queue, 1);
	assert_int_equal(o.layout.rx_map[1].lcore, 2);
	assert_int_equal(o.layout.rx_map[2].port, 1);
}

static void
test_bad_input(void **state)
{
	static const char *const bad[][3] = {
		{ "--bogus", NULL, "unknown option '--bogus'" },
		{ "--rxq", NULL, "--rxq needs a value" },
		{ "--rxq", "0", "--rxq: '0' is not a number from 1 to 64" },
		{ "--rxq", "65", "--rxq: '65' is not a number" },
		{ "--rxq", "4x", "--rxq: '4x'" },
		{ "--rxq", "-1", "--rxq: '-1'" },
		{ "--rxq", "99999999999999999999999", "--rxq: '9" },
		{ "--rx-lcores", "1,1", "--rx-lcores: '1,1' is not a list of distinct" },
		{ "--rx-lcores", "3-1", "--rx-lcores: '3-1'" },
		{ "--rx-lcores", "1,", "--rx-lcores: '1,'" },
		{ "--rx-lcores", "", "--rx-lcores: ''" },
		{ "--rx-lcores", "128", "--rx-lcores: '128'" },
		{ "--rx-map", "0:0", "--rx-map: '0:0' is not a list of PORT:QUEUE@LCORE" },
		{ "--rx-map", "0:0@1,", "--rx-map: '0:0@1,'" },
		{ "--rx-map", "32:0@1", "--rx-map: '32:0@1'" },
		{ "--wake-factor", "0", "--wake-factor: '0'" },
		{ "--mbufs", "10", "--mbufs: '10'" },
		{ "--rx-desc", "32", "--rx-desc: '32'" },
		{ "--rx-idle-sleep", "100001", "--rx-idle-sleep: '100001'" },
		{ "--socket", "", "--socket: '' is not a path" },
		{ "--socket-group", "no-such-group-here", "--socket-group: 'no-such-group-here' is neither" },
		{ "--socket-group", "0,1", "--socket-group: '0,1'" },
		{ "--socket-group", "", "--socket-group: ''" },
		{ "--allow-uid", "", "--allow-uid: ''" },
		{ "--allow-uid", "7,7", "--allow-uid: '7,7' is not a list of at most 16 distinct uids" },
		{ "--allow-uid", "1,", "--allow-uid: '1,'" },
		{ "--allow-uid", "4294967295", "--allow-uid: '4294967295'" },
		{ "--allow-uid", "no-such-user-here", "--allow-uid: 'no-such-user-here'" },
		{ "--allow-gid", "-1", "--allow-gid: '-1' is not a list of at most 16 distinct gids" },
		{ "--allow-gid", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", "--allow-gid: '1,2,3" },
		{ "--icmp-ratelimit", "", "--icmp-ratelimit: '' is not PPS[/BURST]" },
		{ "--icmp-ratelimit", "10/", "--icmp-ratelimit: '10/'" },
		{ "--icmp-ratelimit", "10/0", "--icmp-ratelimit: '10/0'" },
		{ "--icmp-ratelimit", "/5", "--icmp-ratelimit: '/5'" },
		{ "--icmp-ratelimit", "1000001", "--icmp-ratelimit: '1000001'" },
		{ "--icmp-ratelimit", "10/100001", "--icmp-ratelimit: '10/100001'" },
		{ "--icmp-ratelimit", "10x", "--icmp-ratelimit: '10x'" },
		{ "--icmp-ratelimit", "10/5/2", "--icmp-ratelimit: '10/5/2'" },
	};
	struct nsdp_opts o;
	char err[256];

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const args[] = { bad[i][0], bad[i][1], NULL };

		err[0] = '\0';
		assert_int_equal(parse(&o, err, args), -EINVAL);
		if (strstr(err, bad[i][2]) == NULL)
			fail_msg("case %u: error '%s' does not contain '%s'", i, err, bad[i][2]);
		/* A failed parse leaves the defaults, nothing half-applied. */
		assert_int_equal(o.layout.rxq, 0);
		assert_int_equal(o.layout.n_rx_lcores, 0);
		assert_int_equal(o.layout.n_rx_map, 0);
		assert_int_equal(o.n_allow_uids, 0);
		assert_int_equal(o.n_allow_gids, 0);
		assert_int_equal(o.socket_group, -1);
	}
	assert_int_equal(PARSE(&o, err, "--promisc=1"), -EINVAL);
	assert_non_null(strstr(err, "--promisc takes no value"));
	assert_int_equal(PARSE(&o, err, "--rx-lcores", "1", "--rx-lcores", "2"), -EINVAL);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(PARSE(&o, err, "--rxq", "2", "--rxq=3"), -EINVAL);
	assert_non_null(strstr(err, "--rxq given twice"));
	assert_int_equal(PARSE(&o, err, "--rxq", "2", "--rx-map", "0:0@1"), -EINVAL);
	assert_non_null(strstr(err, "exclude each other"));
	assert_int_equal(o.layout.n_rx_map, 0);
	/* A later error undoes earlier good options. */
	assert_int_equal(PARSE(&o, err, "--rxq", "4", "--bogus"), -EINVAL);
	assert_int_equal(o.layout.rxq, 0);
}

static void
test_lcore_list(void **state)
{
	uint16_t l[8];

	(void)state;
	assert_int_equal(opts_parse_lcore_list("0-3", l, 8), 4);
	assert_int_equal(l[3], 3);
	assert_int_equal(opts_parse_lcore_list("7,2", l, 8), 2);
	assert_int_equal(l[0], 7);
	assert_int_equal(opts_parse_lcore_list("0-8", l, 8), -EINVAL); /* over max */
	assert_int_equal(opts_parse_lcore_list(NULL, l, 8), -EINVAL);
	assert_int_equal(opts_parse_lcore_list("a", l, 8), -EINVAL);
	assert_int_equal(opts_parse_lcore_list("1-2-3", l, 8), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_rx_map),
		cmocka_unit_test(test_icmp_ratelimit),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_lcore_list),
		cmocka_unit_test(test_socket_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
