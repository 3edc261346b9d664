"""Education topics and clinic techniques: loading and checking the content.

``content/education/<id>.md``
    One topic per file: Markdown with TOML front matter between ``+++`` lines (id, title,
    audience, reading time, sources, reviewer, review dates, tags). The Markdown body is ours, in
    plain words for the public.
``content/techniques.toml``
    One ``[[technique]]`` table per treatment technique: what it is, when it helps, when not to
    use it (contraindications and precautions with sources), and its evidence status in three
    guidelines (APTA 2021, NICE NG59, ACP 2017), each with a plain-words note and a source.

Every rule the checker applies is a module-level table (``FRONT_MATTER``, ``TECHNIQUE_FIELDS``,
``GUIDELINES``, ``RECOMMENDATIONS``, ``SOURCES``), so ``rules_markdown()`` can render them for
clinicians. Every problem is collected, each naming the file, the field and what is allowed.
The engine does not render Markdown to HTML: that belongs to the web and handout layers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tomllib
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from .evidence import Certainty
from .validation import Described, InvalidDocument, Problem

_NOTHING = Described("nothing")

EDUCATION_DIR = "education"
TECHNIQUES_FILE = "techniques.toml"
README = "README.md"

# Reading speed used to check each topic's reading_minutes. 200 words a minute is the planning
# figure the content brief asks for (a slow-to-average adult silent-reading rate) [synthesis].
WORDS_PER_MINUTE = 200
# reading_minutes may differ from ceil(words / 200) by this many minutes [synthesis].
READING_MINUTES_TOLERANCE = 1

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


class Audience(StrEnum):
    PATIENT = "patient"
    PUBLIC = "public"
    CLINICIAN = "clinician"


class TechniqueGroup(StrEnum):
    MANUAL_THERAPY = "manual_therapy"
    EXERCISE = "exercise"
    PHYSICAL_AGENT = "physical_agent"
    EDUCATION = "education"


class Recommendation(StrEnum):
    RECOMMENDED = "recommended"
    CONSIDER = "consider"
    MAY_USE = "may_use"
    NOT_RECOMMENDED = "not_recommended"
    NO_RECOMMENDATION = "no_recommendation"


# What each recommendation value means, mapped from each guideline's own wording.
# APTA: "should" = grade A [src: George 2021 evidence-map caption]; "may" = B and "can" = C
# [uncertain: clinical-facts §4.1, §8 item 3]. NICE: "offer"/"consider"/"do not offer" (NG59).
RECOMMENDATIONS: dict[Recommendation, str] = {
    Recommendation.RECOMMENDED: (
        'The guideline says to use it (APTA "should", grade A; NICE "offer" or "provide"; '
        "ACP recommends it)."
    ),
    Recommendation.CONSIDER: (
        'The guideline says it may be used or considered (APTA "may", grade B [uncertain]; '
        'NICE "consider").'
    ),
    Recommendation.MAY_USE: 'Weak support: APTA "can", grade C [uncertain].',
    Recommendation.NOT_RECOMMENDED: (
        'The guideline advises against it (NICE "do not offer"; APTA "should not").'
    ),
    Recommendation.NO_RECOMMENDATION: (
        "The guideline makes no statement on it, or none was found in the parts we read."
    ),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    reference: str
    certainty: Certainty


# The sources that content may cite, by short name. Taken from clinical-facts.md §9 (and the
# sections named); content files must cite these keys so every claim traces back to a reference.
SOURCES: dict[str, Source] = {
    "ACOG 804": Source(
        "ACOG committee opinion 650 (2015), now 804: exercise in pregnancy (clinical-facts §5.6)",
        Certainty.UNCERTAIN,
    ),
    "ACP 2017": Source(
        "Qaseem A et al. Noninvasive treatments for low back pain. Ann Intern Med 2017;166:514–30",
        Certainty.SRC,
    ),
    "AHCPR 1994": Source(
        "AHCPR 1994 Acute low back problems in adults, red-flag table (NCBI NBK52120)",
        Certainty.SRC,
    ),
    "Alrwaily 2016": Source(
        "Alrwaily M et al. Treatment-based classification revision. Phys Ther 2016;96:1057–66",
        Certainty.UNCERTAIN,
    ),
    "APTA direct access 2019": Source(
        'APTA "Levels of patient access to physical therapist services in the states" (July 2019)',
        Certainty.SRC,
    ),
    "APTA Medicare direct access": Source(
        'APTA "Direct access and Medicare"; Medicare Benefit Policy Manual 100-02', Certainty.SRC
    ),
    "Assendelft 1996": Source(
        "Assendelft WJ et al. complications of spinal manipulation, as summarised in "
        "clinical-facts §5.5",
        Certainty.SEC,
    ),
    "backcare synthesis": Source(
        "Our own practical advice built from the sources in clinical-facts.md; not a guideline "
        "statement. Needs clinical review.",
        Certainty.SYNTHESIS,
    ),
    "Bury & Stokes 2013": Source(
        "Bury TJ, Stokes EK. Direct access worldwide. Phys Ther 2013; EU review, Physiotherapy "
        "2013;99:285–91",
        Certainty.SRC,
    ),
    "Crawford 2022": Source(
        "Crawford et al. Public funding of outpatient physiotherapy. Physiother Can 2022",
        Certainty.SRC,
    ),
    "Delitto 2012 APTA CPG": Source(
        "Delitto A et al. Low back pain clinical practice guideline. JOSPT 2012;42(4):A1–57",
        Certainty.SRC,
    ),
    "Downie 2013": Source(
        "Downie A et al. Red flags for malignancy and fracture. BMJ 2013;347:f7095", Certainty.SRC
    ),
    "Electrophysical agent safety lists": Source(
        "Manufacturer and consensus summaries of electrophysical-agent contraindications "
        "(clinical-facts §5.4)",
        Certainty.SEC,
    ),
    "Finucane 2020 IFOMPT": Source(
        "Finucane LM et al. International framework for red flags. JOSPT 2020;50:350–72",
        Certainty.SRC,
    ),
    "Fritz 2015": Source(
        "Fritz JM et al. Early physical therapy vs usual care. JAMA 2015;314:1459–67",
        Certainty.SRC,
    ),
    "Garber 2011 ACSM": Source(
        "Garber CE et al. ACSM position stand on exercise. MSSE 2011;43:1334–59", Certainty.SRC
    ),
    "George 2010": Source(
        "George SZ et al. Graded exercise vs graded exposure. JOSPT 2010;40:694–704",
        Certainty.SRC,
    ),
    "George 2021 APTA CPG": Source(
        "George SZ et al. Low back pain CPG revision 2021. JOSPT 2021;51(11):CPG1–60",
        Certainty.SRC,
    ),
    "Greenhalgh 2020": Source(
        "Greenhalgh S, Finucane L, Mercer C, Selfe J. Safety netting. MSK Sci Pract 2020;48:102179",
        Certainty.SEC,
    ),
    "Hayden 2005": Source(
        "Hayden JA, van Tulder MW, Tomlinson G. Exercise therapy for chronic low back pain. "
        "Ann Intern Med 2005;142:776–85",
        Certainty.SRC,
    ),
    "Henschke 2008": Source("Henschke N et al. Prognosis cohort. BMJ 2008;337:a171", Certainty.SRC),
    "Henschke 2009": Source(
        "Henschke N et al. Serious spinal pathology in primary care. Arthritis Rheum "
        "2009;60:3072–80",
        Certainty.SRC,
    ),
    "Hill 2011": Source(
        "Hill JC et al. STarT Back stratified care trial. Lancet 2011;378:1560–71", Certainty.SRC
    ),
    "Holdsworth 2006": Source(
        "Holdsworth et al. Scottish national trial of physiotherapy self-referral. "
        "Physiotherapy 2006",
        Certainty.SRC,
    ),
    "Houghton 2010": Source(
        "Houghton PE, Nussbaum EL, Hoens AM. Electrophysical agents: contraindications and "
        "precautions. Physiother Can 2010;62(5)",
        Certainty.SRC,
    ),
    "Manipulation safety tables": Source(
        "Best-practice and case-report contraindication tables for spinal manipulation "
        "(J Altern Complement Med; BMC), as summarised in clinical-facts §5.5",
        Certainty.SEC,
    ),
    "Kongsted 2012": Source(
        "Kongsted A et al. Leg pain below the knee and prognosis. BMC Musculoskelet Disord "
        "2012;13:236",
        Certainty.SRC,
    ),
    "May 2018": Source(
        "May S, Runge N, Aina A. Centralization and directional preference. MSK Sci Pract "
        "2018;38:53–62",
        Certainty.SRC,
    ),
    "Menezes Costa 2012": Source(
        "Menezes Costa LC et al. Prognosis of low back pain. CMAJ 2012;184:E613–24", Certainty.SRC
    ),
    "NICE NG59": Source(
        "NICE NG59 Low back pain and sciatica in over 16s (2016, updated 2020)", Certainty.SRC
    ),
    "NICE NG65": Source("NICE NG65 Spondyloarthritis in over 16s (2017)", Certainty.SRC),
    "Oliphant 2004": Source(
        "Oliphant D. Safety of spinal manipulation for disc herniation, as summarised in "
        "clinical-facts §5.5",
        Certainty.SEC,
    ),
    "Oliveira 2018": Source(
        "Oliveira CB et al. Overview of clinical practice guidelines for low back pain, 2018",
        Certainty.SEC,
    ),
    "Owen 2020": Source(
        "Owen PJ et al. Exercise modes for chronic low back pain, network meta-analysis. BJSM "
        "2020;54:1279–87",
        Certainty.SRC,
    ),
    "Pengel 2003": Source(
        "Pengel LHM et al. Prognosis of acute low back pain. BMJ 2003;327:323", Certainty.SRC
    ),
    "Silbernagel 2007": Source(
        "Silbernagel KG et al. Pain-monitoring model. Am J Sports Med 2007;35:897–906 "
        "(made for tendon pain; use in back pain is an extrapolation)",
        Certainty.UNCERTAIN,
    ),
    "Sinaki 1984": Source(
        "Sinaki M, Mikkelsen BA. Flexion vs extension exercises in osteoporosis. Arch Phys Med "
        "Rehabil 1984;65:593–6",
        Certainty.SRC,
    ),
    "Smith 2017": Source(
        "Smith BE et al. Should exercises be painful? BJSM 2017;51:1679–87", Certainty.SRC
    ),
    "Suri 2010": Source(
        "Suri P et al. Clinical syndrome of lumbar spinal stenosis. JAMA 2010;304:2628–36",
        Certainty.SRC,
    ),
    "Swait & Finch 2017": Source(
        "Swait G, Finch R. Adverse events after spinal manipulation, as summarised in "
        "clinical-facts §5.5",
        Certainty.SEC,
    ),
    "Swinkels 2014": Source(
        "Swinkels ICS et al. Self-referral to physiotherapy in the Netherlands. Phys Ther 2014",
        Certainty.SRC,
    ),
    "Trial protocols (course length)": Source(
        "Course lengths used in trials: Fritz 2015 (4 visits in 3 weeks), Fritz 2010 traction "
        "trial (12 sessions in 6 weeks), Rabin 2014 (11 sessions in 8 weeks), a motor-control "
        "meta-regression (about 3 sessions a week for about 6 weeks); clinical-facts §4.5, §8.8",
        Certainty.SRC,
    ),
    "Yusuf 2019": Source(
        "Yusuf M, Finucane L, Selfe J. Red flags for spinal infection. BMC Musculoskelet Disord "
        "2019",
        Certainty.SRC,
    ),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Guideline:
    name: str
    source: str  # a key of SOURCES


# The three guidelines every technique is graded against, in display order.
GUIDELINES: dict[str, Guideline] = {
    "apta_2021": Guideline(
        "APTA/AOPT clinical practice guideline, revision 2021", "George 2021 APTA CPG"
    ),
    "nice_ng59": Guideline("NICE NG59 (UK), 2016, updated 2020", "NICE NG59"),
    "acp_2017": Guideline("American College of Physicians, 2017", "ACP 2017"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Topic:
    """One education topic: its front matter and its Markdown body."""

    id: str
    title: str
    language: str
    audience: tuple[Audience, ...]
    reading_minutes: int
    summary: str
    sources: tuple[str, ...]
    reviewer: str
    review_date: dt.date
    review_due: dt.date
    tags: tuple[str, ...]
    body: str

    @property
    def word_count(self) -> int:
        return count_words(self.body)


@dataclasses.dataclass(frozen=True, slots=True)
class SafetyItem:
    """A contraindication or precaution: a stable tag for matching, and plain words to show."""

    tag: str
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class GuidelineStatus:
    """What one guideline says about one technique."""

    guideline: str  # a key of GUIDELINES
    recommendation: Recommendation
    note: str
    source: str  # a key of SOURCES
    uncertain: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Technique:
    id: str
    name: str
    group: TechniqueGroup
    what_it_is: str
    indications: tuple[str, ...]
    contraindications: tuple[SafetyItem, ...]
    precautions: tuple[SafetyItem, ...]
    safety_sources: tuple[str, ...]
    safety_uncertain: bool
    note: str
    guidelines: tuple[GuidelineStatus, ...]  # one per key of GUIDELINES, in that order

    def status(self, guideline: str) -> GuidelineStatus:
        """The entry for ``guideline`` (a key of GUIDELINES); KeyError if unknown."""
        for entry in self.guidelines:
            if entry.guideline == guideline:
                return entry
        raise KeyError(guideline)


# --- plain text and word counts -----------------------------------------------------------

_HEADING = re.compile(r"^#{1,6}\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`]+")


def plain_text(markdown: str) -> str:
    """The words of a Markdown body, one block per line, each ending as a sentence.

    Headings and list items are blocks of their own; the lines of a paragraph are joined.
    Emphasis, code marks and link targets are removed. A block without closing punctuation
    gets a full stop, and a closing colon becomes one, so headings and list items count as
    the short sentences a reader meets.
    """
    blocks: list[list[str]] = []
    open_block = False
    for raw in markdown.splitlines():
        line = _QUOTE.sub("", raw).strip()
        if not line:
            open_block = False
        elif _HEADING.match(line):
            blocks.append([_HEADING.sub("", line)])
            open_block = False
        elif _LIST_ITEM.match(line):
            blocks.append([_LIST_ITEM.sub("", line)])
            open_block = True
        elif open_block:
            blocks[-1].append(line)
        else:
            blocks.append([line])
            open_block = True
    out = []
    for block in blocks:
        text = _EMPHASIS.sub("", _LINK.sub(r"\1", " ".join(block))).strip()
        if text.endswith(":"):
            text = text[:-1] + "."
        elif text and text[-1] not in ".!?":
            text += "."
        if text:
            out.append(text)
    return "\n".join(out)


def count_words(markdown: str) -> int:
    return len(_WORD.findall(plain_text(markdown)))


def expected_reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


# --- field parsers ------------------------------------------------------------------------

_Parser = Callable[[Any, str, list[Problem]], Any]


def _text(max_length: int) -> _Parser:
    allowed = f"allowed: text of 1 to {max_length} characters"

    def parse(value: Any, path: str, problems: list[Problem]) -> str | None:
        if type(value) is str and value.strip() and len(value) <= max_length:
            return value.strip()
        problems.append(Problem(path, value, allowed))
        return None

    return parse


def _whole(low: int, high: int) -> _Parser:
    allowed = f"allowed: a whole number from {low} to {high}"

    def parse(value: Any, path: str, problems: list[Problem]) -> int | None:
        if type(value) is int and low <= value <= high:  # bool is not int here: type() is exact
            return value
        problems.append(Problem(path, value, allowed))
        return None

    return parse


def _flag(value: Any, path: str, problems: list[Problem]) -> bool | None:
    if type(value) is bool:
        return value
    problems.append(Problem(path, value, "allowed: true or false"))
    return None


def _choice(enum_type: type[StrEnum]) -> _Parser:
    by_value = {member.value: member for member in enum_type}
    allowed = "allowed: " + ", ".join(by_value)

    def parse(value: Any, path: str, problems: list[Problem]) -> StrEnum | None:
        member = by_value.get(value) if type(value) is str else None
        if member is None:
            problems.append(Problem(path, value, allowed))
        return member

    return parse


def _slug(value: Any, path: str, problems: list[Problem]) -> str | None:
    if type(value) is str and _SLUG.fullmatch(value):
        return value
    problems.append(
        Problem(path, value, "allowed: lower-case letters and digits, words joined by hyphens")
    )
    return None


def _language(value: Any, path: str, problems: list[Problem]) -> str | None:
    if type(value) is str and _LANGUAGE.fullmatch(value):
        return value
    problems.append(Problem(path, value, 'allowed: a language tag such as "en" or "pt-BR"'))
    return None


def _date(value: Any, path: str, problems: list[Problem]) -> dt.date | None:
    # A TOML date (review_date = 2026-11-27, no quotes) arrives as datetime.date; a date-time is
    # a datetime.datetime (a subclass), which we refuse: review dates are whole days.
    if type(value) is dt.date:
        return value
    problems.append(Problem(path, value, "allowed: a TOML date written YYYY-MM-DD, no quotes"))
    return None


def _source(value: Any, path: str, problems: list[Problem]) -> str | None:
    if type(value) is str and value in SOURCES:
        return value
    problems.append(
        Problem(path, value, "allowed: a source named in SOURCES in backcare/engine/education.py")
    )
    return None


def _list_of(item: _Parser, *, min_items: int = 0) -> _Parser:
    def parse(value: Any, path: str, problems: list[Problem]) -> tuple[Any, ...] | None:
        if type(value) is not list or len(value) < min_items:
            shown = Described(f"a list of {len(value)} entries") if type(value) is list else value
            problems.append(Problem(path, shown, f"allowed: a list of at least {min_items}"))
            return None
        out = tuple(item(entry, f"{path}[{i}]", problems) for i, entry in enumerate(value))
        present = [entry for entry in out if entry is not None]
        if len(set(present)) != len(present):
            problems.append(Problem(path, value, "allowed: each entry at most once"))
        return out

    return parse


@dataclasses.dataclass(frozen=True, slots=True)
class FieldRule:
    """One field of a content table: what is allowed (for people) and its parser (for code)."""

    name: str
    allowed: str
    parse: _Parser
    required: bool = True


def _fields(
    table: Any, rules: Sequence[FieldRule], prefix: str, problems: list[Problem]
) -> dict[str, Any] | None:
    """Parse ``table`` field by field; None if anything in it was wrong."""
    before = len(problems)
    if type(table) is not dict:
        problems.append(Problem(prefix.rstrip(".:"), table, "allowed: a table of named fields"))
        return None
    by_name = {rule.name: rule for rule in rules}
    out: dict[str, Any] = {}
    for key, raw in table.items():
        rule = by_name.get(key)
        if rule is None:
            allowed = "unknown field; allowed: " + ", ".join(by_name)
            problems.append(Problem(prefix + key, raw, allowed))
        else:
            out[key] = rule.parse(raw, prefix + key, problems)
    for rule in rules:
        if rule.required and rule.name not in table:
            problems.append(Problem(prefix + rule.name, _NOTHING, "this field is required"))
    return out if len(problems) == before else None


# --- education topics ---------------------------------------------------------------------

FRONT_MATTER: tuple[FieldRule, ...] = (
    FieldRule("id", "the file name without .md; lower-case words joined by hyphens", _slug),
    FieldRule("title", "text, 1 to 100 characters", _text(100)),
    FieldRule("language", 'a language tag such as "en"', _language),
    FieldRule(
        "audience",
        "a list of one or more of: " + ", ".join(Audience),
        _list_of(_choice(Audience), min_items=1),
    ),
    FieldRule(
        "reading_minutes",
        f"whole minutes, within {READING_MINUTES_TOLERANCE} of words ÷ {WORDS_PER_MINUTE} "
        "rounded up",
        _whole(1, 60),
    ),
    FieldRule("summary", "one sentence, 1 to 300 characters", _text(300)),
    FieldRule("sources", "a list of one or more keys of SOURCES", _list_of(_source, min_items=1)),
    FieldRule(
        "reviewer",
        'who signed the topic off (a name), or "pending clinical review"',
        _text(120),
    ),
    FieldRule("review_date", "a TOML date (YYYY-MM-DD, no quotes)", _date),
    FieldRule("review_due", "a TOML date after review_date", _date),
    FieldRule("tags", "a list of lower-case hyphenated words (may be empty)", _list_of(_slug)),
)


def _split_front_matter(text: str) -> tuple[str, str] | None:
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0].strip() != "+++":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "+++":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    return None


def _read_topic(path: Path, where: str, problems: list[Problem]) -> Topic | None:
    parts = _split_front_matter(path.read_text(encoding="utf-8"))
    if parts is None:
        allowed = "allowed: a first line '+++', TOML front matter, then a closing '+++' line"
        problems.append(Problem(where, Described("no front matter"), allowed))
        return None
    front, body = parts
    try:
        table = tomllib.loads(front)
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(where, str(error), "allowed: valid TOML between the '+++' lines"))
        return None
    values = _fields(table, FRONT_MATTER, where + ":", problems)
    if not body.strip():
        problems.append(Problem(where + ":body", "", "allowed: a Markdown body after the '+++'"))
        return None
    if values is None:
        return None
    before = len(problems)
    if values["id"] != path.stem:
        problems.append(
            Problem(
                where + ":id", values["id"], f'allowed: the file name without .md, "{path.stem}"'
            )
        )
    if values["review_due"] <= values["review_date"]:
        problems.append(
            Problem(
                where + ":review_due",
                values["review_due"],
                f"allowed: a date after review_date ({values['review_date']})",
            )
        )
    words = count_words(body)
    expected = expected_reading_minutes(words)
    if abs(values["reading_minutes"] - expected) > READING_MINUTES_TOLERANCE:
        problems.append(
            Problem(
                where + ":reading_minutes",
                values["reading_minutes"],
                f"allowed: {expected} (the body has {words} words; at {WORDS_PER_MINUTE} a "
                f"minute that is {expected}; {READING_MINUTES_TOLERANCE} either way is accepted)",
            )
        )
    if len(problems) != before:
        return None
    return Topic(body=body.strip() + "\n", **values)


def _topics(content_dir: Path, problems: list[Problem]) -> tuple[Topic, ...]:
    folder = content_dir / EDUCATION_DIR
    if not folder.is_dir():
        problems.append(Problem(EDUCATION_DIR, _NOTHING, "allowed: a folder of topic files"))
        return ()
    topics = []
    for path in sorted(folder.glob("*.md")):
        if path.name != README:
            topic = _read_topic(path, f"{EDUCATION_DIR}/{path.name}", problems)
            if topic is not None:
                topics.append(topic)
    # Topic ids are unique because each must equal its file name.
    return tuple(topics)


# --- techniques ---------------------------------------------------------------------------

SAFETY_ITEM: tuple[FieldRule, ...] = (
    FieldRule("tag", "a stable hyphenated tag, e.g. cardiac-pacemaker", _slug),
    FieldRule("text", "plain words, 1 to 300 characters", _text(300)),
)

GUIDELINE_ENTRY: tuple[FieldRule, ...] = (
    FieldRule("recommendation", "one of: " + ", ".join(Recommendation), _choice(Recommendation)),
    FieldRule("note", "plain words, 1 to 600 characters", _text(600)),
    FieldRule("source", "a key of SOURCES", _source),
    FieldRule("uncertain", "true when the grade or wording was not confirmed", _flag),
)


def _table_of(rules: Sequence[FieldRule], make: Callable[..., Any]) -> _Parser:
    def parse(value: Any, path: str, problems: list[Problem]) -> Any:
        values = _fields(value, rules, path + ".", problems)
        return None if values is None else make(**values)

    return parse


def _status_maker(key: str) -> Callable[..., GuidelineStatus]:
    def make(**values: Any) -> GuidelineStatus:
        return GuidelineStatus(guideline=key, **values)

    return make


GUIDELINE_TABLE: tuple[FieldRule, ...] = tuple(
    FieldRule(
        key,
        "a table with " + ", ".join(r.name for r in GUIDELINE_ENTRY),
        _table_of(GUIDELINE_ENTRY, _status_maker(key)),
    )
    for key in GUIDELINES
)


def _guideline_entries(
    value: Any, path: str, problems: list[Problem]
) -> tuple[GuidelineStatus, ...] | None:
    values = _fields(value, GUIDELINE_TABLE, path + ".", problems)
    return None if values is None else tuple(values[key] for key in GUIDELINES)


TECHNIQUE_FIELDS: tuple[FieldRule, ...] = (
    FieldRule("id", "lower-case words joined by hyphens, unique in the file", _slug),
    FieldRule("name", "text, 1 to 100 characters", _text(100)),
    FieldRule("group", "one of: " + ", ".join(TechniqueGroup), _choice(TechniqueGroup)),
    FieldRule("what_it_is", "plain words, 1 to 600 characters", _text(600)),
    FieldRule(
        "indications",
        "a list of one or more plain-words entries",
        _list_of(_text(300), min_items=1),
    ),
    FieldRule(
        "contraindications",
        "a list of {tag, text} tables: do not use when",
        _list_of(_table_of(SAFETY_ITEM, SafetyItem)),
    ),
    FieldRule(
        "precautions",
        "a list of {tag, text} tables: take care when",
        _list_of(_table_of(SAFETY_ITEM, SafetyItem)),
    ),
    FieldRule(
        "safety_sources", "a list of one or more keys of SOURCES", _list_of(_source, min_items=1)
    ),
    FieldRule(
        "safety_uncertain",
        "true when the safety lists are not fully sourced (clinical-facts [uncertain])",
        _flag,
    ),
    FieldRule("note", "plain words, 1 to 600 characters", _text(600), False),
    FieldRule(
        "guidelines",
        "a table with exactly "
        + ", ".join(GUIDELINES)
        + ", each with "
        + ", ".join(r.name for r in GUIDELINE_ENTRY),
        _guideline_entries,
    ),
)


def _techniques(content_dir: Path, problems: list[Problem]) -> tuple[Technique, ...]:
    path = content_dir / TECHNIQUES_FILE
    if not path.is_file():
        problems.append(Problem(TECHNIQUES_FILE, _NOTHING, "allowed: a TOML file of techniques"))
        return ()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(TECHNIQUES_FILE, str(error), "allowed: valid TOML"))
        return ()
    top = (
        FieldRule(
            "technique", "one [[technique]] table per technique", _list_of(_technique, min_items=1)
        ),
    )
    values = _fields(document, top, TECHNIQUES_FILE + ":", problems)
    if values is None:
        return ()
    techniques: tuple[Technique, ...] = values["technique"]
    seen: set[str] = set()
    for i, technique in enumerate(techniques):
        if technique.id in seen:
            where = f"{TECHNIQUES_FILE}:technique[{i}].id"
            problems.append(Problem(where, technique.id, "allowed: each technique id at most once"))
        seen.add(technique.id)
    return techniques


def _technique(value: Any, path: str, problems: list[Problem]) -> Technique | None:
    values = _fields(value, TECHNIQUE_FIELDS, path + ".", problems)
    if values is None:
        return None
    values.setdefault("note", "")
    return Technique(**values)


# --- public API ---------------------------------------------------------------------------


def load_topics(content_dir: Path | str) -> tuple[Topic, ...]:
    """Every topic in ``content_dir/education``, sorted by id; InvalidDocument if any is wrong."""
    problems: list[Problem] = []
    topics = _topics(Path(content_dir), problems)
    if problems:
        raise InvalidDocument(problems)
    return topics


def load_techniques(content_dir: Path | str) -> tuple[Technique, ...]:
    """Every technique in ``content_dir/techniques.toml``, in file order; InvalidDocument if wrong."""
    problems: list[Problem] = []
    techniques = _techniques(Path(content_dir), problems)
    if problems:
        raise InvalidDocument(problems)
    return techniques


def check_education(content_dir: Path | str) -> list[Problem]:
    """Every problem in the education topics and the techniques file (empty when all is well)."""
    problems: list[Problem] = []
    _topics(Path(content_dir), problems)
    _techniques(Path(content_dir), problems)
    return problems


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def rules_markdown() -> str:
    """The content rules as Markdown, generated from the module tables."""
    out = ["# Education and technique content rules", ""]
    out += ["## Topic front matter (`content/education/<id>.md`)", ""]
    out += _table(["field", "allowed"], [(f"`{r.name}`", r.allowed) for r in FRONT_MATTER])
    out += ["", "## Technique fields (`content/techniques.toml`)", ""]
    rows = [
        (f"`{r.name}`", r.allowed + ("" if r.required else " (optional)")) for r in TECHNIQUE_FIELDS
    ]
    out += _table(["field", "allowed"], rows)
    out += ["", "## Guidelines", ""]
    out += _table(
        ["key", "guideline", "source"],
        [(f"`{k}`", g.name, g.source) for k, g in GUIDELINES.items()],
    )
    out += ["", "## Recommendation values", ""]
    out += _table(["value", "meaning"], [(f"`{k}`", v) for k, v in RECOMMENDATIONS.items()])
    out += ["", "## Sources that content may cite", ""]
    out += _table(
        ["key", "reference", "certainty"],
        [(k, s.reference, s.certainty.value) for k, s in SOURCES.items()],
    )
    return "\n".join(out) + "\n"


def evidence_markdown(techniques: Sequence[Technique]) -> str:
    """The evidence status of each technique in each guideline, as a Markdown table."""
    header = ["technique", *(GUIDELINES[k].name for k in GUIDELINES)]
    rows = []
    for technique in techniques:
        cells = [technique.name]
        for entry in technique.guidelines:
            mark = " [uncertain]" if entry.uncertain else ""
            cells.append(f"**{entry.recommendation.value}**{mark}: {entry.note} ({entry.source})")
        rows.append(cells)
    return "\n".join(_table(header, rows)) + "\n"
