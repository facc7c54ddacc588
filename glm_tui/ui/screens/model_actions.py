"""What the main screen does with models and money: the model picker, the usage screen, the
budget's question before a send, and Compare (the models, then the columns).

Each goes through the session; the compare's replies come back as session events, which
``session_view.py`` hands to :meth:`ModelActions.compare_event`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from glm_tui.config import ConfigError
from glm_tui.session import (
    CompareFinished,
    CompareReplyChanged,
    CompareReplyFinished,
    Session,
)
from glm_tui.ui.screens.problems import attempt, attempt_now

if TYPE_CHECKING:
    from glm_tui.ui.screens.compare import CompareScreen
    from glm_tui.ui.screens.main import MainScreen

CompareEvent = CompareReplyChanged | CompareReplyFinished | CompareFinished


class ModelActions:
    def __init__(self, screen: MainScreen, session: Session) -> None:
        self.screen = screen
        self.session = session
        self.compare_screen: CompareScreen | None = None
        """The columns of the compare being written or just written, while they are shown."""

    # -- the model picker ----------------------------------------------------------------------

    def pick(self) -> None:
        self.screen.run_worker(self._pick(), group="dialogs")

    async def _pick(self) -> None:
        from glm_tui.ui.screens.model_picker import ModelPickerScreen

        screen = self.screen
        app = screen.app
        picked = await app.push_screen_wait(ModelPickerScreen(self.session))
        if picked is None:
            return
        await attempt(app, self.session.set_conversation_model(picked.model))
        where = "this conversation"
        if picked.default:
            try:
                await self.session.set_default_model(picked.model)
            except ConfigError as exc:
                app.notify(str(exc), title="Model", severity="error", markup=False)
                return
            await app.apply_settings(self.session.settings)  # type: ignore[attr-defined]
            where = "this conversation and new ones (saved in config.toml)"
        app.notify(f"Model {picked.model} for {where}.", markup=False, timeout=4)

    # -- money ---------------------------------------------------------------------------------

    def usage(self) -> None:
        from glm_tui.ui.screens.usage import UsageScreen

        self.screen.app.push_screen(UsageScreen(self.session))

    async def budget_allows(self) -> bool:
        """Past the monthly budget, ask before a request goes out (from a worker); True when it
        may go."""
        budget = self.session.budget()
        if budget is None or not budget.over:
            return True
        from glm_tui.ui.screens.dialogs import ConfirmScreen

        question = Content.assemble(
            (budget.summary(), "bold"),
            "\n\nThe budget is budget_usd in config.toml. Send this request anyway?",
        )
        allowed: bool = await self.screen.app.push_screen_wait(
            ConfirmScreen(question, "Send anyway")
        )
        return allowed

    # -- compare -------------------------------------------------------------------------------

    def compare(self) -> None:
        text = self.screen.composer.text
        if not text.strip():
            self.screen.notify(
                "Write the prompt in the composer first: Compare sends it to each model.",
                severity="warning",
            )
            return
        self.screen.run_worker(self._compare(text), group="dialogs")

    async def _compare(self, text: str) -> None:
        from glm_tui.ui.screens.compare import CompareScreen
        from glm_tui.ui.screens.model_picker import CompareModelsScreen

        screen = self.screen
        app = screen.app
        models = await app.push_screen_wait(CompareModelsScreen(self.session))
        if not models or not await self.budget_allows():
            return
        turn = await attempt(app, self.session.compare(text, models))
        if turn is None:
            return
        screen.composer.take_sent(text)
        live = turn.live
        rows = attempt_now(
            app, lambda: [self.session.message(i) for i in (live.user_id, *live.reply_ids)]
        )
        if rows is not None:
            columns = CompareScreen(
                self.session,
                rows[0],
                rows[1:],
                live,
                clock=screen.seconds,
                stop=lambda: screen.turns.cancel(live.conversation_id),
            )
            self.compare_screen = columns
            await app.push_screen(columns, self._columns_closed)
        screen.run_worker(
            self.session.run_compare(turn),
            name=f"compare in conversation {live.conversation_id}",
            group=screen.turns.group(live.conversation_id),
            exit_on_error=False,
        )

    def _columns_closed(self, _: object) -> None:
        self.compare_screen = None
        self.screen.composer.focus()

    async def compare_event(self, event: CompareEvent) -> None:
        """A reply of a compare changed or ended, or all did."""
        columns = self.compare_screen
        if columns is not None and columns.live is event.compare:
            await columns.compare_event(event)
        if isinstance(event, CompareFinished):
            cid = event.compare.conversation_id
            if cid == self.session.current_id:
                await attempt(self.screen.app, self.session.open(cid))
