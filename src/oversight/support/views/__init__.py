"""Support pages, one module per part: ``cases`` (list and detail), ``steps`` (the form page
of each step of a case and of its milestones and exit criteria), ``targeted`` (opening a
targeted case), ``actions`` (SOAG actions) and ``notifications``; ``common`` holds what they
share. Thin: permissions from ``oversight.support.rules``, work in ``oversight.support.cases``
and ``oversight.support.actions``. Every form works without JavaScript; HTMX only narrows the
case list in place."""
