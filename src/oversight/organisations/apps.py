from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "oversight.organisations"
    verbose_name = "Organisations"
    default_auto_field = "django.db.models.BigAutoField"
