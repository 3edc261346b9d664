"""Storage of the exports app: the secret calendar-feed links (docs/calendars.md).

A calendar feed is a URL with a secret token that a phone or desktop calendar fetches on its
own, without signing in: the token is the credential. Only the token's SHA-256 hash is stored
(as for invitations, ``backcare.accounts.models.token_hash``), so a copy of the database cannot
be used to read anyone's calendar. Writes go through ``backcare/exports/feeds.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.db.models import Q

from backcare.accounts.models import User


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> CalendarFeedQuerySet:
        """Feeds not revoked."""
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A person's secret calendar link: a patient's visits and exercise reminders, or a
    clinician's visits. One active feed per person (a new one revokes the old)."""

    class Kind(models.TextChoices):
        PATIENT = "patient"
        CLINICIAN = "clinician"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(
        null=True, blank=True, help_text="Updated at most once an hour, not on every fetch."
    )

    objects: ClassVar[CalendarFeedQuerySet] = CalendarFeedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_active_feed"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["patient", "clinician"]), name="calendar_feed_kind_known"
            ),
        )

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"calendar feed {self.pk} of user {self.user_id} ({state})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def fetch_is_stale(self, now: dt.datetime) -> bool:
        """Whether ``last_fetched_at`` is worth writing again at ``now`` (at most hourly)."""
        return self.last_fetched_at is None or now - self.last_fetched_at >= FETCH_NOTE_EVERY


# How often a feed's last_fetched_at is written: calendars poll often, and a write per fetch is
# waste. An hour is enough to tell a person "your calendar last read this link today".
FETCH_NOTE_EVERY = dt.timedelta(hours=1)
