"""Red-flag triage: who needs a doctor first, how urgently, and who should see a physical therapist.

(Types only so far; the rules table and ``triage()`` follow.)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """Triage levels, most urgent first (design.md, "Assessment")."""

    EMERGENCY = "emergency"  # emergency department now
    URGENT = "urgent"  # a doctor today or tomorrow
    SOON = "soon"  # a doctor within about two weeks
    ROUTINE = "routine"  # non-urgent medical referral; physical therapy may go on
    PHYSIO = "physio"  # physical therapy recommended
    SELF_CARE = "self_care"  # advice and a self-management programme

    @property
    def rank(self) -> int:
        """0 for emergency, 5 for self-care: lower is more urgent."""
        return _RANK[self]

    @property
    def needs_doctor(self) -> bool:
        return self.rank <= _RANK[Level.ROUTINE]


_RANK = {level: i for i, level in enumerate(Level)}


class Condition(StrEnum):
    CAUDA_EQUINA = "cauda_equina"
    FRACTURE = "fracture"
    MALIGNANCY = "malignancy"
    INFECTION = "infection"
    SPONDYLOARTHRITIS = "spondyloarthritis"
    VASCULAR = "vascular"
    NEUROLOGICAL = "neurological"
    VISCERAL = "visceral"


@dataclass(frozen=True, slots=True)
class Flag:
    """A red-flag rule that fired for this person."""

    id: str
    condition: Condition
    level: Level
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Triage:
    level: Level
    flags: tuple[Flag, ...]
    unanswered: tuple[str, ...]  # intake paths of red-flag questions not answered, e.g. "red_flag_screen.bladder"
    advice: str
    reasons: tuple[str, ...] = ()  # why physio or self_care was chosen when no flag fired
    incomplete: str | None = None  # plain statement when cauda-equina questions are unanswered, with what to ask
