from django.urls import path

from coexist.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.referral_new, name="new"),
    path("drop-in/", views.drop_in_list, name="drop-in-list"),
    path("drop-in/new/", views.drop_in_new, name="drop-in-new"),
    path("drop-in/<uuid:public_id>/referral/", views.drop_in_convert, name="drop-in-convert"),
    path("<uuid:public_id>/", views.referral_detail, name="detail"),
    path("<uuid:public_id>/triage/", views.referral_triage, name="triage"),
    path("<uuid:public_id>/link/", views.referral_link, name="link"),
    path("<uuid:public_id>/new-person/", views.referral_create_person, name="create-person"),
    path("<uuid:public_id>/accept/", views.referral_accept, name="accept"),
    path("<uuid:public_id>/decline/", views.referral_decline, name="decline"),
    path("<uuid:public_id>/redirect/", views.referral_redirect, name="redirect"),
    path("<uuid:public_id>/close/", views.referral_close, name="close"),
]
