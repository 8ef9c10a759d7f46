"""Queue the first safety-net sweep if none is waiting; `make run` calls this before the worker starts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from coexist.background.jobs import queue_next_sweep


class Command(BaseCommand):
    help = "Queue a safety-net sweep to run now, unless one is already waiting (the worker then catches up)."

    def handle(self, *args: Any, **options: Any) -> None:
        if queue_next_sweep(after=timedelta(0)):
            self.stdout.write("Queued a safety-net sweep to run as soon as the worker starts.")
        else:
            self.stdout.write("A safety-net sweep is already waiting; the worker will run it.")
