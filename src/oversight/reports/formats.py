"""One report, three formats: the HTML a page shows, a PDF to print and a Word file to edit.

Every board report (the SOAG overview, the segmentation summary, a meeting pack's agenda and
cover sheets) is written once as a standalone HTML document in a small subset (h1-h4, p, lists,
tables with caption/thead/tbody, figure/figcaption with inline SVG or img, strong/em, a, dl,
div/section) and turned into bytes here:

    render(html, "pdf", title="...", running_header="System Board, 30 September 2021: item 7")

PDF comes from WeasyPrint (pdf_render), Word from python-docx (word). Neither fetches anything
from the network: only our static files and data: URIs are read.
"""

from __future__ import annotations

from oversight.reports import pdf_render, word

FORMATS = ("html", "pdf", "docx")

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class FormatError(ValueError):
    """A format we do not write, or a document the writer cannot read."""


def render(html: str, fmt: str, *, title: str, running_header: str) -> bytes:
    """The document in `fmt` ("html", "pdf" or "docx"), with `title` as its metadata title and
    `running_header` (the meeting and item) at the top of every printed page."""
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        return pdf_render.to_pdf(html, title=title, running_header=running_header)
    if fmt == "docx":
        try:
            return word.to_docx(html, title=title, running_header=running_header)
        except word.TemplateError as exc:
            raise FormatError(str(exc)) from exc
    raise FormatError(f"unknown format '{fmt}': choose one of {', '.join(FORMATS)}")


def filename(stem: str, fmt: str) -> str:
    """A download's file name: the stem made safe for a file system, and the format's suffix."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem).strip("-")
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe or 'report'}.{fmt}"
