"""The django-ninja API object: /api/v1/... with its OpenAPI 3.1 document at /api/openapi.json
and the interactive docs at /api/docs (served from django-ninja's own static files, no outside
network).

Every operation needs ``Authorization: Bearer <token>`` (tokens.py). Errors are RFC 9457
problem details (problems.py); the OpenAPI document says so: every error response of every
operation is declared with the media type ``application/problem+json``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer

from . import problems, tokens
from .models import ApiToken
from .v1 import router as v1_router

DESCRIPTION = """\
The REST API of backcare: patients, their assessments, plans, home-exercise logs, check-ins,
outcomes and visits, and a stateless assessment of an intake document.

Authenticate with a personal API token: `Authorization: Bearer <token>`. Make one at
[/api/tokens/](/api/tokens/) (or `manage.py create_api_token`). A token sees what its owner
sees on the pages: a patient only themselves, clinic staff their clinic's patients; anything
else is 404. A token of scope `read` cannot call the write operations (403).

Errors are RFC 9457 problem details (`application/problem+json`). Guide: docs/api.md.
"""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the live ApiToken (request.auth) or None (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return tokens.authenticate(token)


class Docs(Swagger):
    """Swagger UI from django-ninja's bundled static files, in our own page (language, title)."""

    template = "api/docs.html"


class BackcareApi(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares problem details for every error response."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                media = operation.pop("x-media-type", None)
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if not content or "application/json" not in content:
                        continue
                    if int(status) >= 400:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
                    elif media:
                        content[media] = content.pop("application/json")
        return schema


api = BackcareApi(
    title="backcare API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=TokenAuth(),
    docs=Docs(),
    openapi_url="/openapi.json",
    docs_url="/docs",
)
problems.install(api)
api.add_router("/v1", v1_router)
