from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "coexist.timeline"
    label = "timeline"
    verbose_name = "Timeline"
