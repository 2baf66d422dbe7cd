"""NOF 2025/26 figures per quarter, as NHS England's quarterly files give them: the latest month
of a monthly metric, the latest year of an annual one repeated in every quarter."""

import polars as pl

from oversight.engine.nof import load_rules
from oversight.frameworks import rules_path
from oversight.segmentation.proposals import latest_per_quarter


def rows(*items):
    return pl.DataFrame(
        [(end, q, "RGT", metric, value) for end, q, metric, value in items],
        schema=["period_end", "quarter", "trust_code", "metric_id", "value"], orient="row")


def test_monthly_metrics_take_the_quarters_last_month_and_annual_ones_carry_forward():
    frame = rows(
        ("2025-04-30", "Q1 2025/26", "AE4HR", 70.0),
        ("2025-06-30", "Q1 2025/26", "AE4HR", 74.0),
        ("2025-05-31", "Q1 2025/26", "AE4HR", 72.0),
        ("2025-09-30", "Q2 2025/26", "AE4HR", 76.0),
        ("2024-03-31", "Q4 2023/24", "OF0084", 6.5),  # more than a year before Q1 ends
        ("2025-03-31", "Q4 2024/25", "OF0084", 6.9),
    )
    out = latest_per_quarter(frame, frozenset({"OF0084"}))
    got = {(q, m): v for q, m, v in out.select("quarter", "metric_id", "value").iter_rows()}
    assert got == {
        ("Q1 2025/26", "AE4HR"): 74.0,
        ("Q2 2025/26", "AE4HR"): 76.0,
        ("Q1 2025/26", "OF0084"): 6.9,
        ("Q2 2025/26", "OF0084"): 6.9,
    }


def test_the_rules_score_acute_and_ambulance_metrics_in_their_domains():
    rules = load_rules(rules_path("nof-2025-26"))
    assert {"CAN62", "AE4HR", "AMBC2", "SHMI", "OF0023"} <= rules.inputs
    assert rules.metrics["SHMI_SCORE"].domain == "effectiveness_and_experience"
    assert rules.metrics["AMBC2_SCORE"].higher_is_better is False


def test_a_quarter_known_only_from_a_league_table_gets_no_annual_figures():
    frame = rows(
        ("2025-06-30", "Q1 2025/26", "AE4HR", 74.0),
        ("2025-12-31", "Q3 2025/26", "OF5002", 2.4),  # the published average: not an input
        ("2025-03-31", "Q4 2024/25", "OF0084", 6.9),
    )
    out = latest_per_quarter(frame, frozenset({"OF0084"}), frozenset({"AE4HR", "OF0084"}))
    got = {(q, m) for q, m in out.select("quarter", "metric_id").iter_rows()}
    assert got == {("Q1 2025/26", "AE4HR"), ("Q3 2025/26", "OF5002"), ("Q1 2025/26", "OF0084")}
