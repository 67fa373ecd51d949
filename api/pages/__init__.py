"""Server-rendered pages, one module per area (sign-in, review, compliance, operations), gathered in
one router; every page goes through the same access table as the API."""

from __future__ import annotations

from fastapi import APIRouter

from api.pages import admin, compliance, dashboard, policy, revenue, review, signin, worklists
from api.pages.common import STATIC_DIR

router = APIRouter(include_in_schema=False)
for area in (signin, review, compliance, dashboard, revenue, admin, policy, worklists):
    router.include_router(area.router)

__all__ = ["STATIC_DIR", "router"]
