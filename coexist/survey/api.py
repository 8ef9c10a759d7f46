"""API endpoints for service survey, under /api/v1/survey: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["service survey"])
