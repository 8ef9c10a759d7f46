from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "coexist.engagement"
    label = "engagement"
    verbose_name = "Engagement and follow-up"
