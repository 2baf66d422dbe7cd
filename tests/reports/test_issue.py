"""Issuing the SOAG overview report: every part present with the figures the database holds,
nothing the public may not see, and an issued version that later loads never change."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from docx import Document

from oversight.engine.units import format_value
from oversight.frameworks.segments import segment_table
from oversight.governance.models import AssuranceLevel, Finding
from oversight.metrics.models import Observation
from oversight.reports.documents import document
from oversight.reports.issue import draw, issue
from oversight.reports.models import ReportVersion
from oversight.support.offers import support_offers
from tests.factories import FrameworkFactory, ObservationFactory
from tests.reports.conftest import AS_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return issue(world.report, as_at=AS_AT)


def _cover_and_framework(world, version):
    snap = version.snapshot
    assert snap["cover"]["agenda_item"] == world.report.agenda_item
    assert snap["cover"]["purpose"] == world.report.purpose
    assert snap["cover"]["recommendation"] == [world.report.recommendation]
    table, offers = segment_table("sof-2021-22"), support_offers("sof-2021-22")
    rows = snap["framework"]["segments"]
    assert [r["segment"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["descriptions"]["ics"] == list(table.segments[0].descriptions["ics"])
    assert rows[3]["support"] == offers.for_segment(4).summary
    assert "Consistently high performing across the six oversight themes." in version.html


def _position(world, version):
    rows = {o["ods_code"]: o for o in version.snapshot["position"]["organisations"]}
    assert rows["RGT"]["decided"] == world.decision.segment
    # RGN's decision is not published: the board sees no decision for it
    assert rows["RGN"]["decided"] is None
    assert world.unpublished.segment not in {r["decided"] for r in rows.values()}


def _soag(world, version):
    soag = version.snapshot["soag"]
    (meeting,) = soag["meetings"]
    assert meeting["date"] == world.meeting.date.isoformat()
    areas = {e["area"]: e for e in meeting["entries"]}
    uec = areas[world.uec.item.title]
    assert uec["discussion"] == world.uec.discussion
    assert uec["assurance_label"] == AssuranceLevel(world.uec.assurance).label
    assert uec["actions"][0]["title"] == world.action.title
    assert [a["area"] for a in soag["intervention"]] == [world.uec.item.title]
    assert [a["area"] for a in soag["good"]] == [world.quality.item.title]
    assert soag["escalations"][0]["text"] == world.uec.escalation
    assert soag["differences"][0]["text"] == world.quality.difference_of_view
    assert Finding(world.uec.finding).label in version.html
    assert "The group met for the first time." in version.html


def _part_b(world, version):
    text = json.dumps(version.snapshot) + version.html
    assert world.part_b.item.title not in text
    assert world.part_b.discussion not in text


def _risks_and_development(world, version):
    risks = version.snapshot["risks"]
    assert [r["reference"] for r in risks["escalated"]] == [world.board_risk.reference]
    world.board_risk.refresh_from_db()
    assert risks["escalated"][0]["current_score"] == world.board_risk.current_score
    dev = version.snapshot["development"]
    (theme,) = dev["themes"]
    assert theme["status"] == world.assessed.status
    assert (theme["achieved"], theme["total"], theme["late"]) == (0, 2, 1)
    assert [a["action"] for a in dev["late"]] == [world.late.text]


def _data(world, version):
    subjects = {s["key"]: s for s in version.snapshot["data"]["subjects"]}
    latest = Observation.objects.filter(organisation=world.trust).latest("period_start")
    (row,) = subjects["RGT"]["themes"][0]["metrics"]
    assert row["value"] == format_value(latest.value, world.metric.unit)
    assert row["period"] == latest.period_label
    batch = world.published_batch
    assert row["sources"] == [f"{batch.file_name} (load {batch.pk})"]
    # RGN's unpublished August figure stays out: its latest shown is July's, published
    (other,) = subjects["RGN"]["themes"][0]["metrics"]
    assert other["period"] == "Jul-21"
    text = json.dumps(version.snapshot) + version.html
    assert "12.3" not in text and world.hidden_batch.file_name not in text
    assert f"system:{world.system.code}" in subjects and f"place:{world.place.code}" in subjects


def test_every_part_with_the_figures_the_database_holds(world, version):
    """One issue, every part checked against the database (each world costs a second)."""
    for check in (_cover_and_framework, _position, _soag, _part_b, _risks_and_development,
                  _data):
        check(world, version)


def test_an_issued_version_never_changes_and_a_reissue_is_a_new_version(world, version):
    before = (version.html, version.sha256)
    world.uec.discussion = "Rewritten after the report was issued."
    world.uec.save()
    ObservationFactory(metric=world.metric, organisation=world.trust,
                       period_start=dt.date(2021, 8, 1), period_end=dt.date(2021, 8, 31),
                       period_label="Aug-21", value=55.5)
    second = issue(world.report, as_at=AS_AT)
    first = ReportVersion.objects.get(pk=version.pk)
    assert (first.html, first.sha256) == before
    assert "Rewritten after the report was issued." not in first.html
    assert second.number == 2
    assert "Rewritten after the report was issued." in second.html
    assert "55.5" in second.html


def test_the_appendices_are_the_authors_choice(world):
    world.report.include_data = world.report.include_membership = False
    snap = draw(world.report, AS_AT)
    assert "data" not in snap and "membership" not in snap
    assert snap["terms"]["version"] == world.terms.version


def test_pdf_and_word_hold_the_headings_figures_and_tables(world, version, pdf_text):
    content, content_type, name = document(version, "pdf")
    assert content_type == "application/pdf" and name.endswith("-v1.pdf")
    text = " ".join(" ".join(pdf_text(content)).split())
    for heading in ("Cover sheet", "3. What the group did since the last report",
                    "Appendix A – Data appendix"):
        assert heading in text
    assert world.uec.item.title in text
    assert format_value(80.0 + 6, world.metric.unit) in text  # RGT's July figure
    word = Document(io.BytesIO(document(version, "docx")[0]))
    captions = [t.rows[0].cells[0].text for t in word.tables]
    assert "Item" in captions  # the meeting's decisions, assurance and findings by area
    assert any(world.uec.item.title in c.text for t in word.tables for r in t.rows
               for c in r.cells)


def test_the_nof_2025_26_segment_table_describes_trusts_and_says_icbs_are_not_segmented(world):
    from oversight.reports.issue import render_document

    FrameworkFactory(code="nof-2025-26", name="NHS Oversight Framework 2025/26",
                     year_start=dt.date(2025, 4, 1))
    snap = draw(world.report, dt.date(2025, 9, 10))
    table, offers = segment_table("nof-2025-26"), support_offers("nof-2025-26")
    framework = snap["framework"]
    assert framework["code"] == "nof-2025-26"
    assert [s["code"] for s in framework["subjects"]] == ["trust"]
    assert [r["segment"] for r in framework["segments"]] == [1, 2, 3, 4, 5]
    for row, meaning in zip(framework["segments"], table.segments, strict=True):
        assert row["descriptions"]["trust"] == list(meaning.descriptions["trust"])
        assert row["support"] == offers.for_segment(row["segment"]).summary
    html = render_document(snap)
    assert "integrated care boards are not given a segment" in html
    assert "https://www.england.nhs.uk/long-read/nhs-oversight-framework-2025-26-methodology" \
           "-manual" in html
    assert "holds no segment descriptions" not in html
