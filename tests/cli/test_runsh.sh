#!/usr/bin/env bash
# tests/run.sh itself: the ssh suites, which share /etc/mappe.conf and the
# group mappe with every other run on the machine, run one at a time under
# the machine's ssh lock; the other suites do not wait for it, and the last
# line keeps its form.
. "$(dirname "$0")/lib.sh"

# A tree of two stand-in suites beside a copy of run.sh: each says whether
# the lock was held while it ran (a second open file cannot take it then).
tree=$T/tree
mkdir -p "$tree/tests/tty" "$tree/tests/cli" "$tree/build/tests"
cp "$(dirname "$0")/../run.sh" "$tree/tests/run.sh"
lock=$T/ssh.lock
probe='import fcntl, os, sys
f = open(os.environ["MAPPE_SSH_LOCK"], "a")
try:
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    held = False
except OSError:
    held = True
want = sys.argv[0].endswith("ssh_probe.py")
print(("ok" if held == want else "not ok") + " 1 - lock held: %s" % held)'
printf '%s\n' "$probe" >"$tree/tests/tty/test_ssh_probe.py"
printf '%s\n' "$probe" >"$tree/tests/tty/test_other_probe.py"

MAPPE_SSH_LOCK=$lock bash "$tree/tests/run.sh" build >"$T/run" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "run.sh passes both stand-ins"; else
	not_ok "run.sh passes both stand-ins" "exit $rc: $(grep -a 'lock held\|FAILED' "$T/run" | head -c 300)"; fi
expect_in "$T/run" "an ssh suite runs under the ssh lock" "ok 1 - lock held: True"
expect_in "$T/run" "another suite runs without it" "ok 1 - lock held: False"
if [ "$(tail -n 1 "$T/run")" = "2 passed, 0 failed" ]; then ok "the last line: N passed, N failed"
else not_ok "the last line: N passed, N failed" "$(tail -n 1 "$T/run")"; fi

# A run waits for the lock another run holds, and goes on when it is free
# (the stand-in beside it, which runs first, sees the lock held: not asked).
exec 9>"$lock"
flock 9
MAPPE_SSH_LOCK=$lock timeout 20 bash "$tree/tests/run.sh" build >"$T/run2" 2>&1 9>&- &
waiting=$!
sleep 1
if grep -q "^ok 1 - lock held: True" "$T/run2"; then
	not_ok "a second run waits for the lock" "the ssh stand-in ran while the lock was held"
else ok "a second run waits for the lock"; fi
exec 9>&-
wait $waiting
rc=$?
if [ $rc -ne 124 ] && grep -q "^ok 1 - lock held: True" "$T/run2"; then
	ok "and runs once it is free"
else not_ok "and runs once it is free" "exit $rc: $(tail -n 3 "$T/run2")"; fi
# A run started under the lock (flock LOCK tests/run.sh) does not wait for
# itself (the other stand-in sees the lock held then: not asked).
MAPPE_SSH_LOCK=$lock timeout 20 flock "$lock" bash "$tree/tests/run.sh" build >"$T/run3" 2>&1
rc=$?
if [ $rc -ne 124 ] && grep -q "^ok 1 - lock held: True" "$T/run3"; then
	ok "a run under the lock already runs the ssh suites"
else not_ok "a run under the lock already runs the ssh suites" "exit $rc: $(tail -n 3 "$T/run3")"; fi
echo "1..$_n"
