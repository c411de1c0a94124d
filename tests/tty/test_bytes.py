#!/usr/bin/python3
"""What one typed character in a form sends to a real terminal, structurally.

The numbers (bytes per keystroke against issue 9's targets) are `make
bench`'s (tests/bench/ptybytes.py); this pins the shape they depend on, with
bounds far from any timing or byte count: a character typed at the end of
the field being edited is written once, with no cursor move, no line
redrawn, and at most one attribute set (no colour pair) and the reset
curses always ends an update with; and moving the list's selection does not
end with a move of the hidden cursor. Prints TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
try:
    import pexpect  # noqa: F401 (used through ptyscreen)
    from ptyscreen import PtyScreen
except ImportError as e:  # pragma: no cover
    print("1..1")
    print(f"ok 1 - terminal bytes # SKIP python3-pexpect or python3-pyte missing ({e})")
    sys.exit(0)

MAPPE = os.environ["MAPPE_BIN"]
GEN = os.environ["MAPPE_GEN"]
PASS = "admin passphrase 1"
SGR = re.compile(rb"\x1b\[[0-9;]*m")
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


def quiet(t, idle=0.3, deadline=5.0):
    """Read until mappe has written nothing for `idle` seconds."""
    end, last, size = time.time() + deadline, time.time(), len(t.seen)
    while time.time() < end and time.time() - last < idle:
        t.pump(0.05)
        if len(t.seen) != size:
            size, last = len(t.seen), time.time()


def typed(t, ch, so_far):
    start = len(t.seen)
    t.send(ch)
    t.wait(so_far)
    quiet(t)
    return t.seen[start:]


def with_pass(args, env):
    r, w = os.pipe()
    os.write(w, (PASS + "\n").encode())
    os.close(w)
    res = subprocess.run([MAPPE] + args + ["--passphrase-fd", str(r)], pass_fds=[r], env=env,
                         capture_output=True)
    os.close(r)
    return res


def run(tmp):
    db = os.path.join(tmp, "store")
    base = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC", HOME=tmp)
    base.pop("NO_COLOR", None)
    r, w = os.pipe()
    os.write(w, (PASS + "\n").encode())
    os.close(w)
    subprocess.run([MAPPE, "--db", db, "--user", "ada", "init", "--new-passphrase-fd", str(r)],
                   pass_fds=[r], env=base, capture_output=True, check=True)
    os.close(r)
    csv = os.path.join(tmp, "c.csv")
    with open(csv, "wb") as f:
        f.write(subprocess.run([GEN, "--seed", "3", "--count", "20", "--basic"], capture_output=True,
                               check=True).stdout)
    with_pass(["--db", db, "--user", "ada", "import", csv], base)

    for term, nocolor in (("xterm-256color", False), ("xterm", False), ("xterm", True)):
        env = dict(base, TERM=term)
        if nocolor:
            env["NO_COLOR"] = "1"
        what = f"TERM={term}" + (" NO_COLOR" if nocolor else "")
        t = PtyScreen(MAPPE, ["--db", db, "--user", "ada"], env)
        try:
            t.wait("Passphrase:")
            t.send(PASS + "\r")
            if not ok(t.wait("Cases", 20), f"{what}: the list opens", t.text()):
                continue
            # A selection move: the hidden cursor is left where the last
            # change put it, not moved on (a move on every update).
            parked = []
            for key in ("\x1b[B", "\x1b[A", "\x1b[B", "\x1b[A"):
                start = len(t.seen)
                t.send(key)
                quiet(t)
                out = t.seen[start:]
                tail = re.sub(rb"(?:\x1b\(B|\x1b\[[0-9;]*m)+$", b"", out)
                if not out or re.search(rb"(?:\x1b\[[0-9;]*[HdG]|\r)$", tail):
                    parked.append(out)
            ok(not parked, f"{what}: a selection move does not move the hidden cursor after it",
               "\n".join(repr(o[-60:]) for o in parked[:2]))
            t.send("a")
            if not ok(t.wait("New case"), f"{what}: a opens the new-case form", t.text()):
                continue
            quiet(t)
            so_far, outs = "", []
            for ch in "Abcdefgh":
                so_far += ch
                outs.append(typed(t, ch, so_far))
            ok(so_far in t.text(), f"{what}: the typed text is in the field", t.text())
            # The first character may also change the hints; the rest must
            # be the character alone, in the field's one attribute.
            rest = outs[1:]
            bad = [o for o in rest if len(SGR.findall(o)) > 2]
            ok(not bad, f"{what}: a typed character sets one attribute and resets it, "
               "no colour pair", "\n".join(repr(o) for o in bad[:3]))
            moved = [o for o in rest if re.search(rb"\x1b\[[0-9;]*[HdGK]|\r", o)]
            ok(not moved, f"{what}: a typed character moves no cursor and clears no line",
               "\n".join(repr(o) for o in moved[:3]))
            for ch, o in zip("bcdefgh", rest):
                plain = SGR.sub(b"", o).replace(b"\x1b(B", b"")
                if plain != ch.encode():
                    ok(False, f"{what}: only the character itself is written", repr(o))
                    break
            else:
                ok(True, f"{what}: only the character itself is written")
        finally:
            t.child.terminate(force=True)


def main():
    tmp = tempfile.mkdtemp()
    try:
        run(tmp)
    except Exception as e:  # a crash is one failure, with its reason
        ok(False, "the terminal session ran to its end", repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")


if __name__ == "__main__":
    main()
