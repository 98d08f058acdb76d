"""Goals of a case and its follow-ups (planned, done)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lanhmanh.core.audit import Action, audited_create, audited_update
from lanhmanh.support.models import (
    FollowUp,
    Goal,
    SupportCase,
)
from lanhmanh.support.services.common import not_future, require_open


def goal_add(*, actor, case: SupportCase, description: str, target_on: dt.date | None = None) -> Goal:
    require_open(case)
    return audited_create(
        actor=actor, model=Goal, case=case, description=description.strip(), target_on=target_on
    )


@transaction.atomic
def goal_achieve(*, actor, goal: Goal, on: dt.date) -> Goal:
    require_open(goal.case)
    errors: dict[str, str] = {}
    not_future(on, "achieved_on", errors)
    if errors:
        raise ValidationError(errors)
    return audited_update(actor=actor, instance=goal, action=Action.STATUS, clean=False, achieved_on=on)


@transaction.atomic
def follow_up_plan(*, actor, case: SupportCase, due_on: dt.date) -> FollowUp:
    """Plan a follow-up visit; the caseworker's list puts the earliest due first."""
    require_open(case)
    if due_on < case.opened_on:
        raise ValidationError({"due_on": _("Ngày theo dõi không được trước ngày mở hồ sơ.")})
    return audited_create(actor=actor, model=FollowUp, case=case, due_on=due_on)


@transaction.atomic
def follow_up_done(*, actor, follow_up: FollowUp, done_on: dt.date, note: str = "") -> FollowUp:
    require_open(follow_up.case)
    errors: dict[str, str] = {}
    not_future(done_on, "done_on", errors)
    if done_on and done_on < follow_up.case.opened_on:
        errors["done_on"] = _("Ngày theo dõi không được trước ngày mở hồ sơ.")
    if errors:
        raise ValidationError(errors)
    return audited_update(actor=actor, instance=follow_up, done_on=done_on, note=note)
