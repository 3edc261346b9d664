"""API tokens: per user, revocable, stored hashed, scoped read or read-write (docs/api.md).

Only the SHA-256 hash of a token is stored (like an invitation's, accounts.models.token_hash),
so a copy of the database cannot be used to call the API. The raw token is shown once, when it
is made. ``last_used_at`` is written at most once an hour (a write on every request is what caps
a busy server), so it says roughly when a token was last used, not exactly.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from backcare.accounts.models import User


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "read"
        READ_WRITE = "read-write", "read-write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'clinic EHR'.")
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(scope__in=["read", "read-write"]), name="api_token_scope_known"
            ),
        )

    def __str__(self) -> str:
        return f"API token {self.name!r} of {self.user_id} ({self.scope})"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
