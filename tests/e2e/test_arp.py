#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ARP end to end: a Linux host on a net_tap port and nsdp's neighbour cache.

    h0 10.0.1.2/24 (+ 10.0.1.3/24) --- tap0.0 10.0.1.1/24 [nsdp]

- adding nsdp's address sends a gratuitous ARP the host sees (scapy sniff in
  the host's namespace);
- `arping` nsdp's address gets replies carrying nsdp's MAC, and the host's
  kernel neighbour table learns nsdp;
- nsdp learns the host from its requests (`nsctl neigh show`, state stale);
- a user route via 10.0.1.3 resolves the gateway when a packet uses it: nsdp
  asks, the host answers, the entry turns reachable and the held packet is
  forwarded to the host;
- a user route via an address nobody answers for: the entry fails and the
  host that sent the packet gets ICMP host unreachable from nsdp;
- static neighbours: add, show, delete, and the errors point at the word;
- tunables: `nsctl neigh set`, shown by `nsctl neigh stats`, bad values refused;
- counters in `nsctl -j neigh stats` and telemetry /nsdp/neigh.
"""
import json
import sys
import time

from harness import Topology, TestRun

H0, H0B, R0 = "10.0.1.2", "10.0.1.3", "10.0.1.1"


def neigh_entries(nsctl):
    r = nsctl("neigh", "show", json_out=True)
    if r.returncode != 0:
        return []
    try:
        return json.loads(r.stdout)
    except ValueError:
        return []


def wait_entry(nsctl, addr, states, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        for e in neigh_entries(nsctl):
            if e["addr"] == addr and e["state"] in states:
                return e
        time.sleep(0.2)
    return None


SNIFF = """
import json
from scapy.all import ARP, sniff
out = []
def keep(p):
    if ARP in p:
        a = p[ARP]
        out.append({"op": int(a.op), "psrc": a.psrc, "pdst": a.pdst, "hwsrc": a.hwsrc,
                    "dst": p.dst})
sniff(iface="eth0", filter=None, prn=keep, timeout=%d, store=False,
      started_callback=lambda: print("ready", flush=True))
print(json.dumps(out), flush=True)
"""


def run(t):
    with Topology(ports=1, flavour="tap", nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        nsctl = topo.nsctl
        h0 = topo.host(0)
        for c in [("ifd", "add", "tap0", "port", "0"), ("ifl", "add", "tap0.0"),
                  ("iff", "add", "tap0.0", "inet")]:
            r = nsctl(*c)
            t.check(r.returncode == 0, f"nsctl {' '.join(c)}: {r.stderr.strip() or 'ok'}")
        mac0 = topo.port_stats(0)["mac"].lower()
        # A net_tap's kernel end starts with the port's own MAC: give the host its own.
        h0.run("ip link set dev eth0 address 02:00:00:0a:00:02")
        hmac = h0.mac().lower()
        t.check(hmac != mac0, f"host MAC {hmac} differs from nsdp's {mac0}")

        # Gratuitous ARP when the address is added, seen by the host.
        sniffer = h0.popen(["/usr/bin/python3", "-c", SNIFF % 4], stdout=-1, stderr=-1, text=True)
        sniffer.stdout.readline()  # "ready"
        r = nsctl("ifa", "add", "tap0.0", "inet", f"{R0}/24")
        t.check(r.returncode == 0, f"ifa add {R0}/24: {r.stderr.strip() or 'ok'}")
        out, _ = sniffer.communicate(timeout=30)
        seen = json.loads(out.strip().splitlines()[-1]) if out.strip() else []
        grat = [p for p in seen if p["op"] == 1 and p["psrc"] == R0 and p["pdst"] == R0]
        t.check(len(grat) >= 1 and grat[0]["hwsrc"].lower() == mac0 and
                grat[0]["dst"].lower() == "ff:ff:ff:ff:ff:ff",
                f"gratuitous ARP for {R0} from {mac0} seen by the host: {grat[:1]}")

        h0.run(f"ip addr add {H0}/24 dev eth0")
        h0.run(f"ip addr add {H0B}/24 dev eth0")

        # arping nsdp: replies with nsdp's MAC.
        r = h0.run(f"arping -c 3 -w 10 -I eth0 -s {H0} {R0}", check=False, timeout=30)
        t.check(r.returncode == 0 and mac0 in r.stdout.lower(),
                f"arping {R0}: replies from {mac0}: {r.stdout.strip().splitlines()[-1:]}")

        # The host's kernel resolves nsdp too (a ping needs it, answered or not).
        h0.run(f"ping -n -c 1 -W 1 {R0}", check=False)
        r = h0.run(f"ip neigh show {R0} dev eth0", check=False)
        t.check(f"lladdr {mac0}" in r.stdout.lower(), f"host neighbour table: {r.stdout.strip()}")

        # nsdp learned the host from its requests for 10.0.1.1.
        e = wait_entry(nsctl, H0, ("stale", "reachable", "delay", "probe"))
        t.check(e is not None and e["lladdr"] == hmac and e["dev"] == "tap0.0",
                f"nsdp learned {H0} from its requests: {e}")
        r = nsctl("neigh", "show")
        t.check(r.returncode == 0 and H0 in r.stdout and hmac in r.stdout.lower(),
                "neigh show lists the host")

        # Resolution of a user route's gateway when a packet uses it.
        r = nsctl("route", "add", "10.9.0.0/16", "via", H0B)
        t.check(r.returncode == 0, f"route add 10.9.0.0/16 via {H0B}: {r.stderr.strip() or 'ok'}")
        code = (
            "from scapy.all import Ether, IP, UDP, sendp\n"
            f"sendp(Ether(dst='{mac0}') / IP(src='{H0}', dst='10.9.1.1', ttl=9) /"
            " UDP(sport=7, dport=9), iface='eth0', verbose=False)\n"
        )
        h0.python(code)
        e = wait_entry(nsctl, H0B, ("reachable", "stale", "delay", "probe"))
        t.check(e is not None and e["lladdr"] == hmac,
                f"nsdp resolved gateway {H0B} after a packet used the route: {e}")
        st = nsctl("neigh", "stats", json_out=True)
        stats = json.loads(st.stdout) if st.returncode == 0 else {}
        t.check(stats.get("requests_sent", 0) >= 1 and stats.get("resolved", 0) >= 1,
                f"neigh stats: requests sent and a resolution: {stats}")

        # Tunables: faster retries for what follows; refused values point at the word.
        r = nsctl("neigh", "set", "inet", "retrans", "200", "retrans-max", "400", "failed", "2000")
        t.check(r.returncode == 0, f"neigh set retrans 200 retrans-max 400 failed 2000: {r.stderr.strip() or 'ok'}")
        st = nsctl("neigh", "stats", json_out=True)
        stats = json.loads(st.stdout) if st.returncode == 0 else {}
        t.check(stats.get("retrans_ms") == 200 and stats.get("failed_ms") == 2000 and
                stats.get("reachable_ms") == 30000, f"neigh stats shows the tunables: {stats}")
        r = nsctl("neigh", "set", "retrans", "500", "retrans-max", "100")
        t.check(r.returncode == 1 and "below" in r.stderr and "^" in r.stderr,
                f"backoff cap below retrans refused: {r.stderr.strip().splitlines()[:1]}")
        r = nsctl("neigh", "set", "hold", "65")
        t.check(r.returncode == 2 and "'65'" in r.stderr, f"hold 65 refused: {r.stderr.strip().splitlines()[:1]}")

        # A gateway that never answers: FAILED, and the sender hears host unreachable.
        h0.run(f"ip route add 10.8.0.0/16 via {R0}")
        r = nsctl("route", "add", "10.8.0.0/16", "via", "10.0.1.99")
        t.check(r.returncode == 0, f"route add 10.8.0.0/16 via 10.0.1.99: {r.stderr.strip() or 'ok'}")
        r = h0.run("ping -n -c 1 -W 8 10.8.0.1", check=False, timeout=30)
        t.check(f"From {R0}" in r.stdout and "Unreachable" in r.stdout,
                f"unanswered gateway: host unreachable from {R0}: {r.stdout.strip().splitlines()[1:2]}")
        e = wait_entry(nsctl, "10.0.1.99", ("failed",), timeout=2)
        t.check(e is not None and e["probes"] == 0 and e["held"] == 0, f"10.0.1.99 failed: {e}")

        # Static neighbours and their errors.
        r = nsctl("neigh", "add", "10.0.1.50", "lladdr", "02:00:00:00:00:50", "dev", "tap0.0")
        t.check(r.returncode == 0, f"neigh add static: {r.stderr.strip() or 'ok'}")
        e = wait_entry(nsctl, "10.0.1.50", ("static",), timeout=2)
        t.check(e is not None and e["lladdr"] == "02:00:00:00:00:50", f"static entry shown: {e}")
        r = nsctl("neigh", "add", "10.0.2.50", "lladdr", "02:00:00:00:00:51", "dev", "tap0.0")
        t.check(r.returncode == 1 and "not on a subnet" in r.stderr,
                f"static off-subnet refused: {r.stderr.strip()}")
        r = nsctl("neigh", "add", "10.0.1.51", "lladdr", "zz", "dev", "tap0.0")
        t.check(r.returncode == 2 and "MAC" in r.stderr, f"bad MAC refused by nsctl: {r.stderr.strip()}")
        r = nsctl("neigh", "add", "10.0.1.52", "lladdr", "02:00:00:00:00:52", "dev", "nosuch0")
        t.check(r.returncode == 1 and "no interface" in r.stderr,
                f"unknown dev refused: {r.stderr.strip()}")
        r = nsctl("neigh", "add", R0, "lladdr", "02:00:00:00:00:53", "dev", "tap0.0")
        t.check(r.returncode == 1 and "address of tap0.0" in r.stderr,
                f"our own address refused: {r.stderr.strip()}")
        r = nsctl("neigh", "add", "10.0.1.54", "lladdr", "02:00:00:00:00:54", "dev", "tap0.0",
                  "table", "7")
        t.check(r.returncode == 1 and "table 0" in r.stderr, f"wrong table refused: {r.stderr.strip()}")
        r = nsctl("neigh", "del", "10.0.1.50")
        t.check(r.returncode == 0, f"neigh del static: {r.stderr.strip() or 'ok'}")
        r = nsctl("neigh", "del", "10.0.1.50")
        t.check(r.returncode == 1 and "no neighbour" in r.stderr, f"del again: {r.stderr.strip()}")
        t.check(all(e["addr"] != "10.0.1.50" for e in neigh_entries(nsctl)), "static entry gone")

        tel = topo.telemetry("/nsdp/neigh")
        v4 = (tel or {}).get("ipv4", {})
        t.check(v4.get("requests_rcvd", 0) >= 3 and v4.get("replies_sent", 0) >= 3 and
                v4.get("gratuitous_sent", 0) >= 1, f"telemetry /nsdp/neigh: {v4}")

        # Deleting the address removes the neighbours of the ifl.
        r = nsctl("ifa", "del", "tap0.0", "inet", f"{R0}/24")
        t.check(r.returncode == 0, f"ifa del: {r.stderr.strip() or 'ok'}")
        t.check(neigh_entries(nsctl) == [], "no neighbour left after the address went")
        t.check(topo.alive(), "nsdp alive at the end")


def main():
    t = TestRun("test_arp")
    run(t)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
