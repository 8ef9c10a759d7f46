from django.urls import path

from coexist.instruments import views

app_name = "instruments"

urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("about/<slug:code>/", views.instrument_detail, name="detail"),
    path("results/<uuid:response_id>/", views.response_result, name="result"),
    path("<uuid:public_id>/", views.person_measures, name="person"),
    path("<uuid:public_id>/<slug:code>/", views.response_new, name="complete"),
]
