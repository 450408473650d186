#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal IPv4 host behind VLAN tags, in scapy, for kernels without
802.1Q support: on IFACE it answers ARP requests for its addresses and ICMP
echo requests to them, each with the tag stack the request came with.

    vlan_host.py IFACE MAC TAGS=ADDR [TAGS=ADDR ...]

TAGS is a comma-separated tag stack, outermost first, each TPID:VID in hex
TPID and decimal VID ("8100:100", "88a8:10,8100:20"). The host prints
"ready" once it listens, and runs until killed.
"""
import struct
import sys

from scapy.all import ARP, ICMP, IP, Dot1Q, Ether, Raw, conf, raw, sniff


def parse_identity(spec):
    tags, addr = spec.split("=")
    stack = []
    for t in tags.split(","):
        tpid, vid = t.split(":")
        stack.append((int(tpid, 16), int(vid)))
    return tuple(stack), addr


def tag_stack(p):
    """(tags, payload layer) of a frame: tags as ((tpid, vid), ...), outermost first."""
    tags = []
    tpid = p[Ether].type
    layer = p[Ether].payload
    while isinstance(layer, Dot1Q):
        tags.append((tpid, layer.vlan))
        tpid = layer.type
        layer = layer.payload
    return tuple(tags), tpid, layer


def frame(dst, src, tags, ethertype, payload):
    b = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
    for tpid, vid in tags:
        b += struct.pack("!HH", tpid, vid & 0xfff)
    return b + struct.pack("!H", ethertype) + payload


def main():
    iface, mac = sys.argv[1], sys.argv[2]
    ids = dict(parse_identity(s) for s in sys.argv[3:])
    sock = conf.L2socket(iface=iface)

    def answer(p):
        if Ether not in p or p[Ether].src.lower() == mac.lower():
            return
        tags, etype, l3 = tag_stack(p)
        addr = ids.get(tags)
        if addr is None:
            return
        if etype == 0x0806 and isinstance(l3, ARP) and l3.op == 1 and l3.pdst == addr:
            rep = ARP(op=2, hwsrc=mac, psrc=addr, hwdst=l3.hwsrc, pdst=l3.psrc)
            sock.send(Ether(frame(p[Ether].src, mac, tags, 0x0806, raw(rep))))
        elif (etype == 0x0800 and isinstance(l3, IP) and l3.dst == addr and ICMP in l3
              and l3[ICMP].type == 8):
            icmp = l3[ICMP]
            data = raw(icmp.payload) if icmp.payload else b""
            rep = IP(src=addr, dst=l3.src, ttl=64) / ICMP(type=0, id=icmp.id, seq=icmp.seq) / Raw(data)
            sock.send(Ether(frame(p[Ether].src, mac, tags, 0x0800, raw(rep))))

    sniff(iface=iface, prn=answer, store=False,
          started_callback=lambda: print("ready", flush=True))


if __name__ == "__main__":
    main()
