"""The `backcare` command as a person or another program uses it."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from backcare import cli
from backcare.engine.rules import rule_documents

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


def test_the_report_leads_with_the_triage_level() -> None:
    status, out, _ = run("assess", str(EXAMPLES / "example-emergency-cauda-equina.json"))
    assert status == 0
    lines = out.splitlines()
    assert lines[1].strip().startswith("EMERGENCY")
    assert "cauda equina" in out
    assert "does not diagnose" in out


def test_a_physio_report_shows_scores_stage_and_classification() -> None:
    status, out, _ = run("assess", str(EXAMPLES / "example-physio.json"))
    assert status == 0
    assert "PHYSICAL THERAPY" in out.splitlines()[1]
    assert "Oswestry (ODI)" in out
    assert "33.3 %" in out  # 15 of 45: one section (sex life) unanswered
    assert "STarT Back" in out
    assert "Stage: acute" in out
    assert "Directional preference    extension" in out


def test_an_incomplete_screen_says_so_and_what_to_ask() -> None:
    status, out, _ = run("assess", str(EXAMPLES / "example-incomplete-screen.json"))
    assert status == 0
    assert "red_flag_screen.saddle_numbness" in out
    assert "incomplete" in out.lower()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_json_output_follows_the_published_assessment_schema(path: Path) -> None:
    status, out, _ = run("assess", str(path), "--json")
    assert status == 0
    document = json.loads(out)
    _, schema_text, _ = run("schema", "assessment")
    jsonschema.validate(document, json.loads(schema_text))
    assert document["format"] == "backcare-assessment/1"
    assert document["content_version"] == (ROOT / "content" / "VERSION").read_text().strip()


def test_example_levels_are_what_their_names_say() -> None:
    for level in ("emergency", "urgent", "soon", "routine", "physio", "self-care"):
        [path] = EXAMPLES.glob(f"example-{level}*.json")
        _, out, _ = run("assess", str(path), "--json")
        assert json.loads(out)["triage"]["level"] == level.replace("-", "_"), path.name


def test_standard_input_is_read_with_a_dash() -> None:
    text = (EXAMPLES / "example-self-care.json").read_text()
    status, out, _ = run("assess", "-", "--json", stdin=text)
    assert status == 0
    assert json.loads(out)["triage"]["level"] == "self_care"


def test_today_is_used_when_the_intake_has_no_date() -> None:
    status, out, _ = run(
        "assess", "-", "--json", "--today", "2026-12-01", stdin='{"format": "backcare-intake/1"}'
    )
    assert status == 0
    assert json.loads(out)["assessed_on"] == "2026-12-01"


def test_bad_input_exits_2_with_one_line_per_problem() -> None:
    bad = {
        "format": "backcare-intake/1",
        "person": {"age": 200},
        "episode": {"pain_now": "a lot"},
        "x": 1,
    }
    status, out, err = run("assess", "-", stdin=json.dumps(bad))
    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        "person.age: 200 is not allowed; allowed: a whole number from 16 to 120",
        'episode.pain_now: "a lot" is not allowed; allowed: a whole number from 0 to 10',
        "x: 1 is not allowed; unknown field; allowed: format, id, assessed_on, person, episode, "
        "red_flag_screen, history, exam, questionnaires, goals, preferences",
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("assess", "missing.json"), "", "missing.json: no such file"),
        (("assess", "-"), "{not json", "(document): "),
        (("assess", "-"), "", "(document): "),
        (("assess", str(ROOT / "docs")), "", "is a folder"),
    ],
    ids=["missing-file", "invalid-json", "empty-input", "folder"],
)
def test_unreadable_input_is_a_clear_message_not_a_traceback(
    args: tuple[str, ...], stdin: str, expected: str
) -> None:
    status, _, err = run(*args, stdin=stdin)
    assert status == 2
    assert expected in err
    assert "Traceback" not in err


def test_files_that_are_not_utf8_are_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"format": "backcare-intake/1", "id": "caf\xe9"}')
    status, _, err = run("assess", str(path))
    assert status == 2
    assert "not UTF-8 text" in err


def test_a_bad_date_option_exits_2() -> None:
    status, _, err = run("assess", "-", "--today", "tomorrow")
    assert status == 2
    assert "allowed: YYYY-MM-DD" in err


def test_the_schemas_are_valid_json_schemas() -> None:
    for name in ("intake", "assessment"):
        status, out, _ = run("schema", name)
        assert status == 0
        jsonschema.Draft202012Validator.check_schema(json.loads(out))


def test_rules_are_written_and_then_up_to_date(tmp_path: Path) -> None:
    status, out, _ = run("rules", "--out", str(tmp_path))
    assert status == 0
    assert "written" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(rule_documents())
    assert run("rules", "--out", str(tmp_path)) == (0, "rule tables up to date\n", "")
    assert run("rules", "--check", "--out", str(tmp_path))[0] == 0
    (tmp_path / "triage.md").write_text("edited by hand")
    status, out, _ = run("rules", "--check", "--out", str(tmp_path))
    assert status == 1
    assert "triage.md: out of date" in out


def test_the_committed_rule_tables_are_current() -> None:
    assert run("rules", "--check")[0] == 0


def test_help_is_printed_without_a_command() -> None:
    status, out, _ = run()
    assert status == 0
    assert "assess" in out
    assert run("--help")[0] == 0


def test_the_console_script_is_installed_and_runs() -> None:
    exe = shutil.which("backcare", path=str(Path(sys.executable).parent))
    assert exe, "the backcare console script is not installed in this environment"
    done = subprocess.run(
        [exe, "assess", str(EXAMPLES / "example-urgent-infection.json"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["triage"]["level"] == "urgent"


def test_other_commands_are_handed_to_django() -> None:
    exe = shutil.which("backcare", path=str(Path(sys.executable).parent))
    assert exe
    env = {**os.environ, "BACKCARE_DEV": "1"}
    done = subprocess.run([exe, "check"], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_a_missing_production_setting_is_a_message_not_a_traceback() -> None:
    exe = shutil.which("backcare", path=str(Path(sys.executable).parent))
    assert exe
    env = {k: v for k, v in os.environ.items() if k not in ("BACKCARE_DEV", "DEBUG", "SECRET_KEY")}
    done = subprocess.run([exe, "check"], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("backcare: SECRET_KEY is not set.")
    assert "Traceback" not in done.stderr


def test_content_check_passes_on_the_shipped_content() -> None:
    status, out, err = run("content", "check")
    assert (status, err) == (0, "")
    assert "68 exercises" in out
    assert "no problems found" in out


def test_content_check_names_the_file_and_field_of_each_problem(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    bird_dog = content / "exercises" / "bird-dog.toml"
    bird_dog.write_text(
        bird_dog.read_text().replace('position = "hands_and_knees"', 'position = "upside_down"')
    )
    (content / "education" / "flare-up-plan.md").write_text("no front matter")
    status, _, err = run("content", "check", "--content", str(content))
    assert status == 2
    assert "exercises/bird-dog.toml" in err
    assert "position" in err and "upside_down" in err
    assert "flare-up-plan.md" in err
    assert "Traceback" not in err


def test_content_check_refuses_a_missing_folder_or_licensed_file(tmp_path: Path) -> None:
    status, _, err = run("content", "check", "--content", str(tmp_path / "nowhere"))
    assert status == 2 and "no such folder" in err
    status, _, err = run("content", "check", "--licensed", str(tmp_path / "odi-licence.toml"))
    assert status == 2 and "no such file" in err


def test_content_render_writes_every_picture_and_a_gallery(tmp_path: Path) -> None:
    status, out, err = run("content", "render", str(tmp_path / "gallery"))
    assert (status, err) == (0, "")
    files = {p.name for p in (tmp_path / "gallery").iterdir()}
    assert "index.html" in files
    assert {"bird-dog.svg", "bird-dog-still.svg"} <= files
    assert len(files) == 2 * 68 + 1
    assert "68 exercises drawn" in out


def test_content_render_reports_a_place_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    status, _, err = run("content", "render", str(blocker / "sub"))
    assert status == 2
    assert "cannot write there" in err
