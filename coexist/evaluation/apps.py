from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "coexist.evaluation"
    label = "evaluation"
    verbose_name = "Realist evaluation"
