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
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

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


class Described(str):
    """A value shown in words rather than as JSON (e.g. "a list of 3 entries")."""


_MISSING = Described("nothing")


def _show(value: object) -> str:
    if isinstance(value, Described):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class _Invalid:
    """The result of converting a value that breaks its spec."""


INVALID: Any = _Invalid()


class Spec:
    """How one JSON value is checked and converted. ``None`` always means unknown.

    A *leaf* spec (a number, a choice, ...) converts with ``convert(value)``, returning the value
    or ``INVALID`` without building any path: paths are only written when something is wrong,
    which keeps the common case fast. Composite specs override ``parse`` instead.
    """

    description = ""
    allowed = ""
    leaf = True

    def convert(self, value: Any) -> Any:
        raise NotImplementedError  # pragma: no cover - every leaf spec overrides it

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        raise NotImplementedError  # pragma: no cover - leaves convert; composites override this

    def schema(self) -> dict[str, Any]:
        out = self._schema()
        return {**out, "description": self.description} if self.description else out

    def _schema(self) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover - every spec overrides it

    def nullable_schema(self) -> dict[str, Any]:
        return {"anyOf": [self.schema(), {"type": "null"}]}


def _number_text(low: float, high: float, whole: bool) -> str:
    kind = "a whole number" if whole else "a number"
    return f"allowed: {kind} from {low:g} to {high:g}"


class Int(Spec):
    def __init__(self, low: int, high: int, description: str = "") -> None:
        self.low, self.high, self.description = low, high, description
        self.allowed = _number_text(low, high, True)

    def convert(self, value: Any) -> Any:
        # bool is an int in Python but never a number in a document; 9.0 is a whole number.
        kind = type(value)
        if (kind is int or (kind is float and value.is_integer())) and (
            self.low <= value <= self.high
        ):
            return int(value)
        return INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


class Num(Spec):
    def __init__(self, low: float, high: float, description: str = "") -> None:
        self.low, self.high, self.description = low, high, description
        self.allowed = _number_text(low, high, False)

    def convert(self, value: Any) -> Any:
        if type(value) in (int, float) and math.isfinite(value) and self.low <= value <= self.high:
            return float(value)
        return INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.low, "maximum": self.high}


class Bool(Spec):
    allowed = "allowed: true or false (or null when not known)"

    def __init__(self, description: str = "") -> None:
        self.description = description

    def convert(self, value: Any) -> Any:
        return value if type(value) is bool else INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


# Characters text may not hold: control characters other than tab and line breaks (a NUL cannot
# even be stored by PostgreSQL) and unpaired UTF-16 surrogates (not characters at all).
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f"
_SURROGATES = "\\ud800-\\udfff"
_NOT_TEXT = re.compile(f"[{_CONTROL}{_SURROGATES}]")
# The same rule for JSON Schema, with "not only spaces": one visible character at least. The
# surrogates are left out of the pattern: JSON Schema's regular expressions count UTF-16 code
# units, so a surrogate range there would also refuse every character outside the BMP (emoji).
_ALLOWED = f"[^{_CONTROL}]"
TEXT_PATTERN = f"^{_ALLOWED}*[^\\s{_CONTROL}]{_ALLOWED}*$"


class Text(Spec):
    def __init__(self, max_length: int = 200, description: str = "") -> None:
        self.max_length, self.description = max_length, description
        self.allowed = f"allowed: text of 1 to {max_length} characters, without control characters"

    def convert(self, value: Any) -> Any:
        if type(value) is str and len(value) <= self.max_length:
            text = value.strip()
            if text and not _NOT_TEXT.search(text):
                return text
        return INVALID

    def _schema(self) -> dict[str, Any]:
        return {
            "type": "string",
            "minLength": 1,
            "maxLength": self.max_length,
            "pattern": TEXT_PATTERN,
        }


class Const(Spec):
    def __init__(self, value: str) -> None:
        self.value = value
        self.allowed = f'allowed: "{value}"'

    def convert(self, value: Any) -> Any:
        return value if type(value) is str and value == self.value else INVALID

    def _schema(self) -> dict[str, Any]:
        return {"const": self.value}


class Date(Spec):
    allowed = "allowed: a date written YYYY-MM-DD, from 1900-01-01 to 2999-12-31"

    def __init__(self, description: str = "") -> None:
        self.description = description

    def convert(self, value: Any) -> Any:
        if type(value) is str and len(value) == 10:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return INVALID
            if 1900 <= day.year <= 2999:
                return day
        return INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class Choice(Spec):
    def __init__(self, enum_type: type[enum.Enum], description: str = "") -> None:
        self.enum_type, self.description = enum_type, description
        self.by_value = {member.value: member for member in enum_type}
        self.allowed = "allowed: " + ", ".join(str(v) for v in self.by_value)

    def convert(self, value: Any) -> Any:
        return self.by_value.get(value, INVALID) if type(value) is str else INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.by_value)}


def _list_problem(value: Any) -> Any:
    return Described(f"a list of {len(value)} entries") if type(value) is list else value


class ListOf(Spec):
    """A list. A present list is complete; items may be null (unknown) if ``nullable_items``."""

    leaf = False

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
            problems.append(Problem(path, _list_problem(value), self.allowed))
            return None
        fast = self._fast(value)
        if fast is not None:
            return fast
        item = self.item
        convert = item.convert if item.leaf else None
        out: list[Any] = []
        for i, entry in enumerate(value):
            if entry is None:
                if not self.nullable_items:
                    problems.append(Problem(f"{path}[{i}]", None, "this list may not hold null"))
                out.append(None)
            elif convert is not None:
                result = convert(entry)
                if result is INVALID:
                    problems.append(Problem(f"{path}[{i}]", entry, item.allowed))
                    result = None
                out.append(result)
            else:
                out.append(item.parse(entry, f"{path}[{i}]", problems))
        if self.unique and len(set(out)) != len(out):
            problems.append(Problem(path, value, "allowed: each entry at most once"))
        return tuple(out)

    def _fast(self, value: list[Any]) -> tuple[Any, ...] | None:
        """The whole list at C speed when it is plainly valid; None to check item by item."""
        kinds = set(map(type, value))
        if self.nullable_items:
            kinds.discard(type(None))
        item = self.item
        if kinds == {bool} and type(item) is Bool:
            return tuple(value)
        if kinds == {str} and type(item) is Choice and item.by_value.keys() >= set(value) - {None}:
            result = tuple(None if v is None else item.by_value[v] for v in value)
            if not self.unique or len(set(result)) == len(result):
                return result
            return None
        if kinds == {int} and type(item) is Int:
            known = [v for v in value if v is not None] if self.nullable_items else value
            if item.low <= min(known) and max(known) <= item.high:
                return tuple(value)
        return None

    def _schema(self) -> dict[str, Any]:
        items = self.item.nullable_schema() if self.nullable_items else self.item.schema()
        out: dict[str, Any] = {
            "type": "array",
            "items": items,
            "minItems": self.min_items,
            "maxItems": self.max_items,
        }
        if self.unique:
            out["uniqueItems"] = True
        return out


class Positional(Spec):
    """A fixed-length list whose entries each have their own leaf spec (STarT Back answers)."""

    leaf = False

    def __init__(self, items: Sequence[Spec], description: str = "") -> None:
        self.items, self.description = tuple(items), description
        self.allowed = f"allowed: a list of exactly {len(items)} entries"
        # The types of a plainly valid list, for the fast path (only yes/no and choice entries).
        simple = {Bool: bool, Choice: str}
        self.kinds = tuple(simple.get(type(s), object) for s in self.items)

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        if type(value) is not list or len(value) != len(self.items):
            problems.append(Problem(path, _list_problem(value), self.allowed))
            return None
        if tuple(map(type, value)) == self.kinds and all(
            v in c.by_value for v, c in zip(value, self.items, strict=True) if type(c) is Choice
        ):
            return tuple(
                c.by_value[v] if type(c) is Choice else v
                for v, c in zip(value, self.items, strict=True)
            )
        out: list[Any] = []
        for i, (spec, entry) in enumerate(zip(self.items, value, strict=True)):
            result = None if entry is None else spec.convert(entry)
            if result is INVALID:
                problems.append(Problem(f"{path}[{i}]", entry, spec.allowed))
                result = None
            out.append(result)
        return tuple(out)

    def _schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "prefixItems": [s.nullable_schema() for s in self.items],
            "items": False,
            "minItems": len(self.items),
            "maxItems": len(self.items),
        }


class Obj(Spec):
    """A nested object parsed into a frozen dataclass whose fields carry specs."""

    leaf = False

    def __init__(self, cls: type[Any]) -> None:
        self.cls = cls
        self._compiled: Parser | None = None

    def parse(self, value: Any, path: str, problems: list[Problem]) -> Any:
        # Compiled on first use: the class is not complete while its fields are declared.
        if self._compiled is None:
            self._compiled = _parser(self.cls)
        return self._compiled(value, path, problems)

    def _schema(self) -> dict[str, Any]:
        return schema_for(self.cls)


def spec(s: Spec, *, required: bool = False, nullable: bool = True) -> dict[str, Any]:
    """Field metadata: ``field(default=None, metadata=spec(Int(0, 10)))``.

    An optional field may be null (unknown) unless ``nullable`` is false; a required one must
    be present and not null.
    """
    return {"spec": s, "required": required, "nullable": nullable and not required}


Parser = Callable[[Any, str, list[Problem]], Any]
_PARSERS: dict[type[Any], Parser] = {}


def _fields(cls: type[Any]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if "spec" in f.metadata]


def _parser(cls: type[Any]) -> Parser:
    parser = _PARSERS.get(cls)
    if parser is None:
        parser = _PARSERS[cls] = _compile(cls)
    return parser


def _compile(cls: type[Any]) -> Parser:
    """Write and compile a parser for ``cls``: straight-line code, one block per field.

    Generated rather than interpreted because intakes are parsed on every assessment and
    check-in; the straight-line form is several times faster than a loop over field rules and
    reports exactly the same problems (tests/engine/test_intake.py).
    """
    fields = _fields(cls)
    names = [f.name for f in fields]
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: parsed classes are dataclasses without slots")
    env: dict[str, Any] = {
        "cls": cls,
        "new": object.__new__,
        "Problem": Problem,
        "INVALID": INVALID,
        "MISSING": _MISSING,
        "NAMES": frozenset(names),
        "ALLOWED_NAMES": "unknown field; allowed: " + ", ".join(names),
        "check": getattr(cls, "_check", None),
    }
    lines = [
        "def parse(value, path, problems):",
        "    if type(value) is not dict:",
        "        problems.append(Problem(path, value, 'allowed: an object with named fields'))",
        "        return None",
        "    get = value.get",
        "    prefix = path + '.' if path else ''",
    ]
    for f in fields:
        name, rule = f.name, f.metadata["spec"]
        env[f"spec_{name}"] = rule
        if f.default is not dataclasses.MISSING:
            env[f"default_{name}"] = f.default
        else:
            factory = cast(Callable[[], Any], f.default_factory)
            env[f"default_{name}"] = factory()  # frozen, so one instance is safely shared
        lines += [
            f"    v = get({name!r})",
            "    if v is None:",
            f"        f_{name} = default_{name}",
        ]
        if f.metadata["required"]:
            lines.append(
                f"        problems.append(Problem(prefix + {name!r}, "
                f"MISSING if {name!r} not in value else None, 'this field is required'))"
            )
        elif not f.metadata["nullable"]:
            lines += [
                f"        if {name!r} in value:",
                f"            problems.append(Problem(prefix + {name!r}, None, 'this field may not be null'))",
            ]
        lines.append("    else:")
        fast = _fast_path(rule, name, env)
        if fast is not None:
            condition, result = fast
            lines += [
                f"        if {condition}:",
                f"            f_{name} = {result}",
                "        else:",
            ]
        indent = "    " if fast is not None else ""
        if rule.leaf:
            lines += [
                f"        {indent}f_{name} = spec_{name}.convert(v)",
                f"        {indent}if f_{name} is INVALID:",
                f"            {indent}problems.append(Problem(prefix + {name!r}, v, spec_{name}.allowed))",
                f"            {indent}f_{name} = None",
            ]
        else:
            lines.append(f"        f_{name} = spec_{name}.parse(v, prefix + {name!r}, problems)")
    lines += [
        "    if not NAMES.issuperset(value):",
        "        for key in value:",
        "            if key not in NAMES:",
        "                problems.append(Problem(prefix + key, value[key], ALLOWED_NAMES))",
        # A frozen dataclass without slots: filling __dict__ in one step is several times
        # faster than its __init__, which sets each field through object.__setattr__.
        "    obj = new(cls)",
        "    vars(obj).update({" + ", ".join(f"{n!r}: f_{n}" for n in names) + "})",
    ]
    if env["check"] is not None:
        lines.append("    check(obj, path, problems)")
    lines.append("    return obj")
    exec("\n".join(lines), env)
    parser: Parser = env["parse"]
    return parser


def _wrong_kind(cls: type[Any], value: Any) -> Problem | None:
    """The one problem to report when a document names another format than ``cls``'s."""
    if type(value) is not dict:
        return None
    for f in _fields(cls):
        rule = f.metadata["spec"]
        given = value.get(f.name)
        if isinstance(rule, Const) and type(given) is str and given != rule.value:
            return Problem(f.name, given, f"{rule.allowed} (this is a different kind of document)")
    return None


def _fast_path(rule: Spec, name: str, env: dict[str, Any]) -> tuple[str, str] | None:
    """An inline test and value for the commonest valid leaf values (no call); None for none.

    Anything the test does not accept falls through to ``convert``, which decides.
    """
    kind = type(rule)
    if kind is Bool:
        return "type(v) is bool", "v"
    if kind is Int:
        assert isinstance(rule, Int)
        return f"type(v) is int and {rule.low} <= v <= {rule.high}", "v"
    if kind is Choice:
        assert isinstance(rule, Choice)
        env[f"choices_{name}"] = rule.by_value
        return f"type(v) is str and v in choices_{name}", f"choices_{name}[v]"
    return None


def parse_document(cls: type[T], value: Any) -> T:
    """Parse a decoded JSON value into ``cls`` or raise InvalidDocument with every problem."""
    problems: list[Problem] = []
    kind = _wrong_kind(cls, value)
    if kind is not None:  # another kind of document: its fields would only add noise
        raise InvalidDocument([kind])
    obj = _parser(cls)(value, "", problems)
    if problems:
        raise InvalidDocument(problems)
    result: T = obj
    return result


def schema_for(cls: type[Any]) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a dataclass, written from its field specs."""
    fields = _fields(cls)
    properties = {
        f.name: f.metadata["spec"].nullable_schema()
        if f.metadata["nullable"]
        else f.metadata["spec"].schema()
        for f in fields
    }
    out: dict[str, Any] = {
        "description": " ".join((cls.__doc__ or "").split()),
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    required = [f.name for f in fields if f.metadata["required"]]
    if required:
        out["required"] = required
    # A rule across fields (a class's ``_check``) states itself for the schema here.
    out.update(getattr(cls, "_schema_extra", {}))
    return out


def dump_document(value: Any) -> Any:
    """The JSON-ready form of a parsed value: the inverse of ``parse_document``.

    Dataclasses become objects (every spec'd field, unknown ones as null), enumerations their
    values, dates ISO text, tuples lists.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump_document(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [dump_document(v) for v in value]
    return value
