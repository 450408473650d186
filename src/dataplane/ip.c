/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip.c: what IPv4 and IPv6 share: start-up (family input registration, the
 * fragmentation pools), the ICMP / ICMPv6 error service queue and its
 * per-routing-instance token buckets, and the originate path (forwarding
 * lookup, then the next hop's output with NH_OUT_ORIGINATED).
 *
 * Errors are built on a worker, never on the rx lcore (paper 2419-2468:
 * building a packet and choosing its source address need configuration,
 * which is stateful work). The rx lcore hands the offending packet over as
 * a message (pkt_meta.msg: subtype = enum ip_err, arg = MTU / pointer);
 * the queue's one consumer dispatches it by IP version to icmp4_error_build
 * or icmp6_error_build. The queue is bounded by a count of packets in it
 * (ip_err_queued, the only atomic on this path): a flood of TTL-expired
 * packets cannot eat the mbuf pool while the worker lags.
 *
 * Lock legend: [C] config lock, [A] atomic, [Q] the error queue's consumer,
 * [I] set by ip_init.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <urcu-qsbr.h>

#include "ctrl/config.h"
#include "ifcfg/ifcfg.h"
#include "ifl_stats.h"
#include "ip.h"
#include "ip4.h"
#include "ip6.h"
#include "lcore.h"
#include "route.h"
#include "svcq.h"

/* Packets waiting for the generator before new ones are refused. */
#define IP_ERR_QUEUE_MAX 512

struct ip_ratelimit {
	uint32_t per_sec; /* [C] written, [A] read by the consumer */
	uint32_t burst;   /* [C] written, [A] read by the consumer */
	uint64_t credit;  /* [Q] tokens * tsc_hz */
	uint64_t last;    /* [Q] tsc of the last refill; 0 = never (full bucket) */
};

static struct ip_ratelimit ip_rl[RT_INST_MAX];
static bool ip_rl_configured; /* [C] defaults applied */
static struct svcq ip_err_q;
static bool ip_err_q_up;       /* [I] */
static uint32_t ip_err_queued; /* [A] packets in ip_err_q */
static bool ip_err_closing;    /* [C] ip_fini: free what is left unanswered */

static void
ip_rl_defaults(void)
{
	if (ip_rl_configured)
		return;
	for (unsigned i = 0; i < RT_INST_MAX; i++) {
		ip_rl[i].per_sec = IP_ERR_RATE_DEFAULT;
		ip_rl[i].burst = IP_ERR_BURST_DEFAULT;
	}
	ip_rl_configured = true;
}

int
ip_error_ratelimit_set(uint16_t inst, uint32_t per_sec, uint32_t burst)
{
	if ((inst != UINT16_MAX && inst >= RT_INST_MAX) || per_sec > IP_ERR_RATE_MAX ||
	    burst > IP_ERR_BURST_MAX || (per_sec > 0 && burst == 0))
		return -EINVAL;
	ip_rl_defaults();
	for (unsigned i = 0; i < RT_INST_MAX; i++) {
		if (inst != UINT16_MAX && i != inst)
			continue;
		__atomic_store_n(&ip_rl[i].per_sec, per_sec, __ATOMIC_RELAXED);
		__atomic_store_n(&ip_rl[i].burst, burst, __ATOMIC_RELAXED);
	}
	return 0;
}

int
ip_error_ratelimit_get(uint16_t inst, uint32_t *per_sec, uint32_t *burst)
{
	if (inst >= RT_INST_MAX)
		return -EINVAL;
	ip_rl_defaults();
	*per_sec = __atomic_load_n(&ip_rl[inst].per_sec, __ATOMIC_RELAXED);
	*burst = __atomic_load_n(&ip_rl[inst].burst, __ATOMIC_RELAXED);
	return 0;
}

bool
ip_error_allow_at(uint16_t inst, uint64_t now, uint64_t hz)
{
	struct ip_ratelimit *rl;
	uint64_t cap, elapsed;
	uint32_t per_sec, burst;

	if (inst >= RT_INST_MAX)
		return false;
	rl = &ip_rl[inst];
	if (!ip_rl_configured) {
		per_sec = IP_ERR_RATE_DEFAULT;
		burst = IP_ERR_BURST_DEFAULT;
	} else {
		per_sec = __atomic_load_n(&rl->per_sec, __ATOMIC_RELAXED);
		burst = __atomic_load_n(&rl->burst, __ATOMIC_RELAXED);
	}
	if (per_sec == 0)
		return false;
	cap = (uint64_t)burst * hz;
	if (rl->last == 0 || now < rl->last) {
		rl->credit = cap;
	} else {
		elapsed = now - rl->last;
		/* A second refills any bucket (burst <= per_sec is not required). */
		if (elapsed >= hz * (uint64_t)burst || elapsed >= hz)
			rl->credit = cap;
		else
			rl->credit += elapsed * per_sec;
		if (rl->credit > cap)
			rl->credit = cap;
	}
	rl->last = now;
	if (rl->credit < hz)
		return false;
	rl->credit -= hz;
	return true;
}

bool
ip_error_allow(uint16_t inst)
{
	return ip_error_allow_at(inst, rte_get_tsc_cycles(), rte_get_tsc_hz());
}

void
ip_count(struct rte_mbuf *m, enum drop_reason r)
{
	unsigned lc = rte_lcore_id();
	struct lcore_counters *lcc = lc < RTE_MAX_LCORE ? nsdp_lcore_counters[lc] : NULL;

	if (lcc != NULL)
		lcc->port[m->port < RTE_MAX_ETHPORTS ? m->port : 0].drops[r]++;
}

void
ip_error_enqueue(struct rte_mbuf **pkts, uint16_t n, enum ip_err err, uint32_t arg)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct svc_msg *msg = mbuf_to_svc_msg(m);

		if (!ip_err_q_up ||
		    __atomic_load_n(&ip_err_queued, __ATOMIC_RELAXED) >= IP_ERR_QUEUE_MAX) {
			ip_count(m, DROP_icmp_ratelimited);
			rte_pktmbuf_free(m);
			continue;
		}
		__atomic_fetch_add(&ip_err_queued, 1, __ATOMIC_RELAXED);
		msg->next = NULL;
		msg->type = SVC_MSG_PACKET;
		msg->subtype = (uint16_t)err;
		msg->arg = arg;
		svcq_enqueue(&ip_err_q, msg);
	}
}

int
ip_source_addr(uint32_t ifl_index, int family, const uint8_t *dst, uint8_t *out)
{
	bool online = rcu_read_ongoing();
	int rc;

	if (online)
		rcu_thread_offline();
	config_lock();
	rc = ifa_source_addr(ifl_index, family, dst, out);
	config_unlock();
	if (online)
		rcu_thread_online();
	return rc;
}

struct lcore_ctx *
ip_this_lcore(void)
{
	unsigned lc = rte_lcore_id();

	return lc < RTE_MAX_LCORE ? nsdp_lcores[lc] : NULL;
}

void
ip_error_dispatch(struct lcore_ctx *c, struct rte_mbuf *m, enum ip_err err, uint32_t arg)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	if (m->data_len < 1 || c == NULL) {
		ip_count(m, DROP_icmp_not_answered);
		rte_pktmbuf_free(m);
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		icmp4_error_build(c, m, err, arg);
		break;
	case 6:
		icmp6_error_build(c, m, err, arg);
		break;
	default:
		ip_count(m, DROP_icmp_not_answered);
		rte_pktmbuf_free(m);
		break;
	}
}

/* The error queue's handler: one offending packet per message. */
static void
ip_err_handler(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	struct lcore_ctx *c = ip_this_lcore();
	struct rte_mbuf *m;

	(void)q, (void)ctx;
	if (msg->type != SVC_MSG_PACKET)
		return;
	m = svc_msg_to_mbuf(msg);
	__atomic_fetch_sub(&ip_err_queued, 1, __ATOMIC_RELAXED);
	if (ip_err_closing) {
		rte_pktmbuf_free(m);
		return;
	}
	ip_error_dispatch(c, m, (enum ip_err)msg->subtype, msg->arg);
	if (c != NULL)
		tx_flush(c);
}

unsigned
ip_error_drain(void)
{
	unsigned n;

	if (!ip_err_q_up)
		return 0;
	svcq_consume_begin(&ip_err_q);
	n = svcq_drain(&ip_err_q);
	svcq_consume_end(&ip_err_q);
	return n;
}

/* Count packets going out of @nh's ifl on its family's counters. */
static void
ip_count_tx(const struct nexthop *nh, struct rte_mbuf **pkts, uint16_t n)
{
	const struct ifl *ifl = ifl_lookup(nh->ifl_index);
	struct ifl_fam_ctr *tc;

	if (ifl == NULL)
		return;
	tc = ifl_stats_this_lcore(ifl->stats_slot, nh->family == 6 ? IFF_INET6 : IFF_INET);
	if (tc == NULL)
		return;
	tc->tx_packets += n;
	for (uint16_t i = 0; i < n; i++)
		tc->tx_bytes += pkts[i]->pkt_len;
}

/*
 * Hand each run of packets with the same next hop to its output function.
 * @nh_idx[i] is the next hop of pkts[i].
 */
void
ip_output_runs(struct lcore_ctx *c, struct rte_mbuf **pkts, const uint32_t *nh_idx, uint16_t n,
	       unsigned flags)
{
	uint16_t i = 0;

	while (i < n) {
		uint16_t j = i + 1;
		const struct nexthop *nh;

		while (j < n && nh_idx[j] == nh_idx[i])
			j++;
		nh = nh_by_index(nh_idx[i]);
		if (nh == NULL) {
			for (uint16_t k = i; k < j; k++)
				ip_count(pkts[k], rt_fwd_drop_reason(nh_idx[i]));
			rte_pktmbuf_free_bulk(&pkts[i], j - i);
		} else {
			nh_output_fn out = __atomic_load_n(&nh->output, __ATOMIC_ACQUIRE);
			uint8_t type = __atomic_load_n(&nh->type, __ATOMIC_ACQUIRE);

			if (type == RNH_UNICAST || type == RNH_HOLD || type == RNH_RESOLV)
				ip_count_tx(nh, &pkts[i], j - i);
			out(c, nh, &pkts[i], j - i, flags, NULL);
		}
		i = j;
	}
}

/*
 * Fragment (or drop) the packets of a looked-up burst that exceed their
 * output MTU; the others stay, compacted with their next hops.
 * @return how many remain in @pkts / @nh_idx.
 */
static uint16_t
ip4_originate_fit_burst(struct lcore_ctx *c, struct rte_mbuf **pkts, uint32_t *nh_idx, uint16_t n)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct nexthop *nh = nh_by_index(nh_idx[i]);

		if (nh != NULL && ip4_originate_fit(c, nh, pkts[i]))
			continue;
		pkts[kept] = pkts[i];
		nh_idx[kept++] = nh_idx[i];
	}
	return kept;
}

void
ip4_originate(struct lcore_ctx *c, uint16_t rt_inst, struct rte_mbuf **pkts, uint16_t n)
{
	const struct rt_table *t = NULL;

	if (rt_inst < RT_INST_MAX)
		t = rcu_dereference(rt_tables[rt_inst][0]);
	while (n > 0) {
		uint16_t k = n > RX_BURST ? RX_BURST : n, taken = k;
		uint32_t dst[RX_BURST], src[RX_BURST], nh_idx[RX_BURST];

		if (t == NULL) {
			for (uint16_t i = 0; i < k; i++)
				ip_count(pkts[i], DROP_no_ifl);
			rte_pktmbuf_free_bulk(pkts, k);
		} else {
			for (uint16_t i = 0; i < k; i++) {
				const struct rte_ipv4_hdr *h =
					rte_pktmbuf_mtod(pkts[i], const struct rte_ipv4_hdr *);

				dst[i] = rte_be_to_cpu_32(h->dst_addr);
				src[i] = rte_be_to_cpu_32(h->src_addr);
			}
			rt_fwd_lookup4_bulk(t, dst, src, 0, nh_idx, k);
			k = ip4_originate_fit_burst(c, pkts, nh_idx, k);
			ip_output_runs(c, pkts, nh_idx, k, NH_OUT_ORIGINATED);
		}
		pkts += taken;
		n -= taken;
	}
}

int
ip_init(struct svc_sched *sched, struct timer_service *ts)
{
	int rc;

	(void)ts;
	if (sched == NULL)
		return -EINVAL;
	ip_rl_defaults();
	ifl_stats_telemetry_register();
	rc = ip4_frag_init();
	if (rc < 0)
		return rc;
	rc = svcq_init(&ip_err_q, sched, "icmp_errors", ip_err_handler, NULL);
	if (rc < 0) {
		ip4_frag_fini();
		return rc;
	}
	ip_err_q_up = true;
	rc = ifcfg_family_input_register(IFCFG_INPUT_INET, ip4_input, NULL);
	if (rc == 0) {
		/* IPv6: its input and receive next hop (ip6_input.c). */
		rc = ip6_init();
		if (rc < 0)
			ifcfg_family_input_register(IFCFG_INPUT_INET, NULL, NULL);
	}
	if (rc < 0) {
		ip_err_q_up = false;
		svcq_fini(&ip_err_q);
		ip4_frag_fini();
		return rc;
	}
	return 0;
}

void
ip_fini(void)
{
	if (!ip_err_q_up)
		return;
	/* The lcores and workers are stopped: nothing enqueues any more. */
	ip6_fini();
	ifcfg_family_input_register(IFCFG_INPUT_INET, NULL, NULL);
	ip_err_closing = true;
	ip_error_drain();
	ip_err_q_up = false;
	ip_err_closing = false;
	svcq_fini(&ip_err_q);
	ip4_frag_fini();
}
