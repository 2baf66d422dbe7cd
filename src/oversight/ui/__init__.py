"""The page kit every app's pages use: NHS.UK forms and their error summary (``forms``), page
rendering with flash messages and breadcrumbs (``pages``), and the Jinja macros in
``templates/kit/`` (docs/architecture.md, "A kit for pages").

It imports no app of Oversight, so every layer above it may use it."""
