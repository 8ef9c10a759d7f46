from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "coexist.transitions"
    label = "transitions"
    verbose_name = "Discharges and transfers"
