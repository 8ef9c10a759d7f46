"""API endpoints for assessments."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["assessments"])
