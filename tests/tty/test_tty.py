#!/usr/bin/python3
"""Real-terminal tests: mappe on a pty, read through a terminal emulator.

pexpect runs the binary on a pseudo-terminal; pyte keeps the screen a real
terminal would show. Each step waits until the screen matches, with a
deadline, never a fixed sleep. Prints TAP.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
try:
    import pexpect
    import pyte  # noqa: F401 (used through ptyscreen)
    from ptyscreen import PtyScreen
except ImportError as e:  # pragma: no cover
    print("1..1")
    print(f"ok 1 - terminal tests # SKIP python3-pexpect or python3-pyte missing ({e})")
    sys.exit(0)

MAPPE = os.environ["MAPPE_BIN"]
GEN = os.environ["MAPPE_GEN"]
ADMIN_PASS = "admin passphrase 1"
KARI_PASS = "kari's own passphrase"
n = 0


def ok(cond, name, why=""):
    global n
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {name}")
    if not cond and why:
        for line in why.splitlines():
            print(f"#   {line}")
    sys.stdout.flush()
    return cond


def Term(args, env, cols=80, rows=24):
    """mappe on a pty of a given size, with the screen as pyte sees it."""
    return PtyScreen(MAPPE, args, env, cols, rows)


def main():
    tmp = tempfile.mkdtemp()
    try:
        run(tmp)
    except Exception as e:  # a crash is one failure, with its reason
        ok(False, "the terminal session ran to its end", repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")


def sh(args, stdin=None, fds=None):
    return subprocess.run(args, input=stdin, capture_output=True, pass_fds=fds or ())


def run(tmp):
    db = os.path.join(tmp, "store")
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8", TZ="UTC", HOME=tmp)
    env.pop("NO_COLOR", None)

    def with_pass(args, passphrase, newpass=None):
        r, w = os.pipe()
        os.write(w, (passphrase + "\n").encode())
        os.close(w)
        extra = ["--passphrase-fd", str(r)]
        fds = [r]
        if newpass is not None:
            r2, w2 = os.pipe()
            os.write(w2, (newpass + "\n").encode())
            os.close(w2)
            extra += ["--new-passphrase-fd", str(r2)]
            fds.append(r2)
        res = subprocess.run([MAPPE, "--db", db] + args + extra, capture_output=True,
                             pass_fds=fds, env=env)
        for fd in fds:
            os.close(fd)
        return res

    r, w = os.pipe()
    os.write(w, (ADMIN_PASS + "\n").encode())
    os.close(w)
    subprocess.run([MAPPE, "--db", db, "--user", "ada", "init", "--new-passphrase-fd", str(r)],
                   pass_fds=[r], env=env, capture_output=True, check=True)
    os.close(r)
    csv = os.path.join(tmp, "c.csv")
    with open(csv, "wb") as f:
        f.write(subprocess.run([GEN, "--seed", "5", "--count", "30"], capture_output=True,
                               check=True).stdout)
        f.write("in_programme,kari,Олена,Шевченко,1987-03-12,female,,UA,,uk,Harstad,"
                "\"Storgata 5\",true\n".encode())
    with_pass(["--user", "ada", "import", csv], ADMIN_PASS)
    extra = os.path.join(tmp, "p.csv")
    with open(extra, "w") as f:
        f.write("given_name,family_name,protected_address\nLeyla,Hemmelig,Skjult vei 9\n")
    with_pass(["--user", "ada", "import", extra], ADMIN_PASS)
    with_pass(["--user", "ada", "user", "add", "kari", "--role", "caseworker"], ADMIN_PASS,
              "initial pass kari")

    # First login: the initial passphrase must be replaced before anything else.
    t = Term(["--db", db, "--user", "kari"], env)
    ok(t.wait("Passphrase:"), "asks for the passphrase on a clean screen")
    t.send("initial pass kari\r")
    ok(t.wait("new passphrase"), "an initial passphrase must be changed first", t.text())
    t.send(KARI_PASS + "\r")
    t.wait("Repeat")
    t.send(KARI_PASS + "\r")
    ok(t.wait("Cases"), "then the case list opens", t.text())
    ok("kari (caseworker)" in t.text(), "the title says who is logged in")
    ok(t.wait("? Help"), "the key bar shows help", t.text())

    # Search in Latin for a Cyrillic name, open it.
    t.send("/olena shev")
    ok(t.wait("Олена Шевченко"), "olena shev finds Олена Шевченко", t.text())
    t.send("\r")
    ok(t.wait("Case ") and t.wait("Шевченко"), "Enter opens the case", t.text())

    # Resize to 40x12 and back, at any moment.
    t.resize(40, 12)
    ok(t.wait("Case") and all(len(l.rstrip()) <= 40 for l in t.screen.display),
       "resized to 40x12 the case still shows", t.text())
    t.resize(30, 8)
    ok(t.wait("too small"), "below the minimum a clear message", t.text())
    t.resize(80, 24)
    ok(t.wait("Family name"), "back at 80x24 the case view returns", t.text())
    t.send("q")
    ok(t.wait("Name"), "q goes back to the list", t.text())

    # Edit and save: the phone of Олена Шевченко.
    t.send("\x1b")  # Esc clears the last search
    t.wait("32/32")
    t.send("/olena shev")
    t.wait("Олена Шевченко")
    t.send("\r")
    t.wait("Family name")
    t.send("e")
    ok(t.wait("Editing case"), "e opens the form", t.text())
    for _ in range(12):  # down to the phone field
        t.send("\x1bOB")  # cursor down, as xterm sends it in keypad mode
    t.send("\x15912 34 567")  # ^U clears the field first; a Norwegian number, no +47
    t.send("\x13")  # ^S
    ok(t.wait("Saved: version 2"), "^S saves with a new version", t.text())
    ok(t.wait("+47 912 34 567"), "the case view shows the saved phone, +47 added, grouped", t.text())
    t.send("q")
    t.wait("Name")
    t.send("\x1b")
    ok(t.wait("32/32"), "back in the full list", t.text())
    ok(any("\u0600" <= ch <= "\u06ff" for ch in t.text()), "Arabic names are drawn", t.text())

    # A protected address stays locked for a caseworker.
    t.send("/leyla")
    t.wait("Leyla Hemmelig")
    t.send("\r")
    ok(t.wait("[locked: needs the protected key]"), "a locked field says locked", t.text())
    t.send("q")
    t.wait("Name")
    t.send("\x1b")  # Esc clears the search
    ok(t.wait("32/32"), "Esc clears the search", t.text())
    t.send("q")
    try:
        t.child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        pass
    t.seen += t.child.before or b""
    t.child.close()
    ok(t.child.exitstatus == 0, "q quits with exit 0", f"exit {t.child.exitstatus}")

    seen = t.seen.decode("utf-8", "replace")

    # The link drops in the middle of an edit: nothing typed is lost.
    d = Term(["--db", db, "--user", "kari"], env)
    d.wait("Passphrase:")
    d.send(KARI_PASS + "\r")
    d.wait("Name")
    d.send("/olena shev")
    d.wait("Олена Шевченко")
    d.send("\r")
    d.wait("Family name")
    d.send("e")
    d.wait("Editing case")
    for _ in range(12):
        d.send("\x1bOB")
    d.send("\x15+47 955 55 555")
    d.wait("+47 955 55 555")
    os.close(d.child.child_fd)  # the terminal goes away: SIGHUP
    try:
        _, status = os.waitpid(d.child.pid, 0)
    except ChildProcessError:
        status = 0
    ok(os.WIFEXITED(status) or os.WIFSIGNALED(status), "mappe ends when its terminal goes away")

    r = Term(["--db", db, "--user", "kari"], env)
    r.wait("Passphrase:")
    r.send(KARI_PASS + "\r")
    ok(r.wait("Restore unsaved changes to case"), "the next login offers the kept changes", r.text())
    r.send("y")
    ok(r.wait("+47 955 55 555"), "the form comes back with what was typed", r.text())
    r.send("\x13")
    ok(r.wait("Saved: version 3") and r.wait("+47 955 55 555"), "and it saves", r.text())
    r.send("q")
    r.wait("Name")
    r.send("\x1b")
    time.sleep(0.1)
    r.send("q")
    try:
        r.child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        pass
    r.child.close()
    r2 = Term(["--db", db, "--user", "kari"], env)
    r2.wait("Passphrase:")
    r2.send(KARI_PASS + "\r")
    ok(r2.wait("Name") and "Restore" not in r2.text(), "a restored draft is not offered again",
       r2.text())
    r2.send("q")
    try:
        r2.child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        pass
    r2.child.close()
    res = with_pass(["--user", "ada", "check"], ADMIN_PASS)
    ok(res.returncode == 0, "the store is intact after the dropped session", res.stdout)

    # Idle lock: after MAPPE_IDLE_LOCK seconds without a key, names leave the screen.
    idle_env = dict(env, MAPPE_IDLE_LOCK="2")
    i = Term(["--db", db, "--user", "kari"], idle_env)
    i.wait("Passphrase:")
    i.send(KARI_PASS + "\r")
    i.wait("Name")
    ok(i.wait("mappe is locked", deadline=15), "an idle session locks itself", i.text())
    ok("Шевченко" not in i.text() and "Name" not in i.text(), "and no name stays on the screen",
       i.text())
    i.send("not it\r")
    ok(i.wait("authentication failed"), "a wrong passphrase does not unlock", i.text())
    i.send(KARI_PASS + "\r")
    ok(i.wait("Name") and i.wait("/32"), "the passphrase brings the list back", i.text())
    i.send("q")
    try:
        i.child.expect(pexpect.EOF, timeout=10)
    except pexpect.TIMEOUT:
        pass
    i.child.close()
    for f in os.listdir(db):
        with open(os.path.join(db, f), "rb") as fh:
            data = fh.read()
        ok(b"955 55 555" not in data and b"95555555" not in data,
           f"the draft is not in {f} in clear")
    ok(KARI_PASS not in seen and "initial pass kari" not in seen,
       "no passphrase ever reaches the terminal")
    ok("Skjult vei" not in seen, "a locked field's value never reaches the terminal")
    ok("\x1b[?1049h" in seen and "\x1b[?1049l" in seen,
       "the alternate screen is used, so nothing stays in scrollback")


if __name__ == "__main__":
    main()
