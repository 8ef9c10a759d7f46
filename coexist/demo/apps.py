from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coexist.demo"
    label = "demo"
    verbose_name = "Synthetic demo data"
