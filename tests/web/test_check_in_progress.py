"""The weekly check-in (patient journey 4) and the progress page (journey 5).

Pat is assessed with docs/examples/example-physio.json on NOW (NPRS 6, ODI 2.1a 15 of 45 =
33.3 %, PSFS 3, 4 and 2 = mean 3) and has a published plan. The pages' clock is moved with the
``clock`` fixture, so "one week in" is NOW + 7 days.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from web.factories import NO_RED_FLAGS, NOW, Cast, invited, published_plan

from backcare.care import actions
from backcare.care.models import AuditEntry, CheckIn, PlanRecord
from backcare.engine.scoring import Instrument
from backcare.portal import progress_views
from backcare.portal.progress_forms import RED_FLAG_QUESTIONS, disability_due
from backcare.portal.progress_views import important_level

CHECK_IN = reverse("progress:check_in")
PROGRESS = reverse("progress:progress")
DAY = dt.timedelta(days=1)
ODI_ALL_ONES = {f"odi_{n}": "1" for n in range(1, 11)}  # 10 of 50 = 20 %


@pytest.fixture
def plan(cast: Cast) -> PlanRecord:
    record: PlanRecord = published_plan(cast.pat, cast.alice)
    return record


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], dt.datetime]:
    """Set the pages' clock to NOW + ``days`` days; returns that moment."""

    def move(days: int) -> dt.datetime:
        moment = NOW + days * DAY
        monkeypatch.setattr(progress_views, "now", lambda: moment)
        return moment

    move(0)
    return move


def answers(**changes: str) -> dict[str, str]:
    """A complete check-in: pain 4, activities 5, 6 and 4, every red flag answered no."""
    data = {"nprs": "4", "psfs_0": "5", "psfs_1": "6", "psfs_2": "4"}
    for q in RED_FLAG_QUESTIONS:
        data[q.name] = next(a.value for a in q.answers if a.value in ("no", "none", "normal"))
    data.update(changes)
    return data


def check_in_on(client: Any, days: int, clock: Callable[[int], dt.datetime], **data: str) -> Any:
    clock(days)
    return client.post(CHECK_IN, answers(**data))


# --- when the disability questionnaire is due ------------------------------------------------


def test_the_disability_questionnaire_is_due_every_two_weeks_from_the_episode_start() -> None:
    opened = dt.date(2026, 11, 27)
    assert not disability_due(opened, opened + 7 * DAY, None)  # one week in: not yet
    assert not disability_due(opened, opened + 13 * DAY, None)
    assert disability_due(opened, opened + 14 * DAY, None)  # two weeks in
    assert not disability_due(opened, opened + 21 * DAY, opened + 14 * DAY)  # asked this block
    assert disability_due(opened, opened + 28 * DAY, opened + 14 * DAY)
    # A missed week does not push it back: three weeks in, never asked since the start.
    assert disability_due(opened, opened + 21 * DAY, None)


def test_odi_is_asked_in_week_two_but_not_in_week_one(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    clock(7)
    week_one = client.get(CHECK_IN)
    assert week_one.status_code == 200
    assert 'name="odi_1"' not in week_one.content.decode()
    assert check_in_on(client, 7, clock).status_code == 302
    assert CheckIn.objects.get().odi is None

    clock(14)
    week_two = client.get(CHECK_IN).content.decode()
    assert 'name="odi_1"' in week_two and 'name="odi_10"' in week_two
    # Our own labelled summaries, as the clinic has no licensed wording.
    assert "short summary written by backcare" in week_two
    response = check_in_on(client, 14, clock, **ODI_ALL_ONES)
    assert response.status_code == 302
    latest = CheckIn.objects.latest("pk")
    assert latest.odi == {"variant": "2.1a", "answers": [1] * 10}
    # Asked once in the block: the week-three check-in does not ask it again.
    clock(21)
    assert 'name="odi_1"' not in client.get(CHECK_IN).content.decode()


# --- storing a check-in ----------------------------------------------------------------------


def test_a_check_in_stores_pain_activities_and_the_engines_triage(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    response = check_in_on(client, 7, clock)
    record = CheckIn.objects.get(patient=cast.pat)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "progress:check_in_done", kwargs={"check_in_id": record.pk}
    )
    assert record.day == dt.date(2026, 12, 4)
    assert record.nprs == 4
    assert record.psfs == [
        {"activity": "lifting my daughter", "score": 5},
        {"activity": "sitting through a meeting", "score": 6},
        {"activity": "gardening", "score": 4},
    ]
    assert record.odi is None and record.rmdq is None
    assert record.red_flag_screen["saddle_numbness"] is False
    assert record.red_flag_screen["bladder"] == "normal"
    assert record.triage_level in ("physio", "self_care")
    assert record.triage["level"] == record.triage_level
    assert PlanRecord.objects.get(pk=plan.pk).blocked_by is None
    assert AuditEntry.objects.filter(object_type="checkin", action="create").count() == 1

    done = client.get(response["Location"]).content.decode()
    assert "Thank you for checking in" in done
    assert "What changed since you started" in done  # the first check-in compares with the start
    assert re.search(r"<th scope=\"row\">Pain</th><td>4</td><td>6</td><td>down 2</td>", done)


def test_the_second_check_in_says_what_changed_since_last_week(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    check_in_on(client, 7, clock, nprs="4")
    response = check_in_on(client, 14, clock, nprs="3", **ODI_ALL_ONES)
    done = client.get(response["Location"]).content.decode()
    assert "What changed since last week" in done
    assert re.search(r"<th scope=\"row\">Pain</th><td>3</td><td>4</td><td>down 1</td>", done)
    # No ODI last week, so nothing to compare it with.
    assert re.search(r"Everyday life \(ODI\)</th><td>20 %</td><td>–</td>", done)


def test_new_saddle_numbness_leads_with_an_emergency_and_blocks_the_plan(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    response = check_in_on(client, 7, clock, saddle_numbness="yes")
    record = CheckIn.objects.get()
    assert record.triage_level == "emergency"
    assert PlanRecord.objects.get(pk=plan.pk).blocked_by_id == record.pk
    done = client.get(response["Location"]).content.decode()
    lead = re.search(r'<h1 class="result__action">(.*?)</h1>', done)
    assert lead is not None and lead.group(1) == "Get emergency help now"
    assert done.index("Get emergency help now") < done.index("Stop your home exercises")
    assert 'class="result result--emergency"' in done
    assert "Thank you for checking in" not in done


def test_not_sure_stays_unknown_and_is_listed(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    response = check_in_on(client, 7, clock, bladder="unsure")
    record = CheckIn.objects.get()
    assert "bladder" not in record.red_flag_screen  # unknown, never "no"
    assert "red_flag_screen.bladder" in record.triage["unanswered"]
    done = client.get(response["Location"]).content.decode()
    assert "Questions you were not sure about" in done
    assert "Has peeing changed since your back pain started?" in done


def test_bad_input_is_kept_with_messages_beside_the_fields(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    data = answers(nprs="eleven", psfs_1="12")
    del data["saddle_numbness"]
    data["bladder"] = "unsure"
    clock(7)
    response = client.post(CHECK_IN, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert not CheckIn.objects.exists()
    assert 'value="eleven"' in page and 'value="12"' in page  # what was typed is kept
    assert page.count("Enter a whole number from 0 to 10, like 4.") >= 2
    assert "Choose yes, no or I&#x27;m not sure." in page
    assert 'id="id_nprs-error"' in page and 'aria-invalid="true"' in page
    assert 'href="#id_nprs"' in page and 'href="#id_saddle_numbness"' in page  # error summary
    assert re.search(r'name="bladder" id="[^"]+" value="unsure" checked', page)  # answer kept
    assert page.startswith("<!DOCTYPE html>") and "<title>Error:" in page


def test_three_blank_odi_sections_are_refused(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    odi = {f"odi_{n}": "2" for n in range(1, 8)}  # sections 8, 9 and 10 left blank
    response = check_in_on(client, 14, clock, **odi)
    assert response.status_code == 200
    assert not CheckIn.objects.exists()
    page = response.content.decode()
    for blank in (8, 9, 10):
        assert re.search(rf'id="id_odi_{blank}-error">.*?Please answer this one\.', page)
    assert 'id="id_odi_7-error"' not in page
    # Two blank are scored (for review), as the engine allows.
    assert check_in_on(client, 14, clock, **odi, odi_10="1").status_code == 302
    assert CheckIn.objects.get().odi["answers"] == [2] * 7 + [None, None, 1]


def test_without_an_episode_the_check_in_page_says_what_to_do_first(
    client: Any, cast: Cast
) -> None:
    client.force_login(cast.pat.user)
    response = client.get(CHECK_IN)
    assert response.status_code == 200
    assert "once your clinic has your first answers" in response.content.decode()
    assert client.get(PROGRESS).status_code == 200


# --- the progress page -----------------------------------------------------------------------


def test_the_important_change_line_is_the_nearer_of_points_and_percent() -> None:
    assert important_level(Instrument.NPRS, 6, None) == pytest.approx(4.2)  # 30 % of 6 < 2
    assert important_level(Instrument.NPRS, 8, None) == pytest.approx(6)  # 2 points < 2.4
    assert important_level(Instrument.NPRS, 1, None) == pytest.approx(0.7)
    assert important_level(Instrument.ODI, 40, None) == pytest.approx(30)
    assert important_level(Instrument.PSFS, 3, None) == pytest.approx(5)  # higher is better
    assert important_level(Instrument.PSFS, 9, None) == pytest.approx(10)  # clamped


def _svg(page: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', page, re.S)
    assert match is not None, chart_id
    return ET.fromstring(match.group(0))


def test_progress_shows_pain_and_function_with_the_start_and_a_change_that_matters(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    check_in_on(client, 7, clock, nprs="5")
    check_in_on(client, 14, clock, nprs="3", **ODI_ALL_ONES)
    clock(15)
    page = client.get(PROGRESS).content.decode()

    # Pain 6 -> 3: down 3, past the line at 4.2.
    assert (
        "Your pain has come down by 3 points since you started, from 6 to 3: that is a change "
        "that matters." in page
    )
    pain = _svg(page, "chart-nprs")
    ns = "{http://www.w3.org/2000/svg}"
    assert pain.attrib["role"] == "img"
    assert pain.findtext(f"{ns}title") == "Pain"
    assert "from 6 to 3" in (pain.findtext(f"{ns}desc") or "")
    texts = [t.text for t in pain.iter(f"{ns}text")]
    assert "Start: 6" in texts and "A change that matters" in texts
    # ODI 33.3 % -> 20 %: down 13.3, past 10 points.
    assert "has come down from 33.3 % to 20 %: that is a change that matters" in page
    assert _svg(page, "chart-odi").findtext(f"{ns}title") == "Everyday life (ODI)"
    assert 'id="chart-rmdq"' not in page  # one disability questionnaire: the one asked
    # PSFS mean 3 -> 5 (5, 6, 4): up 2 points, the PSFS change that matters.
    assert "You rate your own activities 5 out of 10 now, up from 3" in page
    assert "Start: 3" in [t.text for t in _svg(page, "chart-psfs").iter(f"{ns}text")]
    # The numbers as a table too: start, week 1, week 2.
    table = re.search(r'id="chart-nprs-heading".*?<table>(.*?)</table>', page, re.S)
    assert table is not None
    assert re.findall(r"<td>([\d.]+)</td>", table.group(1)) == ["6", "5", "3"]


def test_progress_summarises_a_change_too_small_to_matter(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    check_in_on(client, 7, clock, nprs="5")
    clock(8)
    page = client.get(PROGRESS).content.decode()
    assert "Your pain was 6 when you started and is 5 now. That is not yet a change" in page


def test_adherence_is_the_share_of_each_full_weeks_sessions(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    first = plan.plan["home_programme"][0]
    prescribed = sum(
        i["dose"]["days_a_week"] * i["dose"]["times_a_day"] for i in plan.plan["home_programme"]
    )
    start = dt.date.fromisoformat(plan.plan["start"])
    for n in range(3):
        actions.log_exercise(
            patient=cast.pat,
            by=cast.pat.user,
            exercise_id=first["exercise_id"],
            done=True,
            day=start + n * DAY,
            now=NOW + 8 * DAY,
        )
    client.force_login(cast.pat.user)
    clock(8)
    page = client.get(PROGRESS).content.decode()
    percent = round(100 * 3 / prescribed)
    assert (
        f"In your last full week you did 3 of your {prescribed} home sessions ({percent} %)."
        in page
    )
    bars = _svg(page, "chart-adherence")
    assert bars.findtext("{http://www.w3.org/2000/svg}title") == "Home exercises"
    assert f"3 of {prescribed} ({percent} %)" in page


def test_visits_show_in_the_patients_own_time_zone(
    client: Any, cast: Cast, clock: Callable[[int], dt.datetime]
) -> None:
    # Riverside books visits at 09:00 London time; this patient lives in New York.
    traveller = invited(cast.alice, "ny@example.org", "America/New_York")
    plan = published_plan(traveller, cast.alice)
    first_visit = dt.date.fromisoformat(plan.plan["course"]["visits"][0])
    client.force_login(traveller.user)
    clock(-1)
    page = client.get(PROGRESS).content.decode()
    assert "Times are in your time zone (America/New_York)." in page
    assert f"{first_visit:%A} {first_visit.day} {first_visit:%B %Y}, 04:00" in page
    assert "No past visits yet." in page
    # Each booked visit can be added to the patient's own calendar.
    from backcare.care.models import Visit

    for visit in Visit.objects.filter(episode__patient=traveller, status="planned"):
        assert f'href="/calendar/visits/{visit.pk}.ics"' in page


def test_the_progress_page_takes_the_same_queries_for_1_or_10_check_ins(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    exercise = plan.plan["home_programme"][0]["exercise_id"]
    start = dt.date.fromisoformat(plan.plan["start"])

    def add(days: int) -> None:
        actions.record_check_in(
            patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=5,
            day=start + days * DAY, now=NOW + 70 * DAY,
        )  # fmt: skip
        actions.log_exercise(
            patient=cast.pat, by=cast.pat.user, exercise_id=exercise, done=True,
            day=start + days * DAY, now=NOW + 70 * DAY,
        )  # fmt: skip

    clock(70)
    add(7)
    client.get(PROGRESS)  # warm caches (content, questionnaires)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PROGRESS).status_code == 200
    for week in range(2, 11):
        add(7 * week)
    with CaptureQueriesContext(connection) as many:
        page = client.get(PROGRESS)
    assert page.status_code == 200
    assert len(many) == len(few) <= 12
    assert AuditEntry.objects.filter(action="read", object_type="episode").count() == 3


def test_each_page_view_writes_one_read_audit_entry(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    client.force_login(cast.pat.user)
    response = check_in_on(client, 7, clock)
    before = AuditEntry.objects.filter(action="read").count()
    client.get(response["Location"])
    client.get(PROGRESS)
    client.get(CHECK_IN)
    reads = AuditEntry.objects.filter(action="read").order_by("pk")
    assert reads.count() == before + 3
    assert [(r.object_type, r.patient_id) for r in reads[before:]] == [
        ("checkin", cast.pat.pk),
        ("episode", cast.pat.pk),
        ("episode", cast.pat.pk),
    ]


# --- who may see what ------------------------------------------------------------------------


def test_only_the_patient_may_use_these_pages(
    client: Any, cast: Cast, plan: PlanRecord, clock: Callable[[int], dt.datetime]
) -> None:
    check_in_on(client.__class__(), 7, clock)  # anonymous: refused, nothing stored
    assert not CheckIn.objects.exists()
    client.force_login(cast.pat.user)
    response = check_in_on(client, 7, clock)
    done = response["Location"]
    client.logout()

    for url in (CHECK_IN, PROGRESS, done):
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("accounts:login"))
    for staff in (cast.alice, cast.carol, cast.bob):
        client.force_login(staff)
        for url in (CHECK_IN, PROGRESS, done):
            assert client.get(url).status_code == 403, (staff.username, url)
        assert client.post(CHECK_IN, answers()).status_code == 403
    client.force_login(cast.quinn.user)
    assert client.get(done).status_code == 404  # another patient's check-in
    assert client.get(PROGRESS).status_code == 200  # Quinn's own (empty) progress
    client.force_login(cast.pat.user)
    for url in (CHECK_IN, PROGRESS, done):
        assert client.get(url).status_code == 200
    assert CheckIn.objects.count() == 1
