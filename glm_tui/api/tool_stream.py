"""Tool calls and web-search results as they come in a stream, put back together.

Providers send a tool call in one of two ways: whole in one chunk, or in fragments keyed by
``index`` (the first fragment with the call's ``id`` and ``function.name``, the next ones with
pieces of ``function.arguments``). Some servers leave ``index`` out of whole calls, or repeat
the name in every fragment; the assembler takes all of these.
"""

from __future__ import annotations

import json
import os
from dataclasses import field
from typing import Any

from glm_tui.api.events import ToolCall, WebSource
from glm_tui.records import record


@record(frozen=False, slots=False)
class _Part:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ToolCallAssembler:
    """Feed it each delta's ``tool_calls`` list; ``calls()`` gives the calls assembled."""

    def __init__(self) -> None:
        self._parts: dict[int, _Part] = {}
        self._last: int | None = None

    def __bool__(self) -> bool:
        return bool(self._parts)

    def feed(self, items: Any) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if isinstance(item, dict):
                self._feed_one(item)

    def _key(self, item: dict[str, Any]) -> int:
        index = item.get("index")
        call_id = item.get("id")
        if isinstance(index, int) and not isinstance(index, bool):
            part = self._parts.get(index)
            if part is None or not call_id or not part.id or part.id == call_id:
                return index
            # The same index for another call id: a server numbering whole calls from 0 each
            # time. It is a new call.
            return max(self._parts) + 1
        if isinstance(call_id, str) and call_id:
            for key, part in self._parts.items():
                if part.id == call_id:
                    return key
            return max(self._parts, default=-1) + 1
        # No index and no id: the next piece of the call before.
        return self._last if self._last is not None else 0

    def _feed_one(self, item: dict[str, Any]) -> None:
        key = self._key(item)
        part = self._parts.setdefault(key, _Part())
        self._last = key
        call_id = item.get("id")
        if isinstance(call_id, str) and call_id and not part.id:
            part.id = call_id
        function = item.get("function")
        if not isinstance(function, dict):
            return
        name = function.get("name")
        if isinstance(name, str) and name and name != part.name:
            # A repeated whole name is the same name; a different piece continues it.
            part.name += name
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            part.arguments.append(arguments)
        elif isinstance(arguments, dict | list):
            # A few servers send the arguments as an object rather than as JSON text.
            part.arguments.append(json.dumps(arguments, ensure_ascii=False))

    def calls(self) -> tuple[ToolCall, ...]:
        """The calls in index order; a call the provider gave no id gets one of ours."""
        out: list[ToolCall] = []
        for key in sorted(self._parts):
            part = self._parts[key]
            call_id = part.id or f"call_{os.urandom(8).hex()}"
            out.append(ToolCall(call_id, part.name, "".join(part.arguments)))
        return tuple(out)


class WebSearchCollector:
    """Z.ai's ``web_search`` list (at the top level of a chunk), kept once per link."""

    def __init__(self) -> None:
        self._sources: dict[str, WebSource] = {}

    def __bool__(self) -> bool:
        return bool(self._sources)

    def feed(self, items: Any) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            source = WebSource.from_json(item)
            if source is not None and source.link not in self._sources:
                self._sources[source.link] = source

    def sources(self) -> tuple[WebSource, ...]:
        return tuple(self._sources.values())
