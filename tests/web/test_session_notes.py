"""Clinician journey 4: the session note of a visit (SOAP, techniques, red-flag re-screen)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from web.factories import Cast, published_plan

from backcare.care.models import AuditEntry, SessionNote, Visit
from backcare.clinic.care_forms import RED_FLAG_QUESTIONS

# The re-screen as the form posts it: every answer "no" or normal.
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


@pytest.fixture
def visit(cast: Cast) -> Visit:
    plan = published_plan(cast.pat, cast.alice)
    first = Visit.objects.filter(plan=plan).order_by("starts_at").first()
    assert first is not None
    return first


def note_url(visit: Visit) -> str:
    return reverse("clinic_care:session_note", kwargs={"visit_id": visit.pk})


def note_data(**extra: Any) -> dict[str, Any]:
    return {
        "subjective": "Pain 4/10, sitting easier",
        "objective": "Flexion to knees",
        "assessment": "Improving, extension preference holds",
        "plan": "Progress press-ups to level 2",
        **CLEAR,
        **extra,
    }


def test_the_re_screen_asks_every_red_flag_question_of_the_self_check() -> None:
    paths = {q.path.removeprefix("red_flag_screen.") for q in RED_FLAG_QUESTIONS}
    assert paths == {
        "saddle_numbness", "bladder", "bowel_incontinence", "new_sexual_dysfunction",
        "leg_weakness", "leg_numbness", "walking_difficulty_new", "fever_or_chills",
        "unexplained_weight_loss", "systemically_unwell", "abdominal_pulsation",
        "thoracic_pain", "pain_unchanged_by_position_or_movement",
    }  # fmt: skip


def test_the_note_form_lists_the_techniques_of_the_content(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    page = client.get(note_url(visit)).content.decode()
    for name in ("Joint mobilisation", "TENS", "Superficial heat"):
        assert name in page
    assert 'name="tech-tens-parameters"' in page
    assert page.count("<h1") == 1


def test_a_note_stores_soap_techniques_and_the_triage(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    data = note_data(**{
        "tech-manual-mobilisation-used": "on",
        "tech-manual-mobilisation-parameters": "PA grade III L4-5, 3 x 30 s",
        "tech-manual-mobilisation-response": "Extension range up, pain 4 to 2",
        "tech-heat-used": "on",
    })  # fmt: skip
    response = client.post(note_url(visit), data)
    assert response.status_code == 302
    note = SessionNote.objects.get(visit=visit)
    assert note.subjective == "Pain 4/10, sitting easier"
    assert note.plan == "Progress press-ups to level 2"
    assert note.techniques == [
        {
            "technique_id": "manual-mobilisation",
            "parameters": {"details": "PA grade III L4-5, 3 x 30 s"},
            "response": "Extension range up, pain 4 to 2",
        },
        {"technique_id": "heat", "parameters": {}, "response": ""},
    ]
    assert note.red_flag_screen["saddle_numbness"] is False
    assert note.triage_level not in ("emergency", "urgent", "soon", "routine")
    visit.refresh_from_db()
    assert visit.status == "attended"
    entry = AuditEntry.objects.filter(object_type="sessionnote", action="create").get()
    assert entry.who == cast.alice and entry.patient_id == cast.pat.pk
    page = client.get(note_url(visit)).content.decode()
    assert "PA grade III L4-5" in page
    assert 'name="subjective"' not in page  # read-only now


def test_not_sure_stays_unknown_in_the_stored_screen(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    client.post(note_url(visit), note_data(fever_or_chills="unsure"))
    note = SessionNote.objects.get(visit=visit)
    assert "fever_or_chills" not in note.red_flag_screen
    assert "red_flag_screen.fever_or_chills" in note.triage["unanswered"]


def test_a_red_flag_that_needs_a_doctor_leads_the_saved_note(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    response = client.post(
        note_url(visit), note_data(saddle_numbness="yes", bladder="retention"), follow=True
    )
    note = SessionNote.objects.get(visit=visit)
    assert note.triage_level == "emergency"
    page = response.content.decode()
    lead = page.index("<h1")
    assert "Emergency: send the patient to the emergency department now" in page[lead : lead + 200]
    assert page.index('role="alert"') < page.index("Subjective")


def test_a_missing_answer_is_refused_and_what_was_typed_is_kept(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    data = note_data(**{"tech-tens-parameters": "80 Hz, 20 min"})
    del data["bladder"]
    response = client.post(note_url(visit), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the answer that fits best" in page
    assert "Tick TENS (transcutaneous electrical nerve stimulation) as used" in page
    assert "Pain 4/10, sitting easier" in page
    assert 'value="80 Hz, 20 min"' in page
    assert not SessionNote.objects.exists()


def test_a_second_note_for_the_same_visit_is_refused(
    client: Client, cast: Cast, visit: Visit
) -> None:
    client.force_login(cast.alice)
    client.post(note_url(visit), note_data())
    response = client.post(note_url(visit), note_data(subjective="Changed"))
    assert response.status_code == 302
    assert SessionNote.objects.get(visit=visit).subjective == "Pain 4/10, sitting easier"


@pytest.mark.parametrize("status", ["missed", "cancelled"])
def test_a_planned_visit_can_be_marked_missed_or_cancelled(
    client: Client, cast: Cast, visit: Visit, status: str
) -> None:
    client.force_login(cast.alice)
    url = reverse("clinic_care:visit_status", kwargs={"visit_id": visit.pk})
    assert client.post(url, {"status": status}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == status
    assert AuditEntry.objects.filter(object_type="visit", detail__status=status).exists()
    assert client.post(url, {"status": "missed"}).status_code == 302  # refused: not planned
    visit.refresh_from_db()
    assert visit.status == status
    assert client.post(url, {"status": "attended"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("pat", 403), ("quinn", 403)],
)
def test_who_may_write_a_note(
    client: Client, cast: Cast, visit: Visit, who: str, status: int
) -> None:
    user = getattr(cast, who)
    client.force_login(user if who in ("alice", "carol", "bob") else user.user)
    assert client.get(note_url(visit)).status_code == status
    response = client.post(note_url(visit), note_data())
    assert response.status_code == (302 if status == 200 else status)
    assert SessionNote.objects.exists() is (status == 200)
    url = reverse("clinic_care:visit_status", kwargs={"visit_id": visit.pk})
    assert client.post(url, {"status": "missed"}).status_code == (302 if status == 200 else status)


def test_anonymous_people_are_sent_to_sign_in(client: Client, cast: Cast, visit: Visit) -> None:
    response = client.get(note_url(visit))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_reading_a_note_is_audited_once(client: Client, cast: Cast, visit: Visit) -> None:
    client.force_login(cast.alice)
    client.post(note_url(visit), note_data())
    before = AuditEntry.objects.filter(action="read").count()
    client.get(note_url(visit))
    entry = AuditEntry.objects.filter(action="read").latest("id")
    assert AuditEntry.objects.filter(action="read").count() == before + 1
    assert entry.object_type == "sessionnote"


def test_the_note_page_uses_a_constant_number_of_queries(
    client: Client, cast: Cast, visit: Visit, django_assert_num_queries: Any
) -> None:
    client.force_login(cast.alice)
    client.get(note_url(visit))
    with django_assert_num_queries(4):  # session, user, visit with its note, audit
        client.get(note_url(visit))
    client.post(note_url(visit), note_data(**{
        f"tech-{t}-used": "on" for t in ("heat", "tens", "manual-mobilisation", "education")
    }))  # fmt: skip
    with django_assert_num_queries(4):
        client.get(note_url(visit))
