"""`backcare demo` and `backcare serve`, run as a person runs them: in a subprocess, on a
temporary SQLite database."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHECK_LOGINS = """
import json, sys
import django
django.setup()
from django.contrib.auth import authenticate
from django.test import RequestFactory
from backcare.accounts.models import User
from backcare.care.models import Clinic, Patient

password, names = sys.argv[1], sys.argv[2:]
ok = {n: authenticate(RequestFactory().post("/account/login/"), username=n, password=password)
      is not None for n in names}
demo = User.objects.filter(clinic__is_demo=True)
print(json.dumps({
    "ok": ok,
    "clinics": Clinic.objects.filter(is_demo=True).count(),
    "patients": Patient.objects.filter(clinic__is_demo=True).count(),
    "roles": sorted(set(demo.values_list("role", flat=True))),
    "without_login": sum(not u.has_usable_password() for u in demo),
}))
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SECRET_KEY", None)
    env.pop("BACKCARE_DEV", None)  # `backcare demo` sets it itself
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/demo.sqlite3"
    env["BACKCARE_VAR_DIR"] = str(tmp_path / "var")
    return env


def _backcare(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backcare.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _logins(out: str) -> tuple[str, dict[str, str]]:
    """The printed password, and role -> one printed username of that role."""
    password = re.search(r"DEMO password: (\S+)", out)
    assert password is not None, out
    found: dict[str, str] = {}
    for role, username in re.findall(
        r"^  (clinic administrator|clinician|patient) +(\S+)", out, re.M
    ):
        found.setdefault(role, username)
    other = re.search(r"The other \d+ sign in the same way: (\S+?),", out)
    assert other is not None, out
    found["other patient"] = other.group(1)
    return password.group(1), found


def _check(env: dict[str, str], password: str, names: list[str]) -> dict[str, object]:
    env = env | {"BACKCARE_DEV": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHECK_LOGINS, password, *names],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_demo_no_serve_makes_the_clinic_and_every_printed_login_works(tmp_path: Path) -> None:
    env = _env(tmp_path)

    done = _backcare(env, "demo", "--no-serve")

    assert done.returncode == 0, done.stderr
    assert "DEMO DATA" in done.stdout and "what to try" in done.stdout
    assert "BACKCARE_DEV=1" in done.stdout  # says the demo uses the development key
    password, logins = _logins(done.stdout)
    assert set(logins) == {"clinic administrator", "clinician", "patient", "other patient"}
    state = _check(env, password, list(logins.values()))
    assert state["ok"] == {name: True for name in logins.values()}
    assert state["clinics"] == 1 and state["patients"] == 30
    assert state["roles"] == ["clinic_admin", "clinician", "patient"]
    assert state["without_login"] == 0  # every demo person can sign in
    # A wrong password is refused: the check above really checks.
    assert _check(env, "not-the-password", [logins["clinician"]])["ok"] == {
        logins["clinician"]: False
    }


def test_demo_runs_again_afresh_or_keeping_the_clinic(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert _backcare(env, "demo", "--no-serve", "--patients", "12").returncode == 0

    again = _backcare(env, "demo", "--no-serve", "--patients", "12")
    kept = _backcare(env, "demo", "--no-serve", "--keep")

    assert again.returncode == 0, again.stderr
    assert kept.returncode == 0, kept.stderr
    assert "already exists" in kept.stdout
    password, logins = _logins(kept.stdout)
    state = _check(env, password, [logins["other patient"]])
    assert state["clinics"] == 1 and state["patients"] == 12
    assert state["ok"] == {logins["other patient"]: True}


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_that_is_not_a_number_is_one_line_and_status_2(tmp_path: Path, command: str) -> None:
    done = _backcare(_env(tmp_path), command, "--port", "notanumber")

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "--port 'notanumber': not allowed; allowed: a whole number from 1 to 65535"
    ]


def test_a_port_in_use_is_one_line_and_status_2(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"BACKCARE_DEV": "1"}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = _backcare(env, "serve", "--port", str(port))

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"127.0.0.1:{port} is in use: stop the other server there, "
        "or choose another port with --port N"
    ]


def test_serve_without_a_secret_key_says_how_to_set_one(tmp_path: Path) -> None:
    done = _backcare(_env(tmp_path), "serve", "--port", str(_free_port()))

    assert done.returncode == 2
    assert "SECRET_KEY is not set" in done.stderr


def test_serve_really_serves_and_stops_cleanly(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"BACKCARE_DEV": "1"}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "backcare.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120  # a worker's first request loads every page
        status, body = 0, b""
        while time.monotonic() < deadline and server.poll() is None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                status, body = response.status, response.read()
                break
            except OSError:
                time.sleep(0.3)
            finally:
                connection.close()
        assert status == 200, body
        assert json.loads(body)["status"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Shutting down" in output
