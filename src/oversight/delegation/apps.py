from django.apps import AppConfig


class DelegationConfig(AppConfig):
    name = "oversight.delegation"
    verbose_name = "Scheme of delegation"
