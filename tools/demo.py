#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The nsdp demo: nsdp on two virtual ports (net_tap) whose kernel ends are
two Linux hosts in network namespaces, and what it does at this stage of the
project. Grows as capabilities land."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Topology  # noqa: E402


def say(msg=""):
    print(msg, flush=True)


def tx_packets(host):
    return int(host.run(f"cat /sys/class/net/{host.ifname}/statistics/tx_packets").stdout)


def main():
    say("Starting nsdp with two net_tap ports; each kernel end becomes eth0 of a host namespace.")
    with Topology(ports=2, flavour="tap", nsdp_args=["--rx-idle-sleep", "100"]) as t:
        a, b = t.host(0), t.host(1)
        say(f"  hosts: {a.ns} (port 0), {b.ns} (port 1)")
        say("\n1. Every ethdev the EAL exposes is discovered and started (nsctl port list):")
        for line in t.nsctl("port", "list").stdout.splitlines():
            say("  " + line)
        say("   nsctl driver list:")
        for line in t.nsctl("driver", "list").stdout.splitlines():
            say("  " + line)

        say("\n2. Lcore roles (main = control thread, rx = stateless core, worker = service queues):")
        for lc, info in sorted(t.telemetry("/nsdp/lcores").items(), key=lambda kv: int(kv[0])):
            polls = f" polls {info['polls']}" if info["polls"] else ""
            say(f"  lcore {lc}: {info['role']}{polls}")

        say("\n3. Nothing is configured, so the L2 demux is empty and no frame is for us.")
        a.run(f"ip addr add 192.0.2.1/24 dev {a.ifname}")
        b.run(f"ip addr add 198.51.100.1/24 dev {b.ifname}")
        before = t.port_stats(0)["drops"]["not_for_us"]
        sent0 = tx_packets(a)
        say("  host A pings 192.0.2.254 (nsdp's side of the link) three times...")
        r = a.run("ping -c 3 -i 0.3 -W 1 192.0.2.254", check=False)
        say(f"  ping: {'no reply, as expected' if r.returncode != 0 else 'unexpected reply!'}")
        sent = tx_packets(a) - sent0
        got = t.wait_counter(0, lambda s: s["drops"]["not_for_us"], before + sent) - before
        say(f"  host A's kernel sent {sent} frames (ARP requests); nsdp counted {got} as not_for_us "
            f"on port 0 -> {'every frame accounted for' if got == sent else 'MISMATCH'}")

        say("\n4. Workers sleep when there is no work; the rx lcore's tickcount clock is calibrated:")
        w = t.telemetry("/nsdp/workers")
        say(f"  workers live={w['live']} sleeping (sleeps={w['sleeps']}, schedules={w['schedules']})")
        clk = t.telemetry("/nsdp/time")
        skew_us = abs(clk["now_realtime_ns"] - time.time_ns()) / 1000
        say(f"  tick rate {clk['tick_hz'] / 1e9:.4f} GHz; converted tick is {skew_us:.0f} us from the wall clock")

        say("\n5. Counters and drops of port 0 over the control protocol (nsctl stats show 0):")
        for line in t.nsctl("stats", "show", "0").stdout.splitlines():
            say("  " + line)

        say("\n6. Configuration changes are announced: a monitor sees a counter reset.")
        mon = t.nsctl.popen("monitor", "--count", "1", "stats")
        time.sleep(0.5)
        r = t.nsctl("stats", "reset", "0")
        try:
            out, _ = mon.communicate(timeout=10)
        except Exception:
            mon.kill()
            out, _ = mon.communicate()
        say(f"  nsctl stats reset 0 -> status {r.returncode}; monitor printed:")
        for line in out.splitlines():
            say("    " + line)
        bad = t.nsctl("port", "show", "x")
        say(f"  bad input is refused (status {bad.returncode}):")
        for line in bad.stderr.splitlines():
            say("    " + line)

        say("\n7. SIGTERM: ports stopped, memory released.")
        rc = t.stop()
        say(f"  nsdp exited with status {rc}")
        ok = rc == 0 and got == sent and r.returncode == 0 and bad.returncode != 0 and out.strip() != ""
    say("\nDemo " + ("complete." if ok else "FAILED."))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
