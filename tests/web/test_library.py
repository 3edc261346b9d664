"""The public library (patient journey 6): every topic and every exercise, no account needed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from backcare.care.content import catalog, dose_sentence, public_topics
from backcare.engine.catalog import Aim, Level, Position
from backcare.engine.gallery import exercise_svgs
from backcare.portal import library

pytestmark = pytest.mark.django_db

TEMPLATES = Path(library.__file__).parent / "templates" / "portal"
LIBRARY_TEMPLATES = [
    *sorted(TEMPLATES.glob("library_*.html")),
    TEMPLATES / "topic.html",
    TEMPLATES.parent.parent.parent / "templates" / "404.html",
]
EXERCISE_IDS = sorted(catalog().exercises)
TOPIC_IDS = sorted(public_topics())


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _cards(html: str) -> list[str]:
    return re.findall(r'href="/library/exercises/([a-z0-9-]+)/"', html)


def test_the_library_needs_no_account_and_lists_every_topic(client: Client) -> None:
    html = _html(client, reverse("library:index"))

    for topic in public_topics().values():
        assert reverse("library:topic", kwargs={"topic_id": topic.id}) in html
        assert escape(topic.title) in html
    assert reverse("library:exercises") in html
    assert "See all 68 exercises" in html


def test_every_topic_is_listed_once_in_a_group() -> None:
    listed = [t.id for g in library.topic_groups() for t in g.topics]

    assert sorted(listed) == TOPIC_IDS
    assert library.topic_groups()[0].topics[0].id == "warning-signs"


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_every_topic_page_renders_with_its_title(client: Client, topic_id: str) -> None:
    html = _html(client, reverse("library:topic", kwargs={"topic_id": topic_id}))

    assert f"<h1>{escape(public_topics()[topic_id].title)}</h1>" in html
    assert reverse("library:index") in html


def test_the_old_self_check_topic_address_still_works(client: Client) -> None:
    html = _html(client, reverse("portal:topic", kwargs={"topic_id": "warning-signs"}))

    assert "<h1>" in html


def test_the_exercise_list_shows_all_68_with_a_still_thumbnail(client: Client) -> None:
    html = _html(client, reverse("library:exercises"))

    assert _cards(html) == EXERCISE_IDS
    assert len(EXERCISE_IDS) == 68
    for exercise_id in EXERCISE_IDS:
        thumbnail = reverse("library:still", kwargs={"exercise_id": exercise_id})
        assert f'<img class="card__figure" src="{thumbnail}" alt="" loading="lazy"' in html
    assert "Showing 68 exercises of 68." in html
    # The filter is a plain GET form: the only script is htmx, which the page does not need.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/django_htmx/htmx-2.min.js" defer>'
    ]


def test_a_thumbnail_is_the_exercise_still_as_an_svg_file(client: Client) -> None:
    exercise = catalog().exercises["bird-dog"]
    response = client.get(reverse("library:still", kwargs={"exercise_id": "bird-dog"}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "max-age" in response["Cache-Control"]
    assert response.content.decode() == exercise_svgs(exercise)[0]


def test_the_exercise_list_filters_by_aim(client: Client) -> None:
    html = _html(client, reverse("library:exercises") + "?aim=strength")
    expected = sorted(e.id for e in catalog().exercises.values() if Aim.STRENGTH in e.aims)

    assert 0 < len(expected) < 68
    assert _cards(html) == expected
    assert 'href="?aim=strength" aria-current="true"' in html


def test_the_exercise_list_filters_by_position_and_aim_together(client: Client) -> None:
    url = reverse("library:exercises") + "?aim=mobility&position=sitting"
    html = _html(client, url)
    expected = sorted(
        e.id
        for e in catalog().exercises.values()
        if Aim.MOBILITY in e.aims and e.position is Position.SITTING
    )

    assert expected
    assert _cards(html) == expected
    # The position links keep the aim chosen, and the reverse.
    assert 'href="?aim=mobility&amp;position=standing"' in html
    assert 'href="?aim=strength&amp;position=sitting"' in html


def test_the_exercise_list_filters_by_position(client: Client) -> None:
    html = _html(client, reverse("library:exercises") + "?position=on_back")
    expected = sorted(e.id for e in catalog().exercises.values() if e.position is Position.ON_BACK)

    assert expected
    assert _cards(html) == expected


def test_an_unknown_filter_value_shows_everything(client: Client) -> None:
    html = _html(client, reverse("library:exercises") + "?aim=flying&position=upside_down")

    assert _cards(html) == EXERCISE_IDS


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_exercise_page_shows_figure_safety_and_dose(client: Client, exercise_id: str) -> None:
    exercise = catalog().exercises[exercise_id]
    html = _html(client, reverse("library:exercise", kwargs={"exercise_id": exercise_id}))

    assert f"<h1>{escape(exercise.name)}</h1>" in html
    assert html.count("<svg") == 2  # the animation, then the still for print
    assert len(re.findall(r"<svg[^>]*>\s*<title id=", html)) == 2
    still, animation = exercise_svgs(exercise)
    assert html.index(animation) < html.index(still)
    assert "Stop if" in html
    for item in exercise.stop_if:
        assert f"<li>{escape(item)}</li>" in html
    for step in exercise.instructions:
        assert f"<li>{escape(step)}</li>" in html
    for level in exercise.levels:
        assert escape(dose_sentence(level, per_side=exercise.per_side)) in html
    assert escape(exercise.evidence.source) in html


def test_a_dose_reads_as_plain_words() -> None:
    level = Level(level=1, sets=2, reps=10, hold_seconds=5, times_a_day=2, days_a_week=7, minutes=4)
    walk = Level(level=1, sets=1, times_a_day=1, days_a_week=5, minutes=20)
    one = Level(level=1, sets=1, reps=8, rest_seconds=90, times_a_day=3, days_a_week=1, minutes=1)

    assert dose_sentence(level) == (
        "2 sets of 10, hold 5 seconds, twice a day, 7 days a week, about 4 minutes"
    )
    assert dose_sentence(walk) == "20 minutes, once a day, 5 days a week"
    assert dose_sentence(one, per_side=True) == (
        "8 times, each side, rest 90 seconds between sets, 3 times a day, 1 day a week, "
        "about 1 minute"
    )


def test_a_hold_without_repetitions_reads_as_a_hold() -> None:
    level = Level(level=1, sets=3, hold_seconds=120, times_a_day=1, days_a_week=7, minutes=7)

    assert dose_sentence(level, per_side=True) == (
        "hold 2 minutes, 3 times, each side, once a day, 7 days a week, about 7 minutes"
    )


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("library:topic", {"topic_id": "no-such-topic"}),
        ("library:exercise", {"exercise_id": "no-such-exercise"}),
        ("library:still", {"exercise_id": "no-such-exercise"}),
    ],
)
def test_an_unknown_id_is_not_found(client: Client, name: str, kwargs: dict[str, str]) -> None:
    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_the_header_and_the_self_check_result_link_to_the_library(client: Client) -> None:
    home = _html(client, reverse("home"))

    assert f'href="{reverse("library:index")}"' in home
    result = (TEMPLATES / "result.html").read_text()
    assert "{% url 'library:index' %}" in result


def test_library_pages_render_without_missing_variables(client: Client, settings: Any) -> None:
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}}
    ]
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "MISSING[%s]"
    urls = [
        reverse("library:index"),
        reverse("library:topic", kwargs={"topic_id": "flare-up-plan"}),
        reverse("library:exercises") + "?aim=posture&position=standing",
        reverse("library:exercise", kwargs={"exercise_id": "bird-dog"}),
        reverse("library:exercise", kwargs={"exercise_id": "walking-programme"}),
    ]

    for url in urls:
        assert "MISSING[" not in _html(client, url)


# --- Templates: translation -------------------------------------------------------------------

_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.S)
_BLOCK_TRANSLATE = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)


@pytest.mark.parametrize("template", LIBRARY_TEMPLATES, ids=str)
def test_library_templates_have_no_text_outside_the_translation_tags(template: Path) -> None:
    source = _BLOCK_TRANSLATE.sub("", template.read_text())
    leftover = _TAG.sub(" ", source)

    assert re.findall(r"[A-Za-z]{2,}", leftover) == []
