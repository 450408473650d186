/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * l2key.c: the L2 demux key (l2demux.h, docs/l2demux.md): building keys
 * for configuration, formatting them for people, and extracting the key of
 * a received Ethernet frame on the packet path.
 *
 * Extraction recognises only what adds fields to the key: the three tag
 * TPIDs, PPPoE session (0x8864) and 802.3 length frames (LLC, SNAP). Any
 * other type value, 0x0800 included, is copied into the key uninterpreted.
 * Every byte read lies within the frame: the header area (at most
 * L2KEY_HDR_MAX bytes) is read once through rte_pktmbuf_read(), which
 * copies only when it spans segments, and each field is checked against
 * the bytes actually present.
 *
 * Malformed means the key cannot be taken: a runt, a header cut short,
 * more than L2KEY_MAX_TAGS tags, a type value that is neither a length nor
 * an ethertype (1501..1535), a PPPoE session header that is not version 1,
 * type 1, code 0 (RFC 2516 section 4). Length fields (802.3, PPPoE) say
 * where the payload ends; checking them is the business of whoever takes
 * the payload, not of the demultiplexer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "l2demux.h"

#define TPID_8021Q 0x8100
#define TPID_8021AD 0x88a8
#define TPID_QINQ 0x9100
#define TYPE_PPPOE_SESSION 0x8864
/* Type values up to 1500 are an 802.3 length; 1501..1535 mean nothing. */
#define ETH_LEN_MAX 1500
#define ETH_TYPE_MIN 0x0600
#define PPPOE_VER_TYPE 0x11     /* RFC 2516 section 4: VER 1, TYPE 1 */
#define PPPOE_CODE_SESSION 0x00 /* RFC 2516 section 5.5: session data */
#define LLC_LEN 3               /* DSAP, SSAP, control */
#define SNAP_LEN 5              /* OUI, PID */

/* Longest header extraction reads: MACs, L2KEY_MAX_TAGS tags, the TPID of
 * one tag too many (read to refuse it), or type + PPPoE + PPP protocol. */
#define L2KEY_HDR_MAX (12 + 4 * L2KEY_MAX_TAGS + 2 + 8)

/* --- building ----------------------------------------------------------- */

void
l2key_init(struct l2key *k)
{
	memset(k, 0, sizeof(*k));
}

/* Room for @nbytes whole bytes at a byte boundary? */
static int
key_room(const struct l2key *k, size_t nbytes)
{
	if (k->bits % 8 != 0)
		return -EINVAL;
	if (k->bits / 8 + nbytes > L2KEY_MAX)
		return -ENOSPC;
	return 0;
}

static void
key_put16(struct l2key *k, uint16_t v)
{
	k->b[k->bits / 8] = (uint8_t)(v >> 8);
	k->b[k->bits / 8 + 1] = (uint8_t)v;
	k->bits += 16;
}

static bool
is_tpid(uint16_t v)
{
	return v == TPID_8021Q || v == TPID_8021AD || v == TPID_QINQ;
}

int
l2key_push_tag(struct l2key *k, uint16_t tpid, uint16_t vid)
{
	int rc;

	if (vid > 4095 || !is_tpid(tpid))
		return -EINVAL;
	rc = key_room(k, 4);
	if (rc < 0)
		return rc;
	key_put16(k, tpid);
	key_put16(k, vid);
	return 0;
}

int
l2key_push_type(struct l2key *k, uint16_t type)
{
	int rc = key_room(k, 2);

	if (rc < 0)
		return rc;
	key_put16(k, type);
	return 0;
}

int
l2key_push_pppoe_session(struct l2key *k, uint16_t session, const uint8_t peer_mac[6])
{
	int rc = key_room(k, 10);

	if (rc < 0)
		return rc;
	key_put16(k, TYPE_PPPOE_SESSION);
	key_put16(k, session);
	memcpy(&k->b[k->bits / 8], peer_mac, 6);
	k->bits += 48;
	return 0;
}

int
l2key_push_bits(struct l2key *k, uint16_t value, unsigned bits)
{
	uint16_t v;
	int rc;

	if (bits > 16)
		return -EINVAL;
	rc = key_room(k, (bits + 7) / 8);
	if (rc < 0)
		return rc;
	if (bits == 0)
		return 0;
	v = (uint16_t)(value & (uint16_t)(0xffffu << (16 - bits)));
	k->b[k->bits / 8] = (uint8_t)(v >> 8);
	if (bits > 8)
		k->b[k->bits / 8 + 1] = (uint8_t)v;
	k->bits = (uint16_t)(k->bits + bits);
	return 0;
}

int
l2key_push_bytes(struct l2key *k, const uint8_t *p, size_t n)
{
	int rc = key_room(k, n);

	if (rc < 0)
		return rc;
	memcpy(&k->b[k->bits / 8], p, n);
	k->bits = (uint16_t)(k->bits + n * 8);
	return 0;
}

/* --- formatting ----------------------------------------------------------- */

struct fmt {
	char *buf;
	size_t len;
	size_t n; /* what would have been written */
};

static void __attribute__((format(printf, 2, 3))) fmt_add(struct fmt *f, const char *fmt, ...)
{
	va_list ap;
	size_t room = f->n < f->len ? f->len - f->n : 0;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(room ? f->buf + f->n : NULL, room, fmt, ap);
	va_end(ap);
	if (w > 0)
		f->n += (size_t)w;
}

/* The 16-bit field at bit @pos, and how many of its bits the key has. */
static uint16_t
key_field16(const struct l2key *k, unsigned pos, unsigned *have)
{
	unsigned left = k->bits - pos;

	*have = left < 16 ? left : 16;
	return (uint16_t)(k->b[pos / 8] << 8 | (pos / 8 + 1 < L2KEY_MAX ? k->b[pos / 8 + 1] : 0));
}

/* "name 0x1234" or, for a prefix of the field, "name 0x1200/7". */
static void
fmt_field16(struct fmt *f, const char *name, uint16_t v, unsigned have)
{
	fmt_add(f, "%s%s0x%04x", f->n ? " " : "", name, v);
	if (have < 16)
		fmt_add(f, "/%u", have);
}

/* Whatever is left from bit @pos, as hex bytes and a bit count. */
static void
fmt_rest(struct fmt *f, const struct l2key *k, unsigned pos)
{
	if (pos >= k->bits)
		return;
	fmt_add(f, "%sdata 0x", f->n ? " " : "");
	for (unsigned i = pos / 8; i < (k->bits + 7u) / 8; i++)
		fmt_add(f, "%02x", k->b[i]);
	fmt_add(f, "/%u", k->bits - pos);
}

int
l2key_format(const struct l2key *k, char *buf, size_t len)
{
	struct fmt f = { .buf = buf, .len = len };
	unsigned pos = 0, have, tags = 0;
	uint16_t v;

	if (len > 0)
		buf[0] = '\0';
	if (k->bits == 0) {
		fmt_add(&f, "(any)");
		return (int)f.n;
	}
	if (k->bits > L2KEY_MAX * 8) {
		fmt_add(&f, "(invalid: %u bits)", k->bits);
		return (int)f.n;
	}
	/* pos is always a multiple of 8 here: fields are whole bytes. */
	for (;;) {
		v = key_field16(k, pos, &have);
		if (have < 16) {
			fmt_field16(&f, "type ", v, have);
			return (int)f.n;
		}
		if (!is_tpid(v) || tags == L2KEY_MAX_TAGS)
			break;
		pos += 16;
		if (pos >= k->bits) {
			fmt_add(&f, "%s%04x/vid (any)", f.n ? " " : "", v);
			return (int)f.n;
		}
		{
			uint16_t vid = key_field16(k, pos, &have);

			if (have < 16) {
				fmt_add(&f, "%s%04x/vid 0x%04x/%u", f.n ? " " : "", v, vid, have);
				return (int)f.n;
			}
			if (vid > 4095) {
				fmt_add(&f, "%s%04x/vid 0x%04x", f.n ? " " : "", v, vid);
			} else {
				fmt_add(&f, "%s%04x/%u", f.n ? " " : "", v, vid);
			}
		}
		pos += 16;
		tags++;
		if (pos == k->bits)
			return (int)f.n;
	}
	/* The type field, whole. */
	fmt_field16(&f, "type ", v, 16);
	pos += 16;
	if (v == TYPE_PPPOE_SESSION) {
		if (pos >= k->bits)
			return (int)f.n;
		v = key_field16(k, pos, &have);
		fmt_field16(&f, "session ", v, have);
		pos += have;
		if (have < 16 || pos >= k->bits)
			return (int)f.n;
		if (k->bits - pos < 48) {
			fmt_rest(&f, k, pos);
			return (int)f.n;
		}
		fmt_add(&f, " peer %02x:%02x:%02x:%02x:%02x:%02x", k->b[pos / 8], k->b[pos / 8 + 1],
			k->b[pos / 8 + 2], k->b[pos / 8 + 3], k->b[pos / 8 + 4], k->b[pos / 8 + 5]);
		pos += 48;
		if (pos >= k->bits)
			return (int)f.n;
		v = key_field16(k, pos, &have);
		fmt_field16(&f, "ppp ", v, have);
		pos += have;
	} else if (v == L2KEY_TYPE_LLC) {
		const uint8_t *p = &k->b[pos / 8];

		if (k->bits - pos < LLC_LEN * 8) {
			fmt_rest(&f, k, pos);
			return (int)f.n;
		}
		fmt_add(&f, " llc dsap 0x%02x ssap 0x%02x ctrl 0x%02x", p[0], p[1], p[2]);
		pos += LLC_LEN * 8;
		if (p[0] == 0xaa && p[1] == 0xaa && p[2] == 0x03 && k->bits - pos >= SNAP_LEN * 8) {
			fmt_add(&f, " snap oui %02x:%02x:%02x pid 0x%02x%02x", p[3], p[4], p[5],
				p[6], p[7]);
			pos += SNAP_LEN * 8;
		}
	}
	fmt_rest(&f, k, pos);
	return (int)f.n;
}

/* --- extraction (packet path) ------------------------------------------------ */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int
l2key_extract(const struct rte_mbuf *m, struct l2key *k, uint16_t *l2_len)
{
	uint8_t copy[L2KEY_HDR_MAX];
	const uint8_t *p;
	unsigned n, off = 12, kb = 0, tags = 0;
	uint16_t type;

	memset(k->b, 0, sizeof(k->b));
	n = m->pkt_len < L2KEY_HDR_MAX ? m->pkt_len : L2KEY_HDR_MAX;
	if (n < 14)
		return -EBADMSG;
	p = rte_pktmbuf_read(m, 0, n, copy);
	if (unlikely(p == NULL))
		return -EBADMSG;
	type = rd16(p + off);
	while (is_tpid(type)) {
		/* TPID + TCI, and the next type field after them. */
		if (tags == L2KEY_MAX_TAGS || off + 6 > n)
			return -EBADMSG;
		k->b[kb] = p[off];
		k->b[kb + 1] = p[off + 1];
		k->b[kb + 2] = p[off + 2] & 0x0f; /* PCP and DEI are not part of the key */
		k->b[kb + 3] = p[off + 3];
		kb += 4;
		off += 4;
		tags++;
		type = rd16(p + off);
	}
	k->b[kb] = p[off];
	k->b[kb + 1] = p[off + 1];
	kb += 2;
	off += 2;
	if (type == TYPE_PPPOE_SESSION) {
		/* ver/type, code, session, length, then the PPP protocol. */
		if (off + 8 > n || p[off] != PPPOE_VER_TYPE || p[off + 1] != PPPOE_CODE_SESSION)
			return -EBADMSG;
		k->b[kb] = p[off + 2];
		k->b[kb + 1] = p[off + 3];
		memcpy(&k->b[kb + 2], p + 6, 6); /* the source MAC: the session's peer */
		k->b[kb + 8] = p[off + 6];
		k->b[kb + 9] = p[off + 7];
		kb += 10;
		off += 8;
	} else if (type < ETH_TYPE_MIN) {
		/* 802.3: the value is the length of the LLC PDU that follows. */
		if (type > ETH_LEN_MAX || off + LLC_LEN > n)
			return -EBADMSG;
		k->b[kb - 2] = L2KEY_TYPE_LLC >> 8;
		k->b[kb - 1] = L2KEY_TYPE_LLC & 0xff;
		memcpy(&k->b[kb], p + off, LLC_LEN);
		kb += LLC_LEN;
		off += LLC_LEN;
		if (p[off - 3] == 0xaa && p[off - 2] == 0xaa && p[off - 1] == 0x03) {
			if (off + SNAP_LEN > n)
				return -EBADMSG;
			memcpy(&k->b[kb], p + off, SNAP_LEN);
			kb += SNAP_LEN;
			off += SNAP_LEN;
		}
	}
	k->bits = (uint16_t)(kb * 8);
	*l2_len = (uint16_t)off;
	return 0;
}
