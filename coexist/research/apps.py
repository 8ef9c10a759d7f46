from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "coexist.research"
    label = "research"
    verbose_name = "Research extracts"
