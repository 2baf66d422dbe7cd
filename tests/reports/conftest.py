"""Helpers for the reports tests: text of a PDF as pdftotext reads it (poppler-utils)."""

import shutil
import subprocess

import pytest


@pytest.fixture
def pdf_text(tmp_path):
    """pdftotext's reading of PDF bytes, page by page (form feed between pages); skips the test
    when poppler-utils is not installed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian package poppler-utils)")

    def read(data: bytes) -> list[str]:
        path = tmp_path / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                             capture_output=True, text=True).stdout
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")

    return read
