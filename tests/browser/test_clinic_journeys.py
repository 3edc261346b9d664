"""The clinician's journeys in a real browser, on a phone and a desktop (issue 5, clinician
journeys 1-4): caseload -> patient page -> plan review (change a level with a reason) -> publish,
and the patient then sees the plan; and the session note of a visit. axe-core on every page.
"""

from __future__ import annotations

import re
from typing import Any

from browser.cast import PASSWORD, assessed, make_cast, published
from browser.helpers import CALM, answer, check_a11y, login, screenshot
from playwright.sync_api import Page, expect

from backcare.care.models import PlanOverride, PlanRecord, SessionNote, Visit
from backcare.portal.progress_forms import RED_FLAG_QUESTIONS


def test_a_clinician_reviews_changes_and_publishes_a_plan_that_the_patient_then_sees(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    cast = make_cast()
    draft = assessed(cast)
    login(page, server, "alice", PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    check_a11y(page)
    screenshot(page, "clinic-caseload")
    caseload = page.get_by_role("table")
    caseload.get_by_role("link", name=re.compile("Pat")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pat")
    expect(page.get_by_role("region", name=re.compile("^Assessment"))).to_be_visible()
    check_a11y(page)
    screenshot(page, "clinic-patient")
    page.get_by_role("link", name="Review, edit and publish this draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Plan version \d+ for .*Pat")
    )
    check_a11y(page)
    screenshot(page, "clinic-plan-review")

    # Change the first exercise's level, with a reason (a reason is required: try without).
    first = page.get_by_role("region", name="Home programme").get_by_role("listitem").first
    first.get_by_text("Change the level", exact=True).click()
    # (get_by_role finds only what is shown: the open <details>, not the closed ones.)
    level = first.get_by_role("combobox", name="Level", exact=True)
    options = level.locator("option").all_inner_texts()
    assert len(options) >= 2, "the first exercise should have more than one level"
    current = PlanRecord.objects.get(pk=draft.pk).plan["home_programme"][0]["level"]
    new_level = next(o for o in options if o.strip() and o.strip() != str(current))
    level.select_option(new_level)
    first.get_by_role("button", name="Change level").click()
    expect(page.get_by_role("alert")).to_be_visible()
    first = page.get_by_role("region", name="Home programme").get_by_role("listitem").first
    expect(first.get_by_role("combobox", name="Level", exact=True)).to_have_value(new_level)
    check_a11y(page)
    first.get_by_role("textbox", name="Reason for the change").fill(
        "Managing stairs well; progress the load."
    )
    first.get_by_role("button", name="Change level").click()
    first = page.get_by_role("region", name="Home programme").get_by_role("listitem").first
    expect(first.get_by_role("heading").first).to_contain_text(f"level {new_level} of")
    override = PlanOverride.objects.get(plan_id=draft.pk)
    assert override.reason == "Managing stairs well; progress the load."

    page.get_by_role("button", name="Publish this plan").click()
    expect(page.get_by_text("This plan is published: the patient sees it.")).to_be_visible()
    check_a11y(page)
    assert PlanRecord.objects.get(pk=draft.pk).status == PlanRecord.Status.PUBLISHED

    # The patient now has a home programme on Today.
    patient = new_context(**context_args).new_page()
    login(patient, server, cast.pat_username, PASSWORD)
    expect(patient.get_by_role("heading", level=1)).to_have_text("Today")
    expect(patient.get_by_role("heading", name="Today's exercises")).to_be_visible()
    expect(patient.get_by_role("main").get_by_role("article").first).to_be_attached()


def test_a_clinician_writes_the_session_note_of_a_visit(page: Page, server: str) -> None:
    cast = make_cast()
    plan = published(cast)
    assert Visit.objects.filter(plan_id=plan.pk).exists(), "publishing books the plan's visits"
    login(page, server, "alice", PASSWORD)

    page.goto(f"{server}/clinic/patients/{cast.pat.pk}/")
    page.get_by_role("link", name="Write the session note").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session note")
    found = re.search(r"/clinic/visits/(\d+)/note/$", page.url)
    assert found is not None, page.url
    visit = Visit.objects.get(pk=int(found.group(1)), plan_id=plan.pk)
    check_a11y(page)
    screenshot(page, "clinic-session-note")

    page.get_by_label("Subjective", exact=True).fill("Walking further; pain 3/10 in the evenings.")
    page.get_by_label("Objective", exact=True).fill("Flexion to mid-shin, no leg signs.")
    page.get_by_label("Assessment", exact=True).fill("Improving as expected.")
    page.get_by_label("Plan changes", exact=True).fill("Keep the home programme.")
    page.get_by_label("Exercise therapy", exact=True).check()
    page.get_by_label("Exercise therapy: parameters").fill("Bridges 2 x 10, supervised")
    page.get_by_label("Exercise therapy: response").fill("No pain increase")
    for question in RED_FLAG_QUESTIONS:
        answer(page, question, CALM[question.name])
    page.get_by_role("button", name="Save the note").click()

    expect(page.get_by_role("status").filter(has_text="Session note saved.")).to_be_visible()
    expect(page.get_by_text("Nothing in the re-screen needs a doctor.")).to_be_visible()
    check_a11y(page)
    note = SessionNote.objects.get(visit=visit)
    assert note.subjective == "Walking further; pain 3/10 in the evenings."
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.ATTENDED


def test_the_clinic_administrator_sees_staff_details_wording_and_the_audit_trail(
    page: Page, server: str
) -> None:
    cast = make_cast()
    published(cast)  # some health-data activity for the audit trail
    login(page, server, "carol", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside: clinic administration")
    check_a11y(page)
    screenshot(page, "clinic-admin")

    admin_nav = page.get_by_role("navigation", name="Clinic administration")
    for link, heading in [
        ("Clinic details", None),
        ("Clinicians", "Clinicians and administrators"),
        ("Questionnaire wording", None),
        ("Audit trail", "Audit trail"),
    ]:
        admin_nav.get_by_role("link", name=link, exact=True).click()
        expect(admin_nav.get_by_role("link", name=link, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(page)

    # The audit trail lists who did what: Alice published Pat's plan.
    entries = page.get_by_role("region", name="Audit entries").get_by_role("table")
    published_row = entries.get_by_role("row").filter(has_text="published")
    expect(published_row.first).to_contain_text("Alice")
    expect(published_row.first).to_contain_text("Pat Jones")
    screenshot(page, "clinic-admin-audit")
