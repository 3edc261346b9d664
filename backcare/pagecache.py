"""Rendering a page once per state: the caseload and Today are drawn again only when what they
show has changed (docs/benchmarks.md, "Web")."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import get_language

from backcare.care import alerts

# The CSRF token in a rendered page: the form field and base.html's htmx header. Every use in
# one rendering is the same string (the template context's token is computed once).
_CSRF_IN_PAGE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
_TOKEN_SLOT = "\x00csrf-token\x00"


def render_cached(
    request: HttpRequest,
    template: str,
    context: Callable[[], Mapping[str, Any]],
    *,
    key: Hashable,
    cache: alerts.LruCache[Hashable, str],
) -> HttpResponse:
    """``render(request, template, context())``, rendered once per ``key`` (with the template,
    the language and the URL) and then served from ``cache`` with a fresh CSRF token.

    ``key`` must hold everything the page shows (the caller's data and the signed-in user): a
    new state is a new key, so a cached page is never stale, only unused. A request with
    flash messages to show is rendered afresh (the messages are part of the page once).
    """
    if not alerts.caching() or len(messages.get_messages(request)):
        return render(request, template, context())
    full_key = (template, key, get_language(), request.get_full_path())
    page = cache.get(full_key)
    if page is None:
        response = render(request, template, context())
        text = response.content.decode()
        found = _CSRF_IN_PAGE.search(text)
        if found:
            text = text.replace(found.group(1) or found.group(2), _TOKEN_SLOT)
        cache.put(full_key, text)
        return response
    if _TOKEN_SLOT in page:
        page = page.replace(_TOKEN_SLOT, get_token(request))
    return HttpResponse(page)
