"""Making, revoking and checking API tokens, in the style of ``care/actions.py``.

``create_token`` and ``revoke_token`` are ``@transaction.atomic``, take keyword arguments only,
check who may do it, and write one audit entry (``care.actions._audit``). A person makes and
revokes their own tokens (``by`` is the owner); ``by=None`` is the system (the
``create_api_token`` management command). Refusals raise ``ActionRefused``/``NotAllowed``.

``authenticate`` is what the API calls on every request: one SELECT, and at most once an hour
one UPDATE of ``last_used_at``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backcare.accounts.models import User, new_token, token_hash
from backcare.care.actions import ActionRefused, NotAllowed, _audit, _now
from backcare.care.models import AuditEntry

from .models import ApiToken

__all__ = ["LAST_USED_EVERY", "MAX_TOKENS", "authenticate", "create_token", "revoke_token"]

# last_used_at is written at most this often per token (no write on every request).
LAST_USED_EVERY = dt.timedelta(hours=1)
# Live tokens a person may hold at once: enough for a few tools, few enough to review.
MAX_TOKENS = 20


@transaction.atomic
def create_token(
    *,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    by: User | None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored token and the raw token, to show once.

    ``by`` is ``user`` themselves, or None for the system (a management command).
    """
    now = _now(now)
    if by is not None and by.pk != user.pk:
        raise NotAllowed(_("You can only make API tokens for yourself."))
    if not user.is_active:
        raise ActionRefused(_("This account is switched off, so it cannot have API tokens."))
    if scope not in ApiToken.Scope.values:
        raise ActionRefused(
            _("Unknown scope %(scope)s; allowed: %(allowed)s.")
            % {"scope": scope, "allowed": ", ".join(ApiToken.Scope.values)}
        )
    name = name.strip()
    if not name:
        raise ActionRefused(_("Give the token a name, so you know later what it is for."))
    if len(name) > 100:
        raise ActionRefused(_("Use a name of at most 100 characters."))
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if live >= MAX_TOKENS:
        raise ActionRefused(
            _("You already have %(count)d tokens; revoke one you no longer use first.")
            % {"count": live}
        )
    raw, digest = new_token()
    token = ApiToken.objects.create(
        user=user, name=name, token_hash=digest, scope=scope, created_at=now
    )
    _audit(who=by, action=AuditEntry.Action.CREATE, obj=token, at=now, clinic_id=user.clinic_id,
           detail={"api_token": token.name, "scope": scope, "for": user.pk})  # fmt: skip
    return token, raw


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User | None, now: dt.datetime | None = None) -> ApiToken:
    """Stop a token working from now on (kept, marked revoked; revoking twice changes nothing)."""
    now = _now(now)
    if by is not None and by.pk != token.user_id:
        raise NotAllowed(_("You can only revoke your own API tokens."))
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        _audit(who=by, action=AuditEntry.Action.UPDATE, obj=token, at=now,
               clinic_id=token.user.clinic_id, detail={"api_token": token.name, "revoked": True})  # fmt: skip
    return token


def authenticate(raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token (with its user) whose hash matches ``raw``, or None.

    A revoked token, or one of a switched-off account, is None. ``last_used_at`` is written when
    it is empty or older than LAST_USED_EVERY, so most requests only read.
    """
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__clinic")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
