"""The writes of calendar feeds, in the style of ``backcare/care/actions.py``.

Each action is ``@transaction.atomic``, takes keyword arguments only, checks who may do it and
writes one audit entry (``backcare.care.actions._audit``). Refusals raise the care actions'
:class:`NotAllowed` with a plain message; a refused action stores nothing. Reading a feed is
not an action: ``find_feed`` looks a token up and ``note_fetch`` keeps ``last_fetched_at`` (at
most hourly); the view audits the read with ``actions.record_read``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from backcare.accounts.models import User, new_token, token_hash
from backcare.care.actions import Action, ActionRefused, NotAllowed, _audit, _now
from backcare.care.models import Patient

from .models import CalendarFeed

__all__ = ["create_feed", "feed_kind", "find_feed", "note_fetch", "revoke_feed"]


def feed_kind(user: User) -> CalendarFeed.Kind | None:
    """Which feed ``user`` may have: a patient's, a clinician's (clinic staff), or none."""
    if not user.is_active:
        return None
    if user.is_patient:
        return CalendarFeed.Kind.PATIENT
    if user.is_clinic_staff and user.clinic_id is not None:
        return CalendarFeed.Kind.CLINICIAN
    return None


def _patient_of(user: User) -> Patient | None:
    return Patient.objects.filter(user=user).first() if user.is_patient else None


@transaction.atomic
def create_feed(
    *, user: User, by: User, now: dt.datetime | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret calendar link for ``user`` (only they may ask for it), and its token: show
    the token once; only its hash is stored. An active link of theirs is revoked first."""
    now = _now(now)
    if not (by.is_active and by.pk == user.pk):
        raise NotAllowed(_("Only you can make a calendar link for yourself."))
    kind = feed_kind(user)
    if kind is None:
        raise NotAllowed(_("This account cannot have a calendar link."))
    patient = _patient_of(user)
    if kind is CalendarFeed.Kind.PATIENT and patient is None:
        raise ActionRefused(_("This account has no patient record yet."))
    replaced = list(
        CalendarFeed.objects.select_for_update()
        .active()
        .filter(user=user)
        .values_list("pk", flat=True)
    )
    CalendarFeed.objects.filter(pk__in=replaced).update(revoked_at=now)
    token, digest = new_token()
    feed = CalendarFeed.objects.create(user=user, kind=kind, token_hash=digest, created_at=now)
    _audit(who=by, action=Action.CREATE, obj=feed, at=now, patient=patient,
           detail={"kind": kind.value, "revoked": replaced})  # fmt: skip
    return feed, token


@transaction.atomic
def revoke_feed(*, feed: CalendarFeed, by: User, now: dt.datetime | None = None) -> CalendarFeed:
    """Stop a calendar link working: its owner, or an administrator of the owner's clinic."""
    now = _now(now)
    owner = feed.user
    is_owner = by.is_active and by.pk == owner.pk
    is_admin = (
        by.is_active
        and by.role == User.Role.CLINIC_ADMIN
        and by.clinic_id is not None
        and by.clinic_id == owner.clinic_id
    )
    if not (is_owner or is_admin):
        raise NotAllowed(_("Only the owner of this calendar link may stop it."))
    if feed.revoked_at is not None:
        raise ActionRefused(_("This calendar link is already stopped."))
    feed.revoked_at = now
    feed.save(update_fields=["revoked_at"])
    patient = _patient_of(owner) if feed.kind == CalendarFeed.Kind.PATIENT else None
    _audit(who=by, action=Action.UPDATE, obj=feed, at=now, patient=patient,
           clinic_id=owner.clinic_id, detail={"revoked": True})  # fmt: skip
    return feed


def find_feed(token: str) -> CalendarFeed | None:
    """The active feed of ``token`` with its owner and their clinic (one query), or None: unknown, revoked, or
    its owner can no longer sign in."""
    feed = (
        CalendarFeed.objects.active()
        .select_related("user__clinic")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
    if feed is None or feed_kind(feed.user) != feed.kind:
        return None
    return feed


def note_fetch(feed: CalendarFeed, now: dt.datetime) -> None:
    """Remember when the feed was last read, writing at most once an hour (one UPDATE then)."""
    if feed.fetch_is_stale(now):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
        feed.last_fetched_at = now
