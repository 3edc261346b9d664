"""`backcare progress PLAN_JSON LOGS_JSON`: the next step as a person or a program reads it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import jsonschema

from backcare import cli
from backcare.engine.progression import logs_schema, progress_schema

ROOT = Path(__file__).resolve().parents[2]
PLAN = str(ROOT / "docs" / "examples" / "progress" / "progress-plan.json")
LOGS = str(ROOT / "docs" / "examples" / "progress" / "progress-logs-week-3.json")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_err, sys.stderr = sys.stderr, err
    try:
        status = cli.main(list(args), out=out, stdin=io.StringIO(""))
    finally:
        sys.stderr = old_err
    return status, out.getvalue(), err.getvalue()


def test_the_report_shows_alerts_then_exercises_then_the_course() -> None:
    status, out, _ = run("progress", PLAN, LOGS, "--today", "2026-01-25")
    assert status == 0
    assert out.index("No alerts.") < out.index("Exercises") < out.index("Course")
    assert "Bird dog (level 2): PROGRESS -> level 3" in out
    assert "improving" in out


def test_the_json_is_a_valid_progress_document() -> None:
    status, out, _ = run("progress", PLAN, LOGS, "--today", "2026-01-25", "--json")
    assert status == 0
    document = json.loads(out)
    jsonschema.validate(document, progress_schema())
    assert document["format"] == "backcare-progress/1"
    assert [e["action"] for e in document["exercises"]] == ["hold", "progress"]


def test_schema_prints_the_logs_and_progress_schemas() -> None:
    for name, schema in (("logs", logs_schema()), ("progress", progress_schema())):
        status, out, _ = run("schema", name)
        assert status == 0 and json.loads(out) == schema


def test_bad_input_in_either_file_exits_2_naming_the_file_and_the_field(tmp_path: Path) -> None:
    plan = json.loads(Path(PLAN).read_text(encoding="utf-8"))
    plan["minutes_per_day"] = -1
    logs = json.loads(Path(LOGS).read_text(encoding="utf-8"))
    logs["sessions"][0]["pain_during"] = 12
    bad_plan, bad_logs = tmp_path / "plan.json", tmp_path / "logs.json"
    bad_plan.write_text(json.dumps(plan), encoding="utf-8")
    bad_logs.write_text(json.dumps(logs), encoding="utf-8")
    status, out, err = run("progress", str(bad_plan), str(bad_logs))
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"{bad_plan}: minutes_per_day: -1 is not allowed")
    assert lines[1].startswith(f"{bad_logs}: sessions[0].pain_during: 12 is not allowed")


def test_not_json_a_missing_file_and_a_mismatched_plan_are_bad_input(tmp_path: Path) -> None:
    text = tmp_path / "text.json"
    text.write_text("not json", encoding="utf-8")
    status, _, err = run("progress", str(text), str(text))
    assert status == 2 and len(err.splitlines()) == 2 and "not JSON" in err
    status, _, err = run("progress", PLAN, str(tmp_path / "missing.json"))
    assert status == 2 and "no such file" in err
    logs = json.loads(Path(LOGS).read_text(encoding="utf-8"))
    logs["plan_intake_id"] = "someone-else"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(logs), encoding="utf-8")
    status, _, err = run("progress", PLAN, str(other))
    assert status == 2 and "plan_intake_id" in err


def test_a_broken_content_folder_is_bad_input(tmp_path: Path) -> None:
    status, _, err = run("progress", PLAN, LOGS, "--content", str(tmp_path))
    assert status == 2 and str(tmp_path) in err
