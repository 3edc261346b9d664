"""Today, my exercises and my flare-up plan (patient journeys 3 and 6, issue 5)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web.factories import NO_RED_FLAGS, NOW, Cast, example, published_plan

from backcare.care import actions, alerts
from backcare.care.models import AuditEntry, ExerciseLog, Patient, PlanRecord
from backcare.care.schedule import dose_words, is_exercise_day, training_days
from backcare.engine.plan import parse_plan
from backcare.engine.planning import PlanOptions
from backcare.engine.progression import discharge_plan
from backcare.portal.today import reading_for

TODAY = reverse("me:today")
ME_PAGES = [
    TODAY,
    reverse("me:exercises"),
    reverse("me:exercise", kwargs={"exercise_id": "prone-press-up"}),
    reverse("me:flare_up"),
]
HTMX = {"HTTP_HX_REQUEST": "true"}
PRESS_UP = "Press-up lying face down"  # prone-press-up, in every example-physio plan


@pytest.fixture(autouse=True)
def page_caches(settings: Any) -> None:
    """The per-process caches on, as served (settings.CACHES["pages"]), and empty."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    alerts.clear_caches()


def at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    """Make it ``moment`` for the pages and the actions."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    at(monkeypatch, NOW)
    return NOW


@pytest.fixture
def pat_plan(cast: Cast, now: dt.datetime) -> PlanRecord:
    record: PlanRecord = published_plan(cast.pat, cast.alice)
    return record


def signed_in(client: Client, patient: Patient) -> Client:
    client.force_login(patient.user)
    return client


def log_data(exercise_id: str, **values: str) -> dict[str, str]:
    return {f"ex-{exercise_id}-{name}": value for name, value in values.items()}


def plan_of(record: PlanRecord) -> Any:
    return parse_plan(record.plan)


# --- the schedule helpers ---------------------------------------------------------------------


def test_exercise_days_are_spread_evenly_over_the_plan_week() -> None:
    assert training_days(7) == frozenset(range(7))
    assert training_days(3) == {0, 2, 4}
    assert training_days(2) == {0, 3}
    assert training_days(1) == {0}


def test_an_exercise_three_days_a_week_rests_the_day_after(pat_plan: PlanRecord) -> None:
    plan = plan_of(pat_plan)
    three = next(i for i in plan.home_programme if i.dose.days_a_week == 3)
    start = plan.start
    shown = [is_exercise_day(three, start, start + dt.timedelta(days=d)) for d in range(8)]
    assert shown == [True, False, True, False, True, False, False, True]
    assert not is_exercise_day(three, start, start - dt.timedelta(days=1))


def test_the_reading_of_the_first_day_is_the_first_topic_of_week_one(pat_plan: PlanRecord) -> None:
    plan = plan_of(pat_plan)
    reading = reading_for(plan, plan.start)
    assert [r.item.topic_id for r in reading.today] == [plan.education[0].topic_id]
    assert reading.week == 1
    assert len(reading.this_week) == sum(1 for e in plan.education if e.week == 1)
    assert reading_for(plan, plan.start - dt.timedelta(days=1)).today == ()


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ME_PAGES)
def test_anonymous_visitors_are_sent_to_login(client: Client, cast: Cast, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", ME_PAGES)
@pytest.mark.parametrize("who", ["alice", "carol", "bob"])
def test_clinic_staff_may_not_open_patient_pages(
    client: Client, pat_plan: PlanRecord, cast: Cast, url: str, who: str
) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(url).status_code == 403


def test_clinic_staff_may_not_log_for_a_patient(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    client.force_login(cast.alice)
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    assert client.post(url, log_data("prone-press-up", done="yes")).status_code == 403
    assert not ExerciseLog.objects.exists()


def test_another_patient_sees_only_their_own_today(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    signed_in(client, cast.quinn)
    response = client.get(TODAY)
    assert response.status_code == 200
    assert PRESS_UP.encode() not in response.content
    assert reverse("intake:start").encode() in response.content
    exercise = reverse("me:exercise", kwargs={"exercise_id": "prone-press-up"})
    assert client.get(exercise).status_code == 404
    log = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    assert client.post(log, log_data("prone-press-up", done="yes")).status_code == 404
    assert not ExerciseLog.objects.exists()


def test_a_patient_whose_plan_is_being_prepared_is_told_so(
    client: Client, cast: Cast, now: dt.datetime
) -> None:
    actions.record_intake(patient=cast.pat, document=example("example-physio"), by=cast.alice)
    response = signed_in(client, cast.pat).get(TODAY)
    assert response.status_code == 200
    assert b"preparing your exercise plan" in response.content
    assert not AuditEntry.objects.filter(action="read").exists()


# --- Today ----------------------------------------------------------------------------------


def test_today_shows_todays_exercises_with_dose_figure_and_timer(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    response = signed_in(client, cast.pat).get(TODAY)
    assert response.status_code == 200
    page = response.content.decode()
    plan = plan_of(pat_plan)
    assert plan.home_programme  # the plan has exercises, all due on its first day
    for item in plan.home_programme:
        assert f'id="exercise-{item.exercise_id}"' in page
        assert dose_words(item) in page
        assert reverse("me:figure", kwargs={"exercise_id": item.exercise_id}) in page
    held = next(i for i in plan.home_programme if i.dose.hold_seconds)
    assert f'data-hold="{held.dose.hold_seconds}"' in page
    assert "backcare/timer.js" in page and "<script>" not in page  # no inline script
    assert plan.education[0].title in page  # the day's reading
    assert reverse("library:topic", kwargs={"topic_id": plan.education[0].topic_id}) in page


def test_reading_today_writes_one_audit_entry_for_the_plan(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    signed_in(client, cast.pat).get(TODAY)
    reads = AuditEntry.objects.filter(action="read")
    assert [(r.object_type, r.object_id, r.patient_id, r.who_id) for r in reads] == [
        ("planrecord", str(pat_plan.pk), cast.pat.pk, cast.pat.user_id)
    ]


def test_the_figure_is_the_animated_svg(client: Client, pat_plan: PlanRecord, cast: Cast) -> None:
    url = reverse("me:figure", kwargs={"exercise_id": "prone-press-up"})
    response = signed_in(client, cast.pat).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"@keyframes" in response.content
    missing = reverse("me:figure", kwargs={"exercise_id": "no-such-exercise"})
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize(
    ("patient", "clinician", "day"),
    [("pat", "alice", dt.date(2026, 11, 27)), ("quinn", "bob", dt.date(2026, 11, 28))],
)
def test_a_log_is_stored_on_the_patients_own_day(
    client: Client,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    patient: str,
    clinician: str,
    day: dt.date,
) -> None:
    at(monkeypatch, NOW)
    person = getattr(cast, patient)
    published_plan(person, getattr(cast, clinician))
    # 12:00 in London is already 01:00 the next day in Auckland.
    at(monkeypatch, NOW + dt.timedelta(hours=2))
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    data = log_data("prone-press-up", done="yes", pain_during="3", difficulty="right")
    response = signed_in(client, person).post(url, data)
    assert response.status_code == 302
    log = ExerciseLog.objects.get()
    assert (log.patient_id, log.day, log.done, log.pain_during, log.difficulty) == (
        person.pk,
        day,
        True,
        3,
        "right",
    )
    assert log.level == 1  # the plan's level


def test_logging_without_javascript_redirects_to_today_with_a_message(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    data = log_data("prone-press-up", done="yes", pain_during="2", difficulty="easy")
    response = signed_in(client, cast.pat).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == TODAY + "#exercise-prone-press-up"
    page = client.get(TODAY).content.decode()
    assert "Saved: Press-up lying face down." in page
    assert "Done 1 time today, of 4." in page
    assert "pain 2 out of 10; easy." in page


def test_logging_with_htmx_returns_the_updated_card(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    data = log_data("prone-press-up", done="yes", pain_during="4", difficulty="hard")
    response = signed_in(client, cast.pat).post(url, data, **HTMX)
    assert response.status_code == 200
    card = response.content.decode()
    assert card.lstrip().startswith('<article class="today-card')
    assert "<html" not in card
    assert 'id="exercise-prone-press-up"' in card
    assert "Saved. Thank you." in card
    assert "pain 4 out of 10; hard." in card
    assert ExerciseLog.objects.count() == 1


def test_a_session_not_done_is_stored_without_pain_or_difficulty(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "clamshell"})
    data = log_data("clamshell", done="no", pain_during="5", difficulty="hard")
    signed_in(client, cast.pat).post(url, data)
    log = ExerciseLog.objects.get()
    assert (log.done, log.pain_during, log.difficulty) == (False, None, None)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_bad_input_is_kept_with_messages_and_nothing_is_stored(
    client: Client, pat_plan: PlanRecord, cast: Cast, headers: dict[str, str]
) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    data = log_data("prone-press-up", done="yes", pain_during="11", difficulty="bogus")
    response = signed_in(client, cast.pat).post(url, data, **headers)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a whole number from 0 to 10." in page
    assert "Choose easy, about right or hard." in page
    assert 'value="11"' in page
    assert 'aria-invalid="true"' in page
    assert 'id="id_ex-prone-press-up-done" value="yes" checked' in page
    if not headers:
        assert "There is a problem" in page  # the error summary, linking to the field
        assert 'href="#id_ex-prone-press-up-pain_during"' in page
    assert not ExerciseLog.objects.exists()


def test_a_missing_answer_is_asked_for(client: Client, pat_plan: PlanRecord, cast: Cast) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    response = signed_in(client, cast.pat).post(url, log_data("prone-press-up", pain_during="x"))
    page = response.content.decode()
    assert "Choose yes or no." in page and 'value="x"' in page
    assert not ExerciseLog.objects.exists()


def test_an_exercise_not_in_the_plan_cannot_be_logged(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    url = reverse("me:log", kwargs={"exercise_id": "bird-dog"})
    assert (
        signed_in(client, cast.pat).post(url, log_data("bird-dog", done="yes")).status_code == 404
    )
    assert client.get(reverse("me:log", kwargs={"exercise_id": "clamshell"})).status_code == 405


# --- the next morning --------------------------------------------------------------------------


def _yesterdays_logs(cast: Cast) -> None:
    for exercise_id in ("prone-press-up", "clamshell"):
        actions.log_exercise(
            patient=cast.pat, by=cast.pat.user, exercise_id=exercise_id, done=True, pain_during=4
        )
    actions.log_exercise(patient=cast.pat, by=cast.pat.user, exercise_id="clamshell", done=False)


QUESTION = "Did the pain from yesterday&#x27;s exercises settle by this morning?"


def test_the_next_morning_question_appears_and_stores_the_answer(
    client: Client, pat_plan: PlanRecord, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _yesterdays_logs(cast)
    assert QUESTION not in signed_in(client, cast.pat).get(TODAY).content.decode()
    at(monkeypatch, NOW + dt.timedelta(days=1))
    assert QUESTION in client.get(TODAY).content.decode()
    response = client.post(reverse("me:settled"), {"settled": "yes"})
    assert response.status_code == 302
    done = ExerciseLog.objects.filter(done=True)
    assert [log.pain_settled_next_morning for log in done] == [True, True]
    assert ExerciseLog.objects.get(done=False).pain_settled_next_morning is None
    assert QUESTION not in client.get(TODAY).content.decode()
    assert AuditEntry.objects.filter(action="update", object_type="exerciselog").count() == 2


def test_the_next_morning_answer_with_htmx_and_without_a_choice(
    client: Client, pat_plan: PlanRecord, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _yesterdays_logs(cast)
    at(monkeypatch, NOW + dt.timedelta(days=1))
    signed_in(client, cast.pat)
    missing = client.post(reverse("me:settled"), {"settled": "maybe"})
    assert "Choose yes or no." in missing.content.decode()
    assert "There is a problem" in missing.content.decode()
    response = client.post(reverse("me:settled"), {"settled": "no"}, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "We saved your answer" in response.content.decode()
    assert set(
        ExerciseLog.objects.filter(done=True).values_list("pain_settled_next_morning", flat=True)
    ) == {False}


# --- blocked and flare-up --------------------------------------------------------------------------


def test_a_plan_blocked_by_a_red_flag_shows_what_to_do_and_no_exercises(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    screen = {**NO_RED_FLAGS, "saddle_numbness": True}
    actions.record_check_in(patient=cast.pat, by=cast.pat.user, red_flag_screen=screen, nprs=5)
    page = signed_in(client, cast.pat).get(TODAY).content.decode()
    assert "Get emergency help now" in page
    assert "Your exercises are on hold" in page
    assert "Riverside" in page
    assert "today-card" not in page and PRESS_UP not in page
    assert PRESS_UP not in client.get(reverse("me:exercises")).content.decode()
    exercise = reverse("me:exercise", kwargs={"exercise_id": "prone-press-up"})
    assert client.get(exercise)["Location"] == TODAY
    log = reverse("me:log", kwargs={"exercise_id": "prone-press-up"})
    assert client.post(log, log_data("prone-press-up", done="yes")).status_code == 302
    assert not ExerciseLog.objects.exists()


def test_a_flare_up_puts_the_flare_up_plan_at_the_top(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    signed_in(client, cast.pat)
    assert "Your pain has gone up" not in client.get(TODAY).content.decode()
    # Baseline pain 6 (example-physio); 8 this week is 7 or more and above it (flare.high_pain).
    actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=8
    )
    page = client.get(TODAY).content.decode()
    assert "Your pain has gone up" in page
    assert page.index(reverse("me:flare_up")) < page.index('id="exercise-')
    flare = client.get(reverse("me:flare_up")).content.decode()
    assert "Your pain has gone up" in flare
    assert "Keep moving gently" in flare  # the engine's flare-up plan
    assert "Go to an emergency department straight away" in flare  # the safety net


def test_the_flare_up_plan_is_there_without_a_flare_up(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    response = signed_in(client, cast.pat).get(reverse("me:flare_up"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your pain has gone up" not in page
    assert "Stay calm" in page and "When to get help" in page
    assert PRESS_UP in page  # an exercise of the plan that eases pain
    assert AuditEntry.objects.filter(action="read", object_id=str(pat_plan.pk)).count() == 1


# --- my exercises ---------------------------------------------------------------------------------


def test_my_exercises_show_full_instructions_of_every_plan_exercise(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    from backcare.care.content import catalog

    page = signed_in(client, cast.pat).get(reverse("me:exercises")).content.decode()
    for item in plan_of(pat_plan).home_programme:
        exercise = catalog().exercises[item.exercise_id]
        assert item.name in page
        assert dose_words(item) in page
        assert exercise.feel.replace("'", "&#x27;") in page
        assert reverse("me:exercise", kwargs={"exercise_id": item.exercise_id}) in page


def test_my_exercise_page_has_the_animation_steps_and_my_dose(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    url = reverse("me:exercise", kwargs={"exercise_id": "clamshell"})
    page = signed_in(client, cast.pat).get(url).content.decode()
    item = next(i for i in plan_of(pat_plan).home_programme if i.exercise_id == "clamshell")
    assert "<svg" in page and "@keyframes" in page
    assert "Your level: 1." in page and dose_words(item) in page
    assert "How to do it" in page and "Stop if" in page
    assert client.get(reverse("me:exercise", kwargs={"exercise_id": "bird-dog"})).status_code == 404


# --- query counts ----------------------------------------------------------------------------------


def _planned(cast: Cast, patient: Patient, clinician: Any, count: int) -> PlanRecord:
    record = actions.record_intake(
        patient=patient, document=example("example-physio"), by=clinician
    )
    options = PlanOptions(max_exercises=count, minutes_per_day=120)
    draft = actions.generate_plan(episode=record.episode, by=clinician, options=options)
    plan: PlanRecord = actions.publish_plan(plan=draft, by=clinician)
    for item in plan.plan["home_programme"]:  # a log of each, and yesterday's question
        actions.log_exercise(
            patient=patient, by=patient.user, exercise_id=item["exercise_id"], done=True
        )
    return plan


def _queries(client: Client, patient: Patient) -> int:
    client.force_login(patient.user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(TODAY).status_code == 200
    return len(queries)


def test_today_uses_the_same_number_of_queries_for_few_and_many_exercises(
    client: Client,
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: Any,
) -> None:
    at(monkeypatch, NOW)
    few = _planned(cast, cast.pat, cast.alice, 1)
    many = _planned(cast, cast.quinn, cast.bob, 8)
    assert len(few.plan["home_programme"]) == 1
    assert len(many.plan["home_programme"]) >= 6
    for patient in (cast.pat, cast.quinn):
        actions.record_check_in(
            patient=patient, by=patient.user, red_flag_screen=NO_RED_FLAGS, nprs=5
        )
    at(monkeypatch, NOW + dt.timedelta(days=1))  # yesterday's question shows too
    assert _queries(client, cast.pat) == _queries(client, cast.quinn)
    client.force_login(cast.quinn.user)
    # session, user, patient with its latest change, plan, its document (not yet parsed in
    # this worker), logs, check-ins, baseline, the audit insert
    alerts.clear_caches()  # every cache: parsed plans, kept pages
    with django_assert_num_queries(9):
        cold = client.get(TODAY)
    # Nothing of Quinn's changed since, the same day: the page drawn then is served again after
    # session, user, patient with its latest change, and the audit insert.
    with django_assert_num_queries(4):
        warm = client.get(TODAY)
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    assert token.sub(b"", warm.content) == token.sub(b"", cold.content)


def test_today_shows_a_new_log_at_once_and_a_fresh_csrf_token(
    client: Client, pat_plan: PlanRecord, cast: Cast
) -> None:
    signed_in(client, cast.pat)
    first = client.get(TODAY).content.decode()
    second = client.get(TODAY).content.decode()  # from the rendered page
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', second)
    assert tokens and len(set(tokens)) == 1 and "csrf-token" not in second
    exercise = plan_of(pat_plan).home_programme[0].exercise_id
    response = client.post(reverse("me:log", kwargs={"exercise_id": exercise}),
                           log_data(exercise, done="yes", pain_during="2", difficulty="easy"),
                           HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=tokens[0])  # fmt: skip
    assert response.status_code == 200
    third = client.get(TODAY).content.decode()
    assert third != second and first.count("Your last answers") + 1 == third.count(
        "Your last answers"
    )


# --- templates ------------------------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parents[2] / "backcare" / "portal" / "templates" / "portal"
OWN_TEMPLATES = sorted(
    [*TEMPLATES.glob("today*.html"), *TEMPLATES.glob("my_*.html"), TEMPLATES / "flare_up.html"]
)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.S)
_BLOCK = re.compile(
    r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
    re.S,
)


@pytest.mark.parametrize("template", OWN_TEMPLATES, ids=lambda p: p.name)
def test_page_templates_have_no_text_outside_the_translation_tags(template: Path) -> None:
    leftover = _TAG.sub(" ", _BLOCK.sub("", template.read_text()))
    assert re.findall(r"[A-Za-z]{2,}", leftover) == []


def test_the_pages_render_without_missing_variables(
    client: Client, pat_plan: PlanRecord, cast: Cast, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}}
    ]
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "MISSING[%s]"
    _yesterdays_logs(cast)
    at(monkeypatch, NOW + dt.timedelta(days=1))
    signed_in(client, cast.pat)
    for url in ME_PAGES:
        page = client.get(url).content.decode()
        assert "MISSING[" not in page, url


def test_after_discharge_today_shows_the_maintenance_programme_at_its_own_doses(
    client: Client, cast: Cast
) -> None:
    record = published_plan(cast.pat, cast.alice)
    actions.discharge_episode(episode=record.episode, by=cast.alice, on=record.episode.opened_on)
    maintenance = discharge_plan(parse_plan(record.plan)).maintenance
    client.force_login(cast.pat.user)

    page = client.get("/me/").content.decode()

    assert "You have finished your course of care" in page
    assert page.count('<article class="my-exercise"') == len(maintenance)
    for item in maintenance:
        assert item.name in page
        assert item.dose.times_a_day == 1 and item.dose.days_a_week <= 3
    mine = client.get("/me/exercises/").content.decode()
    assert "7 days a week" not in mine
    assert AuditEntry.objects.filter(patient=cast.pat, detail__page="today").exists()
