from django.contrib import admin

from coexist.organisations.models import Membership, Organisation, Service, Team


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "ods_code")
    list_filter = ("kind",)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "organisation", "kind", "follow_up_working_days")
    list_filter = ("kind", "organisation")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "service")
    list_filter = ("service",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "team", "role", "started_on", "ended_on")
    list_filter = ("role", "team")
    search_fields = ("user__username", "user__last_name")
