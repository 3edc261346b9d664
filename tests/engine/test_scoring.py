"""Scoring of NPRS, ODI, RMDQ, STarT Back, PSFS and FABQ against worked examples and rules."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.engine.intake import (
    Bothersome,
    FabqAnswers,
    OdiAnswers,
    OdiVariant,
    PsfsItem,
    Questionnaires,
    RmdqAnswers,
    StartBackAnswers,
    parse_intake,
)
from backcare.engine.scoring import (
    CHANGE_RULES,
    FABQ_CUTOFFS,
    ODI_BANDS,
    ODI_MISSING,
    SCORING_RULES,
    STARTBACK_RISK,
    OdiBand,
    Risk,
    Scores,
    Status,
    rules_markdown,
    score_all,
    score_fabq,
    score_nprs,
    score_odi,
    score_psfs,
    score_rmdq,
    score_startback,
    scores_to_json,
    startback_risk,
)

CASES = Path(__file__).parent / "cases"


def cases(instrument: str) -> list[Any]:
    with (CASES / f"{instrument}.toml").open("rb") as f:
        rows = tomllib.load(f)["score"]
    return [pytest.param(row, id=row["id"]) for row in rows]


def blanks(values: list[Any]) -> tuple[Any, ...]:
    """A case's answers with "-" as None (TOML has no null)."""
    return tuple(None if v == "-" else v for v in values)


# --- NPRS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("nprs"))
def test_nprs_is_the_rating_itself(case: dict[str, Any]) -> None:
    score = score_nprs(case["value"])
    assert score.value == case["value"]
    assert score.status is Status.SCORED


@pytest.mark.parametrize("value", [-1, 11, True, 2.5])
def test_nprs_refuses_anything_but_a_whole_number_0_to_10(value: Any) -> None:
    with pytest.raises(ValueError, match="0 to 10"):
        score_nprs(value)


# --- ODI ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("odi"))
def test_odi_worked_examples(case: dict[str, Any]) -> None:
    variant = OdiVariant(case.get("variant", "2.1a"))
    score = score_odi(OdiAnswers(variant=variant, answers=blanks(case["answers"])))
    assert score.status == case["status"]
    assert score.percent == case.get("percent")
    assert score.band == case.get("band")
    assert score.missing == tuple(case["missing"])
    assert score.variant is variant
    assert score.answered == 10 - len(case["missing"])


def test_odi_sixteen_of_fifty_is_32_percent() -> None:
    score = score_odi(OdiAnswers(answers=(2, 1, 3, 2, 2, 1, 1, 0, 2, 2)))
    assert (score.raw, score.answered, score.percent) == (16, 10, 32.0)
    assert score.variant is OdiVariant.V21A  # 2.1a unless given
    assert score.reason is None and score.notes == ()


def test_odi_one_missing_section_is_scored_out_of_45_with_a_note() -> None:
    score = score_odi(OdiAnswers(answers=(2, 1, 3, 2, 2, 1, 1, None, 2, 2)))
    assert (score.raw, score.answered, score.percent) == (16, 9, 35.6)
    assert score.status is Status.SCORED
    assert score.notes == ("Section 8 was not answered; the score comes from the other nine.",)


def test_odi_two_missing_sections_are_scored_but_marked_for_review_with_the_reason() -> None:
    score = score_odi(OdiAnswers(answers=(2, 1, 3, 2, 2, None, 1, None, 2, 2)))
    assert score.status is Status.REVIEW
    assert score.percent == 37.5
    assert score.reason is not None
    assert "6 and 8" in score.reason and "clinician should check" in score.reason


def test_odi_three_missing_sections_give_no_score_and_say_why() -> None:
    score = score_odi(OdiAnswers(answers=(2, None, 3, 2, 2, None, 1, None, 2, 2)))
    assert score.status is Status.NOT_SCORED
    assert score.percent is None and score.band is None and score.interpretation is None
    assert score.reason is not None
    assert "2, 6 and 8" in score.reason and "three or more" in score.reason


def test_odi_band_carries_a_plain_interpretation() -> None:
    score = score_odi(OdiAnswers(answers=(0,) * 10))
    assert score.band is OdiBand.MINIMAL
    assert score.interpretation == ODI_BANDS[0].meaning


@pytest.mark.parametrize(
    "answers",
    [None, (1,) * 9, (1,) * 9 + (6,), (1,) * 9 + (-1,)],
    ids=["no_answers", "nine_answers", "six_is_too_high", "negative"],
)
def test_odi_refuses_answers_that_break_the_contract(answers: Any) -> None:
    with pytest.raises(ValueError, match="ODI needs 10 answers"):
        score_odi(OdiAnswers(answers=answers))


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_odi_percent_is_0_to_100_and_follows_the_formula(answers: list[int | None]) -> None:
    score = score_odi(OdiAnswers(answers=tuple(answers)))
    answered = [a for a in answers if a is not None]
    assert score.answered == len(answered)
    if len(answered) < 8:
        assert score.status is Status.NOT_SCORED and score.percent is None
    else:
        assert score.percent is not None
        assert 0 <= score.percent <= 100
        assert score.percent == pytest.approx(sum(answered) / (5 * len(answered)) * 100, abs=0.05)
        assert score.band is not None
        expected = {10: Status.SCORED, 9: Status.SCORED, 8: Status.REVIEW}[len(answered)]
        assert score.status is expected


# --- RMDQ ---------------------------------------------------------------------------------

_MARK = {"Y": True, "N": False, "-": None}


@pytest.mark.parametrize("case", cases("rmdq"))
def test_rmdq_worked_examples(case: dict[str, Any]) -> None:
    score = score_rmdq(RmdqAnswers(answers=tuple(_MARK[c] for c in case["answers"])))
    assert (score.status, score.total, score.blank) == (
        case["status"],
        case["total"],
        case["blank"],
    )
    assert score.missing == tuple(i for i, c in enumerate(case["answers"], 1) if c == "-")


def test_rmdq_blank_statements_count_as_not_ticked_and_are_named() -> None:
    answers = (True, True, None, True) + (False,) * 18 + (None, True)
    score = score_rmdq(RmdqAnswers(answers=answers))
    assert (score.total, score.blank, score.missing) == (4, 2, (3, 23))
    assert score.status is Status.SCORED
    assert score.notes == ("Left blank, so counted as not ticked: statements 3 and 23.",)


def test_rmdq_one_blank_statement_is_named_in_the_singular() -> None:
    score = score_rmdq(RmdqAnswers(answers=(None,) + (False,) * 23))
    assert score.notes == ("Left blank, so counted as not ticked: statement 1.",)


def test_rmdq_all_blank_form_is_zero_marked_for_review() -> None:
    score = score_rmdq(RmdqAnswers(answers=(None,) * 24))
    assert (score.total, score.status) == (0, Status.REVIEW)
    assert score.reason is not None and "not filled in" in score.reason


@pytest.mark.parametrize("answers", [None, (True,) * 23, (True,) * 23 + (2,)])
def test_rmdq_refuses_answers_that_break_the_contract(answers: Any) -> None:
    with pytest.raises(ValueError, match="RMDQ needs 24 answers"):
        score_rmdq(RmdqAnswers(answers=answers))


@given(st.lists(st.sampled_from([True, False, None]), min_size=24, max_size=24))
def test_rmdq_total_is_0_to_24_and_counts_ticks(answers: list[bool | None]) -> None:
    score = score_rmdq(RmdqAnswers(answers=tuple(answers)))
    assert 0 <= score.total <= 24
    assert score.total == answers.count(True)
    assert score.blank == answers.count(None)


# --- STarT Back ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("startback"))
def test_startback_worked_examples(case: dict[str, Any]) -> None:
    answers = tuple(
        Bothersome(a) if isinstance(a, str) and a != "-" else a for a in blanks(case["answers"])
    )
    score = score_startback(StartBackAnswers(answers=answers))
    assert score.status == case["status"]
    assert score.total == case.get("total")
    assert score.psychosocial == case.get("psychosocial")
    assert score.risk == case.get("risk")
    assert score.missing == tuple(case.get("missing", ()))


@pytest.mark.parametrize(
    ("total", "psychosocial", "risk"),
    [(3, 3, Risk.LOW), (4, 3, Risk.MEDIUM), (4, 4, Risk.HIGH), (9, 5, Risk.HIGH), (0, 0, Risk.LOW)],
)
def test_startback_risk_boundaries(total: int, psychosocial: int, risk: Risk) -> None:
    assert startback_risk(total, psychosocial) is risk


def _reference_risk(answers: tuple[bool, ...]) -> Risk:
    """Keele's rule written out directly (clinical-facts §1.4), for comparison."""
    total, subscale = sum(answers), sum(answers[4:])
    if subscale >= 4:
        return Risk.HIGH
    return Risk.MEDIUM if total >= 4 else Risk.LOW


_ITEM9 = {True: Bothersome.VERY_MUCH, False: Bothersome.MODERATELY}


def test_startback_missing_items_decide_the_risk_only_when_every_completion_agrees() -> None:
    """The proof behind the missing-item rule: for every pattern of agree / disagree / missing
    over the nine items, the score gives a risk exactly when every way of answering the missing
    items gives that same risk, and otherwise gives none."""
    for pattern in itertools.product((True, False, None), repeat=9):
        answers = (*pattern[:8], None if pattern[8] is None else _ITEM9[pattern[8]])
        score = score_startback(StartBackAnswers(answers=answers))
        holes = [i for i, a in enumerate(pattern) if a is None]
        risks = set()
        for fill in itertools.product((True, False), repeat=len(holes)):
            complete = list(pattern)
            for i, value in zip(holes, fill, strict=True):
                complete[i] = value
            risks.add(_reference_risk(tuple(bool(a) for a in complete)))
        if not holes:
            assert score.status is Status.SCORED
            assert {score.risk} == risks
        elif len(risks) == 1:
            assert score.status is Status.REVIEW
            assert {score.risk} == risks
        else:
            assert score.status is Status.NOT_SCORED
            assert score.risk is None and score.total is None


def test_startback_reason_names_the_missing_items_and_the_possible_groups() -> None:
    answers = (True, True, True, None, False, False, False, False, Bothersome.NOT_AT_ALL)
    score = score_startback(StartBackAnswers(answers=answers))
    assert score.reason == (
        "Not answered: item 4. The answers could change the risk group (from low to medium), "
        "so there is no score yet. Ask those questions."
    )


@pytest.mark.parametrize(
    "answers",
    [
        None,
        (True,) * 8,
        (True,) * 7 + (Bothersome.SLIGHTLY, Bothersome.SLIGHTLY),
        (True,) * 9,
        (True,) * 8 + ("a_lot",),
    ],
    ids=["no_answers", "eight_answers", "scale_in_items_1_8", "yes_no_in_item_9", "unknown_word"],
)
def test_startback_refuses_answers_that_break_the_contract(answers: Any) -> None:
    with pytest.raises(ValueError, match="STarT Back"):
        score_startback(StartBackAnswers(answers=answers))


@given(
    st.lists(st.sampled_from([True, False, None]), min_size=8, max_size=8),
    st.one_of(st.none(), st.sampled_from(list(Bothersome))),
)
def test_startback_scores_stay_in_range(items: list[bool | None], nine: Bothersome | None) -> None:
    score = score_startback(StartBackAnswers(answers=(*items, nine)))
    if score.status is Status.NOT_SCORED:
        assert score.total is None and score.psychosocial is None and score.risk is None
    else:
        assert score.total is not None and score.psychosocial is not None
        assert 0 <= score.psychosocial <= min(5, score.total) <= 9
        assert score.risk is not None


# --- PSFS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("psfs"))
def test_psfs_worked_examples(case: dict[str, Any]) -> None:
    items = tuple(PsfsItem(f"activity {i}", s) for i, s in enumerate(blanks(case["scores"]), 1))
    score = score_psfs(items)
    assert score.status == case["status"]
    assert score.mean == case.get("mean")
    assert score.missing == tuple(case.get("missing", ()))
    assert len(score.notes) == case.get("notes", 0)
    assert score.items == tuple((i.activity, i.score) for i in items)


def test_psfs_fewer_than_three_activities_is_noted() -> None:
    score = score_psfs((PsfsItem("lifting my daughter", 3),))
    assert score.mean == 3.0
    assert score.notes == (
        "Only 1 rated. The scale asks for 3 to 5 activities; re-rate the same ones at each visit.",
    )


def test_psfs_with_no_rated_activity_says_why() -> None:
    score = score_psfs((PsfsItem("gardening", None),))
    assert score.status is Status.NOT_SCORED and score.mean is None
    assert score.reason == "No activity was rated from 0 to 10, so there is no score."


def test_psfs_refuses_more_than_five_activities_or_bad_ratings() -> None:
    with pytest.raises(ValueError, match="at most 5"):
        score_psfs(tuple(PsfsItem("a", 5) for _ in range(6)))
    with pytest.raises(ValueError, match="0-10"):
        score_psfs((PsfsItem("a", 11),))


@given(st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=5))
def test_psfs_mean_is_0_to_10(ratings: list[int | None]) -> None:
    score = score_psfs(tuple(PsfsItem("x", r) for r in ratings))
    rated = [r for r in ratings if r is not None]
    if rated:
        assert score.mean is not None and 0 <= score.mean <= 10
        assert score.mean == pytest.approx(sum(rated) / len(rated), abs=0.005)
    else:
        assert score.mean is None


# --- FABQ ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("fabq"))
def test_fabq_worked_examples(case: dict[str, Any]) -> None:
    if "answers" in case:
        answers = FabqAnswers(answers=blanks(case["answers"]))
    else:
        answers = FabqAnswers(
            physical_activity=case.get("given_physical_activity"), work=case.get("given_work")
        )
    score = score_fabq(answers)
    assert score.status == case["status"]
    assert score.physical_activity == case.get("physical_activity")
    assert score.work == case.get("work")
    assert [f.id for f in score.flags] == case["flags"]
    assert score.missing == tuple(case.get("missing", ()))
    assert score.from_subscales is ("answers" not in case)


def test_fabq_items_outside_the_subscales_never_change_the_scores() -> None:
    base = [3] * 16
    for item in (1, 8, 13, 14, 16):
        changed = list(base)
        changed[item - 1] = 6
        assert score_fabq(FabqAnswers(answers=tuple(changed))) == score_fabq(
            FabqAnswers(answers=tuple(base))
        )


def test_fabq_unscored_subscale_says_which_items_are_missing() -> None:
    answers = (0, 1, None, 1, 1, 2, 2, 0, 2, 2, 2, 2, 0, 0, 2, 0)
    score = score_fabq(FabqAnswers(answers=answers))
    assert score.reason == (
        "The physical activity score was not worked out because of unanswered item 3; "
        "backcare does not guess answers."
    )


def test_fabq_with_nothing_given_is_not_scored() -> None:
    score = score_fabq(FabqAnswers())
    assert score.status is Status.NOT_SCORED
    assert score.reason == "Neither the answers nor the subscale scores were given."


def test_fabq_physical_activity_cut_off_is_marked_uncertain() -> None:
    cut = next(c for c in FABQ_CUTOFFS if c.id == "fabq.physical_activity_over_14")
    assert cut.certainty == "uncertain" and "[uncertain]" in cut.source


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (FabqAnswers(answers=(0,) * 16, work=3), "not both"),
        (FabqAnswers(answers=(0,) * 15), "16 answers"),
        (FabqAnswers(answers=(7,) * 16), "16 answers"),
        (FabqAnswers(physical_activity=25), "0-24"),
        (FabqAnswers(work=43), "0-42"),
    ],
    ids=["answers_and_subscales", "fifteen_answers", "seven_is_too_high", "pa_25", "work_43"],
)
def test_fabq_refuses_input_that_breaks_the_contract(answers: FabqAnswers, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score_fabq(answers)


@given(st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=16, max_size=16))
def test_fabq_subscales_stay_in_range(answers: list[int | None]) -> None:
    score = score_fabq(FabqAnswers(answers=tuple(answers)))
    assert score.physical_activity is None or 0 <= score.physical_activity <= 24
    assert score.work is None or 0 <= score.work <= 42
    unscored = (score.physical_activity is None) + (score.work is None)
    assert score.status is (Status.SCORED, Status.REVIEW, Status.NOT_SCORED)[unscored]


# --- all instruments and the contract -----------------------------------------------------


def test_score_all_scores_only_the_questionnaires_given() -> None:
    assert score_all(Questionnaires()) == Scores()
    assert scores_to_json(Scores()) == {}
    scores = score_all(Questionnaires(nprs=6))
    assert scores.nprs is not None and scores.nprs.value == 6
    assert scores_to_json(scores) == {
        "nprs": {"status": "scored", "value": 6, "missing": [], "reason": None}
    }


def test_the_design_example_intake_scores_into_the_assessment_contract() -> None:
    intake = parse_intake(
        {
            "format": "backcare-intake/1",
            "questionnaires": {
                "nprs": 6,
                "odi": {"variant": "2.1a", "answers": [2, 1, 3, 2, 2, 1, 1, None, 2, 1]},
                "rmdq": {"answers": [True, False, None] + [False] * 21},
                "startback": {
                    "answers": [True, False, True, True, False, False, True, False, "very_much"]
                },
                "psfs": [{"activity": "lifting my daughter", "score": 3}],
                "fabq": {"physical_activity": 15, "work": 12},
            },
        }
    )
    out = scores_to_json(score_all(intake.questionnaires))
    json.dumps(out)  # plain JSON all the way down
    assert out["odi"] == {
        "status": "scored",
        "variant": "2.1a",
        "percent": 33.3,
        "band": "moderate",
        "interpretation": ODI_BANDS[1].meaning,
        "raw": 15,
        "answered": 9,
        "missing": [8],
        "reason": None,
        "notes": ["Section 8 was not answered; the score comes from the other nine."],
    }
    assert out["startback"] == {
        "status": "scored",
        "total": 5,
        "psychosocial": 2,
        "risk": "medium",
        "missing": [],
        "reason": None,
    }
    assert out["rmdq"]["total"] == 1 and out["rmdq"]["blank"] == 1 and out["rmdq"]["missing"] == [3]
    assert out["psfs"]["mean"] == 3.0 and out["psfs"]["rated"] == 1
    assert out["psfs"]["activities"] == [{"activity": "lifting my daughter", "score": 3}]
    assert out["fabq"]["from_subscales"] is True
    assert out["fabq"]["flags"][0]["id"] == "fabq.physical_activity_over_14"


def test_every_score_object_in_the_contract_has_status_missing_and_reason() -> None:
    scores = Scores(
        nprs=score_nprs(1),
        odi=score_odi(OdiAnswers(answers=(None,) * 10)),
        rmdq=score_rmdq(RmdqAnswers(answers=(None,) * 24)),
        startback=score_startback(StartBackAnswers(answers=(None,) * 9)),
        psfs=score_psfs((PsfsItem("walking", None),)),
        fabq=score_fabq(FabqAnswers(answers=(None,) * 16)),
    )
    out = scores_to_json(scores)
    assert set(out) == {"nprs", "odi", "rmdq", "startback", "psfs", "fabq"}
    for name, body in out.items():
        assert {"status", "missing", "reason"} <= set(body), name
        if body["status"] == "not_scored":
            assert body["reason"], name
    assert out["odi"]["band"] is None and out["startback"]["risk"] is None


def test_rules_markdown_renders_every_table_with_sources_and_certainty() -> None:
    text = rules_markdown()
    ids = (
        [r.id for r in SCORING_RULES]
        + [r.id for r in ODI_MISSING]
        + [c.id for c in FABQ_CUTOFFS]
        + [c.id for c in CHANGE_RULES]
        + [f"odi.band.{b.band.value}" for b in ODI_BANDS]
        + [f"startback.risk.{r.risk.value}" for r in STARTBACK_RISK]
    )
    for rule_id in ids:
        assert f"| {rule_id} |" in text
    assert "| synthesis |" in text and "| uncertain |" in text
    assert "| 20 < percent <= 40 |" in text
    assert "| 6 points or 30 % of baseline |" in text
    assert "no established MCID" in text
