"""Factories and the cast for the web tests, made through care/actions.py like everything else.

Who can see what:
- Riverside clinic (Europe/London): Alice is a clinician, Carol the clinic administrator,
  Pat is Alice's patient. Alice and Carol see Pat; Pat sees only Pat.
- Harbour clinic (Pacific/Auckland): Bob is a clinician, Quinn his patient. Bob sees Quinn and
  nothing of Riverside; Quinn sees only Quinn.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import Clinic, Patient

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # a Friday
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "docs" / "examples"
PASSWORD = "correct-horse-battery-staple"

NO_RED_FLAGS: dict[str, Any] = {
    "saddle_numbness": False,
    "bladder": "normal",
    "bowel_incontinence": False,
    "new_sexual_dysfunction": False,
    "leg_weakness": "none",
    "leg_numbness": "none",
    "walking_difficulty_new": False,
    "fever_or_chills": False,
    "unexplained_weight_loss": False,
    "systemically_unwell": False,
    "abdominal_pulsation": False,
    "thoracic_pain": False,
    "pain_unchanged_by_position_or_movement": False,
}


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return document


@dataclass
class Cast:
    riverside: Clinic
    harbour: Clinic
    alice: User
    carol: User
    bob: User
    pat: Patient
    quinn: Patient


def invited(clinician: User, email: str, timezone: str) -> Patient:
    invitation, token = actions.invite_patient(
        by=clinician, email=email, timezone=timezone, now=NOW
    )
    actions.accept_invitation(token=token, password=PASSWORD, now=NOW)
    return Patient.objects.get(user_id=invitation.user_id)


def published_plan(patient: Patient, clinician: User, intake: str = "example-physio") -> Any:
    """Pat (or anyone) assessed, planned and published: the plan record."""
    record = actions.record_intake(patient=patient, document=example(intake), by=clinician, now=NOW)
    plan = actions.generate_plan(episode=record.episode, by=clinician, now=NOW)
    return actions.publish_plan(plan=plan, by=clinician, now=NOW)
