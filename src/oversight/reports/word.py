"""Word with python-docx: the report's HTML subset walked into the board's own styles, so a
board secretary can edit it in the board's template.

Headings use the built-in Heading 1-4 styles, lists List Bullet / List Number, tables the
template's table style ("Table Grid" by default) with their header rows repeated on each page,
figures become pictures (inline SVG drawn to PNG by CairoSVG) with a Caption paragraph. The
template is `settings.OVERSIGHT_WORD_TEMPLATE` (a .docx whose styles, headers and footers the
report takes; its body text is dropped), or python-docx's default document.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import cairosvg
import tinyhtml5
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Length
from PIL import Image

from oversight.reports.static_files import ResourceRefused, resource

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
BLOCKS = {"div", "section", "article", "main", "header", "footer", "body", "nav"}
TABLE_STYLE = "Table Grid"
PICTURE_WIDTH = Cm(16)
#: Charts are drawn at twice their size, so they stay sharp when printed.
SVG_SCALE = 2


class TemplateError(ValueError):
    """The board's Word template cannot be used, or the report has no body."""


def to_docx(html: str, *, title: str, running_header: str) -> bytes:
    document = _new_document()
    document.core_properties.title = title
    _page_furniture(document, running_header)
    body = next((e for e in tinyhtml5.parse(html) if _tag(e) == "body"), None)
    if body is None:
        raise TemplateError("the report has no <body>")
    Writer(document).block(body)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _new_document():
    template = getattr(settings, "OVERSIGHT_WORD_TEMPLATE", "") or ""
    if not template:
        return Document()
    path = Path(template)
    if not path.is_file():
        raise TemplateError(f"OVERSIGHT_WORD_TEMPLATE: {path}: no such file")
    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not a .docx
        message = f"OVERSIGHT_WORD_TEMPLATE: {path}: not a Word document ({exc})"
        raise TemplateError(message) from exc
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _page_furniture(document, running_header: str) -> None:
    """The running header (unless the template has its own) and "Page n of m" in the footer."""
    section = document.sections[0]
    header = section.header
    if not any(p.text.strip() for p in header.paragraphs):
        header.paragraphs[0].text = running_header
    footer = section.footer
    if not any(p.text.strip() for p in footer.paragraphs):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run("Page ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" of ")
        _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        run._r.append(element)


def _style(document, name: str, fallback: str | None = None):
    """`name` if the template has it, else `fallback` (None: the default style)."""
    styles = document.styles
    for candidate in (name, fallback):
        if candidate and any(s.name == candidate for s in styles):
            return candidate
    return None


def _tag(element) -> str:
    """An element's local name ("p", "svg"); "" for a comment."""
    return element.tag.rpartition("}")[2].lower() if isinstance(element.tag, str) else ""


def _children(element, *names: str) -> list:
    return [child for child in element if _tag(child) in names]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


class Writer:
    """Walks the HTML subset into a python-docx document."""

    def __init__(self, document):
        self.document = document

    # Blocks -------------------------------------------------------------------------------
    def block(self, element, list_level: int = 0) -> None:
        """Each child of a container, in order; loose text becomes a paragraph."""
        if (element.text or "").strip():
            self.document.add_paragraph(" ".join(element.text.split()))
        for child in element:
            if _tag(child):  # not a comment
                self.child(child, list_level)
            if (child.tail or "").strip():
                self.document.add_paragraph(" ".join(child.tail.split()))

    def child(self, element, list_level: int) -> None:
        tag = _tag(element)
        if tag in HEADINGS:
            self.document.add_heading(_text(element), level=HEADINGS[tag])
        elif tag == "p":
            self.inline(self.document.add_paragraph(), element)
        elif tag in ("ul", "ol"):
            self.list(element, tag, list_level + 1)
        elif tag == "table":
            self.table(element)
        elif tag == "figure":
            self.figure(element)
        elif tag == "dl":
            self.definitions(element)
        elif tag in ("svg", "img"):
            self.picture(element)
        elif tag in ("script", "style", "template", "head"):
            return
        else:  # div, section and anything else: their content
            self.block(element, list_level)

    def list(self, element, tag: str, level: int) -> None:
        base = "List Bullet" if tag == "ul" else "List Number"
        name = base if level == 1 else f"{base} {min(level, 3)}"
        style = _style(self.document, name, base)
        for item in _children(element, "li"):
            paragraph = self.document.add_paragraph(style=style)
            nested = _children(item, "ul", "ol")
            self.inline(paragraph, item, skip=nested)
            for sub in nested:
                self.list(sub, _tag(sub), level + 1)

    def definitions(self, element) -> None:
        for item in _children(element, "dt", "dd"):
            paragraph = self.document.add_paragraph()
            if _tag(item) == "dt":
                paragraph.add_run(_text(item)).bold = True
            else:
                paragraph.paragraph_format.left_indent = Cm(0.75)
                self.inline(paragraph, item)

    # Tables -------------------------------------------------------------------------------
    def table(self, element) -> None:
        for caption in _children(element, "caption"):
            self.caption(_text(caption))
        header_rows = [r for group in _children(element, "thead") for r in _children(group, "tr")]
        body_rows = [r for group in _children(element, "tbody", "tfoot")
                     for r in _children(group, "tr")]
        rows = header_rows + body_rows
        if not rows:
            return
        width = max(sum(_span(c) for c in _children(row, "th", "td")) for row in rows)
        table = self.document.add_table(rows=len(rows), cols=width)
        style = _style(self.document, TABLE_STYLE)
        if style:
            table.style = style
        for r, row in enumerate(rows):
            self.row(table, r, row, header=r < len(header_rows))

    def row(self, table, index: int, row, *, header: bool) -> None:
        word_row = table.rows[index]
        if header:
            _repeat_as_header(word_row)
        column = 0
        for cell in _children(row, "th", "td"):
            span = _span(cell)
            target = word_row.cells[column]
            if span > 1:
                target = target.merge(word_row.cells[min(column + span, len(word_row.cells)) - 1])
            self.inline(target.paragraphs[0], cell, bold=header or _tag(cell) == "th")
            column += span

    def caption(self, text: str) -> None:
        paragraph = self.document.add_paragraph(text, style=_style(self.document, "Caption"))
        if paragraph.style is None or paragraph.style.name != "Caption":
            for run in paragraph.runs:
                run.bold = True

    # Figures ------------------------------------------------------------------------------
    def figure(self, element) -> None:
        for child in element:
            tag = _tag(child)
            if not tag:
                continue
            if tag == "figcaption":
                self.caption(_text(child))
            elif tag in ("svg", "img"):
                self.picture(child)
            else:
                self.child(child, 0)

    def picture(self, element) -> None:
        try:
            png, scale = _png(element)
        except (ResourceRefused, ValueError, OSError) as exc:
            alt = element.get("alt") or element.get("aria-label") or "figure"
            self.document.add_paragraph(f"[{alt}: not included ({exc})]")
            return
        self.document.add_picture(io.BytesIO(png), width=min(_width(png, scale), PICTURE_WIDTH))

    # Inline text --------------------------------------------------------------------------
    def inline(self, paragraph, element, *, bold=False, italic=False, skip=()) -> None:
        """The text of `element` as runs: strong/b bold, em/i italic, a a hyperlink."""
        self._run(paragraph, element.text, bold, italic)
        for child in element:
            tag = _tag(child)
            if child in skip or not tag:
                self._run(paragraph, child.tail, bold, italic)
                continue
            if tag == "a" and child.get("href"):
                _hyperlink(paragraph, _text(child), child.get("href"))
            elif tag == "br":
                paragraph.add_run().add_break()
            elif tag in ("svg", "img"):
                self.picture(child)
            else:
                self.inline(paragraph, child, bold=bold or tag in ("strong", "b", "th"),
                            italic=italic or tag in ("em", "i"))
            self._run(paragraph, child.tail, bold, italic)

    @staticmethod
    def _run(paragraph, text, bold, italic) -> None:
        if not text:
            return
        collapsed = " ".join(text.split())
        if not collapsed:  # the space between two inline elements
            if paragraph.text and not paragraph.text.endswith(" "):
                paragraph.add_run(" ")
            return
        if text[0].isspace() and paragraph.text and not paragraph.text.endswith(" "):
            collapsed = " " + collapsed
        if text[-1].isspace():
            collapsed += " "
        run = paragraph.add_run(collapsed)
        run.bold = bold or None
        run.italic = italic or None


def _span(cell) -> int:
    try:
        return max(1, int(cell.get("colspan") or 1))
    except ValueError:
        return 1


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _hyperlink(paragraph, text: str, href: str) -> None:
    if href.startswith("#"):
        paragraph.add_run(text)
        return
    relationship = paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.append(underline)
    run.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def _width(png: bytes, scale: int) -> Length:
    """A picture's width on the page: its CSS pixels (drawn `scale` times) at 96 to the inch."""
    pixels = Image.open(io.BytesIO(png)).width
    return Inches(pixels / scale / 96)


#: The namespace an HTML parser puts an inline SVG's own ``xmlns`` attribute in.
XMLNS_ATTRIBUTE = "{http://www.w3.org/2000/xmlns/}"


def _png(element) -> tuple[bytes, int]:
    """A picture's PNG: inline SVG drawn by CairoSVG, an img read from our static files or a
    data: URI (SVG drawn, PNG/JPEG/GIF as they are), and the scale it was drawn at.
    unsafe=False: CairoSVG then loads nothing an SVG links to but data: URIs, and refuses XML
    entities."""
    if _tag(element) == "svg":
        for node in element.iter():  # HTML's xmlns="..." is no XML attribute: ET cannot write it
            for name in [n for n in node.attrib if n.startswith(XMLNS_ATTRIBUTE)]:
                del node.attrib[name]
        tail, element.tail = element.tail, None  # the text after it is not the picture's
        try:
            svg = ET.tostring(element)
        finally:
            element.tail = tail
        return cairosvg.svg2png(bytestring=svg, scale=SVG_SCALE, unsafe=False), SVG_SCALE
    media_type, data = resource(element.get("src") or "")
    if media_type == "image/svg+xml":
        return cairosvg.svg2png(bytestring=data, scale=SVG_SCALE, unsafe=False), SVG_SCALE
    if media_type in ("image/png", "image/jpeg", "image/gif"):
        return data, 1
    raise ValueError(f"{media_type} is not a picture Word can hold")
