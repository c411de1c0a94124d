#!/usr/bin/python3
"""The Debian package, installed and removed as an administrator would (issue 12).

As root: `make deb`, then `apt-get install ./mappe_*.deb`; the package must
make the binary root:mappe 2755 by dpkg-statoverride, the system group
mappe, /var/lib/mappe root:mappe 2770, its three conffiles, the man page and
the translations, and leave sshd's own configuration valid. Then the
deployment of docs/deployment.md on it: the store made by root's
`mappe init`, an administrator who enrols two caseworkers, both caseworkers
in group mappe-users (not mappe) logging in over a real sshd that reads the
package's Match block (they ask for a shell and get mappe, with the package's
memlock limit), the administrator still getting a shell. Then `apt-get
remove` and `apt-get purge`: binary, statoverride, groups and conffiles
gone, the store kept (root's alone) and named; installing again gives it
back to group mappe. Prints TAP.

The package changes the host (a group, /usr/bin/mappe, /etc, /var/lib):
run it under the lock of the ssh suites (tests/run.sh does), on a host
without mappe installed; it skips where any of it is there already, and
puts back what it moved: /etc/mappe.conf.
"""
import grp
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time


def skip(why):
    print("1..1")
    print(f"ok 1 - the Debian package # SKIP {why}")
    sys.exit(0)


if os.geteuid() != 0:
    skip("needs root to install a package")
for tool in ("dpkg-buildpackage", "dh", "apt-get", "dpkg-statoverride"):
    if not shutil.which(tool):
        skip(f"{tool} is not installed (make deps-deb installs what make deb needs)")
if subprocess.run(["sh", "scripts/deps.sh", "--check", "--run", "debhelper", "devscripts",
                   "dpkg-dev", "fakeroot"], capture_output=True,
                  cwd=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
                  ).returncode:
    skip("a package make deb needs is missing (make deps-deb installs them)")
with open(os.environ["MAPPE_BIN"], "rb") as f:
    if b"__asan_init" in f.read():
        skip("the package is built without sanitizers: the plain run tests it")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_ssh  # noqa: E402  (the TAP helpers and the ssh sessions; skips unless root)
from test_ssh import ok, run, free_port, Session  # noqa: E402

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.path.dirname(os.path.abspath(os.environ["MAPPE_BIN"]))
BIN = "/usr/bin/mappe"
STORE = "/var/lib/mappe"
CONF = "/etc/mappe.conf"
SSHD_SNIPPET = "/etc/ssh/sshd_config.d/mappe.conf"
LIMITS = "/etc/security/limits.d/mappe.conf"
ADMIN = "mappeta"
USERS = ["mappet1", "mappet2"]
FIRST_LOGIN = "mappet2"  # changes the initial passphrase at the first login, over ssh
PASS = {ADMIN: "the administrator's passphrase", "mappet1": "first user's passphrase",
        "mappet2": "second user's passphrase"}
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=120"]
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")


def as_user(user, args, secrets=(), stdin=None):
    """The installed mappe run by a Unix user, as their own shell would (setgid: no
    --user, no --db); secrets on pipes as --passphrase-fd, --new-passphrase-fd."""
    fds, extra = [], []
    for opt, secret in zip(("--passphrase-fd", "--new-passphrase-fd"), secrets):
        r, w = os.pipe()
        os.write(w, (secret + "\n").encode())
        os.close(w)
        fds.append(r)
        extra += [opt, str(r)]
    pre = [] if user == "root" else ["setpriv", f"--reuid={user}", f"--regid={user}",
                                     "--init-groups"]
    try:
        return subprocess.run(pre + [BIN] + args + extra, input=stdin, capture_output=True,
                              text=True, pass_fds=fds,
                              env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="en"),
                              cwd="/")
    finally:
        for fd in fds:
            os.close(fd)


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def installed():
    return run("dpkg-query", "-W", "-f=${Status}", "mappe").stdout == "install ok installed"


def known():
    """dpkg knows mappe: installed, or removed with its conffiles left (rc)."""
    return run("dpkg-query", "-W", "-f=${Status}", "mappe").stdout not in \
        ("", "unknown ok not-installed", "purge ok not-installed")


def mode_of(path):
    st = os.lstat(path)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


def main():
    tmp = tempfile.mkdtemp(prefix="mappe-deb-")
    os.chmod(tmp, 0o755)
    state = {"sshd": None, "users": [], "conf": None, "store": False}
    # Before the try: a skip must leave what it found alone (the teardown
    # removes whatever of mappe's is on the host, since nothing was before).
    try:
        preconditions(state)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        test(tmp, state)
    except Exception as e:
        ok(False, "the package test ran to its end", repr(e))
    finally:
        teardown(tmp, state)
    print(f"1..{test_ssh.n}")


def preconditions(state):
    """Nothing of mappe's on the host, or the test would take it for the package's."""
    if known():
        skip("a package mappe is installed (or left configured) here; not touching it")
    for path in (BIN, STORE, SSHD_SNIPPET, LIMITS):
        if os.path.lexists(path):
            skip(f"{path} exists on this machine; not touching it")
    for g in ("mappe", "mappe-users"):
        if group_exists(g):
            skip(f"a group '{g}' exists already on this machine; not touching it")
    for u in [ADMIN] + USERS:
        try:
            pwd.getpwnam(u)
            skip(f"a user {u} exists already on this machine; not touching it")
        except KeyError:
            pass
    if run("dpkg-statoverride", "--list", BIN).returncode == 0:
        skip(f"dpkg-statoverride has an entry for {BIN}; not touching it")
    # /etc/mappe.conf of a deployment by hand (or of test_ssh.py) is moved
    # aside for the package's conffile, and put back at the end.
    if os.path.exists(CONF):
        state["conf"] = CONF + ".mappe-deb-test"
        os.rename(CONF, state["conf"])


def tree_status():
    return run("git", "-C", TOP, "status", "--porcelain", "--untracked-files=all").stdout


def build():
    before = tree_status()
    t0 = time.time()
    r = run("make", "-C", TOP, "--no-print-directory", f"BUILD={BUILD}", "deb")
    took = time.time() - t0
    debs = [f for f in os.listdir(BUILD) if f.startswith("mappe_") and f.endswith(".deb")]
    ok(r.returncode == 0 and len(debs) == 1, "make deb builds one package", r.stdout + r.stderr)
    if r.returncode or len(debs) != 1:
        raise RuntimeError("no package")
    deb = os.path.join(BUILD, debs[0])
    print(f"# make deb: {took:.0f} s, {os.path.getsize(deb) // 1024} KiB")
    after = tree_status()
    ok(after == before, "and leaves the source tree as it was (it builds in a copy)",
       f"before:\n{before}after:\n{after}")
    r = run("dpkg-deb", "-c", deb)
    ok("./usr/bin/mappe-gen" not in r.stdout, "the package has no mappe-gen (no tables of names)",
       r.stdout)
    return deb


def install(deb, state):
    r = subprocess.run(APT + ["install", "--no-install-recommends", deb], capture_output=True,
                       text=True, env=APT_ENV)
    state["store"] = True  # postinst makes it: the test's to remove
    ok(r.returncode == 0 and installed(), "apt-get install ./mappe_*.deb", r.stdout + r.stderr)
    if not installed():
        raise RuntimeError("not installed")
    ok("mappe init --admin NAME" in r.stdout, "postinst says how to make the first store",
       r.stdout)
    return r


def check_installed():
    r = run("dpkg-statoverride", "--list", BIN)
    ok(r.stdout.split() == ["root", "mappe", "2755", BIN], "dpkg-statoverride root mappe 2755",
       r.stdout + r.stderr)
    g = grp.getgrnam("mappe")
    mode, uid, gid = mode_of(BIN)
    ok((mode, uid, gid) == (0o2755, 0, g.gr_gid), f"{BIN} is root:mappe 2755",
       f"{mode:o} {uid}:{gid}")
    ok(g.gr_gid < 1000 and not g.gr_mem, "group mappe is a system group without members",
       f"{g.gr_gid} {g.gr_mem}")
    ok(group_exists("mappe-users"), "group mappe-users is there for the caseworkers")
    mode, uid, gid = mode_of(STORE)
    ok((mode, uid, gid) == (0o2770, 0, g.gr_gid), f"{STORE} is root:mappe 2770",
       f"{mode:o} {uid}:{gid}")
    r = run("dpkg-query", "-W", "-f=${Conffiles}", "mappe")
    conffiles = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
    ok(sorted(conffiles) == sorted([CONF, SSHD_SNIPPET, LIMITS]),
       "the conffiles: mappe.conf, the sshd snippet, the memlock limit", r.stdout)
    with open(CONF) as f:
        conf = f.read()
    ok("\ndb = /var/lib/mappe\n" in conf, "/etc/mappe.conf names the store", conf)
    with open(LIMITS) as f:
        limits = f.read()
    ok("@mappe-users\tsoft\tmemlock\t65536" in limits and "@mappe\t" not in limits,
       "limits.d gives mappe-users (not mappe) 64 MiB of locked memory", limits)
    ok(os.path.exists("/usr/share/man/man1/mappe.1.gz"), "the man page is installed")
    ok(os.path.exists("/usr/share/locale/nb/LC_MESSAGES/mappe.mo"), "the translation too")
    ok(os.path.exists("/usr/share/doc/mappe/deployment.md.gz"), "and docs/deployment.md")
    r = run("/usr/sbin/sshd", "-t")
    ok(r.returncode == 0, "sshd -t: the host's sshd configuration is still valid",
       r.stdout + r.stderr)
    r = run(BIN, "--version")
    ok(r.returncode == 0 and "0.1.0" in r.stdout, "the installed mappe runs", r.stdout + r.stderr)
    r = run("env", "LANGUAGE=nb", "LC_ALL=C.UTF-8", BIN, "--lang", "nb", "--help")
    ok("bruk:" in r.stdout, "and speaks Norwegian from /usr/share/locale", r.stdout[:400])


def enrol(tmp, state):
    """docs/deployment.md with the package: root makes the store for the first
    administrator, who enrols two caseworkers; each sets their passphrase."""
    home = os.path.join(tmp, "home")
    keys = os.path.join(tmp, "keys")
    os.makedirs(home)
    os.makedirs(keys)
    for u in [ADMIN] + USERS:
        groups = [] if u == ADMIN else ["-G", "mappe-users"]
        r = run("useradd", "-M", "-d", os.path.join(home, u), "-s", "/bin/sh", "-p", "*",
                *groups, u)
        if r.returncode:
            raise RuntimeError(f"useradd {u}: {r.stderr.strip()}")
        state["users"].append(u)
        os.makedirs(os.path.join(home, u))
        pw = pwd.getpwnam(u)
        os.chown(os.path.join(home, u), pw.pw_uid, pw.pw_gid)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(keys, u))
        shutil.copy(os.path.join(keys, u + ".pub"), os.path.join(keys, u + ".authorized"))
        os.chmod(os.path.join(keys, u + ".authorized"), 0o644)
    mappe_gid = grp.getgrnam("mappe").gr_gid
    ok(all(mappe_gid not in os.getgrouplist(u, pwd.getpwnam(u).pw_gid) for u in [ADMIN] + USERS),
       "no user is in group mappe")

    r = as_user("root", ["init", "--admin", ADMIN, "--new-passphrase-fd", "0"],
                stdin=PASS[ADMIN] + "\n")
    ok(r.returncode == 0, "root makes the store with the installed mappe init --admin",
       r.stdout + r.stderr)
    files = sorted(os.listdir(STORE))
    modes = {f: mode_of(os.path.join(STORE, f)) for f in files}
    ok("data.mdb" in files and all(m == (0o660, 0, mappe_gid) for m in modes.values()),
       "its files are root:mappe 0660", repr(modes))
    for u in USERS:
        r = as_user(ADMIN, ["user", "add", u, "--role", "caseworker"],
                    [PASS[ADMIN], "initial " + PASS[u]])
        ok(r.returncode == 0, f"the administrator enrols {u} through the setgid binary",
           r.stdout + r.stderr)
        if u == FIRST_LOGIN:
            continue  # sets it over ssh, where mappe asks at the first login
        r = as_user(u, ["passwd"], ["initial " + PASS[u], PASS[u]])
        ok(r.returncode == 0, f"{u} sets their own passphrase (mappe passwd)", r.stdout + r.stderr)
    r = as_user(ADMIN, ["add"], [PASS[ADMIN]],
                stdin='{"given_name": "Zqxdeb", "family_name": "Pakkesen", '
                      '"caseworker": "mappet1"}')
    ok(r.returncode == 0, "the administrator adds a case", r.stdout + r.stderr)
    r = subprocess.run(["setpriv", f"--reuid={USERS[0]}", f"--regid={USERS[0]}",
                        "--init-groups", "cat", os.path.join(STORE, "data.mdb")],
                       capture_output=True)
    ok(r.returncode != 0, "a caseworker cannot read data.mdb itself", r.stderr)
    return keys


def start_sshd(tmp, keys, state):
    """An sshd of our own on 127.0.0.1 (keys only) that reads the package's Match
    block the way the host's sshd_config.d does, and PAM where the host allows it,
    for limits.d."""
    os.makedirs("/run/sshd", exist_ok=True)
    hostkey = os.path.join(tmp, "hostkey")
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostkey)
    port = free_port()
    cfg = os.path.join(tmp, "sshd_config")
    with open(cfg, "w") as f:
        f.write(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {hostkey}
PidFile {tmp}/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile {keys}/%u.authorized
StrictModes no
PermitRootLogin no
AllowUsers {ADMIN} {' '.join(USERS)}
Include {SSHD_SNIPPET}
""")
    r = run("/usr/sbin/sshd", "-t", "-f", cfg)
    ok(r.returncode == 0, "an sshd with the package's snippet accepts its configuration",
       r.stdout + r.stderr)
    for u, want in ((USERS[0], "forcecommand /usr/bin/mappe"), (ADMIN, "forcecommand none")):
        r = run("/usr/sbin/sshd", "-T", "-f", cfg, "-C", f"user={u},host=localhost,addr=127.0.0.1")
        ok(want in r.stdout.splitlines(), f"{u}: {want}", r.stdout + r.stderr)
    state["sshd"] = subprocess.Popen(["/usr/sbin/sshd", "-D", "-f", cfg, "-E",
                                      os.path.join(tmp, "sshd.log")])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return port


def ssh_args(user, keys, port):
    return ["ssh", "-i", os.path.join(keys, user), "-p", str(port), "-o",
            "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
            "LogLevel=ERROR", "-o", "BatchMode=yes", f"{user}@127.0.0.1"]


def memlock_of(pid):
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max locked memory"):
                    return line.split()[3]
    except OSError:
        return None
    return None


def can_raise_memlock():
    """Whether sshd's pam_limits can set 64 MiB here: a sandbox's root may lack
    CAP_SYS_RESOURCE and be held to a lower hard limit."""
    r = run("prlimit", f"--memlock={64 << 20}:{64 << 20}", "true")
    return r.returncode == 0


def audit_entries():
    """How many entries the audit log holds, by mappe audit verify (no key needed)."""
    r = as_user(ADMIN, ["audit", "verify"])
    m = re.search(r"audit log's (\d+) entries follow each other unbroken", r.stdout + r.stderr)
    ok(r.returncode == 0 and m, "mappe audit verify: the chain is unbroken", r.stdout + r.stderr)
    return int(m.group(1)) if m else -1


def logins(tmp, keys, port):
    before = audit_entries()
    r = run(*ssh_args(ADMIN, keys, port), "echo a shell for $(id -un)", timeout=30)
    ok(r.stdout.strip() == f"a shell for {ADMIN}", "the administrator still gets a shell",
       r.stdout + r.stderr + open(os.path.join(tmp, "sshd.log")).read())
    # the caseworkers ask for a shell; ForceCommand gives them mappe
    s = [Session(u, os.path.join(keys, u), port, "sh") for u in USERS]
    for u, t in zip(USERS, s):
        ok(t.wait("Passphrase:", 30), f"{u}: asks for a shell over ssh, gets mappe's passphrase "
           "prompt", t.text() + open(os.path.join(tmp, "sshd.log")).read())
    for u, t in zip(USERS, s):
        if u == FIRST_LOGIN:
            t.child.send("initial " + PASS[u] + "\r")
            ok(t.wait("New passphrase:", 30), f"{u}: the first login asks for a passphrase of "
               "their own", t.text())
            t.child.send(PASS[u] + "\r")
            t.wait("Repeat:", 10)
        t.child.send(PASS[u] + "\r")
    for u, t in zip(USERS, s):
        # the case's own caseworker opens on My day, the other on the case list
        ok(t.wait(f"{u} (caseworker)", 30) and t.wait("Zqxdeb Pakkesen", 10),
           f"{u} sees mappe's screen with the case in {STORE}", t.text())
    for u in USERS:
        pids = run("pgrep", "-u", u, "-x", "mappe").stdout.split()
        limits = [memlock_of(p) for p in pids]
        name = f"{u}'s mappe has the package's memlock limit (64 MiB, from pam_limits)"
        if not can_raise_memlock():
            ok(True, f"{name} # SKIP root here cannot raise RLIMIT_MEMLOCK (no CAP_SYS_RESOURCE)")
        else:
            ok(pids and all(v == str(64 << 20) for v in limits), name, repr(limits))
    for t in s:
        t.child.send("\x1b")
        time.sleep(0.2)
        t.child.send("q")
        t.end()
    for u in USERS:
        deadline = time.time() + 10
        while run("pgrep", "-u", u).stdout.strip() and time.time() < deadline:
            time.sleep(0.2)
    after = audit_entries()
    ok(after >= before + 2, "both logins over ssh are in the audit log (an unlock each)",
       f"{before} entries before, {after} after")
    r = as_user(ADMIN, ["check"], [PASS[ADMIN]])
    ok(r.returncode == 0, "mappe check is clean after the sessions", r.stdout + r.stderr)


def remove_and_purge(deb, state):
    r = subprocess.run(APT + ["remove", "mappe"], capture_output=True, text=True, env=APT_ENV)
    ok(r.returncode == 0 and not os.path.exists(BIN), "apt-get remove takes the binary",
       r.stdout + r.stderr)
    ok(os.path.exists(CONF) and group_exists("mappe"),
       "and keeps the conffiles and the group until purge")
    # the caseworkers leave (mappe-users is empty then); the administrator,
    # outside it, stays for the kept store
    for u in USERS:
        run("pkill", "-KILL", "-u", u)
        run("userdel", "-f", u)
        state["users"].remove(u)
    r = subprocess.run(APT + ["purge", "mappe"], capture_output=True, text=True, env=APT_ENV)
    out = r.stdout + r.stderr
    ok(r.returncode == 0 and not known(), "apt-get purge", out)
    ok(run("dpkg-statoverride", "--list", BIN).returncode != 0, "the statoverride is gone", out)
    ok(not group_exists("mappe") and not group_exists("mappe-users"),
       "groups mappe and mappe-users are gone", out)
    left = [p for p in (CONF, SSHD_SNIPPET, LIMITS) if os.path.exists(p)]
    ok(not left, "the conffiles are gone", repr(left))
    ok(os.path.exists(os.path.join(STORE, "data.mdb")) and mode_of(STORE) == (0o700, 0, 0),
       "the store is kept, root:root 0700 (no dangling group)", repr(mode_of(STORE)))
    ok(f"the store in {STORE} is kept" in out, "and purge says where it is", out)
    ok(run("/usr/sbin/sshd", "-t").returncode == 0, "sshd -t is still valid after the purge")

    # installing again gives the kept store back to the new group mappe
    r = subprocess.run(APT + ["install", "--no-install-recommends", deb], capture_output=True,
                       text=True, env=APT_ENV)
    g = grp.getgrnam("mappe").gr_gid if group_exists("mappe") else None
    ok(r.returncode == 0 and mode_of(STORE) == (0o2770, 0, g) and
       mode_of(os.path.join(STORE, "data.mdb"))[2] == g,
       "installing again gives the kept store back to group mappe", r.stdout + r.stderr)
    r = as_user(ADMIN, ["check"], [PASS[ADMIN]])
    ok(r.returncode == 0, "and the administrator's mappe check is clean on it", r.stdout + r.stderr)
    audit_entries()
    r = subprocess.run(APT + ["purge", "mappe"], capture_output=True, text=True, env=APT_ENV)
    ok(r.returncode == 0 and not os.path.exists(BIN), "and it purges again", r.stdout + r.stderr)


def test(tmp, state):
    deb = build()
    install(deb, state)
    check_installed()
    keys = enrol(tmp, state)
    port = start_sshd(tmp, keys, state)
    logins(tmp, keys, port)
    state["sshd"].terminate()
    state["sshd"].wait(5)
    state["sshd"] = None
    remove_and_purge(deb, state)


def teardown(tmp, state):
    if state["sshd"]:
        state["sshd"].terminate()
        try:
            state["sshd"].wait(5)
        except subprocess.TimeoutExpired:
            state["sshd"].kill()
    for u in state["users"]:
        run("pkill", "-KILL", "-u", u)
        run("userdel", "-f", u)
    if known():
        run("dpkg", "--purge", "mappe")
    if run("dpkg-statoverride", "--list", BIN).returncode == 0:
        run("dpkg-statoverride", "--remove", BIN)
    if os.path.lexists(BIN):
        os.unlink(BIN)
    if state["store"]:
        shutil.rmtree(STORE, ignore_errors=True)
    for g in ("mappe-users", "mappe"):
        if group_exists(g):
            run("groupdel", g)
    for p in (SSHD_SNIPPET, LIMITS):
        if os.path.lexists(p):
            os.unlink(p)
    if state["conf"]:
        os.replace(state["conf"], CONF)
    elif os.path.lexists(CONF):
        os.unlink(CONF)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
