"""Improvement project forms (listed on the pipeline page, /governance/business-cases/#projects):
propose a project, allocate it to a delivery or enabling group with an executive SRO, the HCE's
sign-off at one of its meetings, and each move to the next stage with why. The secretariats that
run business cases run projects (``delegation.run_case``); the sign-off is recorded by the
HCE's secretariat (``governance.manage_minutes`` of the meeting)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from oversight.delegation import forms
from oversight.delegation.models import ImprovementProject
from oversight.delegation.projects import (
    SIGNING_BODY,
    advance,
    allocate,
    propose_project,
    sign_off_project,
)
from oversight.delegation.recording import record_with, require

PROJECTS = "/governance/business-cases/#projects"
TRAIL = (("Governance", "/governance/"), ("Business cases", PROJECTS))


def _project(request: HttpRequest, pk: int) -> ImprovementProject:
    project = get_object_or_404(ImprovementProject, pk=pk)
    require(request, "delegation.run_case")
    return project


def project_new(request: HttpRequest) -> HttpResponse:
    require(request, "delegation.run_case")
    form = forms.ProjectForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        project = propose_project(**data, user=request.user)
        return f"Improvement project '{project.title}' recorded in Design.", PROJECTS

    return record_with(
        request,
        form,
        save,
        back=PROJECTS,
        title="Record an improvement project",
        caption="Improvement projects",
        trail=TRAIL,
        button="Record project",
    )


def project_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = forms.ProjectForm(
        request.POST or None,
        allocation_only=True,
        initial={"group": project.group_id, "sro": project.sro_id},
    )

    def save(data: dict[str, Any]) -> tuple[str, str]:
        allocate(project, **data, user=request.user)
        return f"'{project.title}' allocated.", PROJECTS

    return record_with(
        request,
        form,
        save,
        back=PROJECTS,
        title="Allocate the project",
        caption=project.title,
        trail=TRAIL,
        button="Save",
    )


def project_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ImprovementProject, pk=pk)
    meetings = forms.recordable_meetings(request.user, [SIGNING_BODY])
    if not meetings and not request.user.has_perm("delegation.run_case"):
        raise PermissionDenied
    form = forms.ProjectSignOffForm(request.POST or None, meetings=meetings)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        require(request, "governance.manage_minutes", data["meeting"])
        sign_off_project(project, data["meeting"], user=request.user)
        return f"'{project.title}' signed off by the HCE.", PROJECTS

    return record_with(
        request,
        form,
        save,
        back=PROJECTS,
        title="Record the HCE's sign-off",
        caption=project.title,
        trail=TRAIL,
        button="Record sign-off",
    )


def project_advance(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    form = forms.AdvanceForm(request.POST or None)

    def save(data: dict[str, Any]) -> tuple[str, str]:
        advance(project, reason=data["reason"], user=request.user)
        return f"'{project.title}' is in {project.get_stage_display()}.", PROJECTS

    return record_with(
        request,
        form,
        save,
        back=PROJECTS,
        title="Move to the next stage",
        caption=f"{project.title} ({project.get_stage_display()})",
        trail=TRAIL,
        button="Move on",
    )
