"""Front-end assets built at set-up from the npm packages, so every page loads only our files.

NHS.UK frontend's stylesheet declares its Frutiger web fonts at ``assets.nhs.uk``: our Content
Security Policy refuses them (and a hospital network may block that host), which every page
logged as a refused font. The font is licensed for NHS services from NHS England's host only,
so Oversight does not copy it: it serves the stylesheet without the ``@font-face`` rules, and
text falls back to the NHS font stack's next font, Arial, as NHS.UK frontend specifies.

Its icons (the search box's clear cross, the sortable table's arrows) are named from the site's
root, ``url(/assets/images/...)``, where Oversight serves nothing: they are made relative to
the stylesheet, which is served beside the package's ``assets`` folder.

``python -m oversight.web.assets`` (run by ``make setup`` after ``npm install``) writes the
stylesheet to ``node_modules/.oversight/nhsuk/``, which the static files finder reads before
the package's own folder.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

STYLESHEETS = ("nhsuk-frontend.min.css", "nhsuk-frontend.css")
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
_REMOTE = re.compile(r"url\(\s*['\"]?https?://", re.I)
_FROM_ROOT = re.compile(r"url\(\s*(['\"]?)/assets/")


def without_remote_fonts(css: str) -> str:
    """``css`` less every ``@font-face`` rule that loads a font from another host."""
    return _FONT_FACE.sub(lambda m: "" if _REMOTE.search(m.group(0)) else m.group(0), css)


def beside_the_stylesheet(css: str) -> str:
    """``css`` with its ``url(/assets/...)`` made relative to the stylesheet's own folder."""
    return _FROM_ROOT.sub(r"url(\1assets/", css)


def build(node_modules: Path) -> list[Path]:
    source = node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    target = node_modules / ".oversight" / "nhsuk"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in STYLESHEETS:
        css = (source / name).read_text(encoding="utf-8")
        out = target / name
        out.write_text(beside_the_stylesheet(without_remote_fonts(css)), encoding="utf-8")
        written.append(out)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("node_modules")
    for path in build(root):
        print(f"wrote {path}")
