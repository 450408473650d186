#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""nsctl table / route / nexthop against a live nsdp: the permanent routes and
the forwarding decisions they give, user routes of every next-hop kind, the
route-type rules, (S,G) routes, instances, errors naming the offending word,
dumps spanning many parts, and a bulk load of 100,000 routes through
`nsctl -b` (rate printed, not asserted) with a failing line that stops the
batch exactly there."""
import os
import sys
import tempfile
import time

from harness import Topology, TestRun

BULK = 100_000


def get(nsctl, *args):
    return nsctl.json("route", "get", *args)


def gen_deletes(src, dst, n):
    """`route del` lines for the first @n routes of the add file @src."""
    with open(src) as f, open(dst, "w") as g:
        for i, line in zip(range(n), f):
            w = line.split()
            g.write("route del %s table 3\n" % w[2])


def gen_routes(path, n, bad_line=None):
    """n distinct /24 user routes; line @bad_line (1-based) asks for an unreachable gateway."""
    with open(path, "w") as f:
        for i in range(n):
            a = 0x14000000 + (i << 8)  # 20.0.0.0/24, 20.0.1.0/24, ...
            pfx = "%d.%d.%d.0/24" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255)
            if bad_line is not None and i + 1 == bad_line:
                f.write("route add %s via 198.51.100.1 table 3\n" % pfx)
            else:
                f.write("route add %s %s table 3\n" % (pfx, "reject" if i % 2 else "discard"))


def run(t, topo):
    nsctl = topo.nsctl

    # Table 0 and its permanent routes.
    tabs = nsctl.json("table", "show")
    t.check(len(tabs) == 1 and tabs[0]["id"] == 0 and tabs[0]["ipv4_routes"] == 6
            and tabs[0]["ipv6_routes"] == 6, f"table show: table 0 with 6 + 6 permanent routes: {tabs}")
    routes = nsctl.json("route", "show")
    perm = {(r["dst"], r["nexthop_type"]) for r in routes if r["type"] == "perm"}
    t.check({("0.0.0.0/0", "reject"), ("224.0.0.0/4", "mdiscard"), ("0.0.0.0/32", "recv"),
             ("255.255.255.255/32", "brecv"), ("224.0.0.1/32", "mrecv"), ("240.0.0.0/4", "discard"),
             ("::/0", "reject"), ("ff00::/8", "mdiscard"), ("ff02::1/128", "mrecv")} <= perm,
            f"route show: the permanent routes of both families ({len(perm)})")
    for addr, want in [("198.51.100.1", "reject"), ("239.1.2.3", "mdiscard"), ("0.0.0.0", "recv"),
                       ("255.255.255.255", "brecv"), ("224.0.0.1", "mrecv"), ("241.0.0.1", "discard"),
                       ("2001:db8::1", "reject"), ("ff05::2", "mdiscard"), ("ff02::1", "mrecv")]:
        g = get(nsctl, addr)
        t.check(g["nexthop_type"] == want and g["type"] == "perm" and g["verdict"] == "forward",
                f"route get {addr}: {want}")
    r = nsctl("route", "del", "0.0.0.0/0")
    t.check(r.returncode != 0 and "permanent" in r.stderr, f"route del 0/0: refused ({r.stderr.strip().splitlines()[0]})")

    # User routes.
    t.check(nsctl("route", "add", "10.0.0.0/8", "reject").returncode == 0, "route add 10.0.0.0/8 reject")
    t.check(nsctl("route", "add", "10.1.0.0/16", "discard").returncode == 0, "route add 10.1.0.0/16 discard")
    g = get(nsctl, "10.1.2.3")
    t.check(g["dst"] == "10.1.0.0/16" and g["nexthop_type"] == "discard", f"route get 10.1.2.3: {g['dst']}")
    g = get(nsctl, "10.2.0.1")
    t.check(g["dst"] == "10.0.0.0/8" and g["nexthop_type"] == "reject", "route get 10.2.0.1: 10/8")
    r = nsctl("route", "get", "10.1.2.3")
    t.check(r.returncode == 0 and r.stdout.startswith("10.1.0.0/16") and "discard" in r.stdout,
            f"route get (text): {r.stdout.strip()}")
    # user-ignore replaces the user route and hides the key: 10/8 answers.
    t.check(nsctl("route", "add", "10.1.0.0/16", "reject", "type", "user-ignore").returncode == 0,
            "route add ... type user-ignore replaces the user route")
    g = get(nsctl, "10.1.2.3")
    t.check(g["dst"] == "10.0.0.0/8", f"an ignored route is skipped by forwarding: {g['dst']}")
    users = [x for x in nsctl.json("route", "show", "ipv4") if x["dst"] == "10.1.0.0/16"]
    t.check(len(users) == 1 and users[0]["type"] == "user-ignore", "one user route per key")
    # change
    t.check(nsctl("route", "change", "10.0.0.0/8", "discard").returncode == 0, "route change 10/8 discard")
    t.check(get(nsctl, "10.2.0.1")["nexthop_type"] == "discard", "route change took effect")
    r = nsctl("route", "change", "10.9.0.0/16", "discard")
    t.check(r.returncode != 0 and "no such route" in r.stderr, "route change of a missing route: refused")
    # (S,G)
    t.check(nsctl("route", "add", "232.1.1.1/32", "from", "10.0.0.0/8", "discard").returncode == 0,
            "route add (S,G) 232.1.1.1 from 10/8")
    t.check(get(nsctl, "232.1.1.1", "from", "10.7.7.7")["src"] == "10.0.0.0/8", "route get (S,G): source matches")
    g = get(nsctl, "232.1.1.1", "from", "11.0.0.1")
    t.check(g["dst"] == "224.0.0.0/4" and g["nexthop_type"] == "mdiscard", "route get (S,G): other source -> 224/4")
    # 0/0 user-ignore refused, bad words named.
    for args, word, what in [
            (["route", "add", "0.0.0.0/0", "discard", "type", "user-ignore"], "0.0.0.0/0", "0/0 user-ignore"),
            (["route", "add", "10.1.2.0/16", "discard"], "10.1.2.0/16", "bits beyond the length"),
            (["route", "add", "10.0.0.0/8", "from", "1.0.0.0/8", "discard"], "1.0.0.0/8", "source without a full destination"),
            (["route", "add", "10.0.0.0/8", "via", "192.0.2.1"], "192.0.2.1", "gateway not on a connected subnet"),
            (["route", "add", "10.0.0.0/8", "via", "192.0.2.1", "dev", "nosuch0"], "nosuch0", "unknown dev"),
            (["route", "add", "10.0.0.0/8", "discard", "table", "9"], "9", "missing table"),
            (["route", "add", "10.0.0.0/8", "sideways"], "sideways", "unknown word"),
            (["route", "add", "10.0.0.0/8", "discard", "type", "perm"], "perm", "type perm"),
            (["route", "add", "2001:db8::/32", "via", "192.0.2.1"], "192.0.2.1", "gateway of the other family"),
            (["route", "add", "10.0.0.0/8", "nexthop", "999999"], "999999", "missing next hop")]:
        r = nsctl(*args)
        lines = r.stderr.splitlines()
        caret = len(lines) >= 3 and lines[2].strip().startswith("^")
        col = lines[2].index("^") if caret else -1
        t.check(r.returncode != 0 and caret and lines[1][col:].startswith(word),
                f"{what}: refused, caret under '{word}' ({lines[0] if lines else r.returncode})")
    r = nsctl("route", "add", "10.0.0.0/8", "via", "192.0.2.1")
    t.check("gateway 192.0.2.1 is not on a connected subnet" in r.stderr, "gateway error message")

    # Next hops.
    nhs = nsctl.json("nexthop", "show")
    types = {n["type"] for n in nhs}
    t.check({"reject", "discard", "mdiscard", "recv", "brecv", "mrecv"} <= types, f"nexthop show: {sorted(types)}")
    rj = [n for n in nhs if n["type"] == "reject" and n["family"] == 4][0]
    one = nsctl.json("nexthop", "show", str(rj["index"]))
    t.check(one["index"] == rj["index"] and one["refs"] >= 2, f"nexthop show {rj['index']}: shared, {one['refs']} refs")
    t.check(nsctl("route", "add", "10.3.0.0/16", "nexthop", str(rj["index"])).returncode == 0,
            "route add ... nexthop N")
    t.check(nsctl.json("nexthop", "show", str(rj["index"]))["refs"] == one["refs"] + 1,
            "the route took a reference")
    r = nsctl("nexthop", "show", "999999")
    t.check(r.returncode != 0 and "no next hop" in r.stderr, "nexthop show of a missing index: refused")

    # Instances.
    t.check(nsctl("table", "add", "3").returncode == 0, "table add 3")
    r = nsctl("table", "add", "3")
    t.check(r.returncode != 0 and "exists" in r.stderr, "table add 3 again: refused")
    r = nsctl("table", "del", "0")
    t.check(r.returncode != 0 and "always exists" in r.stderr, "table del 0: refused")
    r = nsctl("table", "del", "4096")
    t.check(r.returncode != 0 and "^" in r.stderr, "table del 4096: out of range")
    t.check(nsctl("route", "add", "10.0.0.0/8", "reject", "table", "3").returncode == 0, "route add in table 3")
    r3 = nsctl.json("route", "show", "table", "3", "ipv4")
    t.check(len(r3) == 7 and all(x["table"] == 3 for x in r3), f"route show table 3 ipv4: {len(r3)} routes")
    t.check(get(nsctl, "10.1.2.3", "table", "3")["dst"] == "10.0.0.0/8", "route get in table 3")

    # With an interface: its routes, gateway resolution, tables in use.
    for cmd in [("ifd", "add", "tap0", "port", "0"), ("ifl", "add", "tap0.100", "vlan", "100"),
                ("table", "add", "4"), ("iff", "add", "tap0.100", "inet", "table", "4"),
                ("ifa", "add", "tap0.100", "inet", "192.0.2.1/24")]:
        r = nsctl(*cmd)
        t.check(r.returncode == 0, f"nsctl {' '.join(cmd)}: {r.stderr.strip()}")
    ifr = [x for x in nsctl.json("route", "show", "table", "4", "ipv4")
           if x["type"] in ("local", "if", "ifdest")]
    kinds = {(x["dst"], x["type"], x["nexthop_type"], x["flags"]) for x in ifr}
    t.check(("192.0.2.0/24", "if", "resolv", "-") in kinds
            and ("192.0.2.1/32", "local", "local", "-") in kinds,
            f"interface routes in table 4 (our address: type local, no flags): {sorted(kinds)}")
    g = get(nsctl, "192.0.2.1", "iif", "tap0.100", "table", "4")
    t.check(g["type"] == "local" and g["verdict"] == "forward",
            f"route get our address iif tap0.100: received packets are ours ({g})")
    r = nsctl("route", "add", "10.0.0.0/8", "via", "192.0.2.5", "table", "4")
    t.check(r.returncode == 0, f"route add via a neighbour on the subnet: {r.stderr.strip()}")
    g = get(nsctl, "10.9.9.9", "table", "4")
    t.check(g["nexthop_type"] == "hold" and g.get("via") == "192.0.2.5" and g.get("dev") == "tap0.100",
            f"its next hop: HOLD for 192.0.2.5 on tap0.100 ({g})")
    r = nsctl("route", "add", "10.2.0.0/16", "via", "192.0.2.5", "dev", "tap0.100", "table", "4")
    t.check(r.returncode == 0 and get(nsctl, "10.2.0.1", "table", "4")["nexthop"] == g["nexthop"],
            "via ... dev: the same neighbour next hop, shared")
    r = nsctl("route", "add", "10.3.0.0/16", "via", "192.0.2.1", "table", "4")
    t.check(r.returncode != 0 and "our own addresses" in r.stderr, "via our own address: refused")
    r = nsctl("route", "add", "10.3.0.0/16", "via", "198.51.100.7", "dev", "tap0.100", "table", "4")
    t.check(r.returncode != 0 and "not on a connected subnet of tap0.100" in r.stderr,
            "via a gateway off the interface's subnets: refused")
    r = nsctl("table", "del", "4")
    t.check(r.returncode != 0 and "in use" in r.stderr, f"table del of a table in use: refused")
    t.check(nsctl("ifl", "del", "tap0.100").returncode == 0, "ifl del tap0.100")
    g = get(nsctl, "10.9.9.9", "table", "4")
    t.check(g["nexthop_type"] == "dead", f"the user route keeps its next hop, now DEAD ({g['nexthop_type']})")
    t.check(nsctl("table", "del", "4").returncode == 0, "table del 4 once the interface is gone")

    # Bulk load: 100,000 routes in table 3 through one batch.
    tmp = tempfile.mkdtemp(prefix="nsdp-route-e2e-")
    path = os.path.join(tmp, "routes.txt")
    gen_routes(path, BULK)
    t0 = time.monotonic()
    r = nsctl("-b", path, timeout=600)
    dt = time.monotonic() - t0
    print(f"  bulk load: {BULK} routes in {dt:.2f} s = {BULK / dt:.0f} routes/s", flush=True)
    t.check(r.returncode == 0, f"nsctl -b with {BULK} route adds: status {r.returncode} {r.stderr[:200]}")
    tab = nsctl.json("table", "show", "3")
    t.check(tab["ipv4_routes"] == BULK + 7, f"table 3 holds them: {tab['ipv4_routes']}")
    g = get(nsctl, "20.1.134.9", "table", "3")
    t.check(g["dst"] == "20.1.134.0/24", f"a loaded route answers: {g['dst']}")
    dump = nsctl.json("route", "show", "table", "3")
    t.check(len(dump) == BULK + 7 + 6, f"route show table 3: every route in a many-part dump ({len(dump)})")

    # Bulk delete of them all.
    dels = os.path.join(tmp, "deletes.txt")
    gen_deletes(path, dels, BULK)
    t0 = time.monotonic()
    r = nsctl("-b", dels, timeout=600)
    dt = time.monotonic() - t0
    print(f"  bulk delete: {BULK} routes in {dt:.2f} s = {BULK / dt:.0f} routes/s", flush=True)
    t.check(r.returncode == 0 and nsctl.json("table", "show", "3")["ipv4_routes"] == 7,
            f"nsctl -b with {BULK} route dels: table 3 back to 7 routes")

    # A failing line stops the batch exactly there.
    t.check(nsctl("table", "del", "3").returncode == 0, "table del 3 with its routes")
    t.check(nsctl("table", "add", "3").returncode == 0, "table add 3 again")
    gen_routes(path, 500, bad_line=321)
    r = nsctl("-b", path)
    t.check(r.returncode != 0 and "line 321:" in r.stderr and "198.51.100.1" in r.stderr,
            f"batch: line 321 reported ({r.stderr.strip().splitlines()[0] if r.stderr else ''})")
    t.check(nsctl.json("table", "show", "3")["ipv4_routes"] == 320 + 6,
            "batch: the 320 lines before it applied, none after")
    gen_deletes(path, dels, 400)
    r = nsctl("-b", dels)
    t.check(r.returncode != 0 and "line 321:" in r.stderr and "no such route" in r.stderr,
            "batch delete: line 321 (a route never added) reported")
    t.check(nsctl.json("table", "show", "3")["ipv4_routes"] == 6,
            "batch delete: the 320 lines before it applied")
    os.unlink(dels)
    os.unlink(path)
    os.rmdir(tmp)
    t.check(nsctl("table", "del", "3").returncode == 0, "table del 3")
    t.check(topo.stop() == 0, "nsdp exits 0 on SIGTERM")


def main():
    t = TestRun("e2e route")
    with Topology(ports=1, flavour="tap") as topo:
        run(t, topo)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
