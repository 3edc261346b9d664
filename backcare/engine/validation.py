"""Field specifications: one declaration gives the parser, the error messages and the JSON Schema.

Documents come in as JSON. Each dataclass field that can come from a document carries a
``Spec`` in its metadata (``field(metadata=spec(Int(0, 10)))``). ``parser_for(cls)`` compiles a
parser for the class once; ``schema_for(cls)`` writes the JSON Schema from the same specs, so
the published schema and the checks cannot drift apart.

Every problem is collected (not just the first), each with the field path, the value given and
what is allowed, because a clinician fixing a file wants the whole list at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input document."""

    path: str
    value: object
    allowed: str

    def __str__(self) -> str:
        shown = _show(self.value)
        return f"{self.path or '(document)'}: {shown} is not allowed; {self.allowed}"


class InvalidDocument(ValueError):
    """The document breaks its contract; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_MISSING = object()


def _show(value: object) -> str:
    if value is _MISSING:
        return "nothing"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Spec:
    """How one JSON value is checked and converted. ``None`` always means unknown."""

    description = ""

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        raise NotImplementedError  # pragma: no cover - every spec overrides it

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover - every spec overrides it

    def nullable_schema(self) -> dict[str, Any]:
        inner = self.schema()
        return {"anyOf": [inner, {"type": "null"}]}


def _number_text(low: float, high: float, whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    return f"allowed: {kind} from {low:g} to {high:g}"


class Int(Spec):
    def __init__(self, low: int, high: int, description: str = "") -> None:
        self.low, self.high, self.description = low, high, description
        self.allowed = _number_text(low, high, True)

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        # bool is an int in Python but never a number in a document; 9.0 is a whole number.
        if type(value) is int or (type(value) is float and value.is_integer()):
            if self.low <= value <= self.high:
                return int(value)
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer", "minimum": self.low, "maximum": self.high}
        if self.description:
            out["description"] = self.description
        return out


class Num(Spec):
    def __init__(self, low: float, high: float, description: str = "") -> None:
        self.low, self.high, self.description = low, high, description
        self.allowed = _number_text(low, high, False)

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) in (int, float) and math.isfinite(value) and self.low <= value <= self.high:
            return float(value)
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number", "minimum": self.low, "maximum": self.high}
        if self.description:
            out["description"] = self.description
        return out


class Bool(Spec):
    allowed = "allowed: true or false (or null when not known)"

    def __init__(self, description: str = "") -> None:
        self.description = description

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is bool:
            return value
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "boolean"}
        if self.description:
            out["description"] = self.description
        return out


class Text(Spec):
    def __init__(self, max_length: int = 200, description: str = "") -> None:
        self.max_length, self.description = max_length, description
        self.allowed = f"allowed: text of 1 to {max_length} characters"

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is str and 0 < len(value.strip()) and len(value) <= self.max_length:
            return value.strip()
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": self.max_length}
        if self.description:
            out["description"] = self.description
        return out


class Const(Spec):
    def __init__(self, value: str) -> None:
        self.value = value
        self.allowed = f'allowed: "{value}"'

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if value == self.value:
            return value
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        return {"const": self.value}


class Date(Spec):
    allowed = "allowed: a date written YYYY-MM-DD, from 1900-01-01 to 2999-12-31"

    def __init__(self, description: str = "") -> None:
        self.description = description

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is str and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if day.year >= 1900:
                    return day
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "format": "date"}
        if self.description:
            out["description"] = self.description
        return out


E = TypeVar("E", bound=enum.Enum)


class Choice(Spec):
    def __init__(self, enum_type: type[enum.Enum], description: str = "") -> None:
        self.enum_type, self.description = enum_type, description
        self.by_value = {member.value: member for member in enum_type}
        self.allowed = "allowed: " + ", ".join(str(v) for v in self.by_value)

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is str:
            member = self.by_value.get(value)
            if member is not None:
                return member
        problems.append(Problem(path, value, self.allowed))
        return None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "enum": list(self.by_value)}
        if self.description:
            out["description"] = self.description
        return out


class ListOf(Spec):
    """A list. A present list is complete; items may be null (unknown) only if ``nullable_items``."""

    def __init__(
        self,
        item: Spec,
        *,
        min_items: int = 0,
        max_items: int = 50,
        unique: bool = False,
        nullable_items: bool = False,
        description: str = "",
    ) -> None:
        self.item, self.min_items, self.max_items = item, min_items, max_items
        self.unique, self.nullable_items, self.description = unique, nullable_items, description
        if min_items == max_items:
            count = f"exactly {min_items} entries"
        else:
            count = f"{min_items} to {max_items} entries"
        self.allowed = f"allowed: a list of {count}"

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is not list or not self.min_items <= len(value) <= self.max_items:
            shown = f"a list of {len(value)} entries" if type(value) is list else value
            problems.append(Problem(path, shown, self.allowed))
            return None
        out = []
        for i, entry in enumerate(value):
            if entry is None and self.nullable_items:
                out.append(None)
            elif entry is None:
                problems.append(Problem(_join(path, i), None, "this list may not hold null"))
            else:
                out.append(self.item.parse(entry, _join(path, i), problems))
        if self.unique and len(set(out)) != len(out):
            problems.append(Problem(path, value, "allowed: each entry at most once"))
        return tuple(out)

    def schema(self) -> dict[str, Any]:
        items = self.item.nullable_schema() if self.nullable_items else self.item.schema()
        out: dict[str, Any] = {
            "type": "array",
            "items": items,
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }
        if self.unique:
            out["uniqueItems"] = True
        if self.description:
            out["description"] = self.description
        return out


class Positional(Spec):
    """A fixed-length list whose entries each have their own spec (STarT Back: 8 yes/no + 1 scale)."""

    def __init__(self, items: Sequence[Spec], description: str = "") -> None:
        self.items, self.description = tuple(items), description
        self.allowed = f"allowed: a list of exactly {len(items)} entries"

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is not list or len(value) != len(self.items):
            shown = f"a list of {len(value)} entries" if type(value) is list else value
            problems.append(Problem(path, shown, self.allowed))
            return None
        return tuple(
            None if entry is None else spec.parse(entry, _join(path, i), problems)
            for i, (spec, entry) in enumerate(zip(self.items, value, strict=True))
        )

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "array",
            "prefixItems": [s.nullable_schema() for s in self.items],
            "items": False,
            "minItems": len(self.items),
            "maxItems": len(self.items),
        }
        if self.description:
            out["description"] = self.description
        return out


class Obj(Spec):
    """A nested object parsed into a frozen dataclass whose fields carry specs."""

    def __init__(self, cls: type[Any], description: str = "") -> None:
        self.cls, self.description = cls, description

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        return _parse_object(self.cls, value, path, problems)

    def schema(self) -> dict[str, Any]:
        out = schema_for(self.cls)
        if self.description:
            out = {"description": self.description, **out}
        return out


def spec(s: Spec, *, required: bool = False, nullable: bool = True) -> dict[str, Any]:
    """Field metadata: ``field(default=None, metadata=spec(Int(0, 10)))``."""
    return {"spec": s, "required": required, "nullable": nullable}


@dataclasses.dataclass(frozen=True, slots=True)
class _FieldRule:
    name: str
    spec: Spec
    required: bool
    nullable: bool


_RULES: dict[type[Any], tuple[dict[str, _FieldRule], Callable[[Any, str, list[Problem]], None]]] = {}


def _rules(cls: type[Any]) -> tuple[dict[str, _FieldRule], Callable[[Any, str, list[Problem]], None]]:
    cached = _RULES.get(cls)
    if cached is None:
        fields = {
            f.name: _FieldRule(f.name, f.metadata["spec"], f.metadata["required"], f.metadata["nullable"])
            for f in dataclasses.fields(cls)
            if "spec" in f.metadata
        }
        check = getattr(cls, "_check", None) or (lambda obj, path, problems: None)
        cached = _RULES[cls] = (fields, check)
    return cached


def _parse_object(cls: type[T], value: Any, path: str, problems: list[Problem]) -> T | None:
    if type(value) is not dict:
        problems.append(Problem(path, value, "allowed: an object with named fields"))
        return None
    fields, check = _rules(cls)
    kwargs: dict[str, Any] = {}
    for key, raw in value.items():
        rule = fields.get(key)
        where = _join(path, key)
        if rule is None:
            problems.append(Problem(where, raw, "unknown field; allowed: " + ", ".join(fields)))
        elif raw is None:
            if not rule.nullable:
                problems.append(Problem(where, None, "this field may not be null"))
        else:
            kwargs[key] = rule.spec.parse(raw, where, problems)
    for rule in fields.values():
        if rule.required and value.get(rule.name) is None:
            problems.append(Problem(_join(path, rule.name), _MISSING, "this field is required"))
    obj = cls(**kwargs)
    check(obj, path, problems)
    return obj


def parse_document(cls: type[T], value: Any) -> T:
    """Parse a decoded JSON value into ``cls`` or raise InvalidDocument with every problem."""
    problems: list[Problem] = []
    obj = _parse_object(cls, value, "", problems)
    if problems:
        raise InvalidDocument(problems)
    assert obj is not None
    return obj


def schema_for(cls: type[Any]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a dataclass, written from its field specs."""
    fields, _ = _rules(cls)
    properties = {
        name: rule.spec.nullable_schema() if rule.nullable else rule.spec.schema()
        for name, rule in fields.items()
    }
    out: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    required = [name for name, rule in fields.items() if rule.required]
    if required:
        out["required"] = required
    doc = (cls.__doc__ or "").strip()
    if doc:
        out = {"description": " ".join(doc.split()), **out}
    return out
