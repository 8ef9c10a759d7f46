from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "coexist.care"
    label = "care"
    verbose_name = "Care"
