#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""IPv4 forwarding end to end: two Linux hosts in different subnets on two
net_tap ports, nsdp routing between them.

    h0 10.0.1.2/24 --- tap0.0 10.0.1.1 [nsdp] 10.0.2.1 tap1.0 (inet MTU 1400) --- h1 10.0.2.2/24

Always run: malformed packets from scapy (bad checksum, bad IHL, total length
beyond the frame, truncated options, martian source) are dropped, counted
under their reason and never forwarded; REJECT and DISCARD routes count
their drops.

Run when nsdp resolves neighbours (ARP; detected by `nsctl neigh show`
succeeding, and skipped, with a note, only when that command is not
available): ping both ways, traceroute shows nsdp (ICMP time exceeded) as
the first hop, TTL 1 gives time exceeded from nsdp, a REJECT route gives
ICMP net unreachable and a DISCARD route silence, `ping -M do` above the
1400-byte far link gives fragmentation needed and the host's route cache
learns MTU 1400, a large ping without DF crosses fragmented, and iperf3 TCP
completes (throughput printed, not asserted).
"""
import json
import re
import sys
import time

from harness import Topology, TestRun

H0, H1 = "10.0.1.2", "10.0.2.2"
R0, R1 = "10.0.1.1", "10.0.2.1"
FAR_MTU = 1400


def ifl_index(topo, name):
    return next(l["index"] for l in topo.nsctl.json("ifl", "show") if l["name"] == name)


def drops(topo, port):
    return topo.port_stats(port)["drops"]


def send_raw(host, dst_mac, frames_hex):
    """Send raw IPv4 packets (hex strings) in Ethernet frames to @dst_mac from @host."""
    code = (
        "from scapy.all import Ether, Raw, sendp\n"
        f"for h in {frames_hex!r}:\n"
        f"    sendp(Ether(dst='{dst_mac}', type=0x0800) / Raw(bytes.fromhex(h)),"
        " iface='eth0', verbose=False)\n"
    )
    host.python(code, timeout=120)


def malformed_packets():
    """(reason, hex of the IPv4 packet) built with scapy in this process."""
    from scapy.all import IP, UDP, Raw, raw

    def good(**kw):
        return bytearray(raw(IP(src=H0, dst=H1, ttl=64, **kw) / UDP(sport=1, dport=9) / Raw(b"x" * 40)))

    out = []
    p = good()
    p[10] ^= 0xff  # checksum byte
    out.append(("ip4_bad_checksum", p.hex()))
    p = good()
    p[0] = 0x44  # IHL 4
    out.append(("ip4_bad_header_len", p.hex()))
    p = bytearray(raw(IP(src=H0, dst=H1, len=1000) / UDP(sport=1, dport=9) / Raw(b"y" * 40)))
    out.append(("ip4_bad_length", p.hex()))  # total length beyond the frame
    # IHL 6 with a record-route option claiming 12 bytes in 4: truncated options.
    hdr = bytearray(24)
    hdr[0], hdr[2:4], hdr[8], hdr[9] = 0x46, (24 + 40).to_bytes(2, "big"), 64, 17
    hdr[12:16] = bytes(int(x) for x in H0.split("."))
    hdr[16:20] = bytes(int(x) for x in H1.split("."))
    hdr[20:24] = b"\x07\x0c\x04\x00"
    s = sum((hdr[i] << 8) | hdr[i + 1] for i in range(0, 24, 2))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    c = (~s) & 0xffff
    hdr[10], hdr[11] = c >> 8, c & 0xff
    hdr += b"z" * 40
    out.append(("ip4_bad_options", hdr.hex()))
    p = bytearray(raw(IP(src="127.0.0.1", dst=H1) / UDP(sport=1, dport=9) / Raw(b"m" * 40)))
    out.append(("ip4_martian_source", p.hex()))
    return out


def udp_hex(src, dst):
    from scapy.all import IP, UDP, raw

    return raw(IP(src=src, dst=dst) / UDP(sport=1, dport=9)).hex()


def check_malformed(t, topo, mac0):
    before0, tx1 = drops(topo, 0), topo.port_stats(1)["tx_packets"]
    pkts = malformed_packets()
    per = 5
    send_raw(topo.host(0), mac0, [h for _, h in pkts for _ in range(per)])
    for reason, _ in pkts:
        got = topo.wait_counter(0, lambda s, r=reason: s["drops"][r], before0[reason] + per)
        t.check(got - before0[reason] == per, f"malformed: {reason} +{got - before0[reason]} (sent {per})")
    t.check(topo.port_stats(1)["tx_packets"] == tx1, "malformed: nothing forwarded out of port 1")
    t.check(topo.alive(), "nsdp alive after malformed packets")


def ping(host, dst, extra="", count=3):
    return host.run(f"ping -n -c {count} -i 0.2 -W 2 {extra} {dst}", check=False, timeout=60)


def static_neighbours(t, topo, on):
    """Static neighbour entries both ways (on), or none (off: ARP must resolve)."""
    nsctl = topo.nsctl
    pairs = [(topo.host(0), H0, R0, "tap0.0", 0), (topo.host(1), H1, R1, "tap1.0", 1)]
    for h, addr, gw, ifl, port in pairs:
        if on:
            r = nsctl("neigh", "add", addr, "lladdr", h.mac(), "dev", ifl)
            t.check(r.returncode == 0, f"neigh add {addr} (static): {r.stderr.strip() or 'ok'}")
            h.run(f"ip neigh replace {gw} lladdr {topo.port_stats(port)['mac']} dev eth0 nud permanent")
        else:
            r = nsctl("neigh", "del", addr, "dev", ifl)
            t.check(r.returncode == 0, f"neigh del {addr}: {r.stderr.strip() or 'ok'}")
            h.run(f"ip neigh del {gw} dev eth0", check=False)
            h.run("ip route flush cache", check=False)


def with_arp(t, topo):
    """Neighbours resolved by ARP, no static entry on either side."""
    h0, h1 = topo.host(0), topo.host(1)
    r = ping(h0, H1)
    t.check(r.returncode == 0, f"ARP: ping h0 -> h1: {r.stdout.strip().splitlines()[-1] if r.stdout else r.stderr}")
    r = ping(h1, H0)
    t.check(r.returncode == 0, f"ARP: ping h1 -> h0: {r.stdout.strip().splitlines()[-1] if r.stdout else r.stderr}")
    ents = {e.get("addr"): e for e in topo.nsctl.json("neigh", "show")}
    t.check(all(a in ents and ents[a].get("state") != "static" for a in (H0, H1)),
            f"neigh show: both hosts learnt by ARP: {sorted(ents)}")


def forwarding(t, topo):
    h0, h1 = topo.host(0), topo.host(1)
    nsctl = topo.nsctl

    r = ping(h0, H1)
    t.check(r.returncode == 0, f"ping h0 -> h1: {r.stdout.strip().splitlines()[-1] if r.stdout else r.stderr}")
    r = ping(h1, H0)
    t.check(r.returncode == 0, f"ping h1 -> h0: {r.stdout.strip().splitlines()[-1] if r.stdout else r.stderr}")
    st = topo.telemetry("/nsdp/ifl", str(ifl_index(topo, "tap0.0")))
    t.check(st["inet"]["rx_packets"] >= 3 and st["inet"]["tx_packets"] >= 3,
            f"telemetry /nsdp/ifl: tap0.0 inet counters {st['inet']}")
    ifl = next(l for l in nsctl.json("ifl", "show") if l["name"] == "tap1.0")
    t.check(ifl["rx_packets"] >= 3 and ifl["tx_packets"] >= 3 and ifl["tx_bytes"] > 0,
            f"ifl show -j: tap1.0 rx {ifl['rx_packets']} tx {ifl['tx_packets']} packets")
    r = nsctl("ifl", "show", "tap1.0")
    t.check(r.returncode == 0 and re.search(r"rx \d+ packets \d+ bytes  tx \d+ packets", r.stdout),
            f"ifl show tap1.0: counters line {r.stdout.strip().splitlines()[-1:]}")

    # TTL 1: time exceeded from nsdp's address on h0's side.
    r = h0.run(f"ping -n -c 1 -W 2 -t 1 {H1}", check=False)
    t.check(f"From {R0}" in r.stdout and "exceeded" in r.stdout.lower(),
            f"TTL 1: time exceeded from {R0}: {r.stdout.strip().splitlines()[1:2]}")
    # traceroute: nsdp is the first hop.
    r = h0.run(f"traceroute -n -q 1 -w 2 -m 3 {H1}", check=False, timeout=60)
    hops = [l.split() for l in r.stdout.splitlines()[1:]]
    t.check(len(hops) >= 2 and hops[0][1] == R0 and hops[1][1] == H1,
            f"traceroute: {R0} then {H1}: {[h[:2] for h in hops]}")

    # REJECT: net unreachable from nsdp; DISCARD: silence, counted.
    t.check(nsctl("route", "add", "10.0.5.0/24", "reject").returncode == 0, "route add reject")
    t.check(nsctl("route", "add", "10.0.6.0/24", "discard").returncode == 0, "route add discard")
    r = h0.run("ping -n -c 1 -W 2 10.0.5.1", check=False)
    t.check(f"From {R0}" in r.stdout and "unreachable" in r.stdout.lower(),
            f"REJECT route: ICMP unreachable: {r.stdout.strip().splitlines()[1:2]}")
    before = drops(topo, 0)["rnh_discard"]
    r = h0.run("ping -n -c 3 -i 0.2 -W 1 10.0.6.1", check=False)
    got = topo.wait_counter(0, lambda s: s["drops"]["rnh_discard"], before + 3)
    t.check(r.returncode != 0 and "From" not in r.stdout and got - before == 3,
            f"DISCARD route: no answer, rnh_discard +{got - before}")

    # A large ping without DF crosses fragmented: h0 sends 1500-byte
    # fragments, nsdp splits them again for the 1400-byte link.
    r = ping(h0, H1, f"-M dont -s 3000")
    t.check(r.returncode == 0, f"ping -s 3000 without DF crosses fragmented: {r.stdout.strip().splitlines()[-1:]}")

    # DF above the far link's MTU: fragmentation needed; the host learns it.
    r = h0.run(f"ping -n -c 2 -i 0.3 -W 2 -M do -s 1450 {H1}", check=False)
    t.check(f"From {R0}" in r.stdout and f"mtu = {FAR_MTU}" in r.stdout.lower(),
            f"ping -M do -s 1450: fragmentation needed: {(r.stdout + r.stderr).strip().splitlines()[1:3]}")
    g = h0.run(f"ip route get {H1}", check=False).stdout
    t.check(f"mtu {FAR_MTU}" in g, f"ip route get shows the learned MTU: {g.strip().splitlines()[:2]}")
    t.check(drops(topo, 0)["mtu_exceeded"] >= 1, "mtu_exceeded counted")

    # iperf3 TCP.
    srv = h1.popen("iperf3 -s -1 -B " + H1, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    time.sleep(1)
    r = h0.run(f"iperf3 -c {H1} -t 3 -J", check=False, timeout=60)
    ok = False
    try:
        res = json.loads(r.stdout)
        bps = res["end"]["sum_received"]["bits_per_second"]
        print(f"  iperf3 TCP h0 -> h1 through nsdp: {bps / 1e6:.1f} Mbit/s", flush=True)
        ok = bps > 0
    except (ValueError, KeyError):
        pass
    t.check(ok, "iperf3 TCP completes")
    try:
        srv.wait(timeout=10)
    except Exception:
        srv.kill()
        srv.wait()


def run(t):
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0, h1 = topo.host(0), topo.host(1)
        cfg = [
            ("ifd", "add", "tap0", "port", "0"),
            ("ifd", "add", "tap1", "port", "1"),
            ("ifl", "add", "tap0.0"),
            ("ifl", "add", "tap1.0"),
            ("iff", "add", "tap0.0", "inet"),
            ("iff", "add", "tap1.0", "inet", "mtu", str(FAR_MTU)),
            ("ifa", "add", "tap0.0", "inet", f"{R0}/24"),
            ("ifa", "add", "tap1.0", "inet", f"{R1}/24"),
        ]
        for c in cfg:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        h0.run(f"ip addr add {H0}/24 dev eth0")
        h0.run(f"ip route add default via {R0}")
        h1.run(f"ip addr add {H1}/24 dev eth0")
        h1.run(f"ip route add default via {R1}")
        mac0 = topo.port_stats(0)["mac"]

        check_malformed(t, topo, mac0)

        # No route and REJECT / DISCARD are counted whatever resolves neighbours.
        before = drops(topo, 0)
        send_raw(h0, mac0, [udp_hex(H0, "198.51.100.7")] * 3)
        got = topo.wait_counter(0, lambda s: s["drops"]["rnh_reject"], before["rnh_reject"] + 3)
        t.check(got - before["rnh_reject"] == 3, f"no route (0/0 REJECT): rnh_reject +{got - before['rnh_reject']}")

        if nsctl("neigh", "show").returncode != 0:
            print("  skip neighbour-dependent checks: `nsctl neigh show` is not available "
                  "(no ARP in this build)", flush=True)
        else:
            # Forwarding proper over static neighbours, then ARP on its own.
            static_neighbours(t, topo, True)
            forwarding(t, topo)
            static_neighbours(t, topo, False)
            with_arp(t, topo)
        t.check(topo.alive(), "nsdp alive at the end")


def main():
    t = TestRun("test_fwd4")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
