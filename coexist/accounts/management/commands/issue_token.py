"""`python manage.py issue_token USERNAME [--name NAME]`: issue a personal API token, printed once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coexist.accounts.models import User
from coexist.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue a personal API token for a member of staff. The token is printed once and stored hashed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="issued by an administrator", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user called {options['username']!r}.") from exc
        try:
            token, raw = api_token_issue(user=user, name=options["name"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Token '{token.name}' for {user.username}. It is shown once; store it safely.")
        self.stdout.write(raw)
