from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "coexist.advice"
    label = "advice"
    verbose_name = "Advice requests"
