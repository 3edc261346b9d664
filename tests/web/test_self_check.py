"""The self-check (patient journey 1): short steps, answers in the session, the engine's triage.

Every walk goes through the real pages with Django's test client (CSRF checks on), so the
forms, the session and the result page are tested together.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from backcare.engine.intake import parse_intake
from backcare.engine.triage import Level, triage
from backcare.portal import forms as portal_forms
from backcare.portal.forms import QUESTIONS, STEPS, UNSURE, intake_document
from backcare.portal.views import SESSION_KEY, TOPICS_BY_LEVEL, public_topics

pytestmark = pytest.mark.django_db

TEMPLATES = Path(portal_forms.__file__).parent / "templates" / "portal"
BASE = Path(portal_forms.__file__).parent.parent / "templates" / "base.html"

# Everything "no": the calmest possible answers. Each walk changes a few of them.
ALL_NO: dict[str, str] = {
    "saddle_numbness": "no",
    "bladder": "normal",
    "bowel_incontinence": "no",
    "new_sexual_dysfunction": "no",
    "leg_weakness": "none",
    "leg_numbness": "none",
    "walking_difficulty_new": "no",
    "leg_symptoms": "none",
    "fever_or_chills": "no",
    "systemically_unwell": "no",
    "unexplained_weight_loss": "no",
    "abdominal_pulsation": "no",
    "thoracic_pain": "no",
    "onset": "after_lifting",
    "duration": "days",
    "trend": "improving",
    "night_pain": "none",
    "pain_unchanged": "no",
    "age": "34",
    "sex": "female",
    "cancer": "none",
    "long_term_steroids": "no",
    "osteoporosis": "no",
    "immunosuppressed": "no",
    "iv_drug_use": "no",
    "recent_spinal_procedure": "no",
    "previous_episodes": "never",
    "daily_activities_hard": "no",
    "wants_drug_free_care": "no",
}


@pytest.fixture
def browser() -> Client:
    """A visitor with CSRF checks on, as a real browser would be."""
    return Client(enforce_csrf_checks=True)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "every form carries a CSRF token"
    return match.group(1)


def walk(client: Client, changes: dict[str, str]) -> Any:
    """Answer every step in order (stopping where the site moves on to the result) and return
    the result page."""
    answers = {**ALL_NO, **changes}
    response = client.get(reverse("portal:start"))
    assert response.status_code == 200
    url = reverse("portal:step", kwargs={"slug": STEPS[0].slug})
    while url != reverse("portal:result"):
        page = client.get(url)
        assert page.status_code == 200
        step = next(s for s in STEPS if url.endswith(f"/{s.slug}/"))
        data = {q.name: answers[q.name] for q in step.questions}
        posted = client.post(url, {**data, "csrfmiddlewaretoken": _csrf(page.content.decode())})
        assert posted.status_code == 302, posted.content.decode()[:2000]
        url = posted["Location"]
    result = client.get(url)
    assert result.status_code == 200
    return result


def _text(response: Any) -> str:
    return response.content.decode()


def _engine_level(changes: dict[str, str]) -> Level:
    return triage(parse_intake(intake_document({**ALL_NO, **changes}))).level


# --- Walks to each result ---------------------------------------------------------------------


def test_saddle_numbness_goes_straight_to_an_emergency_result(browser: Client) -> None:
    result = walk(browser, {"saddle_numbness": "yes"})
    html = _text(result)

    assert result.context["level"] == "emergency"
    assert "Get emergency help now" in html
    assert "Go to a hospital emergency department now." in html
    # Nothing later can lower an emergency, so the site stops asking after the first step.
    assert set(browser.session[SESSION_KEY]) == {q.name for q in STEPS[0].questions}
    assert "We stopped the questions early" in html
    # More questions cannot change an emergency: no "not finished" warning, no unasked list.
    assert "The safety check is not finished" not in html
    assert "Questions you were not sure about" not in html


def test_the_emergency_result_leads_with_the_action(browser: Client) -> None:
    html = _text(walk(browser, {"saddle_numbness": "yes"}))

    main = html[html.index('<main id="main"') :]
    action = main.index("Get emergency help now")
    advice = main.index("Go to a hospital emergency department now.")
    first_h2 = main.index("<h2")
    why = main.index("Why we say this")
    assert main.index("<h1") < action < advice < first_h2 <= why
    # No reading list and no booking advice get in the way of an emergency.
    assert "Starter reading" not in html
    assert "How to get an appointment" not in html


def test_fever_with_injected_drug_use_is_urgent_with_the_infection_advice(
    browser: Client,
) -> None:
    result = walk(browser, {"fever_or_chills": "yes", "iv_drug_use": "yes"})
    html = _text(result)

    assert result.context["level"] == "urgent"
    assert "See a doctor today or tomorrow" in html
    assert "See a doctor today. Phone your doctor" in html  # the engine's infection advice
    assert "How to see a doctor" in html
    assert "warning-signs" in html


def test_past_cancer_means_seeing_a_doctor_soon(browser: Client) -> None:
    result = walk(browser, {"cancer": "past"})

    assert result.context["level"] == "soon"
    assert "See a doctor soon" in _text(result)


def test_pain_into_a_leg_leads_to_physical_therapy_with_starter_reading(browser: Client) -> None:
    result = walk(browser, {"leg_symptoms": "one_leg"})
    html = _text(result)

    assert result.context["level"] == "physio"
    assert "See a physical therapist" in html
    assert "Your pain spreads into your leg." in html
    assert "How to get an appointment" in html
    for topic_id in TOPICS_BY_LEVEL[Level.PHYSIO]:
        assert reverse("portal:topic", kwargs={"topic_id": topic_id}) in html


def test_calm_answers_lead_to_self_care_with_advice_and_reading(browser: Client) -> None:
    result = walk(browser, {})
    html = _text(result)

    assert result.context["level"] == "self_care"
    assert "You can start looking after your back at home" in html
    assert "Keep moving and carry on with your usual activities" in html
    assert "Starter reading" in html
    assert "Questions you were not sure about" not in html


@pytest.mark.parametrize(
    "changes",
    [
        {"saddle_numbness": "yes"},
        {"fever_or_chills": "yes", "iv_drug_use": "yes"},
        {"cancer": "past"},
        {"leg_symptoms": "one_leg"},
        {"duration": "weeks", "trend": "same"},
        {"onset": "major_trauma"},
        {"abdominal_pulsation": "yes", "pain_unchanged": "yes", "age": "70", "sex": "male"},
        {},
    ],
)
def test_the_page_shows_the_engines_level_for_the_same_answers(
    browser: Client, changes: dict[str, str]
) -> None:
    result = walk(browser, changes)

    assert result.context["level"] == _engine_level(changes).value


# --- "I'm not sure" -----------------------------------------------------------------------------


def test_not_sure_answers_are_listed_as_unanswered_and_never_give_self_care(
    browser: Client,
) -> None:
    result = walk(browser, {"saddle_numbness": UNSURE, "fever_or_chills": UNSURE})
    html = _text(result)

    assert result.context["level"] == "physio"  # self-care is not offered with gaps in the screen
    assert "Questions you were not sure about" in html
    assert "We have not counted these as a" in html
    not_sure = html[html.index("Questions you were not sure about") :]
    assert "Is there numbness or a strange feeling around your bottom" in not_sure
    assert "Do you have a fever or chills?" in not_sure
    # The engine's "the safety check is not finished" warning, with the question to ask.
    assert "The safety check is not finished" in html
    assert "Some safety questions are not answered" in html


SCREENING = [q.name for q in QUESTIONS if q.path.startswith("red_flag_screen.")]


@pytest.mark.parametrize("question", SCREENING)
def test_not_sure_on_any_screening_question_never_gives_self_care(
    browser: Client, question: str
) -> None:
    result = walk(browser, {question: UNSURE})

    assert result.context["level"] != "self_care"
    assert result.context["not_sure"], "the unsure question is listed"


def test_not_sure_writes_nothing_into_the_intake() -> None:
    document = intake_document({**ALL_NO, "saddle_numbness": UNSURE, "age": "", "sex": UNSURE})

    assert "saddle_numbness" not in document["red_flag_screen"]
    assert document["red_flag_screen"]["bowel_incontinence"] is False
    assert "person" not in document


# --- Validation -------------------------------------------------------------------------------


def test_a_missing_answer_shows_the_summary_and_keeps_the_other_choices(browser: Client) -> None:
    url = reverse("portal:step", kwargs={"slug": "nerves"})
    page = browser.get(url)
    response = browser.post(
        url,
        {
            "saddle_numbness": "no",
            "bladder": "hesitancy",
            "new_sexual_dysfunction": UNSURE,
            "csrfmiddlewaretoken": _csrf(_text(page)),
        },
    )
    html = _text(response)

    assert response.status_code == 200
    summary = html.index('class="error-summary"')
    assert summary < html.index("<h1")  # the summary is at the top
    assert "There is a problem" in html
    link = re.search(r'<a href="#id_bowel_incontinence">(.*?)</a>', html, re.S)
    assert link, "the summary links to the field"
    assert "Have you lost control of your bowels" in link.group(1)
    assert "Choose yes, no or I&#x27;m not sure." in link.group(1)
    assert 'id="id_bowel_incontinence-error"' in html  # the message beside the field
    assert "<title>Error:" in html
    assert re.search(r'value="hesitancy" checked', html)
    assert re.search(r'name="new_sexual_dysfunction" id="[^"]+" value="unsure" checked', html)
    assert SESSION_KEY not in browser.session


def test_a_wrong_age_is_kept_and_explained(browser: Client) -> None:
    for slug in [s.slug for s in STEPS[:4]]:
        url = reverse("portal:step", kwargs={"slug": slug})
        page = browser.get(url)
        step = next(s for s in STEPS if s.slug == slug)
        browser.post(
            url,
            {
                **{q.name: ALL_NO[q.name] for q in step.questions},
                "csrfmiddlewaretoken": _csrf(_text(page)),
            },
        )
    url = reverse("portal:step", kwargs={"slug": "about-you"})
    page = browser.get(url)
    response = browser.post(
        url,
        {
            "age": "forty",
            "sex": "male",
            "cancer": "none",
            "csrfmiddlewaretoken": _csrf(_text(page)),
        },
    )
    html = _text(response)

    assert response.status_code == 200
    assert "Enter your age as a whole number, like 47, or leave it empty." in html
    assert 'value="forty"' in html
    assert 'aria-invalid="true"' in html

    response = browser.post(
        url,
        {"age": "12", "sex": "male", "cancer": "none", "csrfmiddlewaretoken": _csrf(_text(page))},
    )
    assert "This check is for people aged 16 or over." in _text(response)


def test_a_post_without_the_csrf_token_is_refused(browser: Client) -> None:
    response = browser.post(reverse("portal:step", kwargs={"slug": "nerves"}), ALL_NO)

    assert response.status_code == 403


# --- Session: back, forward, refresh; nothing shared --------------------------------------------


def test_answers_are_kept_for_back_and_refresh(browser: Client) -> None:
    walk(browser, {"leg_symptoms": "one_leg"})

    back = _text(browser.get(reverse("portal:step", kwargs={"slug": "legs"})))
    assert re.search(r'name="leg_symptoms" id="[^"]+" value="one_leg" checked', back)
    again = browser.get(reverse("portal:result"))
    assert again.context["level"] == "physio"


def test_the_result_needs_every_step_unless_it_is_an_emergency(browser: Client) -> None:
    response = browser.get(reverse("portal:result"))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:step", kwargs={"slug": STEPS[0].slug})


def test_one_visitors_answers_never_reach_another(browser: Client) -> None:
    walk(browser, {"saddle_numbness": "yes"})
    other = Client(enforce_csrf_checks=True)

    assert other.get(reverse("portal:result")).status_code == 302
    page = _text(other.get(reverse("portal:step", kwargs={"slug": "nerves"})))
    assert "checked" not in page
    assert SESSION_KEY not in other.session


def test_starting_again_clears_the_answers(browser: Client) -> None:
    result = walk(browser, {})
    response = browser.post(
        reverse("portal:restart"), {"csrfmiddlewaretoken": _csrf(_text(result))}
    )

    assert response.status_code == 302
    assert SESSION_KEY not in browser.session


# --- Education topics -------------------------------------------------------------------------


def test_every_linked_topic_exists_and_renders_from_markdown(client: Client) -> None:
    topics = public_topics()
    for level, ids in TOPICS_BY_LEVEL.items():
        for topic_id in ids:
            assert topic_id in topics, (level, topic_id)
            html = _text(client.get(reverse("portal:topic", kwargs={"topic_id": topic_id})))
            assert f"<h1>{escape(topics[topic_id].title)}</h1>" in html
            assert "<h2>" in html or "<p>" in html


def test_the_warning_signs_topic_is_rendered_with_headings_and_lists(client: Client) -> None:
    html = _text(client.get(reverse("portal:topic", kwargs={"topic_id": "warning-signs"})))

    assert "<h2>Go to an emergency department now</h2>" in html
    assert "<ul>\n<li>Numbness or tingling between your legs" in html


def test_an_unknown_topic_is_not_found(client: Client) -> None:
    assert client.get(reverse("portal:topic", kwargs={"topic_id": "nope"})).status_code == 404


# --- Templates: translation, accessibility basics ---------------------------------------------

_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.S)
_BLOCK_TRANSLATE = re.compile(
    r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
    re.S,
)


ALL_TEMPLATES = sorted(BASE.parent.parent.glob("**/templates/**/*.html"))


@pytest.mark.parametrize("template", ALL_TEMPLATES, ids=str)
def test_templates_have_no_text_outside_the_translation_tags(template: Path) -> None:
    source = _BLOCK_TRANSLATE.sub("", template.read_text())
    leftover = _TAG.sub(" ", source)

    assert re.findall(r"[A-Za-z]{2,}", leftover) == []


def test_pages_render_without_missing_variables(browser: Client, settings: Any) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}}
    ]
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "MISSING[%s]"
    pages = [browser.get(reverse("portal:start"))]
    pages += [browser.get(reverse("portal:step", kwargs={"slug": s.slug})) for s in STEPS]
    pages.append(walk(browser, {"saddle_numbness": UNSURE}))
    pages.append(browser.get(reverse("portal:topic", kwargs={"topic_id": "warning-signs"})))
    pages.append(browser.get(reverse("home")))

    for page in pages:
        assert page.status_code == 200
        assert "MISSING[" not in _text(page)


def test_every_step_page_is_labelled_and_in_order(browser: Client) -> None:
    for number, step in enumerate(STEPS, start=1):
        html = _text(browser.get(reverse("portal:step", kwargs={"slug": step.slug})))

        assert '<html lang="en">' in html
        assert f"Step {number} of {len(STEPS)}" in html
        assert html.count("<h1") == 1
        assert 'href="#main"' in html and 'id="main"' in html
        assert "backcare supports decisions; it does not diagnose." in html
        radio_groups = sum(1 for q in step.questions if q.answers)
        assert html.count("<fieldset") == radio_groups == html.count("<legend")
        for input_id in re.findall(
            r'<input class="(?:radio__input|input[^"]*)"[^>]*id="([^"]+)"', html
        ):
            assert f'for="{input_id}"' in html
