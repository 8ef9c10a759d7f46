from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "coexist.instruments"
    label = "instruments"
    verbose_name = "Validated measures"

    def ready(self) -> None:
        # Load and check every definition as Django starts: a malformed measure fails loudly here,
        # not when someone's answers are scored.
        from coexist.instruments import definitions  # noqa: F401
