"""``manage.py create_api_token USERNAME --scope read|read-write --name N``: a token for a user,
made by the system (audited with no person), printed once. Only its hash is stored."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backcare.accounts.models import User
from backcare.api import tokens
from backcare.api.models import ApiToken
from backcare.care.actions import ActionRefused


class Command(BaseCommand):
    help = "Make an API token for USERNAME and print it (it cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ,
            help="read (default) or read-write",
        )  # fmt: skip
        parser.add_argument("--name", required=True, help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"{options['username']}: no such user")
        try:
            _token, raw = tokens.create_token(
                user=user, name=options["name"], scope=options["scope"], by=None
            )
        except ActionRefused as err:
            raise CommandError(str(err)) from None
        self.stdout.write(raw)
