#!/usr/bin/python3
"""Keys from real terminals: mappe on a pty, read through a terminal emulator.

The sequences PuTTY (its defaults), xterm, tmux/screen and the Linux console
send are typed on the list and into a form field, with TERM set as each of
them sets it. Every sequence is a key or nothing: none may be read as Esc
(which quits the list) or typed into a field. TERM=dumb, an unknown TERM or
none gets a message and exit 1, not garbage. Prints TAP.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mappetest import Term, main, mappe, need_pty, ok  # noqa: E402

need_pty("terminal key tests")
import pexpect  # noqa: E402

MAPPE = os.environ["MAPPE_BIN"]
DEMO_PASS = "mappe demo store"
HELP = "Keys on this screen"

ESC = "\x1b"
# What each terminal sends, in the keypad mode curses asks for (smkx).
PUTTY = {  # PuTTY's defaults: "ESC[n~" function keys, "Standard" Home/End
    "F1": ESC + "[11~", "F2": ESC + "[12~", "F5": ESC + "[15~",
    "Home": ESC + "[1~", "End": ESC + "[4~", "Ins": ESC + "[2~", "Del": ESC + "[3~",
    "PgUp": ESC + "[5~", "PgDn": ESC + "[6~", "Up": ESC + "OA", "Down": ESC + "OB",
    "Ctrl-Right": ESC + "OC",  # PuTTY sends Ctrl-arrows as the other cursor mode
}
XTERM = {
    "F1": ESC + "OP", "F5": ESC + "[15~", "Home": ESC + "OH", "End": ESC + "OF",
    "Ins": ESC + "[2~", "Del": ESC + "[3~", "PgUp": ESC + "[5~", "PgDn": ESC + "[6~",
    "Home (normal mode)": ESC + "[H", "End (normal mode)": ESC + "[F",
    "Ctrl-Right": ESC + "[1;5C", "Shift-F1": ESC + "[1;2P", "Ctrl-F5": ESC + "[15;5~",
}
SCREEN = {  # tmux and screen, TERM=screen-256color
    "F1": ESC + "OP", "F5": ESC + "[15~", "Home": ESC + "[1~", "End": ESC + "[4~",
    "Ins": ESC + "[2~", "Del": ESC + "[3~", "PgUp": ESC + "[5~", "PgDn": ESC + "[6~",
    "Ctrl-Right": ESC + "[1;5C",
}
LINUX = {  # the Linux console
    "F1": ESC + "[[A", "F5": ESC + "[[E", "Home": ESC + "[1~", "End": ESC + "[4~",
    "Ins": ESC + "[2~", "Del": ESC + "[3~", "PgUp": ESC + "[5~", "PgDn": ESC + "[6~",
    "Up": ESC + "[A",
}
# Whatever the terminal: nothing we know, or Alt with a key.
ANY = {
    "an unknown CSI (ESC[99~)": ESC + "[99~", "a private CSI (ESC[?1;2c)": ESC + "[?1;2c",
    "bracketed paste's start (ESC[200~)": ESC + "[200~", "rxvt Home (ESC[7~)": ESC + "[7~",
    "rxvt End (ESC[8~)": ESC + "[8~", "an unknown SS3 (ESC O z)": ESC + "Oz",
    "Alt-x": ESC + "x", "Alt-q": ESC + "q", "Alt-Enter": ESC + "\r",
    "Alt-F1 (ESC ESC O P)": ESC + ESC + "OP",
}


def have_terminfo(term):
    return subprocess.run(["infocmp", term], capture_output=True).returncode == 0


def env_for(tmp, term):
    env = dict(os.environ, LC_ALL="C.UTF-8", TZ="UTC", HOME=tmp)
    env.pop("NO_COLOR", None)
    if term is None:
        env.pop("TERM", None)
    else:
        env["TERM"] = term
    return env


def start(tmp, name, term):
    """mappe demo on its own store (a form left open becomes a draft)."""
    db = os.path.join(tmp, "demo-" + name)
    t = Term(["--db", db, "--user", "ada", "demo", "--cases", "30"], env_for(tmp, term))
    t.wait("30/30", 60)
    return t


def on_list(t):
    return t.wait("30/30") and "Name" in t.text() and t.child.isalive()


def list_keys(t, label, keys):
    """Each key on the list: still running, the list still shown."""
    for key, seq in keys.items():
        t.send(seq)
        if key in ("F1", "Alt-F1 (ESC ESC O P)"):
            if key == "F1":
                ok(t.wait(HELP), f"{label}: F1 on the list opens help", t.text())
                t.send("q")
            ok(on_list(t), f"{label}: {key} on the list, and mappe is still there", t.text())
            continue
        # Help and back: the next key is read as itself, and the list is there.
        t.send("?")
        shown = t.wait(HELP)
        t.send("q")
        ok(shown and on_list(t), f"{label}: {key} on the list, and mappe is still there",
           t.text())


def field(t):
    """The focused field's text in the form (the line marked ›, and • once
    it differs from the value read)."""
    for line in t.screen.display:
        if line.startswith(" › ") or line.startswith(" ›•"):
            return line[25:].rstrip()
    return None


def wait_field(t, want, deadline=5.0):
    return t.wait_until(lambda: field(t) == want, deadline)


def form_keys(t, label, keys):
    t.send("\r")
    t.wait("Family name")
    t.send("e")
    t.wait("Editing case")
    if not ok(t.wait_until(lambda: field(t) is not None), f"{label}: the form opens",
              t.text()):
        return
    t.send("\x15")  # ^U: the field empty
    ok(wait_field(t, ""), f"{label}: ^U empties the field", t.text())

    # Home, End and Del edit the field as the terminal sends them.
    t.send("abc" + keys["Home"] + "X" + keys["End"] + "Z")
    ok(wait_field(t, "XabcZ"), f"{label}: Home and End in a field", repr(field(t)))
    t.send(keys["Home"] + keys["Del"])
    ok(wait_field(t, "abcZ"), f"{label}: Del in a field", repr(field(t)))
    t.send("\x15")
    wait_field(t, "")

    # Keys that edit nothing type nothing: the field holds the letters alone.
    typed = ""
    for key, seq in list(keys.items()) + list(ANY.items()):
        if key in ("Home", "End", "Del", "Up", "Down", "PgUp", "PgDn", "F1", "F2", "Ctrl-Right",
                   "Shift-F1", "Home (normal mode)", "End (normal mode)", "rxvt Home (ESC[7~)",
                   "rxvt End (ESC[8~)", "Alt-F1 (ESC ESC O P)"):
            continue  # they move, save or open help: tried above and on the list
        letter = "ghijklmnopqrstuvw"[len(typed) % 17]
        t.send(seq + letter)
        typed += letter
        got = wait_field(t, typed, 3)
        ok(got and t.child.isalive() and "Editing case" in t.text(),
           f"{label}: {key} in a field types nothing", f"field {field(t)!r}, want {typed!r}")
        if not got:
            return
    f = field(t) or ""
    ok(not any(c in f for c in "~[;0123456789"),
       f"{label}: no '~', '[' or digits of a sequence in the field", repr(f))

    # The keypad in application mode types what is on its keys: 7 is ESC O w
    # (xterm's terminfo calls it ka1, the top left key), 0 ESC O p (kpZRO),
    # + ESC O k (kpADD), 5 ESC O u (kb2).
    t.send(ESC + "Ow" + ESC + "Op" + ESC + "Ok" + ESC + "Ou")
    typed += "70+5"
    ok(wait_field(t, typed), f"{label}: the keypad's 7, 0, + and 5 type them", repr(field(t)))

    # F1 opens help over the form, which is still there after it.
    t.send(keys["F1"])
    ok(t.wait(HELP), f"{label}: F1 in the form opens help", t.text())
    t.send("q")
    ok(t.wait("Editing case") and wait_field(t, typed), f"{label}: back in the form, text kept",
       t.text())


def session(tmp, name, term, keys):
    label = f"TERM={term}" + ("" if name == term else f" ({name})")
    t = start(tmp, name, term)
    if not ok(on_list(t), f"{label}: the list opens", t.text()):
        t.child.terminate(force=True)
        return
    list_keys(t, label, dict(keys, **ANY))

    # A sequence a slow link splits after ESC [ is still one key.
    t.send(ESC + "[1")
    t.pump(0.1)
    t.send("1~")
    ok(t.wait(HELP), f"{label}: F1 split in two writes is still F1", t.text())
    t.send("q")
    ok(on_list(t), f"{label}: back on the list", t.text())

    # A lone Esc is still Esc: it clears a search.
    t.send("/zzzz")
    t.wait("0/30")
    t.send(ESC)
    ok(t.wait("30/30"), f"{label}: a lone Esc still clears the search", t.text())

    form_keys(t, label, keys)
    t.child.terminate(force=True)


def refused(tmp, term, what):
    """mappe on a pty with this TERM: one clear line, exit 1, no screen."""
    db = os.path.join(tmp, "demo-xterm")
    for args, cmd in ((["--db", db, "--user", "ada", "demo"], "mappe demo"),
                      (["--db", db, "--user", "ada"], "mappe")):
        child = pexpect.spawn(MAPPE, args, env=env_for(tmp, term), dimensions=(24, 80))
        try:
            child.expect(pexpect.EOF, timeout=10)
        except pexpect.TIMEOUT:  # the screens started after all
            child.terminate(force=True)
        out = child.before.decode("utf-8", "replace")
        child.close()
        ok(child.exitstatus == 1, f"{what}: {cmd} exits 1", f"{child.exitstatus} {out!r}")
        ok("need a terminal like xterm" in out and "mappe --help" in out,
           f"{what}: {cmd} says the screens need a terminal", repr(out))
        ok("\x1b" not in out and "Passphrase" not in out,
           f"{what}: {cmd} draws nothing and asks for nothing", repr(out))


def run(tmp):
    session(tmp, "xterm", "xterm", XTERM)
    if have_terminfo("putty"):
        session(tmp, "putty", "putty", PUTTY)
    session(tmp, "putty-as-xterm", "xterm", PUTTY)
    session(tmp, "screen-256color", "screen-256color", SCREEN)
    session(tmp, "tmux", "screen-256color", XTERM)  # tmux passes xterm keys through
    session(tmp, "linux", "linux", LINUX)

    refused(tmp, "dumb", "TERM=dumb")
    refused(tmp, "no-such-terminal", "an unknown TERM")
    refused(tmp, None, "TERM unset")

    # The commands still work there.
    res = mappe(os.path.join(tmp, "demo-xterm"), ["--user", "ada", "show", "1"],
                env_for(tmp, "dumb"), DEMO_PASS)
    ok(res.returncode == 0 and b"Given name" in res.stdout,
       "TERM=dumb: mappe show still works", res.stderr.decode(errors="replace"))


main(run, "terminal key session")
