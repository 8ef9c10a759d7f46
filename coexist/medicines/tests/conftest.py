"""Fixtures for the R9 medicines tests: a fixed clock (see world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from coexist.medicines.tests.world import NOW


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
