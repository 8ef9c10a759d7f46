"""Commissioning contracts are set up in Django admin: not clinical content (R10)."""

from django.contrib import admin

from coexist.handover.models import Contract


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "provider", "service", "starts_on", "ends_on", "successor")
    list_filter = ("provider",)
    search_fields = ("name",)
