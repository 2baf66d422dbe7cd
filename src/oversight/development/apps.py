from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "oversight.development"
    verbose_name = "ICS development plan"
