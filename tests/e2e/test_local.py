#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Local delivery end to end: Linux hosts ping nsdp's own addresses, in two
routing instances that use the same addresses.

    h0 10.0.1.2/24 --- tap0.0 10.0.1.1 [nsdp, instance 0] 10.0.2.1 tap1.0 --- h1 10.0.2.2/24
                                       lo0.0 192.0.2.1/32
    h2 10.0.1.2/24 --- tap2.0 10.0.1.1 [nsdp, instance 1]
                                       lo0.1 192.0.2.1/32

Checks: h0 pings the address of its own ifl, of another ifl and of lo0.0;
h2 pings the same addresses in instance 1 and the answers leave through
tap2 only (port counters); `ping -s 4000` (reassembly, then a 4 KB reply);
UDP to a closed port gets ICMP port unreachable and TCP to a closed port a
RST (scapy); reassembly under attack (scapy): a fragmented datagram
completes, overlapping fragments drop the datagram, a TCP fragment at
offset 8 is refused, a flood of never-completing heads is cut at the
limit, and a legitimate train still completes after it; IPv6 on h0: ping,
`ping -6 -s 3000`, ICMPv6 port unreachable; `nsctl demux show` lists the echo entries with their match
counters (table and JSON), `demux show tap0` still lists the L2 demux.
These need nsdp to answer ARP for its addresses and to resolve the hosts:
without that, the pings fail and so does the test.
"""
import sys
import time

from harness import Topology, TestRun

H, R = "10.0.1.2", "10.0.1.1"
H1, R1 = "10.0.2.2", "10.0.2.1"
LO = "192.0.2.1"
H6, R6 = "2001:db8:1::2", "2001:db8:1::1"


def ping(host, dst, extra="", count=3):
    return host.run(f"ping -n -c {count} -i 0.2 -W 2 {extra} {dst}", check=False, timeout=60)


def last_line(r):
    out = (r.stdout or r.stderr or "").strip().splitlines()
    return out[-1] if out else "(no output)"


def scapy_probe(host, proto, dst, dport):
    """Send one UDP datagram or TCP SYN from @host to @dst:@dport; print what came back."""
    layer = f"UDP(sport=40000, dport={dport})" if proto == "udp" else \
        f"TCP(sport=40001, dport={dport}, flags='S', seq=1000)"
    code = (
        "from scapy.all import IP, UDP, TCP, ICMP, sr1, conf\n"
        "conf.verb = 0\n"
        f"a = sr1(IP(dst='{dst}') / {layer}, timeout=3, iface='eth0')\n"
        "if a is None:\n"
        "    print('none')\n"
        "elif a.haslayer(ICMP):\n"
        "    print('icmp', a[ICMP].type, a[ICMP].code, a[IP].src)\n"
        "elif a.haslayer(TCP):\n"
        "    print('tcp', int(a[TCP].flags), a[TCP].ack, a[IP].src)\n"
        "else:\n"
        "    print('other')\n"
    )
    r = host.python(code, timeout=60)
    return (r.stdout or "").strip()


def frag_probe(host, dst, kind, count=1):
    """Send fragment trains to @dst:33333 from @host; print the ICMP answers seen.

    kind: "ok"      a 4000-byte UDP datagram in 1400-byte fragments
          "overlap" the same, with a second fragment overlapping the first
          "tiny"    a TCP datagram whose second fragment sits at offset 8
          "heads"   @count first fragments that never complete
    """
    code = (
        "from scapy.all import IP, UDP, TCP, ICMP, Raw, fragment, send, AsyncSniffer, conf\n"
        "import random\n"
        "conf.verb = 0\n"
        f"kind, dst, count = {kind!r}, {dst!r}, {count}\n"
        "s = AsyncSniffer(iface='eth0', filter='icmp', timeout=4)\n"
        "s.start()\n"
        "import time; time.sleep(0.5)\n"
        "def udp(i):\n"
        "    return IP(dst=dst, id=i) / UDP(sport=40002, dport=33333) / Raw(b'x' * 4000)\n"
        "if kind == 'ok':\n"
        "    send(fragment(udp(7001), fragsize=1400), iface='eth0')\n"
        "elif kind == 'overlap':\n"
        "    f = fragment(udp(7002), fragsize=1400)\n"
        "    o = f[1].copy(); o.frag -= 8; o[Raw].load = b'y' * len(o[Raw].load)\n"
        "    send([f[0], o, f[1], f[2]], iface='eth0')\n"
        "elif kind == 'tiny':\n"
        "    a = IP(dst=dst, id=7003, proto=6, flags='MF', frag=0) / Raw(b'\\x9c\\x40\\x00\\x51' + b'\\x00' * 20)\n"
        "    b = IP(dst=dst, id=7003, proto=6, frag=1) / Raw(b'\\x50\\x02' + b'\\x00' * 30)\n"
        "    send([a, b], iface='eth0')\n"
        "else:\n"
        "    base = random.randint(10000, 20000)\n"
        "    send([IP(dst=dst, id=base + i, flags='MF') / UDP(sport=40003, dport=33333) / Raw(b'z' * 1000)\n"
        "          for i in range(count)], iface='eth0')\n"
        "s.join()\n"
        "for p in s.results or []:\n"
        "    if p.haslayer(ICMP) and p[IP].src == dst:\n"
        "        print('icmp', p[ICMP].type, p[ICMP].code)\n"
    )
    r = host.python(code, timeout=120)
    return (r.stdout or "").split("\n")


def drop(topo, port, name):
    return topo.port_stats(port)["drops"].get(name, 0)


def reassembly_attacks(t, topo, h0):
    """Legitimate trains complete; overlaps, tiny fragments and floods are counted."""
    got = frag_probe(h0, R, "ok")
    t.check("icmp 3 3" in got, f"4000-byte UDP in fragments to a closed port: reassembled, port unreachable: {got}")
    before = drop(topo, 0, "reasm_overlap")
    got = frag_probe(h0, R, "overlap")
    after = topo.wait_counter(0, lambda s: s["drops"]["reasm_overlap"], before + 1)
    t.check("icmp 3 3" not in got and after > before,
            f"overlapping fragments: datagram dropped (reasm_overlap +{after - before}), no answer: {got}")
    before = drop(topo, 0, "reasm_tiny")
    frag_probe(h0, R, "tiny")
    after = topo.wait_counter(0, lambda s: s["drops"]["reasm_tiny"], before + 1)
    t.check(after > before, f"TCP fragment at offset 8: refused (reasm_tiny +{after - before})")
    before = drop(topo, 0, "reasm_no_memory")
    frag_probe(h0, R, "heads", count=1500)
    after = topo.wait_counter(0, lambda s: s["drops"]["reasm_no_memory"], before + 1)
    t.check(after > before, f"1500 never-completing heads: the oldest dropped at the limit (reasm_no_memory +{after - before})")
    got = frag_probe(h0, R, "ok")
    t.check("icmp 3 3" in got, f"after the flood, a legitimate fragmented datagram still completes: {got}")
    t.check(topo.alive(), "nsdp alive after the fragment attacks")


def ipv6(t, topo, h0):
    """The same local path for IPv6: ping, a fragmented ping, ICMPv6 port unreachable."""
    nsctl = topo.nsctl
    for c in (("iff", "add", "tap0.0", "inet6"), ("ifa", "add", "tap0.0", "inet6", f"{R6}/64")):
        r = nsctl(*c)
        t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
    h0.run("sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0")
    h0.run(f"ip -6 addr add {H6}/64 dev eth0 nodad")
    time.sleep(2)  # nsdp's duplicate address detection of R6
    r = h0.run(f"ping -6 -n -c 3 -i 0.2 -W 2 {R6}", check=False, timeout=60)
    t.check(r.returncode == 0, f"h0 pings {R6}: {last_line(r)}")
    r = h0.run(f"ping -6 -n -c 2 -i 0.2 -W 2 -s 3000 {R6}", check=False, timeout=60)
    t.check(r.returncode == 0, f"ping -6 -s 3000 {R6} answered (reassembly, then a 3 KB reply): {last_line(r)}")
    code = (
        "from scapy.all import IPv6, UDP, ICMPv6DestUnreach, sr1, conf\n"
        "conf.verb = 0\n"
        f"a = sr1(IPv6(dst='{R6}') / UDP(sport=40000, dport=33333), timeout=3, iface='eth0')\n"
        "print('unreach', a[ICMPv6DestUnreach].code if a is not None and a.haslayer(ICMPv6DestUnreach) else None)\n"
    )
    got = (h0.python(code, timeout=60).stdout or "").strip()
    t.check(got == "unreach 4", f"UDP over IPv6 to a closed port: ICMPv6 port unreachable: {got!r}")


def tx(topo, port):
    return topo.port_stats(port)["tx_packets"]


def run(t):
    with Topology(ports=3, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0, h1, h2 = topo.host(0), topo.host(1), topo.host(2)
        cfg = [
            ("table", "add", "1"),
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifd", "add", "tap2", "port", "2"),
            ("ifl", "add", "tap0.0"),
            ("ifl", "add", "tap1.0"),
            ("ifl", "add", "tap2.0"),
            ("iff", "add", "tap0.0", "inet"),
            ("iff", "add", "tap1.0", "inet"),
            ("iff", "add", "tap2.0", "inet", "table", "1"),
            ("ifa", "add", "tap0.0", "inet", f"{R}/24"),
            ("ifa", "add", "tap1.0", "inet", f"{R1}/24"),
            ("ifa", "add", "tap2.0", "inet", f"{R}/24"),
            ("iff", "add", "lo0.0", "inet"),
            ("ifa", "add", "lo0.0", "inet", LO),
            ("ifl", "add", "lo0.1"),
            ("iff", "add", "lo0.1", "inet", "table", "1"),
            ("ifa", "add", "lo0.1", "inet", LO),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        for h, addr, gw in ((h0, H, R), (h1, H1, R1), (h2, H, R)):
            h.run(f"ip addr add {addr}/24 dev eth0")
            h.run(f"ip route add default via {gw}")

        # The echo responders are there from the start, for every instance.
        ents = nsctl.json("demux", "show", "l3")
        echo = [e for e in ents if e.get("owner") == "echo"]
        t.check(len(echo) == 2 and all(e.get("table") == "any" for e in echo),
                f"demux show l3: two echo entries serving every instance: {echo}")

        # Instance 0: the ifl's own address, another ifl's, lo0.0's.
        for dst, what in ((R, "own ifl"), (R1, "another ifl"), (LO, "lo0.0")):
            r = ping(h0, dst)
            t.check(r.returncode == 0, f"h0 pings {dst} ({what}): {last_line(r)}")

        # Instance 1, same addresses: answered, and only through tap2.
        before0, before2 = tx(topo, 0), tx(topo, 2)
        for dst, what in ((R, "tap2.0, instance 1"), (LO, "lo0.1")):
            r = ping(h2, dst)
            t.check(r.returncode == 0, f"h2 pings {dst} ({what}): {last_line(r)}")
        t.check(tx(topo, 2) - before2 >= 6, f"instance 1 answers leave through tap2: +{tx(topo, 2) - before2}")
        t.check(tx(topo, 0) == before0, f"nothing of instance 1 leaves through tap0: +{tx(topo, 0) - before0}")

        # Reassembly: a 4000-byte ping arrives in three fragments.
        r = ping(h0, R, "-s 4000", count=2)
        t.check(r.returncode == 0, f"ping -s 4000 {R} answered: {last_line(r)}")

        # No consumer: ICMP port unreachable for UDP, RST for TCP.
        got = scapy_probe(h0, "udp", R, 33333)
        t.check(got == f"icmp 3 3 {R}", f"UDP to a closed port: port unreachable from {R}: {got!r}")
        got = scapy_probe(h0, "tcp", R, 81)
        t.check(got == f"tcp 20 1001 {R}", f"TCP SYN to a closed port: RST,ACK ack 1001 from {R}: {got!r}")

        reassembly_attacks(t, topo, h0)
        ipv6(t, topo, h0)

        # The CLI: counters moved, tables and JSON, early demux empty, L2 still there.
        ents = nsctl.json("demux", "show")
        echo4 = [e for e in ents if e.get("owner") == "echo" and e.get("family") == 4]
        t.check(len(echo4) == 1 and echo4[0].get("matches", 0) >= 12,
                f"demux show -j: the IPv4 echo entry matched the pings: {echo4}")
        r = nsctl("demux", "show")
        t.check(r.returncode == 0 and "echo" in r.stdout and "MATCHES" in r.stdout,
                f"demux show: a table with the echo entries: {r.stdout.strip()[:200]}")
        t.check(nsctl.json("demux", "show", "early") == [], "demux show early: no entries")
        r = nsctl("demux", "show", "l3", "table", "4096")
        t.check(r.returncode != 0, f"demux show l3 table 4096: refused: {r.stderr.strip()}")
        r = nsctl("demux", "show", "tap0")
        t.check(r.returncode == 0 and "inet" in r.stdout, f"demux show tap0: the L2 demux: {r.stdout.strip()[:200]}")
        t.check(topo.alive(), "nsdp alive at the end")


def main():
    t = TestRun("test_local")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
