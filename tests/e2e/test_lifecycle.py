#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""nsdp's life on virtual ports: every port discovered and reported, lcore
roles as laid out, workers asleep when idle, the clock calibrated, telemetry
rejecting bad parameters, bad options refused, clean exit on SIGINT."""
import os
import signal
import subprocess
import sys
import time

from harness import Topology, TestRun, nsdp_binary


def cpu_seconds_of_threads(pid, name_prefix):
    """Sum utime+stime (seconds) of the threads of @pid whose name starts with @name_prefix."""
    total, found = 0, 0
    hz = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if comm.startswith(name_prefix):
            found += 1
            total += (int(fields[11]) + int(fields[12])) / hz
    if found == 0:
        raise RuntimeError(f"no thread named {name_prefix}* in process {pid}")
    return total


def main():
    t = TestRun("e2e lifecycle")

    # Bad options are refused with a message and a non-zero status.
    r = subprocess.run([nsdp_binary(), "--no-pci", "--in-memory", "--no-telemetry", "--lcores", "0@0,1@0,2@0",
                        "--", "--rxq", "0"], capture_output=True, text=True, timeout=60)
    t.check(r.returncode == 2 and "--rxq: '0' is not a number" in r.stderr,
            f"bad option refused (status {r.returncode}): {r.stderr.strip()[-80:]}")
    r = subprocess.run([nsdp_binary(), "--no-pci", "--in-memory", "--no-telemetry", "--lcores", "0@0,1@0",
                        "--"], capture_output=True, text=True, timeout=60)
    t.check(r.returncode != 0 and "need at least two lcores" in r.stderr,
            "too few lcores refused with a hint")

    with Topology(ports=3, flavour="tap", nsdp_args=["--rx-idle-sleep", "100"]) as topo:
        ports = topo.telemetry("/nsdp/ports")
        t.check(sorted(ports.keys()) == ["0", "1", "2"], f"three ports discovered: {ports}")
        st = topo.port_stats(2)
        t.check(st["driver"] == "net_tap" and st["nb_txq"] == 3,
                f"port 2 is a net_tap with one tx queue per lcore ({st['nb_txq']})")
        t.check(topo.telemetry("/nsdp/port", 9) is None, "telemetry refuses a port that does not exist")
        t.check(topo.telemetry("/nsdp/port", "x") is None, "telemetry refuses a malformed port id")

        lc = topo.telemetry("/nsdp/lcores")
        roles = {k: v["role"] for k, v in lc.items()}
        t.check(roles == {"0": "control", "1": "rx", "2": "worker"}, f"lcore roles {roles}")
        polled = sorted(lc["1"]["polls"].split(","))
        want = sorted(f"{p}:{q}" for p in range(3) for q in range(st["nb_rxq"]))
        t.check(polled == want, f"rx lcore polls every queue of every port: {polled}")

        w = topo.telemetry("/nsdp/workers")
        t.check(w["workers"] == 1 and w["live"] == 1, f"one worker running: {w}")

        clock = topo.telemetry("/nsdp/time")
        skew_ms = abs(clock["now_realtime_ns"] - time.time_ns()) / 1e6
        t.check(clock["tick_hz"] > 0 and skew_ms < 1000, f"clock calibrated, {skew_ms:.3f} ms from wall clock")

        # An idle worker sleeps: its thread uses (almost) no CPU over 2 s.
        c0 = cpu_seconds_of_threads(topo.proc.pid, "rte-worker-2")
        time.sleep(2)
        c1 = cpu_seconds_of_threads(topo.proc.pid, "rte-worker-2")
        t.check(c1 - c0 < 0.1, f"idle worker used {c1 - c0:.3f} s of CPU in 2 s")

        lat = topo.telemetry("/nsdp/latency", 0)
        t.check(lat["samples"] == 0, "no forwarded packet, no latency sample")

        rc = topo.stop(signal.SIGINT)
        t.check(rc == 0, f"SIGINT: exit status {rc}")
        out = topo.output()
        t.check("nsdp: stopped" in out, "clean shutdown")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
