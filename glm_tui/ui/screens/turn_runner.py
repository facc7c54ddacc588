"""The main screen's turn runner: each reply streams in a Textual worker, in a group per
conversation, so that Escape (or a deletion elsewhere) cancels that conversation's reply and the
service saves it as ``stopped``. The session does the rest (``Session.run``)."""

from __future__ import annotations

import asyncio
import contextlib

from textual.dom import DOMNode

from glm_tui.session import Session, Turn

STOP_WAIT = 5.0
"""Seconds Escape waits for a cancelled reply to be saved."""


class TurnRunner:
    def __init__(self, node: DOMNode, session: Session) -> None:
        self.node = node
        self.session = session

    @staticmethod
    def group(cid: int) -> str:
        return f"conversation-{cid}"

    def start(self, turn: Turn) -> None:
        cid = turn.live.conversation_id
        self.node.run_worker(
            self.session.run(turn),
            name=f"turn in conversation {cid}",
            group=self.group(cid),
            exit_on_error=False,  # the app's one handler says what failed; the app goes on
        )

    def writing(self) -> bool:
        """Whether a reply is being written (its worker running)."""
        return any(
            worker.group.startswith("conversation-") and not worker.is_finished
            for worker in self.node.workers
        )

    async def cancel(self, cid: int, timeout: float = STOP_WAIT) -> None:
        """Stop the reply being written in a conversation and wait until it is saved."""
        workers = self.node.workers.cancel_group(self.node, self.group(cid))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.node.workers.wait_for_complete(workers), timeout)

    async def cancel_all(self, timeout: float = 3.0) -> None:
        """Stop every reply being written (each is saved as stopped) and wait for them."""
        workers = [w for w in self.node.workers if w.group.startswith("conversation-")]
        for worker in workers:
            worker.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.node.workers.wait_for_complete(workers), timeout)
