"""The model picker (F4, palette "Model"), and the list of models it shares with Compare.

A filter box over the provider's list (``Session.model_choices``): typing filters it (fuzzy,
the best match first), Up / Down / PageUp / PageDown move in it, Enter chooses. Before anything
is typed the models used recently come first, then the list as the provider gave it (chat
models first). Each row: the model's id, its context length, output limit, price per million
prompt / completion tokens and vision / tools marks, as far as the list says them; the current
model is marked ``●``. A text the list does not know can be chosen too ("Use ..."): any id works.

The picker opens at once with the list on disk and fetches it in the background when it is a
day old (Ctrl+R: now); offline, it says how old the list is.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from glm_tui.api.models import ModelInfo, price_per_million, tokens_short
from glm_tui.records import record
from glm_tui.session import ModelChoices, Session
from glm_tui.session.compare import MAX_MODELS as MAX_COMPARED
from glm_tui.terminal_text import strip_controls
from glm_tui.ui.screens.dialogs import DialogScreen, dialog_buttons

ID_WIDTH = 34
"""The widest the id column gets; a longer id is cut with an ellipsis."""
DIALOG_WIDTH = 110
TYPED = "\x00typed"
"""The option id of the row that uses the filter's text as the model's id."""


ResultType = TypeVar("ResultType")


@record(slots=False)
class ModelRow:
    """One row of the list: a model of the provider's list, or an id known only by use."""

    id: str
    info: ModelInfo | None
    current: bool = False
    recent: bool = False


@record(slots=False)
class PickedModel:
    """What the picker returns: the model, and whether new conversations get it too."""

    model: str
    default: bool


def model_rows(choices: ModelChoices, query: str = "") -> list[ModelRow]:
    """The rows for ``query``: without one, the recently used models and the one in use, then
    the rest of the list as the provider gave it; with one, those that match it (id or name),
    the best match first."""
    rows: list[ModelRow] = []
    seen: set[str] = set()
    for model_id in (*choices.recent, choices.current):
        info = choices.find(model_id)
        key = info.id if info is not None else model_id
        if key and key not in seen:
            seen.add(key)
            rows.append(ModelRow(key, info, recent=model_id in choices.recent))
    for info in choices.models:
        if info.id not in seen:
            seen.add(info.id)
            rows.append(ModelRow(info.id, info))
    rows = [
        ModelRow(
            row.id,
            row.info,
            current=row.info.answers_to(choices.current)
            if row.info is not None
            else row.id == choices.current,
            recent=row.recent,
        )
        for row in rows
    ]
    query = query.strip()
    if not query:
        return rows
    matcher = Matcher(query)
    scored = []
    for index, row in enumerate(rows):
        name = row.info.name if row.info is not None and row.info.name else ""
        score = max(matcher.match(row.id), matcher.match(name) if name else 0.0)
        if score > 0:
            scored.append((-score, index, row))
    return [row for _, _, row in sorted(scored, key=lambda item: item[:2])]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def row_content(row: ModelRow, id_width: int) -> Content:
    """``● zhipu/glm-4.7   200K ctx  131K out  $0.60 / $2.20 per M  tools  recent``."""
    info = row.info
    model_id = _cut(" ".join(strip_controls(row.id).split()), id_width)
    parts: list[str | tuple[str, str]] = [
        ("● " if row.current else "  ", "$text-success"),
        (f"{model_id:<{id_width}}", "bold" if row.current else ""),
    ]
    if info is None:
        parts.append(("  not in the provider's list", "$text-muted"))
    else:
        context, output = tokens_short(info.context_length), tokens_short(info.output_limit)
        parts.append(f"  {context:>5} ctx  {output:>5} out")
        if info.input_price is not None or info.output_price is not None:
            price = (
                f"{price_per_million(info.input_price)} / "
                f"{price_per_million(info.output_price)} per M"
            )
        elif info.price_kind not in (None, "fixed"):
            price = f"price {info.price_kind}"
        else:
            price = "price -"
        parts.append(f"  {price}")
        marks = [name for name, on in (("vision", info.vision), ("tools", info.tools)) if on]
        if info.chat is False:
            marks.append(_cut(strip_controls(info.type or "not chat"), 20))
        if marks:
            parts.append(("  " + " ".join(marks), "$text-accent"))
    if row.recent:
        parts.append(("  recent", "$text-muted italic"))
    return Content.assemble(*parts)


def typed_content(text: str) -> Content:
    return Content.assemble(
        "  Use ", (strip_controls(text), "bold"), (" (an id the list does not have)", "$text-muted")
    )


class ModelListScreen(DialogScreen[ResultType]):
    """A filter box over the models (Up / Down move, Enter chooses): the picker and Compare."""

    DEFAULT_CSS = """
    .model-list {
        height: 1fr;
        min-height: 3;
        border: none;
        padding: 0;
        background: $surface;
    }
    .model-note {
        color: $text-muted;
        height: auto;
    }
    .model-filter {
        margin-bottom: 1;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("ctrl+r", "refresh_list", "Refresh the list", priority=True),
    ]
    TITLE_TEXT = "Model"
    HINT = ""

    def __init__(self, session: Session, *, id: str) -> None:
        super().__init__(id=id)
        self.session = session
        self.choices: ModelChoices = session.model_picker.cached_choices()
        self.rows: list[ModelRow] = []
        self.fetching = True
        """The list is being read (or fetched) in the background."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog model-dialog"):
            yield Static(Content.styled(self.TITLE_TEXT, "bold"), classes="dialog-title")
            yield Static(Content(""), classes="model-note", id="model-note")
            yield Input(placeholder="Type to filter", id="model-filter", classes="model-filter")
            yield OptionList(id="model-list", classes="model-list")
            yield from self.compose_extra()
            yield dialog_buttons(self.HINT)

    def compose_extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        # Inline: the app's CSS (``.dialog``) wins over a screen's DEFAULT_CSS.
        dialog = self.query_one(".model-dialog")
        dialog.styles.width = DIALOG_WIDTH
        dialog.styles.height = "90%"
        self.option_list.can_focus = False  # the filter keeps the focus; Up / Down move here
        self.show_rows(keep=self.choices.current)
        self.filter_input.focus()
        self.load()

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#model-list", OptionList)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#model-filter", Input)

    @property
    def query_text(self) -> str:
        return self.filter_input.value.strip()

    # -- the list ------------------------------------------------------------------------------

    @work(group="model-list", exclusive=True)
    async def load(self, refresh: bool = False) -> None:
        """The list, from the cache while it is a day old (fetched when due, or ``refresh``)."""
        self.fetching = True
        self.show_note()
        choices = await self.session.model_choices(refresh=refresh)
        self.fetching = False
        self.choices = choices
        self.show_rows(keep=self.highlighted_id())

    def show_note(self) -> None:
        choices = self.choices
        lines: list[str | tuple[str, str]] = [self.note_text(choices)]
        if self.fetching and not choices.models:
            lines.append(("\nFetching the provider's list…", "$text-muted"))
        elif choices.problem and not choices.models:
            problem = choices.problem
            lines.append((f"\nNo list: {problem}.\nType the model's id.", "$text-warning"))
        elif choices.note:
            lines.append((f"\n{choices.note}", "$text-warning"))
        self.query_one("#model-note", Static).update(Content.assemble(*lines))

    def note_text(self, choices: ModelChoices) -> str:
        return f"In use: {choices.current or '-'}"

    def show_rows(self, keep: str | None = None) -> None:
        self.show_note()
        query = self.query_text
        self.rows = model_rows(self.choices, query)
        width = min(ID_WIDTH, max([len(row.id) for row in self.rows] or [10]))
        options = [Option(self.row_prompt(row, width), id=row.id) for row in self.rows]
        if query and all(row.id != query for row in self.rows):
            typed = Option(typed_content(query), id=TYPED)
            options = [*options, typed] if options else [typed]
        option_list = self.option_list
        option_list.set_options(options)
        ids = [option.id for option in options]
        known = self.choices.find(keep) if keep is not None and keep not in ids else None
        if known is not None:
            keep = known.id  # an alias, or an id the list did not have until now
        if keep is not None and query and keep == query and TYPED in ids:
            option_list.highlighted = ids.index(TYPED)
        elif keep is not None and keep in ids:
            option_list.highlighted = ids.index(keep)
        elif options:
            option_list.highlighted = 0

    def row_prompt(self, row: ModelRow, width: int) -> Content:
        return row_content(row, width)

    def highlighted_id(self) -> str | None:
        """The model of the highlighted row (the filter's text for the "Use ..." row)."""
        option_list = self.option_list
        index = option_list.highlighted
        if index is None or option_list.option_count == 0:
            return None
        option_id = option_list.get_option_at_index(index).id
        return self.query_text if option_id == TYPED else option_id

    @on(Input.Changed, "#model-filter")
    def _filter_changed(self) -> None:
        self.show_rows()

    def action_move(self, step: int) -> None:
        option_list = self.option_list
        count = option_list.option_count
        if not count:
            return
        index = option_list.highlighted
        index = 0 if index is None else max(0, min(count - 1, index + step))
        option_list.highlighted = index

    def action_refresh_list(self) -> None:
        self.load(refresh=True)
        self.notify("Asking the provider for its list…", timeout=2)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ModelPickerScreen(ModelListScreen[PickedModel | None]):
    """Choose the model of the open conversation (Enter), and of new ones too (Ctrl+D)."""

    BINDINGS = [
        Binding("ctrl+d", "toggle_default", "Default too", priority=True),
    ]
    HINT = (
        "Type: filter · ↑↓: move · Enter: use for this conversation · Ctrl+D: also for new"
        " conversations · Ctrl+R: fetch the list again · Esc: close"
    )

    def __init__(self, session: Session) -> None:
        super().__init__(session, id="model-picker")

    def compose_extra(self) -> ComposeResult:
        yield Checkbox(
            "Also the default for new conversations (Ctrl+D; saved in config.toml)",
            id="model-default",
            compact=True,
        )

    def note_text(self, choices: ModelChoices) -> str:
        mine = choices.conversation_model
        where = "this conversation's own" if mine else "the default"
        return f"In use: {choices.current or '-'} ({where}) · default for new: {choices.default}"

    @property
    def also_default(self) -> bool:
        return self.query_one("#model-default", Checkbox).value

    def action_toggle_default(self) -> None:
        checkbox = self.query_one("#model-default", Checkbox)
        checkbox.value = not checkbox.value

    @on(Input.Submitted, "#model-filter")
    def _submitted(self) -> None:
        self._choose(self.highlighted_id())

    @on(OptionList.OptionSelected, "#model-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self._choose(self.query_text if option_id == TYPED else option_id)

    def _choose(self, model: str | None) -> None:
        if not model:
            self.app.bell()
            return
        self.dismiss(PickedModel(model, self.also_default))


class CompareModelsScreen(ModelListScreen[list[str] | None]):
    """Mark two or three models (Tab, as in fzf: Space would be typed in the filter), in the
    order their replies will be shown; Enter compares them."""

    BINDINGS = [Binding("tab", "mark", "Mark", priority=True)]
    TITLE_TEXT = "Compare: the models"
    HINT = (
        "Type: filter · ↑↓: move · Tab: mark / unmark · Enter: compare the marked (two or"
        " three) · Esc: close"
    )

    def __init__(self, session: Session) -> None:
        super().__init__(session, id="compare-models")
        self.marked: list[str] = []

    def note_text(self, choices: ModelChoices) -> str:
        if not self.marked:
            return "Mark two or three models: each gets the composer's text."
        return f"Marked: {', '.join(self.marked)}"

    def row_prompt(self, row: ModelRow, width: int) -> Content:
        return Content.assemble(self._mark(row.id), row_content(row, width))

    def _mark(self, model: str) -> tuple[str, str]:
        if model in self.marked:
            return (f"[{self.marked.index(model) + 1}]", "bold $text-accent")
        return ("[ ]", "$text-muted")

    def action_mark(self) -> None:
        model = self.highlighted_id()
        if not model:
            self.app.bell()
            return
        if model in self.marked:
            self.marked.remove(model)
        elif len(self.marked) >= MAX_COMPARED:
            self.notify("Three models at most: unmark one first.", severity="warning")
            return
        else:
            self.marked.append(model)
        self.show_rows(keep=self.highlighted_id())

    @on(Input.Submitted, "#model-filter")
    def _submitted(self) -> None:
        if len(self.marked) >= 2:
            self.dismiss(list(self.marked))
        elif self.highlighted_id():
            self.action_mark()
            if len(self.marked) < 2:
                self.notify("Mark one more (Tab), then Enter.", timeout=3)
        else:
            self.app.bell()

    @on(OptionList.OptionSelected, "#model-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.action_mark()
