"""The ``backcare`` command: the one entry point (design.md, "Command line").

Engine commands (``assess``, ``schema``, ``rules``, ``content``) run without Django and start
fast; ``demo`` and ``serve`` set up and serve the web application (gunicorn); anything else is
handed to Django's management commands. The CLI only parses, calls the engine and prints: bad
input exits with status 2 and one line per problem.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import socket
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


# --- the web application: demo and serve -----------------------------------------------------

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"
DEFAULT_WORKERS = "2"


def _whole(option: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadInput(
            [f"{option} {text!r}: not allowed; allowed: a whole number from {low} to {high}"]
        )
    return value


def check_bind(host: str, port: int) -> None:
    """BadInput, in one line, when ``host:port`` cannot be listened on (in use, not ours)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BadInput(
            [f"--host {host!r}: unknown address; allowed: an address of this machine"]
        ) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn does: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise BadInput(
                    [
                        f"{host}:{port} is in use: stop the other server there, "
                        "or choose another port with --port N"
                    ]
                ) from None
            raise BadInput(
                [f"{host}:{port}: cannot listen there ({err.strerror}); allowed: "
                 "an address of this machine, and a port you may use"]
            ) from None  # fmt: skip


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line that serves backcare (WhiteNoise serves the static files)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "backcare.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--access-logfile",
        "-",
        "--no-control-socket",
        "--graceful-timeout",
        "5",
    ]


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    """Replace this process with gunicorn: Ctrl-C (or SIGTERM) reaches gunicorn directly and
    stops it cleanly, with nothing left running."""
    port = _whole("--port", args.port, 1, 65535)
    workers = _whole("--workers", args.workers, 1, 64)
    check_bind(args.host, port)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    out.write(f"Serving backcare on http://{shown}:{port}/ with gunicorn ({workers} workers).\n")
    out.write("Press Ctrl-C to stop.\n")
    out.flush()
    sys.stderr.flush()
    command = gunicorn_command(args.host, port, workers)
    os.execve(sys.executable, command, dict(os.environ))
    return 0  # not reached: execve does not return


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcare.settings")
    import django

    django.setup()


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def cmd_serve(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    # Bad input first, before Django starts.
    check_bind(args.host, _whole("--port", args.port, 1, 65535))
    _whole("--workers", args.workers, 1, 64)
    from django.core.exceptions import ImproperlyConfigured

    try:
        _setup_django()
    except ImproperlyConfigured as err:  # a setting to fix (SECRET_KEY, DATABASE_URL...)
        raise BadInput([f"backcare: {err}"]) from None
    from django.db import DatabaseError, connections

    try:
        pending = _pending_migrations()
    except DatabaseError as err:
        raise BadInput([f"the database cannot be opened ({err}); check DATABASE_URL"]) from None
    connections.close_all()
    if pending:
        print(
            f"backcare: the database needs {pending} migration(s): run `backcare migrate` "
            "(pages will fail until then)",
            file=sys.stderr,
        )
    return _serve(args, out)


def cmd_demo(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    """Migrate, make the demo clinic (afresh unless --keep), print the logins, serve."""
    if not args.no_serve:
        check_bind(args.host, _whole("--port", args.port, 1, 65535))
    # The demo runs on a development machine: the development SECRET_KEY and plain-HTTP cookies
    # are allowed. DEBUG stays off.
    os.environ["BACKCARE_DEV"] = "1"
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    database = settings.DATABASES["default"]
    where = database["NAME"] if database["ENGINE"].endswith("sqlite3") else database["HOST"]
    out.write(f"Database: {connections['default'].vendor} ({where})\n")
    out.flush()
    call_command("migrate", interactive=False, verbosity=0)
    options: dict[str, object] = {"reset": not args.keep, "skip_checks": True}
    if args.patients is not None:
        options["patients"] = _whole("--patients", args.patients, 1, 100_000)
    out.write(
        "Keeping the demo clinic if there is one...\n"
        if args.keep
        else "Making the demo clinic afresh (dates relative to today; --keep keeps it)...\n"
    )
    out.flush()
    call_command("demo_data", stdout=out, **options)
    connections.close_all()
    out.write(
        "\nBACKCARE_DEV=1 for this demo: a development secret key and cookies over plain HTTP. "
        "Never serve real patients this way.\n"
    )
    if args.no_serve:
        out.write("Set up; not serving (--no-serve). Serve it with: backcare demo --keep\n")
        return 0
    return _serve(args, out)


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

    p = sub.add_parser(
        "demo",
        help="set up a demo clinic (made-up people, labelled) and serve it on 127.0.0.1:8000",
    )
    p.add_argument("--no-serve", action="store_true", help="set up the data, then exit")
    p.add_argument("--keep", action="store_true", help="keep the demo clinic if there is one")
    p.add_argument("--patients", metavar="N", help="how many demo patients (default 30)")
    _serve_options(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("serve", help="serve the web application with gunicorn")
    _serve_options(p)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("rules", help="write the clinician-facing rule tables into docs/rules/")
    p.add_argument("--check", action="store_true", help="exit 1 if the tables are out of date")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "rules", help="target folder")
    p.set_defaults(handler=cmd_rules)
    return parser


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", default=DEFAULT_PORT, metavar="N", help="port (default 8000)")
    p.add_argument(
        "--host", default=DEFAULT_HOST, metavar="H", help="address to listen on (default 127.0.0.1)"
    )
    p.add_argument(
        "--workers", default=DEFAULT_WORKERS, metavar="N", help="gunicorn workers (default 2)"
    )


ENGINE_COMMANDS = {"assess", "plan", "progress", "schema", "rules", "content", "-h", "--help"}
OWN_COMMANDS = ENGINE_COMMANDS | {"demo", "serve"}
# Hyphenated names for management commands, as the issues and docs spell them.
ALIASES = {"export-fhir": "export_fhir", "import-fhir": "import_fhir"}


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    if argv and argv[0] not in OWN_COMMANDS:
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
