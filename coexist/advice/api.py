"""API endpoints for advice requests, under /api/v1/advice: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["advice requests"])
