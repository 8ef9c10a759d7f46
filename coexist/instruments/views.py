"""Pages for instruments."""

from __future__ import annotations
