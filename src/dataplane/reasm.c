/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reasm.c: IPv4 and IPv6 reassembly of locally received fragments (paper
 * 1662-1694), on a worker: fragments and the expiry timer are messages of
 * one service queue, whose single consumer owns every datagram record, so
 * nothing here takes a lock.
 *
 * One reassembly instance per routing instance, realised as the paper
 * allows "equivalently": the routing instance is part of the datagram key
 * (rt_inst, family, src, dst, id, and the protocol for IPv4), so the same
 * addresses and id in two instances are two datagrams.
 *
 * Defences (docs/local-delivery.md):
 *   - any overlap between two fragments drops the whole datagram and every
 *     fragment of it that arrives later, until its timeout (RFC 5722 for
 *     IPv6; for IPv4 the same rule is the strictest reading of RFC 1858 3.2:
 *     no fragment can rewrite bytes another carried); an exact duplicate
 *     (same offset and length) is dropped alone;
 *   - tiny fragments (RFC 1858 3.1, RFC 7112): an IPv4 TCP fragment with
 *     offset 1 (8 bytes); a first fragment with fewer than 8 transport
 *     bytes (20 for IPv4 TCP);
 *   - limits: bytes of mbufs held (buf_len + the mbuf struct), datagrams in
 *     progress, fragments per datagram; when a new datagram would pass a
 *     limit, the oldest datagrams are dropped first (a flood of heads then
 *     churns through itself while a quick legitimate datagram completes);
 *   - time: each datagram expires timeout4 / timeout6 after its first
 *     fragment, whatever arrives later.
 * DPDK's ip_frag library was not used: its key has no routing instance,
 * it does not drop a datagram on overlap, and its tables are per lcore.
 *
 * Lock legend: [Q] the reassembly queue's consumer, [A] atomic,
 * [C] config lock, [I] set by reasm_init.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ip.h>
#include <rte_jhash.h>

#include "ip.h"
#include "l3demux.h"
#include "lcore.h"
#include "pkt_meta.h"
#include "svcq.h"
#include "timer.h"

#define REASM_BUCKETS 8192   /* power of two */
#define REASM_QUEUE_MAX 1024 /* fragments waiting for the worker */
#define REASM_NIL UINT32_MAX

struct reasm_key {
	uint16_t rt_inst;
	uint8_t family;
	uint8_t proto; /* IPv4 only; 0 for IPv6 */
	uint32_t id;
	uint8_t src[16];
	uint8_t dst[16];
};

struct reasm_frag {
	struct rte_mbuf *m;
	uint16_t off; /* payload offset in the datagram */
	uint16_t len; /* payload bytes */
	uint16_t hdr; /* bytes before the payload in m (IPv6: incl. frag hdr) */
};

struct reasm_dg {
	struct reasm_key key;
	uint32_t hnext;        /* hash chain */
	uint32_t aprev, anext; /* age list of its family */
	uint64_t expire_ms;
	uint32_t total; /* payload length, 0 until the last fragment */
	uint32_t have;  /* payload bytes held */
	uint32_t mem;
	uint8_t nfrag;
	bool dead; /* dropped: later fragments are dropped too */
	bool used;
	struct reasm_frag f[REASM_FRAGS_MAX];
};

struct reasm_state {
	struct reasm_dg *dg;               /* [I] REASM_DGRAMS_CAP records */
	uint32_t bucket[REASM_BUCKETS];    /* [Q] */
	uint32_t free_head;                /* [Q] */
	uint32_t age_head[2], age_tail[2]; /* [Q] oldest first, per family */
	uint32_t n_dg;                     /* [Q] */
	uint64_t mem;                      /* [Q] */
	struct reasm_limits lim;           /* [C] written, read by the consumer */
	struct reasm_stats st;             /* [Q] written, read with relaxed loads */
};

static struct reasm_state *rs; /* [I] */
static struct svcq reasm_q;
static bool reasm_q_up;       /* [I] */
static bool reasm_q_inited;   /* [I] */
static uint32_t reasm_queued; /* [A] */
static struct nsdp_timer reasm_timer;
static struct timer_service *reasm_ts; /* [I] */

static const struct reasm_limits reasm_defaults = {
	.mem_max = 8u << 20,
	.dgrams_max = 1024,
	.timeout4_ms = 30000,
	.timeout6_ms = 60000,
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static uint32_t
mbuf_mem(const struct rte_mbuf *m)
{
	uint32_t b = 0;

	for (; m != NULL; m = m->next)
		b += m->buf_len + (uint32_t)sizeof(struct rte_mbuf);
	return b;
}

/* ---- fragment detection and parsing -------------------------------------- */

/* IPv6: offset of the fragment header and of the field naming it, or -1. */
static int
ip6_frag_hdr(const struct rte_mbuf *m, uint32_t *fh_off, uint32_t *prev_nh_off)
{
	uint8_t b[40], eh[2];
	const uint8_t *p = rte_pktmbuf_read(m, 0, 40, b), *q;
	uint32_t off = 40, nh_off = 6;
	uint8_t next;

	if (p == NULL)
		return -1;
	next = p[6];
	for (unsigned k = 0; k < 8; k++) {
		if (next == 44) {
			*fh_off = off;
			*prev_nh_off = nh_off;
			return 0;
		}
		if (next != 0 && next != 43 && next != 60)
			return -1;
		q = rte_pktmbuf_read(m, off, 2, eh);
		if (q == NULL)
			return -1;
		nh_off = off;
		next = q[0];
		off += ((uint32_t)q[1] + 1) * 8;
	}
	return -1;
}

bool
ip_is_fragment(struct rte_mbuf *m, int family)
{
	uint32_t a, b;

	if (family == 4) {
		const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

		return (h->fragment_offset &
			rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	}
	return ip6_frag_hdr(m, &a, &b) == 0;
}

/* What one fragment says. */
struct frag_info {
	struct reasm_key key;
	uint32_t off, len, hdr;       /* hdr: bytes before the payload */
	uint32_t fh_off, prev_nh_off; /* IPv6 */
	uint8_t fnext;                /* IPv6: the fragment header's next header */
	bool mf;
};

/* @return 0, or the drop reason. */
static int
frag_parse(struct rte_mbuf *m, struct frag_info *fi)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t plen = rte_pktmbuf_pkt_len(m);

	memset(fi, 0, sizeof(*fi));
	fi->key.rt_inst = pkt_meta(m)->rt_inst;
	if (m->data_len < 1)
		return DROP_reasm_malformed;
	if ((p[0] >> 4) == 4) {
		const struct rte_ipv4_hdr *h = (const struct rte_ipv4_hdr *)p;
		uint16_t fo = rte_be_to_cpu_16(h->fragment_offset);
		uint32_t tot = rte_be_to_cpu_16(h->total_length);

		if (m->data_len < 20)
			return DROP_reasm_malformed;
		fi->hdr = (h->version_ihl & 0xf) * 4u;
		if (tot > plen || tot <= fi->hdr || m->data_len < fi->hdr)
			return DROP_reasm_malformed;
		if (plen > tot)
			rte_pktmbuf_trim(m, (uint16_t)(plen - tot));
		fi->key.family = 4;
		fi->key.proto = h->next_proto_id;
		fi->key.id = h->packet_id;
		memcpy(fi->key.src, &h->src_addr, 4);
		memcpy(fi->key.dst, &h->dst_addr, 4);
		fi->off = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		fi->mf = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
		fi->len = tot - fi->hdr;
		/* RFC 1858 3.1: a TCP fragment at offset 8 can only be meant to
		 * rewrite the flags of the TCP header. */
		if (fi->key.proto == IPPROTO_TCP && fi->off == 8)
			return DROP_reasm_tiny;
		if (fi->off == 0 && fi->len < (fi->key.proto == IPPROTO_TCP ? REASM_TCP_FIRST_MIN
									    : REASM_FIRST_MIN))
			return DROP_reasm_tiny;
	} else if ((p[0] >> 4) == 6) {
		uint8_t fb[8];
		const uint8_t *f;
		uint32_t tot;
		uint16_t ol;

		if (m->data_len < 40)
			return DROP_reasm_malformed;
		tot = 40u + ((uint32_t)p[4] << 8 | p[5]);
		if (tot > plen)
			return DROP_reasm_malformed;
		if (plen > tot)
			rte_pktmbuf_trim(m, (uint16_t)(plen - tot));
		if (ip6_frag_hdr(m, &fi->fh_off, &fi->prev_nh_off) < 0 ||
		    (f = rte_pktmbuf_read(m, fi->fh_off, 8, fb)) == NULL || fi->fh_off + 8 > tot ||
		    fi->fh_off + 8 > m->data_len)
			return DROP_reasm_malformed;
		fi->key.family = 6;
		memcpy(&fi->key.id, f + 4, 4);
		memcpy(fi->key.src, p + 8, 16);
		memcpy(fi->key.dst, p + 24, 16);
		fi->fnext = f[0];
		ol = (uint16_t)(f[2] << 8 | f[3]);
		fi->off = ol & 0xfff8;
		fi->mf = (ol & 1) != 0;
		fi->hdr = fi->fh_off + 8;
		fi->len = tot - fi->hdr;
		/* RFC 7112: the first fragment carries the upper-layer header. */
		if (fi->off == 0 && fi->mf && fi->len < REASM_FIRST_MIN)
			return DROP_reasm_tiny;
	} else {
		return DROP_reasm_malformed;
	}
	/* The datagram must fit its length field (the "ping of death"). */
	if (fi->len == 0 || (fi->mf && fi->len % 8 != 0) ||
	    (fi->key.family == 4 ? fi->hdr : fi->fh_off - 40) + fi->off + fi->len > 65535)
		return DROP_reasm_malformed;
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

static uint32_t
key_hash(const struct reasm_key *k)
{
	return rte_jhash(k, sizeof(*k), 0x9e3779b9) & (REASM_BUCKETS - 1);
}

static void
age_unlink(struct reasm_dg *d)
{
	unsigned f = d->key.family == 6;

	if (d->aprev != REASM_NIL)
		rs->dg[d->aprev].anext = d->anext;
	else
		rs->age_head[f] = d->anext;
	if (d->anext != REASM_NIL)
		rs->dg[d->anext].aprev = d->aprev;
	else
		rs->age_tail[f] = d->aprev;
}

static void
dg_drop_frags(struct reasm_dg *d, enum drop_reason r)
{
	for (unsigned i = 0; i < d->nfrag; i++) {
		ip_count(d->f[i].m, r);
		rte_pktmbuf_free(d->f[i].m);
	}
	rs->mem -= d->mem;
	d->mem = 0;
	d->nfrag = 0;
	d->have = 0;
}

/* Remove record @i from the table and free what it holds. */
static void
dg_release(uint32_t i, enum drop_reason r)
{
	struct reasm_dg *d = &rs->dg[i];
	uint32_t *pp = &rs->bucket[key_hash(&d->key)];

	dg_drop_frags(d, r);
	while (*pp != i)
		pp = &rs->dg[*pp].hnext;
	*pp = d->hnext;
	age_unlink(d);
	d->used = false;
	d->hnext = rs->free_head;
	rs->free_head = i;
	rs->n_dg--;
	__atomic_store_n(&rs->st.dgrams, rs->n_dg, __ATOMIC_RELAXED);
	__atomic_store_n(&rs->st.mem, rs->mem, __ATOMIC_RELAXED);
}

static uint32_t
dg_find(const struct reasm_key *k)
{
	for (uint32_t i = rs->bucket[key_hash(k)]; i != REASM_NIL; i = rs->dg[i].hnext)
		if (memcmp(&rs->dg[i].key, k, sizeof(*k)) == 0)
			return i;
	return REASM_NIL;
}

/* Drop the oldest datagram of either family. @return false if none. */
static bool
dg_evict_oldest(void)
{
	uint32_t a = rs->age_head[0], b = rs->age_head[1], v;

	if (a == REASM_NIL && b == REASM_NIL)
		return false;
	if (a == REASM_NIL)
		v = b;
	else if (b == REASM_NIL)
		v = a;
	else
		v = rs->dg[a].expire_ms - rs->lim.timeout4_ms <=
				    rs->dg[b].expire_ms - rs->lim.timeout6_ms
			    ? a
			    : b;
	dg_release(v, DROP_reasm_no_memory);
	return true;
}

static void
timer_kick(uint64_t now, uint64_t expire)
{
	if (reasm_ts == NULL || nsdp_timer_pending(&reasm_timer))
		return;
	nsdp_timer_arm(&reasm_timer, (expire > now ? expire - now : 0) * 1000000ull);
}

static uint32_t
dg_new(const struct reasm_key *k, uint64_t now)
{
	uint32_t i, h;
	struct reasm_dg *d;
	unsigned f = k->family == 6;

	while (rs->n_dg >= rs->lim.dgrams_max || rs->free_head == REASM_NIL)
		if (!dg_evict_oldest())
			return REASM_NIL;
	i = rs->free_head;
	d = &rs->dg[i];
	rs->free_head = d->hnext;
	memset(d, 0, offsetof(struct reasm_dg, f));
	d->key = *k;
	d->used = true;
	d->expire_ms = now + (f ? rs->lim.timeout6_ms : rs->lim.timeout4_ms);
	h = key_hash(k);
	d->hnext = rs->bucket[h];
	rs->bucket[h] = i;
	d->anext = REASM_NIL;
	d->aprev = rs->age_tail[f];
	if (d->aprev != REASM_NIL)
		rs->dg[d->aprev].anext = i;
	else
		rs->age_head[f] = i;
	rs->age_tail[f] = i;
	rs->n_dg++;
	__atomic_store_n(&rs->st.dgrams, rs->n_dg, __ATOMIC_RELAXED);
	timer_kick(now, d->expire_ms);
	return i;
}

/* Kill the datagram: drop what it holds, keep the record to drop the rest. */
static void
dg_kill(struct reasm_dg *d, enum drop_reason r)
{
	dg_drop_frags(d, r);
	d->dead = true;
	__atomic_store_n(&rs->st.mem, rs->mem, __ATOMIC_RELAXED);
}

/* Stitch the complete datagram @d together. @return it, or NULL. */
static struct rte_mbuf *
dg_assemble(struct reasm_dg *d, const struct frag_info *first)
{
	struct rte_mbuf *head = d->f[0].m;

	for (unsigned i = 1; i < d->nfrag; i++) {
		struct rte_mbuf *m = d->f[i].m;

		rte_pktmbuf_adj(m, d->f[i].hdr);
		if (rte_pktmbuf_chain(head, m) < 0) {
			rte_pktmbuf_free(m);
			for (unsigned j = i + 1; j < d->nfrag; j++)
				rte_pktmbuf_free(d->f[j].m);
			ip_count(head, DROP_reasm_malformed);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	if (d->key.family == 4) {
		struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(head, struct rte_ipv4_hdr *);

		h->total_length = rte_cpu_to_be_16((uint16_t)(d->f[0].hdr + d->total));
		h->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		uint8_t *p = rte_pktmbuf_mtod(head, uint8_t *);
		uint32_t unfrag = first->fh_off;
		uint32_t pl = unfrag - 40 + d->total;

		/* Take the fragment header out: its next header goes to the
		 * field that named it, the unfragmentable part moves up. */
		p[first->prev_nh_off] = first->fnext;
		memmove(p + 8, p, unfrag);
		rte_pktmbuf_adj(head, 8);
		p = rte_pktmbuf_mtod(head, uint8_t *);
		p[4] = (uint8_t)(pl >> 8);
		p[5] = (uint8_t)pl;
	}
	head->ol_flags = 0;
	return head;
}

struct rte_mbuf *
reasm_input(struct rte_mbuf *m, uint64_t now)
{
	struct frag_info fi;
	struct reasm_dg *d;
	uint32_t i, end, mem;
	unsigned pos;
	int why;

	stat_add(&rs->st.fragments, 1);
	why = frag_parse(m, &fi);
	if (why != 0) {
		stat_add(why == DROP_reasm_tiny ? &rs->st.tiny : &rs->st.malformed, 1);
		ip_count(m, (enum drop_reason)why);
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* RFC 6946: an atomic fragment is a whole datagram of its own. */
	if (fi.key.family == 6 && fi.off == 0 && !fi.mf) {
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
		uint32_t pl = fi.fh_off - 40 + fi.len;

		p[fi.prev_nh_off] = fi.fnext;
		memmove(p + 8, p, fi.fh_off);
		rte_pktmbuf_adj(m, 8);
		p = rte_pktmbuf_mtod(m, uint8_t *);
		p[4] = (uint8_t)(pl >> 8);
		p[5] = (uint8_t)pl;
		return m;
	}
	i = dg_find(&fi.key);
	if (i == REASM_NIL) {
		i = dg_new(&fi.key, now);
		if (i == REASM_NIL) {
			stat_add(&rs->st.dropped_mem, 1);
			ip_count(m, DROP_reasm_no_memory);
			rte_pktmbuf_free(m);
			return NULL;
		}
	}
	d = &rs->dg[i];
	if (d->dead) {
		stat_add(&rs->st.dead_frags, 1);
		ip_count(m, DROP_reasm_overlap);
		rte_pktmbuf_free(m);
		return NULL;
	}
	end = fi.off + fi.len;
	/* Lengths must agree with the last fragment (RFC 8200 4.5). */
	if ((!fi.mf && d->total != 0 && d->total != end) || (d->total != 0 && end > d->total) ||
	    (!fi.mf && d->nfrag > 0 && d->f[d->nfrag - 1].off + d->f[d->nfrag - 1].len > end) ||
	    d->nfrag == REASM_FRAGS_MAX) {
		stat_add(&rs->st.malformed, 1);
		ip_count(m, DROP_reasm_malformed);
		rte_pktmbuf_free(m);
		dg_kill(d, DROP_reasm_malformed);
		return NULL;
	}
	for (pos = 0; pos < d->nfrag && d->f[pos].off < fi.off; pos++)
		;
	if (pos < d->nfrag && d->f[pos].off == fi.off && d->f[pos].len == fi.len) {
		/* An exact duplicate (a retransmitted fragment): only it goes. */
		ip_count(m, DROP_reasm_overlap);
		rte_pktmbuf_free(m);
		return NULL;
	}
	if ((pos > 0 && d->f[pos - 1].off + d->f[pos - 1].len > fi.off) ||
	    (pos < d->nfrag && end > d->f[pos].off)) {
		stat_add(&rs->st.overlaps, 1);
		ip_count(m, DROP_reasm_overlap);
		rte_pktmbuf_free(m);
		dg_kill(d, DROP_reasm_overlap);
		return NULL;
	}
	mem = mbuf_mem(m);
	while (rs->mem + mem > rs->lim.mem_max) {
		/* Make room from the oldest others; never from this one. */
		uint32_t a = rs->age_head[0], b = rs->age_head[1];

		if ((a == i || a == REASM_NIL) && (b == i || b == REASM_NIL))
			break;
		if (a == i)
			dg_release(b, DROP_reasm_no_memory);
		else if (b == i)
			dg_release(a, DROP_reasm_no_memory);
		else
			dg_evict_oldest();
	}
	if (rs->mem + mem > rs->lim.mem_max) {
		stat_add(&rs->st.dropped_mem, 1);
		ip_count(m, DROP_reasm_no_memory);
		rte_pktmbuf_free(m);
		dg_release(i, DROP_reasm_no_memory);
		return NULL;
	}
	memmove(&d->f[pos + 1], &d->f[pos], (d->nfrag - pos) * sizeof(d->f[0]));
	d->f[pos] = (struct reasm_frag){
		.m = m, .off = (uint16_t)fi.off, .len = (uint16_t)fi.len, .hdr = (uint16_t)fi.hdr
	};
	d->nfrag++;
	d->have += fi.len;
	d->mem += mem;
	rs->mem += mem;
	__atomic_store_n(&rs->st.mem, rs->mem, __ATOMIC_RELAXED);
	if (!fi.mf)
		d->total = end;
	if (d->total == 0 || d->have != d->total)
		return NULL;
	{
		struct frag_info first;
		struct rte_mbuf *out;

		/* The first fragment's header layout (IPv6) is what stays. */
		frag_parse(d->f[0].m, &first);
		out = dg_assemble(d, &first);
		d->nfrag = 0;
		rs->mem -= d->mem;
		d->mem = 0;
		dg_release(i, DROP_reasm_timeout);
		if (out != NULL)
			stat_add(&rs->st.reassembled, 1);
		return out;
	}
}

unsigned
reasm_expire(uint64_t now)
{
	unsigned n = 0;

	for (unsigned f = 0; rs != NULL && f < 2; f++) {
		while (rs->age_head[f] != REASM_NIL && rs->dg[rs->age_head[f]].expire_ms <= now) {
			struct reasm_dg *d = &rs->dg[rs->age_head[f]];

			if (!d->dead)
				stat_add(&rs->st.timeouts, 1);
			dg_release(rs->age_head[f], DROP_reasm_timeout);
			n++;
		}
	}
	return n;
}

static uint64_t
next_expiry(void)
{
	uint64_t e = UINT64_MAX;

	for (unsigned f = 0; f < 2; f++)
		if (rs->age_head[f] != REASM_NIL && rs->dg[rs->age_head[f]].expire_ms < e)
			e = rs->dg[rs->age_head[f]].expire_ms;
	return e;
}

void
reasm_flush(void)
{
	for (uint32_t i = 0; rs != NULL && i < REASM_DGRAMS_CAP; i++)
		if (rs->dg[i].used)
			dg_release(i, DROP_reasm_timeout);
}

/* ---- the queue ----------------------------------------------------------- */

static void
reasm_handler(struct svcq *q, struct svc_msg *msg, void *ctx)
{
	struct lcore_ctx *c = ip_this_lcore();
	uint64_t now = now_ms();

	(void)q, (void)ctx;
	if (msg->type == SVC_MSG_TIMER) {
		uint64_t e;

		reasm_expire(now);
		e = next_expiry();
		if (e != UINT64_MAX && reasm_ts != NULL)
			nsdp_timer_arm(&reasm_timer, (e > now ? e - now : 0) * 1000000ull);
		return;
	}
	if (msg->type == SVC_MSG_PACKET) {
		struct rte_mbuf *m = svc_msg_to_mbuf(msg), *out;

		__atomic_fetch_sub(&reasm_queued, 1, __ATOMIC_RELAXED);
		out = reasm_input(m, now);
		if (out != NULL) {
			local_deliver_whole(c, &out, 1, 0);
			if (c != NULL)
				tx_flush(c);
		}
	}
}

void
reasm_enqueue(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct svc_msg *msg = mbuf_to_svc_msg(m);

		if (!reasm_q_up ||
		    __atomic_add_fetch(&reasm_queued, 1, __ATOMIC_RELAXED) > REASM_QUEUE_MAX) {
			if (reasm_q_up)
				__atomic_fetch_sub(&reasm_queued, 1, __ATOMIC_RELAXED);
			ip_count(m, DROP_reasm_no_memory);
			rte_pktmbuf_free(m);
			continue;
		}
		msg->type = SVC_MSG_PACKET;
		msg->subtype = 0;
		svcq_enqueue(&reasm_q, msg);
	}
}

unsigned
reasm_drain(void)
{
	unsigned n;

	if (!reasm_q_up)
		return 0;
	svcq_consume_begin(&reasm_q);
	n = svcq_drain(&reasm_q);
	svcq_consume_end(&reasm_q);
	return n;
}

int
reasm_config(const struct reasm_limits *l)
{
	if (l == NULL || l->dgrams_max > REASM_DGRAMS_CAP)
		return -EINVAL;
	if (rs == NULL)
		return -ENOENT;
	if (l->mem_max != 0)
		rs->lim.mem_max = l->mem_max;
	if (l->dgrams_max != 0)
		rs->lim.dgrams_max = l->dgrams_max;
	if (l->timeout4_ms != 0)
		rs->lim.timeout4_ms = l->timeout4_ms;
	if (l->timeout6_ms != 0)
		rs->lim.timeout6_ms = l->timeout6_ms;
	return 0;
}

void
reasm_limits_get(struct reasm_limits *l)
{
	*l = rs != NULL ? rs->lim : reasm_defaults;
}

void
reasm_stats_get(struct reasm_stats *st)
{
	if (rs == NULL) {
		memset(st, 0, sizeof(*st));
		return;
	}
	st->fragments = __atomic_load_n(&rs->st.fragments, __ATOMIC_RELAXED);
	st->reassembled = __atomic_load_n(&rs->st.reassembled, __ATOMIC_RELAXED);
	st->timeouts = __atomic_load_n(&rs->st.timeouts, __ATOMIC_RELAXED);
	st->overlaps = __atomic_load_n(&rs->st.overlaps, __ATOMIC_RELAXED);
	st->tiny = __atomic_load_n(&rs->st.tiny, __ATOMIC_RELAXED);
	st->dropped_mem = __atomic_load_n(&rs->st.dropped_mem, __ATOMIC_RELAXED);
	st->malformed = __atomic_load_n(&rs->st.malformed, __ATOMIC_RELAXED);
	st->dead_frags = __atomic_load_n(&rs->st.dead_frags, __ATOMIC_RELAXED);
	st->dgrams = __atomic_load_n(&rs->st.dgrams, __ATOMIC_RELAXED);
	st->mem = __atomic_load_n(&rs->st.mem, __ATOMIC_RELAXED);
}

int
reasm_init(struct svc_sched *sched, struct timer_service *ts)
{
	int rc;

	if (rs != NULL)
		return -EEXIST;
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return -ENOMEM;
	rs->dg = calloc(REASM_DGRAMS_CAP, sizeof(*rs->dg));
	if (rs->dg == NULL) {
		free(rs);
		rs = NULL;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < REASM_BUCKETS; i++)
		rs->bucket[i] = REASM_NIL;
	for (uint32_t i = 0; i < REASM_DGRAMS_CAP; i++)
		rs->dg[i].hnext = i + 1 < REASM_DGRAMS_CAP ? i + 1 : REASM_NIL;
	rs->free_head = 0;
	rs->age_head[0] = rs->age_head[1] = rs->age_tail[0] = rs->age_tail[1] = REASM_NIL;
	rs->lim = reasm_defaults;
	if (sched != NULL) {
		rc = svcq_init(&reasm_q, sched, "reasm", reasm_handler, NULL);
		if (rc < 0) {
			free(rs->dg);
			free(rs);
			rs = NULL;
			return rc;
		}
		reasm_q_up = true;
		reasm_q_inited = true;
		if (ts != NULL) {
			nsdp_timer_init(&reasm_timer, ts, &reasm_q, 0);
			reasm_ts = ts;
		}
	}
	return 0;
}

void
reasm_fini(void)
{
	if (rs == NULL)
		return;
	if (reasm_ts != NULL) {
		nsdp_timer_cancel(&reasm_timer);
		reasm_ts = NULL;
	}
	if (reasm_q_up) {
		reasm_drain();
		reasm_q_up = false;
	}
	reasm_flush();
	if (reasm_q_inited) {
		svcq_fini(&reasm_q);
		reasm_q_inited = false;
	}
	free(rs->dg);
	free(rs);
	rs = NULL;
}
