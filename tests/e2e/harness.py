# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end harness: nsdp on virtual ports whose far ends are real Linux
hosts in network namespaces.

    with Topology(ports=2) as t:            # net_tap ports, one host each
        t.host(0).run("ip addr add 192.0.2.1/24 dev eth0")
        t.telemetry("/nsdp/port", 0)

Flavours:
  "tap"    nsdp drives net_tap ports; each tap's kernel end is moved into the
           namespace of its host and renamed eth0.
  "virtio" nsdp drives virtio_user ports attached to net_vhost ports of a peer
           dpdk-testpmd, which io-forwards each vhost port to a net_tap port
           whose kernel end is the host's eth0. This exercises the virtio PMD.

Everything the harness creates (processes by PID, namespaces, sockets) is
torn down on exit, on exceptions and on SIGINT/SIGTERM.
"""
import atexit
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PYTHON = "/usr/bin/python3"

_live = []  # topologies to clean up at exit


def _cleanup_all(*_):
    while _live:
        _live.pop().close()


atexit.register(_cleanup_all)


def _on_signal(signum, _frame):
    _cleanup_all()
    sys.exit(128 + signum)


for _s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(_s, _on_signal)


def sh(cmd, check=True, timeout=60, **kw):
    """Run a command (list or string) and return CompletedProcess with text output."""
    if isinstance(cmd, str):
        cmd = shlex.split(cmd)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def nsdp_binary():
    return os.environ.get("NSDP_BIN", os.path.join(ROOT, "build", "nsdp"))


def nsctl_binary():
    return os.environ.get("NSDP_NSCTL", os.path.join(ROOT, "build", "tools", "nsctl"))


class Nsctl:
    """Runs nsctl against one nsdp control socket."""

    def __init__(self, sock):
        self.sock = sock

    def __call__(self, *args, json_out=False, stdin=None, timeout=60):
        cmd = [nsctl_binary(), "-s", self.sock] + (["-j"] if json_out else []) + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=timeout)

    def json(self, *args):
        r = self(*args, json_out=True)
        if r.returncode != 0:
            raise RuntimeError(f"nsctl {' '.join(args)}: status {r.returncode}: {r.stderr}")
        return json.loads(r.stdout)

    def popen(self, *args, json_out=False):
        cmd = [nsctl_binary(), "-s", self.sock] + (["-j"] if json_out else []) + list(args)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Telemetry:
    """Client of the DPDK telemetry v2 socket (JSON over SOCK_SEQPACKET)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(10)
        self.sock.connect(path)
        info = json.loads(self.sock.recv(16384).decode())
        self.max_output = info.get("max_output_len", 16384)

    def __call__(self, cmd, param=None):
        q = cmd if param is None else f"{cmd},{param}"
        self.sock.send(q.encode())
        reply = json.loads(self.sock.recv(self.max_output + 1024).decode())
        return reply.get(cmd)

    def close(self):
        self.sock.close()


class Host:
    """A Linux host: a network namespace whose interface eth0 faces nsdp."""

    def __init__(self, ns):
        self.ns = ns
        self.ifname = "eth0"

    def run(self, cmd, check=True, timeout=60):
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        return sh(["ip", "netns", "exec", self.ns] + cmd, check=check, timeout=timeout)

    def popen(self, cmd, **kw):
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        return subprocess.Popen(["ip", "netns", "exec", self.ns] + cmd, **kw)

    def python(self, code, timeout=60):
        """Run Python code (e.g. scapy) inside the host with the system interpreter."""
        return self.run([PYTHON, "-c", code], timeout=timeout)

    def mac(self):
        out = self.run(f"cat /sys/class/net/{self.ifname}/address").stdout
        return out.strip()


class Topology:
    """nsdp with N ports, each attached to its own host namespace.

    Configure and observe it with nsctl (`topo.nsctl("port", "list")`,
    `topo.nsctl.json("stats", "show", "0")`) or telemetry (`topo.telemetry(...)`).
    """

    def __init__(self, ports=2, flavour="tap", nsdp_args=(), lcores=None, quiet_hosts=True):
        if flavour not in ("tap", "virtio"):
            raise ValueError(f"unknown flavour {flavour}")
        self.nports = ports
        self.flavour = flavour
        self.nsdp_args = list(nsdp_args)
        self.lcores = lcores or "0@0,1@1,2@0"
        self.quiet_hosts = quiet_hosts
        tag = f"{os.getpid() % 100000}"
        self.tag = tag
        self.prefix = f"nsdp-e2e-{tag}"
        self.tmp = tempfile.mkdtemp(prefix=f"nsdp-e2e-{tag}-")
        self.hosts = [Host(f"nsdp-{tag}-h{i}") for i in range(ports)]
        self.tapnames = [f"nst{tag}x{i}" for i in range(ports)]
        self.proc = None
        self.peer = None
        self.log = os.path.join(self.tmp, "nsdp.log")
        self.peer_log = os.path.join(self.tmp, "peer.log")
        self.tel = None
        self.closed = False
        # Each topology has its own control socket unless the test names one.
        if "--socket" not in self.nsdp_args:
            self.nsdp_args = ["--socket", os.path.join(self.tmp, "nsdp.sock")] + self.nsdp_args
        self.sock = self.nsdp_args[self.nsdp_args.index("--socket") + 1]
        self.nsctl = Nsctl(self.sock)
        _live.append(self)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    # -- bring-up ---------------------------------------------------------
    def _wait_for(self, pred, what, timeout=30, proc=None, log=None):
        end = time.time() + timeout
        while time.time() < end:
            if pred():
                return
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{what}: process exited {proc.returncode}\n{self._tail(log)}")
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}\n{self._tail(log)}")

    @staticmethod
    def _tail(path, n=40):
        if not path or not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])

    def _nsdp_queues(self):
        """Queues per port nsdp uses: one tx queue per lcore it runs."""
        return len(self.lcores.split(","))

    def _start_peer(self):
        """dpdk-testpmd io-forwarding vhost port i <-> tap port i."""
        args = ["dpdk-testpmd", "--no-pci", "--in-memory", "--file-prefix", self.prefix + "-peer",
                "--lcores", "0@0,1@0", "--log-level=lib.*:error"]
        for i in range(self.nports):
            sock = os.path.join(self.tmp, f"vhost{i}.sock")
            args += ["--vdev", f"net_vhost{i},iface={sock},queues=4"]
        for i in range(self.nports):
            args += ["--vdev", f"net_tap{i},iface={self.tapnames[i]}"]
        # testpmd pairs ports (0,1), (2,3)...: list them so vhost i meets tap i.
        order = []
        for i in range(self.nports):
            order += [str(i), str(self.nports + i)]
        # nsdp transmits on one queue per lcore; the peer must read them all,
        # and nsdp polls as many rx queues (--rxq) so every queue pair carries
        # both directions.
        q = str(self._nsdp_queues())
        args += ["--", "--forward-mode=io", "--auto-start", "--nb-cores=1",
                 "--rxq=" + q, "--txq=" + q,
                 "--portlist=" + ",".join(order), "--stats-period=3600", "--no-lsc-interrupt"]
        self.peer = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=open(self.peer_log, "w"),
                                     stderr=subprocess.STDOUT)
        for i in range(self.nports):
            sock = os.path.join(self.tmp, f"vhost{i}.sock")
            self._wait_for(lambda: os.path.exists(sock), f"vhost socket {sock}", proc=self.peer,
                           log=self.peer_log)
        self._wait_for(lambda: all(os.path.exists(f"/sys/class/net/{t}") for t in self.tapnames),
                       "peer tap interfaces", proc=self.peer, log=self.peer_log)

    def _start(self):
        for h in self.hosts:
            sh(["ip", "netns", "add", h.ns])
        eal = ["--no-pci", "--file-prefix", self.prefix, "--lcores", self.lcores,
               "--log-level=lib.*:notice"]
        if self.flavour == "virtio":
            self._start_peer()
            # vhost-user shares guest memory in a few regions: one file per
            # memseg list keeps nsdp under the limit.
            eal.append("--single-file-segments")
            for i in range(self.nports):
                sock = os.path.join(self.tmp, f"vhost{i}.sock")
                eal += ["--vdev", f"virtio_user{i},path={sock},queues=4"]
        else:
            for i in range(self.nports):
                eal += ["--vdev", f"net_tap{i},iface={self.tapnames[i]}"]
        nsdp_args = list(self.nsdp_args)
        if self.flavour == "virtio" and "--rxq" not in nsdp_args:
            nsdp_args += ["--rxq", str(self._nsdp_queues())]
        cmd = [nsdp_binary()] + eal + ["--"] + nsdp_args
        self.proc = subprocess.Popen(cmd, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._wait_for(lambda: "nsdp: ready" in self._tail(self.log, 200), "nsdp ready",
                       proc=self.proc, log=self.log)
        for i, h in enumerate(self.hosts):
            tap = self.tapnames[i]
            self._wait_for(lambda: os.path.exists(f"/sys/class/net/{tap}"), f"interface {tap}")
            sh(["ip", "link", "set", "dev", tap, "netns", h.ns])
            h.run(f"ip link set dev {tap} name {h.ifname}")
            if self.quiet_hosts:
                # No IPv6 autoconfiguration chatter: hosts send only what a test sends.
                h.run(f"sysctl -qw net.ipv6.conf.{h.ifname}.disable_ipv6=1")
            h.run("ip link set dev lo up")
            h.run(f"ip link set dev {h.ifname} up")
        path = f"/var/run/dpdk/{self.prefix}/dpdk_telemetry.v2"
        self._wait_for(lambda: os.path.exists(path), "telemetry socket", proc=self.proc, log=self.log)
        self.tel = Telemetry(path)

    # -- use --------------------------------------------------------------
    def host(self, i):
        return self.hosts[i]

    def telemetry(self, cmd, param=None):
        return self.tel(cmd, param)

    def port_stats(self, port):
        return self.telemetry("/nsdp/port", port)

    def wait_counter(self, port, get, target, timeout=10):
        """Wait until get(port_stats) >= target and has stopped moving; return it."""
        end = time.time() + timeout
        last = None
        while time.time() < end:
            v = get(self.port_stats(port))
            if v >= target and v == last:
                return v
            last = v
            time.sleep(0.2)
        return get(self.port_stats(port))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stop nsdp with @sig and return its exit code (None if it had to be killed)."""
        if self.tel is not None:
            self.tel.close()
            self.tel = None
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def output(self):
        return self._tail(self.log, 100000)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            self.stop()
        except Exception:
            pass
        if self.peer is not None and self.peer.poll() is None:
            try:
                self.peer.stdin.close()
            except Exception:
                pass
            self.peer.send_signal(signal.SIGTERM)
            try:
                self.peer.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.peer.kill()
                self.peer.wait()
        for h in self.hosts:
            subprocess.run(["ip", "netns", "del", h.ns], capture_output=True)
        subprocess.run(["rm", "-rf", self.tmp, f"/var/run/dpdk/{self.prefix}",
                        f"/var/run/dpdk/{self.prefix}-peer"], capture_output=True)
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def send_frames(host, count, ethertype=0x88B5, size=60):
    """Send @count raw Ethernet frames (local experimental ethertype) from @host's eth0."""
    code = (
        "from scapy.all import Ether, Raw, sendp\n"
        f"p = Ether(dst='02:00:00:00:00:01', type={ethertype}) / Raw(b'x' * {max(size - 14, 0)})\n"
        f"sendp(p, iface='{host.ifname}', count={count}, verbose=False)\n"
    )
    host.python(code, timeout=120)


class TestRun:
    """Tiny runner: collects named checks and prints a closing line."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
            print(f"  ok   {what}", flush=True)
        else:
            self.failed += 1
            print(f"  FAIL {what}", flush=True)
        return cond

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1
