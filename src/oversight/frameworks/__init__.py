"""Framework-year data: one folder per framework year holding its catalogue and rules.

`catalogue.yaml` lists the framework, its themes and metrics; `rules.yaml` (where present)
the segmentation rules. Nothing here imports Django: `oversight.metrics.catalogue` writes
the validated catalogue to the database.
"""

from pathlib import Path

FRAMEWORKS_DIR = Path(__file__).resolve().parent


def framework_dirs() -> list[Path]:
    """Every framework-year folder, oldest first."""
    return sorted(p for p in FRAMEWORKS_DIR.iterdir() if (p / "catalogue.yaml").is_file())
