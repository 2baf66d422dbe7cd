from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "oversight.governance"
    verbose_name = "Governance"
