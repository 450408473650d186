#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""An unconfigured nsdp drops every frame as "not for us": a host sends N
frames and the not_for_us counter of its port (read through telemetry)
rises by exactly N, on net_tap ports and on virtio_user ports."""
import sys

from harness import Topology, TestRun, send_frames

FRAMES = 500


def run(t, flavour):
    with Topology(ports=2, flavour=flavour, nsdp_args=["--rx-idle-sleep", "50"]) as topo:
        for port in (0, 1):
            st = topo.port_stats(port)
            t.check(st is not None and st["state"] == "started", f"{flavour}: port {port} started")
        before = [topo.port_stats(p) for p in (0, 1)]
        send_frames(topo.host(0), FRAMES)
        send_frames(topo.host(1), FRAMES // 5)
        nfu = lambda s: s["drops"]["not_for_us"]
        got0 = topo.wait_counter(0, nfu, before[0]["drops"]["not_for_us"] + FRAMES)
        got1 = topo.wait_counter(1, nfu, before[1]["drops"]["not_for_us"] + FRAMES // 5)
        d0 = got0 - before[0]["drops"]["not_for_us"]
        d1 = got1 - before[1]["drops"]["not_for_us"]
        t.check(d0 == FRAMES, f"{flavour}: port 0 not_for_us rose by {d0}, sent {FRAMES}")
        t.check(d1 == FRAMES // 5, f"{flavour}: port 1 not_for_us rose by {d1}, sent {FRAMES // 5}")
        after = topo.port_stats(0)
        t.check(after["rx_packets"] - before[0]["rx_packets"] == FRAMES,
                f"{flavour}: port 0 rx_packets rose by exactly {FRAMES}")
        t.check(after["rx_bytes"] - before[0]["rx_bytes"] == FRAMES * 60,
                f"{flavour}: port 0 rx_bytes rose by {FRAMES} x 60")
        others = {k: v for k, v in after["drops"].items() if k != "not_for_us"}
        t.check(all(v == 0 for v in others.values()), f"{flavour}: no other drop reason counted {others}")
        total = topo.telemetry("/nsdp/drops")
        t.check(total["not_for_us"] == got0 + got1, f"{flavour}: /nsdp/drops sums the ports")
        t.check(topo.stop() == 0, f"{flavour}: nsdp exits 0 on SIGTERM")
        t.check("nsdp: stopped" in topo.output(), f"{flavour}: clean shutdown message")


def main():
    t = TestRun("e2e not_for_us")
    run(t, "tap")
    run(t, "virtio")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
