#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 forwarding end to end over virtio_user ports: two Linux hosts in
different subnets, nsdp routing between them through the virtio PMD (the
harness's "virtio" flavour: virtio_user <-> vhost of a peer testpmd <->
net_tap whose kernel end is the host's eth0).

    h0 10.0.1.2/24 --- virtio_user0.0 10.0.1.1 [nsdp] 10.0.2.1 virtio_user1.0 --- h1 10.0.2.2/24

Pings both ways with neighbours resolved by ARP (no static entries), both
hosts learnt in `nsctl neigh show`, per-ifl counters rise, and traceroute
shows nsdp as the first hop.
"""
import sys

from harness import Topology, TestRun

H0, H1 = "10.0.1.2", "10.0.2.2"
R0, R1 = "10.0.1.1", "10.0.2.1"


def last(r):
    return r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr.strip()


def ping(host, dst):
    return host.run(f"ping -n -c 3 -i 0.2 -W 2 {dst}", check=False, timeout=60)


def run(t):
    with Topology(ports=2, flavour="virtio", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0, h1 = topo.host(0), topo.host(1)
        for port in (0, 1):
            st = topo.port_stats(port)
            t.check(st is not None and st["state"] == "started", f"virtio: port {port} started")
        cfg = [
            ("ifd", "add", "virtio_user0", "port", "0"),
            ("ifd", "add", "virtio_user1", "port", "1"),
            ("ifl", "add", "virtio_user0.0"),
            ("ifl", "add", "virtio_user1.0"),
            ("iff", "add", "virtio_user0.0", "inet"),
            ("iff", "add", "virtio_user1.0", "inet"),
            ("ifa", "add", "virtio_user0.0", "inet", f"{R0}/24"),
            ("ifa", "add", "virtio_user1.0", "inet", f"{R1}/24"),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        h0.run(f"ip addr add {H0}/24 dev eth0")
        h0.run(f"ip route add default via {R0}")
        h1.run(f"ip addr add {H1}/24 dev eth0")
        h1.run(f"ip route add default via {R1}")

        r = ping(h0, H1)
        t.check(r.returncode == 0, f"virtio: ping h0 -> h1 (ARP): {last(r)}")
        r = ping(h1, H0)
        t.check(r.returncode == 0, f"virtio: ping h1 -> h0 (ARP): {last(r)}")
        ents = {e.get("addr"): e.get("state") for e in nsctl.json("neigh", "show")}
        t.check(all(a in ents and ents[a] not in ("static", "failed", "incomplete") for a in (H0, H1)),
                f"virtio: neigh show: both hosts learnt by ARP {ents}")
        ifl = next(l for l in nsctl.json("ifl", "show") if l["name"] == "virtio_user1.0")
        t.check(ifl["rx_packets"] >= 3 and ifl["tx_packets"] >= 3,
                f"virtio: ifl show -j virtio_user1.0 rx {ifl['rx_packets']} tx {ifl['tx_packets']} packets")
        r = h0.run(f"traceroute -n -q 1 -w 2 -m 3 {H1}", check=False, timeout=60)
        hops = [l.split() for l in r.stdout.splitlines()[1:]]
        t.check(len(hops) >= 2 and hops[0][1] == R0 and hops[1][1] == H1,
                f"virtio: traceroute: {R0} then {H1}: {[h[:2] for h in hops]}")
        r = nsctl("version")
        t.check(topo.alive() and r.returncode == 0, "virtio: nsdp alive at the end")


def main():
    t = TestRun("test_fwd_virtio")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
