"""Framework-year data: one folder per framework year holding its catalogue and rules.

`catalogue.yaml` lists the framework, its themes and metrics; `rules.yaml` (where present)
the segmentation rules. Nothing here imports Django: `oversight.metrics.catalogue` writes
the validated catalogue to the database.
"""

from pathlib import Path

FRAMEWORKS_DIR = Path(__file__).resolve().parent
#: A framework year's segmentation rules.
RULES_FILE = "rules.yaml"


def framework_dirs() -> list[Path]:
    """Every framework-year folder, oldest first."""
    return sorted(p for p in FRAMEWORKS_DIR.iterdir() if (p / "catalogue.yaml").is_file())


def framework_file(framework: str, name: str) -> Path:
    """A data file of the framework year ``framework`` (its code, e.g. ``sof-2021-22``): the one
    place that knows where the files live."""
    return FRAMEWORKS_DIR / framework / name


def rules_path(framework: str) -> Path:
    """The framework year's ``rules.yaml`` (it may not exist: not every year has rules)."""
    return framework_file(framework, RULES_FILE)
