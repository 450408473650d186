#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The nsdp demo: nsdp routes between two Linux hosts in different subnets.

nsdp runs on two virtual ports (net_tap); the kernel end of each is eth0 of
a host in its own network namespace:

    host A 192.0.2.2/24     --- tap0.0 192.0.2.1 [nsdp] 198.51.100.1 tap1.0 ---     host B 198.51.100.2/24
           2001:db8:a::2/64         2001:db8:a::1      2001:db8:b::1                   2001:db8:b::2/64

Everything is configured through nsctl: the interface tree (ifd, ifl, iff,
ifa), then the hosts ping and traceroute each other over IPv4 and IPv6;
neighbours are resolved by ARP and ND on nsdp's workers.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Topology  # noqa: E402

A4, B4, R4A, R4B = "192.0.2.2", "198.51.100.2", "192.0.2.1", "198.51.100.1"
A6, B6, R6A, R6B = "2001:db8:a::2", "2001:db8:b::2", "2001:db8:a::1", "2001:db8:b::1"


def say(msg=""):
    print(msg, flush=True)


def show(lines, indent="    "):
    for line in lines.splitlines():
        say(indent + line)


def main():
    ok = True
    say("Starting nsdp with two net_tap ports; each kernel end becomes eth0 of a host namespace.")
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "100"],
                  quiet_hosts=False) as t:
        a, b = t.host(0), t.host(1)
        # A tap's kernel end starts with the port's MAC: give the hosts their own.
        for i, h in enumerate((a, b)):
            h.run("ip link set dev eth0 down")
            h.run(f"ip link set dev eth0 address 02:00:00:00:0{i + 1}:02")
            h.run("ip link set dev eth0 up")
        say(f"  hosts: A = {a.ns} (port 0), B = {b.ns} (port 1)")

        say("\n1. Configure nsdp with nsctl: ifd on each port, ifl unit 0, inet and inet6 iffs, addresses.")
        cfg = [
            "ifd add tap0 port 0", "ifd add tap1 port 1",
            "ifl add tap0.0", "ifl add tap1.0",
            "iff add tap0.0 inet", "iff add tap1.0 inet",
            "iff add tap0.0 inet6", "iff add tap1.0 inet6",
            f"ifa add tap0.0 inet {R4A}/24", f"ifa add tap1.0 inet {R4B}/24",
            f"ifa add tap0.0 inet6 {R6A}/64", f"ifa add tap1.0 inet6 {R6B}/64",
        ]
        for c in cfg:
            r = t.nsctl(*c.split())
            say(f"  nsctl {c}{'' if r.returncode == 0 else '  -> ' + r.stderr.strip()}")
            ok = ok and r.returncode == 0
        for h, a4, g4, a6, g6 in ((a, A4, R4A, A6, R6A), (b, B4, R4B, B6, R6B)):
            h.run(f"ip addr add {a4}/24 dev eth0")
            h.run(f"ip route add default via {g4}")
            h.run(f"ip -6 addr add {a6}/64 dev eth0 nodad")
            h.run(f"ip -6 route add default via {g6}")
        say("  nsctl ifl show:")
        show(t.nsctl("ifl", "show").stdout)
        say("  nsctl route show (table 0: the permanent routes and the interface routes the addresses installed):")
        show(t.nsctl("route", "show").stdout)
        # IPv6 duplicate address detection keeps new addresses tentative briefly.
        time.sleep(2)

        say("\n2. Host A pings host B across nsdp (ARP and ND resolve the neighbours):")
        for cmd in (f"ping -n -c 3 -i 0.3 -W 2 {B4}", f"ping -6 -n -c 3 -i 0.3 -W 2 {B6}"):
            r = a.run(cmd, check=False, timeout=30)
            lines = r.stdout.strip().splitlines()
            say(f"  A$ {cmd}\n    {lines[-2] if len(lines) >= 2 else r.stderr.strip()}")
            ok = ok and r.returncode == 0
        say("  nsctl neigh show:")
        show(t.nsctl("neigh", "show").stdout)

        say("\n3. Traceroute from A to B: nsdp is the first hop (ICMP time exceeded from its worker):")
        for cmd in (f"traceroute -n -q 1 -w 2 -m 3 {B4}", f"traceroute -6 -n -q 1 -w 2 -m 3 {B6}"):
            r = a.run(cmd, check=False, timeout=60)
            say(f"  A$ {cmd}")
            show(r.stdout)
            hops = [l.split() for l in r.stdout.splitlines()[1:]]
            ok = ok and len(hops) >= 2 and hops[0][1] in (R4A, R6A)

        say("\n4. A REJECT route: received packets are answered with ICMP unreachable.")
        t.nsctl("route", "add", "203.0.113.0/24", "reject")
        r = a.run("ping -n -c 1 -W 2 203.0.113.9", check=False)
        say(f"  A$ ping 203.0.113.9 -> {(r.stdout.strip().splitlines() or [''])[1:2]}")

        say("\n5. Every dropped packet is counted under a reason (nsctl -j stats show 0, non-zero drops):")
        st = t.nsctl.json("stats", "show", "0")
        st = st[0] if isinstance(st, list) else st
        say(f"    rx {st.get('rx_packets')} packets, tx {st.get('tx_packets')} packets")
        for reason, n in sorted(st.get("drops", {}).items()):
            if n:
                say(f"    {reason:<22} {n}")

        say("\n6. SIGTERM: ports stopped, memory released.")
        rc = t.stop()
        say(f"  nsdp exited with status {rc}")
        ok = ok and rc == 0
    say("\nDemo " + ("complete." if ok else "FAILED."))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
