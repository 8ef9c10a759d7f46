from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coexist.accounts"
    label = "accounts"
    verbose_name = "Accounts"
