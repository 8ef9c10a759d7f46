"""Administrators create research projects and name their researchers here; the key is never shown."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from coexist.research.models import ExtractLog, ResearchProject


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "approval_reference", "starts_on", "ends_on")
    fields = ("name", "approval_reference", "purpose", "data_controller_contact", "starts_on", "ends_on", "members")
    filter_horizontal = ("members",)


@admin.register(ExtractLog)
class ExtractLogAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("project", "by_name", "at", "kind", "row_count", "sha256")
    list_filter = ("project",)
    exclude = ("by",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
