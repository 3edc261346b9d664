"""The public library (patient journey 6), no account needed: every education topic and every
exercise with its full instructions, figure and dose.

/library/ lists the topics in groups, /library/topics/<id>/ shows one, /library/exercises/ lists
the exercises (filter by aim and by position with plain GET links) and /library/exercises/<id>/
shows one. Content comes from ``backcare.care.content`` (loaded once per process).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from backcare.care.content import catalog, dose_sentence, figures, public_topics, render_topic
from backcare.engine.catalog import Aim, Exercise, Position
from backcare.engine.education import Topic
from backcare.engine.evidence import Certainty
from backcare.engine.intake import Equipment
from backcare.portal.views import SESSION_KEY

# The library's topic groups, in reading order. A topic in no group is listed under "More".
TOPIC_GROUPS: tuple[tuple[Promise, tuple[str, ...]], ...] = (
    (_("When to get help"), ("warning-signs",)),
    (
        _("Understanding back pain"),
        (
            "what-is-back-pain",
            "hurt-is-not-harm",
            "cause-strain-or-sprain",
            "cause-posture-and-sitting",
            "cause-herniated-disc",
            "cause-sciatica",
            "cause-arthritis",
            "scans-and-x-rays",
        ),
    ),
    (
        _("Looking after your back"),
        (
            "staying-active-and-pacing",
            "your-home-exercises",
            "heat-and-cold-at-home",
            "flare-up-plan",
            "sitting-standing-sleeping",
            "workstation-setup",
            "lifting-safely",
            "back-to-work-and-sport",
            "keeping-it-away",
        ),
    ),
    (
        _("Physical therapy"),
        (
            "what-physical-therapy-does",
            "do-i-need-a-referral",
            "what-happens-at-a-session",
            "will-it-hurt",
            "how-long-it-takes",
            "can-physical-therapy-prevent-surgery",
        ),
    ),
)
OTHER_GROUP = _("More topics")

AIM_LABELS: dict[Aim, Promise] = {
    Aim.PAIN_REDUCTION: _("Ease pain"),
    Aim.MOBILITY: _("Move more easily"),
    Aim.STRENGTH: _("Get stronger"),
    Aim.POSTURE: _("Posture"),
    Aim.PREVENTION: _("Keep pain away"),
}

POSITION_LABELS: dict[Position, Promise] = {
    Position.ON_BACK: _("Lying on your back"),
    Position.FACE_DOWN: _("Lying face down"),
    Position.SIDE: _("Lying on your side"),
    Position.HANDS_AND_KNEES: _("On hands and knees"),
    Position.KNEELING: _("Kneeling"),
    Position.SITTING: _("Sitting"),
    Position.STANDING: _("Standing"),
}

EQUIPMENT_LABELS: dict[Equipment, Promise] = {
    Equipment.MAT: _("a mat"),
    Equipment.CHAIR: _("a chair"),
    Equipment.WALL: _("a wall"),
    Equipment.STEP: _("a step"),
    Equipment.BAND: _("an exercise band"),
    Equipment.TOWEL: _("a towel"),
    Equipment.PILLOW: _("a pillow"),
    Equipment.BALL: _("a ball"),
    Equipment.WEIGHTS: _("weights"),
    Equipment.BIKE: _("an exercise bike or a bicycle"),
    Equipment.POOL: _("a swimming pool"),
}

CERTAINTY_LABELS: dict[Certainty, Promise] = {
    Certainty.SRC: _("Checked in the original research."),
    Certainty.SEC: _("From a summary of the research."),
    Certainty.UNCERTAIN: _("Not fully checked yet."),
    Certainty.SYNTHESIS: _("Our own advice, built from the research."),
}


@dataclass(frozen=True, slots=True)
class TopicGroup:
    title: Promise
    topics: tuple[Topic, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """One filter link: its label, its query string and whether it is the one shown."""

    label: Promise
    query: str
    current: bool


@dataclass(frozen=True, slots=True)
class Card:
    exercise: Exercise
    aims: tuple[Promise, ...]
    position: Promise


def topic_groups() -> list[TopicGroup]:
    """Every public topic exactly once, in the groups of TOPIC_GROUPS (the rest under "More")."""
    topics = public_topics()
    groups: list[TopicGroup] = []
    placed: set[str] = set()
    for title, ids in TOPIC_GROUPS:
        found = tuple(topics[i] for i in ids if i in topics and i not in placed)
        placed.update(t.id for t in found)
        if found:
            groups.append(TopicGroup(title, found))
    rest = tuple(t for i, t in sorted(topics.items()) if i not in placed)
    if rest:
        groups.append(TopicGroup(OTHER_GROUP, rest))
    return groups


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/library_index.html",
        {"groups": topic_groups(), "exercise_count": len(catalog().exercises)},
    )


@require_GET
def topic(request: HttpRequest, topic_id: str) -> HttpResponse:
    found = public_topics().get(topic_id)
    if found is None:
        raise Http404(topic_id)
    return render(
        request,
        "portal/topic.html",
        {
            "topic": found,
            "body": render_topic(found),
            "has_result": bool(request.session.get(SESSION_KEY)),
            "in_library": True,
        },
    )


def _query(aim: str, position: str) -> str:
    pairs = [f"aim={aim}" if aim else "", f"position={position}" if position else ""]
    joined = "&".join(p for p in pairs if p)
    return f"?{joined}" if joined else "?"


def _card(exercise: Exercise) -> Card:
    return Card(
        exercise,
        tuple(AIM_LABELS[a] for a in exercise.aims),
        POSITION_LABELS[exercise.position],
    )


@require_GET
def exercises(request: HttpRequest) -> HttpResponse:
    aim_value = request.GET.get("aim", "")
    position_value = request.GET.get("position", "")
    # An unknown value is ignored (no filter), as if the link had none.
    aim = Aim(aim_value) if aim_value in Aim.__members__.values() else None
    position = Position(position_value) if position_value in Position.__members__.values() else None
    aim_value = aim.value if aim else ""
    position_value = position.value if position else ""
    shown = catalog().select(aim=aim, position=position)
    aims = [Choice(_("Any aim"), _query("", position_value), aim is None)]
    aims += [Choice(label, _query(a, position_value), a is aim) for a, label in AIM_LABELS.items()]
    positions = [Choice(_("Any position"), _query(aim_value, ""), position is None)]
    positions += [
        Choice(label, _query(aim_value, p), p is position) for p, label in POSITION_LABELS.items()
    ]
    return render(
        request,
        "portal/library_exercises.html",
        {
            "cards": [_card(e) for e in shown],
            "total": len(catalog().exercises),
            "aims": aims,
            "positions": positions,
            "filtered": aim is not None or position is not None,
        },
    )


@dataclass(frozen=True, slots=True)
class _ShownLevel:
    number: int
    dose: str
    note: str


@require_GET
def exercise(request: HttpRequest, exercise_id: str) -> HttpResponse:
    found = catalog().exercises.get(exercise_id)
    if found is None:
        raise Http404(exercise_id)
    still, animation = figures(found)
    return render(
        request,
        "portal/library_exercise.html",
        {
            "exercise": found,
            "still": still,
            "animation": animation,
            "aims": [AIM_LABELS[a] for a in found.aims],
            "position": POSITION_LABELS[found.position],
            "equipment": [EQUIPMENT_LABELS[e] for e in found.equipment],
            "levels": [
                _ShownLevel(lv.level, dose_sentence(lv, per_side=found.per_side), lv.note)
                for lv in found.levels
            ],
            "certainty": CERTAINTY_LABELS[found.evidence.certainty],
        },
    )


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def still(request: HttpRequest, exercise_id: str) -> HttpResponse:
    """The still figure as an image file: the list's thumbnails, loaded lazily by the browser
    (68 inline figures would make the list page over a megabyte on a phone)."""
    found = catalog().exercises.get(exercise_id)
    if found is None:
        raise Http404(exercise_id)
    return HttpResponse(figures(found)[0], content_type="image/svg+xml; charset=utf-8")
