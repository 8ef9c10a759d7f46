from django.urls import path

from coexist.people import views

app_name = "people"

urlpatterns = [
    path("<uuid:public_id>/", views.person_detail, name="detail"),
    path("<uuid:public_id>/contact/", views.person_edit_contact, name="edit-contact"),
    path("<uuid:public_id>/equality/", views.person_edit_equality, name="edit-equality"),
    path("<uuid:public_id>/carers/new/", views.carer_new, name="carer-new"),
    path("<uuid:public_id>/carers/<uuid:carer_id>/assessment/", views.carer_assessment, name="carer-assessment"),
    path(
        "<uuid:public_id>/carers/<uuid:carer_id>/assessment/<uuid:offer_id>/outcome/",
        views.carer_assessment_outcome,
        name="carer-assessment-outcome",
    ),
    path("<uuid:public_id>/consents/new/", views.consent_new, name="consent-new"),
    path("<uuid:public_id>/consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
]
