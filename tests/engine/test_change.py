"""Clinically important change: the MCID table and compare() (clinical-facts §1.8)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.engine.intake import OdiVariant
from backcare.engine.scoring import (
    CHANGE_RULES,
    Certainty,
    Instrument,
    NoEstablishedMcid,
    Verdict,
    change_rule,
    compare,
)

CASES = Path(__file__).parent / "cases"


def change_cases() -> list[Any]:
    out = []
    for instrument in ("nprs", "odi", "rmdq", "psfs"):
        with (CASES / f"{instrument}.toml").open("rb") as f:
            rows = tomllib.load(f)["change"]
        out += [pytest.param(instrument, row, id=f"{instrument}-{row['id']}") for row in rows]
    return out


@pytest.mark.parametrize(("instrument", "case"), change_cases())
def test_change_worked_examples(instrument: str, case: dict[str, Any]) -> None:
    variant = OdiVariant(case["variant"]) if "variant" in case else None
    change = compare(Instrument(instrument), case["baseline"], case["follow_up"], variant=variant)
    assert change.verdict == case["verdict"]
    assert change.meets_points is case["meets_points"]
    assert change.meets_percent is case["meets_percent"]
    assert change.difference == pytest.approx(case["follow_up"] - case["baseline"])


def test_change_reports_difference_percent_and_the_threshold_with_its_source() -> None:
    change = compare(Instrument.ODI, 40, 28)
    assert change.difference == -12
    assert change.percent_change == -30.0
    assert change.verdict is Verdict.IMPROVED
    assert change.variant is OdiVariant.V21A
    assert (change.threshold.points, change.threshold.percent) == (10, 30)
    assert "Ostelo" in change.threshold.source


def test_baseline_zero_has_no_percent_change() -> None:
    change = compare(Instrument.NPRS, 0, 1)
    assert change.percent_change is None
    assert change.verdict is Verdict.NO_IMPORTANT_CHANGE


def test_modified_odi_uses_six_points() -> None:
    assert change_rule(Instrument.ODI, OdiVariant.MODIFIED).points == 6
    assert change_rule(Instrument.ODI).points == 10


def test_psfs_higher_is_better_and_its_mcid_is_marked_uncertain() -> None:
    rule = change_rule(Instrument.PSFS)
    assert rule.higher_is_better and rule.points == 2 and rule.percent is None
    assert rule.certainty is Certainty.UNCERTAIN
    assert "1.4" in rule.source and "[uncertain]" in rule.source
    assert compare(Instrument.PSFS, 4, 7).verdict is Verdict.IMPROVED
    assert compare(Instrument.PSFS, 7, 4).verdict is Verdict.WORSE


def test_fabq_has_no_established_mcid_and_compare_says_so() -> None:
    with pytest.raises(NoEstablishedMcid, match="no established clinically important change"):
        compare(Instrument.FABQ, 30, 10)


def test_startback_is_not_a_change_measure() -> None:
    with pytest.raises(ValueError, match="risk groups"):
        compare(Instrument.STARTBACK, 6, 2)


@pytest.mark.parametrize(
    ("instrument", "baseline", "follow_up"),
    [
        (Instrument.NPRS, 11, 3),
        (Instrument.ODI, 20, 101),
        (Instrument.RMDQ, -1, 3),
        (Instrument.PSFS, float("nan"), 3),
        (Instrument.NPRS, "6", 3),
    ],
    ids=["nprs_11", "odi_101", "rmdq_negative", "psfs_nan", "text"],
)
def test_compare_refuses_values_outside_the_scale(
    instrument: Instrument, baseline: Any, follow_up: Any
) -> None:
    with pytest.raises(ValueError, match="scores run from"):
        compare(instrument, baseline, follow_up)


def test_a_variant_is_only_for_the_odi() -> None:
    with pytest.raises(ValueError, match="no variant"):
        compare(Instrument.NPRS, 6, 3, variant=OdiVariant.MODIFIED)


def test_every_instrument_has_exactly_one_change_rule_per_variant() -> None:
    keys = [(r.instrument, r.variant) for r in CHANGE_RULES]
    assert len(keys) == len(set(keys))
    assert {r.instrument for r in CHANGE_RULES} == set(Instrument)


_SCALES = {Instrument.NPRS: 10, Instrument.ODI: 100, Instrument.RMDQ: 24, Instrument.PSFS: 10}


@given(
    st.sampled_from(sorted(_SCALES)),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_worsening_is_judged_like_improvement(instrument: Instrument, a: float, b: float) -> None:
    top = _SCALES[instrument]
    baseline, follow_up = round(a * top, 1), round(b * top, 1)
    change = compare(instrument, baseline, follow_up)
    rule = change.threshold
    important = change.meets_points or change.meets_percent
    assert (change.verdict is not Verdict.NO_IMPORTANT_CHANGE) is important
    assert change.meets_points is (abs(change.difference) >= rule.points)  # type: ignore[operator]
    gain = change.difference if rule.higher_is_better else -change.difference
    if change.verdict is Verdict.IMPROVED:
        assert gain > 0
    if change.verdict is Verdict.WORSE:
        assert gain < 0
