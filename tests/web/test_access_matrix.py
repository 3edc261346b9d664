"""Every page and action of the site, asked by every kind of person: who gets in, who is sent
to sign in, who is refused (403: the wrong kind of account) and who is told it does not exist
(404: another patient's or another clinic's record). A URL missing from ``AREAS`` fails the
test, so a new page cannot ship without its row in this matrix."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web.factories import NOW, Cast, published_plan

from backcare.care import actions
from backcare.care.models import CheckIn, PlanRecord, Visit

ROLES = ("anonymous", "pat", "quinn", "alice", "bob", "carol")
"""pat: the patient whose records the URLs name; quinn: a patient of another clinic;
alice: pat's clinician; bob: a clinician of another clinic; carol: pat's clinic's administrator."""

# Which part of the site each URL namespace is, by who it is for.
AREAS = {
    "": "public",
    "portal": "public",
    "library": "public",
    "accounts": "account",
    "intake": "patient",
    "me": "patient",
    "progress": "patient",
    "clinic": "clinic",
    "clinic_care": "clinic",
    "clinic_admin": "admin",
    "handouts": "handouts",
    "calendars": "calendars",
    "api": "api",
    "api_tokens": "signed_in",
}

LOGIN = re.compile(r"^/account/login/\?next=")


def url_names() -> list[tuple[str, list[str]]]:
    """Every named URL as (namespace:name, its keyword arguments)."""
    found: list[tuple[str, list[str]]] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.regex.groupindex)))

    walk(get_resolver(), "")
    return sorted(set((name, tuple(kwargs)) for name, kwargs in found))  # type: ignore[misc]


URLS = [(name, list(kwargs)) for name, kwargs in url_names() if not name.startswith("api:")]


@pytest.fixture
def world(cast: Cast, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Pat with a published plan, a check-in and visits; Quinn (another clinic) likewise."""
    plan = published_plan(cast.pat, cast.alice)
    published_plan(cast.quinn, cast.bob)
    check_in = actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen={}, nprs=4, now=NOW
    )
    visit = Visit.objects.filter(episode__patient=cast.pat).order_by("starts_at").first()
    assert visit is not None
    exercise_id = plan.plan["home_programme"][0]["exercise_id"]
    return {
        "patient_id": cast.pat.pk,
        "plan_id": PlanRecord.objects.get(pk=plan.pk).pk,
        "visit_id": visit.pk,
        "check_in_id": CheckIn.objects.get(pk=check_in.pk).pk,
        "exercise_id": exercise_id,
        "user_id": cast.alice.pk,
        "slug": "about-you",
        "topic_id": "flare-up-plan",
        "token": "not-a-real-token",
        "token_id": 999_999,
    }


def client_for(role: str, cast: Cast) -> Client:
    client = Client()
    people = {
        "pat": cast.pat.user,
        "quinn": cast.quinn.user,
        "alice": cast.alice,
        "bob": cast.bob,
        "carol": cast.carol,
    }
    if role in people:
        client.force_login(people[role])
    return client


def expected(area: str, role: str, names_a_record: bool) -> set[int] | str:
    """The statuses allowed for a GET, or "login" for a redirect to sign in."""
    ok = {200, 302, 405}  # 302: a page that sends on (e.g. to the next step); 405: POST only
    if area in ("public", "account"):
        return ok | {404, 410} if area == "account" else ok | {404}
    if role == "anonymous":
        return "login"
    if area == "signed_in":
        return ok
    if area == "patient":
        if role == "pat":
            return ok
        if role == "quinn":
            return {404, 405} if names_a_record else ok
        return {403, 405}
    if area == "clinic":
        if role in ("alice", "carol"):
            return ok
        if role == "bob":
            return {404, 405} if names_a_record else ok
        return {403, 405}
    if area == "admin":
        if role == "carol":
            return ok | {404}
        return {403, 405} if role != "bob" or not names_a_record else {403, 404, 405}
    raise AssertionError(f"no rule for area {area!r}")


def test_every_url_belongs_to_an_area_of_the_matrix() -> None:
    namespaces = {name.rpartition(":")[0] for name, _ in URLS}
    assert namespaces <= set(AREAS), namespaces - set(AREAS)


RECORD_KWARGS = {"patient_id", "plan_id", "visit_id", "check_in_id", "user_id", "token_id"}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_kind_of_person_as_the_matrix_says(
    world: dict[str, Any], cast: Cast, role: str
) -> None:
    client = client_for(role, cast)
    wrong: list[str] = []
    for name, kwargs in URLS:
        area = AREAS[name.rpartition(":")[0]]
        if area in ("handouts", "calendars"):
            continue  # their own tests hold their matrices (tests/exports)
        url = reverse(name, kwargs={key: world[key] for key in kwargs})
        response = client.get(url)
        allowed = expected(area, role, bool(RECORD_KWARGS & set(kwargs)))
        if allowed == "login":
            if response.status_code == 405:
                continue  # an action that only takes POST reveals nothing to a GET
            if response.status_code != 302 or not LOGIN.match(response["Location"]):
                wrong.append(f"{name} {url}: {response.status_code}, expected sign-in")
        elif response.status_code not in allowed:
            wrong.append(f"{name} {url}: {response.status_code}, expected {sorted(allowed)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["anonymous", "quinn", "bob"])
def test_no_one_outside_changes_pats_records_by_posting(
    world: dict[str, Any], cast: Cast, role: str
) -> None:
    """POST to every page and action that names one of Pat's records (or Pat's clinic): the
    stranger is sent to sign in, refused, or told it does not exist, and nothing is written."""
    from backcare.care.models import AuditEntry

    client = client_for(role, cast)
    writes_before = AuditEntry.objects.exclude(action="read").count()
    wrong: list[str] = []
    for name, kwargs in URLS:
        area = AREAS[name.rpartition(":")[0]]
        if area in ("public", "account", "signed_in", "handouts", "calendars"):
            continue
        if role == "quinn" and area == "patient" and not (RECORD_KWARGS & set(kwargs)):
            continue  # Quinn's own pages: they change Quinn's records, not Pat's
        if role == "bob" and area == "clinic" and not (RECORD_KWARGS & set(kwargs)):
            continue  # Bob's own caseload pages
        url = reverse(name, kwargs={key: world[key] for key in kwargs})
        response = client.post(url, {"reason": "x", "confirm": "on", "done": "yes"})
        status = response.status_code
        to_login = status == 302 and bool(LOGIN.match(response.get("Location", "")))
        if not (to_login or status in (403, 404, 405)):  # 405: a page that only reads
            wrong.append(f"{name} {url}: {status}")
    assert not wrong, "\n".join(wrong)
    assert AuditEntry.objects.exclude(action="read").count() == writes_before
