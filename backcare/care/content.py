"""The published content the pages show: education topics and the exercise library.

Loaded once per process (``functools.cache``); the pages only read it. Shared by the self-check,
the library, Today, the clinicians' plan pages and the printable handouts.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from markdown_it import MarkdownIt

from backcare.engine.catalog import Catalog, Exercise, Level, load_catalog
from backcare.engine.education import Audience, Topic, load_topics
from backcare.engine.gallery import exercise_svgs

_PUBLIC = frozenset({Audience.PATIENT, Audience.PUBLIC})
_MARKDOWN = MarkdownIt("js-default")  # CommonMark with raw HTML off: topic text is escaped


def _content_dir() -> Path:
    return Path(settings.BACKCARE_CONTENT_DIR)


@cache
def _topics(content_dir: Path) -> dict[str, Topic]:
    return {t.id: t for t in load_topics(content_dir) if _PUBLIC.intersection(t.audience)}


def public_topics() -> dict[str, Topic]:
    """The education topics written for patients or the public, by id (loaded once)."""
    return _topics(_content_dir())


def render_topic(topic: Topic) -> SafeString:
    """A topic's Markdown body as HTML. Raw HTML in the source is escaped, never passed on."""
    return mark_safe(str(_MARKDOWN.render(topic.body)))  # markdown-it escapes raw HTML


@cache
def _catalog(content_dir: Path) -> Catalog:
    return load_catalog(content_dir)


def catalog() -> Catalog:
    """The exercise library (loaded once)."""
    return _catalog(_content_dir())


@cache
def _svgs(content_dir: Path, exercise_id: str) -> tuple[SafeString, SafeString]:
    still, animation = exercise_svgs(_catalog(content_dir).exercises[exercise_id])
    # The engine escapes every text it puts into the SVG (title, desc) and adds no script.
    return mark_safe(still), mark_safe(animation)


def figures(exercise: Exercise) -> tuple[SafeString, SafeString]:
    """(still, animation) SVG of a catalogue exercise, ready to place inline (made once)."""
    return _svgs(_content_dir(), exercise.id)


def _seconds(seconds: int) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def dose_sentence(level: Level, *, per_side: bool = False) -> str:
    """A level's dose in plain words, e.g. "2 sets of 10, hold 5 seconds, twice a day, 7 days a
    week, about 4 minutes"."""
    parts: list[str] = []
    if level.reps:
        if level.sets > 1:
            work = ngettext("%(sets)d set of %(reps)d", "%(sets)d sets of %(reps)d", level.sets)
        else:
            work = ngettext("%(reps)d time", "%(reps)d times", level.reps)
        parts.append(work % {"sets": level.sets, "reps": level.reps})
        if per_side:
            parts.append(gettext("each side"))
        if level.hold_seconds:
            parts.append(gettext("hold %(time)s") % {"time": _seconds(level.hold_seconds)})
    elif level.hold_seconds:
        hold = gettext("hold %(time)s") % {"time": _seconds(level.hold_seconds)}
        if level.sets > 1:
            hold = ngettext("%(hold)s, %(sets)d time", "%(hold)s, %(sets)d times", level.sets) % {
                "hold": hold,
                "sets": level.sets,
            }
        parts.append(hold)
        if per_side:
            parts.append(gettext("each side"))
    if level.rest_seconds:
        parts.append(gettext("rest %(time)s between sets") % {"time": _seconds(level.rest_seconds)})
    if level.times_a_day == 1:
        parts.append(gettext("once a day"))
    elif level.times_a_day == 2:
        parts.append(gettext("twice a day"))
    else:
        parts.append(gettext("%(n)d times a day") % {"n": level.times_a_day})
    parts.append(
        ngettext("%(n)d day a week", "%(n)d days a week", level.days_a_week)
        % {"n": level.days_a_week}
    )
    minutes = ngettext("about %(n)d minute", "about %(n)d minutes", level.minutes) % {
        "n": level.minutes
    }
    if level.minutes_only:
        minutes = ngettext("%(n)d minute", "%(n)d minutes", level.minutes) % {"n": level.minutes}
        parts.insert(0, minutes)
    else:
        parts.append(minutes)
    return ", ".join(parts)
