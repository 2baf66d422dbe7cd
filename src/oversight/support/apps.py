from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "oversight.support"
    verbose_name = "Support and intervention"

    def ready(self) -> None:
        from oversight.support import signals  # noqa: F401 - connects the decision receiver
