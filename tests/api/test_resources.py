"""The resources of /api/v1: each one's happy path, who may see what (the pages' rules),
paging and date filters, the audit entry of every read, and writes through the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from api.conftest import MakeToken, assert_problem, call
from web.factories import NO_RED_FLAGS, NOW, Cast, published_plan

from backcare.api import v1
from backcare.care import actions
from backcare.care.models import AuditEntry, CheckIn, ExerciseLog, PlanRecord

DAY = dt.timedelta(days=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], dt.datetime]:
    """Set the API's clock to NOW + ``days`` days."""

    def move(days: int) -> dt.datetime:
        moment = NOW + days * DAY
        monkeypatch.setattr(v1, "_now", lambda: moment)
        return moment

    move(0)
    return move


@pytest.fixture
def plans(cast: Cast) -> dict[str, PlanRecord]:
    """Pat (Riverside) and Quinn (Harbour) assessed, planned and published."""
    return {
        "pat": published_plan(cast.pat, cast.alice),
        "quinn": published_plan(cast.quinn, cast.bob),
    }


def _exercise(plan: PlanRecord, i: int = 0) -> str:
    exercise_id: str = plan.plan["home_programme"][i]["exercise_id"]
    return exercise_id


READS = [
    "/api/v1/patients/{id}",
    "/api/v1/patients/{id}/assessments",
    "/api/v1/patients/{id}/plans",
    "/api/v1/patients/{id}/exercise-logs",
    "/api/v1/patients/{id}/check-ins",
    "/api/v1/patients/{id}/outcomes",
    "/api/v1/patients/{id}/visits",
]


# --- who may see what ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("pat", "pat", 200),  # a patient: themselves
        ("pat", "quinn", 404),  # ... nobody else
        ("alice", "pat", 200),  # a clinician: their clinic's patients
        ("carol", "pat", 200),  # the clinic administrator too
        ("alice", "quinn", 404),  # ... never another clinic's
        ("bob", "pat", 404),
    ],
)
def test_each_read_follows_the_pages_permissions(
    client: Any,
    cast: Cast,
    plans: dict[str, PlanRecord],
    make_token: MakeToken,
    clock: Any,
    path: str,
    who: str,
    whose: str,
    status: int,
) -> None:
    users = {"pat": cast.pat.user, "alice": cast.alice, "carol": cast.carol, "bob": cast.bob}
    patient = {"pat": cast.pat, "quinn": cast.quinn}[whose]
    token = make_token(users[who])
    before = AuditEntry.objects.count()
    response = call(client, "GET", path.format(id=patient.pk), token)
    if status == 200:
        assert response.status_code == 200, response.content
        read = AuditEntry.objects.order_by("-id").first()
        assert read is not None
        assert AuditEntry.objects.count() == before + 1  # one audit entry per request
        assert (read.action, read.patient_id, read.who_id) == ("read", patient.pk, users[who].pk)
    else:
        assert_problem(response, 404, "not-found")
        assert AuditEntry.objects.count() == before


def test_an_id_that_does_not_exist_is_404_like_anothers(
    client: Any, cast: Cast, make_token: MakeToken
) -> None:
    response = call(client, "GET", "/api/v1/patients/999999/visits", make_token(cast.alice))
    assert_problem(response, 404, "not-found")


def test_only_clinic_staff_list_patients(client: Any, cast: Cast, make_token: MakeToken) -> None:
    response = call(client, "GET", "/api/v1/patients", make_token(cast.pat.user))
    assert_problem(response, 403, "forbidden")
    body = call(client, "GET", "/api/v1/patients", make_token(cast.alice)).json()
    assert [p["id"] for p in body["items"]] == [cast.pat.pk]
    assert body["count"] == 1
    body = call(client, "GET", "/api/v1/patients", make_token(cast.bob)).json()
    assert [p["id"] for p in body["items"]] == [cast.quinn.pk]


def test_me_gives_a_patient_their_own_id(client: Any, cast: Cast, make_token: MakeToken) -> None:
    body = call(client, "GET", "/api/v1/me", make_token(cast.pat.user, "read-write")).json()
    assert body["patient_id"] == cast.pat.pk
    assert body["role"] == "patient"
    assert body["token"] == {"name": "test", "scope": "read-write"}


# --- patients: filter and pages ---------------------------------------------------------------------


@pytest.fixture
def many(cast: Cast) -> list[Any]:
    """Alice's clinic gets six more patients, Ann 0 .. Ann 5 Smith."""
    from web.factories import invited

    out = []
    for i in range(6):
        p = invited(cast.alice, f"ann{i}@example.org", "Europe/London")
        p.user.first_name, p.user.last_name = f"Ann{i}", "Smith"
        p.user.save()
        out.append(p)
    return out


def test_patients_are_filtered_by_name_and_paged(
    client: Any, cast: Cast, many: list[Any], make_token: MakeToken
) -> None:
    token = make_token(cast.alice)
    body = call(client, "GET", "/api/v1/patients?name=smith&limit=4&offset=0", token).json()
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (6, 4, 0, 4)
    rest = call(client, "GET", "/api/v1/patients?name=smith&limit=4&offset=4", token).json()
    assert len(rest["items"]) == 2
    names = [p["name"] for p in body["items"] + rest["items"]]
    assert names == [f"Ann{i} Smith" for i in range(6)]
    one = call(client, "GET", "/api/v1/patients?name=ann3%20smith", token).json()
    assert [p["name"] for p in one["items"]] == ["Ann3 Smith"]
    assert call(client, "GET", "/api/v1/patients?name=pat@", token).json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "path"),
    [("limit=101", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("limit=ten", "limit")],
)
def test_paging_out_of_range_is_a_problem_naming_the_parameter(
    client: Any, cast: Cast, make_token: MakeToken, query: str, path: str
) -> None:
    response = call(client, "GET", f"/api/v1/patients?{query}", make_token(cast.alice))
    body = assert_problem(response, 422, "invalid-input")
    assert [(e["location"], e["path"]) for e in body["errors"]] == [("query", path)]


def test_the_patient_list_takes_the_same_queries_for_1_or_7_patients(
    client: Any, cast: Cast, make_token: MakeToken, django_assert_max_num_queries: Any
) -> None:
    from web.factories import invited

    token = make_token(cast.alice)
    call(client, "GET", "/api/v1/patients", token)  # last_used_at written once
    with django_assert_max_num_queries(4) as one:
        call(client, "GET", "/api/v1/patients", token)
    for i in range(6):
        invited(cast.alice, f"p{i}@example.org", "Europe/London")
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = call(client, "GET", "/api/v1/patients", token).json()
    assert body["count"] == 7


# --- assessments, plans, visits -------------------------------------------------------------------


def test_assessments_carry_the_intake_and_the_engines_assessment(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    body = call(
        client, "GET", f"/api/v1/patients/{cast.pat.pk}/assessments", make_token(cast.alice)
    ).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["kind"] == "intake"
    assert item["assessment"]["format"] == "backcare-assessment/1"
    assert item["intake"]["format"] == "backcare-intake/1"
    assert item["triage_level"] == item["assessment"]["triage"]["level"]


def test_a_patient_never_sees_a_draft_plan(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    published = plans["pat"]
    draft = actions.generate_plan(episode=published.episode, by=cast.alice, now=NOW)
    url = f"/api/v1/patients/{cast.pat.pk}/plans"
    mine = call(client, "GET", url, make_token(cast.pat.user)).json()
    assert [p["id"] for p in mine["items"]] == [published.pk]
    staff = call(client, "GET", url, make_token(cast.alice)).json()
    assert {p["id"] for p in staff["items"]} == {published.pk, draft.pk}
    response = call(client, "GET", f"{url}/{draft.pk}", make_token(cast.pat.user))
    assert_problem(response, 404, "not-found")
    plan = call(client, "GET", f"{url}/{published.pk}", make_token(cast.pat.user)).json()
    assert plan["plan"]["format"] == "backcare-plan/1"
    assert plan["status"] == "published"


def test_a_plan_of_another_patient_is_404(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/plans/{plans['quinn'].pk}"
    assert_problem(call(client, "GET", url, make_token(cast.alice)), 404, "not-found")


def test_visits_come_in_time_order_and_filter_by_the_patients_day(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    token = make_token(cast.pat.user)
    url = f"/api/v1/patients/{cast.pat.pk}/visits"
    every = call(client, "GET", f"{url}?limit=100", token).json()
    days = [item["starts_at"][:10] for item in every["items"]]
    assert every["count"] == len(plans["pat"].plan["course"]["visits"]) > 2
    assert days == sorted(days)
    first, second = days[0], days[1]
    window = call(client, "GET", f"{url}?from={first}&to={first}", token).json()
    assert [item["starts_at"][:10] for item in window["items"]] == [first]
    after = call(client, "GET", f"{url}?from={second}", token).json()
    assert after["count"] == every["count"] - 1
    assert all(item["status"] == "planned" and not item["has_note"] for item in every["items"])


# --- exercise logs ---------------------------------------------------------------------------------


def test_a_patient_logs_their_own_exercise(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, clock: Any
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/exercise-logs"
    body = {"exercise_id": _exercise(plans["pat"]), "done": True, "pain_during": 3, "sets": 2.0}
    response = call(client, "POST", url, make_token(cast.pat.user, "read-write"), body)
    assert response.status_code == 201, response.content
    log = ExerciseLog.objects.get()
    assert response.json()["id"] == log.pk
    assert (log.day, log.pain_during, log.sets, log.patient) == (NOW.date(), 3, 2, cast.pat)
    entry = AuditEntry.objects.filter(object_type="exerciselog").get()
    assert (entry.action, entry.who_id) == ("create", cast.pat.user.pk)


def test_a_read_token_cannot_log(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/exercise-logs"
    body = {"exercise_id": _exercise(plans["pat"]), "done": True}
    response = call(client, "POST", url, make_token(cast.pat.user, "read"), body)
    assert_problem(response, 403, "insufficient-scope")
    assert not ExerciseLog.objects.exists()


def test_bad_log_input_names_every_field(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/exercise-logs"
    body = {
        "exercise_id": _exercise(plans["pat"]),
        "done": "yes",
        "pain_during": 11,
        "sets": True,
        "difficulty": "brutal",
        "day": 20261127,
        "colour": "red",
    }
    response = call(client, "POST", url, make_token(cast.alice, "read-write"), body)
    problem = assert_problem(response, 422, "invalid-input")
    paths = {(e["location"], e["path"]) for e in problem["errors"]}
    assert paths == {
        ("body", name) for name in ("done", "pain_during", "sets", "difficulty", "day", "colour")
    }
    assert not ExerciseLog.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"exercise_id": "not-in-the-plan"}, "not in your plan"),
        ({"day": (NOW.date() + 2 * DAY).isoformat()}, "not come yet"),
    ],
)
def test_a_log_the_action_refuses_is_a_409(
    client: Any,
    cast: Cast,
    plans: dict[str, PlanRecord],
    make_token: MakeToken,
    clock: Any,
    change: dict[str, Any],
    words: str,
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/exercise-logs"
    body = {"exercise_id": _exercise(plans["pat"]), "done": True, **change}
    problem = assert_problem(
        call(client, "POST", url, make_token(cast.pat.user, "read-write"), body), 409, "refused"
    )
    assert words in problem["detail"]


def test_a_patient_cannot_log_for_another_patient(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.quinn.pk}/exercise-logs"
    body = {"exercise_id": _exercise(plans["quinn"]), "done": True}
    response = call(client, "POST", url, make_token(cast.pat.user, "read-write"), body)
    assert_problem(response, 404, "not-found")
    assert not ExerciseLog.objects.exists()


def test_logs_are_paged_and_filtered_by_day(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, clock: Any
) -> None:
    token = make_token(cast.pat.user, "read-write")
    url = f"/api/v1/patients/{cast.pat.pk}/exercise-logs"
    exercise = _exercise(plans["pat"])
    clock(6)
    for back in range(6):
        day = (NOW.date() + (6 - back) * DAY).isoformat()
        body = {"exercise_id": exercise, "done": True, "day": day}
        assert call(client, "POST", url, token, body).status_code == 201
    page = call(client, "GET", f"{url}?limit=2", token).json()
    assert page["count"] == 6
    assert [i["day"] for i in page["items"]] == [
        (NOW.date() + 6 * DAY).isoformat(),
        (NOW.date() + 5 * DAY).isoformat(),
    ]
    start, end = (NOW.date() + 2 * DAY).isoformat(), (NOW.date() + 4 * DAY).isoformat()
    window = call(client, "GET", f"{url}?from={start}&to={end}", token).json()
    assert sorted(i["day"] for i in window["items"]) == [
        (NOW.date() + d * DAY).isoformat() for d in (2, 3, 4)
    ]
    backwards = call(client, "GET", f"{url}?from={end}&to={start}", token).json()
    assert backwards["count"] == 0
    bad = call(client, "GET", f"{url}?from=yesterday", token)
    problem = assert_problem(bad, 422, "invalid-input")
    assert [(e["location"], e["path"]) for e in problem["errors"]] == [("query", "from")]


# --- check-ins and outcomes ----------------------------------------------------------------------


def test_a_check_in_is_triaged_again_and_the_response_says_so(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, clock: Any
) -> None:
    clock(7)
    url = f"/api/v1/patients/{cast.pat.pk}/check-ins"
    body = {
        "nprs": 4,
        "psfs": [{"activity": "lifting my daughter", "score": 6}],
        "red_flag_screen": NO_RED_FLAGS,
    }
    response = call(client, "POST", url, make_token(cast.pat.user, "read-write"), body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["triage"]["level"] == out["triage_level"] == CheckIn.objects.get().triage_level
    assert out["day"] == (NOW.date() + 7 * DAY).isoformat()
    assert out["triage_level"] not in ("emergency", "urgent")


def test_new_saddle_numbness_at_a_check_in_is_an_emergency_that_blocks_the_plan(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, clock: Any
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/check-ins"
    body = {"nprs": 5, "red_flag_screen": {**NO_RED_FLAGS, "saddle_numbness": True}}
    out = call(client, "POST", url, make_token(cast.alice, "read-write"), body).json()
    assert out["triage_level"] == "emergency"
    assert any(flag["condition"] == "cauda_equina" for flag in out["triage"]["flags"])
    plans["pat"].refresh_from_db()
    assert plans["pat"].blocked_by_id == out["id"]


def test_bad_check_in_input_lists_every_problem_with_its_path(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/check-ins"
    body = {
        "day": "27/11/2026",
        "nprs": 11,
        "psfs": [{"activity": "walking", "score": 12}],
        "red_flag_screen": {**NO_RED_FLAGS, "bladder": "sometimes", "saddle_numbness": 1},
        "mood": "fine",
    }
    problem = assert_problem(
        call(client, "POST", url, make_token(cast.pat.user, "read-write"), body),
        422,
        "invalid-input",
    )
    errors = {e["path"]: e for e in problem["errors"]}
    assert set(errors) == {
        "day",
        "nprs",
        "psfs[0].score",
        "red_flag_screen.bladder",
        "red_flag_screen.saddle_numbness",
        "mood",
    }
    assert errors["nprs"]["value"] == 11
    assert errors["nprs"]["allowed"] == "allowed: a whole number from 0 to 10"
    assert "retention" in errors["red_flag_screen.bladder"]["allowed"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "null"])
def test_a_body_that_is_not_an_object_is_a_problem(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, body: str
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/check-ins"
    response = call(client, "POST", url, make_token(cast.pat.user, "read-write"), body)
    if body.startswith("{"):
        assert_problem(response, 400, "malformed-request")
    else:
        problem = assert_problem(response, 422, "invalid-input")
        assert problem["errors"][0]["allowed"] == "allowed: an object with named fields"


def test_without_an_open_episode_a_check_in_is_refused(
    client: Any, cast: Cast, make_token: MakeToken
) -> None:
    url = f"/api/v1/patients/{cast.pat.pk}/check-ins"
    response = call(client, "POST", url, make_token(cast.pat.user, "read-write"), {})
    assert_problem(response, 409, "refused")


def test_outcomes_put_assessments_and_check_ins_on_one_timeline(
    client: Any, cast: Cast, plans: dict[str, PlanRecord], make_token: MakeToken, clock: Any
) -> None:
    token = make_token(cast.pat.user, "read-write")
    url = f"/api/v1/patients/{cast.pat.pk}"
    odi = {"variant": "2.1a", "answers": [1, 1, 2, 1, 1, 1, 1, None, 1, 1]}
    for days, nprs in ((7, 5), (14, 3)):
        clock(days)
        body = {
            "nprs": nprs,
            "odi": odi,
            "psfs": [{"activity": "walking", "score": 7}],
            "red_flag_screen": NO_RED_FLAGS,
        }
        assert call(client, "POST", f"{url}/check-ins", token, body).status_code == 201
    items = call(client, "GET", f"{url}/outcomes", token).json()["items"]
    assert [i["source"] for i in items] == ["assessment", "check_in", "check_in"]
    assessment = plans["pat"].assessment.assessment
    assert items[0]["nprs"] == assessment["scores"]["nprs"]["value"]
    assert items[0]["odi_percent"] == assessment["scores"]["odi"]["percent"]
    assert [i["nprs"] for i in items[1:]] == [5, 3]
    assert items[1]["odi_percent"] == pytest.approx(100 * 10 / 45, abs=0.1)
    assert items[2]["psfs_mean"] == 7
    later = (NOW.date() + 10 * DAY).isoformat()
    assert [
        i["nprs"]
        for i in call(client, "GET", f"{url}/outcomes?from={later}", token).json()["items"]
    ] == [3]


# --- FHIR ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("pat", 200), ("alice", 200), ("bob", 404), ("quinn", 404)]
)
def test_an_episode_exports_as_a_fhir_bundle_to_those_who_may_see_it(
    client: Any,
    cast: Cast,
    plans: dict[str, PlanRecord],
    make_token: MakeToken,
    who: str,
    status: int,
) -> None:
    users = {"pat": cast.pat.user, "alice": cast.alice, "bob": cast.bob, "quinn": cast.quinn.user}
    token = make_token(users[who])
    episode = plans["pat"].episode
    response = call(client, "GET", f"/api/v1/episodes/{episode.pk}/fhir", token)
    if status == 404:
        assert_problem(response, 404, "not-found")
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = response.json()
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Condition", "CarePlan"} <= kinds
    read = AuditEntry.objects.order_by("-id").first()
    assert read is not None
    assert (read.action, read.object_type, read.patient_id) == ("read", "episode", cast.pat.pk)
