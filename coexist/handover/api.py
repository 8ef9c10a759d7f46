"""API endpoints for provider handover, under /api/v1/handover: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["provider handover"])
