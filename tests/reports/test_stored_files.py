"""An issued version's PDF and Word are rendered once, at issue, and kept with it: downloads
serve the stored bytes (nothing is rendered in the request), a later load changes nothing, and a
version issued before the files were kept gets them once, from a background job."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from docx import Document

from oversight.reports import formats
from oversight.reports.issue import FINISHING, issue, parts_of
from oversight.reports.models import ReportFile, ReportVersion
from tests.factories import ObservationFactory, RoleFactory
from tests.reports.conftest import AS_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return issue(world.report, as_at=AS_AT)


@pytest.fixture
def reader(world):
    return RoleFactory(kind="regional", region=world.system.region).user


@pytest.fixture
def no_rendering(monkeypatch):
    """Any call of the renderer fails the test: downloads must serve what is stored."""

    def refuse(*args, **kwargs):
        raise AssertionError("rendered inside a request")

    monkeypatch.setattr(formats, "render", refuse)


def _bytes(stored: ReportFile) -> bytes:
    with stored.file.open("rb") as f:
        return f.read()


def test_issuing_keeps_html_pdf_and_word_with_their_sha256(world, version, pdf_text):
    assert version.sha256 == hashlib.sha256(version.html.encode()).hexdigest()
    pdf, docx = version.stored("pdf"), version.stored("docx")
    for stored in (pdf, docx):
        content = _bytes(stored)
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert stored.size == len(content)
    assert "3. What the group did since the last report" in " ".join(pdf_text(_bytes(pdf)))
    word = Document(io.BytesIO(_bytes(docx)))
    assert any(p.text == world.report.title for p in word.paragraphs)
    assert word.tables


def test_issuing_reports_each_step(world):
    seen = []
    issue(world.report, as_at=AS_AT, progress=lambda done, steps, name: seen.append(
        (done, steps, name)))
    parts = [p.name for p in parts_of(world.report)]
    steps = len(parts) + len(FINISHING)
    assert seen == [(n, steps, name) for n, name in enumerate([*parts, *FINISHING], start=1)]


def test_downloads_serve_the_stored_bytes_without_rendering(client, world, version, reader,
                                                            no_rendering):
    client.force_login(reader)
    for fmt in ("pdf", "docx"):
        response = client.get(f"/reports/{world.report.pk}/versions/1/report.{fmt}")
        assert response.status_code == 200
        assert response["Content-Type"] == formats.CONTENT_TYPES[fmt]
        assert response.content == _bytes(version.stored(fmt))
    api = client.get(f"/api/reports/{world.report.pk}").json()["versions"][0]
    assert api["files"]["pdf"]["sha256"] == version.stored("pdf").sha256


def test_a_later_load_changes_no_stored_file(client, world, version, reader, no_rendering):
    before = {f.format: (f.sha256, _bytes(f)) for f in version.files.all()}
    ObservationFactory(metric=world.metric, organisation=world.trust,
                       period_start=dt.date(2021, 8, 1), period_end=dt.date(2021, 8, 31),
                       period_label="Aug-21", value=55.5)
    client.force_login(reader)
    for fmt, (sha256, content) in before.items():
        response = client.get(f"/reports/{world.report.pk}/versions/1/report.{fmt}")
        assert response.content == content
        assert ReportFile.objects.get(version=version, format=fmt).sha256 == sha256


def test_a_version_issued_before_files_were_kept_gets_them_once(client, world, version,
                                                                reader, monkeypatch):
    version.files.all().delete()  # as a version issued before this change reads
    client.force_login(reader)
    first = client.get(f"/reports/{world.report.pk}/versions/1/report.pdf")
    assert first.status_code == 303 and first["Location"].startswith("/jobs/")
    job = client.get(first["Location"])  # the job ran at once (the tests' tasks backend)
    assert f'href="/reports/{world.report.pk}/versions/1/report.pdf"' in job.text
    kept = ReportVersion.objects.get(pk=version.pk)
    assert {f.format for f in kept.files.all()} == {"pdf", "docx"}

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(formats, "render", refuse)
    again = client.get(f"/reports/{world.report.pk}/versions/1/report.pdf")
    assert again.status_code == 200 and again.content == _bytes(kept.stored("pdf"))
