"""The model picker's side of the session: the provider's list, and choosing a model.

The list comes from :class:`~glm_tui.models_cache.ModelCatalog` (cached on disk, asked again at
most once a day, used offline with its age). A model chosen is either the open conversation's
(saved with it; for a new conversation, the one it will be made with) or the one new
conversations get (saved as ``model`` in config.toml). Any id may be chosen: the list is a
help, not a limit (a model the list does not know still works).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glm_tui.config import ConfigError, save_config
from glm_tui.records import record
from glm_tui.session.events import ModelsChanged
from glm_tui.store import StoreError

if TYPE_CHECKING:
    # Loaded when the list is first asked for: not on the way to the first screen.
    from glm_tui.api.models import ModelInfo
    from glm_tui.models_cache import ModelCatalog, ModelList
    from glm_tui.session.session import Session


RECENT_MODELS = 5
"""Models the picker lists first as recently used."""
RECENT_CONVERSATIONS = 200
"""The conversations whose models count as recently used."""


@record(slots=False)
class ModelChoices:
    """What the picker shows."""

    models: tuple[ModelInfo, ...]
    """The provider's models, chat models first (empty when no list could be had)."""
    current: str
    """The model the next request goes to (the open conversation's, or a new one's)."""
    default: str
    """The model new conversations get (``model`` of the settings)."""
    conversation_model: str | None
    """The open conversation's own model (None: a new conversation, or none of its own)."""
    listed: ModelList | None
    """The list and how fresh it is (None: none could be had)."""
    problem: str | None = None
    """Why there is no list, or why the cached one is used ("cannot fetch ...")."""
    note: str = ""
    """One line when the list is not fresh: "offline: the list fetched 2 days ago (...)"."""
    recent: tuple[str, ...] = ()
    """The models of the conversations updated last, the newest first (the picker puts them
    first)."""

    def is_current(self, model: ModelInfo) -> bool:
        return model.answers_to(self.current)

    def find(self, model_id: str) -> ModelInfo | None:
        return next((m for m in self.models if m.answers_to(model_id)), None)


class ModelPicker:
    """The session's model list and the choice of a model."""

    def __init__(self, session: Session, *, cache_dir: Path | None = None) -> None:
        self.session = session
        self.cache_dir = cache_dir
        self.transport: Any = None
        """An httpx transport for the list (tests); None: the network."""
        self._catalog: ModelCatalog | None = None
        self._refreshing: asyncio.Task[ModelChoices] | None = None

    @property
    def catalog(self) -> ModelCatalog:
        """The catalog of the provider in use (a new one when the settings changed it)."""
        from glm_tui.models_cache import ModelCatalog

        settings = self.session.settings
        catalog = self._catalog
        if catalog is None or (
            catalog.settings.provider,
            catalog.settings.effective_base_url,
            catalog.settings.api_key,
        ) != (settings.provider, settings.effective_base_url, settings.api_key):
            catalog = ModelCatalog(
                settings,
                cache_dir=self.cache_dir,
                clock=self.session.wall_clock,
                transport=self.transport,
            )
            self._catalog = catalog
        return catalog

    async def choices(self, *, refresh: bool = False) -> ModelChoices:
        """The list (the cached one while less than a day old, unless ``refresh``), the current
        model and the default. Never raises for the list: ``problem`` says why there is none."""
        from glm_tui.api.models import ModelListError

        catalog = self.catalog
        listed: ModelList | None
        try:
            listed = await catalog.load(refresh=refresh)
            problem = listed.problem
        except ModelListError as exc:
            listed, problem = None, str(exc)
        return self._choices(listed, problem)

    def cached_choices(self) -> ModelChoices:
        """The choices from the list on disk, at once (no network): the picker opens with
        these while a refresh runs."""
        listed = self.catalog.cached()
        return self._choices(listed, None)

    def _choices(self, listed: ModelList | None, problem: str | None) -> ModelChoices:
        session = self.session
        conversation_model = session.conversation_model()
        default = session.settings.effective_model or ""
        note = listed.note(session.wall_clock()) if listed is not None else ""
        return ModelChoices(
            models=listed.models if listed is not None else (),
            current=default if session.settings.is_demo else session.next_model(),
            default=default,
            conversation_model=conversation_model,
            listed=listed,
            problem=problem,
            note=note,
            recent=self.recent_models(),
        )

    def recent_models(self, limit: int = RECENT_MODELS) -> tuple[str, ...]:
        """The models of the most recently updated conversations (pinned ones first, as the
        sidebar lists them), the newest first, at most ``limit``; () when the history cannot be
        read now."""
        session = self.session
        try:
            summaries = session.store.list_conversations(limit=RECENT_CONVERSATIONS)
        except StoreError:
            return ()
        models = (s.model for s in summaries if s.model)
        return tuple(dict.fromkeys(models))[:limit]

    def refresh_in_background(self, *, force: bool = False) -> asyncio.Task[ModelChoices] | None:
        """Ask the provider for the list in the background when it is a day old (or ``force``);
        the listeners get ModelsChanged when it is done. None when nothing was started."""
        if self._refreshing is not None and not self._refreshing.done():
            return self._refreshing
        if not force and not self.catalog.is_due():
            return None
        task = asyncio.get_running_loop().create_task(self._refresh())
        self._refreshing = task
        return task

    async def _refresh(self) -> ModelChoices:
        choices = await self.choices(refresh=True)
        await self.session._emit(ModelsChanged(choices))
        return choices

    async def set_conversation_model(self, model: str) -> None:
        """The open conversation's model (saved with it); with no conversation open, the model
        of the one the next prompt makes."""
        model = _checked(model)
        session = self.session
        cid = session.current_id
        if cid is None:
            session.pending_model = model
        else:
            session.store.set_conversation_fields(
                cid, model=model, provider=session.settings.provider
            )
            await session.touched(cid)
        await session.status_changed()

    async def set_default_model(self, model: str, *, save: bool = True) -> None:
        """The model new conversations get, used at once and (``save``) written as ``model``
        in config.toml. A ``--model`` flag or GLM_TUI_MODEL still wins at the next start.
        Raises ConfigError (one line) when the file cannot be written."""
        model = _checked(model)
        settings = self.session.settings.with_values(model=model)
        if save:
            try:
                save_config(settings.config_path, {"model": model})
            except OSError as exc:
                raise ConfigError(
                    f"cannot write {settings.config_path}: {exc.strerror or exc}"
                ) from None
        await self.session.apply_settings(settings)


def _checked(model: str) -> str:
    model = model.strip()
    if not model:
        raise ValueError("the model must not be empty")
    return model
