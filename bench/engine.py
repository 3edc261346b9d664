"""How fast the assessment engine is, against the floor of only parsing and validating.

    python bench/engine.py [--count 10000] [--seed 1] [--repeat 5]

Generates ``count`` varied intake documents (seeded, so every run sees the same ones), then
times on one core, best of ``repeat`` runs:

- floor: JSON text -> validated Intake (``load_intake``), the least any assessment must do;
- assess: JSON text -> Intake -> Assessment (scores, triage, stage, classification);
- assess + JSON: the same, plus serialising the ``backcare-assessment/1`` document.

Prints assessments per second and the ratio to the floor. Targets (issue 2): at least 20,000
assessments a second and within 3x of the floor. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backcare.engine.assessment import assess, assessment_to_json
from backcare.engine.intake import (
    Area,
    Bladder,
    Bothersome,
    Cancer,
    Direction,
    Factor,
    Legs,
    NeuroDeficit,
    NightPain,
    Onset,
    Sex,
    Trend,
    Weakness,
    load_intake,
)

TODAY = dt.date(2026, 11, 27)


def _maybe(rng: random.Random, value: Any, known: float = 0.9) -> Any:
    return value if rng.random() < known else None


def _pick(rng: random.Random, enum_type: Any) -> str:
    return str(rng.choice(list(enum_type)).value)


def _some(rng: random.Random, enum_type: Any, most: int = 3) -> list[str]:
    return sorted({_pick(rng, enum_type) for _ in range(rng.randint(0, most))})


def _usually(rng: random.Random, common: str, enum_type: Any, rare: float) -> str:
    return common if rng.random() > rare else _pick(rng, enum_type)


def generate(rng: random.Random, rare: float = 0.005) -> dict[str, Any]:
    """One plausible intake: mostly mechanical back pain, red flags rare, some answers unknown.

    ``rare`` is the chance of each red-flag answer; raise it to exercise every rule.
    """

    def flag() -> bool | None:
        return _maybe(rng, rng.random() < rare, 0.95)

    return {
        "format": "backcare-intake/1",
        "id": f"bench-{rng.randrange(10**9)}",
        "assessed_on": "2026-11-27",
        "person": {"age": rng.randint(18, 90), "sex": _pick(rng, Sex)},
        "episode": {
            "days_since_onset": rng.choice(
                [rng.randint(0, 40), rng.randint(40, 90), rng.randint(90, 2000)]
            ),
            "onset": _usually(rng, rng.choice(["gradual", "sudden", "after_lifting"]), Onset, rare),
            "previous_episodes": rng.randint(0, 6),
            "trend": _pick(rng, Trend),
            "pain_now": rng.randint(0, 10),
            "pain_worst_24h": rng.randint(0, 10),
            "pain_best_24h": rng.randint(0, 10),
            "leg_pain_now": rng.randint(0, 10),
            "pain_areas": sorted({"low_back", *_some(rng, Area, 2)}),
            "leg_symptoms": _usually(rng, rng.choice(["none", "one_leg"]), Legs, rare * 3),
            "worse_with": _some(rng, Factor),
            "better_with": _some(rng, Factor),
            "night_pain": _pick(rng, NightPain),
            "morning_stiffness_minutes": rng.randint(0, 90),
        },
        "red_flag_screen": {
            "saddle_numbness": flag(),
            "bladder": _maybe(rng, _usually(rng, "normal", Bladder, rare), 0.95),
            "bowel_incontinence": flag(),
            "new_sexual_dysfunction": flag(),
            "leg_weakness": _usually(rng, "none", Weakness, rare),
            "leg_numbness": _usually(rng, rng.choice(["none", "one_leg"]), Legs, rare),
            "walking_difficulty_new": flag(),
            "fever_or_chills": flag(),
            "unexplained_weight_loss": flag(),
            "systemically_unwell": flag(),
            "abdominal_pulsation": flag(),
            "thoracic_pain": flag(),
            "pain_unchanged_by_position_or_movement": flag(),
        },
        "history": {
            "cancer": _usually(rng, "none", Cancer, rare),
            "osteoporosis": flag(),
            "long_term_steroids": flag(),
            "immunosuppressed": flag(),
            "iv_drug_use": flag(),
            "diabetes": rng.random() < 0.1,
            "smoker": rng.random() < 0.2,
            "family_history_spondyloarthritis": flag(),
            "psoriasis": flag(),
        },
        "exam": {
            "centralises_with": _pick(rng, Direction),
            "peripheralises_with": _pick(rng, Direction),
            "visible_lateral_shift": rng.random() < 0.1,
            "slr_angle": rng.randint(20, 100),
            "slr_reproduces_leg_pain": rng.random() < 0.3,
            "crossed_slr": rng.random() < 0.05,
            "neuro_deficit": _usually(rng, rng.choice(["none", "one_root"]), NeuroDeficit, rare),
            "hypomobile_lumbar_segment": _maybe(rng, rng.random() < 0.5, 0.7),
            "hip_internal_rotation_over_35": _maybe(rng, rng.random() < 0.5, 0.7),
            "aberrant_movement": rng.random() < 0.3,
            "prone_instability_test": rng.random() < 0.3,
            "temperature_c": round(rng.uniform(36.0, 37.6), 1),
            "heart_rate": rng.randint(55, 100),
        },
        "questionnaires": {
            "nprs": rng.randint(0, 10),
            "odi": {
                "variant": "2.1a",
                "answers": [_maybe(rng, rng.randint(0, 5), 0.95) for _ in range(10)],
            },
            "rmdq": {"answers": [rng.random() < 0.4 for _ in range(24)]},
            "startback": {
                "answers": [rng.random() < 0.4 for _ in range(8)] + [_pick(rng, Bothersome)]
            },
            "psfs": [
                {"activity": a, "score": rng.randint(0, 10)}
                for a in ("walking", "sitting", "lifting")
            ],
            "fabq": {"answers": [rng.randint(0, 6) for _ in range(16)]},
        },
        "preferences": {"minutes_per_day": rng.choice([10, 15, 20, 30]), "equipment": ["mat"]},
    }


def best_of(repeat: int, run: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    rng = random.Random(args.seed)
    texts = [json.dumps(generate(rng)) for _ in range(args.count)]
    intakes = [load_intake(t) for t in texts]
    levels: dict[str, int] = {}
    for intake in intakes:
        level = assess(intake, today=TODAY, content_version="bench").triage.level.value
        levels[level] = levels.get(level, 0) + 1

    # The sample and its parsed copies are long-lived setup data: move them out of the
    # collector's sight, as a server does with what it loads at start-up, so the timings
    # measure the work per intake and not repeated scans of 10,000 kept intakes.
    gc.collect()
    gc.freeze()

    def floor() -> None:
        for t in texts:
            load_intake(t)

    def full() -> None:
        for t in texts:
            assess(load_intake(t), today=TODAY, content_version="bench")

    def full_json() -> None:
        for t in texts:
            json.dumps(
                assessment_to_json(assess(load_intake(t), today=TODAY, content_version="bench"))
            )

    def engine_only() -> None:
        for i in intakes:
            assess(i, today=TODAY, content_version="bench")

    n = args.count
    t_floor = best_of(args.repeat, floor)
    t_full = best_of(args.repeat, full)
    t_json = best_of(args.repeat, full_json)
    t_engine = best_of(args.repeat, engine_only)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"intakes: {n} (seed {args.seed}), best of {args.repeat}, one core")
    print(f"triage levels in the sample: {dict(sorted(levels.items()))}")
    print(
        f"floor (parse + validate):      {n / t_floor:10,.0f} /s  {t_floor / n * 1e6:6.1f} us each"
    )
    print(f"assess (parse + engine):       {n / t_full:10,.0f} /s  {t_full / n * 1e6:6.1f} us each")
    print(f"assess + JSON output:          {n / t_json:10,.0f} /s  {t_json / n * 1e6:6.1f} us each")
    print(
        f"engine alone (parsed intakes): {n / t_engine:10,.0f} /s  {t_engine / n * 1e6:6.1f} us each"
    )
    print(f"ratio assess / floor:          {t_full / t_floor:10.2f}x   (target <= 3x)")
    print(f"ratio assess+JSON / floor:     {t_json / t_floor:10.2f}x")
    verdict = "met" if n / t_full >= 20_000 and t_full / t_floor <= 3 else "NOT met"
    print(f"targets (>= 20,000/s, <= 3x floor): {verdict}")


if __name__ == "__main__":
    main()
