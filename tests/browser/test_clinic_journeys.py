"""The clinician's and the clinic administrator's journeys in a real browser, on a phone and a
desktop (issue 5, clinician journeys 1-5): caseload -> patient page -> plan review (change a
level with a reason) -> publish, and the patient then sees the plan; the session note of a
visit; reassess -> compare with baseline -> discharge; the administrator's pages, and adding a
clinician who then signs in. axe-core on every page. (Inviting a patient, with the one-time
link, is in test_patient_journeys.py, where the patient then uses the link.)
"""

from __future__ import annotations

import re
from typing import Any

from browser.cast import PASSWORD, assessed, make_cast, published
from browser.helpers import CALM, CLINICIAN_GUIDE, answer, check_a11y, login, screenshot
from playwright.sync_api import Page, expect
from web.factories import example

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import (
    AssessmentRecord,
    Episode,
    PlanOverride,
    PlanRecord,
    SessionNote,
    Visit,
)
from backcare.portal.progress_forms import RED_FLAG_QUESTIONS

NEW_STAFF_PASSWORD = "a quiet walk by the river"  # passes Django's password validators


def test_a_clinician_reviews_changes_and_publishes_a_plan_that_the_patient_then_sees(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    cast = make_cast()
    draft = assessed(cast)
    login(page, server, "alice", PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    check_a11y(page)
    screenshot(page, "clinic-caseload", only=CLINICIAN_GUIDE)
    caseload = page.get_by_role("table")
    caseload.get_by_role("link", name=re.compile("Pat")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pat")
    expect(page.get_by_role("region", name=re.compile("^Assessment"))).to_be_visible()
    check_a11y(page)
    screenshot(page, "clinic-patient", only=CLINICIAN_GUIDE)
    page.get_by_role("link", name="Review, edit and publish this draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Plan version \d+ for .*Pat")
    )
    check_a11y(page)
    screenshot(page, "clinic-plan-review", only=CLINICIAN_GUIDE)

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
    screenshot(page, "clinic-session-note", only=CLINICIAN_GUIDE)

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
    screenshot(page, "clinic-admin", only=CLINICIAN_GUIDE)

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
    page.get_by_role("region", name="Audit entries").evaluate("(r) => r.scrollIntoView()")
    screenshot(page, "clinic-admin-audit", only=CLINICIAN_GUIDE)


def test_a_clinician_reassesses_compares_with_baseline_and_discharges_the_patient(
    page: Page, server: str
) -> None:
    cast = make_cast()
    published(cast)  # example-physio's baseline: NPRS 6
    login(page, server, "alice", PASSWORD)
    page.goto(f"{server}/clinic/patients/{cast.pat.pk}/")

    # Reassess: the instruments the intake had, then the red-flag questions.
    page.get_by_role("link", name="Reassess", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Reassess .*Pat"))
    check_a11y(page)
    screenshot(page, "clinic-reassess", only=CLINICIAN_GUIDE)
    nprs = page.get_by_role("group", name=re.compile(r"NPRS|Numeric", re.IGNORECASE))
    nprs.get_by_role("spinbutton").fill("2")
    odi = page.get_by_role("group", name=re.compile(r"Oswestry|ODI"))
    sections = odi.get_by_role("combobox")
    for index in range(sections.count()):
        sections.nth(index).select_option("1")  # "1: ..." in every section: 10 of 50, 20 %
    for question in RED_FLAG_QUESTIONS:
        answer(page, question, CALM[question.name])
    page.get_by_role("button", name="Save and compare with baseline").click()

    # The comparison: each score at baseline and now, and whether the change matters.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Pat .*compared with baseline")
    )
    nprs_row = page.get_by_role("row").filter(has_text="NPRS").first
    expect(nprs_row).to_contain_text("6")
    expect(nprs_row).to_contain_text("Improved")
    check_a11y(page)
    screenshot(page, "clinic-compare", only=CLINICIAN_GUIDE)
    assert AssessmentRecord.objects.filter(kind="reassessment", episode__patient=cast.pat).exists()

    # Discharge: the outcome, the maintenance programme and the flare-up plan; confirm first.
    page.get_by_role("link", name="Discharge", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Discharge .*Pat"))
    expect(page.get_by_role("region", name="Maintenance programme")).to_be_visible()
    expect(page.get_by_role("region", name="Flare-up plan")).to_be_visible()
    check_a11y(page)
    page.get_by_role("region", name="Maintenance programme").evaluate("(s) => s.scrollIntoView()")
    screenshot(page, "clinic-discharge", only=CLINICIAN_GUIDE)
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Tick the box to confirm the discharge.")
    check_a11y(page)
    page.get_by_label(
        "I have agreed the discharge with the patient and explained the flare-up plan"
    ).check()
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_text(re.compile(r"Discharged on \d+"))).to_be_visible()
    check_a11y(page)
    assert Episode.objects.get(patient=cast.pat).status == Episode.Status.DISCHARGED


def test_after_discharge_the_patient_signs_in_to_today_with_the_maintenance_programme(
    page: Page, server: str
) -> None:
    cast = make_cast()
    plan = published(cast)
    actions.discharge_episode(episode=plan.episode, by=cast.alice)
    login(page, server, cast.pat_username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/me/$"), timeout=2_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("main").get_by_role("article").first).to_be_visible(timeout=2_000)
    check_a11y(page)


def test_after_the_intake_at_home_the_clinician_makes_the_first_draft_plan(
    page: Page, server: str
) -> None:
    cast = make_cast()
    actions.record_intake(
        patient=cast.pat, document=example("example-physio"), by=cast.pat.user
    )  # what the intake's "Send my answers to my clinic" does
    login(page, server, "alice", PASSWORD)
    page.goto(f"{server}/clinic/patients/{cast.pat.pk}/")
    plans = page.get_by_role("region", name="Plan", exact=True)
    plans.get_by_role("button", name=re.compile("draft", re.IGNORECASE)).click(timeout=2_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Plan version 1 for"))


def test_the_clinic_administrator_adds_a_clinician_who_can_then_sign_in(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    cast = make_cast()
    login(page, server, "carol", PASSWORD)
    page.get_by_role("navigation", name="Clinic administration").get_by_role(
        "link", name="Clinicians", exact=True
    ).click()
    page.get_by_role("link", name="Add a clinician").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a clinician")
    check_a11y(page)

    page.get_by_label("User name", exact=True).fill("dana")
    page.get_by_label("First name", exact=True).fill("Dana")
    page.get_by_label("Last name", exact=True).fill("Okafor")
    page.get_by_label("Email address", exact=True).fill("dana@example.org")
    page.get_by_role("group", name="Role").get_by_label(re.compile("^Clinician:")).check()
    page.get_by_label("Password (optional)", exact=True).fill(NEW_STAFF_PASSWORD)
    page.evaluate("window.scrollTo(0, 0)")  # the top of the form, for the picture
    screenshot(page, "clinic-admin-add-staff", only=CLINICIAN_GUIDE)

    # A user name already taken is refused beside the box; the rest of what was typed stays
    # (except the password, which is never sent back).
    page.get_by_label("User name", exact=True).fill("alice")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label("First name", exact=True)).to_have_value("Dana")
    expect(page.get_by_label("Email address", exact=True)).to_have_value("dana@example.org")
    check_a11y(page)
    page.get_by_label("User name", exact=True).fill("dana")
    page.get_by_label("Password (optional)", exact=True).fill(NEW_STAFF_PASSWORD)
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Clinicians and administrators")
    expect(page.get_by_role("heading", name="Dana Okafor")).to_be_visible()
    check_a11y(page)
    screenshot(page, "clinic-admin-staff", only=CLINICIAN_GUIDE)
    dana = User.objects.get(username="dana")
    assert (dana.role, dana.clinic_id) == (User.Role.CLINICIAN, cast.riverside.pk)

    # Dana signs in with the first password and lands on the caseload.
    staff = new_context(**context_args).new_page()
    login(staff, server, "dana", NEW_STAFF_PASSWORD)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Caseload")
