"""Administrators manage staff accounts and tokens here. No clinical model is registered anywhere."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from coexist.accounts.models import ApiToken, User
from coexist.organisations.models import Membership


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    fields = ("team", "role", "started_on", "ended_on")


@admin.register(User)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "last_four", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "last_four", "created_at", "last_used_at")
    search_fields = ("user__username", "name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued on the profile page or with `manage.py issue_token`
