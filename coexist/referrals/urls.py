from django.urls import URLPattern, path  # noqa: F401

from coexist.referrals import views  # noqa: F401

app_name = "referrals"

urlpatterns: list[URLPattern] = []
