"""The pure parts of benchmarks/: targets and ratios, the cached history's completeness check,
the terminal screen model, the history report and run.py's flags. The benchmarks themselves
are not run here (they time things; see benchmarks/run.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import figures  # noqa: E402
import history  # noqa: E402
import replies  # noqa: E402
import report  # noqa: E402
import run  # noqa: E402
import seed  # noqa: E402
from figures import Figure  # noqa: E402
from screen import Screen  # noqa: E402

# -- figures and targets -----------------------------------------------------------------------


def test_a_time_target_scales_with_the_bare_start_and_a_rate_target_inversely() -> None:
    slow = 0.38  # a machine twice as slow as the one the targets were set on
    open_time = Figure("open", "open", 0.4, "s", 0.25)
    assert open_time.target(slow) == pytest.approx(0.5)
    assert open_time.ok(slow) and not open_time.ok(figures.REFERENCE_BARE_S)
    rate = Figure("seed", "seed", 20_000, "msg/s", 30_000, at_least=True)
    assert rate.target(slow) == pytest.approx(15_000)
    assert rate.ok(slow) and not rate.ok(None)
    ratio = Figure("startup", "startup", 1.3, "x", 1.2)
    assert ratio.target(slow) == 1.2 and not ratio.ok(slow)  # a ratio is not scaled
    assert ratio.target(slow, slack=1.5) == pytest.approx(1.8)  # beside burners


def test_a_time_is_printed_with_its_ratio_to_the_bare_start_to_two_decimals() -> None:
    line = figures.format_line(Figure("open", "open a conversation", 0.3, "s", 0.25), 0.25)
    assert line.startswith("ok   open a conversation")
    assert "0.30 s" in line and "1.20x bare" in line and "<= 0.33 s (set: 0.25)" in line
    missed = figures.format_line(Figure("cpu", "CPU", 12.345, "%", 10), 0.19)
    assert missed.startswith("MISS") and "12.35 %" in missed and "x bare" not in missed


def test_a_share_of_the_cpu_scales_as_a_time_and_memory_does_not() -> None:
    slow = 0.38  # twice as slow: the same work takes twice the share of a core
    cpu = Figure("cpu", "CPU", 15.0, "%", 10)
    assert cpu.target(slow) == pytest.approx(20.0)
    assert cpu.ok(slow) and not cpu.ok(figures.REFERENCE_BARE_S)
    line = figures.format_line(cpu, slow)
    assert "<= 20.00 % (set: 10)" in line and "x bare" not in line
    memory = Figure("rss", "memory", 140.0, "MB", 150)
    assert memory.target(slow) == 150 and memory.ok(slow)


def test_record_appends_to_the_file_run_py_names(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "figures.jsonl"
    monkeypatch.setenv(figures.OUT_ENV, str(out))
    monkeypatch.setenv(figures.BARE_ENV, "0.19")
    assert figures.record(Figure("a", "a", 1.0, "ms", 2.0))
    assert not figures.record(Figure("b", "b", 3.0, "ms", 2.0))
    assert [f.name for f in figures.read_figures(out)] == ["a", "b"]


def test_the_exit_code_fails_a_miss_or_a_failed_benchmark_unless_report_only() -> None:
    met = Figure("a", "a", 1.0, "ms", 2.0)
    missed = Figure("b", "b", 3.0, "ms", 2.0)
    assert figures.exit_code([met], 0.19) == 0
    assert figures.exit_code([met, missed], 0.19) == 1
    assert figures.exit_code([met], 0.19, failed_scripts=1) == 1
    assert figures.exit_code([met, missed], 0.19, report_only=True) == 0


# -- the cached history ------------------------------------------------------------------------


def _tiny_build(conversations: int):
    def build(path: Path) -> None:
        seed.main(["--db", str(path), "--conversations", str(conversations), "--messages", "4"])

    return build


def test_a_complete_history_is_kept_and_a_changed_one_is_found_out(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    assert history.why_incomplete(db, "r1") == "not built yet"
    assert history.ensure_history(db, "r1", _tiny_build(3))
    assert history.why_incomplete(db, "r1") is None
    assert not history.ensure_history(db, "r1", _tiny_build(3))  # kept, not built again
    assert history.why_incomplete(db, "r2") == "built to another recipe"
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM messages WHERE id IN (SELECT max(id) FROM messages)")
    reason = history.why_incomplete(db, "r1")
    assert reason is not None and "11 messages" in reason


def test_an_interrupted_seed_is_rebuilt_not_reused(tmp_path: Path) -> None:
    db = tmp_path / "h.db"

    def interrupted(path: Path) -> None:
        _tiny_build(5)(path)
        raise KeyboardInterrupt  # after writing part of the history

    with pytest.raises(KeyboardInterrupt):
        history.ensure_history(db, "r1", interrupted)
    assert db.exists() and "no completion marker" in (history.why_incomplete(db, "r1") or "")
    assert history.ensure_history(db, "r1", _tiny_build(2))
    assert history.count_rows(db) == (2, 8)
    assert history.why_incomplete(db, "r1") is None


# -- realistic replies -------------------------------------------------------------------------


def test_a_realistic_reply_has_reasoning_prose_lists_a_table_and_code() -> None:
    reply = replies.realistic_reply(3000)
    text = reply.text
    assert reply.tokens == 3000 and reply.reasoning
    assert "\n## " in text and "\n- " in text and "\n1. " in text and "|---|" in text
    assert "```python" in text and text.count("```") % 2 == 0 and "**" in text
    assert max(len(piece.strip()) for piece in reply.content) <= 5


# -- the screen model --------------------------------------------------------------------------


def test_the_screen_sees_text_and_moves_but_not_colours() -> None:
    screen = Screen(20, 3)
    assert screen.feed(b"\x1b[?1049h\x1b[2;3Hhello")
    assert screen.text().splitlines()[1] == "  hello"
    assert not screen.feed(b"\x1b[2;3H\x1b[7mh\x1b[0m")  # a blinking cursor: colour only
    assert screen.feed(b"\x1b[1;1H\xe4\xb8\xad")  # a wide character, 3 bytes
    assert screen.text().startswith("中")
    assert not screen.feed(b"\x1b[2;")  # an escape cut off at the end of a read
    assert screen.feed(b"1Hx") and screen.text().splitlines()[1] == "x hello"
    assert screen.feed(b"\x1b[2J") and screen.text().strip() == ""


# -- the report of past runs -------------------------------------------------------------------


def _run_line(value: float, bare: float = 0.19) -> dict[str, object]:
    figure = Figure("search_p50", "search p50", value, "ms", 30)
    return {"time": "2026-11-29T23:00:00", "commit": "abc", "bare_s": bare, "slack": 1.0,
            "figures": [asdict(figure)]}  # fmt: skip


def test_the_report_draws_each_figure_against_its_target() -> None:
    runs = [_run_line(15), _run_line(30), _run_line(60), _run_line(60, bare=0.38)]
    text = report.render(runs)
    assert "4 runs" in text
    line = next(row for row in text.splitlines() if row.startswith("search p50"))
    assert "▂▄█▄" in line  # half, on target, twice, and on target on a machine twice as slow
    assert "60.00 ms" in line and "missed 1/4" in line
    bars = report.render_figure(runs, "search_p50", width=10).splitlines()
    assert bars[1].endswith(" ok        15.00 █████     |")  # half the target
    assert bars[3].endswith(" MISS      60.00 ██████████|██████████")  # twice the target
    assert report.render_figure(runs, "nothing") == "no figure named 'nothing'"


def test_report_skips_unreadable_lines_and_says_when_there_is_no_history(
    tmp_path: Path, capsys
) -> None:
    results = tmp_path / "results.jsonl"
    assert report.main(["--results", str(results)]) == 1
    assert "does not exist" in capsys.readouterr().err
    results.write_text(json.dumps(_run_line(10)) + "\n{cut off\n")
    assert report.main(["--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "1 unreadable lines" in out and "search p50" in out


# -- run.py ------------------------------------------------------------------------------------


def _run_py(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), *args], capture_output=True, text=True
    )


def test_run_py_explains_itself_and_names_every_benchmark() -> None:
    done = _run_py("--help")
    assert done.returncode == 0
    for flag in ("--only NAME", "--report-only", "--burn N"):
        assert flag in done.stdout
    for name in run.BENCHMARKS:
        assert f"  {name} " in done.stdout


def test_run_py_refuses_an_unknown_benchmark() -> None:
    done = _run_py("--only", "nothing")
    assert done.returncode == 2 and "invalid choice: 'nothing'" in done.stderr


def test_run_py_takes_several_only_flags_and_records_commit_and_machine() -> None:
    args = run.parse_args(["--only", "search", "--only", "seed", "--report-only"])
    assert args.only == ["search", "seed"] and args.report_only
    missed = Figure("b", "b", 3.0, "ms", 2.0)
    line = run.run_line(names=["search"], bare=0.2, slack=1.0, found=[missed], failed=[],
                        when=run.datetime(2026, 11, 29, tzinfo=run.UTC))  # fmt: skip
    assert line["misses"] == ["b"] and line["bare_s"] == 0.2
    assert line["commit"] and line["machine"]["cpus"]  # type: ignore[index]
    json.dumps(line)


def test_the_targets_follow_every_bare_start_of_the_run_not_the_first_alone() -> None:
    # A virtual machine changes speed within a run: the first five starts alone scaled every
    # target by their own noise. The yardstick is the median of all the starts timed so far.
    first = [0.40, 0.39, 0.41, 0.40, 0.42]
    assert run.yardstick(first) == 0.40
    later = [0.47, 0.46, 0.48, 0.45, 0.46, 0.47]
    assert run.yardstick(first + later) == 0.45
    line = run.run_line(names=["startup"], bare=0.45, slack=1.0, found=[], failed=[],
                        when=run.datetime(2026, 11, 30, tzinfo=run.UTC),
                        starts=first + later)  # fmt: skip
    assert line["bare_s"] == 0.45 and line["bare_starts"] == first + later
