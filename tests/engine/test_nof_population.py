"""NOF 2025/26 cut points over the national population (every trust type pooled), against NHS
England's published segments: the Q3 2025/26 league tables (partial population) and the Q1/Q2
mental health and community file.

Expected values are NHS England's published figures (segments, averages, deficit flags) or
read off them by hand (the cut-point bounds); the engine never sees the published segments it
is compared with except to bound and check, which the tests say where they rely on it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from oversight.engine.nof import (
    CutPointRule,
    NofInputError,
    RulesError,
    load_rules,
    population_notes,
    segment_files,
)

LEAGUE_Q3 = "nof-2025-26/all-trust-types-league-q3-partial.csv"
MH_Q1_Q2 = "nof-2025-26/mh-community-trust-data-q1-q2.csv"
ACUTE, MH, AMBULANCE = "Acute trust", "Mental health and community trust", "Ambulance trust"


@pytest.fixture(scope="module")
def league_path(shared_data: Path) -> Path:
    return shared_data / LEAGUE_Q3


@pytest.fixture(scope="module")
def published_q3(league_path: Path) -> pl.DataFrame:
    return pl.read_csv(league_path, infer_schema_length=0).select(
        trust_code="Trust_code", peer_group="Trust_type",
        published=pl.col("Segment").cast(pl.Int64), deficit="Trust_in_financial_deficit",
        average=pl.col("Average_score").cast(pl.Float64))


@pytest.fixture(scope="module")
def q3(league_path: Path, published_q3: pl.DataFrame) -> pl.DataFrame:
    out = segment_files([league_path])
    return out.join(published_q3, on="trust_code", validate="1:1")


def misses(frame: pl.DataFrame) -> list[tuple[str, str, int, int]]:
    wrong = frame.filter(pl.col("adjusted_segment") != pl.col("published"))
    return [(r["quarter"], r["trust_code"], r["adjusted_segment"], r["published"])
            for r in wrong.sort("trust_code").iter_rows(named=True)]


def test_q3_pooled_reproduces_every_acute_trust(q3: pl.DataFrame) -> None:
    """Quartiles of the 150 trusts' averages (every type pooled), deficit override applied:
    129/129 acute adjusted segments as NHS England published them."""
    acute = q3.filter(pl.col("peer_group") == ACUTE)
    assert acute.height == 129
    assert misses(acute) == []
    # the override is what makes many of them: 3 although their average is segment 1 or 2
    held = acute.filter((pl.col("deficit") == "Yes") & (pl.col("unadjusted_segment") < 3))
    assert held.height > 20 and (held["published"] == 3).all()


def test_q3_pooled_mental_health_and_community(q3: pl.DataFrame, shared_data: Path) -> None:
    """19/20 mental health and community trusts and the one ambulance trust reproduced. The
    miss, Q3 RAT (North East London), is no boundary: its average 2.08 is above cut 1|2 and
    below cut 2|3 (segment 2), the published 3 needs the financial override, and the league
    table gives no deficit flag for non-acute trusts. NHS England's Q2 file has RAT in
    deficit (OF5004 = 1) with unadjusted segment 2 and adjusted 3: the same case."""
    others = q3.filter(pl.col("peer_group") != ACUTE)
    assert others.height == 21
    assert misses(others) == [("Q3 2025/26", "RAT", 2, 3)]
    rat = q3.filter(pl.col("trust_code") == "RAT").row(0, named=True)
    cut12, cut23, _ = rat["cut_points"]
    assert cut12 < rat["average"] <= cut23 and not rat["override_given"]
    assert "needs the financial override" in rat["published_check"]
    q2 = pl.read_csv(shared_data / MH_Q1_Q2, infer_schema_length=0).filter(
        (pl.col("Quarter") == "Q2 2025/26") & (pl.col("Trust_code") == "RAT")
        & pl.col("Metric_ID").is_in(["OF5003", "OF5000", "OF5004"]))
    assert dict(zip(q2["Metric_ID"], q2["Value"].cast(pl.Float64), strict=True)) == {
        "OF5003": 2.0, "OF5000": 3.0, "OF5004": 1.0}


def test_q3_within_type_quartiles_do_not_fit(league_path: Path,
                                              published_q3: pl.DataFrame) -> None:
    """The same trusts cut within their type miss 9 acute and 13 mental health and community
    segments: the pooled population is what fits."""
    rules = load_rules()
    within = dataclasses.replace(rules, cut_rule=dataclasses.replace(
        rules.cut_rule, method="peer_quartiles"))
    out = segment_files([league_path], rules=within).join(published_q3, on="trust_code")
    wrong = out.filter(pl.col("adjusted_segment") != pl.col("published"))
    counts = dict(wrong.group_by("peer_group").len().iter_rows())
    assert counts[ACUTE] == 9 and counts[MH] == 13


def test_q3_population_incomplete_said_and_bounded(q3: pl.DataFrame) -> None:
    """150 of 205 trusts; the published segments put the cut points in intervals read off the
    file by hand: segment 1 up to 2.06 (R0B, RVW, RWX), segment 2 from 2.13 (RWH, no deficit);
    segment 2 up to 2.35 (RAS), segment 3 without deficit from 2.36; segment 3 up to 2.69, 4
    from 2.71. The median of the 150 is 2.35 itself: RAS stays in segment 2 because an average
    equal to a cut point stays in the better one (at 2 dp: the closest call of the quarter).
    """
    row = q3.row(0, named=True)
    assert (row["population"], row["national_population"]) == (150, 205)
    assert row["cut_point_bounds"] == [2.06, 2.13, 2.35, 2.36, 2.69, 2.71]
    assert row["cut_points"] == pytest.approx([2.0725, 2.35, 2.705])
    assert not row["bounded"]  # the quartiles already lie within the bounds
    rules = load_rules()
    notes = population_notes(q3.select(*[c for c in q3.columns if c not in (
        "published", "deficit", "average")]), rules)
    assert notes[0].startswith("Q3 2025/26: population incomplete: cut points from 150 of 205 "
                               f"trusts ({ACUTE} 129 of 134, {AMBULANCE} 1 of 10, {MH} 20 of 61)")
    assert notes[1:] == [
        "Q3 2025/26 RAT (North East London NHS Foundation Trust): published adjusted segment 3 "
        "needs the financial override, which the file does not give (computed unadjusted 2)"]


def test_q1_q2_misses_named_by_quarter_trust_and_boundary(shared_data: Path) -> None:
    """The 61 trusts of the Q1/Q2 file alone are 61 of 205: their quartiles miss the seven
    published unadjusted segments docs/nof-segmentation.md lists, each named with its cut."""
    rules = load_rules()
    out = segment_files([shared_data / MH_Q1_Q2], rules=rules)
    notes = population_notes(out, rules)
    assert sum("population incomplete: cut points from 61 of 205" in n for n in notes) == 2
    named = [(n.split(" (")[0], n.split(" cut ")[1][:3]) for n in notes
             if "published segments allow" in n]
    assert named == [("Q1 2025/26 R1A", "2|3"), ("Q1 2025/26 RX4", "3|4"),
                     ("Q1 2025/26 RXM", "3|4"), ("Q2 2025/26 RDR", "1|2"),
                     ("Q2 2025/26 RNU", "1|2"), ("Q2 2025/26 RX4", "3|4"),
                     ("Q2 2025/26 RY5", "3|4")]
    # bounded, the cut points move into the published intervals: by construction every
    # published unadjusted segment is then met (the file's segments are monotone in average)
    bounded = segment_files([shared_data / MH_Q1_Q2], rules=rules, use_bounds=True)
    assert (bounded["unadjusted_segment"] == bounded["published_unadjusted"]).all()
    assert bounded["bounded"].all()


def test_data_file_and_league_table_pooled(shared_data: Path, tmp_path: Path) -> None:
    """A trust in a data file is scored from its metrics; a trust only in a league table adds
    its published average: Q2 population = 61 from the file + the league-only trusts."""
    league = tmp_path / "acute-league-q2.csv"
    league.write_text(
        "Quarter,Trust_type,Trust_code,Trust_name,Average_score,Segment,"
        "Trust_in_financial_deficit,Rank,Likely_range_of_average_score,Likely_range_of_rank\n"
        "Q2 2025/26,Acute trust,RGT,Cambridge University Hospitals,1.90,1,No,4,1.80-2.00,2-7\n"
        "Q2 2025/26,Acute trust,RQW,Princess Alexandra Hospital,2.80,4,Yes,120,,\n"
        "Q2 2025/26,Mental health and community trust,RYV,Cambridgeshire Community,1.00,1,,,,\n"
    )
    out = segment_files([shared_data / MH_Q1_Q2], [league], quarter="Q2 2025/26")
    assert out.height == 63 and set(out["population"]) == {63}
    ryv = out.filter(pl.col("trust_code") == "RYV").row(0, named=True)
    assert ryv["source"] == "metric scores" and ryv["average_score"] != 1.0
    rgt = out.filter(pl.col("trust_code") == "RGT").row(0, named=True)
    assert (rgt["source"], rgt["average_score"], rgt["likely_average"], rgt["likely_rank"],
            rgt["published_rank"]) == ("league table", 1.9, "1.80-2.00", "2-7", 4)
    rqw = out.filter(pl.col("trust_code") == "RQW").row(0, named=True)
    assert rqw["financial_override"] == 1 and rqw["adjusted_segment"] == 4


def test_same_trust_in_two_data_files_is_refused(shared_data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.csv"
    copy.write_bytes((shared_data / MH_Q1_Q2).read_bytes())
    with pytest.raises(NofInputError,
                       match=r"copy.csv: trust G6V2S in Q1 2025/26 is also in .*/"
                             + MH_Q1_Q2 + r" \(122 such"):
        segment_files([shared_data / MH_Q1_Q2, copy])
    with pytest.raises(NofInputError, match=r"-q1-q2.csv: trust G6V2S .* is also in .*copy.csv"):
        segment_files([copy, shared_data / MH_Q1_Q2])


def test_league_table_errors_name_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "league.csv"
    bad.write_text("Quarter,Trust_type,Trust_code,Trust_name,Average_score,Segment\n"
                   "Q3 2025/26,Acute trust,RGT,Cambridge,1.9,1\n"
                   "Q3 2025/26,Acute trust,RQW,Princess Alexandra,4.7,4\n")
    with pytest.raises(NofInputError, match=rf"{bad}: row 3: column Average_score: '4.7' is not "
                                            "an average metric score from 1 to 4"):
        segment_files([bad])
    bad.write_text("Quarter,Trust_code,Segment\nQ3 2025/26,RGT,1\n")
    with pytest.raises(NofInputError, match="neither a NOF data file"):
        segment_files([bad])


def test_fixed_thresholds_from_the_rules_file(tmp_path: Path, shared_data: Path) -> None:
    """A later year's "defined thresholds" are data: the cut points are the thresholds whatever
    the population, and no population is called incomplete."""
    text = load_rules().path.read_text()
    start = text.index("  unadjusted:")
    end = text.index("  financial_override:")
    fixed = tmp_path / "rules.yaml"
    fixed.write_text(text[:start] + "  unadjusted:\n    method: fixed_thresholds\n"
                     "    thresholds: [2.0, 2.5, 3.0]\n" + text[end:])
    rules = load_rules(fixed)
    assert rules.cut_rule == CutPointRule("fixed_thresholds", thresholds=(2.0, 2.5, 3.0))
    out = segment_files([shared_data / LEAGUE_Q3], rules=rules)
    by_hand = (1 + (out["average_score"] > 2.0).cast(pl.Int64)
               + (out["average_score"] > 2.5).cast(pl.Int64)
               + (out["average_score"] > 3.0).cast(pl.Int64))
    assert (out["unadjusted_segment"] == by_hand).all()
    assert not any("incomplete" in n for n in population_notes(out, rules))
    fixed.write_text(text[:start] + "  unadjusted:\n    method: fixed_thresholds\n"
                     "    thresholds: [2.5, 2.0, 3.0]\n" + text[end:])
    line = 1 + (text[:start]).count("\n") + 2
    with pytest.raises(RulesError, match=rf"{fixed}:{line}: segmentation.unadjusted.thresholds: "
                                         "expected three increasing numbers"):
        load_rules(fixed)


def test_cut_rule_errors_name_file_and_line(tmp_path: Path) -> None:
    text = load_rules().path.read_text()
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("method: national_quartiles", "method: national_quintiles"))
    with pytest.raises(RulesError, match=r"segmentation.unadjusted.method: unknown method "
                                         "'national_quintiles'"):
        load_rules(bad)
    bad.write_text(text.replace("Acute trust: 134", "Acute trust: -4"))
    with pytest.raises(RulesError, match=r"national_population.every_quarter: expected trust "
                                         "types mapping to positive whole numbers"):
        load_rules(bad)


def test_whole_population_uses_the_quartiles_as_they_are(tmp_path: Path,
                                                         shared_data: Path) -> None:
    """With a quarter's national count met (here by a per-quarter entry in the rules file),
    the cut points are the quartiles, bounds or not, and nothing is called incomplete; the
    published segments still check the result."""
    text = load_rules().path.read_text()
    marker = "    national_population:\n"
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(text.replace(marker, marker + (
        '      "Q2 2025/26": {Mental health and community trust: 61}\n')))
    rules = load_rules(rules_file)
    assert rules.cut_rule.national("Q2 2025/26") == 61
    assert rules.cut_rule.national("Q1 2025/26") == 205
    out = segment_files([shared_data / MH_Q1_Q2], rules=rules, use_bounds=True)
    q2 = out.filter(pl.col("quarter") == "Q2 2025/26")
    assert not q2["bounded"].any()
    assert q2["cut_points"][0].to_list() == q2["quartile_cut_points"][0].to_list()
    assert (q2["unadjusted_segment"] != q2["published_unadjusted"]).sum() == 4
    notes = population_notes(out, rules)
    assert not any(n.startswith("Q2 2025/26: population incomplete") for n in notes)
    assert any(n.startswith("Q1 2025/26: population incomplete") for n in notes)


def test_a_metric_score_the_rules_do_not_know_is_refused(tmp_path: Path) -> None:
    """An acute file's scores for metrics the rules file does not hold would drop out of the
    average unseen: refused, naming the file, row and metric."""
    acute = tmp_path / "acute.csv"
    acute.write_text("Quarter,Trust_type,Trust_code,Trust_name,Metric_ID,Value\n"
                     "Q2 2025/26,Acute trust,RGT,Cambridge,OF1005,2.5\n"
                     "Q2 2025/26,Acute trust,RGT,Cambridge,OF1999,1.75\n")
    with pytest.raises(NofInputError, match=rf"{acute}: row 3: column Metric_ID: metric score "
                                            r"'OF1999' is not in .*rules.yaml"):
        segment_files([acute])
