"""Write the validated framework catalogues to the database (idempotent, atomic)."""

from __future__ import annotations

from django.db import transaction

from oversight.frameworks import framework_dirs
from oversight.frameworks.catalogue import CatalogueSpec, read_catalogue
from oversight.metrics.models import Framework, Metric, Theme


def load_all() -> list[Framework]:
    """Validate every catalogue file first, then write them all in one transaction."""
    specs = [read_catalogue(d / "catalogue.yaml") for d in framework_dirs()]
    with transaction.atomic():
        return [load(spec) for spec in specs]


def load(spec: CatalogueSpec) -> Framework:
    framework, _ = Framework.objects.update_or_create(
        code=spec.code,
        defaults={"name": spec.name, "year_start": spec.year_start, "method": spec.method,
                  "source": spec.source},
    )
    for theme_spec in spec.themes:
        theme, _ = Theme.objects.update_or_create(
            framework=framework, code=theme_spec.code,
            defaults={"name": theme_spec.name, "order": theme_spec.order,
                      "is_local": theme_spec.is_local},
        )
        for m in theme_spec.metrics:
            Metric.objects.update_or_create(
                framework=framework, code=m.code,
                defaults={
                    "theme": theme, "name": m.name, "description": m.description,
                    "unit": m.unit, "polarity": m.polarity, "org_kinds": list(m.org_kinds),
                    "peer_grouping": m.peer_grouping, "frequency": m.frequency,
                    "source": m.source, "standard": m.standard, "scored": m.scored,
                    "accumulation": m.accumulation,
                    "valid_min": m.valid_min, "valid_max": m.valid_max,
                },
            )
    return framework
