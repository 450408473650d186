#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 forwarding between an untagged host and hosts behind VLAN tags:

    h0 10.0.1.2/24 (untagged) --- tap0.0 10.0.1.1 [nsdp]
        tap1.100 (802.1Q 100)            10.0.3.1/24 --- 10.0.3.2 on h1
        tap1.7   (802.1ad 10, 802.1Q 20) 10.0.4.1/24 --- 10.0.4.2 on h1

The kernel here has no 802.1Q support, so the tagged hosts are one scapy
process on h1 (vlan_host.py) answering ARP and echo with the tag stacks it
was asked with. nsdp resolves them by ARP through the tagged ifls; h0's
pings must come back, and echo requests the tagged hosts send to nsdp's
addresses on their ifls are answered with their own tag stacks. Needs neighbour resolution: skipped, with a note,
only when `nsctl neigh show` is not available.
"""
import os
import subprocess
import sys
import time

from harness import PYTHON, Topology, TestRun

HERE = os.path.dirname(os.path.abspath(__file__))
VLAN_MAC = "02:00:00:00:0a:02"


def run(t):
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0, h1 = topo.host(0), topo.host(1)
        cfg = [
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifl", "add", "tap0.0"),
            ("ifl", "add", "tap1.100", "vlan", "100"),
            ("ifl", "add", "tap1.7", "vlan", "20", "outer", "0x88a8:10"),
            ("iff", "add", "tap0.0", "inet"),
            ("iff", "add", "tap1.100", "inet"),
            ("iff", "add", "tap1.7", "inet"),
            ("ifa", "add", "tap0.0", "inet", "10.0.1.1/24"),
            ("ifa", "add", "tap1.100", "inet", "10.0.3.1/24"),
            ("ifa", "add", "tap1.7", "inet", "10.0.4.1/24"),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        if nsctl("neigh", "show").returncode != 0:
            print("  skip: `nsctl neigh show` is not available (no ARP in this build)", flush=True)
            return
        h0.run("ip addr add 10.0.1.2/24 dev eth0")
        h0.run("ip route add default via 10.0.1.1")
        vh = h1.popen([PYTHON, os.path.join(HERE, "vlan_host.py"), "eth0", VLAN_MAC,
                       "8100:100=10.0.3.2", "88a8:10,8100:20=10.0.4.2"],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = vh.stdout.readline().strip()
            t.check(line == "ready", f"VLAN host listening ({line or vh.stderr.read()[-200:]})")
            time.sleep(0.5)
            for addr, what in (("10.0.3.2", "VLAN 100 host"), ("10.0.4.2", "QinQ 10/20 host")):
                r = h0.run(f"ping -n -c 3 -i 0.3 -W 2 {addr}", check=False, timeout=60)
                t.check(r.returncode == 0,
                        f"untagged host reaches the {what}: {r.stdout.strip().splitlines()[-1:]}")
            ents = {(e["addr"], e["dev"]): e for e in nsctl.json("neigh", "show")}
            t.check(("10.0.3.2", "tap1.100") in ents and ("10.0.4.2", "tap1.7") in ents,
                    f"neigh show: the tagged hosts resolved on their ifls {sorted(ents)}")
            t.check(all(ents[k]["lladdr"] == VLAN_MAC for k in ents if k[0] in ("10.0.3.2", "10.0.4.2")),
                    "neigh show: their address")
            # The tagged hosts reach nsdp's own address on their ifl: an echo
            # request with their tag stack is answered with the same stack.
            mac1 = topo.port_stats(1)["mac"]
            for tags, src, dst, what in (("Dot1Q(vlan=100)", "10.0.3.2", "10.0.3.1", "VLAN 100"),
                                         ("Dot1AD(vlan=10) / Dot1Q(vlan=20)", "10.0.4.2", "10.0.4.1",
                                          "QinQ 10/20")):
                code = (
                    "from scapy.all import Ether, Dot1Q, Dot1AD, IP, ICMP, Raw, srp1, conf\n"
                    "conf.verb = 0\n"
                    f"p = Ether(dst='{mac1}', src='{VLAN_MAC}') / {tags} / "
                    f"IP(src='{src}', dst='{dst}') / ICMP(id=0x4242, seq=1) / Raw(b'tagged')\n"
                    "r = srp1(p, iface='eth0', timeout=3, retry=2)\n"
                    "ok = r is not None and ICMP in r and r[ICMP].type == 0 and r[IP].src == "
                    f"'{dst}'\n"
                    "tags = []\n"
                    "l = r\n"
                    "while l is not None and l.__class__.__name__ in ('Ether', 'Dot1Q', 'Dot1AD'):\n"
                    "    if l.__class__.__name__ != 'Ether':\n"
                    "        tags.append((l.__class__.__name__, l.vlan))\n"
                    "    l = l.payload if l.payload else None\n"
                    "print('reply' if ok else 'none', tags)\n"
                )
                r = h1.python(code, timeout=60)
                want = "[('Dot1Q', 100)]" if "QinQ" not in what else "[('Dot1AD', 10), ('Dot1Q', 20)]"
                t.check(r.stdout.strip() == f"reply {want}",
                        f"the {what} host pings nsdp's {dst} on its ifl: {r.stdout.strip()}")
        finally:
            vh.terminate()
            try:
                vh.wait(timeout=10)
            except subprocess.TimeoutExpired:
                vh.kill()
                vh.wait()
        t.check(topo.alive(), "nsdp alive")


def main():
    t = TestRun("test_fwd4_vlan")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
