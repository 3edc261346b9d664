"""Signing in, the invitation and the patient's own pages in a real browser, on a phone and a
desktop (issue 5, patient journeys 2-6): the whole intake to the done page, and stopping it to
carry on later; Today (log an exercise in place with htmx, and the same without JavaScript; the
next morning's "did the pain settle?"); my exercises and one exercise; the flare-up plan; the
weekly check-in, calm or with a red flag that puts the exercises on hold; and progress.
axe-core runs on every page.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from browser.cast import PASSWORD, make_cast, published
from browser.helpers import (
    CALM,
    CLINICIAN_GUIDE,
    PATIENT_GUIDE,
    answer,
    check_a11y,
    login,
    screenshot,
)
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from web.factories import NO_RED_FLAGS
from web.intake_walk import WALK

from backcare.care import actions
from backcare.care.models import AssessmentRecord, CheckIn, ExerciseLog
from backcare.portal.forms import QUESTION_BY_PATH
from backcare.portal.intake_forms import StepContext
from backcare.portal.intake_steps import STEPS, Step
from backcare.portal.progress_forms import RED_FLAG_QUESTIONS

# Check-in answers that need a doctor before more exercise: fever with feeling unwell (the
# engine's red-flag rules in triage.py; clinical-facts §2.2 give "soon" for these two alone),
# and the headline the page leads with for that level.
RED_FLAG_ANSWERS = {"fever_or_chills": "yes", "systemically_unwell": "yes"}
SOON_ACTION = "See a doctor soon"

# The intake as a person answers it, step by step (the answers of
# docs/examples/example-physio.json; empty values are left out, as a person may).
INTAKE_ANSWERS = WALK


def test_signing_in_takes_each_person_to_their_start_page(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    cast = make_cast()

    page.goto(server + "/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_a11y(page)
    screenshot(page, "sign-in")
    # A wrong password is refused in plain words, and the user name typed is kept.
    page.get_by_label("Email address or user name", exact=True).fill(cast.pat_username)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Email address or user name", exact=True)).to_have_value(
        cast.pat_username
    )
    check_a11y(page)

    # A patient who has not told the clinic about their back yet starts with the intake.
    login(page, server, cast.pat_username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/intake/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell your clinic about your back")
    check_a11y(page)

    # A clinician starts at the caseload, the clinic administrator at the clinic's settings.
    for username, url, heading in [
        ("alice", r"/clinic/$", "Caseload"),
        ("carol", r"/clinic/admin/$", "Riverside: clinic administration"),
    ]:
        staff = new_context(**context_args).new_page()
        login(staff, server, username, PASSWORD)
        expect(staff).to_have_url(re.compile(url))
        expect(staff.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(staff)


def first_card(page: Page) -> Locator:
    """The first exercise card of Today (an article named by its exercise)."""
    card = page.get_by_role("main").get_by_role("article").first
    expect(card).to_be_visible()
    return card


def log_session(card: Locator, *, pain: str, difficulty: str) -> None:
    card.get_by_role("group", name="Did you do it?").get_by_label("Yes", exact=True).check()
    card.get_by_label("Pain during the exercise, from 0 to 10").fill(pain)
    card.get_by_role("group", name="How hard was it?").get_by_label(difficulty).check()
    card.get_by_role("button", name="Save").click()


def test_a_patient_marks_an_exercise_done_in_place_and_without_javascript(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any], tmp_path: Path
) -> None:
    cast = make_cast()
    published(cast)
    login(page, server, cast.pat_username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    check_a11y(page)
    screenshot(page, "today", only=PATIENT_GUIDE)

    # With JavaScript: htmx swaps the card in place; the page does not reload.
    card = first_card(page)
    name = card.get_by_role("heading").first.inner_text()
    page.evaluate("window.__not_reloaded = true")
    log_session(card, pain="3", difficulty="About right")
    card = page.get_by_role("article", name=name)
    expect(card.get_by_role("status")).to_have_text("Saved. Thank you.")
    expect(card).to_contain_text("pain 3 out of 10")
    assert page.evaluate("window.__not_reloaded === true"), "the page reloaded"
    check_a11y(page)
    screenshot(page, "today-logged", only=PATIENT_GUIDE)

    # A wrong number is refused beside the field and what was typed is kept.
    card.get_by_role("group", name="Did you do it?").get_by_label("Yes", exact=True).check()
    card.get_by_label("Pain during the exercise, from 0 to 10").fill("12")
    card.get_by_role("button", name="Save").click()
    card = page.get_by_role("article", name=name)
    expect(card).to_contain_text("Enter a whole number from 0 to 10.")
    expect(card.get_by_label("Pain during the exercise, from 0 to 10")).to_have_value("12")
    check_a11y(page)

    # Without JavaScript, signed in as the same person: a plain POST, then the page again.
    state = tmp_path / "pat.json"
    page.context.storage_state(path=str(state))
    plain = new_context(**context_args, java_script_enabled=False, storage_state=str(state))
    plain_page = plain.new_page()
    plain_page.goto(server + "/me/")
    plain_card = plain_page.get_by_role("article", name=name)
    log_session(plain_card, pain="5", difficulty="Hard")
    expect(plain_page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(plain_page.get_by_role("article", name=name)).to_contain_text("pain 5 out of 10")

    logs = ExerciseLog.objects.filter(patient=cast.pat).order_by("id")
    assert [(log.done, log.pain_during, log.difficulty) for log in logs] == [
        (True, 3, "right"),
        (True, 5, "hard"),
    ]


def test_a_patient_sends_the_weekly_check_in_and_sees_their_progress(
    page: Page, server: str
) -> None:
    cast = make_cast()
    published(cast)
    login(page, server, cast.pat_username, PASSWORD)

    page.goto(server + "/me/check-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly check-in")
    check_a11y(page)
    screenshot(page, "check-in", only=PATIENT_GUIDE)

    # Sent with nothing filled in: every problem is named, in a summary and beside the field.
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    check_a11y(page)

    pain = page.get_by_label("How bad is your back pain right now?")
    pain.fill("4")
    activities = page.get_by_role("region", name="Your activities").get_by_role("textbox")
    for index in range(activities.count()):
        activities.nth(index).fill("6")
    for question in RED_FLAG_QUESTIONS:
        answer(page, question, CALM[question.name])
    page.get_by_role("button", name="Send my check-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for checking in")
    check_a11y(page)
    screenshot(page, "check-in-done", only=PATIENT_GUIDE)
    check_in = CheckIn.objects.get(patient=cast.pat)
    assert check_in.nprs == 4

    page.get_by_role("link", name="See your progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    # The pain chart: an SVG named by its title, drawn big enough to read.
    chart = page.get_by_role("main").get_by_role("img", name=re.compile(r"^Pain\b")).first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    check_a11y(page)
    page.get_by_role("heading", name="Pain", exact=True).evaluate("(h) => h.scrollIntoView()")
    screenshot(page, "progress", only=PATIENT_GUIDE)


def test_an_invited_patient_sets_a_password_and_starts_the_intake(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    make_cast()
    # Alice invites Sam, and is shown the one-time link once.
    login(page, server, "alice", PASSWORD)
    page.get_by_role("link", name="Invite a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite a patient")
    check_a11y(page)
    screenshot(page, "clinic-invite", only=CLINICIAN_GUIDE)
    page.get_by_label("First name", exact=True).fill("Sam")
    page.get_by_label("Last name", exact=True).fill("Lee")
    page.get_by_label("Email address", exact=True).fill("sam@example.org")
    page.get_by_role("button", name="Invite the patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitation for")
    check_a11y(page)
    screenshot(page, "clinic-invited", only=CLINICIAN_GUIDE)
    link = page.get_by_role("textbox", name=re.compile("One-time link|Invitation code"))
    value = link.input_value()
    url = value if value.startswith("http") else f"{server}/account/invitation/{value}/"

    # Sam opens the link on their own phone or computer and chooses a password.
    sam = new_context(**context_args).new_page()
    sam.goto(url)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Welcome, Sam")
    check_a11y(sam)
    screenshot(sam, "invitation", only=PATIENT_GUIDE)
    sam.get_by_label("Choose a password", exact=True).fill(PASSWORD)
    sam.get_by_label("Type the same password again", exact=True).fill(PASSWORD)
    sam.get_by_role("button", name="Set my password").click()

    # Signed in, Sam starts with the intake.
    expect(sam.get_by_role("heading", level=1)).to_have_text("Tell your clinic about your back")


def test_a_patient_can_stop_the_intake_and_carry_on_later(page: Page, server: str) -> None:
    cast = make_cast()
    login(page, server, cast.pat_username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell your clinic about your back")
    screenshot(page, "intake-start", only=PATIENT_GUIDE)
    page.get_by_role("link", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    check_a11y(page)
    screenshot(page, "intake-step", only=PATIENT_GUIDE)
    age, sex = QUESTION_BY_PATH["person.age"], QUESTION_BY_PATH["person.sex"]
    # A wrong age is refused beside the field, and what was typed is kept.
    answer(page, age, "4o")
    answer(page, sex, "male")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    expect(page.get_by_label(str(age.label), exact=True)).to_have_value("4o")
    check_a11y(page)
    answer(page, age, "47")
    page.get_by_role("button", name="Save and finish later").click()

    # Back later: the intake carries on where Pat left off, with the answers kept.
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell your clinic about your back")
    check_a11y(page)
    page.get_by_role("link", name="Continue where you left off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(page.get_by_label(str(age.label), exact=True)).to_have_value("47")
    male = next(str(a.label) for a in sex.answers if a.value == "male")
    expect(
        page.get_by_role("group", name=str(sex.label), exact=True).get_by_label(male, exact=True)
    ).to_be_checked()


def test_a_patient_answers_the_next_morning_question_and_reads_their_exercises_and_flare_up_plan(
    page: Page, server: str
) -> None:
    cast = make_cast()
    plan = published(cast)
    first_id = plan.plan["home_programme"][0]["exercise_id"]
    # Yesterday Pat did the first exercise; today the pain is up (8, above the baseline's 6):
    # the engine calls that a flare-up (progression rule flare.high_pain).
    yesterday = cast.pat.today(timezone.now()) - dt.timedelta(days=1)
    actions.log_exercise(
        patient=cast.pat,
        by=cast.pat.user,
        exercise_id=first_id,
        done=True,
        day=yesterday,
        pain_during=3,
        difficulty="right",
    )
    actions.record_check_in(
        patient=cast.pat, by=cast.pat.user, red_flag_screen=NO_RED_FLAGS, nprs=8
    )
    login(page, server, cast.pat_username, PASSWORD)

    # Today asks about yesterday's exercises first thing, below the flare-up box.
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("heading", name="Your pain has gone up")).to_be_visible()
    settled = page.get_by_role("region", name="About yesterday")
    question = settled.get_by_role(
        "group", name="Did the pain from yesterday's exercises settle by this morning?"
    )
    expect(question).to_be_visible()
    check_a11y(page)
    settled.scroll_into_view_if_needed()
    screenshot(page, "today-next-morning", only=PATIENT_GUIDE)
    question.get_by_label("Yes", exact=True).check()
    settled.get_by_role("button", name="Save my answer").click()
    expect(
        page.get_by_role("status").filter(has_text="Thank you. We saved your answer.")
    ).to_be_visible()
    check_a11y(page)
    assert ExerciseLog.objects.get(patient=cast.pat, day=yesterday).pain_settled_next_morning

    # My exercises: every exercise of the plan with its dose and steps, each with its own page.
    page.get_by_role("link", name="All my exercises, with full instructions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My exercises")
    articles = page.get_by_role("main").get_by_role("article")
    expect(articles).to_have_count(len(plan.plan["home_programme"]))
    check_a11y(page)
    screenshot(page, "my-exercises", only=PATIENT_GUIDE)
    name = articles.first.get_by_role("heading", level=2).inner_text()
    articles.first.get_by_role("link", name=f"More about {name}, with a moving picture").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("main").get_by_role("img", name=name).first).to_be_visible()
    expect(page.get_by_role("heading", name="How much to do")).to_be_visible()
    expect(page.get_by_role("heading", name="Stop if")).to_be_visible()
    check_a11y(page)
    screenshot(page, "my-exercise", only=PATIENT_GUIDE)

    # The flare-up plan, from Today: what to do, the exercises that ease pain, when to get help.
    page.get_by_role("link", name="Today", exact=True).first.click()
    page.get_by_role("link", name="Open my flare-up plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My flare-up plan")
    expect(page.get_by_role("heading", name="Your pain has gone up")).to_be_visible()
    expect(page.get_by_role("heading", name="What to do today")).to_be_visible()
    expect(page.get_by_role("heading", name="When to get help")).to_be_visible()
    check_a11y(page)
    screenshot(page, "flare-up", only=PATIENT_GUIDE)


def test_a_red_flag_at_the_check_in_leads_with_the_doctor_and_puts_the_exercises_on_hold(
    page: Page, server: str
) -> None:
    cast = make_cast()
    published(cast)
    login(page, server, cast.pat_username, PASSWORD)

    page.goto(server + "/me/check-in/")
    page.get_by_label("How bad is your back pain right now?").fill("5")
    activities = page.get_by_role("region", name="Your activities").get_by_role("textbox")
    for index in range(activities.count()):
        activities.nth(index).fill("5")
    # Fever with feeling unwell, the rest calm.
    for question in RED_FLAG_QUESTIONS:
        answer(page, question, RED_FLAG_ANSWERS.get(question.name, CALM[question.name]))
    page.get_by_role("button", name="Send my check-in").click()

    # The page leads with the action, then says to stop the home exercises.
    main = page.get_by_role("main")
    expect(main.get_by_role("heading").first).to_have_text(SOON_ACTION)
    expect(main.get_by_role("heading", level=1)).to_have_text(SOON_ACTION)
    expect(main.get_by_role("heading", name="Stop your home exercises for now")).to_be_visible()
    expect(main.get_by_role("heading", name="How to see a doctor")).to_be_visible()
    check_a11y(page)
    screenshot(page, "check-in-doctor", only=PATIENT_GUIDE)
    assert CheckIn.objects.get(patient=cast.pat).triage_level == "soon"

    # Today shows no exercises now: the same action first, then who to contact.
    page.goto(server + "/me/")
    expect(main.get_by_role("heading", level=1)).to_have_text(SOON_ACTION)
    expect(main.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    expect(main.get_by_role("heading", name="Contact your clinic")).to_be_visible()
    expect(main.get_by_role("article")).to_have_count(0)
    check_a11y(page)
    screenshot(page, "today-on-hold", only=PATIENT_GUIDE)


def fill_intake_step(page: Page, step: Step, context: StepContext) -> None:
    """Answer one intake step as a person does, with the answers of example-physio.json: each
    radio button or checkbox by its label inside the group named by the question, each box by
    its label."""
    form = step.form(context=context)
    for name, value in INTAKE_ANSWERS[step.slug].items():
        if not value:
            continue  # left out, as a person may
        field = form[name]
        label = str(field.label)
        choices = {str(key): str(text) for key, text in getattr(field.field, "choices", [])}
        if field.field.widget.input_type in {"radio", "checkbox"} and choices:
            group = page.get_by_role("group", name=label, exact=True)
            for one in value if isinstance(value, list) else [value]:
                group.get_by_label(choices[one], exact=True).check()
        else:
            # Every box has its own label (the PSFS scores name their activity's number).
            page.get_by_label(label, exact=True).fill(value)


def test_a_patient_walks_the_whole_intake_checks_the_answers_and_sends_them(
    page: Page, server: str
) -> None:
    cast = make_cast()
    context = StepContext(actions.clinic_questionnaires(cast.riverside))
    login(page, server, cast.pat_username, PASSWORD)
    page.get_by_role("link", name="Start now").click()

    for number, step in enumerate(STEPS, start=1):
        expect(page.get_by_role("heading", level=1)).to_have_text(str(step.title))
        expect(page.get_by_text(f"Step {number} of {len(STEPS)}")).to_be_visible()
        check_a11y(page)
        if step.questionnaire == "odi":
            screenshot(page, "intake-questionnaire", only=PATIENT_GUIDE)
        fill_intake_step(page, step, context)
        last = number == len(STEPS)
        page.get_by_role(
            "button", name="Save and check your answers" if last else "Save and continue"
        ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.get_by_role("link", name=re.compile("^Change")).first).to_be_visible()
    check_a11y(page)
    screenshot(page, "intake-review", only=PATIENT_GUIDE)
    page.get_by_role("button", name="Send my answers to my clinic").click()

    expect(page).to_have_url(re.compile(r"/me/intake/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers are with your clinic")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    check_a11y(page)
    screenshot(page, "intake-done", only=PATIENT_GUIDE)
    record = AssessmentRecord.objects.get(episode__patient=cast.pat)
    assert record.triage_level == "physio"  # example-physio's answers: see a physical therapist
