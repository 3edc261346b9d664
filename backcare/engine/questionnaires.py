"""The questionnaires as data: content/questionnaires/<id>.toml, optionally overlaid with the
official wording from a licensed-wording file that a clinic supplies.

Our content files hold the *structure* of each instrument (items, answer options, recall period,
licence holder) with short summaries written by backcare, never the validated wording: that is
licensed (clinical-facts §1). A clinic holding a licence supplies the official wording in a TOML
file (format ``backcare-licensed-wording/1``, docs/questionnaires.md); every item then shows the
official text and is labelled so. Scoring reads answers by item position (scoring.py), so it is
the same either way.

Every problem in a file is collected and raised together as a ``QuestionnaireError`` naming the
file, the field and what is allowed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from .i18n import _
from .intake import Bothersome, OdiVariant
from .scoring import ITEM_COUNT, Instrument

LICENSED_FORMAT = "backcare-licensed-wording/1"
SUMMARY_MAX_CHARS = 80  # summaries are a few plain words; a longer text may be copied wording


class Wording(StrEnum):
    SUMMARY = "summary"  # a short summary written by backcare
    LICENSED = "licensed"  # the official wording, from a clinic's licensed-wording file


SUMMARY_LABEL = _("short summary written by backcare, not the validated wording")


@dataclass(frozen=True, slots=True)
class AnswerOption:
    value: (
        int | bool | str
    )  # the value stored in the intake (e.g. ODI 0-5, STarT item 9 "slightly")
    text: str


@dataclass(frozen=True, slots=True)
class Item:
    id: str  # "odi.1"
    number: int  # 1-based position, the one scoring reads
    text: str
    wording: Wording
    label: str  # says whose words these are, for showing beside the text
    options: tuple[AnswerOption, ...] = ()  # its own options; empty when the questionnaire's apply


@dataclass(frozen=True, slots=True)
class Licence:
    """Who licensed the official wording to whom, from the licensed-wording file."""

    holder: str
    reference: str
    licensee: str
    file: str


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str  # the file name: "odi", "odi_modified", ...
    instrument: Instrument  # which scoring function reads the answers
    variant: OdiVariant | None  # ODI only
    name: str
    version: str
    licence_holder: str
    licence_note: str
    recall_period: str
    wording: Wording
    wording_note: str
    options: tuple[AnswerOption, ...]  # shared answer options; empty when each item has its own
    items: tuple[Item, ...]
    instructions: str | None = None  # official instructions, from a licensed file
    licence: Licence | None = None  # set when the official wording is shown

    def options_for(self, item: Item) -> tuple[AnswerOption, ...]:
        """The answer options shown for ``item``: its own, or the questionnaire's."""
        return item.options or self.options


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    field: str
    message: str  # what is wrong and what is allowed

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class QuestionnaireError(ValueError):
    """A content or licensed-wording file breaks its format; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# The answer values each item must offer, in order; scoring.py reads exactly these.
_NUMBERS = {n: tuple(range(n + 1)) for n in (5, 6, 10)}
_BOOL = (False, True)
ANSWER_VALUES: dict[Instrument, tuple[int | bool | str, ...]] = {
    Instrument.NPRS: _NUMBERS[10],  # 0-10: clinical-facts §1.1
    Instrument.ODI: _NUMBERS[5],  # each section 0-5: §1.2
    Instrument.RMDQ: _BOOL,  # not ticked / ticked: §1.3
    Instrument.STARTBACK: _BOOL,  # items 1-8 disagree / agree: §1.4
    Instrument.PSFS: _NUMBERS[10],  # 0 unable .. 10 as before: §1.5
    Instrument.FABQ: _NUMBERS[6],  # 0-6: §1.6
}
ITEM_ANSWER_VALUES: dict[tuple[Instrument, int], tuple[int | bool | str, ...]] = {
    (Instrument.STARTBACK, 9): tuple(b.value for b in Bothersome),  # item 9 five-point: §1.4
}

_CONTENT_FIELDS = {
    "id": True,
    "instrument": True,
    "variant": False,
    "name": True,
    "version": True,
    "licence_holder": True,
    "licence_note": True,
    "recall_period": True,
    "wording": True,
    "wording_note": True,
    "source": False,
    "options": False,
    "items": True,
}
_LICENSED_FIELDS = {
    "licence_holder": True,
    "licence_reference": True,
    "version": False,
    "title": False,
    "instructions": False,
    "options": False,
    "items": True,
}


class _Checker:
    """Collects problems for one file."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file, self.problems = file, problems

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def fields(self, table: Mapping[str, Any], known: Mapping[str, bool], where: str) -> None:
        """Report unknown keys and missing required ones of ``table``."""
        for key in table:
            if key not in known:
                self.add(_join(where, key), "unknown field; allowed: " + ", ".join(known))
        for key, required in known.items():
            if required and key not in table:
                self.add(_join(where, key), "missing; this field is required")

    def text(self, table: Mapping[str, Any], key: str, where: str, max_chars: int = 2000) -> str:
        value = table.get(key)
        if value is None:
            return ""  # reported as missing by fields(), or optional
        if not _is_text(value) or len(value) > max_chars:
            self.add(_join(where, key), f"allowed: text of 1 to {max_chars} characters")
            return ""
        return str(value).strip()

    def table_list(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        if type(value) is not list or not all(isinstance(v, dict) for v in value):
            self.add(where, "allowed: a list of tables ([[...]] or inline {...})")
            return []
        return value


def load_questionnaires(
    content_dir: Path, licensed: Path | None = None
) -> dict[str, Questionnaire]:
    """Every ``<id>.toml`` in ``content_dir``, keyed by id; with ``licensed``, the instruments it
    covers show the official wording. Raises QuestionnaireError listing every problem."""
    problems: list[Problem] = []
    found: dict[str, Questionnaire] = {}
    files = sorted(content_dir.glob("*.toml"))
    if not files:
        raise QuestionnaireError(
            [Problem(str(content_dir), "(folder)", "no questionnaire files; allowed: <id>.toml")]
        )
    for path in files:
        questionnaire = _load_content(path, problems)
        if questionnaire is not None:
            found[questionnaire.id] = questionnaire
    if licensed is not None and not problems:
        found = _overlay(found, licensed, problems)
    if problems:
        raise QuestionnaireError(problems)
    return found


def _read_toml(path: Path, check: _Checker) -> dict[str, Any] | None:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as err:
        check.add("(file)", f"cannot be read ({err.strerror}); allowed: a readable TOML file")
    except tomllib.TOMLDecodeError as err:
        check.add("(file)", f"is not valid TOML ({err}); allowed: a TOML document")
    return None


def _load_content(path: Path, problems: list[Problem]) -> Questionnaire | None:
    check = _Checker(str(path), problems)
    data = _read_toml(path, check)
    if data is None:
        return None
    before = len(problems)
    check.fields(data, _CONTENT_FIELDS, "")
    strings = {
        key: check.text(data, key, "", SUMMARY_MAX_CHARS if key == "name" else 2000)
        for key in _CONTENT_FIELDS
        if key not in ("options", "items")
    }
    if strings["id"] and strings["id"] != path.stem:
        check.add("id", f'"{strings["id"]}" differs from the file name; allowed: "{path.stem}"')
    instrument = _choice(check, "instrument", strings["instrument"], Instrument)
    variant = _choice(check, "variant", strings["variant"], OdiVariant)
    if instrument is Instrument.ODI and not strings["variant"]:
        check.add("variant", "missing; allowed for the ODI: " + ", ".join(OdiVariant))
    if instrument not in (Instrument.ODI, None) and variant is not None:
        check.add("variant", "allowed only for the ODI; remove it")
    if strings["wording"] and strings["wording"] != Wording.SUMMARY:
        check.add(
            "wording",
            f'"{strings["wording"]}" is not allowed here; allowed: "summary" (official wording '
            "belongs in a clinic's licensed-wording file)",
        )
    options = _options(check, data.get("options", []), "options")
    items = _items(check, data.get("items", []), strings["id"] or path.stem)
    if instrument is not None:
        _check_shape(check, instrument, options, items)
    if len(problems) > before or instrument is None:
        return None
    return Questionnaire(
        id=strings["id"],
        instrument=instrument,
        variant=variant,
        name=strings["name"],
        version=strings["version"],
        licence_holder=strings["licence_holder"],
        licence_note=strings["licence_note"],
        recall_period=strings["recall_period"],
        wording=Wording.SUMMARY,
        wording_note=strings["wording_note"],
        options=options,
        items=items,
    )


def _choice(check: _Checker, key: str, value: str, enum: type[StrEnum]) -> Any:
    if not value:
        return None
    try:
        return enum(value)
    except ValueError:
        check.add(key, f'"{value}" is unknown; allowed: ' + ", ".join(enum))
        return None


def _options(check: _Checker, raw: Any, where: str) -> tuple[AnswerOption, ...]:
    out = []
    for i, table in enumerate(check.table_list(raw, where)):
        here = f"{where}[{i}]"
        check.fields(table, {"value": True, "text": True}, here)
        value = table.get("value")
        if not isinstance(value, int | str):
            if value is not None:  # a missing value is reported by fields()
                check.add(f"{here}.value", "allowed: a whole number, true, false or a text")
            continue
        out.append(AnswerOption(value, check.text(table, "text", here, SUMMARY_MAX_CHARS)))
    return tuple(out)


def _items(check: _Checker, raw: Any, questionnaire_id: str) -> tuple[Item, ...]:
    out = []
    for i, table in enumerate(check.table_list(raw, "items")):
        here = f"items[{i}]"
        check.fields(table, {"id": True, "text": True, "options": False}, here)
        expected = f"{questionnaire_id}.{i + 1}"
        if table.get("id") != expected:
            check.add(
                f"{here}.id", f'{_show(table.get("id"))} is out of place; allowed: "{expected}"'
            )
        out.append(
            Item(
                id=expected,
                number=i + 1,
                text=check.text(table, "text", here, SUMMARY_MAX_CHARS),
                wording=Wording.SUMMARY,
                label=SUMMARY_LABEL,
                options=_options(check, table.get("options", []), f"{here}.options"),
            )
        )
    return tuple(out)


def _check_shape(
    check: _Checker,
    instrument: Instrument,
    options: tuple[AnswerOption, ...],
    items: tuple[Item, ...],
) -> None:
    """The number of items and the answer values must be what scoring.py reads."""
    count = ITEM_COUNT[instrument]
    if len(items) != count:
        check.add("items", f"{len(items)} given; allowed: exactly {count} for {instrument.value}")
    for item in items:
        allowed = ITEM_ANSWER_VALUES.get((instrument, item.number), ANSWER_VALUES[instrument])
        given = item.options or options
        where = f"items[{item.number - 1}].options" if item.options else "options"
        if [(type(o.value), o.value) for o in given] != [(type(v), v) for v in allowed]:
            check.add(
                where,
                f"values for {item.id} are {_show([o.value for o in given])}; allowed: exactly "
                f"{_show(allowed)}, in this order",
            )


def _overlay(
    found: dict[str, Questionnaire], path: Path, problems: list[Problem]
) -> dict[str, Questionnaire]:
    check = _Checker(str(path), problems)
    data = _read_toml(path, check)
    if data is None:
        return found
    before = len(problems)
    if data.get("format") != LICENSED_FORMAT:
        check.add("format", f'{_show(data.get("format"))} given; allowed: "{LICENSED_FORMAT}"')
    licensee = check.text(data, "licensee", "")
    if "licensee" not in data:
        check.add("licensee", "missing; the clinic that holds the licence is required")
    out = dict(found)
    for key, table in data.items():
        if key in ("format", "licensee"):
            continue
        if key not in found:
            allowed = "format, licensee, or a questionnaire id: " + ", ".join(sorted(found))
            check.add(key, f"unknown; allowed: {allowed}")
        elif not isinstance(table, dict):
            check.add(key, "allowed: a table [" + key + "]")
        else:
            out[key] = _apply(check, found[key], table, licensee)
    return found if len(problems) > before else out


def _apply(
    check: _Checker, q: Questionnaire, table: Mapping[str, Any], licensee: str
) -> Questionnaire:
    check.fields(table, _LICENSED_FIELDS, q.id)
    holder = check.text(table, "licence_holder", q.id)
    reference = check.text(table, "licence_reference", q.id)
    version = check.text(table, "version", q.id)
    if version and version != q.version:
        check.add(
            f"{q.id}.version", f'"{version}" given; allowed: "{q.version}" (the version scored)'
        )
    label = _("official wording, licensed from {holder} (licence {reference})").format(
        holder=holder, reference=reference
    )
    options = _texts(check, table.get("options"), q.options, f"{q.id}.options")
    raw_items = table.get("items", {})
    if not isinstance(raw_items, dict):
        check.add(f"{q.id}.items", 'allowed: a table of items keyed by item id ("odi.1")')
        raw_items = {}
    known = {item.id for item in q.items}
    for key in raw_items:
        if key not in known:
            check.add(
                f"{q.id}.items.{key}", f"unknown item; allowed: {q.items[0].id} to {q.items[-1].id}"
            )
    items = []
    for item in q.items:
        where = f"{q.id}.items.{item.id}"
        entry = raw_items.get(item.id)
        if not isinstance(entry, dict):
            check.add(where, "missing; the official wording of every item is required")
            continue
        check.fields(entry, {"text": True, "options": False}, where)
        text = check.text(entry, "text", where)
        item_options = _texts(check, entry.get("options"), item.options, f"{where}.options")
        items.append(
            replace(item, text=text, wording=Wording.LICENSED, label=label, options=item_options)
        )
    return replace(
        q,
        name=check.text(table, "title", q.id) or q.name,
        wording=Wording.LICENSED,
        options=options,
        items=tuple(items),
        instructions=check.text(table, "instructions", q.id) or None,
        licence=Licence(holder, reference, licensee, check.file),
    )


def _texts(
    check: _Checker, raw: Any, ours: tuple[AnswerOption, ...], where: str
) -> tuple[AnswerOption, ...]:
    """Official option texts, one per option of ours, in the same order."""
    if not ours:
        if raw is not None:
            check.add(where, "not allowed: this has no answer options of its own")
        return ()
    values = _show([o.value for o in ours])
    if raw is None:
        check.add(where, f"missing; allowed: a list of {len(ours)} texts for the values {values}")
    elif type(raw) is not list or len(raw) != len(ours) or not all(_is_text(t) for t in raw):
        check.add(
            where,
            f"{_show(raw)} given; allowed: a list of exactly {len(ours)} texts, in the order of "
            f"the answer values {values}",
        )
    else:
        return tuple(AnswerOption(o.value, t.strip()) for o, t in zip(ours, raw, strict=True))
    return ours


def _is_text(value: Any) -> bool:
    return type(value) is str and bool(value.strip())


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _show(values: Any) -> str:
    if isinstance(values, list | tuple):
        return "[" + ", ".join(_show(v) for v in values) + "]"
    if isinstance(values, bool):
        return "true" if values else "false"
    if isinstance(values, str):
        return f'"{values}"' if len(values) <= 40 else f'"{values[:37]}..."'
    return "nothing" if values is None else str(values)
