"""Public pages: self-referral needs no account (R12)."""

from django.urls import path

from coexist.referrals import views

app_name = "public"

urlpatterns = [
    path("", views.self_refer, name="self-refer"),
    path("sent/", views.self_refer_sent, name="self-refer-sent"),
]
