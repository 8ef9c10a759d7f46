from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "coexist.background"
    verbose_name = "Background work"
