from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "coexist.people"
    label = "people"
    verbose_name = "People"
