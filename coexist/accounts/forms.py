from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from coexist.forms import NHSForm, NHSFormMixin


class SignInForm(NHSFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask an administrator.",
    }


class TokenForm(NHSForm):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, 'caseload export script'. You can revoke it at any time.",
    )
