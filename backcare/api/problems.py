"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API sends is one JSON object with ``type`` (a URN naming the kind of problem,
listed in docs/api.md), ``title`` (the same for every problem of that type), ``status``,
``detail`` (this occurrence, in plain words) and ``instance`` (the path asked for). Bad input
adds ``errors``: one entry per problem, each with where it is (``location``: body, query or
path), the field ``path`` (``red_flag_screen.bladder``, ``psfs[0].score``), a ``message`` and,
for documents the engine checks, the ``value`` given and what is ``allowed``.

``install(api)`` replaces django-ninja's own exception handlers with these.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from backcare.care.actions import ActionRefused, NotAllowed
from backcare.engine.validation import InvalidDocument, Problem

__all__ = [
    "MEDIA_TYPE",
    "PROBLEM_TYPES",
    "ApiProblem",
    "install",
    "problem_response",
]

MEDIA_TYPE = "application/problem+json"
PREFIX = "urn:backcare:problem:"

# type -> (status, title); docs/api.md lists the same table.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "malformed-request": (400, "The request could not be read"),
    "unauthenticated": (401, "An API token is needed"),
    "insufficient-scope": (403, "This token may only read"),
    "forbidden": (403, "Not allowed"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "refused": (409, "The request cannot be done now"),
    "invalid-input": (422, "The input is not valid"),
    "too-many-requests": (429, "Too many requests"),
}


class ApiProblem(Exception):
    """Raise to answer with a problem of ``kind`` (a key of PROBLEM_TYPES)."""

    def __init__(
        self, kind: str, detail: str, *, errors: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        assert kind in PROBLEM_TYPES
        self.kind, self.detail, self.errors = kind, detail, errors
        super().__init__(detail)


def problem_response(
    request: HttpRequest,
    kind: str,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    status, title = PROBLEM_TYPES[kind]
    body: dict[str, Any] = {
        "type": PREFIX + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = list(errors)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """django-ninja's (pydantic's) errors as problem entries: body.payload.nprs -> nprs."""
    out = []
    for error in errors:
        loc = list(error.get("loc", ()))
        location = str(loc[0]) if loc else "body"
        rest = loc[1:]
        if location == "body" and len(rest) >= 1 and isinstance(rest[0], str):
            rest = rest[1:]  # the view's parameter name, not part of the document
        out.append({"location": location, "path": _path(rest), "message": error.get("msg", "")})
    return out


def engine_errors(problems: Iterable[Problem], *, prefix: str = "") -> list[dict[str, Any]]:
    """The engine's problems (path, value, allowed) as problem entries, all of them."""
    return [
        {
            "location": "body",
            "path": prefix + p.path if p.path else prefix.rstrip("."),
            "message": str(p),
            "value": _jsonable(p.value),
            "allowed": p.allowed,
        }
        for p in problems
    ]


def _jsonable(value: object) -> object:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` with problem details."""

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc.errors)
        names = ", ".join(sorted({e["path"] or e["location"] for e in errors}))
        return problem_response(
            request, "invalid-input", f"Check these and try again: {names}.", errors=errors
        )

    def on_document(request: HttpRequest, exc: InvalidDocument) -> HttpResponse:
        errors = engine_errors(exc.problems, prefix=getattr(exc, "api_prefix", ""))
        return problem_response(
            request,
            "invalid-input",
            f"The document has {len(errors)} problem(s); each is listed in errors.",
            errors=errors,
        )

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            "unauthenticated",
            "Send a live API token: Authorization: Bearer <token>. Make one at /api/tokens/.",
            headers={"WWW-Authenticate": 'Bearer realm="backcare"'},
        )

    def on_authorization(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem_response(request, "forbidden", str(exc))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        kind = {400: "malformed-request", 404: "not-found", 405: "method-not-allowed"}.get(
            exc.status_code
        )
        if exc.status_code == 429:
            kind = "too-many-requests"
        if kind is None:  # pragma: no cover - the API raises no other HttpError
            kind = "malformed-request"
        return problem_response(request, kind, str(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(
            request, "not-found", "There is nothing here that this token may see."
        )

    def on_not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
        return problem_response(request, "forbidden", str(exc))

    def on_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        return problem_response(request, "refused", str(exc))

    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(request, exc.kind, exc.detail, errors=exc.errors)

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        raise exc  # Django's own 500 handling (and logging) for real faults

    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (Exception, on_exception),
        (ValidationError, on_validation),
        (InvalidDocument, on_document),
        (HttpError, on_http_error),
        (AuthenticationError, on_authentication),
        (AuthorizationError, on_authorization),
        (Http404, on_not_found),
        (ActionRefused, on_refused),
        (NotAllowed, on_not_allowed),
        (ApiProblem, on_problem),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
