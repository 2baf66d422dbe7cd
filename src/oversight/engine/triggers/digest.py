"""Digests of proposals: equal digests mean equal proposals, without building them.

The recompute rewrites only proposals whose digest changed (segmentation.proposals._write).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from oversight.engine.triggers.rules import SEVERITIES, CriteriaRules
from oversight.engine.triggers.wording import drop_signal

if TYPE_CHECKING:
    from oversight.engine.triggers.evaluation import Evaluation


def digests(ev: Evaluation) -> np.ndarray:
    """A 64-bit digest per subject x quarter (uint64) of everything :meth:`proposals`
    would return for it, computed from the arrays without building the evidence.

    Covers the segment, the trigger flags and counts, CQC ratings, the subject's kind, every
    current point's metric, period, value, quartile and cut points, drop, sustained,
    finance, critical finance, recorded-flag and early-warning evidence, the rules and the
    package's source (so a change to the wording of reasons changes every digest). Equal
    digests mean equal proposals (up to a 2**-64 chance); the caller rewrites only proposals
    whose digest changed.
    """
    e, a = ev.evidence, ev.evidence.a
    shape = ev.segment.shape
    codes = list(a.points.metric_codes)
    polarity = np.asarray(a.points.polarity, np.int64)
    metric_hash = _fold(_text_hash(codes), polarity)

    def point(idx: np.ndarray) -> np.ndarray:  # what an evidence entry shows of a point
        return _fold(metric_hash[a.metric[idx]], _text_hash(a.period_label[idx].tolist()),
                     a.period_end[idx].view(np.int64), a.value[idx], a.quartile[idx])

    cur, counted = e.cur, e.counted
    at, latest = e.drop_at[e.drop_hit], cur[e.drop_hit]
    drop = np.zeros(cur.size, np.uint64)
    signal = [drop_signal(ev.rules, v, mean, k, iqr) for v, mean, k, iqr in zip(
        a.value[at].tolist(), e.base_mean[at].tolist(), e.base_count[at].tolist(),
        e.iqr[at].tolist(), strict=True)]
    latest_label = np.where(at != latest, _text_hash(a.period_label[latest].tolist()), 0)
    drop[e.drop_hit] = _fold(point(at), _text_hash(signal), latest_label)
    warn = np.zeros(cur.size, np.uint64)
    warned = e.warn_hit & ~e.any_fired.reshape(-1)[e.flat]
    warn[warned] = point(e.last_concern[cur[warned]])
    shows_cur = counted | e.fin_hit | e.sustained_hit | e.critical_fin_hit
    current = np.zeros(cur.size, np.uint64)
    current[shows_cur] = point(cur[shows_cur])
    row = _fold(e.met, current, counted, np.where(counted, a.lower_quartile[cur], np.nan),
                np.where(counted, a.upper_quartile[cur], np.nan), e.fin_hit, drop,
                np.where(e.sustained_hit, e.poor_run[cur], -1),
                np.where(e.sustained_hit, e.poor_months[cur], -1),
                np.where(e.critical_fin_hit, e.below_run[cur], -1),
                np.where(e.critical_fin_hit, e.below_months[cur], -1),
                np.where(e.critical_fin_hit, e.year_before, np.nan), warn)
    row[~(shows_cur | e.drop_hit | warned)] = 0  # rows that show nothing
    total = np.zeros(ev.segment.size, np.uint64)
    np.add.at(total, e.flat, row)  # order-free: each row carries its metric index
    fired_bits = np.zeros(shape, np.int64)
    for k, t in enumerate((*ev.rules.trigger_names, *SEVERITIES)):
        fired_bits |= (ev.severe.get(t, ev.fired.get(t))).astype(np.int64) << k
    flags = np.zeros(shape, np.uint64)
    for (s, q), found in e.flags.items():
        flags[s, q] = _text_hash([repr(found)])[0]
    kind = _text_hash(ev.subject_kinds)[:, None]
    salt = _text_hash([_rules_text(ev.rules) + _SOURCE_HASH])[0]
    base = _fold(np.full(shape, salt), np.broadcast_to(kind, shape), ev.segment,
                 fired_bits, ev.n_metrics, ev.n_bottom, ev.n_top, ev.n_sustained,
                 ev.finance_met, ev.cqc_overall, ev.cqc_well_led, e.any_fired,
                 np.broadcast_to(e.cqc_applies, shape), flags)
    out = _fold(base, total.reshape(shape))
    out[ev.segment == 0] = 0
    return out


_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
#: The package's source: a change to the wording of reasons changes every digest.
_SOURCE_HASH = hashlib.sha1(b"".join(
    p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()


def _bits(x: Any) -> np.ndarray:
    """An array's values as uint64 bit patterns (floats by their IEEE bits, ints wrapped)."""
    arr = np.asarray(x)
    if arr.dtype == np.uint64:
        return arr
    if arr.dtype.kind == "f":
        return np.ascontiguousarray(arr, dtype=np.float64).view(np.uint64)
    return arr.astype(np.int64).view(np.uint64)


def _fold(h: Any, *values: Any) -> np.ndarray:
    """Mix ``values`` into ``h`` one after another (splitmix64 finaliser after each)."""
    z = _bits(h)
    with np.errstate(over="ignore"):
        for v in values:
            z = (z + _GOLDEN) ^ _bits(v)
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
    return z


def _text_hash(texts: Sequence[Any]) -> np.ndarray:
    """A stable 64-bit hash per text (Python's ``hash`` changes between processes)."""
    unique = {t: int.from_bytes(hashlib.blake2b(str(t).encode(), digest_size=8).digest(), "little")
              for t in dict.fromkeys(texts)}
    return np.fromiter(map(unique.__getitem__, texts), dtype=np.uint64, count=len(texts))


def _rules_text(rules: CriteriaRules) -> str:
    return repr(dataclasses.replace(rules, path=Path(rules.path.name)))

