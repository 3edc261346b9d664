"""Education topics: every file loads, the required topics exist, the words are easy to read,
and broken files are refused with the file, the field and what is allowed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import textstat  # type: ignore[import-untyped]

from backcare.engine.education import (
    FRONT_MATTER,
    SOURCES,
    Audience,
    Topic,
    check_education,
    count_words,
    evidence_markdown,
    expected_reading_minutes,
    load_techniques,
    load_topics,
    plain_text,
    rules_markdown,
)
from backcare.engine.validation import InvalidDocument

CONTENT = Path(__file__).parents[2] / "content"

# The topics the product promises (design.md steps 1, 3 and 6; issue 3).
REQUIRED_TOPICS = {
    "what-is-back-pain": "what back pain is and why it usually gets better",
    "cause-strain-or-sprain": "common cause: strain or sprain",
    "cause-herniated-disc": "common cause: herniated disc",
    "cause-arthritis": "common cause: arthritis",
    "cause-sciatica": "common cause: sciatica",
    "cause-posture-and-sitting": "common cause: posture and sitting",
    "what-physical-therapy-does": "the five aims",
    "what-happens-at-a-session": "manual therapy, exercise, heat and cold, TENS, education",
    "how-long-it-takes": "2-3 sessions a week for 4-6 weeks, honestly",
    "lifting-safely": "lifting",
    "workstation-setup": "workstation",
    "sitting-standing-sleeping": "sitting, standing and sleeping positions",
    "heat-and-cold-at-home": "heat and cold at home",
    "staying-active-and-pacing": "staying active and pacing",
    "hurt-is-not-harm": "hurt is not harm",
    "flare-up-plan": "a flare-up plan",
    "warning-signs": "the warning signs that need urgent help",
    "will-it-hurt": "will it hurt?",
    "do-i-need-a-referral": "direct access by place, dated",
    "can-physical-therapy-prevent-surgery": "can physical therapy prevent surgery",
    "back-to-work-and-sport": "back to work and sport",
    "keeping-it-away": "keeping it away after discharge",
}

# Flesch-Kincaid grade 8 is roughly a reading age of 13: the ceiling for text meant to be read
# comfortably at about 12 (brief for issue 3). Measured on the words a reader sees.
MAX_GRADE = 8.0

TOPICS = load_topics(CONTENT)


def test_all_education_content_loads_without_problems() -> None:
    assert check_education(CONTENT) == []


def test_there_are_at_least_22_topics() -> None:
    assert len(TOPICS) >= 22


@pytest.mark.parametrize("topic_id", sorted(REQUIRED_TOPICS))
def test_required_topic_exists(topic_id: str) -> None:
    assert topic_id in {t.id for t in TOPICS}, REQUIRED_TOPICS[topic_id]


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_topic_reads_at_grade_8_or_below(topic: Topic) -> None:
    grade = textstat.flesch_kincaid_grade(plain_text(topic.body))
    assert grade <= MAX_GRADE, f"{topic.id}: Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_topic_cites_only_known_sources_and_names_its_reviewer(topic: Topic) -> None:
    assert all(s in SOURCES for s in topic.sources)
    assert topic.reviewer


def test_warning_signs_send_cauda_equina_signs_to_the_emergency_department() -> None:
    body = {t.id: t for t in TOPICS}["warning-signs"].body.lower()
    for sign in ("numbness", "between your legs", "peeing", "bowel", "sex", "both legs"):
        assert sign in body
    assert "emergency department now" in body


def test_direct_access_topic_is_dated_and_says_rules_change() -> None:
    topic = {t.id: t for t in TOPICS}["do-i-need-a-referral"]
    assert "as of july 2019" in topic.body.lower()
    assert "rules change" in topic.body.lower()
    assert topic.review_due - topic.review_date <= dt.timedelta(days=183)


def test_course_length_is_described_as_typical_not_a_promise() -> None:
    body = {t.id: t for t in TOPICS}["how-long-it-takes"].body.lower()
    assert "2 or 3 visits a week for 4 to 6 weeks" in body
    assert "not a promise" in body


def test_audiences_are_the_public_facing_ones() -> None:
    assert {a for t in TOPICS for a in t.audience} <= {Audience.PATIENT, Audience.PUBLIC}


def test_word_count_and_reading_time_agree() -> None:
    topic = TOPICS[0]
    assert topic.word_count == count_words(topic.body)
    assert abs(topic.reading_minutes - expected_reading_minutes(topic.word_count)) <= 1


# --- plain text ---------------------------------------------------------------------------


def test_plain_text_makes_blocks_into_sentences_and_drops_markup() -> None:
    markdown = (
        "## A heading\n"
        "\n"
        "A paragraph that runs\n"
        "over two lines\n"
        "\n"
        "> A quote with a [link](https://example.org) and **bold** text.\n"
        "\n"
        "Go now if:\n"
        "\n"
        "- one item\n"
        "  carried on\n"
        "2. a numbered item!\n"
        "\n"
        "**\n"
    )
    assert plain_text(markdown) == (
        "A heading.\n"
        "A paragraph that runs over two lines.\n"
        "A quote with a link and bold text.\n"
        "Go now if.\n"
        "one item carried on.\n"
        "a numbered item!"
    )


def test_count_words_ignores_markup() -> None:
    assert count_words("## Don't *panic*\n\n- well-known [fact](x)") == 4


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (200, 1), (201, 2), (1000, 5)])
def test_expected_reading_minutes_rounds_up_at_200_words_a_minute(words: int, minutes: int) -> None:
    assert expected_reading_minutes(words) == minutes


# --- broken files -------------------------------------------------------------------------

BODY = "Short words for a short read.\n"
GOOD_FRONT = {
    "id": '"sample"',
    "title": '"A sample"',
    "language": '"en"',
    "audience": '["patient"]',
    "reading_minutes": "1",
    "summary": '"One sentence."',
    "sources": '["NICE NG59"]',
    "reviewer": '"pending clinical review"',
    "review_date": "2026-11-27",
    "review_due": "2027-11-27",
    "tags": '["pain"]',
}


def write_topic(
    content: Path, name: str = "sample", body: str = BODY, **fields: str | None
) -> Path:
    front = {**GOOD_FRONT, **fields}
    lines = [f"{k} = {v}" for k, v in front.items() if v is not None]
    folder = content / "education"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text("+++\n" + "\n".join(lines) + "\n+++\n" + body, encoding="utf-8")
    return path


def topic_problems(content: Path) -> list[str]:
    with pytest.raises(InvalidDocument) as caught:
        load_topics(content)
    return [str(p) for p in caught.value.problems]


def test_a_good_sample_topic_loads(tmp_path: Path) -> None:
    write_topic(tmp_path)
    (tmp_path / "education" / "README.md").write_text("Not a topic.\n", encoding="utf-8")
    (topic,) = load_topics(tmp_path)
    assert topic.id == "sample"
    assert topic.audience == (Audience.PATIENT,)
    assert topic.review_date == dt.date(2026, 11, 27)
    assert topic.body == BODY


def test_missing_front_matter_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "education"
    folder.mkdir()
    (folder / "plain.md").write_text("# Just a heading\n", encoding="utf-8")
    assert topic_problems(tmp_path) == [
        "education/plain.md: no front matter is not allowed; allowed: a first line '+++', "
        "TOML front matter, then a closing '+++' line"
    ]


def test_unclosed_front_matter_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "education"
    folder.mkdir()
    (folder / "open.md").write_text('+++\nid = "open"\n', encoding="utf-8")
    assert "education/open.md: no front matter" in topic_problems(tmp_path)[0]


def test_front_matter_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, title="not quoted")
    (problem,) = topic_problems(tmp_path)
    assert problem.startswith("education/sample.md: ")
    assert problem.endswith("allowed: valid TOML between the '+++' lines")


def test_a_bad_date_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, review_date='"27/11/2026"')
    assert topic_problems(tmp_path) == [
        'education/sample.md:review_date: "27/11/2026" is not allowed; '
        "allowed: a TOML date written YYYY-MM-DD, no quotes"
    ]


def test_a_date_time_is_not_a_date(tmp_path: Path) -> None:
    write_topic(tmp_path, review_due="2027-11-27T10:00:00")
    assert topic_problems(tmp_path)[0].startswith("education/sample.md:review_due: ")


def test_review_due_must_come_after_review_date(tmp_path: Path) -> None:
    write_topic(tmp_path, review_due="2026-11-27")
    assert topic_problems(tmp_path) == [
        'education/sample.md:review_due: "2026-11-27" is not allowed; '
        "allowed: a date after review_date (2026-11-27)"
    ]


def test_an_unknown_audience_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, audience='["patient", "children"]')
    assert topic_problems(tmp_path) == [
        'education/sample.md:audience[1]: "children" is not allowed; '
        "allowed: patient, public, clinician"
    ]


def test_an_audience_listed_twice_or_an_empty_audience_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, audience='["patient", "patient"]')
    assert topic_problems(tmp_path) == [
        'education/sample.md:audience: ["patient", "patient"] is not allowed; '
        "allowed: each entry at most once"
    ]
    write_topic(tmp_path, audience="[]")
    assert topic_problems(tmp_path) == [
        "education/sample.md:audience: a list of 0 entries is not allowed; "
        "allowed: a list of at least 1"
    ]


def test_a_wrong_reading_time_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, reading_minutes="5")
    assert topic_problems(tmp_path) == [
        "education/sample.md:reading_minutes: 5 is not allowed; allowed: 1 (the body has 6 "
        "words; at 200 a minute that is 1; 1 either way is accepted)"
    ]


def test_reading_minutes_must_be_a_whole_number(tmp_path: Path) -> None:
    write_topic(tmp_path, reading_minutes="true")
    assert topic_problems(tmp_path) == [
        "education/sample.md:reading_minutes: true is not allowed; "
        "allowed: a whole number from 1 to 60"
    ]


def test_missing_and_unknown_fields_are_named(tmp_path: Path) -> None:
    write_topic(tmp_path, sources=None, author='"someone"')
    allowed = ", ".join(rule.name for rule in FRONT_MATTER)
    assert topic_problems(tmp_path) == [
        f'education/sample.md:author: "someone" is not allowed; unknown field; allowed: {allowed}',
        "education/sample.md:sources: nothing is not allowed; this field is required",
    ]


def test_sources_must_be_known_and_not_empty(tmp_path: Path) -> None:
    write_topic(tmp_path, sources='["Dr Google", 7]')
    assert topic_problems(tmp_path) == [
        'education/sample.md:sources[0]: "Dr Google" is not allowed; '
        "allowed: a source named in SOURCES in backcare/engine/education.py",
        "education/sample.md:sources[1]: 7 is not allowed; "
        "allowed: a source named in SOURCES in backcare/engine/education.py",
    ]
    write_topic(tmp_path, sources='"NICE NG59"')
    assert topic_problems(tmp_path) == [
        'education/sample.md:sources: "NICE NG59" is not allowed; allowed: a list of at least 1'
    ]


def test_text_fields_language_and_tags_are_checked(tmp_path: Path) -> None:
    write_topic(tmp_path, title='"   "', language='"English"', tags='["Pain Relief"]')
    assert topic_problems(tmp_path) == [
        'education/sample.md:title: "   " is not allowed; allowed: text of 1 to 100 characters',
        'education/sample.md:language: "English" is not allowed; '
        'allowed: a language tag such as "en" or "pt-BR"',
        'education/sample.md:tags[0]: "Pain Relief" is not allowed; '
        "allowed: lower-case letters and digits, words joined by hyphens",
    ]


def test_the_id_must_be_the_file_name(tmp_path: Path) -> None:
    write_topic(tmp_path, name="other")
    assert topic_problems(tmp_path) == [
        'education/other.md:id: "sample" is not allowed; '
        'allowed: the file name without .md, "other"'
    ]


def test_a_copied_topic_that_keeps_the_old_id_is_refused(tmp_path: Path) -> None:
    # Ids are unique because each must equal its file name.
    write_topic(tmp_path)
    write_topic(tmp_path, name="copy")
    assert topic_problems(tmp_path) == [
        'education/copy.md:id: "sample" is not allowed; allowed: the file name without .md, "copy"'
    ]


def test_an_empty_body_is_refused(tmp_path: Path) -> None:
    write_topic(tmp_path, body="\n  \n")
    assert topic_problems(tmp_path) == [
        "education/sample.md:body: \"\" is not allowed; allowed: a Markdown body after the '+++'"
    ]


def test_a_missing_education_folder_is_reported(tmp_path: Path) -> None:
    assert topic_problems(tmp_path) == [
        "education: nothing is not allowed; allowed: a folder of topic files"
    ]


def test_check_education_reports_topics_and_techniques_together(tmp_path: Path) -> None:
    assert [str(p) for p in check_education(tmp_path)] == [
        "education: nothing is not allowed; allowed: a folder of topic files",
        "techniques.toml: nothing is not allowed; allowed: a TOML file of techniques",
    ]


# --- generated documentation --------------------------------------------------------------


def test_rules_markdown_lists_every_field_value_and_source() -> None:
    text = rules_markdown()
    for rule in FRONT_MATTER:
        assert f"| `{rule.name}` |" in text
    for value in ("`recommended`", "`not_recommended`", "`no_recommendation`", "`apta_2021`"):
        assert value in text
    assert "| backcare synthesis | " in text
    assert "| synthesis |" in text


def test_evidence_markdown_has_one_row_per_technique_and_marks_uncertain_grades() -> None:
    techniques = load_techniques(CONTENT)
    text = evidence_markdown(techniques)
    assert len(text.strip().splitlines()) == 2 + len(techniques)
    assert "**not_recommended**: Do not offer TENS" in text
    assert "[uncertain]" in text
