"""A small JSON Schema checker for tool arguments.

Our own rather than the ``jsonschema`` package: importing that costs a tenth of a second that
``ask`` would pay on every call, and a tool's arguments need only the common keywords: ``type``,
``properties``, ``required``, ``additionalProperties``, ``items``, ``enum``, ``const``, the
bounds of numbers, strings and arrays, and ``anyOf`` / ``oneOf`` / ``allOf``. A keyword it does
not know (``$ref``, ``pattern``, ``format``...) is not checked: the tool checks its arguments
too, so the worst case is an error from the tool rather than from us.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is(value: Any, name: str) -> bool:
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    if name in ("number", "integer") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(name, object))


def problem(value: Any, schema: Any, where: str = "arguments") -> str | None:
    """Why ``value`` does not match ``schema`` (one line naming the place), None if it does."""
    if not isinstance(schema, dict):
        return None  # true / false / nonsense: nothing we can check
    wanted = schema.get("type")
    if isinstance(wanted, str | list):
        names = [wanted] if isinstance(wanted, str) else [w for w in wanted if isinstance(w, str)]
        if names and not any(_is(value, name) for name in names):
            return f"{where}: expected {' or '.join(names)}, got {_kind(value)}"
    if "enum" in schema and isinstance(schema["enum"], list) and value not in schema["enum"]:
        choices = ", ".join(repr(v) for v in schema["enum"][:10])
        return f"{where}: must be one of {choices}"
    if "const" in schema and value != schema["const"]:
        return f"{where}: must be {schema['const']!r}"
    found = _combinators(value, schema, where)
    if found:
        return found
    if isinstance(value, dict):
        return _object(value, schema, where)
    if isinstance(value, list):
        return _array(value, schema, where)
    if isinstance(value, str):
        return _bounds(len(value), schema, where, "minLength", "maxLength", "characters")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, schema, where)
    return None


def _combinators(value: Any, schema: dict[str, Any], where: str) -> str | None:
    for each in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
        found = problem(value, each, where)
        if found:
            return found
    for key in ("anyOf", "oneOf"):  # oneOf is checked as anyOf: lenient, never wrongly strict
        options = schema.get(key)
        if isinstance(options, list) and options:
            problems = [problem(value, option, where) for option in options]
            if all(problems):
                return problems[0]
    return None


def _object(value: dict[str, Any], schema: dict[str, Any], where: str) -> str | None:
    required = schema.get("required")
    if isinstance(required, list):
        for name in required:
            if isinstance(name, str) and name not in value:
                return f"{where}: {name!r} is required"
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            found = problem(item, properties[name], f"{where}.{name}")
        elif extra is False:
            known = ", ".join(sorted(properties)) or "none"
            return f"{where}: unknown argument {name!r} (known: {known})"
        else:
            found = problem(item, extra, f"{where}.{name}")
        if found:
            return found
    return None


def _array(value: list[Any], schema: dict[str, Any], where: str) -> str | None:
    found = _bounds(len(value), schema, where, "minItems", "maxItems", "items")
    if found:
        return found
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            found = problem(item, items, f"{where}[{index}]")
            if found:
                return found
    return None


def _bounds(
    size: int, schema: dict[str, Any], where: str, low: str, high: str, unit: str
) -> str | None:
    least, most = schema.get(low), schema.get(high)
    if isinstance(least, int) and size < least:
        return f"{where}: needs at least {least} {unit}"
    if isinstance(most, int) and size > most:
        return f"{where}: takes at most {most} {unit}"
    return None


def _number(value: float, schema: dict[str, Any], where: str) -> str | None:
    for key, words in _NUMBER_BOUNDS:
        bound = schema.get(key)
        if not isinstance(bound, int | float) or isinstance(bound, bool):
            continue
        fails = {
            "minimum": value < bound,
            "maximum": value > bound,
            "exclusiveMinimum": value <= bound,
            "exclusiveMaximum": value >= bound,
        }[key]
        if fails:
            return f"{where}: must be {words} {bound:g}"
    return None


_NUMBER_BOUNDS = (
    ("minimum", "at least"),
    ("maximum", "at most"),
    ("exclusiveMinimum", "more than"),
    ("exclusiveMaximum", "less than"),
)
