"""Improvement projects through Design, Develop, Deploy and Deliver (seed 003 §9.1): the HCE
signs a project off (table 5: "to sign off all system projects and ensure that they are
allocated to a Delivery Group/Enabling Group") at a quorate meeting, only with a delivery or
enabling group and an executive SRO; it then moves on a stage at a time, each move with who,
when and why."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from oversight.governance.history import record
from oversight.governance.models import Body, BodyKind, Meeting, Person
from oversight.governance.quoracy import quoracy

from .models import ImprovementProject, ProjectStage

SIGNING_BODY = "HCE"
GROUP_KINDS = {BodyKind.DELIVERY_GROUP, BodyKind.ENABLING_GROUP}


class ProjectCycle(StateMachine):
    design = State("Design", initial=True, value=ProjectStage.DESIGN.value)
    develop = State("Develop", value=ProjectStage.DEVELOP.value)
    deploy = State("Deploy", value=ProjectStage.DEPLOY.value)
    deliver = State("Deliver", final=True, value=ProjectStage.DELIVER.value)

    advance = design.to(develop, cond="signed_off") | develop.to(deploy) | deploy.to(deliver)

    def __init__(self, project: ImprovementProject) -> None:
        super().__init__(project, state_field="stage")

    def signed_off(self) -> bool:
        return self.model.signed_off_at_meeting_id is not None


def propose_project(
    title: str, *, group: Body | None, sro: Person | None, user=None, at=None
) -> ImprovementProject:
    """A project in Design; the group and SRO may follow (the HCE's sign-off needs both)."""
    if not title.strip():
        raise ValidationError("Give the project a title.")
    _check_group(group)
    return record(
        ImprovementProject(title=title.strip(), group=group, sro=sro),
        user=user,
        reason="Project proposed",
        at=at,
    )


def allocate(
    project: ImprovementProject, *, group: Body | None, sro: Person | None, user=None, at=None
) -> ImprovementProject:
    """Allocate the project to a delivery or enabling group and name its executive SRO."""
    _check_group(group)
    project.group, project.sro = group, sro
    said = f"Allocated to {group.short_name if group else 'no group'}; SRO {sro or 'none'}"
    return record(project, user=user, reason=said, at=at)


def _check_group(group: Body | None) -> None:
    if group is not None and group.kind not in GROUP_KINDS:
        raise ValidationError(f"{group.name} is not a delivery or enabling group.")


def sign_off_project(project: ImprovementProject, meeting: Meeting, *, user=None, at=None):
    if project.signed_off_at_meeting_id is not None:
        raise ValidationError(
            f"{project.title} was signed off on {project.signed_off_at_meeting.date:%-d %B %Y}."
        )
    if meeting.body.short_name != SIGNING_BODY:
        raise ValidationError(
            f"Projects are signed off by the {SIGNING_BODY}, not {meeting.body.name}."
        )
    missing = []
    if project.group is None or project.group.kind not in GROUP_KINDS:
        missing.append("a delivery or enabling group")
    if project.sro is None:
        missing.append("an executive senior responsible officer")
    if missing:
        raise ValidationError(f"{project.title} needs {' and '.join(missing)} before sign-off.")
    quorum = quoracy(meeting)
    if not quorum.quorate:
        raise ValidationError(f"{meeting.body.name} on {meeting.date:%-d %B %Y}: {quorum.reason}")
    project.signed_off_at_meeting = meeting
    return record(project, user=user, reason=f"Signed off by the HCE on {meeting.date}", at=at)


def advance(project: ImprovementProject, *, reason: str, user=None, at: dt.datetime | None = None):
    if not reason.strip():
        raise ValidationError("Say why (it is kept with the change).")
    try:
        ProjectCycle(project).send("advance")
    except TransitionNotAllowed:
        if project.stage == ProjectStage.DESIGN:
            raise ValidationError(
                f"{project.title} needs the HCE's sign-off to leave Design."
            ) from None
        raise ValidationError(f"{project.title} is delivered: there is no further stage.") from None
    return record(project, user=user, reason=f"{project.get_stage_display()}: {reason}", at=at)
