"""`backcare plan` and `backcare schema plan` as a person or another program uses them."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import jsonschema

from backcare import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run the CLI in-process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_err, sys.stderr = sys.stderr, err
    try:
        status = cli.main(list(args), out=out, stdin=io.StringIO(stdin))
    finally:
        sys.stderr = old_err
    return status, out.getvalue(), err.getvalue()


def test_the_plan_report_lists_the_programme_course_and_techniques() -> None:
    status, out, _ = run(
        "plan",
        str(EXAMPLES / "subgroup-extension.json"),
        "--today",
        "2026-11-27",
        "--start",
        "2026-11-30",
    )
    assert status == 0
    for part in (
        "Aims",
        "Home programme",
        "Course",
        "2026-11-30",
        "Clinic techniques",
        "Education",
        "Left out",
        "Ready to finish when",
    ):
        assert part in out


def test_a_blocked_plan_leads_with_no_exercise_plan() -> None:
    status, out, _ = run("plan", str(EXAMPLES / "example-emergency-cauda-equina.json"))
    assert status == 0
    assert out.splitlines()[2] == "NO EXERCISE PLAN YET"


def test_the_json_plan_validates_against_the_printed_schema() -> None:
    status, out, _ = run(
        "plan", str(EXAMPLES / "example-physio.json"), "--json", "--today", "2026-11-27"
    )
    assert status == 0
    document = json.loads(out)
    assert document["format"] == "backcare-plan/1"
    assert document["created_on"] == "2026-11-27" and document["start"] == "2026-11-27"
    status, schema_text, _ = run("schema", "plan")
    assert status == 0
    jsonschema.Draft202012Validator(json.loads(schema_text)).validate(document)


def test_the_plan_reads_standard_input() -> None:
    text = (EXAMPLES / "subgroup-flexion.json").read_text(encoding="utf-8")
    status, out, _ = run("plan", "-", "--json", stdin=text)
    assert status == 0 and json.loads(out)["home_programme"]


def test_bad_input_exits_2_with_one_line_per_problem() -> None:
    status, _, err = run("plan", "-", stdin='{"format": "backcare-intake/1", "person": {"age": 3}}')
    assert status == 2
    assert err.strip().splitlines()[0].startswith("person.age")
    status, _, err = run("plan", str(ROOT / "no-such-file.json"))
    assert status == 2 and "no such file" in err
    status, _, err = run("plan", str(EXAMPLES / "example-physio.json"), "--start", "soon")
    assert status == 2


def test_broken_content_exits_2_naming_the_problem(tmp_path: Path) -> None:
    status, _, err = run("plan", str(EXAMPLES / "example-physio.json"), "--content", str(tmp_path))
    assert status == 2
    assert str(tmp_path) in err
