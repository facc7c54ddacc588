"""The TUI as a real process on a pseudo-terminal while replies stream from the fake GLM
server (realistic replies, replies.py):

    python benchmarks/bench_live.py

Targets (issues 7 and 19; times and the CPU share scaled to the run's bare start, see figures.py):
- CPU while a realistic reply streams at 60 tokens/s                    <= 10 % of a core
- a keystroke in the composer, to the screen, while a 20,000-token reply
  streams at full speed: p99                                            <= 50 ms
  and the slowest                                                       <= 100 ms
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import _common
import replies
from figures import Figure, record
from ptyrun import _ANSI

from tests.fakeglm import DONE, FakeGLM, Response, chunk, raw_stream, sse, usage_dict


def key(n: int) -> str:
    """The ``n``th key typed: a CJK ideograph, each another (a key is timed until it shows).

    The fourteen keys typed in turn before came round again after fourteen, and a key already
    in the composer could be seen at a redraw before the app had even read the new one: the
    CPU benchmark types 24 keys in one app, and a slow machine's full-speed reply took more
    than fourteen."""
    return chr(0x4E00 + n)


class _Wait:
    """A text a ``Terminal`` looks for in its output, and when it came."""

    TAIL = 64
    """Bytes of what came before a read looked at with it: a text, or an escape sequence, may
    be split between two reads."""

    def __init__(self, wanted: bytes) -> None:
        self.wanted = wanted
        self.tail = b""
        self.at: float | None = None
        self.event = threading.Event()

    def feed(self, stamp: float, data: bytes) -> None:
        if self.at is not None:
            return
        text = self.tail + data
        if self.wanted in _ANSI.sub(b"", text):
            self.at = stamp
            self.event.set()
        self.tail = text[-self.TAIL :]


class Terminal:
    """A program on a pty, with a thread that keeps reading its output (timestamped)."""

    def __init__(self, argv: list[str], env: dict[str, str], watch: tuple[str, ...] = ()) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        self.closed = False
        # Texts looked for by the reading thread in each read as it arrives, so that asking
        # costs nothing: this process shares the cores with the one measured. ``watch``: for
        # the whole run (``has``); ``seen_at`` adds its own while it waits.
        self.watched = {text: _Wait(text.encode()) for text in watch}
        self.waits: list[_Wait] = list(self.watched.values())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while not self.closed:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                now = time.perf_counter()
                with self.lock:
                    self.chunks.append((now, data))
                    for wait in self.waits:
                        wait.feed(now, data)

    def write(self, text: str) -> float:
        now = time.perf_counter()
        os.write(self.master, text.encode())
        return now

    def seen_at(self, text: str, after: float, timeout: float = 10.0) -> float:
        """When ``text`` first appeared in output received after ``after``.

        Waited for, not polled: this process shares the two cores with the one measured, and
        joining and stripping what came since ``after`` every 2 ms, as it did, took a fifth of
        a core while replies streamed at full speed (the screen is redrawn tens of times a
        second), beside the app whose keys it timed."""
        wait = _Wait(text.encode())
        with self.lock:
            # What came since ``after`` is looked at as the reading thread looks at each read.
            for stamp, data in self.chunks:
                if stamp >= after:
                    wait.feed(stamp, data)
            if wait.at is not None:
                return wait.at
            self.waits.append(wait)
        try:
            if not wait.event.wait(timeout):
                raise TimeoutError(f"{text!r} not seen")
        finally:
            with self.lock:
                self.waits.remove(wait)
        assert wait.at is not None
        return wait.at

    def has(self, text: str) -> bool:
        """Whether ``text`` (one of ``watch``) has been on the screen."""
        return self.watched[text].at is not None

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.closed = True
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.master)


def glm_env(fake: FakeGLM, tmp: Path, name: str) -> dict[str, str]:
    return {
        **_common.installed_env(_common.os_environ()),
        "GLM_TUI_PROVIDER": "openai",
        "GLM_TUI_BASE_URL": fake.base_url,
        "GLM_TUI_MODEL": "glm-4.7",
        "GLM_TUI_API_KEY": "sk-bench",
        "GLM_TUI_DB": str(tmp / f"{name}.db"),
        "GLM_TUI_CONFIG": str(tmp / "config.toml"),
    }


def paced(reply: replies.Reply, tokens_per_second: float | None) -> Response:
    """The reply as a stream: one event per piece, paced, or as fast as the socket takes it."""
    events = [sse(chunk(reasoning=p)) for p in reply.reasoning]
    events += [sse(chunk(content=p)) for p in reply.content]
    events += [sse(chunk(content="", finish_reason="stop", usage=usage_dict())), DONE]
    if tokens_per_second is None:
        return raw_stream([b"".join(events[i : i + 256]) for i in range(0, len(events), 256)])
    steps: list[bytes | str | float] = []
    for event in events:
        steps += [event, 1.0 / tokens_per_second]
    return raw_stream(steps)


def with_end(reply: replies.Reply, mark: str = "THE-END") -> replies.Reply:
    return replies.Reply(reply.reasoning, [*reply.content, f"\n\n{mark}"])


def cpu_at_60(fake: FakeGLM, tmp: Path, seconds: float) -> tuple[float, list[float]]:
    """Per cent of a core over ``seconds`` of a 60 tokens/s reply; keystroke latencies."""
    reply = with_end(replies.realistic_reply(int(seconds * 60 * 1.6), seed=11))
    fake.enqueue(paced(reply, 60))
    term = Terminal(
        [sys.executable, "-m", "glm_tui"], glm_env(fake, tmp, "cpu"), watch=("THE-END",)
    )
    try:
        term.seen_at("Message GLM", 0, timeout=60)
        sent = term.write("Stream please\r")
        # The status line's count of replies being written ("Thinking" is in the footer too).
        term.seen_at("writing 1 reply", sent, timeout=30)
        time.sleep(1.0)  # the reply under way: reasoning, then the answer
        cpu0, t0 = term.cpu_seconds(), time.perf_counter()
        latencies: list[float] = []
        while time.perf_counter() - t0 < seconds:
            time.sleep(0.5)
            char = key(len(latencies))
            sent = term.write(char)
            latencies.append(term.seen_at(char, sent) - sent)
        cpu1, t1 = term.cpu_seconds(), time.perf_counter()
        still = not term.has("THE-END")
    finally:
        term.close()
    print(f"     60 tokens/s: measured over {t1 - t0:.1f} s, still streaming: {still}")
    return (cpu1 - cpu0) / (t1 - t0) * 100, latencies


def bare_stream_cpu(seconds: float) -> float:
    """Per cent of a core a bare Textual app takes to show a growing text 5 times a second
    (bare_stream.py): the floor under the CPU figure, printed beside it."""
    env = _common.installed_env(_common.os_environ())
    bare = Path(__file__).with_name("bare_stream.py")
    term = Terminal([sys.executable, str(bare)], env)
    try:
        time.sleep(2.0)  # started, and a few renders in
        cpu0, t0 = term.cpu_seconds(), time.perf_counter()
        time.sleep(seconds)
        cpu1, t1 = term.cpu_seconds(), time.perf_counter()
    finally:
        term.close()
    return (cpu1 - cpu0) / (t1 - t0) * 100


FULL_SPEED_REPLIES = 5
"""A 20,000-token reply at full speed lasts a second or two: a few keys each. Typing through
several (each in a fresh app, as the first) makes the p99 rest on tens of keys, not five."""


def keys_at_full_speed(fake: FakeGLM, tmp: Path) -> list[float]:
    """Keystroke latencies while 20,000-token replies stream as fast as they can."""
    latencies: list[float] = []
    for n in range(FULL_SPEED_REPLIES):
        mark = f"THE-END-{n}"
        fake.enqueue(paced(with_end(replies.realistic_reply(20_000, seed=12 + n), mark), None))
        env = glm_env(fake, tmp, f"keys-{n}")
        term = Terminal([sys.executable, "-m", "glm_tui"], env, watch=(mark,))
        try:
            term.seen_at("Message GLM", 0, timeout=60)
            sent = term.write("Stream please\r")
            # The status line's count of replies being written ("Thinking" is in the footer).
            term.seen_at("writing 1 reply", sent, timeout=30)
            typed = 0
            while not term.has(mark) or typed < 5:
                char = key(len(latencies))
                sent = term.write(char)
                latencies.append(term.seen_at(char, sent, timeout=30) - sent)
                typed += 1
                time.sleep(0.05)
                if typed >= 400:
                    break
        finally:
            term.close()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CPU and typing latency while streaming")
    parser.add_argument("--seconds", type=float, default=12.0, help="CPU measured this long")
    args = parser.parse_args(argv)
    _common.ensure_bare()
    tmp = _common.scratch_dir("live")
    with FakeGLM() as fake:
        cpu, slow_keys = cpu_at_60(fake, tmp, args.seconds)
        fast_keys = keys_at_full_speed(fake, tmp)
    floor = bare_stream_cpu(args.seconds)
    print(f"     a bare Textual app showing a growing text 5 times a second: {floor:.1f} %")
    slow_ms = sorted(v * 1000 for v in slow_keys)
    fast_ms = sorted(v * 1000 for v in fast_keys)
    print(f"     keystrokes at 60 tokens/s (ms): {[round(v, 1) for v in slow_ms]}")
    print(f"     keystrokes at full speed: {len(fast_ms)}, median {_common.median(fast_ms):.1f} ms,"
          f" slowest {[round(v) for v in fast_ms[-5:]]} ms")  # fmt: skip
    oks = [
        record(Figure("cpu_60", "CPU, a realistic reply at 60 tokens/s", cpu, "%", 10)),
        record(Figure("keys_60_max", "keystroke at 60 tokens/s, slowest", max(slow_ms), "ms",
                      50)),
        record(Figure("keys_full_p99", "keystroke, 20,000 tokens at full speed, p99",
                      _common.percentile(fast_ms, 99), "ms", 50)),
        record(Figure("keys_full_max", "keystroke, 20,000 tokens at full speed, max",
                      max(fast_ms), "ms", 100)),
    ]  # fmt: skip
    return 0 if all(oks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
