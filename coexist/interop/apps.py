from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "coexist.interop"
    label = "interop"
    verbose_name = "Interoperability"
