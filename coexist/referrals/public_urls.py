"""Public pages: self-referral needs no account (R12)."""

from django.urls import URLPattern, path  # noqa: F401

from coexist.referrals import views  # noqa: F401

app_name = "public"

urlpatterns: list[URLPattern] = []
