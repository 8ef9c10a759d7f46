"""Pages for care."""

from __future__ import annotations
