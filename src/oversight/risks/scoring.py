"""The scoring configuration of a system: its own file if it has one, else the NPSA default.

Files live in ``oversight/risks/scoring/`` (``default.yaml``, ``<SYSTEM CODE>.yaml``) or in
the folder named by the ``OVERSIGHT_RISK_SCORING_DIR`` setting, which is searched first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from oversight.engine.risk import Scoring, read_scoring

PACKAGE_DIR = Path(__file__).resolve().parent / "scoring"


def _folders() -> list[Path]:
    extra = getattr(settings, "OVERSIGHT_RISK_SCORING_DIR", None)
    return [Path(extra), PACKAGE_DIR] if extra else [PACKAGE_DIR]


def scoring_path(system_code: str | None = None) -> Path:
    for folder in _folders():
        if system_code and (folder / f"{system_code}.yaml").is_file():
            return folder / f"{system_code}.yaml"
    for folder in _folders():
        if (folder / "default.yaml").is_file():
            return folder / "default.yaml"
    return PACKAGE_DIR / "default.yaml"


@lru_cache(maxsize=16)
def _read(path: Path, mtime: float) -> Scoring:
    return read_scoring(path)


def scoring_for(system_code: str | None = None) -> Scoring:
    """The scoring of a system (read once per file version)."""
    path = scoring_path(system_code)
    return _read(path, path.stat().st_mtime)
