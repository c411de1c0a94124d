#!/usr/bin/python3
"""Live data: what colleagues do shows up in an open session, no key pressed.

An open session sits on the case list while other processes (a colleague's
`mappe update`, a `mappe import`, a key rotation) write to the same store.
Within a few seconds, with nothing typed, the list shows the new name and
the new case, search finds the new case, and the keys screen shows the new
epoch. pexpect runs mappe on a pty and pyte keeps the screen. Prints TAP.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from mappetest import login, main, mappe, need_pty, ok, secret_fd, synth  # noqa: E402

need_pty("live tests")

MAPPE = os.environ["MAPPE_BIN"]
ADMIN_PASS = "admin passphrase 1"
LIVE = 5.0  # "within a few seconds": the session looks every half second


def run(tmp):
    db = os.path.join(tmp, "store")
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8", TZ="UTC", HOME=tmp)
    env.pop("NO_COLOR", None)

    def as_ada(args, stdin=None):
        """Another process, as a colleague's shell would run it."""
        return mappe(db, ["--user", "ada"] + args, env, ADMIN_PASS, stdin=stdin)

    mappe(db, ["--user", "ada", "init"], env, new_passphrase=ADMIN_PASS, check=True)
    csv = os.path.join(tmp, "c.csv")
    with open(csv, "wb") as f:
        f.write(synth(7, 8))
    as_ada(["import", csv])
    one = os.path.join(tmp, "one.csv")
    with open(one, "w") as f:
        f.write("given_name,family_name,birth_date\nIngrid,Testesen,1980-01-02\n")
    res = as_ada(["import", one])
    ok(res.returncode == 0, "a named case is imported", res.stderr.decode())
    ingrid = res.stdout.decode().split()[0]

    t = login(db, "ada", ADMIN_PASS, env)
    ok(t.wait("9/9"), "the session opens on the list of 9 cases", t.text())
    ok("Ingrid Testesen" in t.text(), "the list shows Ingrid Testesen", t.text())

    # A colleague renames her, from another process; nothing is typed here.
    res = as_ada(["update", ingrid], stdin=json.dumps({"given_name": "Ingeborg"}).encode())
    ok(res.returncode == 0, "a colleague's mappe update saves", res.stderr.decode())
    ok(t.wait("Ingeborg Testesen", LIVE), "the open list shows the new name, no key pressed",
       t.text())
    ok("Ingrid Testesen" not in t.text(), "and no longer the old one", t.text())

    # A new import: in the list and the count, then found by search.
    new = os.path.join(tmp, "new.csv")
    with open(new, "w") as f:
        f.write("given_name,family_name,birth_date\nZelmira,Nyankomst,1991-05-06\n")
    res = as_ada(["import", new])
    ok(res.returncode == 0, "a colleague's mappe import adds a case", res.stderr.decode())
    ok(t.wait("10/10", LIVE), "the count moves to 10 cases, no key pressed", t.text())
    ok("Zelmira Nyankomst" in t.text(), "the new case is in the open list", t.text())
    t.send("/zelmira")
    ok(t.wait("1/10"), "search finds the new case", t.text())
    ok("Zelmira Nyankomst" in t.text(), "by its name", t.text())

    # While a search is shown, a rename that makes it match shows up too.
    res = as_ada(["update", ingrid], stdin=json.dumps({"given_name": "Zelmira"}).encode())
    ok(t.wait("2/10", LIVE), "a search on screen takes in a colleague's rename", t.text())
    ok("Zelmira Testesen" in t.text(), "and shows the renamed case among its hits", t.text())
    t.send("\x1b")  # Esc while typing clears the search
    ok(t.wait("10/10"), "Esc clears the search", t.text())

    # An open case follows a colleague's save when it is on top.
    t.send("/nyankomst")
    t.wait("1/10")
    t.send("\r")
    ok(t.wait("Family name"), "the new case opens", t.text())
    zid = None
    for line in t.screen.display:
        if "Case " in line and "version" in line:
            zid = line.split("Case ")[1].split()[0]
    ok(zid is not None and t.wait("version 1"), "at version 1", t.text())
    res = as_ada(["update", zid], stdin=json.dumps({"family_name": "Nyborg"}).encode())
    ok(t.wait("version 2", LIVE) and t.wait("Nyborg", 1), "the open case shows the colleague's save",
       t.text())
    t.send("q")
    t.wait("Name")
    t.send("\x1b")
    ok(t.wait("Zelmira Nyborg"), "the list has the saved name too", t.text())

    # The keys screen follows a rotation started elsewhere.
    def identity_at(epoch):
        t.pump()
        line = [l for l in t.screen.display if l.strip().startswith("identity")]
        return bool(line) and line[0].split()[1] == epoch and "rotating" not in line[0]

    def wait_identity(epoch, deadline):
        end = time.time() + deadline
        while time.time() < end and not identity_at(epoch):
            t.pump(0.1)
        return identity_at(epoch)

    t.send("K")
    ok(t.wait("Held by"), "K opens the keys screen", t.text())
    ok(wait_identity("1", 5), "identity is at epoch 1", t.text())
    res = as_ada(["keys", "rotate", "--class", "identity"])
    ok(res.returncode == 0, "a rotation runs in another process", res.stderr.decode())
    ok(wait_identity("2", LIVE), "the keys screen shows epoch 2, no key pressed", t.text())

    # A longer rotation elsewhere: its progress shows while it runs.
    many = os.path.join(tmp, "many.csv")
    with open(many, "wb") as f:
        f.write(synth(11, 3000))
    res = as_ada(["import", many])
    ok(res.returncode == 0, "3000 more cases are imported", res.stderr.decode())
    rp = secret_fd(ADMIN_PASS)
    rot = subprocess.Popen([MAPPE, "--db", db, "--user", "ada", "keys", "rotate", "--class",
                            "identity", "--batch", "5", "--passphrase-fd", str(rp)],
                           pass_fds=[rp], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    os.close(rp)
    ok(t.wait("rotating 2→3", LIVE), "the keys screen shows a rotation running elsewhere",
       t.text())
    rot.wait(120)
    ok(rot.returncode == 0, "that rotation ends", f"exit {rot.returncode}")

    ok(wait_identity("3", LIVE), "and then shows epoch 3, no key pressed", t.text())

    # A rotation started here can be left: q stops it after its first
    # batch (q is waiting before the batch ends), r resumes it.
    t.send("\x1bOB")  # down to identity
    t.send("r")
    ok(t.wait("Rotate the identity key now?"), "r asks before rotating", t.text())
    t.send("yq")
    ok(t.wait("rotation stopped at"), "q stops the rotation and says how far it got", t.text())
    ok(t.wait("rotating 3→4"), "the screen shows it in progress, resumable", t.text())
    t.send("r")
    t.wait("Rotate the identity key now?")
    t.send("y")
    ok(t.wait("epoch 4 active", 60), "r again resumes it to the end", t.text())
    ok(wait_identity("4", 5), "identity is at epoch 4", t.text())
    t.send("q")
    t.wait("Name")

    # An open form keeps what it started from: the case under it is not
    # read again while it is open, so a colleague's save of another field
    # meanwhile is told apart from one of the field being edited.
    t.send("/nyborg")
    t.wait(" 1/3010")  # the whole query typed: one hit of every case
    t.send("\r")
    ok(t.wait("Nyborg") and t.wait("version 2"), "the case opens again", t.text())
    t.send("e")
    ok(t.wait("Editing case"), "e opens the form", t.text())
    res = as_ada(["update", zid], stdin=json.dumps({"family_name": "Nyvik"}).encode())
    ok(res.returncode == 0, "a colleague saves another field meanwhile", res.stderr.decode())
    end = time.time() + 2.0  # at least three wakes of the open session
    while time.time() < end:
        t.pump(0.1)
    ok("Editing case" in t.text() and "version 2" in t.text(),
       "the form stays as it was, at the version it opened", t.text())
    t.send("\x15Sara")  # ^U, then our given name
    t.wait("Sara")
    t.send("\x13")  # ^S
    # The colleague here is the same user in another process.
    ok(t.wait("You saved case"), "the save meets the colleague's", t.text())
    ok(t.wait("They changed other fields than you"),
       "no field in dispute: the form compared with what it started from", t.text())
    t.send("\x13")  # save ours on top of theirs
    ok(t.wait("version 4") and t.wait("Sara", 1) and "Nyvik" in t.text(),
       "both saves are kept: Sara Nyvik at version 4", t.text())
    t.send("q")
    t.wait("Name")
    t.send("q")
    t.end()
    ok(t.child.exitstatus == 0, "q quits with exit 0", f"exit {t.child.exitstatus}")


if __name__ == "__main__":
    main(run, "live session")
