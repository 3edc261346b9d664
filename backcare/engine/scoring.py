"""Scoring of the outcome instruments (clinical-facts §1). (Result types only so far.)"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    SCORED = "scored"
    REVIEW = "scored_review"  # scored, but a clinician should check (e.g. two ODI sections missing)
    NOT_SCORED = "not_scored"


@dataclass(frozen=True, slots=True)
class NprsScore:
    value: int


@dataclass(frozen=True, slots=True)
class OdiScore:
    variant: str
    status: Status
    percent: float | None  # 0-100, one decimal; None when not scored
    band: str | None
    raw: int
    answered: int
    missing: tuple[int, ...]  # 1-based section numbers not answered
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RmdqScore:
    total: int
    blank: int


@dataclass(frozen=True, slots=True)
class StartBackScore:
    status: Status
    total: int | None
    psychosocial: int | None
    risk: Risk | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PsfsScore:
    mean: float | None
    items: tuple[tuple[str, int | None], ...]


@dataclass(frozen=True, slots=True)
class FabqScore:
    physical_activity: int | None
    work: int | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    nprs: NprsScore | None = None
    odi: OdiScore | None = None
    rmdq: RmdqScore | None = None
    startback: StartBackScore | None = None
    psfs: PsfsScore | None = None
    fabq: FabqScore | None = None
