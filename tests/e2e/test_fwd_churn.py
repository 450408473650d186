#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 forwarding under configuration churn: two Linux hosts in different
subnets on two net_tap ports, nsdp routing between them, a continuous ping
from h0 to h1 while the far side is taken away and given back.

    h0 10.0.1.2/24 --- tap0.0 10.0.1.1 [nsdp] 10.0.2.1 tap1.0 --- h1 10.0.2.2/24

Steps, one after the other, with the ping running throughout:
  1. `ifa del` of the far address (its connected route goes), then `ifa add`;
  2. `ifl del` of the far ifl (its iff and ifa go with it), then ifl, iff and
     ifa added again;
  3. `neigh del` of h1's neighbour entry while h1 does not answer ARP
     (`ip link set eth0 arp off`), then h1 answers again and nsdp
     resolves it anew.
After each step: nsdp answers `nsctl version`, the drops during the outage
are counted under named reasons (sum of `nsctl -j stats show PORT` drop
counters over both ports rose; the reasons are printed) and a fresh
`ping -c 3` succeeds.
"""
import signal
import sys
import time

from harness import Topology, TestRun

H0, H1 = "10.0.1.2", "10.0.2.2"
R0, R1 = "10.0.1.1", "10.0.2.1"
OUTAGE = 1.5  # seconds the continuous ping runs against the missing config


def drop_counters(topo):
    """{reason: count} summed over both ports, from `nsctl -j stats show PORT`."""
    tot = {}
    for port in ("0", "1"):
        st = topo.nsctl.json("stats", "show", port)
        if isinstance(st, list):
            st = st[0]
        for k, v in st["drops"].items():
            tot[k] = tot.get(k, 0) + v
    return tot


def rose(before, after):
    return {k: after[k] - before.get(k, 0) for k in after if after[k] > before.get(k, 0)}


def nsctl_ok(t, topo, *args):
    r = topo.nsctl(*args)
    t.check(r.returncode == 0, f"nsctl {' '.join(args)}: {r.stderr.strip() or 'ok'}")
    return r.returncode == 0


def alive(t, topo, what):
    r = topo.nsctl("version")
    t.check(topo.alive() and r.returncode == 0 and r.stdout.strip() != "",
            f"{what}: nsdp alive, version answers {r.stdout.strip().splitlines()[:1]}")


def fresh_ping(t, h0, what, tries=3):
    # The first echo after a restore may wait for ARP (or for a FAILED
    # neighbour entry's hold-down to end); allow a few tries.
    r = None
    for _ in range(tries):
        r = h0.run(f"ping -n -c 3 -i 0.2 -W 2 {H1}", check=False, timeout=60)
        if r.returncode == 0:
            break
        time.sleep(0.5)
    t.check(r.returncode == 0,
            f"{what}: forwarding resumes, ping -c 3: {r.stdout.strip().splitlines()[-1:] or r.stderr}")


def step(t, topo, name, take_away, give_back, outage=OUTAGE, before_restore=None, tries=3):
    before = drop_counters(topo)
    for args in take_away:
        nsctl_ok(t, topo, *args)
    time.sleep(outage)
    mid = drop_counters(topo)
    if before_restore is not None:
        before_restore()
    for args in give_back:
        nsctl_ok(t, topo, *args)
    time.sleep(0.3)
    after = drop_counters(topo)
    alive(t, topo, name)
    d = rose(before, after)
    print(f"  {name}: drops during outage {rose(before, mid)}, through restore {d}", flush=True)
    t.check(sum(d.values()) > 0,
            f"{name}: drop counters rose by {sum(d.values())} under named reasons {sorted(d)}")
    fresh_ping(t, topo.host(0), name, tries)
    return d


def run(t):
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        h0, h1 = topo.host(0), topo.host(1)
        far_cfg = [
            ("ifl", "add", "tap1.0"),
            ("iff", "add", "tap1.0", "inet"),
            ("ifa", "add", "tap1.0", "inet", f"{R1}/24"),
        ]
        cfg = [
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifl", "add", "tap0.0"),
            ("iff", "add", "tap0.0", "inet"),
            ("ifa", "add", "tap0.0", "inet", f"{R0}/24"),
        ] + far_cfg
        for c in cfg:
            nsctl_ok(t, topo, *c)
        h0.run(f"ip addr add {H0}/24 dev eth0")
        h0.run(f"ip route add default via {R0}")
        h1.run(f"ip addr add {H1}/24 dev eth0")
        h1.run(f"ip route add default via {R1}")

        fresh_ping(t, h0, "initial")
        pinger = h0.popen(f"ping -n -i 0.05 -W 1 {H1}", stdout=__import__("subprocess").PIPE,
                          stderr=__import__("subprocess").STDOUT, text=True)
        try:
            time.sleep(0.5)
            step(t, topo, "ifa del/add",
                 [("ifa", "del", "tap1.0", "inet", f"{R1}/24")],
                 [("ifa", "add", "tap1.0", "inet", f"{R1}/24")])
            step(t, topo, "ifl del/add",
                 [("ifl", "del", "tap1.0")], far_cfg)
            ifls = [l["name"] for l in topo.nsctl.json("ifl", "show")]
            t.check("tap1.0" in ifls, f"ifl del/add: tap1.0 back in ifl show {ifls}")
            ents = {e.get("addr") for e in topo.nsctl.json("neigh", "show")}
            t.check(H1 in ents, f"neigh show has {H1} before neigh del")
            # h1 stops answering ARP first: with its entry deleted, nsdp
            # resolves it again in vain, so held and new packets are
            # dropped (hold queue full, resolution failed) until h1 answers.
            h1.run("ip link set dev eth0 arp off")
            step(t, topo, "neigh del", [("neigh", "del", H1, "dev", "tap1.0")], [],
                 outage=4.0, before_restore=lambda: h1.run("ip link set dev eth0 arp on"),
                 tries=10)  # FAILED hold-down is 3 s by default (docs/neighbours.md)
            ents = {e.get("addr"): e.get("state") for e in topo.nsctl.json("neigh", "show")}
            t.check(ents.get(H1) not in (None, "failed", "incomplete"),
                    f"neigh del: {H1} resolved again, state {ents.get(H1)}")
        finally:
            pinger.send_signal(signal.SIGINT)
            try:
                out, _ = pinger.communicate(timeout=10)
            except Exception:
                pinger.kill()
                out, _ = pinger.communicate()
        summary = [l for l in out.splitlines() if "transmitted" in l]
        print(f"  continuous ping: {summary}", flush=True)
        t.check(bool(summary) and " 0 received" not in summary[0],
                f"continuous ping got answers across the churn: {summary}")
        alive(t, topo, "end")


def main():
    t = TestRun("test_fwd_churn")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
