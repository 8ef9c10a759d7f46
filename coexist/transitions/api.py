"""API endpoints for discharges and transfers, under /api/v1/transitions: the same selectors, services and permission
function as the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["discharges and transfers"])
