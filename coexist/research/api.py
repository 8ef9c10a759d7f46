"""API endpoints for research extracts, under /api/v1/research: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["research extracts"])
