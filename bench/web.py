"""How fast the web pages are, each against its floor on the same server.

    python bench/web.py [--quick] [--patients 2000] [--clinicians 20] [--seconds 10]
                        [--clients 1,8,32] [--workers 2] [--only today|log|dashboard]

Makes the demo clinic scaled to ``--patients`` patients (``demo_data --patients``) in a temporary
SQLite database (or in ``DATABASE_URL``, e.g. PostgreSQL: its demo clinic is replaced), serves
it with gunicorn (``--workers`` sync workers, default 2) on 127.0.0.1 with bench/web_settings.py
(backcare's settings plus the floor views of bench/floor_views.py), and drives it with wrk
(Debian's ``wrk``; a slower Python client if wrk is missing) at 1, 8 and 32 concurrent clients:

- Today: GET /me/ as a patient, beside its floor, a patient's page that renders nothing;
- log an exercise: POST /me/log/<exercise_id>/ as a patient (with the CSRF token, as htmx sends
  it: the answer is the exercise's card), beside its floor, a POST that commits one row;
- dashboard: GET /clinic/ as a clinician, beside its floor, a clinician's page that renders
  nothing.

Requests rotate over the patients' (and the clinicians') signed-in sessions. Each endpoint is
warmed just before it is measured (until two 2-second rounds agree within 5 %; the rounds are
printed), and each page and its floor are measured in turns, three rounds each of a third of
``--seconds``, each figure the median of its rounds. Prints requests a
second, p50 and p99 latency, the ratio to the floor, and whether the targets are met (issue 5:
each at 50 % of its floor or better, p99 under 100 ms at 32 clients). Figures go in
docs/benchmarks.md; no assertions. ``--quick``: a smoke run in about a minute (200 patients,
1 and 32 clients, 3 seconds each).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.5  # issue 5: each page at 50 % of its floor or better
TARGET_P99_MS = 100.0  # issue 5: p99 under 100 ms at 32 clients
TARGET_CLIENTS = 32
VERBOSE = False  # --verbose: print wrk's own report of every run
ROUNDS = 3  # each measurement is taken in this many turns with its floor (their median)
SESSIONS = 32  # signed-in patients the requests rotate over (clinicians: all of them)


@dataclass(frozen=True, slots=True)
class Request:
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str
    method: str
    requests: tuple[Request, ...]
    floor: str | None = None  # the name of its floor endpoint


@dataclass(frozen=True, slots=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


# --- setting up -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _setup(patients: int, clinicians: int) -> tuple[list[Endpoint], float]:
    """Migrate, make the demo clinic, sign people in; the endpoints to measure, and the time
    the demo data took."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils.crypto import get_random_string

    from backcare.accounts.models import User
    from backcare.care.models import PlanRecord

    call_command("migrate", interactive=False, verbosity=0)
    began = time.perf_counter()
    call_command(
        "demo_data",
        reset=True,
        patients=patients,
        clinicians=clinicians,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    seconds = time.perf_counter() - began

    def session(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    plans = (
        PlanRecord.objects.filter(
            status=PlanRecord.Status.PUBLISHED,
            episode__status="active",
            episode__patient__clinic__is_demo=True,
            blocked_by__isnull=True,  # a red flag at a check-in puts the exercises on hold
        )
        .select_related("episode__patient__user")
        .order_by("id")
    )
    # The CSRF cookie's secret (the header may carry it unmasked). Every request carries the
    # cookie, as a browser's does after its first page: without it each page would make a new
    # secret and set the cookie again, which no returning browser causes.
    csrf = get_random_string(32)
    csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={csrf}"
    today, log, floor_write = [], [], []
    for plan in plans:
        if plan.plan["blocked"] or not plan.plan["home_programme"]:
            continue
        cookie = f"{settings.SESSION_COOKIE_NAME}={session(plan.episode.patient.user)}"
        today.append(Request("/me/", {"Cookie": f"{cookie}; {csrf_cookie}"}))
        exercise = plan.plan["home_programme"][0]["exercise_id"]
        prefix = f"ex-{exercise}"
        post = {
            "Cookie": f"{cookie}; {csrf_cookie}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        body = f"{prefix}-done=yes&{prefix}-pain_during=3&{prefix}-difficulty=right"
        log.append(Request(f"/me/log/{exercise}/", post, body))
        floor_write.append(Request("/bench-floor/write/", post, body))
        if len(today) == SESSIONS:
            break
    staff = User.objects.filter(role=User.Role.CLINICIAN, clinic__is_demo=True).order_by("id")
    cookies = [
        f"{settings.SESSION_COOKIE_NAME}={session(u)}; {csrf_cookie}" for u in staff[:SESSIONS]
    ]
    dashboard = [Request("/clinic/", {"Cookie": c}) for c in cookies]
    floor_page = [Request("/bench-floor/patient/", r.headers) for r in today]
    floor_staff = [Request("/bench-floor/staff/", r.headers) for r in dashboard]
    from django.db import connections

    connections.close_all()
    endpoints = [
        Endpoint("floor: page (patient)", "GET", tuple(floor_page)),
        Endpoint("Today  GET /me/", "GET", tuple(today), "floor: page (patient)"),
        Endpoint("floor: commit one row", "POST", tuple(floor_write)),
        Endpoint("log    POST /me/log/<id>/", "POST", tuple(log), "floor: commit one row"),
        Endpoint("floor: page (clinician)", "GET", tuple(floor_staff)),
        Endpoint("dashboard  GET /clinic/", "GET", tuple(dashboard), "floor: page (clinician)"),
    ]
    return endpoints, seconds


@contextmanager
def _server(port: int, workers: int, env: dict[str, str]) -> Iterator[None]:
    command = [
        sys.executable, "-m", "gunicorn", "backcare.wsgi", "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _fetch(port, Request("/healthz", {}), "GET")
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench/web.py: gunicorn did not start")
            time.sleep(0.2)
        _warm(port, workers)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _median(results: Sequence[Result]) -> Result:
    """Each figure's median over the rounds (errors: their sum)."""
    return Result(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
    )


def _warm_endpoint(
    port: int,
    endpoint: Endpoint,
    run: Callable[[int, Endpoint, int, float], Result],
    clients: int,
    workers: int,
) -> None:
    """Serve ``endpoint`` at ``clients`` in rounds of two seconds until it is steady (requests a
    second within 5 % of the round before; at most a minute): each worker has then drawn and
    kept every page the requests ask for (a caseload of 100 takes a cold worker about 0.7 s)."""
    rounds: list[Result] = []
    for _round in range(30):
        rounds.append(run(port, endpoint, clients, 2))
        _warm(port, workers)
        if len(rounds) > 1 and abs(rounds[-1].rps - rounds[-2].rps) <= 0.05 * rounds[-2].rps:
            break
    print(
        f"warming {endpoint.name.strip()} at {clients} clients, 2 s rounds: "
        + ", ".join(f"{r.rps:.0f} req/s (p99 {r.p99_ms:.0f} ms)" for r in rounds)
    )


def _warm(port: int, workers: int) -> None:
    """Wait until every worker is free and has loaded the site (a worker's first request
    imports every page and loads the content, which takes seconds)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        took: list[float] = []

        def one(took: list[float]) -> None:
            began = time.perf_counter()
            _fetch(port, Request("/healthz", {}), "GET")
            took.append(time.perf_counter() - began)

        threads = [threading.Thread(target=one, args=(took,)) for _ in range(4 * workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if max(took) < 0.5:
            return
    raise SystemExit("bench/web.py: the workers did not warm up in two minutes")


def _fetch(port: int, request: Request, method: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, request.path, body=request.body or None, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- load ---------------------------------------------------------------------------------------


def _lua(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk_script(endpoint: Endpoint) -> str:
    """A wrk script: each thread rotates over the signed-in sessions; non-2xx are errors."""
    rows = []
    for r in endpoint.requests:
        headers = ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in r.headers.items())
        rows.append(f"  {{{_lua(r.path)}, {{{headers}}}, {_lua(r.body)}}},")
    body = "\n".join(rows)
    return f"""local requests = {{
{body}
}}
local n = 0
request = function()
  n = n + 1
  local r = requests[(n % #requests) + 1]
  local body = nil
  if r[3] ~= "" then body = r[3] end
  return wrk.format({_lua(endpoint.method)}, r[1], r[2], body)
end
"""


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _run_wrk(port: int, endpoint: Endpoint, clients: int, seconds: float) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(endpoint))
    try:
        output = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "--latency",
             "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    if VERBOSE:
        print(output, file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?(\d+) timeout"):
        found = re.search(pattern, output)
        errors += int(found.group(1)) if found else 0
    return Result(rps, p50, p99, errors)


def _run_python(port: int, endpoint: Endpoint, clients: int, seconds: float) -> Result:
    """The fallback without wrk: one thread per client, a new connection per request (gunicorn's
    sync workers close it anyway). Slower than wrk: the figures are a lower bound."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        n = k
        mine: list[float] = []
        while time.perf_counter() < stop:
            request = endpoint.requests[n % len(endpoint.requests)]
            n += 1
            began = time.perf_counter()
            status, _ = _fetch(port, request, endpoint.method)
            mine.append(time.perf_counter() - began)
            if status >= 400:
                with lock:
                    errors[0] += 1
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(times)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Result(len(times) / elapsed, q(0.5), q(0.99), errors[0])


# --- the run ------------------------------------------------------------------------------------


def _check(port: int, endpoints: Sequence[Endpoint]) -> list[Endpoint]:
    """The endpoints that answer 200 (a page not built yet is left out, and said so)."""
    ready = []
    for endpoint in endpoints:
        if not endpoint.requests:
            print(f"skipped {endpoint.name}: nobody to sign in as")
            continue
        status, body = _fetch(port, endpoint.requests[0], endpoint.method)
        if status == 200:
            ready.append(endpoint)
        else:
            print(f"skipped {endpoint.name}: answered {status} ({body[:80]!r})")
    return ready


def _table(rows: list[tuple[Endpoint, int, Result]]) -> None:
    floors = {(e.name, c): r for e, c, r in rows if e.floor is None}
    header = (
        f"{'endpoint':28} {'clients':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'floor req/s':>11} {'ratio':>6}  target"
    )
    print(header)
    print("-" * len(header))
    for endpoint, clients, r in rows:
        line = f"{endpoint.name:28} {clients:>7} {r.rps:>8.0f} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f}"
        floor = floors.get((endpoint.floor or "", clients))
        if floor is not None:
            ratio = r.rps / floor.rps if floor.rps else 0.0
            met = ratio >= TARGET_RATIO and (clients != TARGET_CLIENTS or r.p99_ms < TARGET_P99_MS)
            line += f" {floor.rps:>11.0f} {ratio:>6.0%}  {'met' if met else 'NOT met'}"
        if r.errors:
            line += f"  ({r.errors} errors)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run in about a minute")
    parser.add_argument("--patients", type=int, help="demo patients (default 2000; quick: 200)")
    parser.add_argument("--clinicians", type=int, help="clinicians (default: one per 100)")
    parser.add_argument("--seconds", type=float, help="per measurement (default 10; quick: 3)")
    parser.add_argument("--clients", help="concurrent clients (default 1,8,32; quick: 1,32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--verbose", action="store_true", help="print wrk's report of each run")
    parser.add_argument(
        "--only", choices=("today", "log", "dashboard"), help="measure one endpoint and its floor"
    )
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    patients = args.patients or (200 if args.quick else 2000)
    clinicians = args.clinicians or max(2, patients // 100)
    seconds = args.seconds or (3 if args.quick else 10)
    clients = [int(c) for c in (args.clients or ("1,32" if args.quick else "1,8,32")).split(",")]
    wrk = shutil.which("wrk")

    with tempfile.TemporaryDirectory(prefix="backcare-bench-") as tmp:
        env = dict(os.environ)
        env.update(
            {
                "BACKCARE_DEV": "1",  # the development key: sessions made here are valid there
                "DEBUG": "0",
                "DJANGO_SETTINGS_MODULE": "bench.web_settings",
                "BACKCARE_VAR_DIR": tmp,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
                "LOG_LEVEL": "WARNING",
            }
        )
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        os.environ.update(env)
        database = env["DATABASE_URL"].split("://")[0]
        print(
            f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores "
            f"(server and load generator share them); database: {database}"
        )
        endpoints, made = _setup(patients, clinicians)
        print(
            f"demo data: {patients} patients, {clinicians} clinicians, made in {made:.0f} s; "
            f"gunicorn {args.workers} sync workers; "
            f"load: {'wrk' if wrk else 'Python threads (wrk not found: apt-get install wrk)'}, "
            f"{seconds:g} s per measurement"
        )
        port = _free_port()
        run = _run_wrk if wrk else _run_python
        rows: list[tuple[Endpoint, int, Result]] = []
        with _server(port, args.workers, env):
            ready = _check(port, endpoints)
            if args.only:
                mine = next(e for e in ready if args.only in e.name.lower())
                ready = [e for e in ready if e.name in (mine.name, mine.floor)]
            by_name = {e.name: e for e in ready}
            pairs = [(by_name[e.floor], e) for e in ready if e.floor in by_name]
            for floor, page in pairs:
                # Warm just before measuring: logging changes the patients Today shows, and
                # every log changes their clinic's caseload, so each page is measured as it is
                # served between changes. The first requests after a change (or after a
                # worker starts) draw the page afresh: the warming rounds printed show that cost.
                for endpoint in (floor, page):
                    _warm_endpoint(port, endpoint, run, max(clients), args.workers)
                # The floor and the page take turns, ROUNDS times each, and each figure is the
                # median of its rounds: a shared machine's speed drifts by more than the
                # differences measured, and drift in turns falls on both alike.
                measured: dict[tuple[str, int], list[Result]] = {}
                for n in clients:
                    for _round in range(ROUNDS):
                        for endpoint in (floor, page):
                            result = run(port, endpoint, n, seconds / ROUNDS)
                            measured.setdefault((endpoint.name, n), []).append(result)
                            # wrk stops with requests still queued at the server: let them
                            # drain, so they do not count against the next measurement.
                            _warm(port, args.workers)
                for endpoint in (floor, page):
                    for n in clients:
                        rows.append((endpoint, n, _median(measured[(endpoint.name, n)])))
        print()
        _table(rows)
        print(
            f"\ntargets (issue 5): each at {TARGET_RATIO:.0%} of its floor or better; "
            f"p99 under {TARGET_P99_MS:.0f} ms at {TARGET_CLIENTS} clients"
        )


if __name__ == "__main__":
    main()
