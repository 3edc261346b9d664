"""The API tokens page, /api/tokens/: a signed-in person makes and revokes their own tokens.

Works without JavaScript: plain POST forms. A new token is shown once, on the page answering
the POST (never stored in the session, never shown again; the response is not cached).
Revoking redirects back with a message. Another person's token id is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backcare.accounts.models import User
from backcare.care.actions import ActionRefused

from . import tokens as token_actions
from .forms import NewTokenForm
from .models import ApiToken


def _owner(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(
    request: HttpRequest, form: NewTokenForm, new_token: str = "", status: int = 200
) -> HttpResponse:
    user = _owner(request)
    context = {
        "form": form,
        "new_token": new_token,
        # An HTTP header is not translated; built here so the template holds only our words.
        "header_example": f"Authorization: Bearer {new_token}" if new_token else "",
        "tokens": ApiToken.objects.filter(user=user).order_by(
            F("revoked_at").asc(nulls_first=True), "-created_at", "-id"
        ),
        "max_tokens": token_actions.MAX_TOKENS,
    }
    response = render(request, "api/tokens.html", context, status=status)
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, NewTokenForm())
    form = NewTokenForm(data=request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, raw = token_actions.create_token(
            user=_owner(request),
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            by=_owner(request),
        )
    except ActionRefused as error:
        form.add_error("name", str(error))
        form.describe_fields(form.errors)
        return _page(request, form, status=400)
    return _page(request, NewTokenForm(), new_token=raw)


@require_POST
@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id,
                              user=_owner(request))  # fmt: skip
    token_actions.revoke_token(token=token, by=_owner(request))
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("api_tokens:index")
