from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coexist.audit"
    label = "audit"
    verbose_name = "Audit"
