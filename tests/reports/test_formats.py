"""One HTML document as PDF and Word (oversight.reports.formats): what a board secretary opens
holds the headings, tables and figures, prints on A4 with the meeting and item on every page,
and nothing is fetched from the network."""

import io

import docx
import pytest
from pypdf import PdfReader

from oversight.reports import formats
from oversight.reports.pdf_render import StaticOnlyFetcher
from oversight.reports.static_files import ResourceRefused

HEADER = "System Board, 30 September 2021: item 7"
CHART = (
    '<svg viewBox="0 0 120 30" width="240" height="60" role="img" aria-label="Segments">'
    '<rect width="40" height="20" fill="#005eb8"/><text x="50" y="18">Segment 3</text></svg>'
)


def document(rows: int = 3) -> str:
    body = "".join(f"<tr><td>Trust {i}</td><td>{i * 7}</td></tr>" for i in range(rows))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>SOAG</title></head>"
        "<body><h1>SOAG overview</h1><p>The Board is asked to <strong>note</strong> the "
        "<em>report</em>.</p><h2>Position</h2><ul><li>Acute<ul><li>Hinchingbrooke</li></ul>"
        "</li></ul><dl><dt>Lead</dt><dd>Director of Strategy</dd></dl>"
        f"<figure>{CHART}<figcaption>Figure 1: segments by organisation</figcaption></figure>"
        "<table><caption>Organisations</caption><thead><tr><th>Organisation</th>"
        f"<th>Metric value</th></tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def render(fmt: str, rows: int = 3) -> bytes:
    return formats.render(document(rows), fmt, title="SOAG overview report",
                          running_header=HEADER)


def test_pdf_holds_headings_figures_header_and_page_numbers(pdf_text):
    pages = pdf_text(render("pdf"))
    text = "\n".join(pages)
    for expected in ("SOAG overview", "Position", "Hinchingbrooke", "Director of Strategy",
                     "Segment 3", "Figure 1: segments by organisation", "Trust 2"):
        assert expected in text
    assert HEADER in pages[0]
    assert f"Page 1 of {len(pages)}" in pages[0]


def test_pdf_is_a4_tagged_with_its_title():
    reader = PdfReader(io.BytesIO(render("pdf")))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert reader.metadata.title == "SOAG overview report"
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged for assistive technology
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_chart_stays_vector_in_the_pdf():
    reader = PdfReader(io.BytesIO(render("pdf")))
    assert not any(page.images for page in reader.pages)  # drawn, not pasted as a bitmap


def test_long_table_breaks_across_pages_repeating_its_header_row(pdf_text):
    pages = pdf_text(render("pdf", rows=150))
    assert len(pages) > 1
    for page in pages[1:]:
        assert "Organisation" in page and "Metric value" in page, page[:200]
        assert f"Page {pages.index(page) + 1} of {len(pages)}" in page
    # every row printed once: none split or lost at a page break
    for row in ("Trust 0 ", "Trust 75 ", "Trust 149 "):
        assert sum(page.count(row) for page in pages) == 1, row


def test_docx_holds_headings_lists_tables_and_figures():
    word = docx.Document(io.BytesIO(render("docx")))
    styles = [(p.style.name, p.text) for p in word.paragraphs if p.text]
    assert ("Heading 1", "SOAG overview") in styles
    assert ("Heading 2", "Position") in styles
    assert ("List Bullet 2", "Hinchingbrooke") in styles
    assert ("Caption", "Figure 1: segments by organisation") in styles
    assert ("Normal", "The Board is asked to note the report.") in styles
    assert len(word.inline_shapes) == 1  # the chart, drawn to PNG
    (table,) = word.tables
    assert table.style.name == "Table Grid"
    assert [c.text for c in table.rows[0].cells] == ["Organisation", "Metric value"]
    assert [c.text for c in table.rows[3].cells] == ["Trust 2", "14"]
    header = table.rows[0]._tr.trPr
    assert header is not None and header.xpath("./w:tblHeader")  # repeats on each page
    assert word.core_properties.title == "SOAG overview report"
    assert word.sections[0].header.paragraphs[0].text == HEADER


def test_docx_uses_the_boards_template(tmp_path, settings):
    template = docx.Document()
    template.add_paragraph("Template placeholder text")
    template.styles["Heading 1"].font.name = "Frutiger"
    path = tmp_path / "board.docx"
    template.save(path)
    settings.OVERSIGHT_WORD_TEMPLATE = str(path)

    word = docx.Document(io.BytesIO(render("docx")))

    assert "Template placeholder text" not in [p.text for p in word.paragraphs]
    assert word.styles["Heading 1"].font.name == "Frutiger"
    assert word.paragraphs[0].text == "SOAG overview"


def test_missing_template_is_a_clear_error(settings, tmp_path):
    settings.OVERSIGHT_WORD_TEMPLATE = str(tmp_path / "nowhere.docx")
    with pytest.raises(formats.FormatError, match="OVERSIGHT_WORD_TEMPLATE: .*nowhere.docx"):
        render("docx")


def test_html_is_the_document_itself():
    assert render("html").decode() == document()


def test_unknown_format_is_refused():
    with pytest.raises(formats.FormatError, match="unknown format 'odt'"):
        render("odt")


def test_fetcher_serves_our_static_files_and_data_uris_only():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch("http://oversight.invalid/static/reports/print.css")
    assert b"@page" in css.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("https://fonts.example.com/font.woff2", "file:///etc/passwd",
                "http://oversight.invalid/static/../../settings.py"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)


def test_a_remote_picture_is_left_out_and_said(pdf_text):
    html = document().replace("<h2>", "<img src='https://example.com/logo.png' alt='Logo'><h2>")
    word = docx.Document(io.BytesIO(formats.render(html, "docx", title="t", running_header="h")))
    assert any("Logo: not included" in p.text for p in word.paragraphs)
    assert "SOAG overview" in "".join(pdf_text(formats.render(html, "pdf", title="t",
                                                             running_header="h")))
