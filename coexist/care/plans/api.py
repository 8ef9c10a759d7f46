"""API endpoints for care plans (R4)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["care plans"])
