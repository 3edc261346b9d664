"""Clinician journey 5: reassess with the instruments again, compare with baseline, discharge."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from web.factories import NO_RED_FLAGS, NOW, Cast, example

from backcare.care import actions
from backcare.care.models import AssessmentRecord, AuditEntry, Episode, PlanRecord, Visit
from backcare.clinic.plan_edit import compare_scores, discharge_plan, reassessment_document
from backcare.engine.intake import OdiAnswers, Questionnaires, parse_intake
from backcare.engine.plan import parse_plan
from backcare.engine.scoring import Instrument, Verdict, score_all

CLEAR = {
    "saddle_numbness": "no",
    "bladder": "normal",
    "bowel_incontinence": "no",
    "new_sexual_dysfunction": "no",
    "leg_weakness": "none",
    "leg_numbness": "none",
    "walking_difficulty_new": "no",
    "fever_or_chills": "no",
    "systemically_unwell": "no",
    "unexplained_weight_loss": "no",
    "abdominal_pulsation": "no",
    "thoracic_pain": "no",
    "pain_unchanged": "no",
}
LATER = NOW + dt.timedelta(weeks=3)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the time the pages (and the actions they call) see."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_to(NOW)
    return set_to


def baseline_intake() -> dict[str, Any]:
    """example-physio with the worked example's baseline: NPRS 6, ODI 20 of 50 = 40 %."""
    document = copy.deepcopy(example("example-physio"))
    document["questionnaires"]["nprs"] = 6
    document["questionnaires"]["odi"] = {"variant": "2.1a", "answers": [2] * 10}
    return document


@pytest.fixture
def planned(cast: Cast, clock: Any) -> PlanRecord:
    record = actions.record_intake(patient=cast.pat, document=baseline_intake(), by=cast.alice)
    plan = actions.generate_plan(episode=record.episode, by=cast.alice)
    return actions.publish_plan(plan=plan, by=cast.alice)


def url(name: str, cast: Cast) -> str:
    return reverse(f"clinic_care:{name}", kwargs={"patient_id": cast.pat.pk})


def reassessment(**items: Any) -> dict[str, Any]:
    """NPRS 5 and ODI 10 of 50 = 20 %, nothing else asked, no red flags."""
    data: dict[str, Any] = {"nprs": "5", **{f"odi-{n}": "1" for n in range(1, 11)}, **CLEAR}
    data.update(items)
    return data


# --- the worked example, engine side ----------------------------------------------------------


def test_odi_40_to_20_percent_is_important_and_nprs_6_to_5_is_not() -> None:
    before = score_all(Questionnaires(nprs=6, odi=OdiAnswers(answers=(2,) * 10)))
    after = score_all(Questionnaires(nprs=5, odi=OdiAnswers(answers=(1,) * 10)))
    rows = {row.instrument: row for row in compare_scores(before, after)}
    assert rows[Instrument.ODI].baseline == "40 %" and rows[Instrument.ODI].now == "20 %"
    assert rows[Instrument.ODI].verdict is Verdict.IMPROVED  # 20 points >= 10 (Ostelo 2008)
    assert rows[Instrument.NPRS].difference == -1
    assert rows[Instrument.NPRS].verdict is Verdict.NO_IMPORTANT_CHANGE  # 1 < 2 and 17 % < 30 %


def test_start_back_and_fabq_are_shown_but_not_judged() -> None:
    intake = parse_intake(example("example-physio"))
    scores = score_all(intake.questionnaires)
    rows = {row.instrument: row for row in compare_scores(scores, scores)}
    assert rows[Instrument.STARTBACK].verdict is None
    assert "risk" in rows[Instrument.STARTBACK].baseline
    assert "no established clinically important change" in rows[Instrument.FABQ].note


def test_the_reassessment_document_replaces_answers_and_keeps_the_rest() -> None:
    previous = example("example-physio")
    document = reassessment_document(
        previous,
        questionnaires={"nprs": 3},
        red_flag_screen={"saddle_numbness": False},
        today=dt.date(2026, 12, 18),
    )
    assert document["questionnaires"] == {"nprs": 3}  # ODI etc. not asked again: absent
    assert document["red_flag_screen"] == {"saddle_numbness": False}  # the rest unknown
    assert document["history"] == previous["history"]
    assert document["exam"] == previous["exam"]
    assert document["assessed_on"] == "2026-12-18"
    assert document["episode"]["days_since_onset"] == 21 + 21
    assert document["episode"]["pain_now"] == 3
    assert previous["questionnaires"]["nprs"] == 6  # the stored intake is not changed


# --- the pages ---------------------------------------------------------------------------------


def test_the_reassessment_form_asks_the_instruments_the_intake_had(
    client: Client, cast: Cast, planned: PlanRecord
) -> None:
    client.force_login(cast.alice)
    page = client.get(url("reassess", cast)).content.decode()
    for name in (
        "nprs",
        "odi-10",
        "rmdq-24",
        "startback-9",
        "psfs-3",
        "fabq-16",
        "saddle_numbness",
    ):
        assert f'name="{name}"' in page
    assert "gardening" in page  # the PSFS activities of the intake
    assert page.count("<h1") == 1


def test_a_reassessment_is_stored_and_compared_with_baseline(
    client: Client, cast: Cast, planned: PlanRecord, clock: Any
) -> None:
    clock(LATER)
    client.force_login(cast.alice)
    response = client.post(url("reassess", cast), reassessment())
    assert response.status_code == 302
    assert response["Location"] == url("compare", cast)
    record = AssessmentRecord.objects.filter(kind="reassessment").get()
    assert record.intake["questionnaires"]["odi"]["answers"] == [1] * 10
    assert record.intake["assessed_on"] == "2026-12-18"
    assert record.created_by == cast.alice
    assert AuditEntry.objects.filter(object_type="assessmentrecord",
                                     detail__kind="reassessment").exists()  # fmt: skip
    page = client.get(url("compare", cast)).content.decode()
    odi = page[page.index(">ODI<") :]
    assert "40 %" in odi[:300] and "20 %" in odi[:300]
    assert "Improved: important change" in odi[:600]
    nprs = page[page.index(">NPRS<") :]
    assert "No important change" in nprs[:600]
    assert "Make a new draft plan" in page


def test_a_new_draft_plan_comes_from_the_reassessment(
    client: Client, cast: Cast, planned: PlanRecord, clock: Any
) -> None:
    clock(LATER)
    client.force_login(cast.alice)
    client.post(url("reassess", cast), reassessment())
    response = client.post(url("generate_plan", cast))
    draft = PlanRecord.objects.get(status="draft")
    assert response["Location"] == reverse("clinic_care:plan", kwargs={"plan_id": draft.pk})
    assert draft.assessment.kind == "reassessment"


def test_a_bad_reassessment_is_refused_and_what_was_typed_is_kept(
    client: Client, cast: Cast, planned: PlanRecord
) -> None:
    client.force_login(cast.alice)
    data = reassessment(nprs="11", **{"psfs-1": "7"})
    del data["bladder"]
    response = client.post(url("reassess", cast), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the pain as a whole number from 0 to 10." in page
    assert 'value="11"' in page and 'name="psfs-1" value="7"' in page
    assert "Choose the answer that fits best" in page
    assert not AssessmentRecord.objects.filter(kind="reassessment").exists()
    empty = {key: value for key, value in reassessment().items() if key in CLEAR}
    page = client.post(url("reassess", cast), empty).content.decode()
    assert "Answer at least one questionnaire" in page


def test_a_red_flag_at_reassessment_leads_the_comparison(
    client: Client, cast: Cast, planned: PlanRecord
) -> None:
    client.force_login(cast.alice)
    client.post(
        url("reassess", cast), reassessment(fever_or_chills="yes", systemically_unwell="yes")
    )
    record = AssessmentRecord.objects.get(kind="reassessment")
    assert record.triage_level in ("urgent", "soon", "emergency")
    page = client.get(url("compare", cast)).content.decode()
    lead = page.index("<h1")
    assert 'role="alert"' in page[lead - 200 : lead]


def test_discharge_shows_the_maintenance_programme_and_flare_up_plan(
    client: Client, cast: Cast, planned: PlanRecord
) -> None:
    client.force_login(cast.alice)
    page = client.get(url("discharge", cast)).content.decode()
    leaving = discharge_plan(parse_plan(planned.plan))
    assert leaving.maintenance
    for item in leaving.maintenance:
        assert item.name in page
        assert item.dose.days_a_week <= 3 and item.dose.times_a_day == 1
    assert "Flare-up plan" in page
    assert "Stay calm" in page


def test_discharge_closes_the_episode_and_cancels_the_planned_visits(
    client: Client, cast: Cast, planned: PlanRecord, clock: Any
) -> None:
    client.force_login(cast.alice)
    client.post(url("reassess", cast), reassessment())
    actions.record_check_in(patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS,
                            nprs=2, now=NOW + dt.timedelta(hours=1))  # fmt: skip
    clock(NOW + dt.timedelta(hours=2))
    refused = client.post(url("discharge", cast), {})
    assert "Tick the box to confirm the discharge." in refused.content.decode()
    assert Episode.objects.get().status == "active"
    page = client.get(url("discharge", cast)).content.decode()
    nprs = page[page.index(">NPRS<") :]
    assert "Improved: important change" in nprs[:600]  # 6 -> 2 at the later check-in
    response = client.post(url("discharge", cast), {"confirm": "on"})
    assert response.status_code == 302
    episode = Episode.objects.get()
    assert (episode.status, episode.closed_on) == ("discharged", dt.date(2026, 11, 27))
    later = Visit.objects.filter(episode=episode, starts_at__gte=NOW + dt.timedelta(hours=2))
    assert later.exists()
    assert set(later.values_list("status", flat=True)) == {"cancelled"}
    entry = AuditEntry.objects.filter(object_type="episode", action="update").get()
    assert entry.detail["visits_cancelled"] == later.count()
    # What the patient's Today reads afterwards: the discharged episode's published plan.
    assert PlanRecord.objects.for_user(cast.pat.user).published().get() == planned
    page = client.get(url("discharge", cast)).content.decode()
    assert "Discharged on" in page
    assert 'name="confirm"' not in page


@pytest.mark.parametrize("name", ["reassess", "compare", "discharge"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("pat", 403), ("quinn", 403)],
)
def test_who_may_reassess_and_discharge(
    client: Client, cast: Cast, planned: PlanRecord, name: str, who: str, status: int
) -> None:
    user = getattr(cast, who)
    client.force_login(user if who in ("alice", "carol", "bob") else user.user)
    assert client.get(url(name, cast)).status_code == status


@pytest.mark.parametrize(("who", "status"), [("bob", 404), ("pat", 403)])
def test_others_cannot_write(
    client: Client, cast: Cast, planned: PlanRecord, who: str, status: int
) -> None:
    user = getattr(cast, who)
    client.force_login(user if who == "bob" else user.user)
    assert client.post(url("reassess", cast), reassessment()).status_code == status
    assert client.post(url("discharge", cast), {"confirm": "on"}).status_code == status
    assert client.post(url("generate_plan", cast)).status_code == status
    assert Episode.objects.get(patient=cast.pat).status == "active"
    assert not AssessmentRecord.objects.filter(kind="reassessment").exists()
    assert PlanRecord.objects.count() == 1


@pytest.mark.parametrize("name", ["reassess", "compare", "discharge"])
def test_anonymous_people_are_sent_to_sign_in(
    client: Client, cast: Cast, planned: PlanRecord, name: str
) -> None:
    response = client.get(url(name, cast))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_each_page_view_is_audited_once(client: Client, cast: Cast, planned: PlanRecord) -> None:
    client.force_login(cast.carol)
    for name in ("reassess", "compare", "discharge"):
        before = AuditEntry.objects.filter(action="read").count()
        client.get(url(name, cast))
        assert AuditEntry.objects.filter(action="read").count() == before + 1


# session, user, patient, episodes, assessments, audit; discharge adds its plans and check-ins
QUERIES = {"reassess": 6, "compare": 6, "discharge": 8}


def test_the_reassessment_comparison_and_discharge_pages_use_constant_queries(
    client: Client, cast: Cast, planned: PlanRecord, django_assert_num_queries: Any
) -> None:
    client.force_login(cast.alice)
    client.post(url("reassess", cast), reassessment())
    for name, count in QUERIES.items():
        client.get(url(name, cast))
        with django_assert_num_queries(count):
            client.get(url(name, cast))
    for n in range(3):
        actions.record_check_in(patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS,
                                nprs=4 - n, now=NOW + dt.timedelta(minutes=n + 1))  # fmt: skip
        client.post(url("reassess", cast), reassessment(nprs=str(4 - n)))
    for name, count in QUERIES.items():
        with django_assert_num_queries(count):
            client.get(url(name, cast))


def test_a_second_reassessment_asks_every_instrument_of_the_intake_again(
    client: Client, cast: Cast, planned: PlanRecord
) -> None:
    client.force_login(cast.alice)
    client.post(url("reassess", cast), reassessment())  # only NPRS and ODI this time
    page = client.get(url("reassess", cast)).content.decode()
    for name in ("nprs", "odi-10", "rmdq-24", "startback-9", "psfs-3", "fabq-16"):
        assert f'name="{name}"' in page
