from django.urls import URLPattern, path  # noqa: F401

from coexist.care import views  # noqa: F401

app_name = "care"

urlpatterns: list[URLPattern] = []
