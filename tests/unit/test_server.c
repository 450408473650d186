/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_server.c: the control protocol server (src/ctrl/server.c) and the
 * objects it serves today (hello, driver, port, stats, monitor), in
 * process: the server runs on its own thread as the control thread would,
 * ports are net_null (and net_ring when built) vdevs, and clients are real
 * SOCK_SEQPACKET sockets speaking the wire format.
 *
 * Bad inputs are checked to change nothing by dumping ports, drivers and
 * stats before and after. Timing: nothing is asserted about durations;
 * every client read has a generous timeout so a hang fails instead of
 * blocking the suite.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <endian.h>

#include <cmocka.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_mbuf.h>

#include "ctrl/handlers.h"
#include "ctrl/server.h"
#include "dataplane/counters.h"
#include "dataplane/latency.h"
#include "dataplane/lcore.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/port.h"
#include "dataplane/route.h"
#include "dataplane/tickcount.h"
#include "ifcfg/ifcfg.h"
#include "test_eal.h"

#define RECV_TIMEOUT_S 60
#define PART_OBJS 2          /* small dump parts, so dumps take several */
#define ALLOWED_UID 1234
#define NOBODY 65534
#define N_CLIENTS 50
#define N_RESETS 3000

static struct layout L;
static struct rte_mempool *mp;
static struct ctrl_server *srv;
static pthread_t srv_thread;
static int srv_cmd = -1;           /* eventfd: wake the server thread */
static uint32_t srv_stop, srv_sync; /* [A] requests to the server thread */
static char dir[48], path[96];
static unsigned n_ports;
static uint32_t seq = 1;

/* --- server thread: what main.c's control loop does ---------------------- */

static void *
server_main(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)arg;
	ev.data.fd = ctrl_server_epoll_fd(srv);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = srv_cmd;
	epoll_ctl(ep, EPOLL_CTL_ADD, srv_cmd, &ev);
	while (!__atomic_load_n(&srv_stop, __ATOMIC_ACQUIRE)) {
		uint64_t v;

		epoll_wait(ep, evs, RTE_DIM(evs), 1000);
		if (read(srv_cmd, &v, sizeof(v)) < 0)
			v = 0;
		if (__atomic_exchange_n(&srv_sync, 0, __ATOMIC_ACQ_REL))
			ctrl_port_sync();
		ctrl_server_process(srv);
	}
	close(ep);
	return NULL;
}

static void
server_wake(void)
{
	uint64_t one = 1;

	assert_int_equal(write(srv_cmd, &one, sizeof(one)), sizeof(one));
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Let the rx lcore count some packets, then stop it: counters are static after. */
static void
run_dataplane_ms(long ms)
{
	struct lcore_ctx *rx = nsdp_lcores[1];

	assert_int_equal(rte_eal_remote_launch(rx_lcore_main, rx, 1), 0);
	nap_ms(ms);
	__atomic_store_n(&rx->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	rx->stop = 0;
}

static int
setup(void **state)
{
	static const uid_t allow[] = { ALLOWED_UID };
	struct layout_port ports[RTE_MAX_ETHPORTS];
	struct layout_req req = { 0 };
	struct port_setup_req preq = { .rx_desc = 256, .tx_desc = 256 };
	struct ctrl_server_conf conf = { 0 };
	uint16_t lcores[] = { 1, 2 };
	char err[256];

	(void)state;
	assert_int_equal(pkt_meta_register(), 0);
	assert_int_equal(tickcount_calibrate(20), 0);
	assert_int_equal(counters_init(), 0);
	assert_int_equal(latency_init(), 0);
	n_ports = ports_discover(ports, RTE_DIM(ports));
	assert_true(n_ports >= 3);
	if (layout_build(&L, &req, 0, lcores, 2, ports, n_ports, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	mp = rte_pktmbuf_pool_create("test_mbufs", 16383, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(mp);
	if (ports_setup(&L, mp, &preq, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(lcores_init(&L, 0), 0);
	/* The ifdrivers DRIVER shows come from the interface tree. */
	assert_int_equal(nh_init(), 0);
	assert_int_equal(rt_init(), 0);
	assert_int_equal(ifcfg_init(), 0);
	run_dataplane_ms(50);

	snprintf(dir, sizeof(dir), "/tmp/nsdp-test-server-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* The unprivileged clients of the credentials test must reach the socket. */
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/nsdp.sock", dir);
	conf.path = path;
	conf.mode = 0666;
	conf.group = -1;
	conf.allow_uids = allow;
	conf.n_allow_uids = 1;
	conf.dump_part_objs = PART_OBJS;
	assert_int_equal(ctrl_handlers_register_all(), 0);
	/* A second registration of the same types is refused, nothing half-done. */
	assert_int_equal(ctrl_handlers_register_all(), -EEXIST);
	srv = ctrl_server_create(&conf);
	assert_non_null(srv);
	/* One server at a time. */
	assert_null(ctrl_server_create(&conf));
	ctrl_port_sync();
	srv_cmd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(srv_cmd >= 0);
	assert_int_equal(pthread_create(&srv_thread, NULL, server_main, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	struct stat st;

	(void)state;
	__atomic_store_n(&srv_stop, 1, __ATOMIC_RELEASE);
	server_wake();
	pthread_join(srv_thread, NULL);
	ctrl_server_destroy(srv);
	/* The socket file goes with the server. */
	assert_int_equal(stat(path, &st), -1);
	rmdir(dir);
	close(srv_cmd);
	ports_shutdown();
	lcores_fini();
	rte_mempool_free(mp);
	latency_fini();
	counters_fini();
	return 0;
}

/* --- a minimal client ---------------------------------------------------- */

static int
cl_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { RECV_TIMEOUT_S, 0 };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

typedef void (*put_fn)(struct nsdp_builder *b, const void *arg);

/* Build a request in wire order into @buf. @return its length. */
static int
cl_build(uint8_t *buf, size_t size, uint16_t type, uint16_t flags, uint32_t s, put_fn put,
	 const void *arg)
{
	struct nsdp_builder b;

	nsdp_msg_start(&b, buf, size, type, NLM_F_REQUEST | flags, s);
	if (put != NULL)
		put(&b, arg);
	return nsdp_msg_end(&b);
}

/* Send one request; @return its seq, 0 if the send failed. */
static uint32_t
cl_send_flags(int fd, uint16_t type, uint16_t flags, put_fn put, const void *arg, int sflags)
{
	uint8_t buf[NSDP_MSG_MAX];
	uint32_t s = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
	int len = cl_build(buf, sizeof(buf), type, flags, s, put, arg);

	if (len < 0 || send(fd, buf, (size_t)len, MSG_NOSIGNAL | sflags) != len)
		return 0;
	return s;
}

static uint32_t
cl_send(int fd, uint16_t type, uint16_t flags, put_fn put, const void *arg)
{
	return cl_send_flags(fd, type, flags, put, arg, 0);
}

/* Receive one datagram, headers to host order. @return its length, or -1. */
static ssize_t
cl_recv(int fd, uint8_t *buf, int flags)
{
	struct nsdp_err err = { 0 };
	ssize_t n = recv(fd, buf, NSDP_MSG_MAX, flags);

	if (n <= 0)
		return -1;
	if (nsdp_wire_to_host(buf, (size_t)n, &err) < 0)
		fail_msg("server sent a malformed datagram: %s", err.msg);
	return n;
}

#define FOR_EACH_MSG(nlh, buf, len)                                           \
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)(buf);                 \
	     (uint8_t *)nlh < (buf) + (len);                                  \
	     nlh = (struct nlmsghdr *)((uint8_t *)nlh + NLMSG_ALIGN(nlh->nlmsg_len)))

static void
decode_error(const struct nlmsghdr *nlh, struct nsdp_err *e)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err perr = { 0 };

	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	if (nsdp_parse(nlh, nsdp_msg_policy(NLMSG_ERROR), tb, &perr) < 0)
		fail_msg("bad error message: %s", perr.msg);
	assert_non_null(tb[NSDP_A_ERR_ERRNO]);
	memset(e, 0, sizeof(*e));
	e->errnum = (int)nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]);
	if (tb[NSDP_A_ERR_MSG] != NULL)
		snprintf(e->msg, sizeof(e->msg), "%s", nsdp_get_str(tb[NSDP_A_ERR_MSG]));
	if (tb[NSDP_A_ERR_OFFSET] != NULL)
		e->offset = nsdp_get_u32(tb[NSDP_A_ERR_OFFSET]);
}

/* The next datagram must be one error (or ack, @errnum 0) for @s. */
static void
expect_error(int fd, uint32_t s, int errnum, const char *substr)
{
	uint8_t buf[NSDP_MSG_MAX];
	struct nsdp_err e;
	ssize_t n = cl_recv(fd, buf, 0);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	assert_true(n > 0);
	decode_error(nlh, &e);
	if (e.errnum != errnum || (substr != NULL && strstr(e.msg, substr) == NULL))
		fail_msg("expected errno %d '%s', got %d '%s'", errnum, substr ? substr : "",
			 e.errnum, e.msg);
	assert_int_equal(nlh->nlmsg_seq, s);
	assert_int_equal((size_t)n, NLMSG_ALIGN(nlh->nlmsg_len));
}

static void
put_hello(struct nsdp_builder *b, const void *arg)
{
	nsdp_put_u32(b, NSDP_A_HELLO_VERSION, *(const uint32_t *)arg);
	nsdp_put_str(b, NSDP_A_HELLO_NAME, "test_server");
}

static void
cl_hello(int fd)
{
	static const uint32_t v = NSDP_PROTO_VERSION;
	uint8_t buf[NSDP_MSG_MAX];
	uint32_t s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), 0, put_hello, &v);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	assert_int_not_equal(s, 0);
	assert_true(cl_recv(fd, buf, 0) > 0);
	assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET));
	assert_int_equal(nlh->nlmsg_seq, s);
}

static void
put_u32_attr(struct nsdp_builder *b, const void *arg)
{
	const uint32_t *a = arg; /* { type, value } */

	nsdp_put_u32(b, (uint16_t)a[0], a[1]);
}

/* Key of a dump's last object, copied from NLMSG_DONE's LAST nest. */
struct dump_key {
	uint8_t attrs[256];
	size_t len;
};

static void
put_key(struct nsdp_builder *b, const void *arg)
{
	const struct dump_key *k = arg;
	const struct nlattr *a;

	for (size_t off = 0; off < k->len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)(k->attrs + off);
		nsdp_put_bin(b, a->nla_type, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	}
}

/*
 * Dump every object of @obj, part after part. Appends each object message
 * (seq zeroed) to @out if not NULL. @return objects; @parts counts parts.
 */
static unsigned
cl_dump(int fd, unsigned obj, uint8_t *out, size_t *out_len, unsigned *parts)
{
	struct dump_key key = { .len = 0 };
	unsigned n = 0, np = 0;
	bool more = true;

	while (more) {
		uint8_t buf[NSDP_MSG_MAX];
		uint32_t s = cl_send(fd, NSDP_MSG_TYPE(obj, NSDP_OP_GETNEXT), 0,
				     key.len ? put_key : NULL, &key);
		ssize_t len;
		bool done = false;

		assert_int_not_equal(s, 0);
		len = cl_recv(fd, buf, 0);
		assert_true(len > 0);
		np++;
		FOR_EACH_MSG(nlh, buf, len) {
			assert_false(done); /* DONE ends the datagram */
			assert_int_equal(nlh->nlmsg_seq, s);
			if (nlh->nlmsg_type == NLMSG_DONE) {
				const struct nlattr *tb[NSDP_TB_MAX];
				struct nsdp_err e = { 0 };

				assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(NLMSG_DONE), tb, &e), 0);
				assert_non_null(tb[NSDP_A_DONE_MORE]);
				more = nsdp_get_u8(tb[NSDP_A_DONE_MORE]) != 0;
				if (more) {
					const struct nlattr *last = tb[NSDP_A_DONE_LAST];

					assert_non_null(last);
					key.len = mnl_attr_get_payload_len(last);
					assert_true(key.len <= sizeof(key.attrs));
					memcpy(key.attrs, mnl_attr_get_payload(last), key.len);
				}
				done = true;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nsdp_err e;

				decode_error(nlh, &e);
				fail_msg("dump of object %u failed: %d %s", obj, e.errnum, e.msg);
			}
			assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(obj, NSDP_OP_GETNEXT));
			assert_true(nlh->nlmsg_flags & NLM_F_MULTI);
			n++;
			if (out != NULL) {
				memcpy(out + *out_len, nlh, nlh->nlmsg_len);
				((struct nlmsghdr *)(out + *out_len))->nlmsg_seq = 0;
				*out_len += NLMSG_ALIGN(nlh->nlmsg_len);
			}
		}
		assert_true(done);
	}
	if (parts != NULL)
		*parts = np;
	return n;
}

/* Everything the protocol shows today, seq-free, for before/after comparisons. */
static size_t
snapshot(int fd, uint8_t *out)
{
	size_t len = 0;

	cl_dump(fd, NSDP_OBJ_PORT, out, &len, NULL);
	cl_dump(fd, NSDP_OBJ_DRIVER, out, &len, NULL);
	cl_dump(fd, NSDP_OBJ_STATS, out, &len, NULL);
	return len;
}

/* rx_packets of @port as STATS GET shows it. */
static uint64_t
cl_stats_rx(int fd, uint32_t port)
{
	const uint32_t key[2] = { NSDP_A_STATS_PORT, port };
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };
	uint8_t buf[NSDP_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	uint32_t s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), 0, put_u32_attr, key);

	assert_true(cl_recv(fd, buf, 0) > 0);
	assert_int_equal(nlh->nlmsg_seq, s);
	assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET));
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
	assert_non_null(tb[NSDP_A_STATS_RX_PACKETS]);
	assert_non_null(tb[NSDP_A_STATS_DROPS]);
	return nsdp_get_u64(tb[NSDP_A_STATS_RX_PACKETS]);
}

static void
put_reset(struct nsdp_builder *b, const void *arg)
{
	nsdp_put_u32(b, NSDP_A_STATS_PORT, *(const uint32_t *)arg);
	nsdp_put_u8(b, NSDP_A_STATS_RESET, 1);
}

static const uint16_t STATS_CHANGE = NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_CHANGE);
static const uint16_t PORT_CHANGE = NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_CHANGE);

static void
put_driver(struct nsdp_builder *b, const void *arg)
{
	nsdp_put_str(b, NSDP_A_DRIVER_NAME, arg);
}

static bool
driver_seen_before(uint16_t port)
{
	for (uint16_t p = 0; p < port; p++)
		if (nsdp_ports[p].state != PORT_S_UNUSED &&
		    strcmp(nsdp_ports[p].driver, nsdp_ports[port].driver) == 0)
			return true;
	return false;
}

/* --- tests ---------------------------------------------------------------- */

static void
test_handshake(void **state)
{
	static const uint32_t v2 = NSDP_PROTO_VERSION + 1, v1 = NSDP_PROTO_VERSION;
	const struct nlattr *tb[NSDP_TB_MAX];
	uint32_t key[2] = { NSDP_A_PORT_ID, 0 };
	struct nsdp_err e = { 0 };
	uint8_t buf[NSDP_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int fd = cl_connect();
	uint32_t s;

	(void)state;
	assert_true(fd >= 0);
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), 0, put_u32_attr, key);
	expect_error(fd, s, EPROTO, "send HELLO first");
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), 0, put_hello, &v2);
	expect_error(fd, s, EPROTONOSUPPORT, "this server speaks version 1");
	/* A refused HELLO does not count as one. */
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_ACK, put_u32_attr, key);
	expect_error(fd, s, EPROTO, "send HELLO first");
	/* HELLO without the version. */
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), 0, NULL, NULL);
	expect_error(fd, s, EINVAL, "missing attribute 'version'");

	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), 0, put_hello, &v1);
	assert_true(cl_recv(fd, buf, 0) > 0);
	assert_int_equal(nlh->nlmsg_seq, s);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_HELLO_VERSION]), NSDP_PROTO_VERSION);
	assert_int_equal(nsdp_get_u32(tb[NSDP_A_HELLO_MAX_MSG]), NSDP_MSG_MAX);
	assert_non_null(strstr(nsdp_get_str(tb[NSDP_A_HELLO_NAME]), "nsdp "));

	/* Now requests are served; GET with NLM_F_ACK gets the object then an ack. */
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), NLM_F_ACK, put_u32_attr, key);
	assert_true(cl_recv(fd, buf, 0) > 0);
	assert_int_equal(nlh->nlmsg_type, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET));
	assert_int_equal(nlh->nlmsg_seq, s);
	expect_error(fd, s, 0, NULL);
	/* Objects that exist in the protocol but have no server side yet. */
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_SESSION, NSDP_OP_GET), 0, NULL, NULL);
	expect_error(fd, s, EOPNOTSUPP, NULL);
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_DELETE), 0, put_u32_attr, key);
	expect_error(fd, s, EOPNOTSUPP, "not supported");
	close(fd);
}

static void
test_ports_and_drivers(void **state)
{
	const uint32_t bad[2] = { NSDP_A_PORT_ID, 77 };
	unsigned parts, n, total = 0;
	uint8_t buf[NSDP_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int fd = cl_connect();
	uint32_t s;

	(void)state;
	assert_true(fd >= 0);
	cl_hello(fd);
	/* More ports than fit in a part: the dump resumes from the last key. */
	n = cl_dump(fd, NSDP_OBJ_PORT, NULL, NULL, &parts);
	assert_int_equal(n, n_ports);
	assert_int_equal(parts, (n_ports + PART_OBJS - 1) / PART_OBJS);
	print_message("%u ports in %u parts of at most %u\n", n, parts, PART_OBJS);

	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_PORT, NSDP_OP_GET), 0, put_u32_attr, bad);
	expect_error(fd, s, ENODEV, "no port 77");

	/* Drivers: distinct driver names, their port counts add up to the ports. */
	n = cl_dump(fd, NSDP_OBJ_DRIVER, NULL, NULL, &parts);
	assert_true(n >= 1);
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		const struct nlattr *tb[NSDP_TB_MAX];
		struct nsdp_err e = { 0 };

		if (nsdp_ports[p].state == PORT_S_UNUSED || driver_seen_before(p))
			continue;
		s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_GET), 0, put_driver,
			    nsdp_ports[p].driver);
		assert_true(cl_recv(fd, buf, 0) > 0);
		assert_int_equal(nlh->nlmsg_seq, s);
		assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(nlh->nlmsg_type), tb, &e), 0);
		assert_string_equal(nsdp_get_str(tb[NSDP_A_DRIVER_DPDK]), nsdp_ports[p].driver);
		total += nsdp_get_u32(tb[NSDP_A_DRIVER_PORTS]);
	}
	assert_int_equal(total, n_ports);
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_DRIVER, NSDP_OP_GET), 0, put_driver, "net_nope");
	expect_error(fd, s, ENOENT, "no driver 'net_nope'");
	close(fd);
}

/* Read datagrams until a notification of @type arrives; @return its port attribute. */
static uint32_t
cl_wait_notification(int fd, uint16_t type, uint16_t key_attr, struct nlmsghdr *out)
{
	for (;;) {
		uint8_t buf[NSDP_MSG_MAX];
		ssize_t len = cl_recv(fd, buf, 0);

		assert_true(len > 0);
		FOR_EACH_MSG(nlh, buf, len) {
			const struct nlattr *tb[NSDP_TB_MAX];
			struct nsdp_err e = { 0 };

			if (nlh->nlmsg_seq != 0 || nlh->nlmsg_type != type)
				continue;
			assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(type), tb, &e), 0);
			assert_non_null(tb[key_attr]);
			if (out != NULL)
				memcpy(out, nlh, nlh->nlmsg_len);
			return nsdp_get_u32(tb[key_attr]);
		}
	}
}

static void
put_groups(struct nsdp_builder *b, const void *arg)
{
	nsdp_put_u32(b, NSDP_A_MONITOR_GROUPS, *(const uint32_t *)arg);
}

static int
cl_monitor(uint32_t groups)
{
	int fd = cl_connect();
	uint32_t s;

	assert_true(fd >= 0);
	cl_hello(fd);
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), NLM_F_ACK, put_groups, &groups);
	expect_error(fd, s, 0, NULL);
	return fd;
}

static void
test_stats_reset_notifies(void **state)
{
	const uint32_t port = 0, bad_groups = 1u << 31, no_object = 1;
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };
	uint8_t buf[NSDP_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	uint64_t other_before;
	int mon = cl_monitor(1u << NSDP_OBJ_STATS), fd = cl_connect();
	uint32_t s;

	(void)state;
	assert_true(fd >= 0);
	cl_hello(fd);
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), 0, put_groups, &bad_groups);
	expect_error(fd, s, ERANGE, "'groups' must be between");
	s = cl_send(fd, NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), 0, put_groups, &no_object);
	expect_error(fd, s, EINVAL, "name no object");

	/* The dataplane ran in setup: there is something to reset. */
	assert_true(cl_stats_rx(fd, port) > 0);
	other_before = cl_stats_rx(fd, 1);
	assert_true(other_before > 0);

	s = cl_send(fd, STATS_CHANGE, NLM_F_ACK, put_reset, &port);
	expect_error(fd, s, 0, NULL);
	assert_int_equal(cl_wait_notification(mon, STATS_CHANGE, NSDP_A_STATS_PORT, nlh), port);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(STATS_CHANGE), tb, &e), 0);
	assert_int_equal(nsdp_get_u64(tb[NSDP_A_STATS_RX_PACKETS]), 0);

	/* Reads subtract the baseline; the lcores' counters were not touched. */
	assert_int_equal(cl_stats_rx(fd, port), 0);
	assert_int_equal(cl_stats_rx(fd, 1), other_before);
	{
		struct port_counters raw;

		counters_port_sum(0, &raw);
		assert_true(raw.rx_packets > 0);
	}
	/* The monitor got nothing else (the refused MONITOR ADD was another client's). */
	assert_int_equal(recv(mon, buf, sizeof(buf), MSG_DONTWAIT), -1);
	close(mon);
	close(fd);
}

static void
put_opaque(struct nsdp_builder *b, const void *arg)
{
	const uint32_t *a = arg; /* { port, attrs inside the opaque nest } */
	struct nlattr *n;

	nsdp_put_u32(b, NSDP_A_PORT_ID, a[0]);
	n = nsdp_nest_start(b, NSDP_A_PORT_OPAQUE);
	for (uint32_t i = 0; i < a[1]; i++)
		nsdp_put_u32(b, (uint16_t)(i + 1), 42);
	nsdp_nest_end(b, n);
}

static void
put_port_name(struct nsdp_builder *b, const void *arg)
{
	(void)arg;
	nsdp_put_u32(b, NSDP_A_PORT_ID, 0);
	nsdp_put_str(b, NSDP_A_PORT_NAME, "renamed");
}

static void
test_port_change_opaque(void **state)
{
	static uint8_t before[256 * 1024], after[256 * 1024];
	const uint32_t one[2] = { 0, 1 }, none[2] = { 0, 0 }, key[2] = { NSDP_A_PORT_ID, 0 };
	char want[128];
	size_t lb, la;
	int fd = cl_connect();
	uint32_t s;

	(void)state;
	assert_true(fd >= 0);
	cl_hello(fd);
	lb = snapshot(fd, before);
	snprintf(want, sizeof(want), "driver %s takes no driver-specific attributes",
		 nsdp_ports[0].driver);
	s = cl_send(fd, PORT_CHANGE, NLM_F_ACK, put_opaque, one);
	expect_error(fd, s, EOPNOTSUPP, want);
	s = cl_send(fd, PORT_CHANGE, NLM_F_ACK, put_port_name, NULL);
	expect_error(fd, s, EOPNOTSUPP, "port name cannot be set");
	s = cl_send(fd, PORT_CHANGE, NLM_F_ACK, put_u32_attr, key);
	expect_error(fd, s, EINVAL, "nothing to change");
	/* An empty opaque nest asks nothing of the driver. */
	s = cl_send(fd, PORT_CHANGE, NLM_F_ACK, put_opaque, none);
	expect_error(fd, s, 0, NULL);
	la = snapshot(fd, after);
	assert_int_equal(la, lb);
	assert_memory_equal(before, after, lb);
	close(fd);
}

enum bad_kind { BAD_NONE, BAD_UNKNOWN_ATTR, BAD_NESTED, BAD_INT_SIZE, BAD_NO_PORT, BAD_RANGE,
		BAD_READ_ONLY };

static void
put_bad(struct nsdp_builder *b, const void *arg)
{
	enum bad_kind k = *(const enum bad_kind *)arg;
	struct nlattr *drops, *entry;

	if (k == BAD_INT_SIZE)
		nsdp_put_u16(b, NSDP_A_STATS_PORT, 0);
	else if (k != BAD_NO_PORT)
		nsdp_put_u32(b, NSDP_A_STATS_PORT, 0);
	nsdp_put_u8(b, NSDP_A_STATS_RESET, k == BAD_RANGE ? 2 : 1);
	if (k == BAD_UNKNOWN_ATTR)
		nsdp_put_u32(b, 30, 1);
	if (k == BAD_READ_ONLY)
		nsdp_put_u64(b, NSDP_A_STATS_RX_PACKETS, 5);
	if (k == BAD_NESTED) {
		drops = nsdp_nest_start(b, NSDP_A_STATS_DROPS);
		entry = nsdp_nest_start(b, NSDP_A_DROP_ENTRY);
		nsdp_put_u64(b, NSDP_A_DROP_COUNT, 1);
		nsdp_nest_end(b, entry);
		nsdp_nest_end(b, drops);
	}
}

/* A STATS CHANGE reset of port 0, spoiled as @k says, in wire order. */
static int
build_bad(uint8_t *buf, size_t size, enum bad_kind k, uint32_t s)
{
	return cl_build(buf, size, STATS_CHANGE, NLM_F_ACK, s, put_bad, &k);
}

static uint32_t
send_raw(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
	return len >= sizeof(struct nlmsghdr) ? be32toh(((const struct nlmsghdr *)buf)->nlmsg_seq) : 0;
}

static void
test_bad_inputs(void **state)
{
	static uint8_t before[256 * 1024], after[256 * 1024], big[NSDP_MSG_MAX + 100];
	static const struct {
		enum bad_kind kind;
		int errnum;
		const char *msg;
	} cases[] = {
		{ BAD_UNKNOWN_ATTR, EOPNOTSUPP, "unknown attribute 30" },
		{ BAD_INT_SIZE, EINVAL, "'port id' must be 4 bytes" },
		{ BAD_NO_PORT, EINVAL, "missing attribute 'port id'" },
		{ BAD_RANGE, ERANGE, "'reset' must be between 0 and 1" },
		{ BAD_READ_ONLY, EOPNOTSUPP, "rx packets cannot be set" },
	};
	uint8_t buf[512];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t lb, la;
	int fd = cl_connect(), len;
	uint32_t s;

	(void)state;
	assert_true(fd >= 0);
	cl_hello(fd);
	lb = snapshot(fd, before);

	/* Truncated header. */
	memset(buf, 0, sizeof(buf));
	s = send_raw(fd, buf, 8);
	expect_error(fd, 0, EBADMSG, "truncated header");
	/* Message length past the end of the datagram. */
	len = build_bad(buf, sizeof(buf), BAD_NONE, s = seq++);
	nlh->nlmsg_len = htobe32((uint32_t)len + 64);
	send_raw(fd, buf, (size_t)len);
	expect_error(fd, s, EBADMSG, "past the end of the buffer");
	/* A nested attribute longer than its parent: DROPS at 32, ENTRY at 36. */
	len = build_bad(buf, sizeof(buf), BAD_NESTED, s = seq++);
	assert_int_equal(be16toh(*(uint16_t *)(buf + 36 + 2)) & NLA_TYPE_MASK, NSDP_A_DROP_ENTRY);
	*(uint16_t *)(buf + 36) = htobe16(200);
	send_raw(fd, buf, (size_t)len);
	expect_error(fd, s, EBADMSG, "past the end of its parent attribute");
	/* Larger than any message may be. */
	memset(big, 0, sizeof(big));
	len = build_bad(big, sizeof(big), BAD_NONE, s = seq++);
	((struct nlmsghdr *)big)->nlmsg_len = htobe32(sizeof(big));
	send_raw(fd, big, sizeof(big));
	expect_error(fd, s, EMSGSIZE, "exceeds the maximum of 16384");
	/* A control message type from a client. */
	len = cl_build(buf, sizeof(buf), NLMSG_DONE, 0, s = seq++, NULL, NULL);
	send_raw(fd, buf, (size_t)len);
	expect_error(fd, s, EINVAL, "reserved");
	/* Policy and semantic errors of a write request. */
	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		struct nsdp_err e;
		ssize_t n;

		len = build_bad(buf, sizeof(buf), cases[i].kind, s = seq++);
		send_raw(fd, buf, (size_t)len);
		n = cl_recv(fd, buf, 0);
		assert_true(n > 0);
		decode_error(nlh, &e);
		if (e.errnum != cases[i].errnum || strstr(e.msg, cases[i].msg) == NULL)
			fail_msg("case %u: expected %d '%s', got %d '%s'", i, cases[i].errnum,
				 cases[i].msg, e.errnum, e.msg);
		assert_int_equal(nlh->nlmsg_seq, s);
		if (cases[i].kind == BAD_UNKNOWN_ATTR)
			assert_int_equal(e.offset, 32); /* after the header, port id and reset */
	}
	/* Nothing changed, and the connection still works. */
	la = snapshot(fd, after);
	assert_int_equal(la, lb);
	assert_memory_equal(before, after, lb);
	close(fd);
}

/* A child that connects as @uid after dropping root. Exit status = step that failed. */
static int
child_as(uid_t uid, bool expect_write_ok)
{
	const uint32_t port = 2, v = NSDP_PROTO_VERSION;
	uint8_t buf[NSDP_MSG_MAX], req[256];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int fd, len;
	ssize_t n;

	if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
		return 10;
	fd = cl_connect();
	if (fd < 0)
		return 11;
	len = cl_build(req, sizeof(req), NSDP_MSG_TYPE(NSDP_OBJ_HELLO, NSDP_OP_GET), 0, 1, put_hello, &v);
	if (send(fd, req, (size_t)len, 0) != len || recv(fd, buf, sizeof(buf), 0) <= 0)
		return 12;
	/* A write. */
	len = cl_build(req, sizeof(req), STATS_CHANGE, NLM_F_ACK, 2, put_reset, &port);
	if (send(fd, req, (size_t)len, 0) != len)
		return 13;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || nsdp_wire_to_host(buf, (size_t)n, &(struct nsdp_err){ 0 }) < 0 ||
	    nlh->nlmsg_type != NLMSG_ERROR)
		return 14;
	{
		const struct nlattr *tb[NSDP_TB_MAX];
		struct nsdp_err e = { 0 };

		if (nsdp_parse(nlh, nsdp_msg_policy(NLMSG_ERROR), tb, &e) < 0 || tb[NSDP_A_ERR_ERRNO] == NULL)
			return 15;
		if (nsdp_get_u32(tb[NSDP_A_ERR_ERRNO]) != (expect_write_ok ? 0 : EPERM))
			return 16;
		if (!expect_write_ok && (tb[NSDP_A_ERR_MSG] == NULL ||
					 strstr(nsdp_get_str(tb[NSDP_A_ERR_MSG]), "may not change") == NULL))
			return 17;
	}
	/* A read. */
	len = cl_build(req, sizeof(req), NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET), 0, 3, put_u32_attr,
		       (const uint32_t[]){ NSDP_A_STATS_PORT, port });
	if (send(fd, req, (size_t)len, 0) != len)
		return 18;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0 || nsdp_wire_to_host(buf, (size_t)n, &(struct nsdp_err){ 0 }) < 0 ||
	    nlh->nlmsg_type != NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GET))
		return 19;
	close(fd);
	return 0;
}

static int
run_child(uid_t uid, bool expect_write_ok)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_as(uid, expect_write_ok));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void
test_credentials(void **state)
{
	int fd = cl_connect();
	uint64_t rx;

	(void)state;
	assert_true(fd >= 0);
	cl_hello(fd);
	rx = cl_stats_rx(fd, 2);
	assert_true(rx > 0);
	/* nobody may read but not write: port 2 keeps its counters. */
	assert_int_equal(run_child(NOBODY, false), 0);
	assert_int_equal(cl_stats_rx(fd, 2), rx);
	/* A uid on the allow list may write. */
	assert_int_equal(run_child(ALLOWED_UID, true), 0);
	assert_int_equal(cl_stats_rx(fd, 2), 0);
	close(fd);
}

/* A monitor that reads everything on its own thread. */
struct live_monitor {
	int fd;
	unsigned want;         /* STATS notifications to wait for */
	unsigned got;
	unsigned overruns;
};

static void *
live_monitor_main(void *arg)
{
	struct live_monitor *m = arg;

	while (m->got < m->want) {
		uint8_t buf[NSDP_MSG_MAX];
		struct nsdp_err e = { 0 };
		ssize_t n = recv(m->fd, buf, sizeof(buf), 0);

		if (n <= 0 || nsdp_wire_to_host(buf, (size_t)n, &e) < 0)
			break;
		FOR_EACH_MSG(nlh, buf, n) {
			if (nlh->nlmsg_type == NLMSG_OVERRUN)
				m->overruns++;
			else if (nlh->nlmsg_type == STATS_CHANGE && nlh->nlmsg_seq == 0)
				m->got++;
		}
	}
	return NULL;
}

static void
test_many_clients_one_stuck(void **state)
{
	const uint32_t port = 0, groups = 1u << NSDP_OBJ_STATS | 1u << NSDP_OBJ_PORT;
	struct lcore_ctx *rx = nsdp_lcores[1];
	struct port_counters dp_before, dp_after;
	struct live_monitor live = { .want = N_RESETS };
	pthread_t live_thread;
	unsigned stuck_reqs = 0, stuck_dones = 0, overruns = 0, notes = 0, idle = 0;
	int fds[N_CLIENTS], stuck, writer;
	uint32_t s;

	(void)state;
	/* The dataplane runs throughout. */
	counters_port_sum(0, &dp_before);
	assert_int_equal(rte_eal_remote_launch(rx_lcore_main, rx, 1), 0);

	for (int i = 0; i < N_CLIENTS; i++) {
		fds[i] = cl_connect();
		assert_true(fds[i] >= 0);
		cl_hello(fds[i]);
	}
	stuck = fds[0];
	writer = fds[1];
	s = cl_send(stuck, NSDP_MSG_TYPE(NSDP_OBJ_MONITOR, NSDP_OP_ADD), NLM_F_ACK, put_groups, &groups);
	expect_error(stuck, s, 0, NULL);
	/* From here on the stuck client never reads; it asks for many dumps. */
	for (int i = 0; i < 2000; i++)
		if (cl_send_flags(stuck, NSDP_MSG_TYPE(NSDP_OBJ_STATS, NSDP_OP_GETNEXT), 0, NULL, NULL,
				  MSG_DONTWAIT) != 0)
			stuck_reqs++;
	live.fd = cl_monitor(1u << NSDP_OBJ_STATS);
	assert_int_equal(pthread_create(&live_thread, NULL, live_monitor_main, &live), 0);

	for (int i = 0; i < N_RESETS; i++) {
		s = cl_send(writer, STATS_CHANGE, NLM_F_ACK, put_reset, &port);
		expect_error(writer, s, 0, NULL);
		/* Every so often, every other client is served in full. */
		if (i % 1000 == 999)
			for (int c = 2; c < N_CLIENTS; c++) {
				assert_int_equal(cl_dump(fds[c], NSDP_OBJ_PORT, NULL, NULL, NULL), n_ports);
				(void)cl_stats_rx(fds[c], 1);
			}
	}
	assert_int_equal(pthread_join(live_thread, NULL), 0);
	/* The monitor that reads got every notification and no overrun. */
	assert_int_equal(live.got, N_RESETS);
	assert_int_equal(live.overruns, 0);
	/* Nobody was disconnected (earlier tests' closes may still be pending). */
	assert_true(ctrl_server_clients(srv) >= N_CLIENTS + 1);

	counters_port_sum(0, &dp_after);
	__atomic_store_n(&rx->stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(rte_eal_wait_lcore(1), 0);
	rx->stop = 0;
	assert_true(dp_after.rx_packets > dp_before.rx_packets);

	/* The stuck client reads at last: all its dumps, and one overrun. */
	while (idle < 20) {
		uint8_t buf[NSDP_MSG_MAX];
		ssize_t n = cl_recv(stuck, buf, MSG_DONTWAIT);

		if (n < 0) {
			assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
			idle++;
			nap_ms(50);
			continue;
		}
		idle = 0;
		FOR_EACH_MSG(nlh, buf, n) {
			if (nlh->nlmsg_type == NLMSG_OVERRUN)
				overruns++;
			else if (nlh->nlmsg_type == NLMSG_DONE)
				stuck_dones++;
			else if (nlh->nlmsg_seq == 0)
				notes++;
		}
	}
	print_message("stuck client: %u dump requests sent, %u answered, %u of %u notifications, "
		      "%u overrun; dataplane: %lu packets meanwhile\n",
		      stuck_reqs, stuck_dones, notes, N_RESETS, overruns,
		      (unsigned long)(dp_after.rx_packets - dp_before.rx_packets));
	assert_int_equal(overruns, 1);
	assert_true(notes < N_RESETS);
	/* Dumps are paused, never dropped. */
	assert_int_equal(stuck_dones, stuck_reqs);
	for (int i = 0; i < N_CLIENTS; i++)
		close(fds[i]);
	close(live.fd);
}

static void
test_port_removal_notifies(void **state)
{
	const struct nlattr *tb[NSDP_TB_MAX];
	struct nsdp_err e = { 0 };
	uint8_t buf[NSDP_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	uint16_t victim = (uint16_t)(n_ports - 1);
	int mon = cl_monitor(1u << NSDP_OBJ_PORT);
	uint64_t mask;

	(void)state;
	/* What the removal event and the control loop do. */
	port_mark_removing(victim);
	mask = ports_handle_events();
	assert_int_equal(mask, 1ULL << victim);
	assert_int_equal(lcores_unpoll_ports(mask), 0);
	port_close(victim);
	__atomic_store_n(&srv_sync, 1, __ATOMIC_RELEASE);
	server_wake();
	assert_int_equal(cl_wait_notification(mon, PORT_CHANGE, NSDP_A_PORT_ID, nlh), victim);
	assert_int_equal(nsdp_parse(nlh, nsdp_msg_policy(PORT_CHANGE), tb, &e), 0);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_PORT_STATE]), PORT_S_CLOSED);
	assert_int_equal(nsdp_get_u8(tb[NSDP_A_PORT_LINK_UP]), 0);
	close(mon);
}

int
main(void)
{
	/* net_ring when the build has it: a second driver for the driver dump. */
	static const char *const vdevs[] = { "net_null0", "net_null1", "net_null2", "net_ring0", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_ports_and_drivers),
		cmocka_unit_test(test_stats_reset_notifies),
		cmocka_unit_test(test_port_change_opaque),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_many_clients_one_stuck),
		cmocka_unit_test(test_port_removal_notifies),
	};

	test_eal_init("0,1@0,2@0", vdevs);
	return cmocka_run_group_tests(tests, setup, teardown);
}
