"""Background jobs: work that outlives a request (a large upload, a board report), run by a
worker process through Django's tasks framework, with its progress recorded for the page and
the command line. How to define, start and show one: docs/jobs.md; the functions are in
`oversight.jobs.background`."""
