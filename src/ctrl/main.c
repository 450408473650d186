/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c: the nsdp daemon. Brings up the EAL, discovers every port, decides
 * the lcore roles, starts rx lcores and worker lcores, then runs the control
 * thread on the main lcore until SIGINT or SIGTERM. The control thread
 * serves the control protocol (server.h) and tells its subscribers about
 * port changes.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/latency.h"
#include "dataplane/ifl_stats.h"
#include "dataplane/ip.h"
#include "dataplane/ip6.h"
#include "dataplane/l3demux.h"
#include "dataplane/layout.h"
#include "dataplane/neigh.h"
#include "dataplane/nexthop.h"
#include "dataplane/route.h"
#include "dataplane/lcore.h"
#include "dataplane/pkt_meta.h"
#include "dataplane/port.h"
#include "dataplane/svcq.h"
#include "dataplane/telemetry.h"
#include "dataplane/tickcount.h"
#include "dataplane/timer.h"
#include "ifcfg/ifcfg.h"
#include "config.h"
#include "handlers.h"
#include "opts.h"
#include "server.h"

_Static_assert(OPTS_MAX_ALLOWED <= CTRL_MAX_ALLOWED, "allow lists fit the server's");

#define MBUF_CACHE 256

static struct layout layout;

static int __attribute__((format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsdp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILURE;
}

static unsigned
mbufs_needed(const struct layout *l, const struct nsdp_opts *o)
{
	unsigned n = 0;

	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (l->port_used[p])
			/* Some drivers get as many rx as tx queues (layout_grow_rxq). */
			n += RTE_MAX(l->nb_rxq[p], (uint16_t)l->n_txq) * o->rx_desc +
			     l->n_txq * o->tx_desc;
	/* Per-lcore caches, tx buffers in flight and packets held in service queues. */
	n += (l->n_txq + 1) * (MBUF_CACHE + TX_BUF * RTE_MAX_ETHPORTS) + 8192;
	return n;
}

static int
worker_lcore_main(void *arg)
{
	return svc_worker_run(arg);
}

/*
 * Unpublish removed ports, wait for the lcores to let go, close them. A
 * configuration change: under the config lock.
 */
static void
handle_removals(uint64_t mask)
{
	if (mask == 0)
		return;
	config_lock();
	if (lcores_unpoll_ports(mask) < 0) {
		config_unlock();
		RTE_LOG(ERR, USER1, "port removal: out of memory, will retry\n");
		return;
	}
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!(mask & (1ULL << p)))
			continue;
		RTE_LOG(NOTICE, USER1, "port %u (%s) removed: no longer polled, closing\n",
			p, nsdp_ports[p].name);
		ifcfg_port_removed(p);
		port_close(p);
	}
	config_unlock();
}

/* The control thread: signals, port events, control clients, periodic work. */
static int
control_loop(int sfd, struct ctrl_server *srv)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	struct epoll_event ev, evs[8];
	int ep, tfd, efd = ports_event_fd(), cfd = ctrl_server_epoll_fd(srv);
	bool running = true;

	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0)
		return -errno;
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = efd;
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	ev.data.fd = cfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
	ctrl_port_sync();

	while (running) {
		int n = epoll_wait(ep, evs, RTE_DIM(evs), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					RTE_LOG(NOTICE, USER1, "signal %u: shutting down\n", si.ssi_signo);
					running = false;
				}
			} else if (fd == tfd) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) < 0)
					continue;
				tickcount_resync();
				ports_poll_links();
				ctrl_port_sync();
			} else if (fd == efd) {
				handle_removals(ports_handle_events());
				ctrl_port_sync();
			} else if (fd == cfd) {
				ctrl_server_process(srv);
			}
		}
	}
	close(tfd);
	close(ep);
	return 0;
}

/* Create the socket's directory (one level, like /run/nsdp) if it is missing. */
static int
socket_dir_create(const char *path)
{
	char dir[OPTS_SOCKET_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static struct ctrl_server *
ctrl_start(const struct nsdp_opts *o)
{
	struct ctrl_server_conf conf = {
		.path = o->socket_path,
		.mode = 0660,
		.group = o->socket_group,
		.allow_uids = o->allow_uids,
		.n_allow_uids = o->n_allow_uids,
		.allow_gids = o->allow_gids,
		.n_allow_gids = o->n_allow_gids,
	};
	int rc;

	rc = ctrl_handlers_register_all();
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	rc = socket_dir_create(o->socket_path);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	return ctrl_server_create(&conf);
}

int
main(int argc, char **argv)
{
	struct layout_port ports[RTE_MAX_ETHPORTS];
	uint16_t lcores[RTE_MAX_LCORE];
	struct port_setup_req preq;
	struct rte_mempool *mp = NULL;
	struct svc_sched *sched = NULL;
	struct timer_service *ts = NULL;
	struct ctrl_server *srv;
	struct nsdp_opts opts;
	unsigned n_ports, n_lcores = 0, lc;
	char err[256];
	sigset_t sigs;
	int rc, sfd, eal_args;

	/* Block the signals before the EAL starts threads so they all inherit it. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	eal_args = rte_eal_init(argc, argv);
	if (eal_args < 0)
		return die("EAL initialisation failed: %s", rte_strerror(rte_errno));
	argc -= eal_args;
	argv += eal_args;
	if (opts_parse(&opts, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "nsdp: %s\n", err);
		rte_eal_cleanup();
		return 2;
	}
	if (opts.help) {
		fputs(opts_usage(), stdout);
		rte_eal_cleanup();
		return 0;
	}

	rc = pkt_meta_register();
	if (rc < 0)
		return die("cannot register the mbuf metadata field: %s", strerror(-rc));
	rc = tickcount_calibrate(100);
	if (rc < 0)
		return die("tick calibration failed: %s", strerror(-rc));
	if (counters_init() < 0 || latency_init() < 0)
		return die("out of memory for counters");

	RTE_LCORE_FOREACH_WORKER(lc)
		lcores[n_lcores++] = (uint16_t)lc;
	n_ports = ports_discover(ports, RTE_DIM(ports));
	if (n_ports == 0)
		RTE_LOG(WARNING, USER1, "no port found: pass PCI devices or --vdev\n");
	if (layout_build(&layout, &opts.layout, rte_get_main_lcore(), lcores, n_lcores,
			 ports, n_ports, err, sizeof(err)) < 0)
		return die("%s", err);

	mp = rte_pktmbuf_pool_create("nsdp_mbufs", opts.mbufs ? opts.mbufs : mbufs_needed(&layout, &opts),
				     MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL)
		return die("cannot create the mbuf pool: %s (reserve more hugepages or lower --mbufs)",
			   rte_strerror(rte_errno));

	preq.rx_desc = opts.rx_desc;
	preq.tx_desc = opts.tx_desc;
	preq.promisc = opts.promisc;
	if (ports_setup(&layout, mp, &preq, err, sizeof(err)) < 0)
		return die("%s", err);
	if (lcores_init(&layout, opts.idle_sleep_us) < 0)
		return die("out of memory for lcore contexts");
	/* The configuration: next hops, routing instance 0, the interface tree. */
	rc = nh_init();
	if (rc == 0)
		rc = rt_init();
	if (rc == 0)
		rc = ifcfg_init();
	if (rc < 0)
		return die("cannot set up the configuration: %s", strerror(-rc));
	sched = svc_sched_create(opts.wake_factor, layout.n_worker_lcores);
	if (sched == NULL)
		return die("cannot create the worker scheduler: %s", strerror(errno));
	ts = timer_service_create();
	if (ts == NULL || timer_service_start(ts) < 0)
		return die("cannot start the timer service");
	/* IPv4/IPv6 input and errors, then neighbour resolution (ARP, ND). */
	config_lock();
	rc = ip_init(sched, ts);
	if (rc == 0)
		rc = ip_error_ratelimit_set(UINT16_MAX, opts.icmp_rate, opts.icmp_burst);
	if (rc == 0)
		rc = neigh_init(sched, ts);
	if (rc == 0)
		rc = local_init(sched, ts);
	if (rc == 0)
		rc = nd_init(sched, ts);
	config_unlock();
	if (rc < 0)
		return die("cannot start IP: %s", strerror(-rc));
	if (nsdp_telemetry_register(sched) < 0)
		RTE_LOG(WARNING, USER1, "telemetry commands not registered\n");

	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		return die("signalfd: %s", strerror(errno));
	srv = ctrl_start(&opts);
	if (srv == NULL)
		return die("control socket %s: %s%s", opts.socket_path, strerror(errno),
			   errno == EADDRINUSE ? " (another nsdp is running)" : "");

	RTE_LCORE_FOREACH_WORKER(lc) {
		if (layout.role[lc] == LCORE_ROLE_RX)
			rte_eal_remote_launch(rx_lcore_main, nsdp_lcores[lc], lc);
		else if (layout.role[lc] == LCORE_ROLE_WORKER)
			rte_eal_remote_launch(worker_lcore_main, sched, lc);
	}

	printf("nsdp: ready: %u port(s), %u rx lcore(s), %u worker lcore(s), control on lcore %u\n",
	       n_ports, layout.n_rx_lcores, layout.n_worker_lcores, layout.main_lcore);
	printf("nsdp: control socket %s\n", opts.socket_path);
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (layout.port_used[p])
			printf("nsdp: port %u %s (%s) rxq %u txq %u%s\n", p, nsdp_ports[p].name,
			       nsdp_ports[p].driver, nsdp_ports[p].nb_rxq, nsdp_ports[p].nb_txq,
			       nsdp_ports[p].rss ? " rss" : "");
	fflush(stdout);

	rc = control_loop(sfd, srv);
	if (rc < 0)
		RTE_LOG(ERR, USER1, "control loop: %s\n", strerror(-rc));
	ctrl_server_destroy(srv);

	lcores_stop();
	svc_sched_stop(sched);
	rte_eal_mp_wait_lcore();
	ports_shutdown();
	timer_service_stop(ts);
	nd_fini();
	local_fini();
	neigh_fini();
	ip_fini();
	ifcfg_fini();
	ifl_stats_fini();
	rt_fini();
	nh_fini();
	svc_sched_destroy(sched);
	timer_service_destroy(ts);
	lcores_fini();
	rte_mempool_free(mp);
	latency_fini();
	counters_fini();
	close(sfd);
	rte_eal_cleanup();
	printf("nsdp: stopped\n");
	return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
