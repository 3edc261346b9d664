"""``manage.py demo_data``: a demo clinic with made-up patients, everything made by the engine.

The clinic is labelled as demo data (``Clinic.is_demo``, and "(demo data)" in its name). Two
clinicians, a clinic administrator and 30 patients with 0-6 weeks of history: intakes varied
from docs/examples (so the triage levels and subgroups spread), plans generated and published,
then daily home-exercise logs, weekly check-ins and visit notes along one of five recovery
courses (improving, plateau, flare-up, new red flag, not exercising). Every record is made by
the actions in care/actions.py; only the exercise logs are stored in bulk
(``import_exercise_logs``: one audit entry per patient's batch instead of one per log).

Running it again when demo data exists changes nothing and prints the logins again;
``--reset`` deletes the demo clinic and its people first (their audit entries stay: the audit
trail is append-only).

Every demo account can sign in with the printed demo password. The featured patients (one
per course, listed in the output with what to try) accepted their invitation through
``actions.accept_invitation``; Argon2 hashing is deliberately slow (about 0.2 s a password), so
every other demo account gets one shared hash of the same public demo password, set in bulk at
the end (two UPDATEs), and their check-ins were recorded by their clinician. A shared salt
protects nothing here: the password is printed for anyone to read.

``--patients N`` scales the clinic (bench/web.py uses 2,000); ``--clinicians N`` spreads them
over more caseloads. The default (30 patients, 2 clinicians) is the demo's.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from backcare.accounts.models import Invitation, User
from backcare.care import actions
from backcare.care.models import Clinic, Patient, Visit
from backcare.engine.progression import Difficulty
from backcare.engine.progression import ExerciseLog as EngineExerciseLog

DEMO_CLINIC = "Riverside Physio (demo data)"
DEMO_TIMEZONE = "Europe/London"
# DEMO ONLY: printed on screen for anyone to use. Never reuse these for real accounts.
DEMO_PASSWORD = "demo-only-not-secret"
PATIENTS = 30
CLINICIANS = 2
MAX_PEOPLE = 100_000
SEED = 20261127

# Made-up names for made-up people.
NAMES = (
    ("Amara", "Okafor"),
    ("Ben", "Hughes"),
    ("Chloe", "Martin"),
    ("Dev", "Patel"),
    ("Elif", "Yilmaz"),
    ("Farah", "Haddad"),
    ("Gus", "Larsen"),
    ("Hana", "Sato"),
    ("Ivan", "Petrov"),
    ("Jade", "Wong"),
    ("Kofi", "Mensah"),
    ("Lena", "Fischer"),
    ("Mateo", "Ruiz"),
    ("Nia", "Adeyemi"),
    ("Omar", "Aziz"),
    ("Priya", "Shah"),
    ("Quinn", "Byrne"),
    ("Rosa", "Costa"),
    ("Sami", "Nieminen"),
    ("Tara", "Walsh"),
    ("Umar", "Khan"),
    ("Vera", "Novak"),
    ("Wen", "Li"),
    ("Xavi", "Puig"),
    ("Yara", "Saleh"),
    ("Zane", "Moreau"),
    ("Ines", "Silva"),
    ("Luca", "Rossi"),
    ("Maya", "Evans"),
    ("Noor", "Hassan"),
)

# Which example intake each patient starts from: red-flag ones once each, the rest spread.
TEMPLATES = (
    ["example-emergency-cauda-equina", "example-urgent-infection", "example-soon-cancer-history"]
    + ["example-routine-axial-spondyloarthritis"] * 2
    + ["example-self-care"] * 3
    + ["example-incomplete-screen"]
    + [
        "example-physio",
        "subgroup-extension",
        "subgroup-flexion",
        "subgroup-lateral-shift",
        "subgroup-manipulation",
        "subgroup-stabilization",
        "subgroup-traction",
    ]
    * 3
)
COURSES = ("improving", "plateau", "flare_up", "new_red_flag", "not_exercising")
# What each featured patient shows, for the table of logins.
TRY = {
    "improving": "Today's exercises; progress with pain going down",
    "plateau": "Today; the weekly check-in",
    "flare_up": "a flare-up (pain 8 in the last weeks); my flare-up plan",
    "new_red_flag": "a red-flag answer in the last check-in",
    "not_exercising": "few exercises logged (adherence under 50 %)",
}
STAFF_TRY: dict[str, str] = {
    User.Role.CLINIC_ADMIN: "clinicians, clinic details, the audit trail",
    User.Role.CLINICIAN: "the caseload dashboard, a plan review, a session note",
}
CLINICIAN_NAMES = (("Rhea", "Morgan"), ("Tom", "Baptiste"), ("Ana", "Lima"), ("Joe", "Kim"))
RED_FLAG_LEVELS = ("emergency", "urgent", "soon")

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


@dataclass(frozen=True)
class Course:
    """How a simulated person fares, week by week (week 1 is the plan's first week)."""

    done: Callable[[int], float]  # chance a session is done
    pain: Callable[[int], int]  # pain during exercise and NPRS at the check-in
    difficulty: Callable[[int], Difficulty]
    settled: Callable[[int], bool]


def _courses(base: int) -> dict[str, Course]:
    right, easy, hard = Difficulty.RIGHT, Difficulty.EASY, Difficulty.HARD
    return {
        "improving": Course(
            lambda w: 0.9, lambda w: max(1, base - w), lambda w: easy if w > 3 else right,
            lambda w: True,
        ),
        "plateau": Course(lambda w: 0.8, lambda w: base, lambda w: right, lambda w: True),
        "flare_up": Course(
            lambda w: 0.75, lambda w: 8 if w >= 3 else max(2, base - w),
            lambda w: hard if w >= 3 else right, lambda w: w < 3,
        ),
        "new_red_flag": Course(lambda w: 0.8, lambda w: base, lambda w: right, lambda w: True),
        "not_exercising": Course(lambda w: 0.2, lambda w: base, lambda w: right, lambda w: True),
    }  # fmt: skip


def patient_name(i: int) -> tuple[str, str, str]:
    """First name, last name and user name (the email) of demo patient ``i`` (from 0)."""
    first, last = NAMES[i % len(NAMES)]
    number = "" if i < len(NAMES) else f".{i + 1}"
    return first, last, f"{first.lower()}.{last.lower()}{number}@demo.invalid"


def featured(patients: int) -> dict[int, str]:
    """Patient index -> course: for each course, the first patient on a subgroup template with
    3 weeks of history or more (so there is something to see)."""
    shown: dict[int, str] = {}
    for i in range(patients):
        course = COURSES[i % len(COURSES)]
        subgroup = TEMPLATES[i % len(TEMPLATES)].startswith("subgroup")
        if subgroup and _weeks(i) >= 3 and course not in shown.values():
            shown[i] = course
    return shown


def _weeks(i: int) -> int:
    """Weeks of history of patient ``i``: 0-6, crossed with the five courses."""
    return i % 7


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_PEOPLE:
        raise ValueError(text)
    return value


def _examples_dir() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "examples"


def _odi(percent: int) -> dict[str, Any]:
    """Ten answered sections adding up to ``percent`` / 2 (ODI 2.1a)."""
    total = max(0, min(100, percent)) // 2
    return {"variant": "2.1a", "answers": [min(5, max(0, total - 5 * i)) for i in range(10)]}


class Command(BaseCommand):
    help = "Create a demo clinic with made-up patients (labelled demo data) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data first, then make it anew."
        )
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed (default: fixed).")
        parser.add_argument(
            "--patients", type=_count, default=PATIENTS, metavar="N",
            help=f"How many patients (default {PATIENTS}; bench/web.py uses 2000).",
        )  # fmt: skip
        parser.add_argument(
            "--clinicians", type=_count, default=CLINICIANS, metavar="N",
            help=f"How many clinicians share the patients (default {CLINICIANS}).",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Clinic.objects.filter(is_demo=True).first()
        if existing is not None and not options["reset"]:
            self.stdout.write(
                f"Demo data already exists ({existing.name}); nothing changed. "
                "Use --reset to make it afresh."
            )
            self._print_logins(existing)
            return
        if options["clinicians"] > options["patients"]:
            raise CommandError("--clinicians: at most as many clinicians as patients")
        with transaction.atomic():
            for clinic in Clinic.objects.filter(is_demo=True):
                actions.delete_demo_clinic(clinic=clinic)
            clinic = self._create(
                random.Random(options["seed"]),
                timezone.now(),
                patients=options["patients"],
                clinician_count=options["clinicians"],
            )
        self._print_logins(clinic)

    # --- creation -------------------------------------------------------------------------------

    def _create(
        self, rng: random.Random, now: dt.datetime, *, patients: int, clinician_count: int
    ) -> Clinic:
        clinic = actions.create_clinic(
            name=DEMO_CLINIC,
            timezone=DEMO_TIMEZONE,
            address="1 Example Street, Demo Town (made up)",
            phone="+44 20 7946 0000",  # Ofcom's range for drama: never a real line
            direct_access_note="Demo: people may book without a doctor's referral.",
            is_demo=True,
            now=now,
        )
        # The system adds the administrator; the administrator adds the clinicians.
        admin = actions.add_clinician(
            clinic=clinic, username="demo-admin", password=DEMO_PASSWORD, first_name="Ada",
            last_name="Admin", role=User.Role.CLINIC_ADMIN, now=now,
        )  # fmt: skip
        # Without a password here: every demo account gets the shared demo hash at the end.
        clinicians = [
            actions.add_clinician(
                clinic=clinic, username=f"demo-clinician-{n}", by=admin, now=now,
                first_name=CLINICIAN_NAMES[(n - 1) % len(CLINICIAN_NAMES)][0],
                last_name=CLINICIAN_NAMES[(n - 1) % len(CLINICIAN_NAMES)][1],
            )
            for n in range(1, clinician_count + 1)
        ]  # fmt: skip
        shown = featured(patients)
        for i in range(patients):
            self._patient(i, rng, now, clinicians[i % len(clinicians)], i in shown)
        # Everyone else signs in with the same public demo password: hashed once, not 2,000 times.
        waiting = User.objects.filter(clinic=clinic, password__startswith=UNUSABLE_PASSWORD_PREFIX)
        Invitation.objects.filter(user__in=waiting, used_at__isnull=True).update(used_at=now)
        waiting.update(password=make_password(DEMO_PASSWORD))
        return clinic

    def _patient(
        self, i: int, rng: random.Random, now: dt.datetime, clinician: User, is_featured: bool
    ) -> None:
        template = TEMPLATES[i % len(TEMPLATES)]
        course_name = COURSES[i % len(COURSES)]
        weeks = _weeks(i)
        start_day = (now - dt.timedelta(days=7 * weeks + rng.randint(0, 3))).astimezone(
            ZoneInfo(DEMO_TIMEZONE)
        )
        start = start_day.replace(hour=10, minute=0, second=0, microsecond=0)

        first_name, last_name, email = patient_name(i)
        invitation, token = actions.invite_patient(
            by=clinician, email=email, first_name=first_name, last_name=last_name,
            timezone=DEMO_TIMEZONE, date_of_birth=dt.date(1950 + (i * 7) % 50, 1 + i % 12, 1 + i % 28),
            now=start,
        )  # fmt: skip
        patient = Patient.objects.get(user_id=invitation.user_id)
        # One patient per course accepts the invitation as a person would (Argon2 is slow on
        # purpose); the others get the shared demo hash at the end.
        by = clinician
        if is_featured:
            by = actions.accept_invitation(token=token, password=DEMO_PASSWORD, now=start)

        document = self._intake(template, i, rng, start.date())
        record = actions.record_intake(patient=patient, document=document, by=by, now=start)
        plan = actions.generate_plan(episode=record.episode, by=clinician, now=start)
        plan = actions.publish_plan(plan=plan, by=clinician, now=start)
        if plan.plan["blocked"] or weeks == 0:
            return
        base = document["questionnaires"].get("nprs") or 5
        self._history(patient, plan, _courses(base)[course_name], course_name, weeks, start, now,
                      rng, by, clinician, document)  # fmt: skip

    def _intake(self, template: str, i: int, rng: random.Random, day: dt.date) -> dict[str, Any]:
        document: dict[str, Any] = copy.deepcopy(
            json.loads((_examples_dir() / f"{template}.json").read_text(encoding="utf-8"))
        )
        document["id"] = f"demo-{i + 1:02d}"
        document["assessed_on"] = day.isoformat()
        varies = template.startswith("subgroup") or template in ("example-physio",)
        if varies:  # red-flag examples stay as written, so their levels stay what they show
            person = document.setdefault("person", {})
            person["age"] = max(18, min(85, (person.get("age") or 40) + rng.randint(-8, 8)))
            pain = rng.randint(3, 8)
            document.setdefault("episode", {})["pain_now"] = pain
            document.setdefault("questionnaires", {})["nprs"] = pain
        return document

    def _history(
        self,
        patient: Patient,
        plan: Any,
        course: Course,
        course_name: str,
        weeks: int,
        start: dt.datetime,
        now: dt.datetime,
        rng: random.Random,
        by: User,
        clinician: User,
        intake: dict[str, Any],
    ) -> None:
        zone = ZoneInfo(patient.timezone)
        today = now.astimezone(zone).date()
        first = start.date()
        items = plan.plan["home_programme"]
        logs: list[EngineExerciseLog] = []
        day = first
        while day < today:
            week = (day - first).days // 7 + 1
            for item in items:
                done = rng.random() < course.done(week)
                pain = max(0, min(10, course.pain(week) + rng.randint(-1, 1)))
                logs.append(
                    EngineExerciseLog(
                        date=day, exercise_id=item["exercise_id"], done=done, level=item["level"],
                        sets=item["dose"]["sets"] if done else None,
                        reps=item["dose"]["reps"] if done else None,
                        pain_during=pain if done else None,
                        difficulty=course.difficulty(week) if done else None,
                        pain_settled_next_morning=course.settled(week) if done else None,
                        symptoms_spread_down_leg=False if done else None,
                    )
                )  # fmt: skip
            day += dt.timedelta(days=1)
        actions.import_exercise_logs(patient=patient, plan=plan, logs=logs, by=None, now=now)

        psfs = intake.get("questionnaires", {}).get("psfs")
        for week in range(1, weeks + 1):
            check_day = first + dt.timedelta(days=7 * week - 1)
            if check_day >= today:
                break
            at = dt.datetime.combine(check_day, dt.time(19, 0), zone)
            nprs = max(0, min(10, course.pain(week)))
            screen = dict(NO_RED_FLAGS)
            if course_name == "new_red_flag" and week == weeks:
                screen |= {"saddle_numbness": True, "bladder": "retention"}
            actions.record_check_in(
                patient=patient, by=by, red_flag_screen=screen, nprs=nprs, day=check_day,
                psfs=[{"activity": p["activity"], "score": min(10, (p.get("score") or 3) + week // 2)}
                      for p in psfs] if psfs else None,
                odi=_odi(nprs * 6) if week % 2 == 0 else None, now=at,
            )  # fmt: skip

        past = Visit.objects.filter(plan=plan, starts_at__lt=now).order_by("starts_at")
        for visit in past:
            if rng.random() < 0.1:
                actions.set_visit_status(visit=visit, by=clinician, status="missed",
                                         now=visit.starts_at)  # fmt: skip
                continue
            actions.write_session_note(
                visit=visit, by=clinician, red_flag_screen=NO_RED_FLAGS,
                subjective="Demo note: reports how the week went.",
                objective="Demo note: movement checked.",
                assessment=f"Demo course: {course_name.replace('_', ' ')}.",
                plan="Continue the home programme.",
                techniques=[{"technique_id": "exercise-therapy", "parameters": {},
                             "response": "tolerated well"}],
                now=visit.starts_at + dt.timedelta(minutes=45),
            )  # fmt: skip
        if course_name == "improving" and weeks >= 5:
            episode = plan.episode
            actions.discharge_episode(episode=episode, by=clinician, now=now)

    # --- output ---------------------------------------------------------------------------------

    def _print_logins(self, clinic: Clinic) -> None:
        write = self.stdout.write
        patients = list(Patient.objects.filter(clinic=clinic).select_related("user").order_by("id"))
        staff = list(
            User.objects.filter(clinic=clinic)
            .exclude(role=User.Role.PATIENT)
            .order_by("role", "id")  # clinic_admin sorts before clinician
        )
        shown = featured(len(patients))
        rows = [
            (str(u.get_role_display()), u.username, STAFF_TRY.get(u.role, "")) for u in staff[:3]
        ]
        if len(staff) > 3:
            rows.append(("clinician", f"... {len(staff) - 3} more", f"up to {staff[-1].username}"))
        rows += [("patient", patients[i].user.username, TRY[c]) for i, c in shown.items()]
        write(f"\n{clinic.name}: DEMO DATA. Made-up people, not real patients.")
        write(f"Every demo login below uses the DEMO password: {DEMO_PASSWORD}")
        write("(printed for anyone to read: never use it, or this data, for real care)\n")
        width = max(len(user) for _, user, _ in rows)
        write(f"  {'role':22} {'username':{width}}  what to try")
        for role, user, what in rows:
            write(f"  {role:22} {user:{width}}  {what}".rstrip())
        others = [p.user.username for i, p in enumerate(patients) if i not in shown]
        cannot = sum(p.user.password.startswith(UNUSABLE_PASSWORD_PREFIX) for p in patients)
        line = f"\n{len(patients)} demo patients."
        if others:
            sample = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            line += f" The other {len(others)} sign in the same way: {sample}"
        write(line)
        if cannot:
            write(
                f"{cannot} of them have no password yet (made by an older version): "
                "run `backcare demo_data --reset` to give every one a login."
            )
