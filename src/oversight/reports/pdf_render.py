"""PDF with WeasyPrint: A4, "Page n of m", a running header with the meeting and item, tables
whose header rows repeat and whose rows are never split, charts as vector graphics (inline SVG),
tagged (PDF/UA-1) with the title in the metadata.

A document made of other PDFs (a meeting pack) is laid out without page furniture and gets it
afterwards from `stamp`, so its page numbers count every page, the papers' own included."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from oversight.reports.static_files import BASE_URL, resource

PRINT_STYLESHEET = BASE_URL + "static/reports/print.css"
PDF_VARIANT = "pdf/ua-1"

# WeasyPrint warns for each CSS property it does not know and each refused resource, and goes on
# without it: the PDF is still written, so its warnings are not the reader's business.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class StaticOnlyFetcher(URLFetcher):
    """Serves our static files and data: URIs; refuses every other URL without opening it."""

    def fetch(self, url, headers=None):
        media_type, body = resource(url)
        return URLFetcherResponse(url, body, {"Content-Type": media_type})


def _css_string(text: str) -> str:
    """`text` as a CSS string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def page_stylesheet(running_header: str) -> str:
    """The page box's running header and page numbers for one document. An element with
    data-running-item (e.g. ": item 2.4") adds its item to the header from its page on."""
    return (
        "@page {"
        f" @top-left {{ content: {_css_string(running_header)} string(running-item); }}"
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages); }'
        " }"
    )


def document(html: str, *, title: str, running_header: str | None) -> Document:
    """The laid-out document; `running_header` None leaves the page furniture to `stamp`."""
    fetcher = StaticOnlyFetcher()
    stylesheets = [CSS(url=PRINT_STYLESHEET, url_fetcher=fetcher)]
    if running_header is not None:
        stylesheets.append(CSS(string=page_stylesheet(running_header)))
    laid_out = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=stylesheets, pdf_variant=PDF_VARIANT
    )
    laid_out.metadata.title = title
    return laid_out


def to_pdf(html: str, *, title: str, running_header: str) -> bytes:
    return document(html, title=title, running_header=running_header).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def stamp(pdf: bytes, headers: list[str], *, title: str) -> bytes:
    """`pdf` with headers[n] at the top of page n and "Page n of m" at its foot, whatever the
    page's size (a paper's own pages may be landscape or US letter)."""
    reader = PdfReader(io.BytesIO(pdf))
    rules, pages = [], []
    for n, page in enumerate(reader.pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        rules.append(
            f"@page p{n} {{ size: {width:.2f}pt {height:.2f}pt;"
            f" @top-left {{ content: {_css_string(headers[n])}; }} }}"
        )
        pages.append(f'<div style="page: p{n}; break-before: page"></div>')
    furniture = (
        "@page { margin: 12mm 10mm;"
        " @top-left { font: 8pt 'Liberation Sans', Arial, sans-serif; color: #4c6272; }"
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages);'
        " font: 8pt 'Liberation Sans', Arial, sans-serif; color: #4c6272; } }"
        + "".join(rules)
    )
    overlay_html = f"<!doctype html><html lang='en'><body>{''.join(pages)}</body></html>"
    overlay = PdfReader(io.BytesIO(HTML(string=overlay_html, base_url=BASE_URL,
                                        url_fetcher=StaticOnlyFetcher())
                                   .write_pdf(stylesheets=[CSS(string=furniture)])))
    writer = PdfWriter(clone_from=reader)
    for page, furniture_page in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(furniture_page)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
