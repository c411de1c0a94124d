"""A program on a pseudo-terminal, read through a terminal emulator.

pexpect runs it on a pty of a given size; pyte keeps the screen a real
terminal would show. Shared by the terminal and ssh tests. Waits are for
what the screen shows, with a deadline, never fixed sleeps.
"""
import time

import pexpect
import pyte


class PtyScreen:
    def __init__(self, program, args, env, cols=80, rows=24):
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.seen = b""  # everything the program ever wrote: the scrollback's source
        self.child = pexpect.spawn(program, args, env=env, dimensions=(rows, cols))

    def pump(self, timeout=0.05):
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF):
            return
        self.seen += data
        self.stream.feed(data)

    def text(self):
        return "\n".join(self.screen.display)

    def wait(self, what, deadline=10.0):
        end = time.time() + deadline
        while time.time() < end:
            self.pump()
            if what in self.text():
                return True
            if not self.child.isalive():
                self.pump()
                break
        return what in self.text()

    def wait_until(self, cond, deadline=5.0):
        """Reads until cond() holds or the deadline passes; what cond() says last."""
        end = time.time() + deadline
        while time.time() < end:
            self.pump()
            if cond():
                return True
        return cond()

    def end(self, timeout=10):
        """Waits for the program to exit (a while at most), keeps its last output, closes."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            pass
        self.seen += self.child.before or b""
        self.child.close()

    def send(self, s):
        self.child.send(s)

    def resize(self, cols, rows):
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)
