from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coexist.notifications"
    label = "notifications"
    verbose_name = "Reminders and messages to people"

    def ready(self) -> None:
        # Fail at start-up, not at the first reminder: a misconfigured Notify backend would otherwise
        # fail every reminder, one by one, at night.
        from coexist.notifications.backends import check_configuration

        check_configuration()
