#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark: add and delete 100,000 VLAN ifls, each with an inet iff and
one ifa, through `nsctl -b` (one connection per phase), on one net_null ifd.

A port carries 4094 802.1Q VLAN IDs, so the ifls are QinQ: outer 0x88a8 tag
1..25, inner 802.1Q tag 1..4094 (ifl null0.N, N = 1..100000). Each ifa is a
/30 of 10.0.0.0/8. Prints the time of each phase and nsdp's memory (VmRSS,
and the DPDK heap when telemetry answers). Figures are printed, never
asserted.

    tools/bench_ifl.py [--count N] [--build DIR]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def heap_bytes(tel_path):
    """Allocated bytes of DPDK heap 0, or None if telemetry does not answer."""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(tel_path)
        s.recv(16384)
        s.send(b"/eal/heap_info,0")
        info = json.loads(s.recv(65536).decode()).get("/eal/heap_info", {})
        s.close()
        return int(info.get("Alloc_size"))
    except (OSError, ValueError, TypeError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    n = args.count
    nsdp = os.path.join(args.build, "nsdp")
    nsctl = os.path.join(args.build, "tools", "nsctl")
    tmp = tempfile.mkdtemp(prefix="nsdp-bench-ifl-")
    sock = os.path.join(tmp, "nsdp.sock")
    prefix = f"nsdp-bench-ifl-{os.getpid()}"
    log = open(os.path.join(tmp, "nsdp.log"), "w")
    # Three lcores are the minimum nsdp runs with (main, one rx, one worker).
    proc = subprocess.Popen([nsdp, "--no-pci", "--in-memory", "--file-prefix", prefix,
                             "--vdev", "net_null0", "--lcores", "0@0,1@1,2@0",
                             "--log-level=lib.*:error", "--", "--socket", sock,
                             "--rx-idle-sleep", "100"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    tel = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    try:
        for _ in range(300):
            if os.path.exists(sock) or proc.poll() is not None:
                break
            time.sleep(0.1)
        if not os.path.exists(sock):
            sys.exit(f"nsdp did not start (see {log.name})")
        time.sleep(0.5)

        def batch(name, lines):
            path = os.path.join(tmp, name + ".batch")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            t0 = time.monotonic()
            r = subprocess.run([nsctl, "-s", sock, "-b", path], capture_output=True, text=True)
            dt = time.monotonic() - t0
            if r.returncode != 0:
                sys.exit(f"{name}: nsctl failed: {r.stderr.strip()[:400]}")
            return dt

        def mem(when):
            h = heap_bytes(tel)
            heap = f", DPDK heap {h / 1048576:.1f} MiB" if h is not None else ""
            print(f"  memory {when}: RSS {rss_kib(proc.pid) / 1024:.1f} MiB{heap}", flush=True)

        def name(i):
            return f"null0.{i}"

        def l2(i):
            return f"vlan {(i - 1) % 4094 + 1} outer 0x88a8:{(i - 1) // 4094 + 1}"

        def addr(i):
            b = i * 4
            return f"10.{(b >> 16) & 255}.{(b >> 8) & 255}.{(b & 255) + 1}/30"

        print(f"bench_ifl: {n} QinQ VLAN ifls with an inet iff and one ifa each, on one net_null ifd")
        mem("at start")
        batch("ifd", ["ifd add null0 port 0"])
        phases = [
            ("ifl add", [f"ifl add {name(i)} {l2(i)}" for i in range(1, n + 1)]),
            ("iff add", [f"iff add {name(i)} inet" for i in range(1, n + 1)]),
            ("ifa add", [f"ifa add {name(i)} inet {addr(i)}" for i in range(1, n + 1)]),
        ]
        total = 0.0
        for what, lines in phases:
            dt = batch(what.replace(" ", "_"), lines)
            total += dt
            print(f"  {what:8s} x{n}: {dt:7.2f} s  ({n / dt:9.0f} /s)", flush=True)
        print(f"  all adds: {total:.2f} s")
        mem(f"with {n} ifls")
        t0 = time.monotonic()
        r = subprocess.run([nsctl, "-s", sock, "-j", "ifl", "show"], capture_output=True, text=True)
        dt = time.monotonic() - t0
        shown = len(json.loads(r.stdout)) if r.returncode == 0 else -1
        print(f"  ifl show (resumable dump): {shown} ifls in {dt:.2f} s")
        for obj in ("iff", "ifa"):
            t0 = time.monotonic()
            r = subprocess.run([nsctl, "-s", sock, "-j", obj, "show"], capture_output=True, text=True)
            dt = time.monotonic() - t0
            shown = len(json.loads(r.stdout)) if r.returncode == 0 else -1
            print(f"  {obj} show (resumable dump): {shown} in {dt:.2f} s")
        dt = batch("ifl_del", [f"ifl del {name(i)}" for i in range(1, n + 1)])
        print(f"  ifl del  x{n}: {dt:7.2f} s  ({n / dt:9.0f} /s)  (each deletes its iff, ifa, 4 routes, 2 demux entries)")
        time.sleep(1.5)
        r = subprocess.run([nsctl, "-s", sock, "-j", "ifl", "show"], capture_output=True, text=True)
        left = len(json.loads(r.stdout)) if r.returncode == 0 else -1
        print(f"  ifls left: {left} (lo0.0)")
        mem("after the deletes")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
