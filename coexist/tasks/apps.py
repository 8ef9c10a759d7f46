from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "coexist.tasks"
    label = "tasks"
    verbose_name = "Tasks"
