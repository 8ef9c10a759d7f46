"""API endpoints for programme theories, under /api/v1/evaluation: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["programme theories"])
