from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "coexist.survey"
    label = "survey"
    verbose_name = "Service survey and training"
