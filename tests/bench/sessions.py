#!/usr/bin/python3
"""How many sessions at once: real mappe TUI sessions on ptys, on one store.

Issue 12's "How many at once" (docs/performance.md, "Issue 12: how many at
once"). Every session is the real mappe binary on a pseudo-terminal of
80x24, run as a Unix uid of its own (uids UID_BASE+1.., a shared group
GID, as caseworkers reach the store through the group in a deployment), so
that the per-user Argon2id turn and RLIMIT_MEMLOCK are those of real
logins. It needs root (to run as those uids); nothing is created in
/etc/passwd: the uids are bare numbers.

    make bench-sessions                          # 20 000 cases, every phase
    MAPPE_BIN=build/mappe MAPPE_GEN=build/tests/gen MAPPE_SAVER=build/bench/saver \\
        /usr/bin/python3 tests/bench/sessions.py [--cases N] [--store DIR] [--keep]
        [--sizes 10,20,40] [--storm 40] [--search 40] [--seconds S]
        [--open-every S] [--phases memory,storm,save] [--smoke] [--perf FILE]

The store (mappe init, mappe-gen --seed 9 --count N imported, users cw01..
enrolled at Argon2id 2 / 64 MiB and df01.. at the default cost 3 / 256 MiB,
each having changed its initial passphrase) is made in a mkdtemp directory,
or in --store DIR, kept with --keep and used again when DIR/ready exists.

Phases:
- memory: N sessions (cw users) logged in and showing the case list, for
  each N of --sizes: RSS, PSS, anonymous memory and VmLck of every mappe
  process (/proc/PID/smaps_rollup, /proc/PID/status), and MemAvailable.
- storm: --storm sessions (df users, the default Argon2id cost) started at
  the same instant; for each, the seconds from its start to the passphrase
  prompt and to its case list shown: p50, p99, max; and the peak of memory
  used meanwhile.
- save: --search sessions each typing family names into the list's search,
  one key every KEY_INTERVAL s, Esc and a new name after each; meanwhile a
  saver process (tests/bench/saver.c) saves a case's phone every
  SAVE_INTERVAL s, each timed on its own; p50/p99/max of the saves,
  (a) with no session, (b) with the sessions searching, (c) with them
  searching and each opening a case (Enter on its search's first hit,
  logged as search-open by the audit log, then back) every --open-every s
  (30 s in the issue; compressed, say 3 s = 10x). Four of the sessions
  also read their screen (pyte) and time each keystroke until the screen
  shows it: the search's own latency under that load.

Output: tables on stdout, progress on stderr; the load average next to
every phase. It is a measurement: exit 0 whatever the numbers, 2 when a
session could not be driven, 1 on bad usage. --smoke: 2 sessions, 300 cases,
a few seconds each phase, to check the harness itself.
"""
import argparse
import csv as csv_mod
import io
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tty", "lib"))
try:
    import pexpect
    import pyte
except ImportError as e:  # pragma: no cover
    print(f"sessions: not measured (python3-pexpect or python3-pyte missing: {e})")
    sys.exit(0)

MAPPE = os.environ.get("MAPPE_BIN", "build/mappe")
GEN = os.environ.get("MAPPE_GEN", "build/tests/gen")
SAVER = os.environ.get("MAPPE_SAVER", "build/bench/saver")
ADMIN, ADMIN_PASS = "admin", "admin passphrase 1"
INITIAL = "initial passphrase 1"
UID_BASE, GID = 61000, 61000
COLS, ROWS = 80, 24
KEY_INTERVAL = 0.2   # a key every 0.2 s: 5 keys a second, a fast typist
SAVE_INTERVAL = 0.2  # a save every 0.2 s
PROBES = 4           # sessions that also read their screen
NLOW = 40            # cw users in the store: more sessions than that share them
LOW = {"MAPPE_KDF_OPSLIMIT": "2", "MAPPE_KDF_MEMLIMIT_MIB": "64"}


class Fail(Exception):
    pass


def say(*a):
    print("sessions:", *a, file=sys.stderr, flush=True)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0])  # KiB
    return out


def pct(xs, p):
    """Nearest-rank percentile."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def fmt(x, unit=""):
    if x != x:
        return "-"
    return (f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}") + unit


def env_for(low, home, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPPE_")}
    env.update(extra or {})
    env.update(LC_ALL="C.UTF-8", TZ="UTC", HOME=home, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    if low:
        env.update(LOW)
    return env


def run(args, env, secrets=(), check=True):
    """mappe with passphrases on fds 3, 4, ... (--passphrase-fd 3 etc. in args)."""
    fds = []
    for s in secrets:
        r, w = os.pipe()
        os.write(w, (s + "\n").encode())
        os.close(w)
        fds.append(r)
    # Move them to 3, 4, ... in the child.
    def pre():
        for i, fd in enumerate(fds):
            os.dup2(fd, 3 + i)
    try:
        p = subprocess.run([MAPPE] + args, env=env, capture_output=True, preexec_fn=pre,
                           pass_fds=list(range(3, 3 + len(fds))) if fds else (), close_fds=True)
    finally:
        for fd in fds:
            os.close(fd)
    if check and p.returncode != 0:
        raise Fail(f"mappe {' '.join(args[:4])}... exit {p.returncode}: {p.stderr.decode()[-400:]}")
    return p


def user_name(kind, i):
    return f"{kind}{i:02d}"


def make_store(d, cases, nlow, ndef, home):
    """The store in d: cases imported, nlow cw users, ndef df users. The ids."""
    db = os.path.join(d, "store")
    low = env_for(True, home)
    dflt = env_for(False, home)
    t0 = time.time()
    run(["--db", db, "--user", ADMIN, "init", "--new-passphrase-fd", "3"], low, [ADMIN_PASS])
    people = subprocess.run([GEN, "--seed", "9", "--count", str(cases)], capture_output=True,
                            check=True).stdout
    csvp = os.path.join(d, "cases.csv")
    with open(csvp, "wb") as f:
        f.write(people)
    p = run(["--db", db, "--user", ADMIN, "import", csvp, "--passphrase-fd", "3"], low, [ADMIN_PASS])
    ids = [int(x) for x in p.stdout.split() if x.isdigit()]
    say(f"{len(ids)} cases imported ({time.time() - t0:.0f} s)")
    names = []
    for row in csv_mod.DictReader(io.StringIO(people.decode())):
        n = row.get("family_name", "")
        if re.fullmatch(r"[A-Za-z]{4,}", n) and n not in names:
            names.append(n)
    for kind, n, e in (("cw", nlow, low), ("df", ndef, dflt)):
        for i in range(1, n + 1):
            u = user_name(kind, i)
            run(["--db", db, "--user", ADMIN, "user", "add", u, "--role", "caseworker",
                 "--passphrase-fd", "3", "--new-passphrase-fd", "4"], low, [ADMIN_PASS, INITIAL])
            # The new passphrase's slot takes the cost of e: the default for df.
            run(["--db", db, "--user", u, "passwd", "--passphrase-fd", "3",
                 "--new-passphrase-fd", "4"], e, [INITIAL, u + " passphrase 1"])
        say(f"{n} {kind} users enrolled ({time.time() - t0:.0f} s)")
    with open(os.path.join(d, "ids"), "w") as f:
        f.write("\n".join(map(str, ids)) + "\n")
    with open(os.path.join(d, "names"), "w") as f:
        f.write("\n".join(names[:400]) + "\n")
    with open(os.path.join(d, "users"), "w") as f:
        f.write(f"{nlow} {ndef}\n")
    # The deployment's shape: the store group-owned, group-writable, no
    # one else; sessions run with that group.
    for root, dirs, files in os.walk(d):
        for x in dirs + files:
            os.chown(os.path.join(root, x), 0, GID)
    os.chown(d, 0, GID)
    os.chmod(d, 0o2770)
    os.chmod(db, 0o2770)
    for x in os.listdir(db):
        os.chmod(os.path.join(db, x), 0o660)
    open(os.path.join(d, "ready"), "w").close()
    return db


class Session:
    """One mappe on a pty as its own uid; output drained, a screen if asked."""

    def __init__(self, db, user, uid, home, low, screen=True, extra=None):
        self.user = user
        self.pw = user + " passphrase 1"
        self.uid = uid
        self.screen = pyte.Screen(COLS, ROWS) if screen else None
        self.stream = pyte.ByteStream(self.screen) if screen else None
        self.state = "start"
        self.t_start = time.time()
        self.t_prompt = self.t_list = None
        self.bytes = 0
        self.tail = b""
        self.seen = set()

        def pre():
            os.setgroups([])
            os.setgid(GID)
            os.setuid(uid)

        self.child = pexpect.spawn(MAPPE, ["--db", db, "--user", user], env=env_for(low, home, extra),
                                   dimensions=(ROWS, COLS), preexec_fn=pre)
        self.fd = self.child.child_fd
        self.pid = self.child.pid

    def feed(self):
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            self.state = "dead"
            return
        self.bytes += len(data)
        if self.stream is not None:
            self.stream.feed(data)
        else:
            # Without a screen: the login's two words as they pass by.
            both = self.tail + data
            self.seen |= {w for w in (b"Passphrase:", b"Cases") if w in both}
            self.tail = both[-64:]

    def text(self):
        if self.screen:
            return "\n".join(self.screen.display)
        return " ".join(w.decode() for w in sorted(self.seen))

    def send(self, s):
        os.write(self.fd, s.encode())

    def close(self):
        try:
            self.child.terminate(force=True)
        except Exception:
            pass


def pump(sessions, timeout):
    fds = {s.fd: s for s in sessions if s.state != "dead"}
    if not fds:
        time.sleep(timeout)
        return
    r, _, _ = select.select(list(fds), [], [], timeout)
    for fd in r:
        fds[fd].feed()


def login(sessions, deadline):
    """Drive every session to its case list; fills t_prompt and t_list."""
    end = time.time() + deadline
    while time.time() < end:
        pending = [s for s in sessions if s.state not in ("list", "dead")]
        if not pending:
            return
        pump(sessions, 0.02)
        now = time.time()
        for s in pending:
            t = s.text()
            if s.state == "start" and "Passphrase:" in t:
                s.t_prompt = now
                s.send(s.pw + "\r")
                s.state = "sent"
            elif s.state == "sent" and "Cases" in t:
                s.t_list = now
                s.state = "list"
    bad = [s for s in sessions if s.state != "list"]
    if bad:
        raise Fail(f"{len(bad)} sessions never showed their list, e.g. {bad[0].user} "
                   f"({bad[0].state}):\n{bad[0].text()}")


def settle(sessions, quiet=1.0, deadline=30.0):
    end = time.time() + deadline
    last = time.time()
    while time.time() < end and time.time() - last < quiet:
        before = sum(s.bytes for s in sessions)
        pump(sessions, 0.05)
        if sum(s.bytes for s in sessions) != before:
            last = time.time()


def proc_mem(pid):
    m = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                m[parts[0][:-1]] = int(parts[1])
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmLck:", "VmHWM:", "VmRSS:")):
                m[line.split(":")[0]] = int(line.split()[1])
    return m


def phase_memory(db, home, sizes, out):
    """Sessions added up to each size; memory per process at each."""
    out.append("")
    out.append(f"## memory per session (case list shown, idle), load {load()} at the start")
    out.append("")
    out.append("| sessions | RSS MiB (mean) | PSS MiB (mean) | PSS MiB (sum) | anon MiB (mean) | "
               "VmLck KiB (mean) | VmHWM MiB (max) | MemAvailable drop MiB | login s (p50, max) | load |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    sessions = []
    base = meminfo()["MemAvailable"]
    try:
        for n in sizes:
            new = []
            while len(sessions) + len(new) < n:
                i = len(sessions) + len(new) + 1
                new.append(Session(db, user_name("cw", (i - 1) % NLOW + 1), UID_BASE + i, home, True, screen=True))
            login(new, 120 + 3 * len(new))
            # Passphrase sent to list shown, Argon2id at 2 / 64 MiB: the
            # new sessions were started together.
            logins = [x.t_list - x.t_prompt for x in new]
            sessions += new
            settle(sessions, quiet=2.0)
            mems = [proc_mem(s.pid) for s in sessions]
            avail = meminfo()["MemAvailable"]
            mean = lambda k: sum(m.get(k, 0) for m in mems) / len(mems)
            drop = (base - avail) / 1024
            out.append(f"| {n} | {fmt(mean('Rss') / 1024)} | {fmt(mean('Pss') / 1024)} | "
                       f"{fmt(mean('Pss') * n / 1024)} | "
                       f"{fmt(mean('Anonymous') / 1024)} | {fmt(mean('VmLck'))} | "
                       f"{fmt(max(m.get('VmHWM', 0) for m in mems) / 1024)} | {fmt(drop)} | "
                       f"{fmt(pct(logins, 50))}, {fmt(max(logins))} | {load()} |")
            say(f"memory: {n} sessions measured")
    finally:
        for s in sessions:
            s.close()
    return


def phase_storm(db, home, n, out, wait_ms=None):
    """n sessions at the default Argon2id cost, started at one instant;
    wait_ms: MAPPE_LOCK_WAIT_MS, how long a login waits for its Argon2id
    turn before it goes ahead unthrottled (mappe's default: 3000)."""
    settle_load = load()
    base = meminfo()
    peak_used = 0
    sessions = []
    t0 = time.time()
    try:
        for i in range(1, n + 1):
            sessions.append(Session(db, user_name("df", i), UID_BASE + 100 + i, home, False,
                                    screen=True,
                                    extra={"MAPPE_LOCK_WAIT_MS": str(wait_ms)} if wait_ms else None))
        end = time.time() + 300
        while time.time() < end and any(s.state not in ("list", "dead") for s in sessions):
            pump(sessions, 0.02)
            now = time.time()
            for s in sessions:
                if s.state in ("list", "dead"):
                    continue
                t = s.text()
                if s.state == "start" and "Passphrase:" in t:
                    s.t_prompt = now
                    s.send(s.pw + "\r")
                    s.state = "sent"
                elif s.state == "sent" and "Cases" in t:
                    s.t_list = now
                    s.state = "list"
            m = meminfo()
            peak_used = max(peak_used, base["MemAvailable"] - m["MemAvailable"])
        bad = [s for s in sessions if s.state != "list"]
        if bad:
            raise Fail(f"storm: {len(bad)} sessions never showed their list, e.g. "
                       f"{bad[0].user}:\n{bad[0].text()}")
        to_prompt = [s.t_prompt - s.t_start for s in sessions]
        to_list = [s.t_list - s.t_start for s in sessions]
        after_pass = [s.t_list - s.t_prompt for s in sessions]
        waited = sum(1 for s in sessions if "waiting" in s.text().lower())
        settle(sessions, quiet=2.0)
        mems = [proc_mem(s.pid) for s in sessions]
        out.append("")
        turn = (f"a turn waited for at most {wait_ms / 1000:g} s (MAPPE_LOCK_WAIT_MS)" if wait_ms
                else "a turn waited for at most 3 s (mappe's default), then unthrottled")
        out.append(f"## login storm: {n} sessions started at once, Argon2id at the default cost "
                   f"(3, 256 MiB), {turn}; load {settle_load} before, {load()} after")
        out.append("")
        out.append("| seconds from start | p50 | p99 | max |")
        out.append("|---|---:|---:|---:|")
        for label, xs in (("to the passphrase prompt", to_prompt), ("to the case list", to_list),
                          ("passphrase sent to the case list", after_pass)):
            out.append(f"| {label} | {fmt(pct(xs, 50))} | {fmt(pct(xs, 99))} | {fmt(max(xs))} |")
        out.append("")
        out.append(f"all {n} in {max(to_list):.1f} s; peak memory in use meanwhile "
                   f"{peak_used / 1024:.0f} MiB over the {base['MemAvailable'] / 1024:.0f} MiB "
                   f"available before; after: RSS max {max(m['Rss'] for m in mems) / 1024:.1f} MiB, "
                   f"VmHWM max {max(m['VmHWM'] for m in mems) / 1024:.0f} MiB")
        out.append("list shown, in order: " + " ".join(f"{t:.1f}" for t in sorted(to_list)))
    finally:
        for s in sessions:
            s.close()


def saver_start(db, ids_file):
    p = subprocess.Popen([SAVER, db, ADMIN, str(int(SAVE_INTERVAL * 1000)), ids_file],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env_for(True, "/tmp"))
    p.stdin.write((ADMIN_PASS + "\n").encode())
    p.stdin.flush()
    line = p.stdout.readline()
    if line.strip() != b"ready":
        raise Fail(f"the saver did not start: {line!r}")
    p.stdin.write(b"g")
    p.stdin.flush()
    return p


def saver_stop(p):
    p.stdin.close()
    lines = p.stdout.read().decode().splitlines()
    p.wait()
    ms = [int(x.split()[2]) / 1e6 for x in lines if x.startswith("save ")]
    failed = sum(1 for x in lines if x.startswith("save ") and x.split()[3] != "0")
    return ms, failed


def audit_count(db):
    p = subprocess.run([SAVER, "--count", db, ADMIN], input=(ADMIN_PASS + "\n").encode(),
                       capture_output=True, env=env_for(True, "/tmp"))
    out = {}
    for line in p.stdout.decode().splitlines():
        _, a, n = line.split()
        out[a] = int(n)
    if p.returncode != 0:
        raise Fail(f"the audit log did not read: {p.stderr.decode()}")
    return out


class Typist:
    """A session typing family names into the list's search, one key every
    KEY_INTERVAL; opening the first hit every open_every seconds."""

    def __init__(self, s, names, open_every, rng, probe):
        self.s = s
        self.names = names
        self.rng = rng
        self.open_every = open_every
        self.probe = probe
        self.queue = []
        self.next_at = time.time() + rng.random() * KEY_INTERVAL * 5
        self.next_open = time.time() + (rng.random() * open_every if open_every else 1e18)
        self.typed = ""
        self.mode = "list"  # list, search (typing), case (opened), found (back, query kept)
        self.waiting = None  # (what the screen must show, when sent)
        self.lat = []
        self.keys = 0
        self.opens = 0

    def plan(self):
        name = self.rng.choice(self.names)[:7]
        now = time.time()
        if now >= self.next_open:
            self.next_open += self.open_every
            # Type the name, open the first hit (a case outside the caseload
            # asks why first: 1, standing in; on one's own, 1 does nothing),
            # stay 1 s, back, clear.
            self.queue = (["/"] + list(name[:4]) + ["\r", ("1", 1.0), "q", "\x1b"])
        else:
            self.queue = ["/"] + list(name) + ["\x1b"]

    def step(self, now):
        if self.probe and self.waiting:
            what, sent = self.waiting
            if what in self.s.text():
                self.lat.append((now - sent) * 1000)
                self.waiting = None
            elif now - sent > 10:
                self.waiting = None  # lost (a message over the line); not counted
        if now < self.next_at:
            return
        if not self.queue:
            self.plan()
        k = self.queue.pop(0)
        pause = KEY_INTERVAL
        if isinstance(k, tuple):
            k, pause = k
        if k == "/":
            self.typed = ""
            self.mode = "search"
        elif k == "1":
            pass  # the purpose picked (names have no digits)
        elif k in ("\x1b", "\r", "q"):
            self.typed = ""
            self.mode = {"\r": "case", "q": "found", "\x1b": "list"}[k]
            self.opens += k == "\r"
        else:
            self.typed += k
            if self.probe and self.waiting is None:
                self.waiting = ("Search: " + self.typed, now)
        self.s.send(k)
        self.keys += 1
        self.next_at = now + pause


def phase_save(db, d, home, n, seconds, open_every, out, perf=None):
    ids_file = os.path.join(d, "ids")
    with open(os.path.join(d, "names")) as f:
        names = [x for x in f.read().split() if x]
    rows = []

    def saves_row(label, ms, failed, extra=""):
        rows.append(f"| {label} | {len(ms)} | {fmt(pct(ms, 50))} | {fmt(pct(ms, 99))} | "
                    f"{fmt(max(ms) if ms else float('nan'))} | {failed} | {extra} |")

    # (a) the saver alone.
    l0 = load()
    p = saver_start(db, ids_file)
    time.sleep(seconds)
    ms, failed = saver_stop(p)
    saves_row(f"no session (load {l0})", ms, failed)
    say("save: alone done")

    sessions = []
    try:
        for i in range(1, n + 1):
            sessions.append(Session(db, user_name("cw", (i - 1) % NLOW + 1), UID_BASE + i, home, True,
                                    screen=i <= PROBES))
        login(sessions, 120 + 3 * n)
        settle(sessions, quiet=2.0)
        rng = random.Random(12)
        for label, oe in (("searching", 0), ("searching, opening a case every "
                                             f"{open_every:g} s each", open_every)):
            before = audit_count(db)
            typists = [Typist(s, names, oe, rng, i < PROBES) for i, s in enumerate(sessions)]
            l0 = load()
            cpu0 = sum(proc_cpu(s.pid) for s in sessions)
            me0 = os.times()
            h0 = host_cpu()
            p = saver_start(db, ids_file)
            prof = None
            if perf and oe:
                # The sessions and the saver, sampled while they work.
                prof = subprocess.Popen(["perf", "record", "-q", "-F", "499", "-g", "-o", perf,
                                         "-p", ",".join(str(x) for x in
                                                        [s.pid for s in sessions] + [p.pid])],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            end = time.time() + seconds
            while time.time() < end:
                pump(sessions, 0.01)
                now = time.time()
                for t in typists:
                    t.step(now)
                dead = [s for s in sessions if s.state == "dead"]
                if dead:
                    raise Fail(f"session {dead[0].user} ended:\n{dead[0].text()}")
            if prof:
                prof.send_signal(signal.SIGINT)
                prof.wait()
            ms, failed = saver_stop(p)
            # Back to the bare list (Esc on it would ask "Quit mappe?"),
            # and the keys sent drained, so the next part starts quiet.
            for t in typists:
                t.s.send({"list": "", "search": "\x1b", "case": "q\x1b", "found": "\x1b"}[t.mode])
            settle(sessions, quiet=1.0)
            cpu = (sum(proc_cpu(s.pid) for s in sessions) - cpu0) / seconds
            me1 = os.times()
            h1 = host_cpu()
            host = (h1[0] - h0[0]) / max(1, h1[1] - h0[1]) * os.cpu_count()
            me = (me1.user + me1.system - me0.user - me0.system) / seconds
            after = audit_count(db)
            lat = [x for t in typists for x in t.lat]
            keys = sum(t.keys for t in typists)
            opens = sum(t.opens for t in typists)
            logged = after.get("search-open", 0) - before.get("search-open", 0)
            changes = after.get("change", 0) - before.get("change", 0)
            extra = (f"{keys / seconds:.0f} keys/s from {n} sessions, their CPU "
                     f"{cpu * 100:.0f}% of one core (this driver's {me * 100:.0f}%, the whole host's "
                     f"{host * 100:.0f}%, of {os.cpu_count() * 100}%); search keystroke as the screen shows it "
                     f"(probes): p50 {fmt(pct(lat, 50))} p99 {fmt(pct(lat, 99))} ms "
                     f"({len(lat)}); ")
            if oe:
                extra += f"{opens} opens, {logged} search-open entries logged; "
            extra += f"{changes} change entries logged"
            saves_row(f"{n} {label} (load {l0} at start, {load()} at end)", ms, failed, extra)
            if changes < len(ms) - failed or (oe and logged < opens):
                extra += " (LOGGED FEWER THAN DONE)"
                rows[-1] = rows[-1][:-2] + " (LOGGED FEWER THAN DONE) |"
            say(f"save: {label} done")
    finally:
        for s in sessions:
            s.close()
    out.append("")
    out.append(f"## saves (store_case_update, one every {SAVE_INTERVAL:g} s, {seconds:g} s each) "
               f"while sessions search; keys every {KEY_INTERVAL:g} s per session")
    out.append("")
    out.append("| while | saves | p50 ms | p99 ms | max ms | failed | the sessions |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    out += rows


def host_cpu():
    """(busy, total) jiffies of the whole host, /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--store")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--sizes", default="10,20,40")
    ap.add_argument("--storm", type=int, default=40)
    ap.add_argument("--search", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--open-every", type=float, default=3.0)
    ap.add_argument("--storm-wait-ms", default="0,600000",
                    help="one storm per value: MAPPE_LOCK_WAIT_MS for the logins (0: mappe's "
                    "default, 3 s then unthrottled; 600000: strictly two at a time)")
    ap.add_argument("--phases", default="memory,storm,save")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--perf", help="perf record the sessions and the saver into this file "
                    "while they search and open cases")
    a = ap.parse_args()
    if a.smoke:
        a.cases, a.sizes, a.storm, a.search, a.seconds, a.open_every = 300, "2", 2, 2, 4, 2
    if os.geteuid() != 0:
        print("sessions: not measured (needs root, to run the sessions as uids of their own)")
        return 0
    global NLOW
    sizes = [int(x) for x in a.sizes.split(",") if x]
    nlow = min(40, max(sizes + [a.search]))
    phases = a.phases.split(",")
    d = a.store or tempfile.mkdtemp(prefix="mappe-sessions-")
    home = os.path.join(d, "home")
    os.makedirs(home, exist_ok=True)
    os.chmod(home, 0o1777)
    out = [f"# mappe sessions at once: {a.cases} cases, {os.cpu_count()} CPUs, "
           f"{meminfo()['MemTotal'] / 1048576:.1f} GiB, RLIMIT_MEMLOCK "
           f"{subprocess.run(['sh', '-c', 'ulimit -l'], capture_output=True).stdout.decode().strip()}"
           f" KiB per session; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]
    rc = 0
    try:
        ready = os.path.exists(os.path.join(d, "ready"))
        if ready:
            with open(os.path.join(d, "users")) as f:
                have_low, have_def = map(int, f.read().split())
            NLOW = have_low
            if have_low < nlow or ("storm" in phases and have_def < a.storm):
                raise Fail(f"--store {d} has {have_low}/{have_def} users, fewer than asked")
            db = os.path.join(d, "store")
        else:
            NLOW = nlow
            db = make_store(d, a.cases, nlow, a.storm if "storm" in phases else 0, home)
        out[0] += f"; store {sum(os.path.getsize(os.path.join(db, x)) for x in os.listdir(db)) / 1048576:.0f} MiB"
        if "memory" in phases:
            phase_memory(db, home, sizes, out)
        if "storm" in phases:
            phase_storm(db, home, 1, out)  # one login alone: the cost of one
            for w in a.storm_wait_ms.split(","):
                phase_storm(db, home, a.storm, out, int(w) or None)
        if "save" in phases:
            phase_save(db, d, home, a.search, a.seconds, a.open_every, out, a.perf)
    except (Fail, pexpect.ExceptionPexpect, subprocess.CalledProcessError, OSError) as e:
        out.append(f"\nsessions NOT measured further: {e}")
        rc = 2
    finally:
        if not a.keep and not a.store:
            shutil.rmtree(d, ignore_errors=True)
    print("\n".join(out))
    return rc


if __name__ == "__main__":
    sys.exit(main())
