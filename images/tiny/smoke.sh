#!/bin/bash
# Self-test of the tiny guest template built by build.sh (TCG, bounded, cleans up).
#
#   images/tiny/smoke.sh OUTDIR
#
# Proves, on a qcow2 linked clone of OUTDIR/disk.qcow2:
#   1. boot (kernel + initrd) and the guest agent answers guest-ping; prints the
#      time from QEMU start to the first successful guest-ping and the VM's RSS
#   2. guest-exec works (uname -r == template kernelVersion)
#   3. a login prompt on the serial port (serial.log) and on VGA (screendump is
#      not blank; TINY_SMOKE_KEEP=DIR keeps the screendump there as PNG)
#   4. virtio-net: a tap NIC (inside a private network namespace made for this
#      test) is configured through guest-exec and the guest pings the tap side;
#      at guest MTU 1450, iputils ping with don't-fragment (-M do) passes with a
#      1422-byte payload and is refused with 1423
#   5. a file written through guest-exec survives an ACPI system_powerdown, a
#      quit and a fresh boot of the same overlay
#   6. guest-shutdown via the agent powers the guest off
# Needs root (netns + tap), qemu-system-x86_64, qemu-img, python3.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$(cd "$1" && pwd)
for f in vmlinuz initrd.img disk.qcow2 cmdline template.json; do
    [ -f "$OUT/$f" ] || { echo "smoke.sh: missing $OUT/$f" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "smoke.sh: must run as root" >&2; exit 1; }
for c in qemu-system-x86_64 qemu-img python3 ip; do
    command -v "$c" >/dev/null || { echo "smoke.sh: $c not found" >&2; exit 1; }
done

T=$(mktemp -d /tmp/tiny-smoke.XXXXXX)
NS=tinysmoke$$           # private network namespace (never connected to an uplink)
TAP=tsmk$$               # tap inside $NS (<= 15 chars)

cleanup() {
    local rc=$? pid i
    # every QEMU this test started, by pid (recorded in $T/pids); only if it
    # is still one of ours (its command line names $T)
    if [ -f "$T/pids" ]; then
        while read -r pid; do
            [ -n "$pid" ] || continue
            if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF "$T/"; then
                kill -TERM "$pid" 2>/dev/null || true
                for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$pid" 2>/dev/null || true
            fi
        done < "$T/pids"
    fi
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$T"
    [ $rc -eq 0 ] && echo "smoke: PASS" || echo "smoke: FAIL (rc=$rc)" >&2
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# private network namespace with a tap for the guest's virtio-net NIC
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev "$TAP" mode tap
ip -n "$NS" addr add 192.0.2.1/24 dev "$TAP"
ip -n "$NS" link set "$TAP" up

qemu-img create -q -f qcow2 -F qcow2 -b "$OUT/disk.qcow2" "$T/overlay.qcow2"

cat > "$T/smoke.py" <<'PYEOF'
import base64, json, os, random, socket, subprocess, sys, time, zlib, struct

OUT, T, NS, TAP = sys.argv[1:5]
KEEP = os.environ.get("TINY_SMOKE_KEEP")
tmpl = json.load(open(os.path.join(OUT, "template.json")))
cmdline = open(os.path.join(OUT, "cmdline")).read().strip()
T0 = time.monotonic()

def log(msg):
    print("[smoke %6.2fs] %s" % (time.monotonic() - T0, msg), flush=True)

def fail(msg):
    log("FAIL: " + msg)
    sys.exit(1)

def qemu_argv(run, nic):
    d = os.path.join(T, run)
    os.makedirs(d, exist_ok=True)
    argv = ["qemu-system-x86_64", "-accel", "tcg,tb-size=64", "-machine", "pc",
            "-m", str(tmpl["defaultMemoryMiB"]), "-smp", str(tmpl["defaultCpus"]),
            "-nodefaults", "-no-user-config",
            "-kernel", os.path.join(OUT, "vmlinuz"), "-initrd", os.path.join(OUT, "initrd.img"),
            "-append", cmdline,
            "-drive", "file=%s/overlay.qcow2,if=none,id=drive0,format=qcow2,cache=writeback" % T,
            "-device", "virtio-blk-pci,drive=drive0",
            "-device", "VGA", "-vnc", "unix:%s/vnc.sock" % d,
            "-chardev", "socket,id=serial0,path=%s/serial.sock,server=on,wait=off,logfile=%s/serial.log" % (d, d),
            "-serial", "chardev:serial0",
            "-chardev", "socket,id=qga0,path=%s/qga.sock,server=on,wait=off" % d,
            "-device", "virtio-serial-pci",
            "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
            "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % d,
            "-no-shutdown", "-daemonize", "-pidfile", "%s/qemu.pid" % d]
    if nic:
        argv += ["-netdev", "tap,id=net0,ifname=%s,script=no,downscript=no" % TAP,
                 "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56"]
        argv = ["ip", "netns", "exec", NS] + argv
    return d, argv

class Chan:
    """Line-oriented JSON over a unix socket (QMP or QGA)."""
    def __init__(self, path, timeout=5.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.events = []
    def send(self, cmd, args=None, prefix=b""):
        m = {"execute": cmd}
        if args is not None:
            m["arguments"] = args
        self.s.sendall(prefix + json.dumps(m).encode() + b"\n")
    def readmsg(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply")
            self.s.settimeout(min(left, 1.0))
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.replace(b"\xff", b"").strip()
        return json.loads(line) if line else None
    def close(self):
        self.s.close()

class QMP(Chan):
    def __init__(self, path):
        super().__init__(path)
        dl = time.monotonic() + 10
        greeting = self.readmsg(dl)
        assert "QMP" in greeting, greeting
        self.cmd("qmp_capabilities")
    def cmd(self, cmd, args=None, timeout=10):
        self.send(cmd, args)
        dl = time.monotonic() + timeout
        while True:
            r = self.readmsg(dl)
            if r is None:
                continue
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (cmd, r["error"]))
            return r["return"]
    def wait_event(self, name, timeout):
        dl = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    del self.events[i]
                    return e
            r = self.readmsg(dl)
            if r is not None and "event" in r:
                self.events.append(r)

class QGA(Chan):
    def sync(self, timeout):
        """guest-sync-delimited until the agent answers with our id (bounded)."""
        dl = time.monotonic() + timeout
        while time.monotonic() < dl:
            n = random.randint(1, 2**31)
            self.send("guest-sync-delimited", {"id": n}, prefix=b"\xff")
            t = min(dl, time.monotonic() + 1.0)
            try:
                while True:
                    r = self.readmsg(t)
                    if r and r.get("return") == n:
                        return True
            except TimeoutError:
                pass
        return False
    def cmd(self, cmd, args=None, timeout=10):
        self.send(cmd, args)
        dl = time.monotonic() + timeout
        while True:
            r = self.readmsg(dl)
            if r is None:
                continue
            if "error" in r:
                raise RuntimeError("QGA %s: %s" % (cmd, r["error"]))
            if "return" in r:
                return r["return"]
    def run(self, script, timeout=20):
        return self.exec("/bin/sh", ["-c", script], timeout)

    def exec(self, path, args, timeout=20):
        # a path without a slash is searched in qemu-ga's PATH, as SkillVL's "vm exec" does
        pid = self.cmd("guest-exec", {"path": path, "arg": args,
                                      "capture-output": True})["pid"]
        dl = time.monotonic() + timeout
        while time.monotonic() < dl:
            st = self.cmd("guest-exec-status", {"pid": pid})
            if st.get("exited"):
                out = base64.b64decode(st.get("out-data", "")).decode(errors="replace")
                err = base64.b64decode(st.get("err-data", "")).decode(errors="replace")
                return st.get("exitcode", -1), out, err
            time.sleep(0.1)
        raise TimeoutError("guest-exec %r did not finish in %ss" % (script, timeout))

def boot(run, nic):
    d, argv = qemu_argv(run, nic)
    t_start = time.monotonic()
    subprocess.run(argv, check=True, timeout=30)
    pid = int(open(os.path.join(d, "qemu.pid")).read().strip())
    with open(os.path.join(T, "pids"), "a") as f:
        f.write("%d\n" % pid)
    log("%s: qemu started, pid %d (-daemonize returned after %.2fs; sockets: %s)" % (
        run, pid, time.monotonic() - t_start,
        " ".join(sorted(x for x in os.listdir(d) if x.endswith(".sock")))))
    qmp = QMP(os.path.join(d, "qmp.sock"))
    qga = QGA(os.path.join(d, "qga.sock"))
    if not qga.sync(90):
        fail("%s: guest agent did not answer within 90 s (serial log:\n%s)" % (run, serial(d)))
    qga.cmd("guest-ping")
    log("%s: guest-ping OK %.2fs after QEMU start" % (run, time.monotonic() - t_start))
    return d, pid, qmp, qga

def serial(d):
    try:
        return open(os.path.join(d, "serial.log"), errors="replace").read()
    except OSError:
        return ""

def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1

def wait_until(pred, timeout, what):
    dl = time.monotonic() + timeout
    while time.monotonic() < dl:
        if pred():
            return
        time.sleep(0.2)
    fail("timed out (%ss) waiting for %s" % (timeout, what))

def wait_shutdown(qmp, timeout, what):
    try:
        qmp.wait_event("SHUTDOWN", timeout)
    except TimeoutError:
        fail("%s: no SHUTDOWN event within %ss" % (what, timeout))
    st = qmp.cmd("query-status")
    if st["status"] != "shutdown":
        fail("%s: status is %s, not shutdown" % (what, st["status"]))

def quit_qemu(qmp, pid):
    try:
        qmp.cmd("quit")
    except (ConnectionError, TimeoutError, OSError):
        pass
    wait_until(lambda: not os.path.exists("/proc/%d" % pid), 15, "QEMU pid %d to exit" % pid)

def ppm_check(path):
    data = open(path, "rb").read()
    # binary PPM: P6\n<w> <h>\n255\n<rgb...>
    parts = data.split(b"\n", 3)
    if parts[0] != b"P6":
        fail("screendump is not a P6 PPM")
    w, h = map(int, parts[1].split())
    px = parts[3]
    lit = sum(1 for i in range(0, len(px), 3 * 7) if px[i] > 64 or px[i + 1] > 64 or px[i + 2] > 64)
    if KEEP:
        raw = b"".join(b"\x00" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
        def chunk(t, b):
            return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
        png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        os.makedirs(KEEP, exist_ok=True)
        open(os.path.join(KEEP, "vga.png"), "wb").write(png)
    return w, h, lit

# ---- boot 1: agent, exec, consoles, NIC, persistence across ACPI power-off
d, pid, qmp, qga = boot("boot1", nic=True)
log("boot1: VmRSS %d MiB" % (rss_kib(pid) // 1024))

rc, out, err = qga.run("uname -r")
if rc != 0 or out.strip() != tmpl["kernelVersion"]:
    fail("guest-exec uname -r: rc=%s out=%r err=%r" % (rc, out, err))
log("guest-exec uname -r -> %s" % out.strip())

wait_until(lambda: "login:" in serial(d), 30, "a login prompt on the serial port")
log("serial: login prompt present")

# tty1's getty starts together with ttyS0's; give it a moment, then screendump
time.sleep(1)
ppm = os.path.join(d, "vga.ppm")
qmp.cmd("screendump", {"filename": ppm})
wait_until(lambda: os.path.exists(ppm) and os.path.getsize(ppm) > 1000, 10, "the screendump")
w, h, lit = ppm_check(ppm)
if lit < 50:
    fail("VGA screendump %dx%d is blank" % (w, h))
log("VGA: screendump %dx%d, %d lit sample pixels%s" % (w, h, lit, (" (PNG in %s)" % KEEP) if KEEP else ""))

rc, out, err = qga.run(
    "set -e; ip link show eth0 >/dev/null; "
    "grep -q virtio_net /proc/modules; "
    "ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up; "
    "ping -c 2 -w 10 192.0.2.1", timeout=20)
if rc != 0:
    fail("virtio-net ping over the tap: rc=%s out=%r err=%r" % (rc, out, err))
log("virtio-net: guest eth0 configured via guest-exec, ping to the tap side OK")

# "ping" is iputils (busybox ping cannot set DF), both for guest-exec (PATH) and
# for a login shell (/etc/profile); at MTU 1450, 1422 + 28 = 1450 fits, 1423 does not.
rc, out, err = qga.exec("ping", ["-V"])
if rc != 0 or "iputils" not in out:
    fail("guest-exec ping -V is not iputils ping: rc=%s out=%r err=%r" % (rc, out, err))
version = out.splitlines()[0].strip()
rc, out, err = qga.exec("/bin/sh", ["-l", "-c", "ping -V"])
if rc != 0 or "iputils" not in out:
    fail("ping in a login shell is not iputils ping: rc=%s out=%r err=%r" % (rc, out, err))
rc, out, err = qga.run("ip link set eth0 mtu 1450")
if rc != 0:
    fail("ip link set eth0 mtu 1450: rc=%s err=%r" % (rc, err))
rc, out, err = qga.exec("ping", ["-M", "do", "-s", "1422", "-c", "1", "-w", "10", "192.0.2.1"])
if rc != 0:
    fail("a 1422-byte DF ping at MTU 1450 failed: rc=%s out=%r err=%r" % (rc, out, err))
rc, out, err = qga.exec("ping", ["-M", "do", "-s", "1423", "-c", "1", "-w", "3", "192.0.2.1"])
if rc == 0 or "message too long" not in err:
    fail("a 1423-byte DF ping at MTU 1450 was not refused as too long: rc=%s out=%r err=%r" % (rc, out, err))
qga.run("ip link set eth0 mtu 1500")
log("ping: %s; DF ping at MTU 1450 passes with 1422 bytes, 1423 refused (%s)" % (version, err.strip()))

rc, out, err = qga.run("echo hello > /root/persist.txt; sync")
if rc != 0:
    fail("write /root/persist.txt: rc=%s err=%r" % (rc, err))
t = time.monotonic()
qmp.cmd("system_powerdown")
wait_shutdown(qmp, 30, "system_powerdown")
log("system_powerdown: guest powered off in %.2fs" % (time.monotonic() - t))
qga.close()
quit_qemu(qmp, pid)
log("boot1: quit; pidfile %s" % ("still present" if os.path.exists(os.path.join(d, "qemu.pid")) else "removed by QEMU"))

# ---- boot 2: same overlay; the file is there; guest-shutdown powers off
d, pid, qmp, qga = boot("boot2", nic=False)
rc, out, err = qga.run("cat /root/persist.txt")
if rc != 0 or out.strip() != "hello":
    fail("after reboot /root/persist.txt: rc=%s out=%r err=%r" % (rc, out, err))
log("persistence: /root/persist.txt = %r after power-off and a fresh boot" % out.strip())
rc, out, err = qga.run("dmesg | grep 'EXT4-fs (vda)'")
if "recover" in out:
    fail("the root filesystem needed journal recovery: it was not cleanly unmounted\n" + out)
log("root filesystem was cleanly unmounted (no journal recovery)")
t = time.monotonic()
qga.send("guest-shutdown")            # no reply on success
wait_shutdown(qmp, 30, "guest-shutdown")
log("guest-shutdown: guest powered off in %.2fs" % (time.monotonic() - t))
qga.close()
quit_qemu(qmp, pid)
log("all checks passed")
PYEOF

timeout 180 python3 "$T/smoke.py" "$OUT" "$T" "$NS" "$TAP"
