"""An identity provider's claims as Oversight roles: the rules live in a data file.

At single sign-on (``access/oidc.py``) the provider says who the user is and which roles they
hold, in claims whose names and shapes differ between providers: Microsoft Entra ID lists app
roles as strings in ``roles``; NHS CIS2 lists objects in ``nhsid_nrbac_roles``, each with its
role code and the ODS code of the organisation it is held at. The role map
(``sign-in-roles.yaml`` or the file ``OIDC_ROLE_MAP`` names) says where to look and which
provider role becomes which Oversight role with which scope; this module reads it and applies
it, and nothing else decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from oversight.access.models import Role
from oversight.frameworks.datafile import DataFileError, DataTree
from oversight.organisations.models import Organisation, Region, System

DEFAULT_ROLE_MAP = Path(__file__).with_name("sign-in-roles.yaml")
#: A scope value meaning "the organisation the claim names" rather than a fixed code.
FROM_ORGANISATION = "from organisation"
SCOPE_MODELS = {"region": (Region, "code"), "system": (System, "code"),
                "organisation": (Organisation, "ods_code")}


class RoleMapError(DataFileError):
    """The role map is invalid; the message names the file, line and reason."""


@dataclass(frozen=True)
class Rule:
    """One provider role (or several) and the Oversight role it gives."""

    when: frozenset[str]
    kind: str
    scope: str | None  # "region", "system", "organisation"; None for an administrator
    code: str  # a fixed code, or FROM_ORGANISATION


@dataclass(frozen=True)
class RoleMap:
    roles_claim: str
    role_field: str
    organisation_field: str
    organisation_claim: str
    rules: tuple[Rule, ...]

    def rule_for(self, provider_role: str) -> Rule | None:
        return next((r for r in self.rules if provider_role in r.when), None)


@dataclass(frozen=True)
class Grant:
    """An Oversight role to give: its kind and the region, system or organisation it covers."""

    kind: str
    scope: Region | System | Organisation | None

    def role_for(self, user: Any) -> Role:
        fields = {} if self.scope is None else {_scope_field(self.scope): self.scope}
        return Role(user=user, kind=self.kind, **fields)


@dataclass(frozen=True)
class Mapping:
    """What the claims gave: the roles to grant, and what was held but could not be used."""

    grants: tuple[Grant, ...]
    provider_roles: tuple[str, ...]
    problems: tuple[str, ...]


def _scope_field(scope: Region | System | Organisation) -> str:
    return next(name for name, (model, _) in SCOPE_MODELS.items() if isinstance(scope, model))


def read_role_map(path: Path, roles_claim: str = "", organisation_claim: str = "") -> RoleMap:
    """The role map in ``path``; the claim names given override the file's."""
    tree = DataTree.read(path, RoleMapError)
    if not isinstance(tree.data, dict):
        raise tree.fail((), "expected a mapping with 'claims' and 'roles'")
    claims = tree.need(tree.data, "claims", dict, ())
    for key, value in claims.items():
        if key not in {"roles", "role_field", "organisation_field", "organisation"}:
            raise tree.fail(("claims", key), "unknown key (expected roles, role_field, "
                                             "organisation_field, organisation)")
        if not isinstance(value, str):
            raise tree.fail(("claims", key), f"expected the name of a claim, got {value!r}")
    rules = [_rule(tree, item, ("roles", str(i)))
             for i, item in enumerate(tree.need(tree.data, "roles", list, ()))]
    return RoleMap(
        roles_claim=roles_claim or claims.get("roles") or "roles",
        role_field=claims.get("role_field", ""),
        organisation_field=claims.get("organisation_field", ""),
        organisation_claim=organisation_claim or claims.get("organisation", ""),
        rules=tuple(rules),
    )


def _rule(tree: DataTree, item: Any, where: tuple[str, ...]) -> Rule:
    if not isinstance(item, dict):
        raise tree.fail(where, "expected a mapping with 'when' and 'role'")
    when = tree.need(item, "when", (str, list), where)
    names = [when] if isinstance(when, str) else when
    if not names or not all(isinstance(n, str) and n for n in names):
        raise tree.fail((*where, "when"), "expected a provider role or a list of them")
    kind = tree.need(item, "role", str, where)
    if kind not in Role.Kind.values:
        raise tree.fail((*where, "role"), f"'{kind}' is not an Oversight role (expected "
                                          f"{', '.join(Role.Kind.values)})")
    scope = Role.SCOPE[Role.Kind(kind)]
    for key in set(item) - {"when", "role"}:
        if key != scope:
            needs = f"a {scope}" if scope else "no scope"
            raise tree.fail((*where, key), f"a {kind} role needs {needs}, not a {key}")
    code = str(tree.need(item, scope, (str, int), where)) if scope else ""
    return Rule(when=frozenset(names), kind=kind, scope=scope, code=code)


@cache
def role_map(path: str, roles_claim: str = "", organisation_claim: str = "") -> RoleMap:
    """The role map a deployment configured, read once per process."""
    return read_role_map(Path(path), roles_claim, organisation_claim)


def _held(claims: dict[str, Any], rmap: RoleMap) -> list[tuple[str, str]]:
    """(provider role, organisation code) for every role the claims list."""
    value = claims.get(rmap.roles_claim)
    entries: Iterable[Any] = [value] if isinstance(value, str | dict) else value or []
    organisation = str(claims.get(rmap.organisation_claim, "") or "")
    held = []
    for entry in entries:
        if isinstance(entry, dict):
            held.append((str(entry.get(rmap.role_field, "")),
                         str(entry.get(rmap.organisation_field, "") or organisation)))
        elif isinstance(entry, str):
            held.append((entry, organisation))
    return held


def grants_for(claims: dict[str, Any], rmap: RoleMap) -> Mapping:
    """The Oversight roles ``claims`` give under ``rmap``.

    A provider role no rule names is left out; one whose scope is not in Oversight (an
    organisation code it does not know) is a problem to show the user, not a role.
    """
    grants: list[Grant] = []
    problems: list[str] = []
    held = _held(claims, rmap)
    for provider_role, organisation in held:
        rule = rmap.rule_for(provider_role)
        if rule is None:
            continue
        label = Role.Kind(rule.kind).label
        if rule.scope is None:
            grant = Grant(rule.kind, None)
        else:
            code = organisation if rule.code == FROM_ORGANISATION else rule.code
            model, field = SCOPE_MODELS[rule.scope]
            found = model.objects.filter(**{field: code}).first() if code else None
            if found is None:
                problems.append(
                    f"{provider_role} would make you {label} for {rule.scope} "
                    f"'{code}', which Oversight does not know" if code else
                    f"{provider_role} would make you {label}, but no {rule.scope} was given "
                    f"(claim '{rmap.organisation_claim or rmap.organisation_field}')"
                )
                continue
            grant = Grant(rule.kind, found)
        if grant not in grants:
            grants.append(grant)
    return Mapping(tuple(grants), tuple(r for r, _ in held if r), tuple(problems))
