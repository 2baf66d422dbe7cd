"""NOF 2025/26 through stored observations reproduces `oversight nof segment` on the published
file; league table and what-if from the stored proposals; rules-file errors name file and line."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.utils.html import escape

from oversight.engine import nof
from oversight.engine.segmentation import nof_what_if
from oversight.engine.triggers import RulesError, load_criteria_rules
from oversight.metrics.models import Metric
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
    # the file's 61 trusts are not the national population: the published segments bound the
    # cut points, as `oversight nof segment --bounded` does
    expected = nof.segment_files([imported], use_bounds=True)
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
    # each metric score is named as the catalogue names it, under its domain's published name
    html = page.content.decode()
    score = next(r for r in first.reasons if r["rule"] == "metric_score")
    metric = Metric.objects.get(framework__code="nof-2025-26", code=score["metric"])
    domain = rules.domains[rules.metrics[score["metric"]].domain]
    assert f">{escape(metric.name)}</a>" in html and f"Metric score: {domain}" in html
    assert ">metric_score<" not in html


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


LEAGUE_Q3 = "nof-2025-26/all-trust-types-league-q3-partial.csv"


def test_league_table_import_and_recompute(db, shared_data, client) -> None:
    """The Q3 league table loads through `--format nof` (average, adjusted segment and rank,
    deficit flag), and recompute segments its 150 trusts over the pooled population: the
    published adjusted segment of every acute trust is reproduced (NHS England's figures)."""
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.importing import run_import
    from oversight.metrics.models import Observation

    load_all()
    path = shared_data / LEAGUE_Q3
    result = run_import(path.read_bytes(), path.name, "nof")
    published = pl.read_csv(path, infer_schema_length=0)
    assert len(result.organisations_created) == published.height == 150
    rbv = {o.metric.code: o for o in Observation.objects.filter(
        organisation__ods_code="RBV").select_related("metric")}
    assert (rbv["OF5002"].value, rbv["OF5000"].value, rbv["OF5000"].rank,
            rbv["OF5004"].value) == (1.36, 1.0, 3.0, 0.0)
    assert "OF5004" not in {o.metric.code for o in Observation.objects.filter(
        organisation__ods_code="RYF").select_related("metric")}  # ambulance: no deficit given

    recompute_proposals("nof-2025-26")
    stored = {p.organisation.ods_code: p for p in Proposal.objects.filter(
        current=True, quarter="Q3 2025/26").select_related("organisation")}
    assert len(stored) == 150
    rows = published.select("Trust_code", "Trust_type", pl.col("Segment").cast(pl.Int64))
    acute = rows.filter(pl.col("Trust_type") == "Acute trust")
    assert [c for c, _, s in acute.iter_rows() if stored[c].facts["adjusted"] != s] == []
    facts = stored["RBV"].facts
    assert (facts["population"], facts["national_population"]) == (150, 205)
    assert facts["published"]["adjusted"] == 1 and facts["source"] == "league table"

    client.force_login(RoleFactory(kind="administrator", region=None).user)
    html = client.get("/segmentation/league/?quarter=Q3+2025/26").content.decode()
    assert "150 of 205 trusts of every type (incomplete" in html
    assert "Published segment" in html and "Computed segment" in html
    rat = html[html.index("North East London NHS Foundation Trust"):]
    rat = rat[:rat.index("</tr>")]
    assert "differs" in rat and "needs the financial override" in rat


def test_league_page_shows_likely_ranges(db, client, tmp_path) -> None:
    """Where a league table gives the likely ranges of score and rank, the page shows them
    beside the published segment and rank."""
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.importing import run_import

    load_all()
    text = ("Quarter,Region,Trust_type,Trust_subtype,Trust_code,Trust_name,Average_score,"
            "Likely_range_of_average_score,Segment,Trust_in_financial_deficit,Rank,"
            "Likely_range_of_rank\n"
            "Q3 2025/26,East of England,Acute trust,Acute - Teaching,RGT,Cambridge University "
            "Hospitals NHS Foundation Trust,1.90,1.80 to 2.00,1,No,4,2 to 7\n"
            "Q3 2025/26,East of England,Acute trust,Acute - Large,RQW,The Princess Alexandra "
            "Hospital NHS Trust,2.80,,4,Yes,120,\n")
    run_import(text.encode(), "league.csv", "nof")
    recompute_proposals("nof-2025-26")
    client.force_login(RoleFactory(kind="administrator", region=None).user)
    html = client.get("/segmentation/league/?quarter=Q3+2025/26").content.decode()
    rgt = html[html.index("Cambridge University Hospitals"):]
    rgt = rgt[:rgt.index("</tr>")]
    assert "likely 1.80 to 2.00" in rgt and "likely 2 to 7" in rgt
    assert "2 of 205 trusts of every type (incomplete" in html


def test_league_table_problems_name_row_and_column(db) -> None:
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.importing import run_import
    from oversight.metrics.importing.validation import ImportRejected

    load_all()
    text = ("Quarter,Trust_type,Trust_code,Trust_name,Average_score,Segment,"
            "Trust_in_financial_deficit,Rank\n"
            "Q3 2025/26,Acute trust,RGT,Cambridge,1.90,1,Maybe,4\n"
            "Q3 2025/26,Acute trust,RQW,Princess Alexandra,2.80,6,Yes,first\n")
    with pytest.raises(ImportRejected) as caught:
        run_import(text.encode(), "league.csv", "nof", dry_run=True)
    found = {(p.row, p.column, p.reason) for p in caught.value.problems.items}
    assert found == {
        (2, "Trust_in_financial_deficit", "expected Yes, No or blank, not 'Maybe'"),
        (3, "Segment", "cannot read '6' as an adjusted segment 1-4"),
        (3, "Rank", "cannot read 'first' as a rank (a whole number from 1)"),
    }


def test_rules_page_states_the_cut_point_rule_and_population(db, client) -> None:
    from oversight.metrics.catalogue import load_all

    load_all()
    client.force_login(RoleFactory(kind="administrator", region=None).user)
    html = client.get("/segmentation/rules/nof-2025-26/").content.decode()
    assert ("quartiles of the national population per quarter (every trust type) "
            "(linear cut points)") in html
    assert "Acute trust 134, Mental health and community trust 61, Ambulance trust 10" in html
    # scoring methods in words, not rules.yaml's keys
    assert "ranked, best first, and scaled from 1 to 4 within the trust type from OF0061" in html
    assert "rank_scaled" not in html and "peer_group" not in html
    sof = client.get("/segmentation/rules/sof-2021-22/").content.decode()
    assert "Acute trust, Mental health trust" in sof and "mental_health" not in sof


def test_ambulance_trusts_are_not_assessed_on_effectiveness_and_experience(db, client) -> None:
    """NHS England's NOF 2025/26 technical metric specification scores ambulance trusts on no
    effectiveness and experience metric: the pages say so instead of showing that domain
    empty (the league table's cell, the organisation's segmentation page)."""
    from oversight.metrics.catalogue import load_all
    from oversight.metrics.models import Framework
    from oversight.segmentation.proposals import domains_not_assessed
    from tests.factories import OrganisationFactory, ProposalFactory

    load_all()
    framework = Framework.objects.get(code="nof-2025-26")
    rules = nof.load_rules()
    # every other kind of trust has a metric in every domain
    assert domains_not_assessed(framework, rules) == {
        "ambulance": ["Effectiveness and experience"]
    }
    trust = OrganisationFactory(ods_code="RYC", name="East of England Ambulance Service",
                                kind="ambulance")
    domains = {slug: 2.25 for slug in rules.domains} | {"effectiveness_and_experience": None}
    ProposalFactory(
        framework=framework, organisation=trust, quarter="Q2 2025/26",
        quarter_end=dt.date(2025, 9, 30), segment=3,
        reasons=[{"rule": "average_score", "label": "Average metric score against the cut "
                  "points", "value": 2.5, "signal": "average 2.50"}],
        facts={"method": "scored", "peer_group": "Ambulance trust", "source": "computed",
               "average_score": 2.5, "adjusted": 3, "unadjusted": 3, "rank": 1,
               "override": 0, "published": {}, "domains": domains, "average": 2.5,
               "cuts": [1.75, 2.25, 2.75], "scores": [], "n_metrics": 0},
    )
    client.force_login(RoleFactory(kind="administrator", region=None).user)
    said = ("Ambulance trusts are not assessed on effectiveness and experience in the NHS "
            "Oversight Framework 2025/26")
    league = client.get("/segmentation/league/?quarter=Q2+2025/26").content.decode()
    assert said in league
    assert league.count("2.25</td>") == len(rules.domains) - 1
    assert ">not assessed</span></td>" in league
    page = client.get("/segmentation/organisations/RYC/?framework=nof-2025-26"
                      "&quarter=Q2+2025/26").content.decode()
    assert said in page
