from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "coexist.handover"
    label = "handover"
    verbose_name = "Provider handover"
