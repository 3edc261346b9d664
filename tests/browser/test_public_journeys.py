"""Public journeys in a real browser, on a phone and a desktop: the self-check (issue 5, patient
journey 1), the library (journey 6) and the "page not found" page. axe-core runs on every page.
"""

from __future__ import annotations

import re
from typing import Any

from browser.helpers import (
    CALM,
    PATIENT_GUIDE,
    answer,
    check_a11y,
    has_running_animation,
    screenshot,
)
from playwright.sync_api import Page, expect

from backcare.care.content import catalog, public_topics
from backcare.portal.forms import STEPS

EMERGENCY_ACTION = "Get emergency help now"
EMERGENCY_ADVICE = "Go to a hospital emergency department now."
SELF_CARE_ACTION = "You can start looking after your back at home"


def topic_title(topic_id: str) -> str:
    return str(public_topics()[topic_id].title)


def exercise_name(exercise_id: str) -> str:
    return str(catalog().exercises[exercise_id].name)


def start_self_check(page: Page, server: str) -> None:
    page.goto(server + "/")
    check_a11y(page)
    screenshot(page, "home", only=PATIENT_GUIDE)
    page.get_by_role("link", name="Check your back pain").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your back pain")
    check_a11y(page)
    page.get_by_role("link", name="Start now").click()


def walk_steps(page: Page, changes: dict[str, str], *, shoot: str = "") -> None:
    """Answer the steps in order until the site shows the result (it may stop early)."""
    answers = {**CALM, **changes}
    for number, step in enumerate(STEPS, start=1):
        if page.url.endswith("/check/result/"):
            return
        expect(page.get_by_role("heading", level=1)).to_have_text(str(step.title))
        expect(page.get_by_text(f"Step {number} of {len(STEPS)}")).to_be_visible()
        check_a11y(page)
        if shoot and number == 1:
            screenshot(page, f"{shoot}-step", only=PATIENT_GUIDE)
        for question in step.questions:
            answer(page, question, answers[question.name])
        last = number == len(STEPS)
        page.get_by_role("button", name="See my result" if last else "Continue").click()
    page.wait_for_url(re.compile(r"/check/result/$"))


def test_an_emergency_answer_leads_with_what_to_do_now(page: Page, server: str) -> None:
    start_self_check(page, server)
    walk_steps(page, {"saddle_numbness": "yes"})

    # The site stops asking after the first step: nothing later can lower an emergency.
    expect(page).to_have_url(re.compile(r"/check/result/$"))
    main = page.get_by_role("main")
    first_heading = main.get_by_role("heading").first
    expect(first_heading).to_have_text(EMERGENCY_ACTION)
    expect(main.get_by_role("heading", level=1)).to_have_text(EMERGENCY_ACTION)
    advice = main.get_by_text(EMERGENCY_ADVICE)
    expect(advice).to_be_visible()
    # The action and the start of what to do are on the first screen, even on a phone.
    viewport = page.viewport_size
    assert viewport is not None
    heading_box, advice_box = first_heading.bounding_box(), advice.bounding_box()
    assert heading_box is not None and advice_box is not None
    assert heading_box["y"] + heading_box["height"] <= viewport["height"]
    assert advice_box["y"] + 40 <= viewport["height"]  # at least its first lines
    # In large words: the action is set bigger than the page's body text.
    action_px, body_px = page.evaluate(
        """() => [parseFloat(getComputedStyle(document.querySelector("main h1")).fontSize),
                  parseFloat(getComputedStyle(document.body).fontSize)]"""
    )
    assert action_px > body_px
    # No booking advice or reading list gets in the way.
    expect(main.get_by_role("heading", name="How to get an appointment")).to_have_count(0)
    expect(main.get_by_role("heading", name="Starter reading")).to_have_count(0)
    check_a11y(page)
    screenshot(page, "self-check-emergency", only=PATIENT_GUIDE)


def test_calm_answers_give_self_care_with_starter_reading(page: Page, server: str) -> None:
    start_self_check(page, server)
    walk_steps(page, {}, shoot="self-check")

    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(SELF_CARE_ACTION)
    expect(main.get_by_role("heading", name="How to get an appointment")).to_be_visible()
    reading = main.get_by_role("heading", name="Starter reading")
    expect(reading).to_be_visible()
    check_a11y(page)
    screenshot(page, "self-check-self-care", only=PATIENT_GUIDE)

    # A starter topic opens, and leads back to the result.
    title = topic_title("what-is-back-pain")
    main.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_a11y(page)
    page.get_by_role("link", name="Back to your result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SELF_CARE_ACTION)


def test_a_missing_answer_is_named_beside_the_question_and_the_rest_is_kept(
    page: Page, server: str
) -> None:
    start_self_check(page, server)
    first = STEPS[0]
    answered, missing = first.questions[0], first.questions[1]
    answer(page, answered, CALM[answered.name])
    page.get_by_role("button", name="Continue").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(len(first.questions) - 1)
    group = page.get_by_role("group", name=str(missing.label), exact=True)
    expect(group).to_contain_text(str(missing.required))
    kept = next(str(a.label) for a in answered.answers if a.value == CALM[answered.name])
    expect(
        page.get_by_role("group", name=str(answered.label), exact=True).get_by_label(
            kept, exact=True
        )
    ).to_be_checked()
    check_a11y(page)
    screenshot(page, "self-check-error", only=PATIENT_GUIDE)


def test_the_library_shows_topics_and_an_exercise_with_its_animated_figure(
    page: Page, server: str, new_context: Any, context_args: dict[str, Any]
) -> None:
    page.goto(server + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library")
    check_a11y(page)
    screenshot(page, "library", only=PATIENT_GUIDE)

    title = topic_title("what-is-back-pain")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_a11y(page)

    page.goto(server + "/library/")
    page.get_by_role("link", name=re.compile(r"See all \d+ exercises")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exercises")
    check_a11y(page)
    name = exercise_name("bridge")  # a figure that moves (bracing holds still)
    page.get_by_role("link", name=name, exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    figure = page.get_by_role("img", name=name).first
    expect(figure).to_be_visible()
    assert has_running_animation(page, ".exercise__figure--animation")
    expect(page.get_by_role("heading", name="Stop if")).to_be_visible()
    expect(page.get_by_role("heading", name="How much to do")).to_be_visible()
    check_a11y(page)
    screenshot(page, "library-exercise", only=PATIENT_GUIDE)

    # Someone who asked their phone for less motion gets the still pose, not the animation.
    calm = new_context(**context_args, reduced_motion="reduce").new_page()
    calm.goto(page.url)
    expect(calm.get_by_role("img", name=name).first).to_be_visible()
    assert not has_running_animation(calm, ".exercise__figure--animation")


def test_an_unknown_address_shows_a_helpful_not_found_page(page: Page, server: str) -> None:
    response = page.goto(server + "/no-such-page/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_a11y(page)
    page.get_by_role("link", name="Go to the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library")
