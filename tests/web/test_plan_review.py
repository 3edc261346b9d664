"""Clinician journey 3: review the generated plan, change it with reasons, publish it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from web.factories import NOW, Cast, example, published_plan

from backcare.care import actions
from backcare.care.models import AuditEntry, PlanOverride, PlanRecord

UNSUITABLE = "curl-up"  # bends forward; example-physio's symptoms spread with bending forward


def draft_plan(cast: Cast) -> PlanRecord:
    """Pat assessed (example-physio) with a draft plan, not published."""
    record = actions.record_intake(
        patient=cast.pat, document=example("example-physio"), by=cast.alice, now=NOW
    )
    return actions.generate_plan(episode=record.episode, by=cast.alice, now=NOW)


def plan_url(plan: PlanRecord) -> str:
    return reverse("clinic_care:plan", kwargs={"plan_id": plan.pk})


def change_url(plan: PlanRecord) -> str:
    return reverse("clinic_care:override", kwargs={"plan_id": plan.pk})


def swap_data(plan: PlanRecord, index: int, exercise_id: str, reason: str) -> dict[str, str]:
    prefix = f"item{index}-swap"
    return {
        "change": f"swap-{index}",
        f"{prefix}-exercise": plan.plan["home_programme"][index]["exercise_id"],
        f"{prefix}-exercise_id": exercise_id,
        f"{prefix}-reason": reason,
    }


def dose_data(plan: PlanRecord, index: int, reason: str, **changes: Any) -> dict[str, Any]:
    item = plan.plan["home_programme"][index]
    prefix = f"item{index}-dose"
    data = {
        "change": f"dose-{index}",
        f"{prefix}-exercise": item["exercise_id"],
        f"{prefix}-reason": reason,
    }
    for name in ("sets", "reps", "hold_seconds", "rest_seconds", "times_a_day", "days_a_week"):
        data[f"{prefix}-{name}"] = changes.get(name, item["dose"][name])
    return data


@pytest.fixture
def draft(cast: Cast) -> PlanRecord:
    return draft_plan(cast)


def test_the_plan_page_shows_each_exercise_with_its_why(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    response = client.get(plan_url(draft))
    assert response.status_code == 200
    page = response.content.decode()
    for item in draft.plan["home_programme"]:
        assert item["name"] in page
        for why in item["why"]:
            assert why.split("(")[0].strip()[:30] in page.replace("&#x27;", "'")
    assert "Publish this plan" in page
    assert page.count("<h1") == 1


def test_the_swap_list_offers_only_suitable_alternatives(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    page = client.get(plan_url(draft)).content.decode()
    assert 'value="bird-dog"' in page
    assert f'value="{UNSUITABLE}"' not in page


def test_swapping_for_a_suitable_alternative_is_recorded_with_its_reason(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    before = draft.plan["home_programme"][0]["exercise_id"]
    response = client.post(change_url(draft), swap_data(draft, 0, "bird-dog", "Prefers floor work"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.plan["home_programme"][0]["exercise_id"] == "bird-dog"
    override = PlanOverride.objects.get(plan=draft)
    assert (override.path, override.before, override.after) == (
        "home_programme[0].exercise_id",
        before,
        "bird-dog",
    )
    assert override.reason == "Prefers floor work"
    assert override.by == cast.alice
    entry = AuditEntry.objects.filter(object_type="planrecord", action="update").latest("id")
    assert entry.detail["path"] == "home_programme[0].exercise_id"
    page = client.get(plan_url(draft)).content.decode()
    assert "Prefers floor work" in page  # the overrides history


def test_an_unsuitable_exercise_is_refused_with_the_reason(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    response = client.post(change_url(draft), swap_data(draft, 0, UNSUITABLE, "Try it"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "is not suitable for this patient" in page
    assert "symptoms spread with bending forward" in page
    assert f'value="{UNSUITABLE}" selected' in page  # the choice is kept
    assert "Try it" in page
    draft.refresh_from_db()
    assert not PlanOverride.objects.filter(plan=draft).exists()
    assert UNSUITABLE not in {i["exercise_id"] for i in draft.plan["home_programme"]}


def test_a_change_without_a_reason_is_refused_and_the_typed_values_are_kept(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    response = client.post(change_url(draft), dose_data(draft, 0, "", reps=12))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give a reason for the change" in page
    assert 'name="item0-dose-reps" value="12"' in page
    assert not PlanOverride.objects.exists()


def test_a_dose_out_of_range_is_refused_beside_the_field_and_nothing_changes(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    original = draft.plan["home_programme"][0]["dose"]
    response = client.post(change_url(draft), dose_data(draft, 0, "More work", sets=3, reps=99))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_item0-dose-reps-error"' in page
    assert "99 is not allowed" in page
    assert 'name="item0-dose-reps" value="99"' in page
    draft.refresh_from_db()
    assert draft.plan["home_programme"][0]["dose"] == original  # sets not changed either
    assert not PlanOverride.objects.exists()


def test_changing_the_dose_records_one_override_per_number(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    response = client.post(
        change_url(draft), dose_data(draft, 1, "Tolerating more", sets=2, reps=10)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.plan["home_programme"][1]["dose"]["sets"] == 2
    assert draft.plan["home_programme"][1]["dose"]["reps"] == 10
    paths = sorted(PlanOverride.objects.values_list("path", flat=True))
    assert paths == ["home_programme[1].dose.reps", "home_programme[1].dose.sets"]


def test_changing_the_level_and_the_sessions_a_week(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    client.force_login(cast.alice)
    item = draft.plan["home_programme"][0]
    response = client.post(
        change_url(draft),
        {"change": "level-0", "item0-level-exercise": item["exercise_id"],
         "item0-level-level": "2", "item0-level-reason": "Moving well"},
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        change_url(draft),
        {"change": "sessions", "course-sessions_per_week": "1", "course-reason": "Cost"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.plan["home_programme"][0]["level"] == 2
    assert draft.plan["course"]["sessions_per_week"] == 1
    response = client.post(
        change_url(draft),
        {"change": "sessions", "course-sessions_per_week": "9", "course-reason": "Keen"},
    )
    page = response.content.decode()
    assert "9 is not allowed" in page and "0 to 7" in page
    assert 'value="9"' in page


def test_publishing_supersedes_the_plan_before_and_the_patient_sees_it(
    client: Client, cast: Cast
) -> None:
    first = published_plan(cast.pat, cast.alice)
    client.force_login(cast.alice)
    response = client.post(reverse("clinic_care:generate_plan", kwargs={"patient_id": cast.pat.pk}))
    second = PlanRecord.objects.get(episode=first.episode, status="draft")
    assert response.status_code == 302
    assert response["Location"] == plan_url(second)
    response = client.post(reverse("clinic_care:publish", kwargs={"plan_id": second.pk}))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "published")
    assert PlanRecord.objects.for_user(cast.pat.user).published().get() == second
    page = client.get(plan_url(second)).content.decode()
    assert "Publish this plan" not in page
    assert "Make a new draft" in page
    assert 'name="change"' not in page  # read-only


def test_a_published_plan_cannot_be_changed(client: Client, cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    client.force_login(cast.alice)
    response = client.post(change_url(plan), swap_data(plan, 0, "bird-dog", "Why not"))
    assert response.status_code == 302
    assert not PlanOverride.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("pat", 403), ("quinn", 403)],
)
def test_who_may_open_the_plan_page(
    client: Client, cast: Cast, draft: PlanRecord, who: str, status: int
) -> None:
    client.force_login(getattr(cast, who) if who in ("alice", "carol", "bob") else
                       getattr(cast, who).user)  # fmt: skip
    assert client.get(plan_url(draft)).status_code == status
    post = client.post(change_url(draft), swap_data(draft, 0, "bird-dog", "x"))
    assert post.status_code == (302 if status == 200 else status)
    publish = client.post(reverse("clinic_care:publish", kwargs={"plan_id": draft.pk}))
    assert publish.status_code == (302 if status == 200 else status)


def test_anonymous_people_are_sent_to_sign_in(
    client: Client, cast: Cast, draft: PlanRecord
) -> None:
    for url in (plan_url(draft), change_url(draft)):
        response = client.get(url) if url == plan_url(draft) else client.post(url, {})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_reading_the_plan_is_audited(client: Client, cast: Cast, draft: PlanRecord) -> None:
    client.force_login(cast.carol)
    client.get(plan_url(draft))
    entry = AuditEntry.objects.filter(action="read").latest("id")
    assert (entry.who, entry.object_type, entry.object_id) == (
        cast.carol,
        "planrecord",
        str(draft.pk),
    )
    assert entry.patient_id == cast.pat.pk


def test_the_plan_page_uses_the_same_queries_however_many_changes(
    client: Client, cast: Cast, draft: PlanRecord, django_assert_num_queries: Any
) -> None:
    client.force_login(cast.alice)
    client.get(plan_url(draft))  # warm caches (content, session)
    with django_assert_num_queries(5) as few:
        client.get(plan_url(draft))
    for index, days in enumerate((3, 4, 5, 6)):
        actions.override_plan(plan=draft, by=cast.alice, path=f"home_programme[{index}].dose.days_a_week",
                              value=days, reason=f"change {index}", now=NOW)  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(plan_url(draft))


def test_a_blocked_plan_says_why_and_offers_no_exercises(client: Client, cast: Cast) -> None:
    record = actions.record_intake(
        patient=cast.pat, document=example("example-emergency-cauda-equina"), by=cast.alice,
        now=NOW,
    )  # fmt: skip
    plan = actions.generate_plan(episode=record.episode, by=cast.alice, now=NOW)
    client.force_login(cast.alice)
    response = client.get(plan_url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "the patient needs a doctor first" in page
    assert 'name="change"' not in page


def test_a_draft_needs_an_open_episode(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)
    response = client.post(
        reverse("clinic_care:generate_plan", kwargs={"patient_id": cast.pat.pk}), follow=True
    )
    assert "no open episode of care" in response.content.decode()
    assert not PlanRecord.objects.exists()
