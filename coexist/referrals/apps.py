from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "coexist.referrals"
    label = "referrals"
    verbose_name = "Referrals"
