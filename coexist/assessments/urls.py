from django.urls import URLPattern, path  # noqa: F401

from coexist.assessments import views  # noqa: F401

app_name = "assessments"

urlpatterns: list[URLPattern] = []
