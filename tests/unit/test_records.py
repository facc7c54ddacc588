"""``@record`` behaves as the ``@dataclass`` it replaces, class by class, for what records use."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from glm_tui.records import record


def _pair(frozen: bool, slots: bool) -> tuple[type, type]:
    """The same class made by ``@dataclass`` and by ``@record``."""

    def body() -> dict[str, Any]:
        return {
            "__annotations__": {
                "name": "str",
                "count": "int",
                "kind": "ClassVar[str]",
                "tags": "list[str]",
                "note": "str",
                "hidden": "int",
                "flag": "bool",
                "seen": "list[int]",
            },
            "count": 0,
            "kind": "thing",
            "tags": field(default_factory=list),
            "note": field(default="", repr=False, compare=False),
            "hidden": field(default=7, hash=False),
            "flag": field(default=False, kw_only=True),
            "seen": field(default_factory=list, init=False, compare=False),
        }

    plain = dataclass(frozen=frozen, slots=slots)(type("Thing", (), body()))
    fast = record(frozen=frozen, slots=slots)(type("Thing", (), body()))
    return plain, fast


SHAPES = [(True, True), (True, False), (False, False), (False, True)]


@pytest.mark.parametrize(("frozen", "slots"), SHAPES)
def test_a_record_is_made_called_and_compared_as_its_dataclass(frozen: bool, slots: bool) -> None:
    plain, fast = _pair(frozen, slots)
    assert [
        (f.name, f.init, f.repr, f.compare, f.hash, f.kw_only) for f in dataclasses.fields(fast)
    ] == [(f.name, f.init, f.repr, f.compare, f.hash, f.kw_only) for f in dataclasses.fields(plain)]
    assert (
        fast.__match_args__ == plain.__match_args__ == ("name", "count", "tags", "note", "hidden")
    )
    for args, kwargs in [
        (("a",), {}),
        (("b", 2, ["x"], "n", 9), {"flag": True}),
        ((), {"name": "c"}),
    ]:
        one, other = plain(*args, **kwargs), fast(*args, **kwargs)
        assert repr(one) == repr(other)
        assert dataclasses.asdict(one) == dataclasses.asdict(other)
        assert fast(*args, **kwargs) == other
        assert repr(dataclasses.replace(other, count=5)) == repr(dataclasses.replace(one, count=5))
    # Each default_factory makes a new value; init=False fields get theirs.
    first, second = fast("a"), fast("a")
    assert first.tags == [] and first.tags is not second.tags and first.seen == []
    # compare=False is left out of ==, hash=False of the hash.
    assert fast("a", note="x") == fast("a", note="y")
    assert fast("a", hidden=1) != fast("a", hidden=2)
    assert (fast("a") == plain("a")) is False  # another class, as dataclasses
    for wrong in [
        ((), {}),
        (("a", 1, [], "", 0, 9), {}),
        (("a",), {"nope": 1}),
        (("a",), {"seen": []}),
    ]:
        with pytest.raises(TypeError):
            fast(*wrong[0], **wrong[1])
        with pytest.raises(TypeError):
            plain(*wrong[0], **wrong[1])
    assert str(inspect.signature(fast("a").__class__.__init__)) == str(
        inspect.signature(plain.__init__)
    )


@pytest.mark.parametrize(("frozen", "slots"), SHAPES)
def test_a_frozen_record_refuses_changes_and_hashes_its_fields(frozen: bool, slots: bool) -> None:
    plain, fast = _pair(frozen, slots)
    thing = fast("a", tags=("t",))
    if frozen:
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'name'"):
            thing.name = "b"
        with pytest.raises(FrozenInstanceError, match="cannot delete field 'count'"):
            del thing.count
        assert hash(thing) == hash(fast("a", tags=("t",), hidden=99, note="other"))
        assert hash(thing) == hash(plain("a", tags=("t",)))
    else:
        thing.name = "b"
        assert thing.name == "b"
        assert fast.__hash__ is None and plain.__hash__ is None
    assert (hasattr(thing, "__dict__")) is (not slots)


@record
class Point:
    """Module level, so that pickle finds it."""

    x: int
    y: int = 0
    cache: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


def test_a_frozen_record_is_copied_and_pickled() -> None:
    point = Point(1, 2)
    for again in (copy.copy(point), copy.deepcopy(point), pickle.loads(pickle.dumps(point))):
        assert again == point and again is not point
        with pytest.raises(FrozenInstanceError):
            again.x = 3  # type: ignore[misc]


def test_post_init_own_methods_and_subclasses() -> None:
    @record(frozen=False, slots=False)
    class Counter:
        start: int
        total: int = field(init=False, default=0)
        limit: ClassVar[int] = 10

        def __post_init__(self) -> None:
            self.total = self.start * 2

        def __repr__(self) -> str:
            return "counter"

    counter = Counter(3)
    assert counter.total == 6 and repr(counter) == "counter"
    assert [f.name for f in dataclasses.fields(Counter)] == ["start", "total"]

    @record
    class Base:
        a: int

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Base)

    @record
    class Child(Base):
        b: str = "x"

    assert Base(1) == Base(2)  # its own __eq__ is kept, as dataclasses keep it...
    assert Child(1, "y").b == "y" and Child(1) != Child(2)  # ...a subclass has the fields' one
    assert hash(Base(1)) == hash(
        (1,)
    )  # an __eq__ of its own, no __hash__: the fields', as dataclasses
    assert repr(Child(1)) == "test_post_init_own_methods_and_subclasses.<locals>.Child(a=1, b='x')"


def test_what_a_record_cannot_be_is_said() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Wrong:
            a: int = 0
            b: int

    with pytest.raises(TypeError, match="cannot overwrite attribute __setattr__"):

        @record
        class Settable:
            a: int

            def __setattr__(self, name: str, value: object) -> None:
                pass

    with pytest.raises(TypeError, match="does not support InitVar"):

        @record
        class WithInitVar:
            a: dataclasses.InitVar[int]


def test_a_record_without_a_docstring_gets_one_naming_its_fields() -> None:
    # dataclasses would write it from inspect.signature(cls); a record writes it from the
    # annotations (its own fields, not a ClassVar), and keeps a docstring of its own.
    _, fast = _pair(frozen=True, slots=True)
    assert fast.__doc__ == "Thing(name, count, tags, note, hidden, flag, seen)"

    @record
    class Documented:
        """Said here."""

        name: str

    assert Documented.__doc__ == "Said here."


def test_a_record_compiles_its_init_only_when_first_made() -> None:
    @record
    class Late:
        a: int

    lazy = Late.__dict__["__init__"]
    assert Late(1).a == 1
    assert Late.__dict__["__init__"] is not lazy  # the compiled one, called directly from now on
    assert Late(2) == Late(2) != Late(3)


def test_glm_tui_defines_its_value_classes_with_record() -> None:
    """A ``@dataclass`` costs ten times a ``@record`` to define at every start: none creeps back."""
    import glm_tui

    root = Path(glm_tui.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip().startswith("@dataclass(") or line.strip() == "@dataclass"
    ]
    assert found == []
