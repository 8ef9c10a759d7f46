from django.urls import path

from coexist.care.plans import views

app_name = "careplans"

urlpatterns = [
    path("<uuid:public_id>/", views.plan_view, name="view"),
    path("<uuid:public_id>/versions/<int:number>/", views.version_view, name="version"),
    path("<uuid:public_id>/edit/", views.plan_edit, name="edit"),
    path("<uuid:public_id>/plain/", views.plan_plain, name="plain"),
    path("<uuid:public_id>/pdf/", views.plan_pdf, name="pdf"),
    path("<uuid:public_id>/share/", views.plan_share, name="share"),
]
