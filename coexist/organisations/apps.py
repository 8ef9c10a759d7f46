from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "coexist.organisations"
    label = "organisations"
    verbose_name = "Organisations"
