"""The ``backcare`` command: the one entry point (design.md, "Command line").

Engine commands (``assess``, ``schema``, ``rules``, ``content``) run without Django and start
fast; anything else is handed to Django's management commands. The CLI only parses, calls
the engine and prints: bad input exits with status 2 and one line per problem.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from backcare.engine.i18n import _
from backcare.engine.validation import InvalidDocument

if TYPE_CHECKING:
    from backcare.engine.intake import Intake

ROOT = Path(__file__).resolve().parent.parent
EXIT_BAD_INPUT = 2


def default_content_dir() -> Path:
    return Path(os.environ.get("BACKCARE_CONTENT_DIR") or ROOT / "content")


def content_version(content_dir: Path) -> str:
    try:
        return (content_dir / "VERSION").read_text(encoding="utf-8").strip() or "unversioned"
    except OSError:
        return "unversioned"


class BadInput(Exception):
    """Input the user can fix: printed as lines, exit status 2."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = tuple(lines)
        super().__init__("\n".join(self.lines))


def _read(path: str, stdin: TextIO) -> str:
    if path == "-":
        return stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise BadInput(
            [f"{path}: is a folder; allowed: a JSON file, or - for standard input"]
        ) from None
    except UnicodeDecodeError:
        raise BadInput([f"{path}: not UTF-8 text; allowed: a JSON file in UTF-8"]) from None
    except OSError as err:
        raise BadInput([f"{path}: cannot be read ({err.strerror})"]) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; allowed: YYYY-MM-DD") from None


def _intake(args: argparse.Namespace, stdin: TextIO) -> Intake:
    """The intake document named on the command line, or BadInput with every problem."""
    from backcare.engine.intake import load_intake

    try:
        return load_intake(_read(args.file, stdin))
    except InvalidDocument as err:
        raise BadInput([str(p) for p in err.problems]) from None


def _emit(
    out: TextIO, as_json: bool, document: Callable[[], object], text: Callable[[], str]
) -> int:
    """Print the JSON document or the readable report."""
    if as_json:
        json.dump(document(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(text())
    return 0


def cmd_assess(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.assessment import assess, assessment_to_json
    from backcare.engine.report import render_report

    intake = _intake(args, stdin)
    today = args.today or dt.date.today()
    result = assess(intake, today=today, content_version=content_version(args.content))
    return _emit(out, args.json, lambda: assessment_to_json(result), lambda: render_report(result))


def cmd_plan(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.assessment import assess
    from backcare.engine.plan import plan_to_json
    from backcare.engine.planning import PlanOptions, load_content, plan_for, render_plan

    intake = _intake(args, stdin)
    try:
        content = load_content(args.content)
    except InvalidDocument as err:
        raise BadInput([f"{args.content}: {p}" for p in err.problems]) from None
    today = args.today or dt.date.today()
    result = assess(intake, today=today, content_version=content.version)
    plan = plan_for(result, intake, content, today=today, options=PlanOptions(start=args.start))
    return _emit(out, args.json, lambda: plan_to_json(plan), lambda: render_plan(plan))


def cmd_progress(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.catalog import load_catalog
    from backcare.engine.plan import parse_plan
    from backcare.engine.progression import (
        load_logs,
        next_step_from_logs,
        render_progress,
        step_to_json,
    )

    def problems(path: str, err: InvalidDocument) -> list[str]:
        return [f"{path}: {p}" for p in err.problems]

    lines: list[str] = []
    plan = logs = None
    try:
        data = json.loads(_read(args.plan, stdin))
    except (ValueError, RecursionError) as err:
        lines.append(f"{args.plan}: not JSON; allowed: a backcare-plan/1 JSON document ({err})")
    else:
        try:
            plan = parse_plan(data)
        except InvalidDocument as err:
            lines += problems(args.plan, err)
    try:
        logs = load_logs(_read(args.logs, stdin))
    except InvalidDocument as err:
        lines += problems(args.logs, err)
    if plan is not None and logs is not None and logs.plan_intake_id not in (None, plan.intake_id):
        lines.append(
            f"{args.logs}: plan_intake_id: {logs.plan_intake_id!r} is not allowed; "
            f"allowed: the plan's intake_id ({plan.intake_id!r})"
        )
    if lines or plan is None or logs is None:
        raise BadInput(lines)
    try:
        catalog = load_catalog(args.content)
    except InvalidDocument as err:
        raise BadInput(problems(str(args.content), err)) from None
    step = next_step_from_logs(plan, logs, today=args.today or dt.date.today(), catalog=catalog)
    return _emit(out, args.json, lambda: step_to_json(step), lambda: render_progress(step))


def cmd_schema(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.assessment import assessment_schema
    from backcare.engine.intake import intake_schema
    from backcare.engine.plan import plan_schema
    from backcare.engine.progression import logs_schema, progress_schema

    schemas: dict[str, Callable[[], object]] = {
        "intake": intake_schema,
        "assessment": assessment_schema,
        "plan": plan_schema,
        "logs": logs_schema,
        "progress": progress_schema,
    }
    json.dump(schemas[args.name](), out, indent=2, ensure_ascii=False)
    out.write("\n")
    return 0


def cmd_rules(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.rules import rule_documents

    target: Path = args.out
    stale = []
    for name, text in rule_documents().items():
        path = target / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        for path in stale:
            out.write(f"{path}: out of date; run `backcare rules` and commit the result\n")
        return 1
    if not args.check:
        out.write(
            f"{len(stale)} rule table(s) written to {target}\n"
            if stale
            else "rule tables up to date\n"
        )
    return 0


def cmd_content_check(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.catalog import check_catalog, load_catalog
    from backcare.engine.education import check_education, load_techniques, load_topics
    from backcare.engine.questionnaires import QuestionnaireError, load_questionnaires

    content: Path = args.content
    if not content.is_dir():
        raise BadInput([f"{content}: no such folder; allowed: the content folder"])
    problems = [str(p) for p in check_catalog(content)]
    problems += [str(p) for p in check_education(content)]
    if args.licensed is not None and not args.licensed.is_file():
        problems.append(f"{args.licensed}: no such file; allowed: a licensed-wording TOML file")
    else:
        try:
            questionnaires = load_questionnaires(content / "questionnaires", args.licensed)
        except QuestionnaireError as err:
            problems += [str(p) for p in err.problems]
    if problems:
        raise BadInput(problems)
    summary = _(
        "content {version}: {exercises} exercises, {topics} education topics, "
        "{techniques} techniques, {questionnaires} questionnaires; no problems found"
    )
    out.write(
        summary.format(
            version=content_version(content),
            exercises=len(load_catalog(content).exercises),
            topics=len(load_topics(content)),
            techniques=len(load_techniques(content)),
            questionnaires=len(questionnaires),
        )
        + "\n"
    )
    return 0


def cmd_content_render(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from backcare.engine.catalog import load_catalog
    from backcare.engine.gallery import gallery_files

    try:
        catalog = load_catalog(args.content)
    except InvalidDocument as err:
        raise BadInput([str(p) for p in err.problems]) from None
    target: Path = args.out_dir
    try:
        target.mkdir(parents=True, exist_ok=True)
        files = gallery_files(catalog)
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
    except OSError as err:
        raise BadInput([f"{target}: cannot write there ({err.strerror})"]) from None
    out.write(
        _("{count} exercises drawn; open {index}").format(
            count=len(catalog.exercises), index=target / "index.html"
        )
        + "\n"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backcare",
        description="backcare: screen, assess and plan physical therapy for back pain. "
        "It supports clinical decisions; it does not diagnose.",
        epilog="Any other command is a Django management command (e.g. backcare migrate).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("assess", help="assess an intake document and print the report")
    p.add_argument(
        "file", metavar="FILE", help="a backcare-intake/1 JSON file, or - for standard input"
    )
    p.add_argument("--json", action="store_true", help="print the backcare-assessment/1 JSON")
    p.add_argument(
        "--today", type=_date, help="the assessment date when the intake has none (YYYY-MM-DD)"
    )
    p.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    p.set_defaults(handler=cmd_assess)

    p = sub.add_parser("plan", help="assess an intake document and print its plan")
    p.add_argument(
        "file", metavar="FILE", help="a backcare-intake/1 JSON file, or - for standard input"
    )
    p.add_argument("--json", action="store_true", help="print the backcare-plan/1 JSON")
    p.add_argument("--start", type=_date, help="the first day of the plan (YYYY-MM-DD); today")
    p.add_argument(
        "--today", type=_date, help="today's date, for the assessment and the plan (YYYY-MM-DD)"
    )
    p.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    p.set_defaults(handler=cmd_plan)

    p = sub.add_parser("progress", help="the next step of a plan from its logs and check-ins")
    p.add_argument("plan", metavar="PLAN_JSON", help="a backcare-plan/1 JSON file")
    p.add_argument("logs", metavar="LOGS_JSON", help="a backcare-logs/1 JSON file")
    p.add_argument("--json", action="store_true", help="print the backcare-progress/1 JSON")
    p.add_argument("--today", type=_date, help="the day of the step (YYYY-MM-DD); today")
    p.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    p.set_defaults(handler=cmd_progress)

    p = sub.add_parser("schema", help="print a JSON Schema")
    p.add_argument("name", choices=["intake", "assessment", "plan", "logs", "progress"])
    p.set_defaults(handler=cmd_schema)

    p = sub.add_parser("content", help="check the clinical content")
    content_sub = p.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    p = content_sub.add_parser("check", help="load and validate every content file")
    p.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    p.add_argument("--licensed", type=Path, help="a clinic's licensed questionnaire wording file")
    p.set_defaults(handler=cmd_content_check)
    p = content_sub.add_parser("render", help="draw every exercise as SVG, with a gallery page")
    p.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder to write into")
    p.add_argument("--content", type=Path, default=default_content_dir(), help="content folder")
    p.set_defaults(handler=cmd_content_render)

    p = sub.add_parser("rules", help="write the clinician-facing rule tables into docs/rules/")
    p.add_argument("--check", action="store_true", help="exit 1 if the tables are out of date")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "rules", help="target folder")
    p.set_defaults(handler=cmd_rules)
    return parser


ENGINE_COMMANDS = {"assess", "plan", "progress", "schema", "rules", "content", "-h", "--help"}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    if argv and argv[0] not in ENGINE_COMMANDS:
        return _django(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its message
        return EXIT_BAD_INPUT if exit_.code else 0
    if args.command is None:
        parser.print_help(out)
        return 0
    try:
        return int(args.handler(args, out, stdin))
    except BadInput as err:
        for line in err.lines:
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["backcare", *argv])
    except ImproperlyConfigured as err:  # a setting to fix, not a crash
        print(f"backcare: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
