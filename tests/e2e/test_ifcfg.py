#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The interface tree configured through nsctl on net_tap ports, seen from
real Linux hosts: a host with an 802.1Q VLAN interface (eth0.100) and a host
with QinQ (802.1ad outer tag 10, inner 20) send frames; those carrying the
configured tags match the ifls' demux entries and reach the IPv4 input
(counted in the ifl's rx counters), untagged and wrongly tagged
frames are dropped as not_for_us; deleting the ifls restores not_for_us.
Device removal is covered by the unit tests: net_tap ports cannot be
unplugged from this harness."""
import json
import subprocess
import sys
import time

from harness import Topology, TestRun

N = 40


def scapy_send(host, layers, count):
    code = (
        "from scapy.all import Ether, Dot1Q, Dot1AD, IP, UDP, Raw, sendp\n"
        f"p = Ether(dst='ff:ff:ff:ff:ff:ff') / {layers} / IP(src='192.0.2.9', dst='192.0.2.1') / UDP() / Raw(b'x' * 20)\n"
        f"sendp(p, iface='eth0', count={count}, verbose=False)\n"
    )
    host.python(code, timeout=120)


def vlan_links(host, cmds):
    """Configure kernel VLAN interfaces; False (and a note) where the kernel has no 802.1Q."""
    r = host.run(cmds[0], check=False)
    if r.returncode != 0 and "Unknown device type" in r.stderr:
        print("  skip kernel VLAN interfaces: this kernel has no 802.1Q support "
              "(the host sends the same frames with scapy)", flush=True)
        return False
    if r.returncode != 0:
        raise RuntimeError(f"{cmds[0]}: {r.stderr.strip()}")
    for c in cmds[1:]:
        host.run(c)
    return True


def monitor_sees_ifl_add(t, nsctl):
    """`monitor -j --count 1 ifl` reports an ifl added after it subscribed."""
    mon = nsctl.popen("monitor", "--count", "1", "ifl", json_out=True)
    out = err = ""
    added = []
    try:
        for i in range(20):
            name = f"tap0.{500 + i}"
            r = nsctl("ifl", "add", name, "vlan", str(500 + i))
            if r.returncode != 0:
                break
            added.append(name)
            try:
                out, err = mon.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        if mon.poll() is None:
            mon.kill()
            out, err = mon.communicate()
    ev = json.loads(out.splitlines()[0]) if out.strip() else {}
    t.check(ev.get("object") == "ifl" and ev.get("event") == "add"
            and any(n in ev.get("what", "") for n in added), f"monitor ifl: {ev} {err.strip()}")
    for n in added:
        nsctl("ifl", "del", n)


def drops(topo, port):
    return topo.port_stats(port)["drops"]


def ifl_rx(topo, name):
    return next(l["rx_packets"] for l in topo.nsctl.json("ifl", "show") if l["name"] == name)


def expect_input(t, topo, port, ifl, sent_fn, count, what):
    """Send @count frames with @sent_fn; exactly @count more reach @ifl's family input."""
    before, rx0 = drops(topo, port), ifl_rx(topo, ifl)
    sent_fn(count)
    end = time.time() + 10
    while ifl_rx(topo, ifl) < rx0 + count and time.time() < end:
        time.sleep(0.2)
    time.sleep(0.3)
    got, after = ifl_rx(topo, ifl) - rx0, drops(topo, port)
    t.check(got == count and all(after[r] == before[r] for r in ("not_for_us", "no_family_input")),
            f"{what}: {ifl} rx +{got} (sent {count}), not_for_us +"
            f"{after['not_for_us'] - before['not_for_us']}")


def expect(t, topo, port, sent_fn, count, reason, what):
    """Send @count frames with @sent_fn; exactly @count more under @reason, nothing under the other."""
    other = "not_for_us" if reason == "no_family_input" else "no_family_input"
    before = drops(topo, port)
    sent_fn(count)
    got = topo.wait_counter(port, lambda s: s["drops"][reason], before[reason] + count)
    after = drops(topo, port)
    t.check(got - before[reason] == count and after[other] == before[other],
            f"{what}: {reason} +{got - before[reason]} (sent {count}), {other} +{after[other] - before[other]}")


def run(t):
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0, h1 = topo.host(0), topo.host(1)
        cfg = [
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifl", "add", "tap0.100", "vlan", "100"),
            ("iff", "add", "tap0.100", "inet"),
            ("ifa", "add", "tap0.100", "inet", "192.0.2.1/24"),
            ("ifl", "add", "tap1.7", "vlan", "20", "outer", "0x88a8:10"),
            ("iff", "add", "tap1.7", "inet", "mtu", "1400"),
            ("ifa", "add", "tap1.7", "inet", "198.51.100.1/24"),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")

        # What nsctl shows: names, indices, L2_IDs, families, addresses.
        ifls = {l["name"]: l for l in nsctl.json("ifl", "show")}
        t.check(ifls["tap0.100"]["l2id"] == "8100/100" and ifls["tap0.100"]["families"] == ["inet"],
                f"ifl show -j: tap0.100 {ifls['tap0.100']}")
        t.check(ifls["tap1.7"]["l2id"] == "88a8/10 8100/20" and ifls["tap1.7"]["index"] > 0,
                f"ifl show -j: tap1.7 {ifls['tap1.7']}")
        t.check(ifls["lo0.0"]["flags"] == "loopback,p2p", "lo0.0 exists from the start")
        addrs = [(a["ifl"], a["local"], a["dest_len"]) for a in nsctl.json("ifa", "show")]
        t.check(("tap0.100", "192.0.2.1", 24) in addrs and ("tap1.7", "198.51.100.1", 24) in addrs,
                f"ifa show -j: {addrs}")
        iffs = {(f["ifl"], f["family"]): f for f in nsctl.json("iff", "show")}
        t.check(iffs[("tap1.7", "inet")]["mtu"] == 1400 and iffs[("tap0.100", "inet")]["table"] == 0,
                "iff show -j: family MTU and table")
        tree = nsctl.json("ifd", "show", "tap1")
        t.check(tree["port"] == 1 and [n["name"] for n in tree["tree"]] == ["tap1.7"]
                and "198.51.100.1/24" in tree["tree"][0]["families"][0]["addresses"],
                f"ifd show tap1 -j: the tree under the ifd")
        r = nsctl("ifd", "show", "tap0")
        t.check(r.returncode == 0 and "tap0.100" in r.stdout and "192.0.2.1/24" in r.stdout,
                "ifd show tap0: tree with addresses")
        dr = nsctl.json("driver", "show", "tap")
        t.check(sorted(i.get("ifd") for i in dr["instances"]) == ["tap0", "tap1"],
                f"driver show tap: instances bound to ifds {dr['instances']}")
        r = nsctl("ifl", "add", "tap0.101", "vlan", "100")
        t.check(r.returncode != 0 and "tap0.100" in r.stderr and "^" in r.stderr,
                "a second ifl with VLAN 100 is refused, the word pointed at")
        r = nsctl("ifa", "add", "tap0.100", "inet", "192.0.2.255/24")
        t.check(r.returncode != 0 and "all-ones" in r.stderr, "broadcast address as local refused")

        monitor_sees_ifl_add(t, nsctl)

        # The VLAN host: a kernel VLAN interface, where the kernel has 802.1Q;
        # its ARP requests carry tag 100.
        if vlan_links(h0, ["ip link add link eth0 name eth0.100 type vlan id 100",
                           "ip addr add 192.0.2.2/24 dev eth0.100",
                           "ip link set dev eth0.100 up"]):
            before = drops(topo, 0)
            h0.run("ping -c 2 -W 1 192.0.2.1", check=False)
            got = topo.wait_counter(0, lambda s: s["drops"]["no_family_input"], before["no_family_input"] + 1)
            t.check(got > before["no_family_input"] and drops(topo, 0)["not_for_us"] == before["not_for_us"],
                    "VLAN host: its tagged ARP reaches the family input (no_family_input), not not_for_us")
        # Exact counts with scapy: tagged, untagged, wrongly tagged.
        expect_input(t, topo, 0, "tap0.100", lambda n: scapy_send(h0, "Dot1Q(vlan=100)", n), N,
                     "VLAN 100 frames")
        expect(t, topo, 0, lambda n: scapy_send(h0, "Dot1Q(vlan=101)", n), N, "not_for_us",
               "VLAN 101 frames")
        expect(t, topo, 0, lambda n: scapy_send(h0, "Dot1AD(vlan=100)", n), N, "not_for_us",
               "802.1ad-tagged 100 frames")
        before = drops(topo, 0)
        h0.python("from scapy.all import Ether, IP, sendp\n"
                  f"sendp(Ether(dst='ff:ff:ff:ff:ff:ff') / IP(dst='192.0.2.1'), iface='eth0', count={N}, verbose=False)\n")
        got = topo.wait_counter(0, lambda s: s["drops"]["not_for_us"], before["not_for_us"] + N)
        t.check(got - before["not_for_us"] == N, f"untagged frames: not_for_us +{got - before['not_for_us']}")

        # The QinQ host: 802.1ad outer 10, 802.1Q inner 20.
        if vlan_links(h1, ["ip link add link eth0 name eth0.10 type vlan proto 802.1ad id 10",
                           "ip link add link eth0.10 name eth0.10.20 type vlan id 20",
                           "ip addr add 198.51.100.2/24 dev eth0.10.20",
                           "ip link set dev eth0.10 up", "ip link set dev eth0.10.20 up"]):
            before = drops(topo, 1)
            h1.run("ping -c 2 -W 1 198.51.100.1", check=False)
            got = topo.wait_counter(1, lambda s: s["drops"]["no_family_input"], before["no_family_input"] + 1)
            t.check(got > before["no_family_input"] and drops(topo, 1)["not_for_us"] == before["not_for_us"],
                    "QinQ host: its double-tagged ARP reaches the family input")
        expect_input(t, topo, 1, "tap1.7", lambda n: scapy_send(h1, "Dot1AD(vlan=10) / Dot1Q(vlan=20)", n),
                     N, "QinQ 10/20 frames")
        expect(t, topo, 1, lambda n: scapy_send(h1, "Dot1AD(vlan=10) / Dot1Q(vlan=21)", n), N,
               "not_for_us", "QinQ 10/21 frames")
        expect(t, topo, 1, lambda n: scapy_send(h1, "Dot1Q(vlan=20)", n), N, "not_for_us",
               "inner tag alone")

        # Deletes restore not_for_us; the rest of the tree is untouched.
        r = nsctl("iff", "del", "tap0.100", "inet")
        t.check(r.returncode == 0, "iff del tap0.100 inet")
        expect(t, topo, 0, lambda n: scapy_send(h0, "Dot1Q(vlan=100)", n), N, "not_for_us",
               "VLAN 100 after iff del")
        r = nsctl("ifd", "del", "tap1")
        t.check(r.returncode == 0 and "tap1.7" not in [l["name"] for l in nsctl.json("ifl", "show")],
                "ifd del tap1 deletes its ifls")
        expect(t, topo, 1, lambda n: scapy_send(h1, "Dot1AD(vlan=10) / Dot1Q(vlan=20)", n), N,
               "not_for_us", "QinQ 10/20 after ifd del")
        t.check("tap0.100" in [l["name"] for l in nsctl.json("ifl", "show")], "tap0.100 survives")
        print("  skip device removal: a net_tap port cannot be unplugged from this harness "
              "(test_ifcfg unit test_port_removed covers ifcfg_port_removed)", flush=True)
        t.check(topo.stop() == 0, "nsdp exits 0 on SIGTERM")


def main():
    t = TestRun("e2e ifcfg")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
