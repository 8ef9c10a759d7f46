"""API endpoints for medicines continuity, under /api/v1/medicines: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["medicines continuity"])
