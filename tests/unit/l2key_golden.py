#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Golden frames for test_l2key: build Ethernet frames with scapy, work out
the L2 demux key each must give (docs/l2demux.md) from how the frame was
built -- never by parsing its bytes -- and write one line per frame:

    NAME FRAME_HEX KEY_HEX L2_LEN
    NAME FRAME_HEX malformed

Every valid frame is also written cut short at every length below its L2
header's (runts, every truncation offset of every header), which must be
malformed, and at exactly that length, which must give the same key. Length
fields (802.3, PPPoE) are not checked: the key comes from the header.

Usage: l2key_golden.py [OUT]   (default: l2key_golden.txt beside this file)
"""
import os
import struct
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import LLC, SNAP, Dot1Q, Dot3, Ether
from scapy.layers.ppp import PPPoE, PPPoED
from scapy.packet import Raw

PEER = "02:00:00:00:00:01"
US = "02:00:00:00:00:fe"
MAX_TAGS = 4


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def be16(v):
    return struct.pack("!H", v)


class Frame:
    """A frame and what its key must be."""

    def __init__(self, name, pkt, key, l2_len, min_len=None, cuts=True):
        self.name = name
        self.cuts = cuts
        self.raw = bytes(pkt)
        self.key = key
        self.l2_len = l2_len
        # Shortest frame that is still valid: its L2 header (length fields
        # are not checked).
        self.min_len = l2_len if min_len is None else min_len
        assert self.min_len <= len(self.raw), name


def tagged(tags, inner_type):
    """Ether + Dot1Q layers for @tags [(tpid, vid, pcp, dei)], last type @inner_type.
    Returns (packet, key bytes of the tags, header length so far)."""
    types = [t[0] for t in tags] + [inner_type]
    pkt = Ether(src=PEER, dst=US, type=types[0])
    key = b""
    for i, (tpid, vid, pcp, dei) in enumerate(tags):
        pkt = pkt / Dot1Q(vlan=vid, prio=pcp, id=dei, type=types[i + 1])
        key += be16(tpid) + be16(vid)
    return pkt, key, 12 + 4 * len(tags) + 2


def ip_payload():
    return IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=1, dport=2) / Raw(b"x")


def frames():
    out = []
    tag_sets = {
        "untagged": [],
        "dot1q": [(0x8100, 100, 5, 1)],
        "qinq_88a8": [(0x88A8, 10, 3, 0), (0x8100, 20, 0, 0)],
        "qinq_9100": [(0x9100, 4095, 7, 1), (0x8100, 1, 0, 0)],
        "triple": [(0x88A8, 1, 0, 0), (0x9100, 2, 0, 0), (0x8100, 3, 6, 0)],
        "four_tags": [(0x8100, 11, 0, 0), (0x8100, 12, 0, 0), (0x8100, 13, 0, 0), (0x8100, 14, 0, 0)],
    }
    for tname, tags in tag_sets.items():
        # Plain ethertypes: whatever the value, it is copied.
        for et, payload in ((0x0800, ip_payload()), (0x0806, Raw(b"\x00" * 28)),
                            (0x86DD, Raw(b"\x60" + b"\x00" * 39)), (0x0600, Raw(b"ab")),
                            (0xFFFF, Raw(b"ab"))):
            pkt, key, hl = tagged(tags, et)
            out.append(Frame("%s_type_%04x" % (tname, et), pkt / payload, key + be16(et), hl,
                             cuts=et == 0x0800))
        # PPPoE discovery: the type alone.
        pkt, key, hl = tagged(tags, 0x8863)
        out.append(Frame(tname + "_pppoed", pkt / PPPoED(code=0x09, sessionid=0) / Raw(b"\x01\x01\x00\x00"),
                         key + be16(0x8863), hl))
        # PPPoE session: session id, source MAC, PPP protocol.
        for sess, proto in ((0x1234, 0x0021), (0x0001, 0xC021), (0xFFFE, 0x0057)):
            pkt, key, hl = tagged(tags, 0x8864)
            body = Raw(b"\x45\x00\x00\x14")
            # The PPP protocol in full: scapy's PPP layer compresses values
            # below 0x100 to one byte, which PPPoE does not allow (RFC 2516 7).
            p = pkt / PPPoE(version=1, type=1, code=0, sessionid=sess) / Raw(be16(proto)) / body
            out.append(Frame("%s_pppoe_%04x_%04x" % (tname, sess, proto), p,
                             key + be16(0x8864) + be16(sess) + mac_bytes(PEER) + be16(proto),
                             hl + 8, cuts=sess == 0x1234))
        # 802.3 length frames: LLC, and LLC/SNAP.
        for dsap, ssap, ctrl in ((0xFE, 0xFE, 0x03), (0x42, 0x42, 0x03), (0xF0, 0xF0, 0x7F)):
            body = bytes([dsap, ssap, ctrl]) + b"\x83\x1b\x01\x00"
            pkt, key, hl = tagged(tags, len(body))
            out.append(Frame("%s_llc_%02x%02x%02x" % (tname, dsap, ssap, ctrl), pkt / Raw(body),
                             key + be16(0) + bytes([dsap, ssap, ctrl]), hl + 3,
                             cuts=dsap == 0xFE))
        for oui, pid in ((0x00000C, 0x2000), (0x000000, 0x0800)):
            snap = LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=oui, code=pid) / Raw(b"zz")
            body = bytes(snap)
            pkt, key, hl = tagged(tags, len(body))
            out.append(Frame("%s_snap_%06x_%04x" % (tname, oui, pid), pkt / Raw(body),
                             key + be16(0) + b"\xaa\xaa\x03" + struct.pack("!I", oui)[1:] + be16(pid),
                             hl + 8, cuts=oui != 0))
    # Dot3 as scapy builds it (length computed by scapy), with Ethernet padding.
    d3 = Dot3(src=PEER, dst="01:80:c2:00:00:14") / LLC(dsap=0xFE, ssap=0xFE, ctrl=3) / Raw(b"\x83" * 10)
    out.append(Frame("dot3_isis_padded", bytes(d3) + b"\x00" * 20, be16(0) + b"\xfe\xfe\x03", 17))
    # Largest 802.3 length.
    body = b"\xfe\xfe\x03" + b"\x00" * 1497
    out.append(Frame("dot3_len_1500", Ether(src=PEER, dst=US, type=1500) / Raw(body),
                     be16(0) + b"\xfe\xfe\x03", 17, cuts=False))
    # Length fields are not checked: the key is taken from the header bytes.
    pppoe_hdr = b"\x11\x00" + be16(1)
    for name, plen in (("pppoe_len_long", 64), ("pppoe_len_1", 1), ("pppoe_len_0", 0)):
        p = Ether(src=PEER, dst=US, type=0x8864) / Raw(pppoe_hdr + be16(plen) + b"\x00\x21\x45\x00")
        out.append(Frame(name, p, be16(0x8864) + be16(1) + mac_bytes(PEER) + be16(0x0021), 22,
                         cuts=False))
    for v in (0, 1, 2, 100):
        p = Ether(src=PEER, dst=US, type=v) / Raw(b"\xfe\xfe\x03" + b"\x00" * 10)
        out.append(Frame("dot3_len_%d" % v, p, be16(0) + b"\xfe\xfe\x03", 17, cuts=False))
    p = Ether(src=PEER, dst=US, type=5) / Raw(b"\xaa\xaa\x03\x00\x00\x0c\x20\x00" + b"\x00" * 50)
    out.append(Frame("snap_len_short", p, be16(0) + b"\xaa\xaa\x03\x00\x00\x0c\x20\x00", 22,
                     cuts=False))
    # All zeros (what net_null sends): an 802.3 frame of length 0 with LLC 00 00 00.
    out.append(Frame("zeros", b"\x00" * 60, be16(0) + b"\x00\x00\x00", 17, cuts=False))
    return out


def malformed():
    """Frames that must be malformed whole (not only when cut short)."""
    out = []
    five = [(0x8100, i, 0, 0) for i in range(1, 6)]
    pkt, _, _ = tagged(five, 0x0800)
    out.append(("five_tags", bytes(pkt / ip_payload())))
    six = [(0x88A8, 1, 0, 0)] + [(0x8100, i, 0, 0) for i in range(2, 7)]
    pkt, _, _ = tagged(six, 0x0800)
    out.append(("six_tags", bytes(pkt / ip_payload())))
    for name, ver_type, code in (("pppoe_bad_ver", 0x21, 0), ("pppoe_bad_type", 0x12, 0),
                                 ("pppoe_padt_code", 0x11, 0xA7)):
        p = Ether(src=PEER, dst=US, type=0x8864) / Raw(
            bytes([ver_type, code]) + be16(1) + be16(6) + be16(0x0021) + b"\x45\x00\x00\x14")
        out.append((name, bytes(p)))
    # 802.3: undefined values 1501..1535.
    for v in (1501, 1535):
        out.append(("type_%d" % v, bytes(Ether(src=PEER, dst=US, type=v) / Raw(b"\xfe\xfe\x03" + b"\x00" * 60))))
    # Tagged 802.3 with a bad length.
    pkt, _, _ = tagged([(0x8100, 5, 0, 0)], 1501)
    out.append(("dot1q_type_1501", bytes(pkt / Raw(b"\x00" * 50))))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "l2key_golden.txt")
    lines = ["# l2key golden frames, written by tests/unit/l2key_golden.py: do not edit.",
             "# NAME FRAME_HEX KEY_HEX L2_LEN | NAME FRAME_HEX malformed"]
    for f in frames():
        lines.append("%s %s %s %d" % (f.name, f.raw.hex(), f.key.hex(), f.l2_len))
        if not f.cuts:
            continue
        # Every offset within the header, then up to the shortest valid frame.
        for cut in sorted(set(range(0, min(f.min_len, f.l2_len + 8))) | {f.min_len - 1}):
            lines.append("%s_cut%d %s malformed" % (f.name, cut, f.raw[:cut].hex() or "-"))
        lines.append("%s_cut%d %s %s %d" % (f.name, f.min_len, f.raw[:f.min_len].hex(),
                                            f.key.hex(), f.l2_len))
    for name, raw in malformed():
        lines.append("%s %s malformed" % (name, raw.hex()))
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
