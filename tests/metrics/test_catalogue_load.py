"""Loading the framework catalogues into the database: complete, idempotent and atomic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oversight.frameworks import framework_dirs
from oversight.frameworks.catalogue import CatalogueError, read_catalogue
from oversight.metrics import catalogue as catalogue_loader
from oversight.metrics.catalogue import load_all
from oversight.metrics.models import Framework, Metric, Theme

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[dict]]:
    """Every catalogue row, every column, in a stable order."""
    return {
        "frameworks": list(Framework.objects.order_by("id").values()),
        "themes": list(Theme.objects.order_by("id").values()),
        "metrics": list(Metric.objects.order_by("id").values()),
    }


def test_load_all_writes_every_framework_theme_and_metric() -> None:
    loaded = load_all()
    specs = [read_catalogue(d / "catalogue.yaml") for d in framework_dirs()]
    assert sorted(f.code for f in loaded) == sorted(s.code for s in specs)
    for spec in specs:
        framework = Framework.objects.get(code=spec.code)
        assert (framework.name, framework.year_start, framework.method) == (
            spec.name, spec.year_start, spec.method
        )
        assert [(t.code, t.name, t.is_local) for t in framework.themes.order_by("order")] == [
            (t.code, t.name, t.is_local) for t in spec.themes
        ]
        for theme in spec.themes:
            assert sorted(
                Metric.objects.filter(framework=framework, theme__code=theme.code)
                .values_list("code", flat=True)
            ) == sorted(m.code for m in theme.metrics)
    ae = Metric.objects.get(framework__code="sof-2021-22", code="AE4HR")
    assert (ae.unit, ae.polarity, ae.standard, ae.valid_min, ae.valid_max, ae.theme.code) == (
        "%", "higher", 95.0, 0.0, 100.0, "quality"
    )
    assert ae.org_kinds == ["icb", "ccg", "acute"]
    assert ae.spc_direction == "increase"
    assert Theme.objects.get(framework__code="sof-2021-22", code="local").is_local


def test_loading_twice_changes_nothing() -> None:
    load_all()
    first = snapshot()
    load_all()
    assert snapshot() == first


def _copy_catalogues(tmp_path: Path) -> list[Path]:
    folders = []
    for folder in framework_dirs():
        target = tmp_path / folder.name
        target.mkdir()
        shutil.copy(folder / "catalogue.yaml", target / "catalogue.yaml")
        folders.append(target)
    return folders


def test_a_bad_file_leaves_the_database_unchanged(tmp_path: Path, monkeypatch) -> None:
    load_all()
    before = snapshot()
    folders = _copy_catalogues(tmp_path)
    # A valid change in the first file and an invalid one in the last: nothing may be written.
    first = folders[0] / "catalogue.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace(
        "name: A&E attendances admitted", "name: Renamed A&E attendances admitted"
    ), encoding="utf-8")
    last = folders[-1] / "catalogue.yaml"
    bad = last.read_text(encoding="utf-8").replace("polarity: lower", "polarity: down", 1)
    last.write_text(bad, encoding="utf-8")
    monkeypatch.setattr(catalogue_loader, "framework_dirs", lambda: folders)
    with pytest.raises(CatalogueError) as caught:
        load_all()
    assert caught.value.path == last
    assert "'polarity' is 'down'" in caught.value.reason
    assert snapshot() == before


def test_a_changed_definition_is_updated_in_place(tmp_path: Path, monkeypatch) -> None:
    load_all()
    metric_id = Metric.objects.get(framework__code="sof-2021-22", code="AMBC2").pk
    count = Metric.objects.count()
    folders = _copy_catalogues(tmp_path)
    sof = next(f for f in folders if f.name == "sof-2021-22") / "catalogue.yaml"
    sof.write_text(sof.read_text(encoding="utf-8").replace(
        "name: Ambulance category 2 mean response time",
        "name: Category 2 mean response time",
    ), encoding="utf-8")
    monkeypatch.setattr(catalogue_loader, "framework_dirs", lambda: folders)
    load_all()
    metric = Metric.objects.get(pk=metric_id)  # same row: observations stay attached
    assert metric.name == "Category 2 mean response time"
    assert Metric.objects.count() == count
