from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from coexist.interop.api import api
from coexist.people import views as people_views

admin.site.site_header = "Coexist administration"
admin.site.site_title = "Coexist administration"
admin.site.index_title = "Accounts and services"

urlpatterns = [
    path("", people_views.home, name="home"),
    path("", include("coexist.accounts.urls")),
    path("people/", include("coexist.people.urls")),
    path("people/", include("coexist.timeline.urls")),
    path("referrals/", include("coexist.referrals.urls")),
    path("refer-yourself/", include("coexist.referrals.public_urls")),
    path("care/", include("coexist.care.urls")),
    path("care-plans/", include("coexist.care.plans.urls")),
    path("case-reviews/", include("coexist.care.reviews.urls")),
    path("assessments/", include("coexist.assessments.urls")),
    path("appointments/", include("coexist.engagement.urls")),
    path("groups/", include("coexist.engagement.groups.urls")),
    path("measures/", include("coexist.instruments.urls")),
    path("tasks/", include("coexist.tasks.urls")),
    path("inpatient/", include("coexist.inpatient.urls")),
    path("medicines/", include("coexist.medicines.urls")),
    path("advice/", include("coexist.advice.urls")),
    path("transitions/", include("coexist.transitions.urls")),
    path("provider-handover/", include("coexist.handover.urls")),
    path("outcomes/", include("coexist.outcomes.urls")),
    path("evaluation/", include("coexist.evaluation.urls")),
    path("service-survey/", include("coexist.survey.urls")),
    path("research/", include("coexist.research.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages that name none (the admin site).
    path("favicon.ico", RedirectView.as_view(url=static("nhsuk/assets/images/favicon.ico"), permanent=True)),
]

handler403 = "coexist.views.forbidden"
handler404 = "coexist.views.not_found"
handler500 = "coexist.views.server_error"
