#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bulk route loading benchmark: nsctl -b with N `route add` lines, end to end.

Starts its own nsdp (net_null port, in-memory, private control socket),
writes N distinct IPv4 user routes (prefix lengths /16../24 in a real-like
mix, reject / discard next hops), loads them with `nsctl -b FILE` over the
socket, checks the table holds them all, and prints routes per second.

    tools/bench_route_load.py [--build DIR] [-n N] [--json]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

# Prefix lengths of a real table, weighted (mostly /24, then /22, /23, /20, /16).
LENGTHS = [24] * 56 + [22] * 10 + [23] * 10 + [21] * 5 + [20] * 6 + [19] * 4 + [16] * 5 + [18] * 4


def gen_routes(path, n, seed):
    rnd = random.Random(seed)
    seen = set()
    with open(path, "w") as f:
        while len(seen) < n:
            plen = rnd.choice(LENGTHS)
            a = rnd.getrandbits(32) & ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)
            top = a >> 24
            if top in (0, 127) or top >= 224 or (a, plen) in seen:
                continue
            seen.add((a, plen))
            f.write("route add %d.%d.%d.%d/%d %s\n" % (
                a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, plen,
                "reject" if len(seen) % 2 else "discard"))


def wait_socket(path, proc, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            raise RuntimeError("nsdp exited with status %d" % proc.returncode)
        time.sleep(0.1)
    raise RuntimeError("nsdp did not create %s" % path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build", help="meson build directory (default: build)")
    ap.add_argument("-n", type=int, default=1000000, help="routes to load (default 1000000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    nsdp = os.path.join(args.build, "nsdp")
    nsctl = os.path.join(args.build, "tools", "nsctl")
    for p in (nsdp, nsctl):
        if not os.access(p, os.X_OK):
            sys.exit("bench_route_load: %s not found (build first, or give --build)" % p)
    tmp = tempfile.mkdtemp(prefix="nsdp-bench-")
    sock = os.path.join(tmp, "nsdp.sock")
    routes = os.path.join(tmp, "routes.txt")
    gen_routes(routes, args.n, args.seed)
    # nsdp needs the main lcore plus one rx and one worker lcore.
    cmd = [nsdp, "--no-pci", "--in-memory", "--vdev", "net_null0", "--lcores", "0@0,1@1,2@0",
           "--log-level=lib.*:error", "--", "--socket", sock]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_socket(sock, proc)
        t0 = time.monotonic()
        subprocess.run([nsctl, "-s", sock, "-b", routes], check=True)
        elapsed = time.monotonic() - t0
        show = subprocess.run([nsctl, "-j", "-s", sock, "table", "show", "0"], check=True,
                              capture_output=True, text=True)
        table = json.loads(show.stdout)
        loaded = table["ipv4_routes"] - 6  # the permanent routes
        if loaded != args.n:
            sys.exit("bench_route_load: table 0 holds %d user routes, expected %d" %
                     (loaded, args.n))
        rate = args.n / elapsed
        if args.json:
            print(json.dumps({"routes": args.n, "seconds": round(elapsed, 3),
                              "routes_per_second": round(rate),
                              "fib_bytes": table["ipv4_fib_bytes"]}))
        else:
            print("loaded %d routes in %.3f s: %.0f routes/s (fib %d bytes)" %
                  (args.n, elapsed, rate, table["ipv4_fib_bytes"]))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
