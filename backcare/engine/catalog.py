"""The exercise library: loading, integrity checks and cheap look-ups for the planner.

Content lives under ``content/`` (content/exercises/README.md describes the format):

- ``exercises/<id>.toml``: one exercise per file, the file name is the id;
- ``tags.toml``: the contraindication and precaution tags exercises may name;
- ``coverage.toml``: the combinations of aim x direction x position group that the library
  leaves out on purpose, each with its reason;
- ``VERSION``: the content version stamped on every plan.

``load_catalog`` returns a frozen ``Catalog`` or raises ``CatalogError`` listing every problem;
``check_catalog`` returns the same problems as a list (``backcare content check``). Each problem
names the file and the field (``exercises/bird-dog.toml: levels[0].reps``, list positions
counted from 0 as in every other backcare document), the value given and what is allowed.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from .evidence import Certainty
from .figures import parse_figure
from .intake import AvoidPosition, Equipment
from .validation import (
    INVALID,
    Bool,
    Choice,
    Described,
    Int,
    InvalidDocument,
    ListOf,
    Obj,
    Problem,
    Spec,
    Text,
    parse_document,
    schema_for,
    spec,
)

T = TypeVar("T")


class Aim(StrEnum):
    """The five aims of a plan (design.md, step 3)."""

    PAIN_REDUCTION = "pain_reduction"
    MOBILITY = "mobility"
    STRENGTH = "strength"
    POSTURE = "posture"
    PREVENTION = "prevention"


class Position(StrEnum):
    """The starting position of an exercise; the values match intake.AvoidPosition."""

    ON_BACK = "on_back"
    FACE_DOWN = "face_down"
    HANDS_AND_KNEES = "hands_and_knees"
    SIDE = "side"
    SITTING = "sitting"
    STANDING = "standing"
    KNEELING = "kneeling"


class PositionGroup(StrEnum):
    """Positions grouped as the coverage rule counts them (POSITION_GROUPS)."""

    LYING = "lying"
    KNEELING = "kneeling"
    SITTING = "sitting"
    STANDING = "standing"


class Direction(StrEnum):
    """The direction the spine is moved or loaded in (directional bias, clinical-facts §3.5).

    For strength exercises it names the plane of the load: a side plank is ``lateral``.
    Rotation and mixed movements that end in the middle are ``neutral``.
    """

    FLEXION = "flexion"
    EXTENSION = "extension"
    LATERAL = "lateral"
    NEUTRAL = "neutral"


POSITION_GROUPS: Mapping[Position, PositionGroup] = MappingProxyType(
    {
        Position.ON_BACK: PositionGroup.LYING,
        Position.FACE_DOWN: PositionGroup.LYING,
        Position.SIDE: PositionGroup.LYING,
        Position.HANDS_AND_KNEES: PositionGroup.KNEELING,
        Position.KNEELING: PositionGroup.KNEELING,
        Position.SITTING: PositionGroup.SITTING,
        Position.STANDING: PositionGroup.STANDING,
    }
)

# Issue 3: every sensible aim x direction combination must have exercises lying, sitting and
# standing; hands-and-knees and kneeling exercises are extras, shown but not required.
REQUIRED_GROUPS: tuple[PositionGroup, ...] = (
    PositionGroup.LYING,
    PositionGroup.SITTING,
    PositionGroup.STANDING,
)

# The least time one repetition takes, used to check that a level's minutes can hold its work
# (a data sanity check, not a clinical rule) [synthesis].
SECONDS_PER_REP = 2

# An exercise that is on no ladder must offer this many levels, so it is never a dead end
# (our definition, content/exercises/README.md) [synthesis].
STANDALONE_MIN_LEVELS = 3

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")
VERSION_PATTERN = re.compile(r"\d{4}\.\d{1,2}\.\d+")

Combo = tuple[Aim, Direction, PositionGroup]
# exercise id -> the file that declares it, e.g. "exercises/bird-dog.toml"
Files = Mapping[str, str]


def _required(s: Spec) -> dict[str, Any]:
    return spec(s, required=True)


def _req(s: Spec, default: Any) -> Any:
    return field(default=default, metadata=spec(s, required=True))


def _opt(s: Spec, default: Any) -> Any:
    return field(default=default, metadata=spec(s, nullable=False))


def _ids(max_items: int) -> ListOf:
    return ListOf(Text(60), max_items=max_items, unique=True)


def _texts(min_items: int, max_items: int) -> ListOf:
    return ListOf(Text(240), min_items=min_items, max_items=max_items)


class _Table(Spec):
    """A TOML table kept as written (read-only), for sections other tools own, like [figure]."""

    allowed = "allowed: a table"

    def __init__(self, description: str = "") -> None:
        self.description = description

    def convert(self, value: Any) -> Any:
        return MappingProxyType(value) if type(value) is dict else INVALID

    def _schema(self) -> dict[str, Any]:
        return {"type": "object"}


def _empty_table() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)  # parsed by validation: no slots
class Level:
    """One dose step of an exercise. ``minutes`` is what one session of it takes (time budget)."""

    level: int = _req(Int(1, 9, "Numbered 1, 2, 3 ... in order."), 1)
    sets: int = _req(Int(1, 6), 1)
    reps: int = _opt(Int(0, 30, "Repetitions per set (per side when per_side)."), 0)
    hold_seconds: int = _opt(Int(0, 600, "Hold per repetition, or one hold when reps is 0."), 0)
    rest_seconds: int = _opt(Int(0, 300, "Rest between sets."), 0)
    times_a_day: int = _req(Int(1, 8), 1)
    days_a_week: int = _req(Int(1, 7), 7)
    minutes: int = _req(Int(1, 60, "Minutes one session of this exercise takes."), 1)
    note: str = _opt(Text(240), "")

    @property
    def minutes_only(self) -> bool:
        """The dose is time alone (walking, cycling): no repetitions and no hold."""
        return self.reps == 0 and self.hold_seconds == 0


@dataclass(frozen=True)  # parsed by validation: no slots
class Evidence:
    """Why the exercise is used, with a short citation from clinical-facts.md."""

    note: str = _req(Text(400), "")
    source: str = _req(Text(240), "")
    certainty: Certainty = field(default=Certainty.SYNTHESIS, metadata=_required(Choice(Certainty)))


@dataclass(frozen=True)  # parsed by validation: no slots
class Exercise:
    """One exercise of the library, as written in content/exercises/<id>.toml."""

    id: str = _req(Text(60, "Lowercase words joined by hyphens; the file name."), "")
    name: str = _req(Text(80), "")
    language: str = _req(Text(10, "A language tag such as en."), "")
    summary: str = _req(Text(240), "")
    aims: tuple[Aim, ...] = _req(ListOf(Choice(Aim), min_items=1, max_items=5, unique=True), ())
    position: Position = field(default=Position.STANDING, metadata=_required(Choice(Position)))
    equipment: tuple[Equipment, ...] = _req(ListOf(Choice(Equipment), max_items=9, unique=True), ())
    direction: Direction = field(default=Direction.NEUTRAL, metadata=_required(Choice(Direction)))
    contraindications: tuple[str, ...] = _req(_ids(20), ())
    precautions: tuple[str, ...] = _req(_ids(20), ())
    progresses_to: tuple[str, ...] = _opt(_ids(6), ())
    regresses_to: tuple[str, ...] = _opt(_ids(6), ())
    per_side: bool = _opt(Bool("Reps and holds are for each side."), False)
    instructions: tuple[str, ...] = _req(_texts(2, 12), ())
    cues: tuple[str, ...] = _req(_texts(1, 8), ())
    mistakes: tuple[str, ...] = _req(_texts(1, 8), ())
    feel: str = _req(Text(240), "")
    stop_if: tuple[str, ...] = _req(_texts(1, 8), ())
    evidence: Evidence = field(default_factory=Evidence, metadata=_required(Obj(Evidence)))
    levels: tuple[Level, ...] = _req(ListOf(Obj(Level), min_items=2, max_items=6), ())
    figure: Mapping[str, Any] = field(
        default_factory=_empty_table,
        metadata=spec(
            _Table("Pose key frames for the illustration (docs/figures.md)."), required=True
        ),
    )

    @property
    def position_group(self) -> PositionGroup:
        return POSITION_GROUPS[self.position]

    @property
    def avoid_positions(self) -> frozenset[AvoidPosition]:
        """The intake ``avoid_positions`` values that rule this exercise out."""
        own = AvoidPosition(self.position.value)
        return frozenset({own, AvoidPosition.FLOOR} if self.on_floor else {own})

    @property
    def on_floor(self) -> bool:
        """Done on the floor (or a firm bed): every such exercise lists a mat."""
        return Equipment.MAT in self.equipment


@dataclass(frozen=True)  # parsed by validation: no slots
class Tag:
    """A condition that rules an exercise out (contraindication) or calls for care (precaution)."""

    id: str = _req(Text(60), "")
    name: str = _req(Text(80), "")
    description: str = _req(Text(400), "")
    source: str = _req(Text(300), "")
    certainty: Certainty = field(default=Certainty.SYNTHESIS, metadata=_required(Choice(Certainty)))
    intake: str = _opt(Text(300, "Which intake answers point to this tag."), "")


@dataclass(frozen=True)  # parsed by validation: no slots
class Gap:
    """A combination the library leaves out on purpose, with the reason."""

    aim: Aim = field(default=Aim.PREVENTION, metadata=_required(Choice(Aim)))
    direction: Direction = field(default=Direction.NEUTRAL, metadata=_required(Choice(Direction)))
    group: PositionGroup = field(
        default=PositionGroup.LYING, metadata=_required(Choice(PositionGroup))
    )
    reason: str = _req(Text(600), "")

    @property
    def combo(self) -> Combo:
        return (self.aim, self.direction, self.group)


@dataclass(frozen=True)  # parsed by validation: no slots
class _TagFile:
    tags: tuple[Tag, ...] = _req(ListOf(Obj(Tag), min_items=1, max_items=200), ())


@dataclass(frozen=True)  # parsed by validation: no slots
class _CoverageFile:
    gaps: tuple[Gap, ...] = _req(ListOf(Obj(Gap), max_items=80), ())


@dataclass(frozen=True, slots=True)
class SafetyRule:
    """A clinical rule every exercise file must obey: when ``applies``, the tag must be listed."""

    id: str
    condition: str
    tag: str
    contraindication_only: bool
    source: str
    certainty: Certainty
    applies: Callable[[Exercise], bool]


SAFETY_RULES: tuple[SafetyRule, ...] = (
    SafetyRule(
        "flexion-needs-disc-tag",
        "direction is flexion",
        "flexion-sensitive-disc",
        False,
        "Delitto 2012 APTA CPG criteria; MDT; clinical-facts §5.6",
        Certainty.SEC,
        lambda ex: ex.direction is Direction.FLEXION,
    ),
    SafetyRule(
        "loaded-flexion-not-in-osteoporosis",
        "direction is flexion and the aims include strength (loaded flexion)",
        "osteoporosis",
        True,
        "Sinaki & Mikkelsen 1984 (89 % new fractures with flexion exercise); clinical-facts §5.6",
        Certainty.SRC,
        lambda ex: ex.direction is Direction.FLEXION and Aim.STRENGTH in ex.aims,
    ),
    SafetyRule(
        "extension-needs-extension-tag",
        "direction is extension",
        "extension-sensitive",
        False,
        "Fritz 2010 traction protocol (peripheralisation with extension); clinical-facts §3.3, §5.6",
        Certainty.SRC,
        lambda ex: ex.direction is Direction.EXTENSION,
    ),
    SafetyRule(
        "extension-needs-stenosis-tag",
        "direction is extension",
        "stenosis",
        False,
        "Suri 2010 (standing and walking provoke, bending forward relieves); clinical-facts §5.6",
        Certainty.SEC,
        lambda ex: ex.direction is Direction.EXTENSION,
    ),
    SafetyRule(
        "extension-needs-spondylolisthesis-tag",
        "direction is extension",
        "spondylolisthesis",
        False,
        "common practice avoids repeated end-range extension; clinical-facts §5.6 [uncertain]",
        Certainty.UNCERTAIN,
        lambda ex: ex.direction is Direction.EXTENSION,
    ),
    SafetyRule(
        "lying-flat-needs-pregnancy-tag",
        "position is on_back or face_down, on a mat (lying flat on the floor or a bed)",
        "pregnancy",
        False,
        "ACOG opinion 650/804: care with long lying on the back later in pregnancy; "
        "clinical-facts §5.6 [uncertain]",
        Certainty.UNCERTAIN,
        lambda ex: ex.on_floor and ex.position in (Position.ON_BACK, Position.FACE_DOWN),
    ),
)


@dataclass(frozen=True, slots=True)
class Catalog:
    """The loaded library: exercises and tags in id order, accepted gaps, look-up indexes."""

    version: str
    exercises: Mapping[str, Exercise]
    tags: Mapping[str, Tag]
    gaps: Mapping[Combo, Gap]
    _index: Mapping[tuple[str, str], frozenset[str]] = field(repr=False)

    @classmethod
    def build(
        cls,
        version: str,
        exercises: Iterable[Exercise],
        tags: Iterable[Tag],
        gaps: Iterable[Gap] = (),
    ) -> Catalog:
        by_id = {ex.id: ex for ex in sorted(exercises, key=lambda ex: ex.id)}
        index: dict[tuple[str, str], set[str]] = {}
        for ex in by_id.values():
            keys: list[tuple[str, str]] = [
                ("direction", ex.direction),
                ("position", ex.position),
                ("group", ex.position_group),
            ]
            keys += [("aim", aim) for aim in ex.aims]
            keys += [("equipment", item) for item in ex.equipment]
            keys += [("contraindication", tag) for tag in ex.contraindications]
            keys += [("avoid", where) for where in ex.avoid_positions]
            for key in keys:
                index.setdefault(key, set()).add(ex.id)
        return cls(
            version=version,
            exercises=MappingProxyType(by_id),
            tags=MappingProxyType({tag.id: tag for tag in sorted(tags, key=lambda t: t.id)}),
            gaps=MappingProxyType({gap.combo: gap for gap in gaps}),
            _index=MappingProxyType({key: frozenset(ids) for key, ids in index.items()}),
        )

    def _ids(self, kind: str, value: str) -> frozenset[str]:
        return self._index.get((kind, value), frozenset())

    def select(
        self,
        *,
        aim: Aim | None = None,
        direction: Direction | None = None,
        group: PositionGroup | None = None,
        position: Position | None = None,
        equipment: Iterable[Equipment] | None = None,
        avoid_positions: Iterable[AvoidPosition] = (),
        exclude_tags: Iterable[str] = (),
    ) -> tuple[Exercise, ...]:
        """Exercises matching every filter given, in id order.

        ``equipment`` is what the person has (None: not asked, so no filter); exercises needing
        anything else are left out. ``exclude_tags`` are the person's conditions: an exercise
        with any of them as a contraindication is left out (precautions are not filtered).
        """
        ids = set(self.exercises)
        wanted: tuple[tuple[str, str | None], ...] = (
            ("aim", aim),
            ("direction", direction),
            ("group", group),
            ("position", position),
        )
        for kind, value in wanted:
            if value is not None:
                ids &= self._ids(kind, value)
        if equipment is not None:
            have = set(equipment)
            for item in Equipment:
                if item not in have:
                    ids -= self._ids("equipment", item)
        for where in avoid_positions:
            ids -= self._ids("avoid", where)
        for tag in exclude_tags:
            ids -= self._ids("contraindication", tag)
        return tuple(self.exercises[i] for i in sorted(ids))


class CatalogError(InvalidDocument):
    """The content breaks its contract; ``problems`` lists every reason."""


# --- loading -------------------------------------------------------------------------------


def _parse(cls: type[T], data: Any, where: str, problems: list[Problem]) -> T | None:
    try:
        return parse_document(cls, data)
    except InvalidDocument as err:
        problems.extend(Problem(f"{where}: {p.path}", p.value, p.allowed) for p in err.problems)
        return None


def _read_toml(path: Path, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    if not path.is_file():
        problems.append(Problem(where, Described("no such file"), f"required: the file {where}"))
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        problems.append(Problem(where, str(err), "allowed: a TOML document in UTF-8"))
        return None


def _read_version(content_dir: Path, problems: list[Problem]) -> str:
    path = content_dir / "VERSION"
    if not path.is_file():
        problems.append(Problem("VERSION", Described("no such file"), "required: the file VERSION"))
        return ""
    text = path.read_text(encoding="utf-8").strip()
    if not VERSION_PATTERN.fullmatch(text):
        problems.append(Problem("VERSION", text, "allowed: a version like 2026.11.0"))
    return text


def content_version(content_dir: Path) -> str:
    """The content version in content/VERSION (e.g. "2026.11.0"), stamped on every plan."""
    problems: list[Problem] = []
    version = _read_version(content_dir, problems)
    if problems:
        raise CatalogError(problems)
    return version


def _load_tags(content_dir: Path, problems: list[Problem]) -> dict[str, Tag] | None:
    """The tags by id, or None when tags.toml cannot be read (already a problem)."""
    where = "tags.toml"
    data = _read_toml(content_dir / where, where, problems)
    parsed = None if data is None else _parse(_TagFile, data, where, problems)
    if parsed is None:
        return None
    tags: dict[str, Tag] = {}
    for i, tag in enumerate(parsed.tags):
        if not ID_PATTERN.fullmatch(tag.id):
            problems.append(Problem(f"{where}: tags[{i}].id", tag.id, _ID_ALLOWED))
        if tag.id in tags:
            problems.append(
                Problem(f"{where}: tags[{i}].id", tag.id, "allowed: an id no other tag uses")
            )
        tags.setdefault(tag.id, tag)
    return tags


_ID_ALLOWED = "allowed: lowercase letters and digits, words joined by single hyphens"


def _load_exercises(
    content_dir: Path, problems: list[Problem]
) -> tuple[dict[str, Exercise], Files]:
    """Parse every exercise file; return the parsed ones by id, and the file of every id."""
    folder = content_dir / "exercises"
    if not folder.is_dir():
        problems.append(
            Problem(
                "exercises", Described("no such folder"), "required: a folder of exercise files"
            )
        )
        return {}, {}
    exercises: dict[str, Exercise] = {}
    files = {path.stem: f"exercises/{path.name}" for path in folder.glob("*.toml")}
    for path in sorted(folder.glob("*.toml")):
        where = f"exercises/{path.name}"
        data = _read_toml(path, where, problems)
        if data is None:
            continue
        ex = _parse(Exercise, data, where, problems)
        if ex is None:
            continue
        if ex.id != path.stem:
            problems.append(
                Problem(f"{where}: id", ex.id, f'allowed: the file name, "{path.stem}"')
            )
        if ex.id in exercises:
            problems.append(
                Problem(
                    f"{where}: id",
                    ex.id,
                    f"allowed: an id no other exercise uses ({files[ex.id]} has it)",
                )
            )
            continue
        try:
            parse_figure(ex.figure, f"{where}: figure")
        except InvalidDocument as err:
            problems.extend(err.problems)
        exercises[ex.id] = ex
        files[ex.id] = where
    return exercises, files


# --- checks --------------------------------------------------------------------------------


def _check_exercise(
    ex: Exercise, tags: Mapping[str, Tag] | None, files: Files, problems: list[Problem]
) -> None:
    where = files[ex.id]
    if not ID_PATTERN.fullmatch(ex.id):
        problems.append(Problem(f"{where}: id", ex.id, _ID_ALLOWED))
    if not LANGUAGE_PATTERN.fullmatch(ex.language):
        problems.append(
            Problem(f"{where}: language", ex.language, "allowed: a language tag such as en")
        )
    for name in ("contraindications", "precautions"):
        for i, tag in enumerate(getattr(ex, name)):
            if tags is not None and tag not in tags:
                tag_list = ", ".join(sorted(tags))
                problems.append(
                    Problem(
                        f"{where}: {name}[{i}]",
                        tag,
                        f"allowed: a tag defined in tags.toml: {tag_list}",
                    )
                )
    for tag in sorted(set(ex.contraindications) & set(ex.precautions)):
        problems.append(
            Problem(
                f"{where}: precautions",
                tag,
                "allowed: a tag in only one list (it is a contraindication)",
            )
        )
    for name in ("progresses_to", "regresses_to"):
        for i, other in enumerate(getattr(ex, name)):
            if other not in files:
                problems.append(
                    Problem(
                        f"{where}: {name}[{i}]",
                        other,
                        "allowed: the id of an exercise file in exercises/",
                    )
                )
    for i, level in enumerate(ex.levels):
        _check_level(ex, f"{where}: levels[{i}]", i, level, problems)
    if not (ex.progresses_to or ex.regresses_to) and len(ex.levels) < STANDALONE_MIN_LEVELS:
        problems.append(
            Problem(
                f"{where}: levels",
                Described(f"a list of {len(ex.levels)} levels"),
                f"allowed: at least {STANDALONE_MIN_LEVELS} levels for an exercise on no ladder "
                "(no progresses_to or regresses_to), so it is never a dead end",
            )
        )
    for rule in SAFETY_RULES:
        listed = (
            ex.contraindications
            if rule.contraindication_only
            else ex.contraindications + ex.precautions
        )
        if rule.applies(ex) and rule.tag not in listed:
            lists = (
                "contraindications"
                if rule.contraindication_only
                else "contraindications or precautions"
            )
            problems.append(
                Problem(
                    f"{where}: contraindications",
                    list(ex.contraindications),
                    f'required: "{rule.tag}" in {lists} when {rule.condition} ({rule.source})',
                )
            )


def _check_level(ex: Exercise, path: str, i: int, level: Level, problems: list[Problem]) -> None:
    if level.level != i + 1:
        problems.append(
            Problem(
                f"{path}.level",
                level.level,
                f"allowed: {i + 1} (levels are numbered 1, 2, 3 ... in order)",
            )
        )
    if level.minutes_only:
        if level.sets != 1:
            problems.append(
                Problem(
                    f"{path}.sets",
                    level.sets,
                    "allowed: 1 when the dose is minutes only (no reps or hold)",
                )
            )
        return
    sides = 2 if ex.per_side else 1
    work = level.sets * max(level.reps, 1) * max(level.hold_seconds, SECONDS_PER_REP) * sides
    needed = math.ceil((work + (level.sets - 1) * level.rest_seconds) / 60)
    if level.minutes < needed:
        problems.append(
            Problem(
                f"{path}.minutes",
                level.minutes,
                f"allowed: at least {needed}, the time its sets, reps, holds and rests take",
            )
        )


def _check_ladders(
    exercises: Mapping[str, Exercise], files: Files, problems: list[Problem]
) -> None:
    for ex in exercises.values():
        for name, back, verb in (
            ("progresses_to", "regresses_to", "progresses to"),
            ("regresses_to", "progresses_to", "regresses to"),
        ):
            for other_id in getattr(ex, name):
                other = exercises.get(other_id)
                if other is not None and ex.id not in getattr(other, back):
                    problems.append(
                        Problem(
                            f"{files[other_id]}: {back}",
                            list(getattr(other, back)),
                            f'required: "{ex.id}" in the list, because {ex.id} {verb} {other_id}',
                        )
                    )
    # "b is harder than a": a progresses to b, or b regresses to a. A ladder only goes up.
    harder: dict[str, set[str]] = {key: set() for key in exercises}
    for ex in exercises.values():
        harder[ex.id].update(i for i in ex.progresses_to if i in exercises)
        for easier in ex.regresses_to:
            if easier in exercises:
                harder[easier].add(ex.id)
    for cycle in _cycles(harder):
        problems.append(
            Problem(
                f"{files[cycle[0]]}: progresses_to",
                " -> ".join(cycle),
                "allowed: ladders that only go up; this one comes back to where it started",
            )
        )


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle for each back edge met in a depth-first walk, in a stable order."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def _load_gaps(content_dir: Path, problems: list[Problem]) -> list[Gap] | None:
    """The accepted gaps, or None when coverage.toml cannot be read (already a problem)."""
    where = "coverage.toml"
    data = _read_toml(content_dir / where, where, problems)
    parsed = None if data is None else _parse(_CoverageFile, data, where, problems)
    if parsed is None:
        return None
    gaps: list[Gap] = []
    seen: set[Combo] = set()
    for i, gap in enumerate(parsed.gaps):
        if gap.group not in REQUIRED_GROUPS:
            allowed = ", ".join(REQUIRED_GROUPS)
            problems.append(
                Problem(
                    f"{where}: gaps[{i}].group",
                    gap.group,
                    f"allowed: {allowed} (only these must be covered)",
                )
            )
        elif gap.combo in seen:
            problems.append(
                Problem(f"{where}: gaps[{i}]", _combo_text(gap.combo), "allowed: each gap once")
            )
        else:
            seen.add(gap.combo)
            gaps.append(gap)
    return gaps


def _combo_text(combo: Combo) -> str:
    return " x ".join(combo)


def _all_combos(groups: Iterable[PositionGroup]) -> list[Combo]:
    return list(itertools.product(Aim, Direction, groups))


def _covering(exercises: Iterable[Exercise]) -> dict[Combo, list[str]]:
    table: dict[Combo, list[str]] = {combo: [] for combo in _all_combos(PositionGroup)}
    for ex in sorted(exercises, key=lambda ex: ex.id):
        for aim in ex.aims:
            table[(aim, ex.direction, ex.position_group)].append(ex.id)
    return table


def _check_coverage(
    exercises: Mapping[str, Exercise], gaps: list[Gap], problems: list[Problem]
) -> None:
    """Every aim x direction x required group has an exercise, or is an accepted gap.

    Every exercise has at least two levels numbered 1..n, so one exercise in a combination
    gives it levels 1 and 2.
    """
    table = _covering(exercises.values())
    accepted = {gap.combo for gap in gaps}
    for i, gap in enumerate(gaps):
        if table[gap.combo]:
            problems.append(
                Problem(
                    f"coverage.toml: gaps[{i}]",
                    _combo_text(gap.combo),
                    "allowed: only combinations no exercise covers; this one has "
                    + ", ".join(table[gap.combo]),
                )
            )
    for combo in _all_combos(REQUIRED_GROUPS):
        if not table[combo] and combo not in accepted:
            problems.append(
                Problem(
                    "coverage.toml: gaps",
                    _combo_text(combo),
                    "required: an exercise for this aim x direction x position group, "
                    "or an accepted gap in coverage.toml with its reason",
                )
            )


def _load(content_dir: Path) -> tuple[Catalog, list[Problem]]:
    problems: list[Problem] = []
    version = _read_version(content_dir, problems)
    tags = _load_tags(content_dir, problems)
    exercises, files = _load_exercises(content_dir, problems)
    for ex in exercises.values():
        _check_exercise(ex, tags, files, problems)
    _check_ladders(exercises, files, problems)
    gaps = _load_gaps(content_dir, problems)
    if gaps is not None:
        _check_coverage(exercises, gaps, problems)
    return Catalog.build(version, exercises.values(), (tags or {}).values(), gaps or ()), problems


def check_catalog(content_dir: Path) -> list[Problem]:
    """Every integrity problem of the content under ``content_dir`` (empty when all is well)."""
    return _load(content_dir)[1]


def load_catalog(content_dir: Path) -> Catalog:
    """The exercise library under ``content_dir``; CatalogError lists every problem."""
    catalog, problems = _load(content_dir)
    if problems:
        raise CatalogError(problems)
    return catalog


# --- documentation -------------------------------------------------------------------------


def coverage_table(catalog: Catalog) -> Mapping[Combo, tuple[str, ...]]:
    """Exercise ids for each (aim, direction, position group), every group included."""
    table = _covering(catalog.exercises.values())
    return MappingProxyType({combo: tuple(ids) for combo, ids in table.items()})


def coverage_markdown(catalog: Catalog) -> str:
    """The coverage table as Markdown: one row per aim x direction, one column per group."""
    table = coverage_table(catalog)
    groups = list(PositionGroup)
    lines = [
        "| aim | direction | " + " | ".join(groups) + " |",
        "|---|---|" + "---|" * len(groups),
    ]
    for aim, direction in itertools.product(Aim, Direction):
        cells = []
        for group in groups:
            ids = table[(aim, direction, group)]
            if ids:
                cells.append(", ".join(ids))
            elif (aim, direction, group) in catalog.gaps:
                cells.append("*accepted gap*")
            else:
                cells.append("–")
        lines.append(f"| {aim} | {direction} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def gaps_markdown(catalog: Catalog) -> str:
    """The accepted gaps of coverage.toml as a Markdown table, with their reasons."""
    lines = ["| aim | direction | position group | why |", "|---|---|---|---|"]
    for gap in catalog.gaps.values():
        lines.append(f"| {gap.aim} | {gap.direction} | {gap.group} | {gap.reason} |")
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    """The safety rules every exercise file must obey, as a Markdown table."""
    lines = [
        "| id | condition | tag required | in | source | certainty |",
        "|---|---|---|---|---|---|",
    ]
    for rule in SAFETY_RULES:
        lists = (
            "contraindications"
            if rule.contraindication_only
            else "contraindications or precautions"
        )
        lines.append(
            f"| {rule.id} | {rule.condition} | {rule.tag} | {lists} | {rule.source} | {rule.certainty} |"
        )
    return "\n".join(lines) + "\n"


def exercise_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one exercise file, read as TOML; ``figure`` is kept as is."""
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:exercise:1",
        "title": "backcare exercise",
        **schema_for(Exercise),
    }
    return out
