"""Shared pytest fixtures."""

import os
from pathlib import Path

import pytest


def shared_data_dir() -> Path:
    """The shared data folder: ``$OVERSIGHT_SHARED_DATA``, else ``<repo>/../shared/data``."""
    env = os.environ.get("OVERSIGHT_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the shared data folder; skips the test when it is absent."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data folder not found at {path} (set OVERSIGHT_SHARED_DATA)")
    return path
