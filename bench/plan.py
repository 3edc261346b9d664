"""How fast the planner is, and how close its solver gets to proven optimal.

    python bench/plan.py [--count 1000] [--seed 1]

Generates ``count`` intakes with bench/engine.py's ``generate()`` (seeded), assesses them, then
times ``plan_with_stats`` one plan at a time on one core, solver included. Prints the median and
99th-percentile plan time (targets, issue 4: median 50 ms or less, p99 250 ms or less), the
share of home programmes solved to OPTIMAL, and the mean relative gap between the objective and
the solver's bound. Figures go in docs/benchmarks.md; no assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import TODAY, generate  # bench/engine.py

from backcare.engine.assessment import assess
from backcare.engine.intake import parse_intake
from backcare.engine.planning import load_content, plan_with_stats

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    content = load_content(ROOT / "content")
    rng = random.Random(args.seed)
    intakes = [parse_intake(generate(rng)) for _ in range(args.count)]
    cases = [(assess(i, today=TODAY, content_version=content.version), i) for i in intakes]
    # Warm up the solver library once, as a server would.
    plan_with_stats(cases[0][0], cases[0][1], content, today=TODAY)

    times: list[float] = []
    programme_times: list[float] = []
    solver_times: list[float] = []
    gaps: list[float] = []
    candidates: list[int] = []
    statuses: dict[str, int] = {}
    blocked = 0
    for assessment, intake in cases:
        began = time.perf_counter()
        plan, stats = plan_with_stats(assessment, intake, content, today=TODAY)
        times.append(time.perf_counter() - began)
        statuses[stats.status] = statuses.get(stats.status, 0) + 1
        if plan.blocked:
            blocked += 1
            continue
        programme_times.append(times[-1])
        solver_times.append(stats.seconds)
        candidates.append(stats.candidates)
        bound = abs(stats.bound) or 1.0
        gaps.append(abs(stats.bound - stats.objective) / bound)

    def ms(values: list[float], q: float) -> str:
        ordered = sorted(values)
        return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"

    solved = len(solver_times)
    optimal = statuses.get("OPTIMAL", 0)
    print(f"python {platform.python_version()} on {platform.machine()}, one core")
    print(f"{args.count} plans ({blocked} blocked by triage, {solved} with a home programme)")
    print(
        f"plan time, all:        median {ms(times, 0.5)}, p99 {ms(times, 0.99)}, max {ms(times, 1)}"
    )
    print(
        f"plan time, programmes: median {ms(programme_times, 0.5)}, p99 {ms(programme_times, 0.99)}"
    )
    print(f"solver part:           median {ms(solver_times, 0.5)}, p99 {ms(solver_times, 0.99)}")
    print(
        f"candidates per model:  median {statistics.median(candidates):.0f}, max {max(candidates)}"
    )
    print(f"solver status: {dict(sorted(statuses.items()))}")
    print(f"solved to OPTIMAL: {optimal / solved:.1%} of home programmes")
    print(f"mean gap objective-to-bound: {statistics.fmean(gaps):.4%}; max {max(gaps):.4%}")
    print("targets: median <= 50 ms, p99 <= 250 ms (issue 4)")


if __name__ == "__main__":
    main()
