"""The intake at home (patient journey 2): short steps saved as a draft, resumable, reviewed,
then stored as an assessment by the engine.

Every walk goes through the real pages with Django's test client; the answers are the ones of
docs/examples/example-physio.json (without the clinician's examination), so the stored intake
can be compared with a document written by hand and the triage is known.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from web.factories import Cast
from web.intake_walk import WALK

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import AssessmentRecord, AuditEntry, IntakeDraft, Patient
from backcare.engine.intake import parse_intake
from backcare.engine.validation import InvalidDocument, Problem, dump_document
from backcare.portal.intake_steps import STEPS

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"


def expected_document(today: dt.date) -> dict[str, Any]:
    """example-physio.json as the intake pages should write it: no examination (a clinician's
    findings are not asked at home), no RMDQ (the ODI is asked), no id."""
    return {
        "format": "backcare-intake/1",
        "assessed_on": today.isoformat(),
        "person": {"age": 47, "sex": "female"},
        "episode": {
            "days_since_onset": 21,
            "onset": "gradual",
            "previous_episodes": 2,
            "trend": "same",
            "pain_now": 6,
            "pain_worst_24h": 8,
            "pain_best_24h": 3,
            "leg_pain_now": 4,
            "care_so_far": {"weeks": 2, "response": "not_improving"},
            "pain_areas": ["low_back", "buttock", "thigh"],
            "leg_symptoms": "one_leg",
            "worse_with": ["bending_forward", "sitting"],
            "better_with": ["walking", "lying_down"],
            "night_pain": "with_movement",
            "morning_stiffness_minutes": 20,
            "daily_activities_hard": True,
        },
        "red_flag_screen": {
            "saddle_numbness": False,
            "bladder": "normal",
            "bowel_incontinence": False,
            "new_sexual_dysfunction": False,
            "leg_weakness": "none",
            "leg_numbness": "one_leg",
            "walking_difficulty_new": False,
            "fever_or_chills": False,
            "unexplained_weight_loss": False,
            "systemically_unwell": False,
            "abdominal_pulsation": False,
            "thoracic_pain": False,
            "pain_unchanged_by_position_or_movement": False,
        },
        "history": {
            "cancer": "none",
            "osteoporosis": False,
            "long_term_steroids": False,
            "immunosuppressed": False,
            "iv_drug_use": False,
            "diabetes": False,
            "recent_bacterial_infection": False,
            "recent_spinal_procedure": False,
            "previous_spinal_surgery": False,
            "smoker": False,
            "vascular_disease": False,
            "family_history_spondyloarthritis": False,
            "psoriasis": False,
            "inflammatory_bowel_disease": False,
            "uveitis": False,
        },
        "questionnaires": {
            "nprs": 6,
            "odi": {"variant": "2.1a", "answers": [2, 1, 3, 2, 2, 1, 1, None, 2, 1]},
            "startback": {
                "answers": [True, False, True, True, False, False, True, False, "very_much"]
            },
            "psfs": [
                {"activity": "lifting my daughter", "score": 3},
                {"activity": "sitting through a meeting", "score": 4},
                {"activity": "gardening", "score": 2},
            ],
            "fabq": {"answers": [3, 4, 3, 2, 3, 2, 2, 1, 2, 1, 2, 2, 1, 2, 2, 1]},
        },
        "goals": ["lift my daughter without pain", "run 5 km again"],
        "preferences": {
            "minutes_per_day": 20,
            "equipment": ["mat", "chair"],
            "avoid_positions": [],
            "clinic_sessions_per_week": 2,
            "wants_drug_free_care": True,
        },
    }


@pytest.fixture(autouse=True)
def login_url(settings: Any) -> None:
    """Sign-in is another page's (accounts:login); a plain path keeps these tests independent."""
    settings.LOGIN_URL = LOGIN


def signed_in(patient: Patient) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(patient.user)
    return client


def step_url(slug: str) -> str:
    return reverse("intake:step", kwargs={"slug": slug})


def answer(client: Client, slug: str, data: dict[str, Any] | None = None) -> Any:
    response = client.post(step_url(slug), data if data is not None else WALK[slug])
    assert response.status_code == 302, _errors(response)
    return response


def _errors(response: Any) -> str:
    html = response.content.decode()
    return "; ".join(re.findall(r'class="field-error"[^>]*>(.*?)</p>', html, re.S)) or html[:300]


def walk_all(client: Client) -> None:
    for step in STEPS:
        answer(client, step.slug)


def today_of(patient: Patient) -> dt.date:
    return patient.today(timezone.now())


# --- the whole walk -------------------------------------------------------------------------


def test_the_steps_are_the_walk() -> None:
    assert [s.slug for s in STEPS] == list(WALK)


def test_walking_every_step_and_sending_stores_the_intake_written_by_hand(cast: Cast) -> None:
    client = signed_in(cast.pat)
    response = client.get(reverse("intake:start"))
    assert response.status_code == 200
    assert "Start now" in response.content.decode()
    walk_all(client)
    review = client.get(reverse("intake:review"))
    assert "Send my answers to my clinic" in review.content.decode()
    response = client.post(reverse("intake:submit"))
    assert response["Location"] == reverse("intake:done")

    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    expected = dump_document(parse_intake(expected_document(today_of(cast.pat))))
    assert record.intake == expected
    assert all(value is None for value in record.intake["exam"].values())  # never asked
    assert record.intake["questionnaires"]["rmdq"] is None
    assert record.kind == AssessmentRecord.Kind.INTAKE
    assert record.created_by == cast.pat.user
    # The same answers as example-physio.json: see a physical therapist, with the known scores.
    assert record.triage_level == "physio"
    scores = record.assessment["scores"]
    assert scores["odi"]["answered"] == 9
    assert scores["startback"]["total"] == 5
    assert not IntakeDraft.objects.filter(patient=cast.pat).exists()  # record_intake ends it


def test_the_done_page_says_what_happens_next(cast: Cast) -> None:
    client = signed_in(cast.pat)
    walk_all(client)
    client.post(reverse("intake:submit"))
    html = client.get(reverse("intake:done")).content.decode()
    assert "Your answers are with your clinic" in html
    assert "alice" in html  # the clinician who reads them
    assert "Today page" in html
    assert "Get emergency help now" not in html


def test_after_sending_the_overview_says_it_is_done_and_steps_go_back_to_it(cast: Cast) -> None:
    client = signed_in(cast.pat)
    walk_all(client)
    client.post(reverse("intake:submit"))
    html = client.get(reverse("intake:start")).content.decode()
    assert "You have sent your answers" in html
    assert 'href="/me/"' in html or f'href="{reverse("me:today")}"' in html
    assert client.get(step_url("about-you"))["Location"] == reverse("intake:start")
    assert client.post(reverse("intake:submit"))["Location"] == reverse("intake:start")
    assert AssessmentRecord.objects.filter(episode__patient=cast.pat).count() == 1


def test_the_overview_shows_the_steps_done_the_time_and_where_to_continue(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    answer(client, "your-pain")
    html = client.get(reverse("intake:start")).content.decode()
    assert "2 of 16 done." in html
    assert html.count("Not done yet") == 14
    assert "Continue where you left off" in html
    assert f'href="{step_url("what-changes-it")}"' in html
    assert re.search(r"It takes about \d+ minutes", html)


def test_submitting_before_every_step_is_done_goes_to_the_first_missing_step(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    response = client.post(reverse("intake:submit"))
    assert response["Location"] == step_url("your-pain")
    assert not AssessmentRecord.objects.exists()
    assert "Send my answers" not in client.get(reverse("intake:review")).content.decode()


# --- saved and resumable --------------------------------------------------------------------


def test_answers_are_saved_after_each_step_with_the_next_step(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    draft = IntakeDraft.objects.get(patient=cast.pat)
    assert draft.answers == {"about-you": {"age": "47", "sex": "female"}}
    assert draft.step == "your-pain"
    answer(client, "your-pain")
    draft.refresh_from_db()
    assert set(draft.answers) == {"about-you", "your-pain"}
    assert draft.step == "what-changes-it"


def test_resuming_after_signing_out_shows_the_saved_answers(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    answer(client, "your-pain")
    client.logout()
    again = signed_in(cast.pat)
    start = again.get(reverse("intake:start")).content.decode()
    assert f'href="{step_url("what-changes-it")}"' in start
    html = again.get(step_url("your-pain")).content.decode()
    for area in ("low_back", "buttock", "thigh"):
        assert re.search(rf'value="{area}"[^>]*checked', html), area
    assert not re.search(r'value="foot"[^>]*checked', html)
    assert 'value="3"' in html  # how long
    assert re.search(r'value="weeks"[^>]*checked', html)
    assert re.search(r'value="gradual"[^>]*checked', html)
    assert 'value="47"' in again.get(step_url("about-you")).content.decode()


def test_going_back_and_changing_a_step_keeps_the_others(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    answer(client, "your-pain")
    answer(client, "about-you", {"age": "48", "sex": "female"})
    draft = IntakeDraft.objects.get(patient=cast.pat)
    assert draft.answers["about-you"]["age"] == "48"
    assert draft.answers["your-pain"] == WALK["your-pain"]


def test_save_and_finish_later_goes_to_the_overview_and_resumes_at_the_same_step(
    cast: Cast,
) -> None:
    client = signed_in(cast.pat)
    response = client.post(step_url("about-you"), {**WALK["about-you"], "then": "later"})
    assert response["Location"] == reverse("intake:start")
    assert IntakeDraft.objects.get(patient=cast.pat).step == "about-you"


def test_the_age_on_record_is_used_and_not_asked(cast: Cast) -> None:
    Patient.objects.filter(pk=cast.pat.pk).update(date_of_birth=dt.date(1979, 1, 15))
    client = signed_in(cast.pat)
    html = client.get(step_url("about-you")).content.decode()
    assert 'name="age"' not in html
    answer(client, "about-you", {"sex": "female"})
    for step in STEPS[1:]:
        answer(client, step.slug)
    client.post(reverse("intake:submit"))
    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    today = today_of(cast.pat)
    assert record.intake["person"]["age"] == today.year - 1979 - (
        today < dt.date(today.year, 1, 15)
    )


# --- bad input ------------------------------------------------------------------------------


def test_a_bad_age_is_kept_with_its_message_and_nothing_is_saved(cast: Cast) -> None:
    client = signed_in(cast.pat)
    response = client.post(step_url("about-you"), {"age": "forty", "sex": "female"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert escape("Enter your age as a whole number, like 47, or leave it empty.") in html
    assert 'value="forty"' in html
    assert re.search(r'value="female"[^>]*checked', html)
    assert 'href="#id_age"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    assert not IntakeDraft.objects.filter(patient=cast.pat).exists()


def test_a_question_left_unanswered_is_named_beside_it(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    data = dict(WALK["safety-nerves"])
    del data["bladder"]
    response = client.post(step_url("safety-nerves"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert escape("Choose the answer that fits best, or I'm not sure.") in html
    assert 'href="#id_bladder_0"' in html  # links to the first radio button
    assert re.search(r'value="no"[^>]*checked', html)  # the other answers are kept
    assert "safety-nerves" not in IntakeDraft.objects.get(patient=cast.pat).answers


def test_mismatched_numbers_are_refused_in_plain_words(cast: Cast) -> None:
    client = signed_in(cast.pat)
    bad = {**WALK["pain-scores"], "pain_best_24h": "9"}
    html = client.post(step_url("pain-scores"), bad).content.decode()
    assert "The least pain cannot be more than the worst." in html
    psfs = {"activity_1": "gardening", "score_1": "", "activity_2": "", "score_2": "11"}
    html = client.post(step_url("activities"), psfs).content.decode()
    assert "Give this activity a number from 0 to 10." in html
    assert "Enter a whole number from 0 to 10, or leave it empty." in html
    assert 'value="gardening"' in html and 'value="11"' in html
    unit = {**WALK["your-pain"], "how_long_unit": ""}
    html = client.post(step_url("your-pain"), unit).content.decode()
    assert "Choose days, weeks or months." in html
    nothing = {**WALK["preferences"], "equipment": ["mat", "nothing"]}
    html = client.post(step_url("preferences"), nothing).content.decode()
    assert escape('Tick "None of these", or the ones that fit, but not both.') in html
    assert not IntakeDraft.objects.filter(patient=cast.pat).exists()


def test_an_unknown_step_is_not_found(cast: Cast) -> None:
    assert signed_in(cast.pat).get(step_url("nowhere")).status_code == 404


# --- safety ---------------------------------------------------------------------------------


def test_not_sure_about_a_red_flag_is_stored_as_unknown_never_no(cast: Cast) -> None:
    client = signed_in(cast.pat)
    for step in STEPS:
        data = dict(WALK[step.slug])
        if step.slug == "safety-nerves":
            data["bladder"] = "unsure"
        if step.slug == "safety-unwell":
            data["fever_or_chills"] = "unsure"
        answer(client, step.slug, data)
    client.post(reverse("intake:submit"))
    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    assert record.intake["red_flag_screen"]["bladder"] is None
    assert record.intake["red_flag_screen"]["fever_or_chills"] is None
    assert "red_flag_screen.bladder" in record.assessment["triage"]["unanswered"]
    html = client.get(reverse("intake:done")).content.decode()
    assert "Some safety questions are not answered" in html


def test_an_emergency_answer_goes_to_the_review_and_leads_the_done_page(cast: Cast) -> None:
    client = signed_in(cast.pat)
    answer(client, "about-you")
    nerves = {**WALK["safety-nerves"], "saddle_numbness": "yes", "bladder": "retention"}
    response = client.post(step_url("safety-nerves"), nerves)
    assert response["Location"] == reverse("intake:review")
    review = client.get(reverse("intake:review")).content.decode()
    assert "Get emergency help now" in review
    assert "Send my answers to my clinic" in review  # what they have can go now
    response = client.post(reverse("intake:submit"))
    assert response["Location"] == reverse("intake:done")
    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    assert record.triage_level == "emergency"
    html = client.get(reverse("intake:done")).content.decode()
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert h1 is not None and h1.group(1).strip() == "Get emergency help now"
    assert html.index("Get emergency help now") < html.index("Your answers are with your clinic")
    assert 'class="result result--emergency"' in html


# --- who may see what -----------------------------------------------------------------------


def urls() -> list[tuple[str, str]]:
    return [
        ("get", reverse("intake:start")),
        ("get", step_url("about-you")),
        ("post", step_url("about-you")),
        ("get", reverse("intake:review")),
        ("post", reverse("intake:submit")),
        ("get", reverse("intake:done")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    client = Client()
    for method, url in urls():
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{LOGIN}?next="), url


@pytest.mark.parametrize("who", ["alice", "carol", "bob"])
def test_clinic_staff_are_refused(cast: Cast, who: str) -> None:
    client = Client()
    client.force_login(getattr(cast, who))
    for method, url in urls():
        assert getattr(client, method)(url, WALK["about-you"]).status_code == 403, url


def test_each_patient_has_their_own_draft(cast: Cast) -> None:
    pat = signed_in(cast.pat)
    answer(pat, "about-you", {"age": "61", "sex": "male"})
    quinn = signed_in(cast.quinn)
    html = quinn.get(step_url("about-you")).content.decode()
    assert 'value="61"' not in html
    assert not re.search(r'value="male"[^>]*checked', html)
    assert "Start now" in quinn.get(reverse("intake:start")).content.decode()
    answer(quinn, "about-you", {"age": "33", "sex": "female"})
    assert IntakeDraft.objects.get(patient=cast.pat).answers["about-you"]["age"] == "61"
    assert IntakeDraft.objects.get(patient=cast.quinn).answers["about-you"]["age"] == "33"


def test_a_patient_cannot_send_or_see_another_patients_assessment(cast: Cast) -> None:
    pat = signed_in(cast.pat)
    walk_all(pat)
    pat.post(reverse("intake:submit"))
    quinn = signed_in(cast.quinn)
    assert quinn.get(reverse("intake:done"))["Location"] == reverse("intake:start")
    assert quinn.post(reverse("intake:submit"))["Location"] == step_url("about-you")
    assert not AssessmentRecord.objects.filter(episode__patient=cast.quinn).exists()


# --- audit ----------------------------------------------------------------------------------


def test_every_page_and_save_is_audited(cast: Cast) -> None:
    client = signed_in(cast.pat)
    mine = AuditEntry.objects.filter(who=cast.pat.user)
    client.get(reverse("intake:start"))
    assert mine.filter(action="read", object_type="patient").count() == 1
    answer(client, "about-you")
    entry = mine.get(action="create", object_type="intakedraft")
    assert entry.detail == {"step": "your-pain"} and entry.patient_id == cast.pat.pk
    client.get(step_url("about-you"))
    read = mine.filter(action="read", object_type="intakedraft").get()
    assert read.detail == {"step": "about-you"}
    for step in STEPS[1:]:
        answer(client, step.slug)
    assert mine.filter(action="update", object_type="intakedraft").count() == len(STEPS) - 1
    client.post(reverse("intake:submit"))
    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    assert mine.filter(action="create", object_type="assessmentrecord").get().object_id == str(
        record.pk
    )
    client.get(reverse("intake:done"))
    assert mine.filter(action="read", object_type="assessmentrecord").count() == 1


# --- questionnaires and their wording -------------------------------------------------------


def test_our_summaries_are_labelled_as_not_the_validated_wording(cast: Cast) -> None:
    html = signed_in(cast.pat).get(step_url("daily-life")).content.decode()
    assert "short summary written by backcare, not the validated wording" in html
    assert "Pain intensity" in html


def test_a_clinics_licensed_wording_is_shown_with_its_licence(cast: Cast) -> None:
    lines = ['format = "backcare-licensed-wording/1"', 'licensee = "Riverside"', "", "[odi]"]
    lines += ['licence_holder = "Mapi Research Trust"', 'licence_reference = "ODI-7"']
    for n in range(1, 11):
        lines += [f'[odi.items."odi.{n}"]', f'text = "Official heading {n}"']
        lines.append("options = [" + ", ".join(f'"Official {n}.{v}"' for v in range(6)) + "]")
    actions.upload_licensed_wording(clinic=cast.riverside, by=cast.carol, text="\n".join(lines))
    client = signed_in(cast.pat)
    html = client.get(step_url("daily-life")).content.decode()
    assert "Official heading 3" in html and "Official 3.4" in html
    assert "licensed from Mapi Research Trust (licence ODI-7)" in html
    assert "not the validated wording" not in html
    # Scoring reads positions, so the stored answers are the same whatever the wording.
    answer(client, "daily-life")
    assert IntakeDraft.objects.get(patient=cast.pat).answers["daily-life"] == WALK["daily-life"]


# --- queries --------------------------------------------------------------------------------


def test_each_step_page_makes_the_same_small_number_of_queries(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in(cast.pat)
    client.get(step_url("about-you"))  # warm the questionnaires cache
    counts: dict[str, int] = {}
    for step in STEPS:
        with CaptureQueriesContext(connection) as get:
            assert client.get(step_url(step.slug)).status_code == 200
        with CaptureQueriesContext(connection) as post:
            answer(client, step.slug)
        counts[step.slug] = len(get)
        counts[step.slug + " post"] = len(post)
    gets = {v for k, v in counts.items() if not k.endswith(" post")}
    posts = {v for k, v in counts.items() if k.endswith(" post") and k != "about-you post"}
    assert len(gets) == 1, counts
    assert len(posts) == 1, counts
    (per_get,) = gets
    assert per_get <= 5, counts  # session, user, patient with draft, audit insert
    # A full draft costs no more than an empty one: the draft comes with the patient.
    with django_assert_num_queries(per_get):
        client.get(step_url("about-you"))


def test_the_overview_review_and_done_pages_use_few_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(cast.pat)
    walk_all(client)
    with django_assert_max_num_queries(5):
        client.get(reverse("intake:start"))
    with django_assert_max_num_queries(5):
        client.get(reverse("intake:review"))
    client.post(reverse("intake:submit"))
    with django_assert_max_num_queries(6):
        client.get(reverse("intake:done"))


def test_a_patient_account_without_a_patient_record_is_refused(cast: Cast) -> None:
    lost = User.objects.create_user(username="lost", role=User.Role.PATIENT)
    client = Client()
    client.force_login(lost)
    for method, url in urls():
        assert getattr(client, method)(url).status_code == 403, url


def test_problems_the_engine_finds_are_shown_on_the_step_they_came_from(
    cast: Cast, monkeypatch: Any
) -> None:
    client = signed_in(cast.pat)
    walk_all(client)

    def refuse(**kwargs: Any) -> None:
        raise InvalidDocument([Problem("questionnaires.odi.answers[2]", 9, "allowed: 0 to 5")])

    monkeypatch.setattr(actions, "record_intake", refuse)
    response = client.post(reverse("intake:submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#step-daily-life"' in html
    assert "questionnaires.odi.answers[2]: 9 is not allowed; allowed: 0 to 5" in html
    assert IntakeDraft.objects.filter(patient=cast.pat).exists()  # nothing is lost
