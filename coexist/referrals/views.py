"""Pages for referrals."""

from __future__ import annotations
