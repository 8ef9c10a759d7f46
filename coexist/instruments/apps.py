from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "coexist.instruments"
    label = "instruments"
    verbose_name = "Validated measures"
