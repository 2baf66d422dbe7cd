"""Set Django up for commands that touch the database (honours DATABASE_URL)."""

import os


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    import django
    from django.conf import settings

    if not settings.configured or not hasattr(setup, "_done"):
        django.setup()
        setup._done = True  # type: ignore[attr-defined]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        from pathlib import Path

        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
