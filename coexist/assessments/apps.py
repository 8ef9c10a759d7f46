from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "coexist.assessments"
    label = "assessments"
    verbose_name = "Assessments and risk"
