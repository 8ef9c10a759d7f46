"""Pages for assessments."""

from __future__ import annotations
