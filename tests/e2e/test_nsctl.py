#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""nsctl against a live nsdp: every command's human and JSON output (JSON
checked against telemetry), monitor seeing a stats reset, bad input refused
with a message naming the word and leaving nsdp untouched, batch mode over
100,000 lines, the first failing batch line reported by number, --help."""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from harness import Nsctl, Topology, TestRun, nsctl_binary, send_frames

FRAMES = 200
BATCH_LINES = 100_000
BATCH_BAD_LINE = 50_001


def monitor_sees_reset(t, nsctl, json_out):
    """Run `monitor --count 1 stats`, reset port 0 until it reports (it may not have
    subscribed yet when the first reset goes out); return its output."""
    mon = nsctl.popen("monitor", "--count", "1", "stats", json_out=json_out)
    out = err = ""
    try:
        for _ in range(20):
            r = nsctl("stats", "reset", "0")
            if r.returncode != 0:
                t.check(False, f"stats reset 0 failed: {r.stderr.strip()}")
                break
            try:
                out, err = mon.communicate(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                continue
    finally:
        if mon.poll() is None:
            mon.kill()
            out, err = mon.communicate()
    return mon.returncode, out, err


def _attr(atype, payload):
    n = 4 + len(payload)
    return struct.pack(">HH", n, atype) + payload + b"\0" * (-n % 4)


def _msg(mtype, flags, seq, attrs):
    body = b"".join(attrs)
    return struct.pack(">IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def fake_nsdp(path, nports, ready):
    """A stand-in for nsdp that answers the handshake and a port dump one port
    per part, object and DONE in one datagram: nsctl must resume from LAST."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(path)
    srv.listen(1)
    ready.set()
    conn, _ = srv.accept()
    parts = 0
    with conn, srv:
        while True:
            req = conn.recv(65536)
            if not req:
                return parts
            _, mtype, _, seq, _ = struct.unpack(">IHHII", req[:16])
            if mtype == (1 << 4 | 4):  # HELLO GET
                conn.send(_msg(mtype, 0, seq, [_attr(1, struct.pack(">I", 1)), _attr(2, b"fake nsdp\0"),
                                               _attr(3, struct.pack(">I", 16384))]))
                continue
            start = 0
            if len(req) >= 24:  # key: the port id of the last port seen
                start = struct.unpack(">I", req[20:24])[0] + 1
            parts += 1
            more = start + 1 < nports
            obj = _msg(mtype, 2, seq, [_attr(1, struct.pack(">I", start)),
                                       _attr(2, f"fake{start}".encode() + b"\0")])
            done = _msg(3, 2, seq, [_attr(1, struct.pack(">B", int(more))),
                                    _attr(2 | 0x8000, _attr(1, struct.pack(">I", start))),
                                    _attr(3, struct.pack(">I", 1))])
            conn.send(obj + done)


def check_dump_resume(t, tmp):
    path = os.path.join(tmp, "fake.sock")
    ready = threading.Event()
    result = []
    th = threading.Thread(target=lambda: result.append(fake_nsdp(path, 5, ready)), daemon=True)
    th.start()
    ready.wait(5)
    r = Nsctl(path)("port", "list", json_out=True)
    th.join(10)
    ports = json.loads(r.stdout) if r.returncode == 0 else r.stderr
    t.check(r.returncode == 0 and [p["id"] for p in ports] == [0, 1, 2, 3, 4] and result == [5],
            f"dump resumed from LAST over {result} parts: {ports}")


def main():
    t = TestRun("e2e nsctl")
    tmp = tempfile.mkdtemp(prefix="nsctl-e2e-")
    sock = os.path.join(tmp, "nsdp.sock")
    nsctl = Nsctl(sock)
    try:
        run(t, tmp, sock, nsctl)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


def run(t, tmp, sock, nsctl):
    # Help needs no daemon: every command answers --help with status 0.
    helps = [["--help"], ["port", "--help"], ["driver", "list", "--help"], ["port", "list", "--help"],
             ["port", "show", "--help"], ["port", "set", "--help"], ["stats", "show", "--help"],
             ["stats", "reset", "--help"], ["monitor", "--help"], ["version", "--help"]]
    for h in helps:
        r = nsctl(*h)
        t.check(r.returncode == 0 and "usage:" in r.stdout, f"nsctl {' '.join(h)}: usage, status 0")
    r = nsctl("version")
    t.check(r.returncode != 0 and sock in r.stderr, f"no daemon: status {r.returncode}, socket named")
    check_dump_resume(t, tmp)

    with Topology(ports=2, flavour="tap", nsdp_args=["--socket", sock, "--rx-idle-sleep", "100"]) as topo:
        r = nsctl("version")
        t.check(r.returncode == 0 and "nsdp" in r.stdout and "protocol  1" in r.stdout,
                f"version: handshake info ({r.stdout.splitlines()[1] if r.returncode == 0 else r.stderr.strip()})")
        v = nsctl.json("version")
        t.check(v["protocol"] == 1 and v["server"].startswith("nsdp"), f"version -j: {v}")

        # ifdrivers: the pseudo driver lo, and tap for net_tap with its two ports as instances.
        drivers = nsctl.json("driver", "list")
        t.check([(d["name"], d["ports"], d["pseudo"]) for d in drivers] == [("lo", 0, True), ("tap", 2, False)]
                and drivers[1]["ethdev"] == "net_tap"
                and [i["port"] for i in drivers[1]["instances"]] == [0, 1], f"driver list -j: {drivers}")
        r = nsctl("driver", "list")
        t.check(r.returncode == 0 and r.stdout.splitlines()[0].split() == ["DRIVER", "ETHDEV", "PORTS", "IFDS"],
                "driver list: a table with a header")
        d = nsctl.json("driver", "show", "net_tap")
        t.check(d["name"] == "tap" and len(d["instances"]) == 2 and all(":" in i["mac"] for i in d["instances"]),
                f"driver show net_tap -j: instances with hardware addresses: {d}")

        ports = nsctl.json("port", "list")
        tel_ports = topo.telemetry("/nsdp/ports")
        mine = {str(p["id"]): p["name"] for p in ports}
        t.check(mine == tel_ports, f"port list -j matches telemetry /nsdp/ports: {mine}")
        r = nsctl("port", "list")
        lines = r.stdout.splitlines()
        t.check(r.returncode == 0 and len(lines) == 3 and lines[0].split()[:3] == ["ID", "NAME", "DRIVER"],
                "port list: header and one row per port")
        # Aligned: every row's NAME column starts where the header's does.
        col = lines[0].index("NAME")
        t.check(all(l[col:].split()[0] == p["name"] for l, p in zip(lines[1:], ports)),
                "port list: columns aligned")
        p0 = nsctl.json("port", "show", "0")
        tel0 = topo.port_stats(0)
        t.check(p0["id"] == 0 and p0["name"] == tel0["name"] and p0["driver"] == "net_tap"
                and p0["mac"] == tel0["mac"].lower() and p0["state"] == tel0["state"],
                f"port show 0 -j matches telemetry: {p0}")

        # Counters, after frames nsdp drops as not for us.
        nfu = lambda s: s["drops"]["not_for_us"]
        before = nfu(topo.port_stats(0))
        send_frames(topo.host(0), FRAMES)
        got = topo.wait_counter(0, nfu, before + FRAMES)
        st = nsctl.json("stats", "show", "0")
        tel = topo.port_stats(0)
        t.check(st["drops"]["not_for_us"] == nfu(tel) == got and st["rx_packets"] == tel["rx_packets"],
                f"stats show 0 -j: not_for_us {st['drops']['not_for_us']} = telemetry {nfu(tel)}")
        r = nsctl("stats", "show", "0")
        t.check(r.returncode == 0 and f"not_for_us" in r.stdout and str(got) in r.stdout,
                "stats show 0: drops by reason")
        all_st = nsctl.json("stats", "show")
        t.check([s["port"] for s in all_st] == [0, 1], "stats show -j: every port")

        # Bad input: non-zero status, the word named, a caret under it, nothing changed.
        snap = nsctl.json("stats", "show")
        bad = [
            (["frob", "list"], "'frob'"),
            (["port", "frob"], "'frob'"),
            (["port", "show", "x"], "'x' is not a port id"),
            (["port", "show", "-1"], "'-1' is not a port id"),
            (["port", "show"], "missing PORT"),
            (["port", "show", "0", "1"], "unexpected '1'"),
            (["stats", "reset", "x"], "'x' is not a port id"),
            (["stats", "reset"], "missing PORT"),
            (["stats", "reset", "0", "now"], "unexpected 'now'"),
            (["stats", "reset", "7"], "7"),
            (["stats", "show", "9"], "9"),
            (["port", "set", "0", "opaque", "zz"], "'zz' is not hex bytes"),
            (["port", "set", "0", "speed", "10"], "'speed'"),
            (["port", "set", "0", "opaque", "0a0b"], "net_tap"),
            (["neigh", "list"], "unknown command 'list'"),
            (["monitor", "bogus"], "'bogus' is not an object to monitor"),
            (["monitor", "--count", "x"], "'x' is not a positive count"),
            ([], "usage:"),
        ]
        for args, want in bad:
            r = nsctl(*args)
            caret = "^" in r.stderr or not args
            t.check(r.returncode != 0 and want in r.stderr and caret,
                    f"nsctl {' '.join(args)}: status {r.returncode}: {r.stderr.strip().splitlines()[0] if r.stderr.strip() else ''}")
        t.check(nsctl.json("stats", "show") == snap, "bad input changed nothing")

        # Monitor sees a reset, in both output formats; then the counters are zero.
        rc, out, err = monitor_sees_reset(t, nsctl, json_out=True)
        ev = json.loads(out.splitlines()[0]) if out.strip() else {}
        t.check(rc == 0 and ev.get("object") == "stats" and ev.get("port") == 0,
                f"monitor -j --count 1 stats: {ev} {err.strip()}")
        rc, out, err = monitor_sees_reset(t, nsctl, json_out=False)
        t.check(rc == 0 and out.startswith("stats change port 0"), f"monitor: {out.strip()} {err.strip()}")
        st = nsctl.json("stats", "show", "0")
        # A reset moves nsctl's baseline; telemetry keeps counting from start-up.
        t.check(st["rx_packets"] == 0 and st["drops"]["not_for_us"] == 0,
                f"stats reset 0 zeroed the counters: {st}")
        t.check(nsctl.json("stats", "show", "1")["port"] == 1, "port 1 still answers")

        # Batch: many reads over one connection.
        path = os.path.join(tmp, "batch")
        with open(path, "w") as f:
            for i in range(BATCH_LINES):
                f.write("port show 0\n" if i % 2 == 0 else "stats show 0\n")
        start = time.monotonic()
        r = nsctl("-b", path, json_out=True, timeout=600)
        took = time.monotonic() - start
        docs = r.stdout.splitlines()
        parsed = sum(1 for d in docs if json.loads(d))
        print(f"  batch: {BATCH_LINES} lines (nsctl -j -b FILE) in {took:.2f} s", flush=True)
        t.check(r.returncode == 0 and parsed == BATCH_LINES and took < 300,
                f"batch of {BATCH_LINES} lines: status {r.returncode}, {parsed} JSON documents")
        r = nsctl("-b", path, timeout=600)
        t.check(r.returncode == 0 and r.stdout.count("not_for_us") == BATCH_LINES // 2,
                f"batch of {BATCH_LINES} lines, human output")

        with open(path, "w") as f:
            for i in range(1, BATCH_LINES + 1):
                f.write("port show x\n" if i == BATCH_BAD_LINE else "port show 0\n")
        r = nsctl("-b", path, json_out=True, timeout=600)
        t.check(r.returncode != 0 and f"line {BATCH_BAD_LINE}:" in r.stderr
                and len(r.stdout.splitlines()) == BATCH_BAD_LINE - 1,
                f"batch stops at line {BATCH_BAD_LINE}: {r.stderr.strip().splitlines()[0] if r.stderr else ''}")

        # A read nsdp refuses, while 63 later reads are in flight: the batch stops there.
        with open(path, "w") as f:
            for i in range(1, 1001):
                f.write("port show 7\n" if i == 100 else "port show 9\n" if i == 130 else "stats show 0\n")
        r = nsctl("-b", path, json_out=True)
        t.check(r.returncode != 0 and "line 100:" in r.stderr and "line 130" not in r.stderr
                and len(r.stdout.splitlines()) == 99,
                f"batch: first failing pipelined line reported, nothing printed after it")

        # A write after a failing read never reaches nsdp.
        base = nfu(topo.port_stats(0))
        send_frames(topo.host(0), 10)
        topo.wait_counter(0, nfu, base + 10)
        r = nsctl("-b", "-", stdin="stats show 0\nport show 5\nstats reset 0\n")
        t.check(r.returncode != 0 and "line 2:" in r.stderr
                and nsctl.json("stats", "show", "0")["drops"]["not_for_us"] == 10,
                f"batch: line 2 fails, the reset on line 3 is not sent: {r.stderr.strip().splitlines()[0]}")

        r = nsctl("-b", "-", json_out=True, stdin="# comment\n\nport show 1\n  stats show 1  \n")
        docs = [json.loads(d) for d in r.stdout.splitlines()]
        t.check(r.returncode == 0 and len(docs) == 2 and docs[0]["id"] == 1 and docs[1]["port"] == 1,
                "batch from stdin (-b -), comments and blank lines skipped")

        # monitor without --count runs until SIGINT and then exits 0.
        mon = nsctl.popen("monitor")
        time.sleep(0.5)
        mon.send_signal(signal.SIGINT)
        try:
            mon.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            mon.kill()
            mon.communicate()
        t.check(mon.returncode == 0, f"monitor: SIGINT ends it with status {mon.returncode}")

        t.check(topo.stop() == 0, "nsdp exits 0 on SIGTERM")


if __name__ == "__main__":
    sys.exit(main())
