"""Every reader of unpublished data asks ``oversight.access.visibility``: the segmentation
proposals' and suggested risks' CQC reads, RSP exit-criteria progress, the command-line exports.
And a guard: no module outside ``oversight.access`` decides publication for itself.

The world: RGT's published CQC rating (Good, 2023) and a later one from a load of RGT's own user
that is not yet published (Requires improvement, 2024). The rule (docs/importing.md,
"Publication"): RGT's users, its ICB team, its regional team and administrators see the later one;
SOAG members and anything everyone sees (proposals, suggested risks) see Good.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from oversight.access.models import Role
from oversight.engine.triggers.rules import CQC_CODES
from oversight.metrics import insight
from oversight.metrics.importing.export import cqc_rating_rows, observation_rows
from oversight.organisations.models import CqcRating
from oversight.risks.suggest import signals
from oversight.segmentation.proposals import _cqc
from oversight.support.progress import progress_of
from tests.factories import (
    CqcRatingFactory,
    ExitCriterionFactory,
    ImportBatchFactory,
    RecoverySupportFactory,
    RoleFactory,
)
from tests.metrics.test_publication import NEW, PUBLISHED_LATEST, REVISED, world  # noqa: F401

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "oversight"


@pytest.fixture
def ratings(world):  # noqa: F811
    org = world["org"]
    CqcRatingFactory(organisation=org, published=dt.date(2023, 5, 1),
                     overall=CqcRating.Rating.GOOD, batch=ImportBatchFactory())
    pending = ImportBatchFactory(created_by=world["users"]["loader"], published_at=None,
                                 format="cqc")
    CqcRatingFactory(organisation=org, published=dt.date(2024, 3, 1),
                     overall=CqcRating.Rating.REQUIRES_IMPROVEMENT, batch=pending)
    return world


def test_proposals_read_published_ratings_only(ratings):
    org = ratings["org"]
    overall, _ = _cqc({org.pk: 0}, [(org.pk, None)], ["Q1 2024/25"])
    assert overall[0, 0] == CQC_CODES["good"]  # not the unpublished Requires improvement


def test_suggested_risks_read_published_ratings_only(ratings):
    assert not [s for s in signals() if s.key.startswith("cqc:RGT")]
    CqcRating.objects.filter(batch__published_at__isnull=True).update(
        published=dt.date(2022, 1, 1))  # the unpublished rating no longer the newest...
    CqcRating.objects.filter(overall=CqcRating.Rating.GOOD).update(
        overall=CqcRating.Rating.REQUIRES_IMPROVEMENT)  # ...and the published one now RI
    assert [s.key for s in signals() if s.key.startswith("cqc:RGT")] == ["cqc:RGT:2023-05-01"]


def test_exit_criterion_progress_reads_the_ratings_its_viewer_may_see(ratings):
    case = RecoverySupportFactory(case__organisation=ratings["org"]).case
    criterion = ExitCriterionFactory(rsp=case.rsp, cqc_rating="good")
    users = ratings["users"]
    soag = progress_of(criterion, insight.visibility(users["soag"]))
    assert (soag.cqc_published, soag.reached) == (dt.date(2023, 5, 1), True)
    loader = progress_of(criterion, insight.visibility(users["loader"]))
    assert (loader.cqc_published, loader.reached) == (dt.date(2024, 3, 1), False)


def _values(rows) -> set[str]:
    return {f"{r['value']:.1f}%" for r in rows if r["org_code"] == "RGT"}


def test_the_observations_export_is_what_its_viewer_may_see(world):  # noqa: F811
    users = world["users"]
    everything = _values(observation_rows())  # the command line's administrator
    assert {NEW, REVISED} <= everything and PUBLISHED_LATEST not in everything
    assert {NEW, REVISED} <= _values(observation_rows(viewer=users["loader"]))
    soag = list(observation_rows(viewer=users["soag"]))
    assert NEW not in _values(soag) and REVISED not in _values(soag)
    assert PUBLISHED_LATEST in _values(soag)
    shown = next(r for r in soag if r["value"] == 41.5)
    assert shown["batch_id"] != world["batch"].pk and shown["source_row"] is None
    assert _values(observation_rows(viewer=users["other_icb"])) == _values(soag)


def test_the_cqc_export_is_what_its_viewer_may_see(ratings):
    users = ratings["users"]
    assert len(list(cqc_rating_rows())) == 2
    for role in ("loader", "icb", "regional", "admin"):
        assert len(list(cqc_rating_rows(viewer=users[role]))) == 2, role
    for role in ("soag", "other_icb", "other_regional"):
        assert [r["published"] for r in cqc_rating_rows(viewer=users[role])] == ["2023-05-01"]


def test_the_export_command_takes_its_viewer(ratings, tmp_path):
    from typer.testing import CliRunner

    from oversight.cli.main import app

    RoleFactory(user__username="soag-only", kind=Role.Kind.SOAG_MEMBER, region=None,
                system=ratings["org"].host_system)
    out = tmp_path / "ratings.csv"
    result = CliRunner().invoke(app, ["export", "cqc-ratings", "--as", "soag-only",
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "2023-05-01" in out.read_text() and "2024-03-01" not in out.read_text()
    refused = CliRunner().invoke(app, ["export", "cqc-ratings", "--as", "nobody"])
    assert refused.exit_code == 2 and "--as: no active user named 'nobody'" in refused.output


#: Reading a load's publication state is deciding who sees it: only oversight.access does.
PUBLICATION_READ = re.compile(r"published_at__isnull|batch__published_at")
#: Writes that set the state (not reads that decide visibility), by file.
WRITES = {"metrics/views_imports.py": "the Publish button sets published_at once"}


def test_no_reader_decides_publication_for_itself():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        if name.startswith("access/") or "/migrations/" in name or name in WRITES:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PUBLICATION_READ.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, ("read publication through oversight.access.visibility:\n"
                           + "\n".join(offenders))
