#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Multicast forwarding end to end: three Linux hosts on three net_tap ports,
nsdp copying a source's multicast to the other two through (S,G) routes.

    A 10.0.0.2  2001:db8::2   --- tap0.0 10.0.0.1  2001:db8::1   [nsdp]
    B 10.0.1.2  2001:db8:1::2 --- tap1.0 10.0.1.1  2001:db8:1::1
    C 10.0.2.2  2001:db8:2::2 --- tap2.0 10.0.2.1  2001:db8:2::1

For IPv4 (232.1.1.1 from 10.0.0.2) and IPv6 (ff3e::8000:1 from 2001:db8::2):
`nsctl route add G/32 from S/32 multicast tap1.0,tap2.0 iif tap0.0`; A sends
UDP to the group with TTL (hop limit) 5 from a plain socket; B and C, each a
socket that joined the group, receive every datagram with TTL 4; the copies
count as tx on tap1.0 and tap2.0; `route show -j` lists the interfaces and
the ifcheck flag. The same traffic (source A's address) arriving from B is
dropped and counted as rt_ifcheck, and C gets none of it. After `route del`
the copies stop: A's traffic is counted as rnh_mdiscard (the 224/4 and
ff00::/8 permanent routes) and B and C receive nothing.
"""
import json
import sys
import time

from harness import Topology, TestRun

PORT = 5000
COUNT = 5
SEND_TTL = 5
FAMILIES = {
    4: {"group": "232.1.1.1", "hosts": ["10.0.0.2", "10.0.1.2", "10.0.2.2"],
        "nsdp": ["10.0.0.1", "10.0.1.1", "10.0.2.1"], "plen": 24, "glen": 32, "slen": 32},
    6: {"group": "ff3e::8000:1", "hosts": ["2001:db8::2", "2001:db8:1::2", "2001:db8:2::2"],
        "nsdp": ["2001:db8::1", "2001:db8:1::1", "2001:db8:2::1"], "plen": 64, "glen": 128,
        "slen": 128},
}

# A socket joined to the group on eth0, reporting each datagram with its TTL / hop limit.
RECEIVER = r"""
import json, select, socket, struct, sys, time
fam, grp, port, n, tmo = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
ifindex = socket.if_nametoindex("eth0")
if fam == 4:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((grp, port))
    mreqn = socket.inet_aton(grp) + socket.inet_aton("0.0.0.0") + struct.pack("@i", ifindex)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
    s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
    want = (socket.IPPROTO_IP, getattr(socket, "IP_TTL", 2))
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((grp, port, 0, ifindex))
    mreq = socket.inet_pton(socket.AF_INET6, grp) + struct.pack("@I", ifindex)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    s.setsockopt(socket.IPPROTO_IPV6, getattr(socket, "IPV6_RECVHOPLIMIT", 51), 1)
    want = (socket.IPPROTO_IPV6, getattr(socket, "IPV6_HOPLIMIT", 52))
print("ready", flush=True)
got, end = [], time.time() + tmo
while len(got) < n and time.time() < end:
    r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
    if not r:
        break
    data, anc, _, addr = s.recvmsg(2048, 256)
    ttl = None
    for lvl, typ, d in anc:
        if (lvl, typ) == want:
            ttl = struct.unpack("@i", d[:4])[0]
    got.append({"src": addr[0], "ttl": ttl, "data": data.decode(errors="replace")})
print(json.dumps(got), flush=True)
"""

# A plain UDP socket sending @n datagrams to the group with TTL / hop limit @ttl out of eth0.
SENDER = r"""
import socket, struct, sys, time
fam, grp, port, n, ttl, tag = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ifindex = socket.if_nametoindex("eth0")
if fam == 4:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton("0.0.0.0") + socket.inet_aton("0.0.0.0") + struct.pack("@i", ifindex))
    dst = (grp, port)
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    dst = (grp, port, 0, ifindex)
for i in range(n):
    s.sendto(("%s%d" % (tag, i)).encode(), dst)
    time.sleep(0.05)
"""


def start_receiver(host, fam, n, timeout):
    import subprocess

    p = host.popen(["/usr/bin/python3", "-c", RECEIVER, str(fam), FAMILIES[fam]["group"], str(PORT),
                    str(n), str(timeout)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    if line != "ready":
        p.kill()
        raise RuntimeError(f"receiver did not start: {line} {p.stderr.read()}")
    return p


def finish_receiver(p):
    out, err = p.communicate(timeout=60)
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"receiver output unreadable: {out!r} {err!r}")


def send(host, fam, n, tag):
    host.run(["/usr/bin/python3", "-c", SENDER, str(fam), FAMILIES[fam]["group"], str(PORT), str(n),
              str(SEND_TTL), tag], timeout=60)


def send_spoofed(host, fam, n, src):
    """@n datagrams to the group from @host's eth0 with source @src (A's), as scapy frames."""
    g = FAMILIES[fam]["group"]
    if fam == 4:
        mac = "01:00:5e:01:01:01"
        pkt = f"Ether(dst='{mac}') / IP(src='{src}', dst='{g}', ttl={SEND_TTL}) / UDP(sport=4000, dport={PORT}) / Raw(b'rpf')"
    else:
        mac = "33:33:00:00:80:01"
        pkt = f"Ether(dst='{mac}') / IPv6(src='{src}', dst='{g}', hlim={SEND_TTL}) / UDP(sport=4000, dport={PORT}) / Raw(b'rpf')"
    code = ("from scapy.all import Ether, IP, IPv6, UDP, Raw, sendp\n"
            f"sendp({pkt}, iface='eth0', count={n}, inter=0.02, verbose=False)\n")
    host.python(code, timeout=120)


def ifl_tx(topo, name):
    return next(l["tx_packets"] for l in topo.nsctl.json("ifl", "show") if l["name"] == name)


def family_checks(t, topo, fam):
    f = FAMILIES[fam]
    nsctl = topo.nsctl
    a, b, c = topo.host(0), topo.host(1), topo.host(2)
    g, src = f["group"], f["hosts"][0]
    key = [f"{g}/{f['glen']}", "from", f"{src}/{f['slen']}"]
    v = f"IPv{fam}"

    r = nsctl("route", "add", *key, "multicast", "tap2.0,tap1.0", "iif", "tap0.0")
    t.check(r.returncode == 0, f"{v}: route add (S,G) multicast tap1.0,tap2.0 iif tap0.0: {r.stderr.strip() or 'ok'}")
    shown = [x for x in nsctl.json("route", "show", "ipv4" if fam == 4 else "ipv6")
             if x["dst"] == key[0] and x.get("src") == key[2]]
    t.check(len(shown) == 1 and shown[0]["flags"] == "ifcheck" and shown[0].get("ifl_name") == "tap0.0"
            and shown[0]["nexthop_type"] == "multicast"
            and shown[0].get("nexthop_ifls") == ["tap1.0", "tap2.0"] and shown[0].get("nexthop_local") is False,
            f"{v}: route show -j: {shown}")

    # A's traffic reaches B and C with the TTL decremented once.
    tx1, tx2 = ifl_tx(topo, "tap1.0"), ifl_tx(topo, "tap2.0")
    rb, rc = start_receiver(b, fam, COUNT, 15), start_receiver(c, fam, COUNT, 15)
    send(a, fam, COUNT, "mc")
    gb, gc = finish_receiver(rb), finish_receiver(rc)
    want = [f"mc{i}" for i in range(COUNT)]
    for name, got in (("B", gb), ("C", gc)):
        t.check([x["data"] for x in got] == want and all(x["ttl"] == SEND_TTL - 1 for x in got)
                and all(x["src"] == src for x in got),
                f"{v}: {name} received {len(got)}/{COUNT} from {src}, TTL {sorted({x['ttl'] for x in got})} "
                f"(sent with {SEND_TTL})")
    t.check(ifl_tx(topo, "tap1.0") - tx1 >= COUNT and ifl_tx(topo, "tap2.0") - tx2 >= COUNT,
            f"{v}: copies counted as tx on tap1.0 (+{ifl_tx(topo, 'tap1.0') - tx1}) and tap2.0 "
            f"(+{ifl_tx(topo, 'tap2.0') - tx2})")

    # The same traffic coming in from B fails the RPF check (RTF_IFCHECK).
    before = topo.port_stats(1)["drops"]["rt_ifcheck"]
    rc = start_receiver(c, fam, COUNT, 4)
    send_spoofed(b, fam, COUNT, src)
    got = topo.wait_counter(1, lambda s: s["drops"]["rt_ifcheck"], before + COUNT)
    gc = finish_receiver(rc)
    t.check(got - before == COUNT, f"{v}: from B: rt_ifcheck +{got - before} on port 1 (sent {COUNT})")
    t.check(gc == [], f"{v}: from B: C received nothing ({len(gc)})")
    r = nsctl("route", "get", g, "from", src, "iif", "tap1.0")
    t.check(r.returncode == 0 and "drop (ifcheck)" in r.stdout, f"{v}: route get ... iif tap1.0: {r.stdout.strip()}")

    # Deleted: no more copies; the permanent multicast route discards A's traffic.
    r = nsctl("route", "del", *key)
    t.check(r.returncode == 0, f"{v}: route del: {r.stderr.strip() or 'ok'}")
    before = topo.port_stats(0)["drops"]["rnh_mdiscard"]
    rb, rc = start_receiver(b, fam, COUNT, 4), start_receiver(c, fam, COUNT, 4)
    send(a, fam, COUNT, "gone")
    got = topo.wait_counter(0, lambda s: s["drops"]["rnh_mdiscard"], before + COUNT)
    gb, gc = finish_receiver(rb), finish_receiver(rc)
    t.check(gb == [] and gc == [], f"{v}: after route del: B and C received {len(gb)}, {len(gc)}")
    t.check(got - before >= COUNT, f"{v}: after route del: rnh_mdiscard +{got - before} on port 0")


def run(t):
    with Topology(ports=3, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        for i in range(3):
            h = topo.host(i)
            # IPv6 on, without the chatter that does not concern the test.
            for k in ("accept_ra=0", "accept_dad=0", "disable_ipv6=0"):
                h.run(f"sysctl -qw net.ipv6.conf.eth0.{k}")
            h.run(f"ip addr add {FAMILIES[4]['hosts'][i]}/24 dev eth0")
            h.run(f"ip -6 addr add {FAMILIES[6]['hosts'][i]}/64 dev eth0 nodad")
            h.run(f"ip route add default via {FAMILIES[4]['nsdp'][i]}")
            h.run(f"ip -6 route add default via {FAMILIES[6]['nsdp'][i]}")
            for c in [("ifd", "add", f"tap{i}", "port", str(i)), ("ifl", "add", f"tap{i}.0"),
                      ("iff", "add", f"tap{i}.0", "inet"), ("iff", "add", f"tap{i}.0", "inet6"),
                      ("ifa", "add", f"tap{i}.0", "inet", f"{FAMILIES[4]['nsdp'][i]}/24"),
                      ("ifa", "add", f"tap{i}.0", "inet6", f"{FAMILIES[6]['nsdp'][i]}/64")]:
                r = nsctl(*c)
                t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        # Refusals leave nothing behind.
        n = len(nsctl.json("route", "show"))
        for c, why in [(("232.2.2.2/32", "multicast", "tap1.0,tap0.0", "iif", "tap0.0"), "never go back"),
                       (("10.9.0.0/16", "multicast", "tap1.0"), "multicast destinations"),
                       (("232.2.2.2/32", "multicast", "tap1.0", "iif", "tap0.0", "local-only"), "exclude")]:
            r = nsctl("route", "add", *c)
            t.check(r.returncode != 0 and why in r.stderr, f"route add {' '.join(c)}: refused ({r.stderr.strip().splitlines()[:1]})")
        t.check(len(nsctl.json("route", "show")) == n, "refused routes left nothing behind")
        time.sleep(1)
        for fam in (4, 6):
            family_checks(t, topo, fam)
        t.check(topo.alive(), "nsdp alive at the end")


def main():
    t = TestRun("test_mcast")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
