"""NOF 2025/26 through stored observations reproduces `oversight nof segment` on the published
file; league table and what-if from the stored proposals; rules-file errors name file and line."""

from __future__ import annotations

import polars as pl
import pytest

from oversight.engine import nof
from oversight.engine.segmentation import nof_what_if
from oversight.engine.triggers import RulesError, load_criteria_rules
from oversight.segmentation.models import Proposal
from oversight.segmentation.proposals import recompute_proposals
from tests.factories import RoleFactory

NOF_FILE = "nof-2025-26/mh-community-trust-data-q1-q2.csv"


@pytest.fixture
def imported(db, shared_data):
    """The published file stored through the NOF importer."""
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.importing import run_import

    load_all()
    path = shared_data / NOF_FILE
    run_import(path.read_bytes(), path.name, "nof")
    return path


def test_stored_observations_reproduce_nof_segment(imported) -> None:
    result = recompute_proposals("nof-2025-26")
    assert result.quarters == ["Q1 2025/26", "Q2 2025/26"]
    expected = nof.segment_file(imported)
    stored = {(p.quarter, p.organisation.ods_code): p
              for p in Proposal.objects.filter(current=True).select_related("organisation")}
    assert len(stored) == expected.height == 122
    for row in expected.iter_rows(named=True):
        p = stored[(row["quarter"], row["trust_code"])]
        f = p.facts
        assert (p.segment, f["unadjusted"], f["adjusted"], f["rank"], f["average_score"]) == (
            row["final_segment"], row["unadjusted_segment"], row["adjusted_segment"],
            row["rank"], row["average_score"]), row["trust_code"]


def test_league_table_and_what_if(client, imported) -> None:
    recompute_proposals("nof-2025-26")
    client.force_login(RoleFactory(kind="administrator", region=None).user)
    html = client.get("/segmentation/league/?quarter=Q2+2025/26").content.decode()
    published = pl.read_csv(imported, infer_schema_length=0).filter(
        (pl.col("Quarter") == "Q2 2025/26") & (pl.col("Metric_ID") == "OF5005"))
    assert html.count('<tr><td>') == published.height == 61
    first = Proposal.objects.filter(quarter="Q2 2025/26", facts__rank=1).first()
    assert first.organisation.name in html
    # the overview says why: the average metric score that places the segment
    overview = client.get("/segmentation/?framework=nof-2025-26&quarter=Q2+2025/26")
    assert f"Average metric score {first.facts['average_score']:.2f}" in overview.content.decode()

    # every what-if option really moves the average onto the next cut point
    rules = nof.load_rules()
    checked = 0
    for p in Proposal.objects.filter(quarter="Q2 2025/26", current=True):
        f = p.facts
        for option in nof_what_if(f, rules.override_floor):
            if not option["metrics"]:
                continue
            scores = {m: s for m, s, *_ in f["scores"]}
            if len(option["metrics"]) == 1:
                (m,) = option["metrics"]
                scores[m] -= (f["average"] - f["cuts"][option["to_segment"] - 1]) * len(scores)
            else:
                for m in option["metrics"][:-1]:
                    scores[m] = 1.0
                rest = sum(scores.values()) - f["cuts"][option["to_segment"] - 1] * len(scores)
                scores[option["metrics"][-1]] -= rest
            assert min(scores.values()) >= 1 - 1e-9
            new_avg = sum(scores.values()) / len(scores)
            assert 1 + sum(c < new_avg - 1e-9 for c in f["cuts"]) == option["to_segment"]
            checked += 1
    assert checked > 20
    page = client.get(f"/segmentation/organisations/{first.organisation.ods_code}/"
                      "?framework=nof-2025-26&quarter=Q2+2025/26")
    assert page.status_code == 200


def test_rules_file_errors_name_file_and_line(tmp_path) -> None:
    from oversight.engine.triggers import criteria_rules_path

    text = criteria_rules_path("sof-2021-22").read_text()
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("share: 0.4 ", "share: 1.4 "))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "share: 0.4 " in t)
    with pytest.raises(RulesError, match=rf"{bad}:{line}: triggers.bottom_quartile.share: a share "
                                         r"must be in \(0, 1\]"):
        load_criteria_rules(bad)
    bad.write_text(text.replace("any_of: [bottom_quartile,", "any_of: [bottom_quartiles,"))
    with pytest.raises(RulesError, match=rf"{bad}:\d+: segment_3.any_of.0: unknown trigger"):
        load_criteria_rules(bad)
    bad.write_text(text.replace("    months: 6 ", "    month: 6 "))
    with pytest.raises(RulesError, match="missing required key 'months'"):
        load_criteria_rules(bad)
    bad.write_text("framework: [")
    with pytest.raises(RulesError, match=rf"{bad}:\d+: not valid YAML"):
        load_criteria_rules(bad)


def test_quarters_before_the_framework_year_are_not_proposed_by_default(imported) -> None:
    """Figures stored for Q4 2024/25 predate NOF 2025/26 (from 1 April 2025)."""
    import datetime as dt

    from oversight.metrics.models import Observation

    earlier = []
    for o in Observation.objects.filter(period_label="Q1 2025/26")[:200]:
        o.pk = None
        o.period_start, o.period_end = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
        o.period_label = "Q4 2024/25"
        earlier.append(o)
    Observation.objects.bulk_create(earlier)
    assert recompute_proposals("nof-2025-26").quarters == ["Q1 2025/26", "Q2 2025/26"]
    assert not Proposal.objects.filter(quarter="Q4 2024/25").exists()
