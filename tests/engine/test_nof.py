"""NOF 2025/26 scoring and segmentation against NHS England's published Q1 and Q2 figures.

Expected values come from the published file's OF4xxx/OF5xxx rows; the engine never sees them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from oversight.engine.nof import (
    INPUT_METRIC,
    RulesError,
    compute_scores,
    league_rank,
    load_rules,
    read_published,
    round_half_up,
    segment_file,
    unround_rank_scaled,
)

NOF_FILE = "nof-2025-26/mh-community-trust-data-q1-q2.csv"
KEYS = ["quarter", "trust_code"]


@pytest.fixture(scope="module")
def nof_path(shared_data: Path) -> Path:
    return shared_data / NOF_FILE


@pytest.fixture(scope="module")
def published(nof_path: Path) -> pl.DataFrame:
    df = pl.read_csv(nof_path, infer_schema_length=0).with_columns(
        pl.col("Value").cast(pl.Float64), pl.col("Rank").cast(pl.Float64)
    )
    wide = df.filter(pl.col("Metric_ID").str.starts_with("OF50")).pivot(
        on="Metric_ID", index=["Quarter", "Trust_code"], values="Value"
    )
    rank = df.filter(pl.col("Metric_ID") == "OF5000").select(
        "Quarter", "Trust_code", league=pl.col("Rank").cast(pl.Int64)
    )
    return wide.join(rank, on=["Quarter", "Trust_code"]).rename(
        {"Quarter": "quarter", "Trust_code": "trust_code"}
    )


@pytest.fixture(scope="module")
def published_domains(nof_path: Path) -> pl.DataFrame:
    df = pl.read_csv(nof_path, infer_schema_length=0)
    return df.filter(pl.col("Metric_ID").str.starts_with("OF40")).select(
        quarter="Quarter",
        trust_code="Trust_code",
        domain="Domain",
        published=pl.col("Value").cast(pl.Float64),
    )


@pytest.fixture(scope="module")
def published_2dp_means(nof_path: Path) -> pl.DataFrame:
    """Average and domain scores as the mean of the published 2 dp metric scores, rounded half-up.

    The arithmetic NHS England would have done had it averaged the scores as published: the
    explanation the docs give for every figure the unrounded scores do not reproduce.
    """
    rules = load_rules()
    df = pl.read_csv(nof_path, infer_schema_length=0)
    scores = df.filter(pl.col("Metric_ID").is_in(rules.counted)).select(
        quarter="Quarter",
        trust_code="Trust_code",
        domain=pl.col("Metric_ID").replace_strict({m: r.domain for m, r in rules.metrics.items()}),
        score=pl.col("Value").cast(pl.Float64),
    )
    avg = scores.group_by(KEYS).agg(mean=pl.col("score").mean(), domain=pl.lit("average"))
    dom = scores.group_by(*KEYS, "domain").agg(mean=pl.col("score").mean())
    both = pl.concat([avg.select(*KEYS, "domain", "mean"), dom.select(*KEYS, "domain", "mean")])
    return both.with_columns(
        from_2dp=pl.Series(round_half_up(both["mean"].to_numpy(), rules.decimals))
    ).drop("mean")


@pytest.fixture(scope="module")
def ours(nof_path: Path) -> pl.DataFrame:
    return segment_file(nof_path)


@pytest.fixture(scope="module")
def joined(ours: pl.DataFrame, published: pl.DataFrame) -> pl.DataFrame:
    j = ours.join(published, on=KEYS, how="full", coalesce=True)
    assert j.height == 122 and j["average_score"].null_count() == 0
    return j


def test_every_trust_and_quarter(ours: pl.DataFrame) -> None:
    assert ours.height == 122
    assert ours.group_by("quarter").len().sort("quarter")["len"].to_list() == [61, 61]


def test_average_scores(joined: pl.DataFrame, published_2dp_means: pl.DataFrame) -> None:
    """119/122 equal to the last digit; every one within the publication's precision.

    Our mean of unrounded (recovered) scores differs from NHS England's by at most 0.005 (one
    half unit per input score) and the publication rounds by up to 0.005: |ours - published|
    <= 0.01. The three Q1 exceptions are the half-up mean of the 2 dp scores as published
    (docs/nof-segmentation.md gives the arithmetic).
    """
    diff = (joined["average_unrounded"] - joined["OF5002"]).abs()
    assert (diff <= 0.01 + 1e-9).all(), joined.filter(diff > 0.01)
    differ = joined.filter(pl.col("average_score") != pl.col("OF5002"))
    assert joined.height - differ.height == 119, differ
    assert sorted(differ["trust_code"].to_list()) == ["RWX", "RXT", "RY2"]
    assert set(differ["quarter"].to_list()) == {"Q1 2025/26"}
    explained = differ.join(
        published_2dp_means.filter(pl.col("domain") == "average"), on=KEYS, how="left"
    )
    assert (explained["from_2dp"] == explained["OF5002"]).all(), explained


def test_domain_scores(
    ours: pl.DataFrame, published_domains: pl.DataFrame, published_2dp_means: pl.DataFrame
) -> None:
    """581/601 equal to the last digit, all within 0.01; the 20 others (Q1 only) are the
    half-up mean of the 2 dp scores as published."""
    rules = load_rules()
    slug = {name: s for s, name in rules.domains.items()}
    long = ours.unpivot(
        index=KEYS, on=[f"domain_{s}" for s in rules.domains], variable_name="d", value_name="mine"
    ).with_columns(domain=pl.col("d").str.strip_prefix("domain_"))
    pub = published_domains.with_columns(domain=pl.col("domain").replace_strict(slug))
    j = long.join(pub, on=[*KEYS, "domain"], how="full", coalesce=True)
    # a domain score exists exactly where NHS England published one
    assert j.filter(pl.col("mine").is_null() != pl.col("published").is_null()).height == 0
    j = j.drop_nulls("published")
    assert j.height == 601
    assert ((j["mine"] - j["published"]).abs() <= 0.01 + 1e-9).all()
    differ = j.filter((pl.col("mine") - pl.col("published")).abs() > 1e-9)
    assert j.height - differ.height == 581, differ
    assert set(differ["quarter"].to_list()) == {"Q1 2025/26"}
    explained = differ.join(published_2dp_means, on=[*KEYS, "domain"], how="left")
    assert explained.height == 20
    assert (explained["from_2dp"] == explained["published"]).all(), explained


def test_unadjusted_segments(joined: pl.DataFrame) -> None:
    """115/122 (94.3%): the published cut points are not this file's own quartiles.

    See docs/nof-segmentation.md. The exceptions are all next to a cut point.
    """
    agree = joined["unadjusted_segment"] == joined["OF5003"].cast(pl.Int64)
    exceptions = (
        joined.filter(~agree)
        .select(*KEYS, "average_unrounded", "OF5002", "unadjusted_segment", "OF5003")
        .sort(KEYS)
    )
    assert agree.sum() == 115, exceptions
    assert sorted(exceptions["trust_code"].to_list()) == sorted(
        ["R1A", "RXM", "RX4", "RDR", "RNU", "RY5", "RX4"]
    )
    assert ((exceptions["unadjusted_segment"] - exceptions["OF5003"]).abs() == 1).all()


def test_override_and_final_follow_exactly(joined: pl.DataFrame) -> None:
    """Adjusted and final segments follow from the unadjusted segment without exception."""
    rules = load_rules()
    assert (joined["financial_override"] == joined["OF5004"].cast(pl.Int64)).all()
    pub_unadj = joined["OF5003"].cast(pl.Int64).to_numpy()
    override = joined["financial_override"].to_numpy()
    adjusted = np.where(override == 1, np.maximum(pub_unadj, rules.override_floor), pub_unadj)
    assert (adjusted == joined["OF5000"].to_numpy()).all()
    final = np.where(joined["OF5007"].to_numpy() == 1, rules.recovery_segment, adjusted)
    assert (final == joined["OF5005"].to_numpy()).all()
    # and from our own unadjusted segments: agree wherever the unadjusted segment agrees
    same = joined["unadjusted_segment"] == joined["OF5003"].cast(pl.Int64)
    sub = joined.filter(same)
    assert (sub["adjusted_segment"] == sub["OF5000"].cast(pl.Int64)).all()
    assert (sub["final_segment"] == sub["OF5005"].cast(pl.Int64)).all()
    assert (joined["adjusted_segment"] == joined["OF5000"].cast(pl.Int64)).sum() == 116
    assert (joined["final_segment"] == joined["OF5005"].cast(pl.Int64)).sum() == 116


def test_league_rank_follows_exactly(joined: pl.DataFrame) -> None:
    """From the published adjusted segment and average, the league rank is exact (122/122)."""
    gid = joined["quarter"].rank("dense").cast(pl.Int64).to_numpy() - 1
    rank = league_rank(gid, joined["OF5000"].to_numpy(), joined["OF5002"].to_numpy())
    assert (rank == joined["league"].to_numpy()).all()
    ours_agree = (joined["rank"] == joined["league"]).sum()
    assert ours_agree == 120


def test_metric_scores_reproducible_from_values(nof_path: Path) -> None:
    """Peer-group rank-scaled, banded and lookup scores match the published OF1xxx exactly.

    Rank-scaled scores use the published rank (of the unrounded values) with the peer-group
    count: 1 + 3 (rank - 1) / (n - 1).
    """
    rules = load_rules()
    long = read_published(nof_path)
    values = long.filter(pl.col("metric_id").str.starts_with("OF00"))
    computed = compute_scores(values, rules)
    pub = long.filter(pl.col("metric_id").str.starts_with("OF10")).select(
        "quarter", "trust_code", "metric_id", published="value"
    )
    j = computed.join(pub, on=["quarter", "trust_code", "metric_id"])
    in_file = set(pub["metric_id"])  # the acute and ambulance scores have none here
    reproducible = [
        m
        for m, r in rules.metrics.items()
        if m in in_file
        and (r.method in ("bands", "lookup")
             or r.population == "peer_group" and r.method == "rank_scaled")
    ]
    assert set(reproducible) == {"OF1061", "OF1084", "OF1079", "OF1081", "OF1080"}
    sub = j.filter(pl.col("metric_id").is_in(reproducible))
    assert sub.height == 5 * 122
    mine = round_half_up(sub["score"].to_numpy(), 2)
    assert np.array_equal(mine, sub["published"].to_numpy()), sub.filter(
        pl.Series(mine != sub["published"].to_numpy())
    )


def test_published_scores_win_over_computed(nof_path: Path) -> None:
    rules = load_rules()
    long = read_published(nof_path)
    inputs = long.filter(pl.col("metric_id").str.contains(INPUT_METRIC.pattern))
    scores = compute_scores(inputs, rules)
    assert (scores["source"] == "published").all()
    assert scores.group_by("quarter", "trust_code", "metric_id").len()["len"].max() == 1


def test_unround_rank_scaled() -> None:
    """Hand-derived: N = 8 gives the grid 1 + 3k/7; 1.43, 2.71, 4.00 fit no smaller N >= 3
    (N = 3..7 grids are 1/2.5/4, 1/2/3/4, steps 0.75, 0.6 and 0.5)."""
    got = unround_rank_scaled(np.array([1.43, 2.71, 4.0]))
    assert np.allclose(got, [1 + 3 / 7, 1 + 12 / 7, 4.0], rtol=0, atol=1e-12)
    # a peer-group metric: 61 trusts, ranks 1..61 (the file's own rank-scaled scores)
    exact = 1 + 3 * np.arange(61) / 60
    assert np.allclose(unround_rank_scaled(round_half_up(exact)), exact, rtol=0, atol=1e-12)
    # not on any grid at 2 dp (a third decimal): returned unchanged
    assert list(unround_rank_scaled(np.array([1.0, 2.345]))) == [1.0, 2.345]


def test_published_scores_are_unrounded_only_when_enabled(tmp_path: Path, nof_path: Path) -> None:
    text = load_rules().path.read_text()
    off = tmp_path / "rules.yaml"
    off.write_text(text.replace("unround_rank_scaled: true", "unround_rank_scaled: false"))
    rules_off = load_rules(off)
    assert not rules_off.unround_published and load_rules().unround_published
    long = read_published(nof_path).filter(pl.col("metric_id") == "OF1016")
    as_published = compute_scores(long, rules_off)["score"].to_numpy()
    unrounded = compute_scores(long, load_rules())["score"].to_numpy()
    assert np.array_equal(round_half_up(unrounded), as_published)
    assert not np.array_equal(unrounded, as_published)


def test_round_half_up() -> None:
    assert list(round_half_up(np.array([2.555, 2.545, 1.005, 105.385, -0.125]))) == [
        2.56,
        2.55,
        1.01,
        105.39,
        -0.13,
    ]


def test_rules_errors_name_file_line_and_reason(tmp_path: Path) -> None:
    text = load_rules().path.read_text()
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("OF1067: {domain: patient_safety,", "OF1067: {domain: nowhere,"))
    with pytest.raises(RulesError) as err:
        load_rules(bad)
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "OF1067:" in t)
    assert f"{bad}:{line}:" in str(err.value) and "unknown domain 'nowhere'" in str(err.value)
    bad.write_text(text.replace("method: bands", "method: guess", 1))
    with pytest.raises(RulesError, match=r"unknown method 'guess'"):
        load_rules(bad)
    bad.write_text("framework: [unclosed")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(bad)
