from django.apps import AppConfig


class MedicinesConfig(AppConfig):
    name = "coexist.medicines"
    label = "medicines"
    verbose_name = "Medicines continuity"
