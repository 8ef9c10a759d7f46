"""API endpoints for inpatient stays, under /api/v1/inpatient: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["inpatient stays"])
