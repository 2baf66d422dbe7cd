"""The SOAG overview report's parts, each drawn from one domain by a small function.

Every builder takes the report's :class:`Scope` (the system, the group, the board meeting, the
period, the day of issue) and returns plain JSON-able data: the snapshot an issued version
freezes. What the public may not see stays out through ``oversight.access.visibility``
(``scope.reader``, the board in public), never by a rule of the report's own.
"""

#: The report's areas, in order: each has the author's commentary and a part drawn from the
#: data (the appendices, picked by the author, have no commentary).
AREAS: dict[str, str] = {
    "framework": "The System Oversight Framework",
    "position": "Where the system and its organisations stand",
    "soag": "What the group did since the last report",
    "risks": "Risks escalated to the board and the board assurance framework",
    "development": "Development plan progress",
    "data": "Data appendix",
}
