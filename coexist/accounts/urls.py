from django.urls import path

from coexist.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token-revoke"),
]
