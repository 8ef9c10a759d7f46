from django.apps import AppConfig


class InpatientConfig(AppConfig):
    name = "coexist.inpatient"
    label = "inpatient"
    verbose_name = "Inpatient stays"
