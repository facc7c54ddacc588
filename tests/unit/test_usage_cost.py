"""Cost: what the provider reports per reply is saved, added up exactly, and held against the
monthly budget."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glm_tui.api.events import Usage
from glm_tui.budget import BudgetState, budget_state, month_start, today
from glm_tui.chat import ChatService, TurnEnded
from glm_tui.session import Session, StatusChanged
from glm_tui.store import Message, Store
from glm_tui.store.models import format_time
from tests.fakeglm import FakeGLM, aimlapi_stream, usage_dict, zai_stream
from tests.unit.test_session import Recorder, settings_for

# Binary fractions: their sums are exact in SQLite's doubles as in Python's.
REPLIES = [
    # model, conversation, prompt, completion, reasoning, cached, credits, usd
    ("zhipu/glm-4.7", "A", 100, 40, 10, 20, 2_000, 0.125),
    ("zhipu/glm-4.7", "A", 300, 60, 0, 100, 4_000, 0.25),
    ("openai/gpt-5", "B", 50, 500, 400, 0, 8_000, 0.5),
    ("zhipu/glm-4.7", "B", 7, 3, 1, 0, 1_000, 0.0625),
]


async def reply(service: ChatService, cid: int | None, model: str, prompt: str) -> Message:
    stream = service.send(prompt, conversation_id=cid, model=model)
    message = None
    async with contextlib.aclosing(stream) as events:  # type: ignore[type-var]
        async for event in events:
            if isinstance(event, TurnEnded):
                message = event.message
    assert message is not None
    return message


async def spend(store: Store, fake: FakeGLM, tmp_path: Path) -> list[Message]:
    """Run REPLIES through the real client and service; the server reports each one's usage."""
    service = ChatService(store, settings_for(tmp_path, fake.base_url))
    conversations: dict[str, int] = {}
    made = []
    for model, name, prompt, completion, reasoning, cached, credits, usd in REPLIES:
        fake.enqueue(
            aimlapi_stream(
                f"Reply from {model}.",
                usage=usage_dict(prompt, completion, reasoning, cached),
                credits_used=credits,
                usd_spent=usd,
            )
        )
        message = await reply(service, conversations.get(name), model, f"Ask {name}")
        conversations.setdefault(name, message.conversation_id)
        made.append(message)
    await service.aclose()
    return made


async def test_each_reply_keeps_what_the_provider_reported(
    store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    made = await spend(store, fake_glm, tmp_path)
    assert [store.get_message(m.id).usage for m in made] == [
        Usage(p, c, p + c, cached, r, credits, usd)
        for _, _, p, c, r, cached, credits, usd in REPLIES
    ]


async def test_the_cost_headers_count_and_the_streams_meta_usage_wins(
    store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    service = ChatService(store, settings_for(tmp_path, fake_glm.base_url))
    headers = {"x-aimlapi-credits-used": "2480", "x-aimlapi-usd-spent": "0.001240000"}
    fake_glm.enqueue(aimlapi_stream("From the headers.", headers=headers))
    from_headers = await reply(service, None, "m", "one")
    assert from_headers.usage is not None
    assert (from_headers.usage.credits, from_headers.usage.usd) == (2480, 0.00124)
    assert from_headers.usage.total_tokens is not None  # the stream's tokens are kept too
    fake_glm.enqueue(aimlapi_stream("Both.", headers=headers, credits_used=100, usd_spent=0.5))
    both = await reply(service, None, "m", "two")
    assert both.usage is not None and (both.usage.credits, both.usage.usd) == (100, 0.5)
    fake_glm.enqueue(aimlapi_stream("Junk.", headers={"x-aimlapi-usd-spent": "lots"}))
    junk = await reply(service, None, "m", "three")
    assert junk.usage is not None and (junk.usage.credits, junk.usage.usd) == (None, None)
    await service.aclose()


async def test_totals_by_model_and_conversation_are_the_exact_sums(
    store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    made = await spend(store, fake_glm, tmp_path)
    expected: dict[str, dict[str, Any]] = {}
    for model, _, prompt, completion, reasoning, cached, credits, usd in REPLIES:
        sums = expected.setdefault(model, dict.fromkeys(("n", "p", "c", "r", "k", "cr", "u"), 0))
        for key, value in zip(
            ("n", "p", "c", "r", "k", "cr", "u"),
            (1, prompt, completion, reasoning, cached, credits, usd),
            strict=True,
        ):
            sums[key] += value
    by_model = store.usage_by("model")
    assert [row.key for row in by_model] == ["openai/gpt-5", "zhipu/glm-4.7"]  # dearest first
    for row in by_model:
        sums = expected[row.key]
        assert (row.replies, row.prompt_tokens, row.completion_tokens) == (
            sums["n"],
            sums["p"],
            sums["c"],
        )
        assert (row.reasoning_tokens, row.cached_tokens) == (sums["r"], sums["k"])
        assert (row.credits, row.usd) == (sums["cr"], sums["u"])
        assert row.total_tokens == sums["p"] + sums["c"]
        assert row.uncached_prompt_tokens == sums["p"] - sums["k"]
        assert row.answer_tokens == sums["c"] - sums["r"]
    glm = next(row for row in by_model if row.key == "zhipu/glm-4.7")
    assert (glm.usd, glm.credits) == (0.4375, 7_000)
    by_conversation = store.usage_by("conversation")
    first, second = made[0].conversation_id, made[2].conversation_id
    assert [(r.conversation_id, r.label, r.usd) for r in by_conversation] == [
        (second, "Ask B", 0.5625),
        (first, "Ask A", 0.375),
    ]
    total = store.usage_total()
    assert (total.replies, total.usd, total.credits) == (4, 0.9375, 15_000)
    assert total.prompt_tokens == sum(r[2] for r in REPLIES)


async def test_spend_by_day_follows_the_local_calendar(
    store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    made = await spend(store, fake_glm, tmp_path)
    late = datetime(2026, 3, 1, 23, 30).astimezone()  # late in the evening, where the user is
    days = [late, late + timedelta(hours=1), late - timedelta(days=3), late - timedelta(days=40)]
    with store.conn:
        for message, moment in zip(made, days, strict=True):
            store.conn.execute(
                "UPDATE messages SET created_at = ? WHERE id = ?", (format_time(moment), message.id)
            )
    rows = store.usage_by("day", since=date(2026, 2, 1), until=date(2026, 3, 31))
    assert [(r.key, r.replies, r.usd) for r in rows] == [
        ("2026-02-26", 1, 0.5),
        ("2026-03-01", 1, 0.125),
        ("2026-03-02", 1, 0.25),
    ]
    until_first = store.usage_total(since=date(2026, 3, 1), until=date(2026, 3, 1))
    assert (until_first.replies, until_first.usd) == (1, 0.125)
    from glm_tui.store.spending import every_day

    dense = every_day(rows, date(2026, 2, 25), date(2026, 3, 2))
    assert [r.key for r in dense][:2] == ["2026-02-25", "2026-02-26"] and len(dense) == 6
    assert [r.replies for r in dense] == [0, 1, 0, 0, 1, 1]


def test_a_reply_without_usage_counts_for_nothing(store: Store) -> None:
    cid = store.create_conversation(title="t", provider="zai", model="glm-4.7")
    user = store.add_message(cid, parent_id=None, role="user", content="q")
    store.add_message(cid, parent_id=user, role="assistant", content="a")
    assert store.usage_total().replies == 0 and store.usage_by("model") == []
    assert store.usage_total().usd is None  # unknown, not zero


def test_the_budget_levels() -> None:
    assert BudgetState(10.0, 7.99, "2026-03").level == "ok"
    warning = BudgetState(10.0, 8.0, "2026-03")
    assert warning.level == "warning" and not warning.over
    assert warning.sentence() == "This month's spend is US$8.00, 80 % of the budget (US$10.00)."
    over = BudgetState(10.0, 10.0, "2026-03")
    assert over.over and over.sentence() == (
        "This month's spend, US$10.00, is over the budget (100 % of US$10.00)."
    )
    assert BudgetState(10.0, 1.0, "2026-03").sentence() is None


async def test_the_budget_counts_this_month_only(
    store: Store, fake_glm: FakeGLM, tmp_path: Path
) -> None:
    made = await spend(store, fake_glm, tmp_path)
    assert budget_state(store, None) is None and budget_state(store, 0) is None
    last_month = datetime.combine(month_start(today()) - timedelta(days=1), datetime.min.time())
    with store.conn:
        store.conn.execute(
            "UPDATE messages SET created_at = ? WHERE id = ?",
            (format_time(last_month.astimezone()), made[2].id),  # the 0.5 one
        )
    state = budget_state(store, 0.5)
    assert state is not None and state.spent_usd == 0.4375 and state.level == "warning"


@pytest.fixture
async def session(store: Store, fake_glm: FakeGLM, tmp_path: Path) -> AsyncIterator[Session]:
    settings = settings_for(tmp_path, fake_glm.base_url, budget_usd=1.0)
    service = ChatService(store, settings)
    yield Session(store, service, clock=time.monotonic)
    await service.aclose()


async def test_the_session_says_when_the_month_passes_80_and_100_percent(
    session: Session, fake_glm: FakeGLM, store: Store
) -> None:
    told = Recorder()
    session.subscribe(told)
    assert session.status().budget == BudgetState(1.0, 0.0, today().strftime("%Y-%m"))
    levels = []
    for usd in (0.5, 0.375, 0.125):
        fake_glm.enqueue(aimlapi_stream("Spent.", credits_used=usd * 2e6, usd_spent=usd))
        turn = await session.send(f"Spend {usd}")
        assert turn is not None
        await session.run(turn)
        budget = told.of(StatusChanged)[-1].status.budget
        assert budget is not None
        levels.append((budget.spent_usd, budget.level, session.over_budget()))
    assert levels == [(0.5, "ok", False), (0.875, "warning", False), (1.0, "over", True)]
    # Never a silent block: a send past the budget still goes (the window asks first).
    fake_glm.enqueue(zai_stream("Still answered."))
    turn = await session.send("Past the budget")
    assert turn is not None
    await session.run(turn)
    assert turn.live.content_text == "Still answered."


async def test_what_another_program_spent_counts_too(
    session: Session, store: Store, tmp_path: Path
) -> None:
    assert not session.over_budget()
    await session.look_elsewhere()  # the first look only learns the data version
    with Store.open(tmp_path / "history.db") as other:
        cid = other.create_conversation(title="elsewhere", provider="openai", model="m")
        user = other.add_message(cid, parent_id=None, role="user", content="q")
        mid = other.add_message(cid, parent_id=user, role="assistant", content="a")
        other.update_message(mid, usage=Usage(credits=2_400_000, usd=1.2))
    assert not session.over_budget()  # not read again until a look finds a change
    await session.look_elsewhere()
    assert session.over_budget()


async def test_the_usage_report_has_every_day_of_the_range(
    session: Session, fake_glm: FakeGLM
) -> None:
    fake_glm.enqueue(aimlapi_stream("Spent.", credits_used=250_000, usd_spent=0.125))
    turn = await session.send("Report")
    assert turn is not None
    await session.run(turn)
    report = session.usage_report(days=30)
    assert len(report.days) == 30 and report.days[-1].key == today().isoformat()
    assert (report.days[-1].usd, report.days[0].replies) == (0.125, 0)
    assert report.total.usd == 0.125 and report.models[0].key == "glm-4.7"
    assert report.conversations[0].label == "Report"
    assert report.budget is not None and report.budget.spent_usd == 0.125
    assert report.to_json()["days"][-1]["usd"] == 0.125


async def test_a_compare_counts_against_the_budget(session: Session, fake_glm: FakeGLM) -> None:
    assert not session.over_budget()
    for model, usd in (("m1", 0.5), ("m2", 0.5)):
        fake_glm.enqueue_for(model, aimlapi_stream("Spent.", credits_used=usd * 2e6, usd_spent=usd))
    turn = await session.compare("Both", ["m1", "m2"])
    assert turn is not None
    await session.run_compare(turn)
    assert session.over_budget()
    budget = session.status().budget
    assert budget is not None and budget.spent_usd == 1.0
