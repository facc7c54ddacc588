"""``@record``: a dataclass that is quick to define.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` for each class and compiles each with ``exec``: about half a
millisecond a class on Python 3.11, and glm-tui defines over a hundred (the session's events,
the store's rows, the API's deltas...), so that compiling was half of what importing glm-tui
cost at start-up (58-79 ms of 116-150 ms on the 2-core machine the benchmarks run on).

``record`` lets ``dataclasses`` do what is quick (collecting the fields, ``field()`` options,
``__slots__``, ``__match_args__``) and gives the class methods shared by every record, made
from the fields without compiling anything, except ``__init__``: that one is compiled, as
``dataclass`` compiles it (creating records must stay fast: the sidebar makes thousands), but
only when the class is first instantiated, so that an event no session sends costs nothing.

What the class gets is what ``@dataclass(frozen=..., slots=...)`` gives it: the same
``__init__`` signature (defaults, ``default_factory``, ``init=False`` fields, keyword-only
fields, ``__post_init__``), ``repr``/``compare``/``hash`` options of each field, hashing as
dataclasses decide it (by the fields when frozen, none when mutable, a class's own kept),
``FrozenInstanceError`` on assignment, pickling and copying, and ``dataclasses.fields``,
``replace`` and ``asdict``. ``InitVar`` is not supported (no record uses one); ``order`` and
``unsafe_hash`` neither.
"""

from __future__ import annotations

import dataclasses
import inspect
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_MISSING = dataclasses.MISSING


class _FactorySentinel:
    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _FactorySentinel()
"""The default an ``__init__`` parameter with a ``default_factory`` shows (as dataclasses')."""


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = True, slots: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(
    cls: type[T] | None = None, /, *, frozen: bool = True, slots: bool = True
) -> type[T] | Callable[[type[T]], type[T]]:
    """``@dataclass(frozen=True, slots=True)``, quicker to define; ``@record(frozen=False,
    slots=False)`` is a plain mutable ``@dataclass``."""

    def wrap(cls: type[T]) -> type[T]:
        return _make(cls, frozen, slots)

    return wrap if cls is None else wrap(cls)


def _make(cls: type[T], frozen: bool, slots: bool) -> type[T]:
    annotations = inspect.get_annotations(cls)
    for name, annotation in annotations.items():
        if "InitVar" in str(annotation):
            raise TypeError(f"{cls.__qualname__}.{name}: @record does not support InitVar")
    if not cls.__dict__.get("__doc__"):
        # dataclasses would write one from inspect.signature(cls), and a wrong one here (the
        # __init__ is made later): 21 M of the 327 M instructions glm-tui's modules took to
        # import at start-up (callgrind), some 7 ms on the machine the benchmarks ran on.
        own_fields = [name for name, kind in annotations.items() if "ClassVar" not in str(kind)]
        cls.__doc__ = f"{cls.__name__}({', '.join(own_fields)})"
    for base in cls.__mro__[1:]:
        if getattr(base, "__record_frozen__", frozen) != frozen:
            which = "frozen record from a mutable" if frozen else "mutable record from a frozen"
            raise TypeError(f"{cls.__qualname__}: cannot make a {which} one")
    own = set(cls.__dict__)
    if cls.__dict__.get("__hash__", _MISSING) is None and "__eq__" in own:
        own.discard("__hash__")  # Python's None for a class that defines __eq__: not the class's
    made: Any = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
    # Its params say init, repr and eq as dataclasses would; frozen stays False (dataclasses
    # would refuse a record made from a record otherwise): records check it among themselves.
    params = made.__dataclass_params__
    params.init = params.repr = params.eq = True
    made.__record_frozen__ = frozen
    fields = dataclasses.fields(made)
    _check_defaults(cls, fields)
    if "__init__" not in own:
        made.__init__ = _lazy_init(made, frozen)
    if "__repr__" not in own:
        made.__repr__ = _repr([f.name for f in fields if f.repr])
    compared = [f.name for f in fields if f.compare]
    if "__eq__" not in own:
        made.__eq__ = _eq(compared)
    if "__hash__" not in own:
        # As dataclasses: a frozen record hashes its fields, a mutable one cannot be hashed.
        hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
        made.__hash__ = _hash(hashed) if frozen else None
    if frozen:
        for name in ("__setattr__", "__delattr__"):
            if name in own:
                raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        names = frozenset(f.name for f in fields)
        made.__setattr__, made.__delattr__ = _frozen_setters(made, names)
        if slots:
            made.__getstate__, made.__setstate__ = _slot_state([f.name for f in fields])
    return made  # type: ignore[no-any-return]


def _check_defaults(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> None:
    """As dataclasses: a positional parameter without a default may not follow one with."""
    defaulted = None
    for f in fields:
        if not f.init or f.kw_only:
            continue
        if f.default is not _MISSING or f.default_factory is not _MISSING:
            defaulted = f.name
        elif defaulted is not None:
            raise TypeError(
                f"{cls.__qualname__}: non-default argument {f.name!r} follows default argument"
            )


def _repr(names: list[str]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    return __repr__


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda _self: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)


def _eq(names: list[str]) -> Callable[[Any, object], Any]:
    values = _values(names)

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(names: list[str]) -> Callable[[Any], int]:
    values = _values(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _frozen_setters(
    cls: Any, names: frozenset[str]
) -> tuple[Callable[[Any, str, Any], None], Callable[[Any, str], None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__


def _slot_state(
    names: list[str],
) -> tuple[Callable[[Any], list[Any]], Callable[[Any, list[Any]], None]]:
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    return __getstate__, __setstate__


def _lazy_init(cls: type, frozen: bool) -> Callable[..., None]:
    """An ``__init__`` that compiles the real one at the first call and hands over to it."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        real = _compile_init(cls, frozen)
        if cls.__dict__.get("__init__") is __init__:
            cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _compile_init(cls: type, frozen: bool) -> Callable[..., None]:
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY, "_set": object.__setattr__}
    params: list[str] = []
    keyword_only: list[str] = []
    body: list[str] = []
    for index, f in enumerate(dataclasses.fields(cls)):
        default = f"_default_{index}"
        factory = f"_factory_{index}"
        if f.default is not _MISSING:
            namespace[default] = f.default
        if f.default_factory is not _MISSING:
            namespace[factory] = f.default_factory
        if f.init:
            if f.default is not _MISSING:
                param = f"{f.name}={default}"
            elif f.default_factory is not _MISSING:
                param = f"{f.name}=_FACTORY"
            else:
                param = f.name
            (keyword_only if f.kw_only else params).append(param)
            if f.default_factory is not _MISSING:
                value = f"{factory}() if {f.name} is _FACTORY else {f.name}"
            else:
                value = f.name
        elif f.default_factory is not _MISSING:
            value = f"{factory}()"
        elif f.default is not _MISSING:
            value = default
        else:
            continue  # init=False without a default: left unset, as dataclasses leave it
        if frozen:
            body.append(f"    _set(self, {f.name!r}, {value})")
        else:
            body.append(f"    self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    signature = ", ".join(["self", *params, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({signature}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, namespace)  # our own source, made from the fields' names
    init: Callable[..., None] = namespace["__init__"]
    init.__annotations__ = {f.name: f.type for f in dataclasses.fields(cls) if f.init}
    init.__annotations__["return"] = None
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
