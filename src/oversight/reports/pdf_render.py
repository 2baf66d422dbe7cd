"""PDF with WeasyPrint: A4, "Page n of m", a running header with the meeting and item, tables
whose header rows repeat and whose rows are never split, charts as vector graphics (inline SVG),
tagged (PDF/UA-1) with the title in the metadata."""

from __future__ import annotations

import logging

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from oversight.reports.static_files import BASE_URL, ResourceRefused, resource

PRINT_STYLESHEET = BASE_URL + "static/reports/print.css"

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
    """The page box's running header and page numbers for one document."""
    return (
        "@page {"
        f" @top-left {{ content: {_css_string(running_header)}; }}"
        ' @bottom-right { content: "Page " counter(page) " of " counter(pages); }'
        " }"
    )


def to_pdf(html: str, *, title: str, running_header: str) -> bytes:
    fetcher = StaticOnlyFetcher()
    stylesheets = [
        CSS(url=PRINT_STYLESHEET, url_fetcher=fetcher),
        CSS(string=page_stylesheet(running_header)),
    ]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1"
    )
    document.metadata.title = title
    return document.write_pdf(pdf_variant="pdf/ua-1")


__all__ = ["ResourceRefused", "StaticOnlyFetcher", "page_stylesheet", "to_pdf"]
