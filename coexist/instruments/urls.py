from django.urls import URLPattern, path  # noqa: F401

from coexist.instruments import views  # noqa: F401

app_name = "instruments"

urlpatterns: list[URLPattern] = []
