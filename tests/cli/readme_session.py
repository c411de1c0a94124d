"""Run README.md's "A first session" as a new user would type it, on a pty.

Called by tests/cli/test_readme.sh (not run on its own by tests/run.sh):
    readme_session.py README WORKDIR
WORKDIR holds ./mappe and ./mappe-gen; HOME is the test's. Every "$ " line
of the section's indented block (with its "> " lines, as bash shows a command
that goes on) runs in bash on a terminal, after the block's "export" lines
before it; the passphrase
prompts it shows are answered as the person would, and what the terminal
shows (prompts, output, errors) must equal the lines under the command in
the README. In the README, a line "..." stands for any number of lines; the
home directory is shown as /home/ada; a journal time (YYYY-MM-DD HH:MM) may
be any. Prints one line per command, "ok<TAB>NAME" or "not ok<TAB>NAME",
then "# " lines with a diff.
"""
import difflib
import os
import re
import sys

import pexpect

SHOWN_HOME = "/home/ada"
TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b")


def session(readme):
    """The commands of "A first session" and the lines shown under each."""
    text = open(readme, encoding="utf-8").read().split("\n")
    try:
        start = text.index("## A first session") + 1
    except ValueError:
        return []
    cmds = []
    for line in text[start:]:
        if line.startswith("## "):
            break
        if line and not line.startswith("    "):
            if cmds:  # the block has ended
                break
            continue
        line = line[4:]
        if line.startswith("$ "):
            cmds.append((line[2:], []))
        elif line.startswith("> ") and cmds and not cmds[-1][1]:
            # bash's PS2: the command goes on on this line
            cmds[-1] = (cmds[-1][0] + "\n" + line[2:], [])
        elif cmds:
            cmds[-1][1].append(line)
    for _, out in cmds:
        while out and not out[-1].strip():
            out.pop()
    return cmds


def normal(lines):
    return [TIME.sub("YYYY-MM-DD HH:MM", l.rstrip()) for l in lines]


def matches(want, got):
    """want's "..." lines stand for zero or more lines of got."""
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and want[0] == got[0] and matches(want[1:], got[1:])


def collapse(want, got):
    """got, with the lines a "..." of want stands for shown as "...", so that
    a diff shows only what differs."""
    out, i = [], 0
    for k, w in enumerate(want):
        if w == "...":
            rest = want[k + 1:]
            anchor = next((r for r in rest if r != "..."), None)
            if anchor is not None and anchor in got[i:]:
                j = got.index(anchor, i)
            else:
                j = max(i, len(got) - len(rest))
            if j > i:
                out.append("...")
            i = j
        elif i < len(got):
            out.append(got[i])
            i += 1
    return out + got[i:]


class People:
    """The passphrases each person has and will type: one made up per
    prompt, remembered as the README's story goes on."""

    def __init__(self):
        self.pass_of = {}
        self.last = None

    def answer(self, cmd, prompt):
        user = re.search(r"--user (\S+)", cmd)
        user = user.group(1) if user else None
        new = re.search(r"user add (\S+)", cmd)
        admin = re.search(r"--admin (\S+)", cmd)
        if prompt.startswith("Repeat"):
            return self.last
        if prompt.startswith("New passphrase for the administrator"):
            who = admin.group(1) if admin else None
            self.pass_of[who] = self.last = f"{who}'s first passphrase"
        elif prompt.startswith("Initial passphrase"):
            who = new.group(1) if new else None
            self.pass_of[who] = self.last = f"initial passphrase for {who}"
        elif prompt.startswith("New passphrase"):
            self.pending = (user, f"{user}'s own passphrase")
            self.last = self.pending[1]
        else:  # "Passphrase:", "Current passphrase:"
            self.last = self.pass_of.get(user, "no passphrase known")
        return self.last

    def done(self, ok):
        pending = getattr(self, "pending", None)
        if ok and pending:
            self.pass_of[pending[0]] = pending[1]
        self.pending = None


def run(cmd, cwd, people):
    p = pexpect.spawn("/bin/bash", ["-c", cmd], cwd=cwd, encoding="utf-8",
                      dimensions=(24, 80), timeout=120)
    shown = []
    while True:
        i = p.expect([r"([^\r\n]*[Pp]assphrase[^\r\n]*: |Repeat: )$", pexpect.EOF])
        shown.append(p.before)
        if i == 1:
            break
        shown.append(p.after)
        p.sendline(people.answer(cmd, p.match.group(0)))
    p.close()
    people.done(p.exitstatus == 0)
    text = "".join(shown).replace("\r\n", "\n").replace("\r", "")
    home = os.environ["HOME"]
    lines = text.replace(home, SHOWN_HOME).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return p.exitstatus, lines


def main():
    readme, cwd = sys.argv[1], sys.argv[2]
    cmds = session(readme)
    if not cmds:
        print("not ok\tthe README has a first session\n# no \"$ \" lines under '## A first session'")
        return
    people = People()
    exports = ""
    for cmd, want in cmds:
        # Each command runs in a shell of its own: what the README exported
        # before it is exported again.
        rc, got = run(exports + cmd, cwd, people)
        if cmd.startswith("export "):
            exports += cmd + "\n"
        name = "README: $ " + cmd.split("\n")[0]
        if rc == 0 and matches(normal(want), normal(got)):
            print(f"ok\t{name}")
            continue
        print(f"not ok\t{name}")
        if rc != 0:
            print(f"# exit {rc}")
        want, got = normal(want), normal(got)
        diff = difflib.unified_diff(want, collapse(want, got), "README shows", "the terminal shows",
                                    lineterm="", n=2)
        for d in list(diff)[:40]:
            print("#   " + d)


if __name__ == "__main__":
    main()
