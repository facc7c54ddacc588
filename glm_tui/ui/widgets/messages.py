"""One widget per message: the reply (Thinking, answer, tool calls, sources, footer), a missing
reply; the prompt is in prompt_message.py (re-exported here)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message as TextualMessage
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Static

from glm_tui.records import record
from glm_tui.session.live import LiveToolCall, LiveTurn
from glm_tui.store import MatchHighlight, Message
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.formatting import (
    STATUS_WORDS,
    code_blocks,
    code_languages,
    cost_text,
    duration_text,
    has_code_block,
    join_parts,
    status_words,
    tokens_text,
)
from glm_tui.ui.textual_private import QuietHorizontal, QuietStatic, SteadyArrangement
from glm_tui.ui.widgets.message_actions import MessageActions
from glm_tui.ui.widgets.prompt_message import UserMessage as UserMessage
from glm_tui.ui.widgets.prompt_message import characters, marked_terms
from glm_tui.ui.widgets.reply_parts import MissingReply as MissingReply
from glm_tui.ui.widgets.reply_parts import footer_button, round_text, sources_text
from glm_tui.ui.widgets.thinking import (
    ThinkingBlock,
    markdown,
    markdown_stream,
    restyle_shallow,
    thinking_title,
)
from glm_tui.ui.widgets.tool_block import ToolCallBlock, view_of_live, view_of_saved

if TYPE_CHECKING:
    from glm_tui.ui.markdown.segmented import SegmentedMarkdown


FLUSH_INTERVAL = 0.2
"""Seconds between two renders of a live reply: at most 5 a second, whatever the token rate
(about a dozen tokens a render at 60 tokens/s). Each render parses, wraps and paints the growing
text, and at 60 tokens/s nearly every one lays the screen out again (a new line, a fence's or a
list's next row), moving the whole view up: 20 renders a second cost a fifth of a core, 8 a
second 15 %, 5 a second 11 % (benchmarks/bench_live.py)."""


W = TypeVar("W", bound=Widget)


@record(frozen=True)
class FooterParts:
    """What a reply shows below its answer (``AssistantMessage._footer_parts``)."""

    meta: str
    sources: bool
    words: str
    """Why the reply is not complete ("" when it is)."""
    retry: bool
    compact_retry: bool
    copy: bool
    copy_code: bool


def _button_maker(label: str, name: str) -> Callable[[], Button]:
    return lambda: footer_button(label, name)


class AssistantMessage(SteadyArrangement, MessageActions, Vertical, can_focus=True):
    """A reply: the Thinking block, the answer as streamed Markdown, its tool calls (a block
    each) and a footer.

    A turn that uses tools is several replies: the one that asks for calls shows them below its
    text (``results``: their saved rows; the live turn's calls while it runs) and has no footer;
    the reply that goes on after the results (``continued``) has no role line, so the turn
    reads as one: think, call, think, answer.

    While the reply is live, text arrives through ``on_reasoning`` / ``on_content`` (called by
    the app's worker for every piece) and is written to the Markdown streams in batches by a
    timer, so the render rate does not follow the token rate.
    """

    @record(frozen=False, slots=False)
    class Retry(TextualMessage):
        """The user asked for a new reply in place of this one."""

        message_id: int

    @record(frozen=False, slots=False)
    class CompactAndRetry(TextualMessage):
        """The reply failed because the conversation no longer fits the model's window: the
        user asked to compact it and send the prompt again."""

        message_id: int

    def __init__(
        self,
        message: Message,
        *,
        live: LiveTurn | None = None,
        clock: Callable[[], float] | None = None,
        branch: tuple[int, int] | None = None,
        results: Sequence[Message] = (),
        live_calls: dict[str, LiveToolCall] | None = None,
        continued: bool = False,
    ) -> None:
        super().__init__(id=f"msg-{message.id}", classes="message assistant-message")
        self.message = message
        self._parts_known: tuple[Message, bool, FooterParts] | None = None
        self.branch = branch
        self.live = live
        self.clock = clock or (lambda: 0.0)
        self.continued = continued
        self.set_class(continued, "-continued")
        # Saved text is as the provider sent it: escape codes are removed for the screen.
        if live is not None:
            reasoning, content = round_text(live)
        else:
            reasoning = strip_controls(message.reasoning or "")
            content = strip_controls(message.content)
        self._pending_reasoning: list[str] = [reasoning] if live and reasoning else []
        self._pending_content: list[str] = [content] if live and content else []
        # A continued reply times its own thinking: the turn's clock started with the first.
        self._round_started = self.clock() if continued and live is not None else None
        self._round_answered: float | None = None
        thinking_now = live is not None and (continued or live.answer_started is None)
        self.thinking: ThinkingBlock | None = None
        if live is not None or reasoning:
            self.thinking = ThinkingBlock(
                "" if live else reasoning,
                collapsed=not thinking_now,
                live=live is not None,
                connecting=live is not None and live.connected is None,
            )
            self.thinking.display = bool(reasoning) or thinking_now
        self.answer = markdown(None if live else content, classes="answer")
        self.answer.display = bool(content) or (live is None and not message.tool_calls)
        by_id = {row.tool.call_id: row for row in results if row.tool is not None}
        live_calls = live_calls or {}
        self.tool_blocks = [
            ToolCallBlock(
                view_of_live(live_calls[call.id])
                if call.id in live_calls
                else view_of_saved(call, by_id.get(call.id))
            )
            for call in message.tool_calls
        ]
        self._stream: SegmentedMarkdown | None = None
        self._timer: Timer | None = None
        # One flush at a time: the timer's and finish()'s would race on the streams.
        self._flush_lock = asyncio.Lock()
        self._answer_shown = bool(content)
        self._reasoning_seen = bool(reasoning) and live is None
        if live is not None:
            live.listener = self

    def show_match(self, highlight: MatchHighlight) -> None:
        super().show_match(highlight)
        if highlight.reasoning_spans and not highlight.content_spans and self.thinking:
            self.thinking.collapsed = False  # the words are in the thinking: show it
        if highlight.terms:
            # The blocks of the answer are made when it is laid out: mark them after that.
            self.call_after_refresh(self.mark_words, tuple(highlight.terms))

    def mark_words(self, terms: Sequence[str]) -> int:
        """Highlight ``terms`` in the answer's blocks on screen (the text of each paragraph,
        heading, list item and table cell); how many blocks got a mark. Code is left alone."""
        # Here, not at the top: Textual's Markdown brings markdown-it and Pygments, which the
        # first screen does without.
        from textual.widgets.markdown import MarkdownBlock

        marked = 0
        for block in self.answer.query(MarkdownBlock):
            content = block.content
            if block.children or not isinstance(content, Content):
                continue
            found = marked_terms(content, terms)
            if found is not None:
                block.set_content(found)
                marked += 1
        return marked

    # -- composition --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield self.role_line(self.message.model or "GLM")
        if self.thinking is not None:
            yield self.thinking
        yield self.answer
        if self.tool_blocks:
            yield Vertical(*self.tool_blocks, classes="tool-calls")
        # The parts a reply seldom shows (its sources, why it is not complete, the retry
        # buttons, Copy code) are made only when shown (then ``_update_footer`` makes them):
        # made hidden, they were a third of the widgets of a conversation's replies.
        parts = self._footer_parts()
        if parts.sources:
            yield Static(classes="sources")
        if parts.words:
            yield Static(classes="status-text")
        with QuietHorizontal(classes="message-footer"):
            yield QuietStatic(Content(""), classes="meta")
            if parts.retry:
                yield footer_button("Retry", "retry")
            if parts.compact_retry:
                yield footer_button("Compact and retry", "compact-retry")
            yield footer_button("Copy", "copy")
            if parts.copy_code:
                yield footer_button("Copy code", "copy-code")

    def update_node_styles(self, animate: bool = True) -> None:
        # A state class (-live, -error, focus, selection) restyles the frame, the role line and
        # the footer, not every block of a long answer (seconds): see restyle_shallow.
        restyle_shallow(self, animate)

    def on_mount(self) -> None:
        self._update_footer()
        if self.live is not None:
            self._timer = self.set_interval(FLUSH_INTERVAL, self._flush)

    def on_unmount(self) -> None:
        if self.live is not None and self.live.listener is self:
            self.live.listener = None

    # -- live streaming -----------------------------------------------------------------------

    def on_reasoning(self, text: str) -> None:
        self._pending_reasoning.append(text)

    def on_content(self, text: str) -> None:
        self._pending_content.append(text)

    async def _flush(self) -> None:
        if self._flush_lock.locked():
            return  # the previous tick is still rendering; the next one takes it all
        async with self._flush_lock:
            await self._write_pending()

    async def _write_pending(self) -> None:
        if self._pending_reasoning and self.thinking is not None:
            text = "".join(self._pending_reasoning)
            self._pending_reasoning.clear()
            # Not body.source: the text just written may still be queued in the body.
            self._reasoning_seen = True
            self.thinking.display = True
            await self.thinking.write(text)
        if self._pending_content:
            text = "".join(self._pending_content)
            self._pending_content.clear()
            if self.thinking is not None and not self._answer_shown:
                self.thinking.fold()  # once: the user may open it again while the answer streams
                self._round_answered = self.clock()
            if self.thinking is not None and not self._reasoning_seen:
                self.thinking.display = False
            self.answer.display = True
            self._answer_shown = True
            if self._stream is None:
                self._stream = markdown_stream(self.answer)
            await self._stream.write(text)
        self._update_thinking_title()

    def _update_thinking_title(self) -> None:
        live = self.live
        if self.thinking is None or live is None:
            return
        now = self.clock()
        if self._round_started is not None:
            end = self._round_answered if self._round_answered is not None else now
            self.thinking.title = thinking_title(
                end - self._round_started, live=self._round_answered is None
            )
            return
        if live.connected is None:
            self.thinking.title = thinking_title(now - live.started, live=True, connecting=True)
            return
        self.thinking.title = thinking_title(
            live.thinking_seconds(now), live=live.answer_started is None and live.final is None
        )

    async def finish(self, message: Message) -> None:
        """The reply is final (complete, stopped, failed...): render the rest and the footer."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        async with self._flush_lock:
            await self._write_pending()
            if self._stream is not None:
                await self._stream.stop()
                self._stream = None
            if self.thinking is not None:
                await self.thinking.stop()
        live = self.live
        if self.thinking is not None:
            if live is not None and self._round_started is not None:
                end = self._round_answered if self._round_answered is not None else self.clock()
                self.thinking.title = thinking_title(end - self._round_started, live=False)
            elif live is not None and live.connected is not None:
                seconds = live.thinking_seconds(self.clock(), message.duration)
                self.thinking.title = thinking_title(seconds, live=False)
            else:
                self.thinking.title = thinking_title(None, live=False)
            self.thinking.display = bool(self.thinking.body.source)
        self.message = message
        if live is not None and live.listener is self:
            live.listener = None
        self.live = None
        self.answer.display = bool(self.answer.source) or (
            message.status == "complete" and not message.tool_calls
        )
        self._update_footer()

    # -- tool calls ---------------------------------------------------------------------------

    def block_for(self, call_id: str) -> ToolCallBlock | None:
        return next((b for b in self.tool_blocks if b.call_id == call_id), None)

    async def show_call(self, call: LiveToolCall) -> None:
        """A call this reply asked for was proposed, decided, started or ended."""
        block = self.block_for(call.call.id)
        if block is not None:
            block.show(view_of_live(call))
            return
        block = ToolCallBlock(view_of_live(call))
        self.tool_blocks.append(block)
        calls = self.query_children(".tool-calls").results(Vertical)
        box = next(iter(calls), None)
        if box is None:
            await self.mount(Vertical(block, classes="tool-calls"), before=self._below_calls())
        else:
            await box.mount(block)

    def _below_calls(self) -> Widget:
        """What comes after the tool calls: the sources, the status text or the footer."""
        return next(
            child
            for child in self.children
            if not child.classes.isdisjoint(("sources", "status-text", "message-footer"))
        )

    # -- footer and actions -------------------------------------------------------------------

    def _footer_parts(self) -> FooterParts:
        """What the reply's parts below the answer show now (worked out once for a message and
        its liveness: compose and the mount's footer update ask for the same)."""
        message = self.message
        live = self.live is not None
        known = self._parts_known
        if known is not None and known[0] is message and known[1] == live:
            return known[2]
        status = "streaming" if live else message.status
        meta = join_parts(
            message.model or "",
            tokens_text(message.usage),
            cost_text(message.usage, credits=True),
            "" if live else duration_text(message.duration),
        )
        if live:
            meta = join_parts(meta, STATUS_WORDS["streaming"])
        words = ""
        if not live:
            words = status_words(status, answered=bool(message.content), error=message.error)
        from glm_tui.context.overflow import overflowed

        parts = FooterParts(
            meta=meta,
            sources=bool(message.sources) and not live,
            words=words,
            retry=not live and status != "complete",
            compact_retry=not live and overflowed(message),
            copy=not live,
            copy_code=not live and has_code_block(message.content),
        )
        self._parts_known = (message, live, parts)
        return parts

    def _update_footer(self) -> None:
        message = self.message
        live = self.live is not None
        status = "streaming" if live else message.status
        parts = self._footer_parts()
        footer = self.query_one(".message-footer")
        footer.query_one(".meta", Static).update(Content(parts.meta))
        if parts.sources:
            sources = self._part(".sources", lambda: Static(classes="sources"), footer)
            sources.update(sources_text(message.sources))
        else:
            self._hide(".sources")
        # Why the reply is not complete, on its own line: the provider's words can be long.
        if parts.words:
            status_text = self._part(".status-text", lambda: Static(classes="status-text"), footer)
            status_text.update(Content(parts.words))
        else:
            self._hide(".status-text")
        self.set_class(not live and status != "complete", "-incomplete")
        self.set_class(status == "error", "-error")
        self.set_class(live, "-live")
        # A reply that asked for calls goes on below them: the last reply has the footer.
        self.set_class(not live and status == "complete" and bool(message.tool_calls), "-calls")
        copy = footer.query_one(".copy", Button)
        copy.display = parts.copy
        # The footer's order: meta, Retry, Compact and retry, Copy, Copy code.
        for name, label, wanted in (
            ("retry", "Retry", parts.retry),
            ("compact-retry", "Compact and retry", parts.compact_retry),
            ("copy-code", "Copy code", parts.copy_code),
        ):
            if wanted:
                before = None if name == "copy-code" else copy
                self._part(f".{name}", _button_maker(label, name), before, parent=footer)
            else:
                self._hide(f".{name}", footer)

    def _part(
        self,
        selector: str,
        make: Callable[[], W],
        before: Widget | None,
        *,
        parent: Widget | None = None,
    ) -> W:
        """The child of ``parent`` (the reply) that ``selector`` names, shown; made and mounted
        before ``before`` (at the end when None) the first time it is."""
        parent = parent or self
        found = next(iter(parent.query_children(selector)), None)
        if found is None:
            found = make()
            parent.mount(found, before=before)
        found.display = True
        return cast(W, found)

    def _hide(self, selector: str, parent: Widget | None = None) -> None:
        for child in (parent or self).query_children(selector):
            child.display = False

    @on(Button.Pressed, ".retry")
    def _retry_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_retry()

    @on(Button.Pressed, ".compact-retry")
    def _compact_retry_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.live is None:
            self.post_message(self.CompactAndRetry(self.message.id))

    @on(Button.Pressed, ".copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy()

    @on(Button.Pressed, ".copy-code")
    def _copy_code_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy_code()

    def action_retry(self) -> None:
        if self.live is None:
            self.post_message(self.Retry(self.message.id))

    def action_copy(self) -> None:
        text = self.live.content_text if self.live else self.message.content
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the reply ({characters(text)}, as Markdown).", markup=False)

    def action_copy_code(self) -> None:
        text = self.live.content_text if self.live else self.message.content
        blocks = code_blocks(text)
        if not blocks:
            self.notify("This reply has no code block.", severity="warning")
            return
        copied = "\n\n".join(blocks)
        self.app.copy_to_clipboard(copied)
        languages = [language or "text" for language in code_languages(text)]
        lines = sum(len(block.split("\n")) for block in blocks)
        size = f"{lines} line{'' if lines == 1 else 's'}"
        if len(blocks) == 1:
            named = f"{languages[0]} " if languages[0] != "text" else ""
            self.notify(f"Copied the {named}code block ({size}).", markup=False)
        else:
            kinds = ", ".join(dict.fromkeys(languages))
            self.notify(f"Copied {len(blocks)} code blocks ({kinds}; {size}).", markup=False)
