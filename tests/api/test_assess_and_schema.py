"""The stateless assessment, authentication failures, and the published schema: OpenAPI 3.1
at /api/openapi.json with every status declared, and the docs page served without any
outside network."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api.conftest import MakeToken, assert_problem, call
from django.test import Client
from web.factories import EXAMPLES, Cast

from backcare.api import tokens
from backcare.care.models import AssessmentRecord, AuditEntry

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "Bearer not-a-token", "Token abc", "Bearer ", "Basic YWxpY2U6cGFzcw=="],
)
def test_without_a_live_token_every_operation_is_401(
    client: Client, cast: Cast, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in (("get", "/api/v1/me"), ("post", "/api/v1/assess")):
        response = getattr(client, method)(path, headers=headers)
        assert_problem(response, 401, "unauthenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(client: Client, cast: Cast) -> None:
    token, raw = tokens.create_token(user=cast.alice, name="x", by=cast.alice)
    assert call(client, "GET", "/api/v1/me", raw).status_code == 200
    tokens.revoke_token(token=token, by=cast.alice)
    assert_problem(call(client, "GET", "/api/v1/me", raw), 401, "unauthenticated")


def test_the_session_cookie_is_not_a_token(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)
    assert_problem(client.get("/api/v1/me"), 401, "unauthenticated")


# --- the stateless assessment ------------------------------------------------------------------


def _cli_assess(path: Path) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "backcare.cli", "assess", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_assess_answers_what_the_command_line_prints(
    client: Client, cast: Cast, make_token: MakeToken, path: Path
) -> None:
    token = make_token(cast.pat.user)
    before = AuditEntry.objects.count()
    response = call(client, "POST", "/api/v1/assess", token, path.read_text())
    assert response.status_code == 200, response.content
    assert response.json() == _cli_assess(path)
    assert not AssessmentRecord.objects.exists()  # nothing stored
    assert AuditEntry.objects.count() == before  # nobody's record was read


def test_a_bad_intake_lists_every_problem_with_path_value_and_allowed(
    client: Client, cast: Cast, make_token: MakeToken
) -> None:
    document = json.loads((EXAMPLES / "example-physio.json").read_text())
    document["person"]["age"] = 12
    document["episode"]["pain_now"] = 11
    document["red_flag_screen"]["bladder"] = "sometimes"
    document["questionnaires"]["odi"]["answers"][0] = True
    response = call(client, "POST", "/api/v1/assess", make_token(cast.alice), document)
    problem = assert_problem(response, 422, "invalid-input")
    errors = {e["path"]: e for e in problem["errors"]}
    assert set(errors) == {
        "person.age",
        "episode.pain_now",
        "red_flag_screen.bladder",
        "questionnaires.odi.answers[0]",
    }
    assert errors["episode.pain_now"]["value"] == 11
    assert errors["episode.pain_now"]["allowed"] == "allowed: a whole number from 0 to 10"
    assert all(e["location"] == "body" for e in errors.values())


def test_a_body_that_is_not_json_is_400(client: Client, cast: Cast, make_token: MakeToken) -> None:
    response = call(client, "POST", "/api/v1/assess", make_token(cast.alice), "{nope")
    assert_problem(response, 400, "malformed-request")


# --- the schema and the docs page ----------------------------------------------------------------


@pytest.fixture
def schema(client: Client) -> Any:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_openapi_3_1_for_api_v1(schema: Any) -> None:
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["version"] == "1"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def _operations(schema: Any) -> list[tuple[str, str, Any]]:
    return [
        (method.upper(), path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def test_every_operation_declares_its_errors_as_problem_details(schema: Any) -> None:
    for method, path, op in _operations(schema):
        statuses = set(op["responses"])
        assert "401" in statuses, (method, path)
        has_params = bool(op.get("parameters")) or "requestBody" in op
        if has_params:
            assert "422" in statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method == "POST":
            assert {"400", "422"} <= statuses, (method, path)
        for status, response in op["responses"].items():
            media = set(response.get("content", {}))
            if int(status) >= 400:
                assert media == {"application/problem+json"}, (method, path, status)
            elif path.endswith("/fhir"):
                assert media == {"application/fhir+json"}, (method, path, status)
            else:
                assert media == {"application/json"}, (method, path, status)
        assert op["security"] == [{"TokenAuth": []}]


def test_write_operations_declare_403_and_409(schema: Any) -> None:
    writes = [(m, p, op) for m, p, op in _operations(schema) if m == "POST" and "{" in p]
    assert len(writes) == 2
    for _method, _path, op in writes:
        assert {"403", "409"} <= set(op["responses"])


def test_ranges_and_enumerations_are_in_the_schema(schema: Any) -> None:
    log = schema["components"]["schemas"]["ExerciseLogIn"]["properties"]
    pain = next(s for s in log["pain_during"]["anyOf"] if s.get("type") == "integer")
    assert (pain["minimum"], pain["maximum"]) == (0, 10)
    difficulty = next(s for s in log["difficulty"]["anyOf"] if "enum" in s)
    assert difficulty["enum"] == ["easy", "right", "hard"]
    check_in = schema["paths"]["/api/v1/patients/{patient_id}/check-ins"]["post"]
    body = check_in["requestBody"]["content"]["application/json"]["schema"]
    bladder = body["properties"]["red_flag_screen"]["anyOf"][0]["properties"]["bladder"]
    assert "retention" in bladder["anyOf"][0]["enum"]
    limit = next(
        p for p in schema["paths"]["/api/v1/patients"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)


def test_the_docs_page_uses_only_local_files(client: Client, db: Any) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    references = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert references and all(ref.startswith("/static/ninja/") for ref in references)
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    assert '"url": "/api/openapi.json"' in page
    for ref in references:
        served = client.get(ref)
        assert served.status_code == 200, ref
        served.close()  # a static file is streamed from disk
