"""API endpoints for outcome measures and dashboards, under /api/v1/outcomes: the same selectors as the
pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["outcome measures and dashboards"])
