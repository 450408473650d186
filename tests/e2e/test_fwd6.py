#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv6 forwarding end to end: two Linux hosts in different IPv6 subnets on
two net_tap ports, nsdp routing between them, neighbours found by Neighbor
Discovery (no static entries).

    h0 2001:db8:1::2/64 --- tap0.0 2001:db8:1::1 [nsdp] 2001:db8:2::1 tap1.0 --- h1 2001:db8:2::2/64

h0's link runs at MTU 9000 so it can send what the 1500-byte far link
cannot carry. Checked: tap0.0 gets its EUI-64 link-local address, tap1.0
(added with no-link-local) none; DAD keeps new addresses tentative for a
second, then passes them (telemetry /nsdp/nd/dad); ping6 both ways and to
nsdp's link-local address, both hosts in `nsctl neigh show`; traceroute6
shows nsdp as the first hop; hop limit 1 gives time exceeded from nsdp; a
REJECT route gives destination unreachable, a failed resolution address
unreachable; `ping -6 -M do -s 1600` gives packet too big and h0's route
cache learns MTU 1500; malformed IPv6 from scapy (payload length beyond the
frame, version 4, loopback and multicast sources) is dropped, counted under
its reason and never reaches h1; iperf3 TCP over IPv6 completes (throughput
printed, not asserted); an address a host already uses is found duplicate
(telemetry and log).
"""
import json
import subprocess
import sys
import time

from harness import Topology, TestRun

H0, H1 = "2001:db8:1::2", "2001:db8:2::2"
R0, R1 = "2001:db8:1::1", "2001:db8:2::1"
MARK_PORT = 9999


def drops(topo, port):
    return topo.port_stats(port)["drops"]


def ping(host, dst, extra="", count=3):
    return host.run(f"ping -6 -n -c {count} -i 0.2 -W 2 {extra} {dst}", check=False, timeout=60)


def last_line(r):
    """The statistics of a ping: "N packets transmitted, M received ... rtt ..."."""
    out = [l for l in (r.stdout + r.stderr).strip().splitlines() if l]
    return " / ".join(out[-2:])


def link_local(mac):
    """fe80::/64 with the modified EUI-64 id of @mac (RFC 4291 appendix A)."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    eui = b[:3] + [0xff, 0xfe] + b[3:]
    return "fe80::" + ":".join(f"{(eui[i] << 8 | eui[i + 1]):x}" for i in range(0, 8, 2))


def malformed_packets():
    """(reason, hex of the IPv6 packet) built with scapy in this process."""
    from scapy.all import IPv6, UDP, Raw, raw

    def good(src=H0):
        return bytearray(raw(IPv6(src=src, dst=H1, hlim=64) / UDP(sport=1, dport=MARK_PORT) /
                             Raw(b"x" * 40)))

    out = []
    p = good()
    p[4:6] = (1000).to_bytes(2, "big")  # payload length beyond the frame
    out.append(("ip6_bad_length", p.hex()))
    p = good()
    p[0] = 0x45  # version 4 in an IPv6 frame
    out.append(("ip6_bad_version", p.hex()))
    out.append(("ip6_martian_source", good(src="::1").hex()))
    out.append(("ip6_martian_source", good(src="ff02::1").hex()))
    return out


def check_malformed(t, topo, mac0):
    h0, h1 = topo.host(0), topo.host(1)
    sniff = h1.popen(
        ["/usr/bin/python3", "-c",
         "from scapy.all import sniff\n"
         f"p = sniff(iface='eth0', timeout=6, filter='ip6 and udp dst port {MARK_PORT}')\n"
         "print(len(p))\n"],
        stdout=subprocess.PIPE, text=True)
    time.sleep(2)
    before = drops(topo, 0)
    pkts = malformed_packets()
    per = 5
    code = (
        "from scapy.all import Ether, Raw, sendp\n"
        f"for h in {[h for _, h in pkts for _ in range(per)]!r}:\n"
        f"    sendp(Ether(dst='{mac0}', type=0x86dd) / Raw(bytes.fromhex(h)),"
        " iface='eth0', verbose=False)\n"
    )
    h0.python(code, timeout=120)
    want = {}
    for reason, _ in pkts:
        want[reason] = want.get(reason, 0) + per
    for reason, n in want.items():
        got = topo.wait_counter(0, lambda s, r=reason: s["drops"][r], before[reason] + n)
        t.check(got - before[reason] == n, f"malformed: {reason} +{got - before[reason]} (sent {n})")
    out, _ = sniff.communicate(timeout=30)
    t.check(out.strip() == "0", f"malformed: nothing reached h1 (captured {out.strip()})")
    t.check(topo.alive(), "nsdp alive after malformed packets")


def with_nd(t, topo):
    h0, h1 = topo.host(0), topo.host(1)
    nsctl = topo.nsctl

    ctr = lambda: {l["name"]: l for l in nsctl.json("ifl", "show")}
    before = ctr()
    r = ping(h0, H1)
    t.check(r.returncode == 0, f"ping6 h0 -> h1: {last_line(r)}")
    # Per-ifl inet6 counters: the echoes in on tap0.0 and out on tap1.0,
    # the replies in on tap1.0 and out on tap0.0 (3 each, ND adds a few).
    after = ctr()
    d = {(n, k): after[n][k] - before[n][k] for n in ("tap0.0", "tap1.0")
         for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes")}
    t.check(all(d[(n, k)] >= 3 for n in ("tap0.0", "tap1.0") for k in ("rx_packets", "tx_packets"))
            and all(d[(n, k)] >= 3 * 104 for n in ("tap0.0", "tap1.0") for k in ("rx_bytes", "tx_bytes")),
            f"ifl show -j: inet6 counters rose {d}")
    r = ping(h1, H0)
    t.check(r.returncode == 0, f"ping6 h1 -> h0: {last_line(r)}")
    r = ping(h0, f"{link_local(topo.port_stats(0)['mac'])}%eth0")
    t.check(r.returncode == 0, f"ping6 nsdp's link-local address from h0: {last_line(r)}")
    neigh = nsctl("neigh", "show")
    t.check(neigh.returncode == 0 and H0 in neigh.stdout and H1 in neigh.stdout,
            "neigh show: both hosts resolved by ND")

    # Hop limit 1: time exceeded from nsdp's address on h0's side.
    r = h0.run(f"ping -6 -n -c 1 -W 2 -t 1 {H1}", check=False)
    t.check(f"From {R0}" in r.stdout and "exceeded" in r.stdout.lower(),
            f"hop limit 1: time exceeded from {R0}: {r.stdout.strip().splitlines()[1:2]}")
    r = h0.run(f"traceroute -6 -n -q 1 -w 2 -m 3 {H1}", check=False, timeout=60)
    hops = [l.split() for l in r.stdout.splitlines()[1:]]
    t.check(len(hops) >= 2 and hops[0][1] == R0 and hops[1][1] == H1,
            f"traceroute6: {R0} then {H1}: {[h[:2] for h in hops]}")

    # REJECT: destination unreachable from nsdp.
    t.check(nsctl("route", "add", "2001:db8:5::/64", "reject").returncode == 0, "route add reject")
    r = h0.run("ping -6 -n -c 1 -W 2 2001:db8:5::1", check=False)
    t.check(f"From {R0}" in r.stdout and "unreachable" in r.stdout.lower(),
            f"REJECT route: ICMPv6 unreachable: {r.stdout.strip().splitlines()[1:2]}")

    # Resolution fails (nobody has the address): address unreachable (RFC 4443 3.1 code 3).
    r = h0.run("ping -6 -n -c 1 -W 8 2001:db8:2::77", check=False, timeout=30)
    t.check(f"From {R0}" in r.stdout and "address unreachable" in r.stdout.lower(),
            f"ND failure: ICMPv6 address unreachable: {r.stdout.strip().splitlines()[1:2]}")

    # Packet too big: h0's link carries 1600 bytes, the far link 1500.
    before = drops(topo, 0)["ip6_too_big"]
    r = h0.run(f"ping -6 -n -c 2 -i 0.3 -W 2 -M do -s 1600 {H1}", check=False)
    t.check("too big" in (r.stdout + r.stderr).lower() or "mtu" in (r.stdout + r.stderr).lower()
            or "message too long" in (r.stdout + r.stderr).lower(),
            f"ping -6 -M do -s 1600: packet too big: {(r.stdout + r.stderr).strip().splitlines()[1:3]}")
    g = h0.run(f"ip -6 route get {H1}", check=False).stdout
    t.check("mtu 1500" in g, f"ip -6 route get shows the learned MTU: {g.strip().splitlines()[:1]}")
    t.check(drops(topo, 0)["ip6_too_big"] > before, "ip6_too_big counted")
    r = ping(h0, H1, "-s 1400")
    t.check(r.returncode == 0, f"ping6 -s 1400 fits the far link: {last_line(r)}")

    # iperf3 TCP over IPv6 (h0's MTU is 9000: the path MTU learned above applies).
    srv = h1.popen(f"iperf3 -s -1 -B {H1}", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    r = h0.run(f"iperf3 -6 -c {H1} -t 3 -J", check=False, timeout=60)
    ok = False
    try:
        bps = json.loads(r.stdout)["end"]["sum_received"]["bits_per_second"]
        print(f"  iperf3 TCP over IPv6 h0 -> h1 through nsdp: {bps / 1e6:.1f} Mbit/s", flush=True)
        ok = bps > 0
    except (ValueError, KeyError):
        pass
    t.check(ok, "iperf3 TCP over IPv6 completes")
    try:
        srv.wait(timeout=10)
    except subprocess.TimeoutExpired:
        srv.kill()
        srv.wait()


def run(t):
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"],
                  quiet_hosts=False) as topo:
        nsctl = topo.nsctl
        h0, h1 = topo.host(0), topo.host(1)
        # A tap's kernel side starts with the port's MAC: give the hosts their
        # own, or both ends derive the same link-local address and DAD fails.
        for i, h in enumerate((h0, h1)):
            h.run("ip link set dev eth0 down")
            h.run(f"ip link set dev eth0 address 02:00:00:00:0{i + 1}:02")
            h.run("ip link set dev eth0 up")
        cfg = [
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifl", "add", "tap0.0"),
            ("ifl", "add", "tap1.0"),
            ("iff", "add", "tap0.0", "inet6"),
            ("iff", "add", "tap1.0", "inet6", "no-link-local"),
            ("ifa", "add", "tap0.0", "inet6", f"{R0}/64"),
            ("ifa", "add", "tap1.0", "inet6", f"{R1}/64"),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        # DAD (RFC 4862 5.4): the address just added is tentative for a second.
        dad = topo.telemetry("/nsdp/nd/dad") or []
        t.check(f"tap1.0 {R1} tentative" in dad, f"DAD: {R1} tentative right after add: {dad}")
        for h, a, gw in ((h0, H0, R0), (h1, H1, R1)):
            h.run("sysctl -qw net.ipv6.conf.eth0.accept_ra=0")
            h.run(f"ip -6 addr add {a}/64 dev eth0 nodad")
            h.run(f"ip -6 route add default via {gw}")
        h0.run("ip link set dev eth0 mtu 9000")
        mac0 = topo.port_stats(0)["mac"]
        ll0 = link_local(mac0)
        ifas = nsctl("ifa", "show").stdout
        t.check(ll0 in ifas, f"iff add inet6: link-local {ll0} added on tap0.0")
        t.check(ifas.count("fe80::") == 1, "iff add inet6 no-link-local: none on tap1.0")
        r = nsctl("iff", "add", "tap0.0", "inet", "no-link-local")
        t.check(r.returncode != 0 and "inet6" in r.stderr, f"no-link-local refused for inet: {r.stderr.strip()}")
        # nsdp's own addresses are tentative for a second (DAD, RFC 4862).
        time.sleep(2)
        dad = topo.telemetry("/nsdp/nd/dad")
        t.check(not dad, f"DAD passed for every address: {dad}")

        check_malformed(t, topo, mac0)

        before = drops(topo, 0)["rnh_reject"]
        r = h0.run("ping -6 -n -c 1 -W 2 2001:db8:99::1", check=False)
        got = topo.wait_counter(0, lambda s: s["drops"]["rnh_reject"], before + 1)
        t.check(got - before >= 1, f"no route (::/0 REJECT): rnh_reject +{got - before}")

        with_nd(t, topo)

        # DAD failure: h1 already uses the address nsdp is given; its NA to
        # nsdp's solicitation from :: marks it duplicate (RFC 4862 5.4.4).
        h1.run("ip -6 addr add 2001:db8:2::9/64 dev eth0 nodad")
        r = nsctl("ifa", "add", "tap1.0", "inet6", "2001:db8:2::9")
        t.check(r.returncode == 0, f"ifa add of an address h1 uses: {r.stderr.strip() or 'ok'}")
        dad = []
        for _ in range(50):
            time.sleep(0.1)
            dad = topo.telemetry("/nsdp/nd/dad") or []
            if "tap1.0 2001:db8:2::9 duplicate" in dad:
                break
        t.check("tap1.0 2001:db8:2::9 duplicate" in dad, f"DAD: duplicate detected: {dad}")
        t.check("duplicate address detected" in topo.output(), "DAD: duplicate logged")
        t.check(topo.alive(), "nsdp alive at the end")


def main():
    t = TestRun("test_fwd6")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
