from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "coexist.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and evaluation"
