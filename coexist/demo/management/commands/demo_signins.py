"""`python manage.py demo_signins [--wait URL]`: print the address and the demo sign-ins."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coexist.demo.generate import CAST, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo address and sign-ins (after waiting for the server to answer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--address", default="http://127.0.0.1:8000/")
        parser.add_argument("--wait", type=float, default=60.0, help="Seconds to wait for the server.")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        if not address.startswith(("http://", "https://")):
            raise CommandError("--address must be an http(s) address.")
        deadline = time.monotonic() + options["wait"]
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(address + "sign-in/", timeout=2)  # noqa: S310 (scheme checked above)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        width = max(len(m.username) for m in CAST)
        lines = [
            "",
            f"Coexist is running at {address}",
            f"Demo sign-ins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [
            f"  {m.username.ljust(width)}  {m.first_name} {m.last_name}, {m.role.label}: sees {m.sees}" for m in CAST
        ]
        self.stdout.write("\n".join(lines) + "\n")
