"""The people of the browser tests, made through backcare.care.actions (like web/factories.py).

The live server runs on the real clock, so everything here is made "now" (``now=None``): the
patient's day on the Today page is the real today. The passwords are real, because the tests
sign in through the real form.

- Riverside clinic (Europe/London): Alice, a clinician; Carol, the clinic administrator;
  Pat, Alice's patient, invited and with a password.
- ``assessed(cast)``: Pat's intake (docs/examples/example-physio.json) recorded and a plan
  generated (a draft: what the clinician reviews).
- ``published(cast)``: the same, published (what Pat sees on Today).
"""

from __future__ import annotations

from dataclasses import dataclass

from web.factories import PASSWORD, example

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import Clinic, Patient, PlanRecord

__all__ = ["PASSWORD", "BrowserCast", "assessed", "make_cast", "published"]

PAT_EMAIL = "pat@example.org"


@dataclass
class BrowserCast:
    riverside: Clinic
    alice: User
    carol: User
    pat: Patient

    @property
    def pat_username(self) -> str:
        return self.pat.user.username


def make_cast() -> BrowserCast:
    riverside = actions.create_clinic(name="Riverside", timezone="Europe/London")
    alice = actions.add_clinician(
        clinic=riverside, username="alice", password=PASSWORD, first_name="Alice"
    )
    carol = actions.add_clinician(
        clinic=riverside,
        username="carol",
        password=PASSWORD,
        first_name="Carol",
        role=User.Role.CLINIC_ADMIN,
    )
    invitation, token = actions.invite_patient(
        by=alice, email=PAT_EMAIL, timezone="Europe/London", first_name="Pat", last_name="Jones"
    )
    actions.accept_invitation(token=token, password=PASSWORD)
    pat = Patient.objects.select_related("user").get(user_id=invitation.user_id)
    return BrowserCast(riverside, alice, carol, pat)


def assessed(cast: BrowserCast, intake: str = "example-physio") -> PlanRecord:
    """Pat's intake recorded by Alice and a draft plan generated: the plan to review."""
    record = actions.record_intake(patient=cast.pat, document=example(intake), by=cast.alice)
    return actions.generate_plan(episode=record.episode, by=cast.alice)


def published(cast: BrowserCast, intake: str = "example-physio") -> PlanRecord:
    """Pat assessed, and the plan published: Pat has a home programme."""
    return actions.publish_plan(plan=assessed(cast, intake), by=cast.alice)
