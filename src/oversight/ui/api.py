"""The JSON API's kit: the one body every refusal has, so each endpoint documents its answers
with the same schema (``docs/api.md``).

Endpoints declare the refusals their own logic gives (``response={200: X, **NOT_FOUND}``);
``oversight.api`` adds those the framework gives to every operation (400, 401, 403, 422).
"""

from __future__ import annotations

from ninja import Field, Schema


class FieldProblem(Schema):
    """One problem with the request's parameters or body, as django-ninja reports it."""

    type: str = Field(description="The kind of problem, e.g. int_parsing, missing")
    loc: list[str | int] = Field(description="Where: query, path or body, then the field")
    msg: str


class Problem(Schema):
    """Why a request was refused: a sentence, or (422 for parameters or a body that do not
    match the schema) one entry per problem."""

    detail: str | list[FieldProblem]


#: The object a path names does not exist or the user may not see it (never told apart).
NOT_FOUND = {404: Problem}
#: A write: refused (403), an object it names is missing or unseen (404), or invalid (422).
REFUSED = {403: Problem, 404: Problem, 422: Problem}
