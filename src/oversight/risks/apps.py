from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "oversight.risks"
    verbose_name = "Risks and board assurance"
