"""What the terminal tests share: TAP, mappe on a pty, mappe with its passphrases on pipes.

Import it with tests/tty/lib on sys.path, then call need_pty() before anything
that needs pexpect or pyte: without them the test is one skip. MAPPE_BIN and
MAPPE_GEN are read when used, as the tests' own lines would read them.
"""
import os
import shutil
import subprocess
import sys
import tempfile

try:
    from ptyscreen import PtyScreen  # imports pexpect and pyte
    missing = None
except ImportError as e:  # pragma: no cover
    missing = e

n = 0  # tests run so far: the TAP plan printed at the end


def ok(cond, name, why=""):
    global n
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {name}")
    if not cond and why:
        for line in why.splitlines():
            print(f"#   {line}")
    sys.stdout.flush()
    return cond


def need_pty(what):
    """Without pexpect or pyte, `what` is one skipped test and the script ends."""
    if missing is not None:
        print("1..1")
        print(f"ok 1 - {what} # SKIP python3-pexpect or python3-pyte missing ({missing})")
        sys.exit(0)


def main(run, what):
    """run(tmp) in a temporary folder, then the plan. A crash is one failure, with its reason."""
    tmp = tempfile.mkdtemp()
    try:
        run(tmp)
    except Exception as e:
        ok(False, f"the {what} ran to its end", repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")


def Term(args, env, cols=80, rows=24):
    """mappe on a pty of a given size, with the screen as pyte sees it."""
    return PtyScreen(os.environ["MAPPE_BIN"], args, env, cols, rows)


def login(db, user, passphrase, env, cols=80, rows=24):
    """mappe as user, the passphrase typed at its prompt."""
    t = Term(["--db", db, "--user", user], env, cols, rows)
    t.wait("Passphrase:")
    t.send(passphrase + "\r")
    return t


def secret_fd(secret):
    """The read end of a pipe holding secret and a newline, as --passphrase-fd reads it."""
    r, w = os.pipe()
    os.write(w, (secret + "\n").encode())
    os.close(w)
    return r


def mappe(db, args, env, passphrase=None, new_passphrase=None, stdin=None, check=False):
    """mappe --db db args in another process, as a colleague's shell would run it; the
    passphrases, where given, on pipes named by --passphrase-fd and --new-passphrase-fd."""
    extra, fds = [], []
    for opt, secret in (("--passphrase-fd", passphrase), ("--new-passphrase-fd", new_passphrase)):
        if secret is not None:
            fds.append(secret_fd(secret))
            extra += [opt, str(fds[-1])]
    try:
        return subprocess.run([os.environ["MAPPE_BIN"], "--db", db] + args + extra, input=stdin,
                              capture_output=True, pass_fds=fds, env=env, check=check)
    finally:
        for fd in fds:
            os.close(fd)


def synth(seed, count):
    """A CSV of invented cases from tests/gen: the person and contact columns
    only (--basic), as the tests' own rows and screens expect."""
    return subprocess.run([os.environ["MAPPE_GEN"], "--seed", str(seed), "--count", str(count),
                           "--basic"],
                          capture_output=True, check=True).stdout
