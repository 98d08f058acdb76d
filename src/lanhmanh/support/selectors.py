"""Scoped reads of outreach and support. Outsiders get nothing (views turn that into 404).

Who sees what:
- outreach tasks: identity + support classes, task's unit in the user's subtree (child class for a
  person who may be under 18);
- a case's notes: the case's workers (lead and team) and their supervisors (district labour officers and
  the city coordinator over the case's unit), with the identity + support classes; the child class for a
  child case; health details of services only with the health class;
- a returning trafficking victim's case is tighter still (``TIGHT_KINDS``): only its workers and the
  city coordinator; a district supervisor reads it only once added to the case team. The victim's
  safety can depend on who knows where she lives, and the city coordinator is the one who liaises with
  the receiving agency at the border;
- the receiving agency of a referral sees the person and the purpose while the referral lives and the
  consent stands; a health referral needs the health class, any other the support class;
- police and inspectors see at most whether a person has an open case (``case_exists_for``), logged.
Every read of a case or task writes an access-log row with its purpose.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from lanhmanh.core.audit import Purpose, record_access, record_accesses
from lanhmanh.core.scoping import DataClass, can, path_q
from lanhmanh.org.models import Agency, User
from lanhmanh.people.models import Person
from lanhmanh.people.selectors import identities_shown, person_get
from lanhmanh.support.models import (
    CaseKind,
    CaseStatus,
    ConsentPurpose,
    Enrolment,
    OutreachTask,
    Programme,
    Referral,
    Service,
    ServiceKind,
    SupportCase,
)
from lanhmanh.support.rules import (  # noqa: F401 - predicates the views use from here
    CASEWORK,
    PROGRAMME_MANAGER_ROLES,
    SUPERVISOR_ROLES,
    is_supervisor,
    may_manage_programmes,
    sees_health,
)

CITY_SUPERVISOR_ROLE = "city-coordinator"
# Case kinds that only the case team and a city-level supervisor may read.
TIGHT_KINDS = (CaseKind.TRAFFICKING,)


def _in_reach(user, lookup: str) -> Q:
    root = getattr(user, "jurisdiction_path", None)
    return path_q(root, lookup) if root else Q(pk__in=[])


def identity_shown(
    user, instance, *, purpose: str, detail: str = "", path: str = "", data_class=DataClass.SUPPORT
) -> None:
    """Log that a person's data (``instance``: the person or a record about them) is shown to ``user``.
    Support's one place for its access log: its selectors and views call it."""
    record_access(
        actor=user, instance=instance, data_class=data_class, purpose=purpose, detail=detail, path=path
    )


# Outreach -------------------------------------------------------------------------------------------


def tasks_visible(user, *, today: dt.date | None = None) -> QuerySet[OutreachTask]:
    if not can(user, CASEWORK):
        return OutreachTask.objects.none()
    queryset = OutreachTask.objects.filter(_in_reach(user, "unit__path"))
    if not can(user, DataClass.CHILD):
        adults = Person.objects.adults_on(today or timezone.localdate()).values("pk")
        queryset = queryset.filter(person__in=adults)
    # A person with a restricted case (a returning trafficking victim) keeps her outreach tasks to those
    # who may read that case: where she lives must not stay readable by every casework user in the area.
    restricted = SupportCase.objects.filter(person=OuterRef("person"), kind__in=TIGHT_KINDS)
    queryset = queryset.exclude(Exists(restricted.exclude(pk__in=cases_visible(user).values("pk"))))
    return queryset.select_related("person", "unit", "agency", "worker")


def task_get(user, pk, *, path: str = "") -> OutreachTask:
    """One outreach task this user may work on, or 404. The read is logged (purpose: support)."""
    try:
        task = tasks_visible(user).get(pk=pk)
    except (OutreachTask.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    identity_shown(
        user, task.person, purpose=Purpose.SUPPORT, detail=f"Nhiệm vụ tiếp cận #{task.pk}", path=path
    )
    return task


def caseload_names_shown(user, cases, tasks, *, purpose: str, detail: str = "", path: str = "") -> None:
    """Log that the caseload showed these cases' and tasks' persons by name, with the stated purpose
    (one access row per person, in one INSERT)."""
    persons = {record.person_id: record.person for record in [*cases, *tasks]}
    if persons:
        identities_shown(
            user,
            list(persons.values()),
            purpose=purpose,
            detail=("Danh sách hỗ trợ " + detail).strip(),
            path=path,
        )


def open_tasks_for(user) -> QuerySet[OutreachTask]:
    """Open tasks of the user's agency or assigned to the user, oldest due first; supervisors also see
    the tasks in their area that nobody has taken yet. (A seller's sanction gives the commune's
    social-affairs officer and its Women's Union branch a task each: each sees its own.)"""
    mine = Q(worker=user) | Q(agency_id=user.agency_id)
    if is_supervisor(user):
        mine |= Q(worker__isnull=True)
    return tasks_visible(user).filter(status="open").filter(mine).order_by("due_on", "pk")


def sibling_tasks(user, task: OutreachTask) -> QuerySet[OutreachTask]:
    """The other agencies' tasks from the same sanction that this user may see (the commune's social-affairs
    officer and its Women's Union branch each have one), with how many contact attempts each recorded."""
    if task.source_sanction_id is None:
        return OutreachTask.objects.none()
    return (
        tasks_visible(user)
        .filter(source_sanction_id=task.source_sanction_id)
        .exclude(pk=task.pk)
        .annotate(attempt_count=Count("attempts"))
        .order_by("agency__name", "pk")
    )


# Cases ----------------------------------------------------------------------------------------------


def cases_visible(user) -> QuerySet[SupportCase]:
    """Cases whose notes this user may read: workers and supervisors, in jurisdiction, child class for children."""
    if not can(user, CASEWORK):
        return SupportCase.objects.none()
    team = SupportCase.workers.through.objects.filter(user_id=user.pk).values("supportcase_id")
    who = Q(lead_worker=user) | Q(pk__in=team)
    if is_supervisor(user):
        who = Q() if user.has_role(CITY_SUPERVISOR_ROLE) else who | ~Q(kind__in=TIGHT_KINDS)
    queryset = SupportCase.objects.filter(_in_reach(user, "unit__path")).filter(who)
    if not can(user, DataClass.CHILD):
        queryset = queryset.exclude(kind=CaseKind.CHILD)
    return queryset.select_related("person", "unit", "lead_agency", "lead_worker", "receiving_agency")


def case_get(user, pk, *, purpose: str = Purpose.SUPPORT, path: str = "", detail: str = "") -> SupportCase:
    """One case this user may read, or 404. Every read is logged with its purpose."""
    try:
        case = cases_visible(user).get(pk=pk)
    except (SupportCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    data_class = DataClass.CHILD if case.kind == CaseKind.CHILD else DataClass.SUPPORT
    identity_shown(
        user,
        case,
        purpose=purpose,
        detail=detail or f"Hồ sơ hỗ trợ #{case.pk}",
        path=path,
        data_class=data_class,
    )
    return case


def support_cases_of(user, person) -> list[dict]:
    """The person's support cases as the person page lists them (people.hooks.support_cases_of): kind,
    status, opening day and lead agency of each case in this user's reach (child cases only with the child
    class); a link only to the cases the user may open. Needs the support class; no notes, nothing logged
    here (the person page logged its read, opening a case logs that read)."""
    if not can(user, DataClass.SUPPORT):
        return []
    queryset = SupportCase.objects.filter(_in_reach(user, "unit__path"), person=person)
    if not can(user, DataClass.CHILD):
        queryset = queryset.exclude(kind=CaseKind.CHILD)
    mine = set(cases_visible(user).filter(person=person).values_list("pk", flat=True))
    return [
        {
            "label": str(case),
            "kind": case.get_kind_display(),
            "status": case.get_status_display(),
            "is_open": case.is_open,
            "opened_on": case.opened_on,
            "lead_agency": case.lead_agency.name,
            "url": reverse("support:case_detail", args=[case.pk]) if case.pk in mine else "",
        }
        for case in queryset.select_related("lead_agency").order_by("-opened_on", "-pk")
    ]


def case_record_get(case: SupportCase, model, pk):
    """A goal, referral, follow-up or enrolment of ``case``, or Http404. Callers got the case through
    ``case_get`` (so the user may read it); a record of another case looks missing."""
    try:
        return model.objects.get(case=case, pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def open_child_case_of(person) -> SupportCase | None:
    """The open child-protection case of a person, if any (at most one may be open). Callers have
    already got the person through ``people.selectors.person_get`` and may open child cases."""
    return (
        SupportCase.objects.filter(person=person, kind=CaseKind.CHILD, status=CaseStatus.OPEN)
        .order_by("pk")
        .first()
    )


def may_manage_team(user, case: SupportCase) -> bool:
    """The lead worker, or a supervisor who may read the case (callers got it through ``case_get``)."""
    return case.lead_worker_id == user.pk or is_supervisor(user)


def team_candidates(case: SupportCase):
    """Active users who may work on the case: the support classes (and the child class for a child
    case) at an agency whose area contains the case's unit, the lead worker excepted."""

    parts = case.unit.path.split(".")
    ancestors = [".".join(parts[: i + 1]) for i in range(len(parts))]
    needed = CASEWORK | ({DataClass.CHILD} if case.kind == CaseKind.CHILD else set())
    users = (
        User.objects.filter(is_active=True, agency__unit__path__in=ancestors)
        .exclude(pk=case.lead_worker_id)
        .select_related("agency", "agency__unit")
        .prefetch_related("roles")
        .order_by("agency__unit__path", "agency__name", "last_name", "first_name", "pk")
    )
    return [u for u in users if can(u, needed)]


def caseload(user) -> QuerySet[SupportCase]:
    """The user's own open cases, the earliest follow-up due first (cases with none planned last)."""
    team = SupportCase.workers.through.objects.filter(user_id=user.pk).values("supportcase_id")
    return (
        cases_visible(user)
        .filter(Q(lead_worker=user) | Q(pk__in=team), status=CaseStatus.OPEN)
        .annotate(next_due=Min("follow_ups__due_on", filter=Q(follow_ups__done_on__isnull=True)))
        .order_by("next_due", "opened_on", "pk")
    )


def caseloads_supervised(user, *, today: dt.date | None = None) -> list[dict]:
    """Per lead worker in the supervisor's reach: open cases and follow-ups overdue."""
    if not is_supervisor(user):
        return []
    today = today or timezone.localdate()
    rows = (
        cases_visible(user)
        .filter(status=CaseStatus.OPEN)
        .values(
            "lead_worker",
            "lead_worker__first_name",
            "lead_worker__last_name",
            "lead_worker__username",
            "lead_agency__name",
        )
        .annotate(
            open_cases=Count("pk", distinct=True),
            overdue=Count(
                "follow_ups", filter=Q(follow_ups__done_on__isnull=True, follow_ups__due_on__lt=today)
            ),
        )
        .order_by("-overdue", "-open_cases", "lead_worker")
    )
    return [
        {
            "worker": " ".join(p for p in (r["lead_worker__last_name"], r["lead_worker__first_name"]) if p)
            or r["lead_worker__username"],
            "agency": r["lead_agency__name"],
            "open_cases": r["open_cases"],
            "overdue": r["overdue"],
        }
        for r in rows
    ]


def services_of(user, case: SupportCase) -> list[tuple[Service, bool]]:
    """The case's services, each with whether its details may be shown (health details need the health class)."""
    health = sees_health(user)
    return [(s, health or not s.is_health) for s in case.services.select_related("provider", "programme")]


def case_exists_for(user, person, *, purpose: str, path: str = "") -> bool:
    """Whether the person has an open support case: all police and inspectors may learn, when their work
    needs it, and only for a person in their reach. Logged."""

    person = person_get(user, person.pk)  # 404 when out of reach
    exists = (
        SupportCase.objects.filter(person=person, status=CaseStatus.OPEN)
        .exclude(kind=CaseKind.CHILD)
        .exists()
    )
    identity_shown(user, person, purpose=purpose, detail="Có hồ sơ hỗ trợ hay không", path=path)
    return exists


# Referrals ------------------------------------------------------------------------------------------


def referrals_received(user) -> QuerySet[Referral]:
    """Referrals addressed to the user's agency that the user's classes cover."""
    if not can(user, DataClass.IDENTITY):
        return Referral.objects.none()
    purposes = (
        [p for p in ConsentPurpose.values if p != ConsentPurpose.HEALTH]
        if can(user, DataClass.SUPPORT)
        else []
    )
    if can(user, DataClass.HEALTH):
        purposes.append(ConsentPurpose.HEALTH)
    queryset = Referral.objects.filter(to_agency_id=user.agency_id, purpose__in=purposes)
    if not can(user, DataClass.CHILD):
        queryset = queryset.exclude(case__kind=CaseKind.CHILD)
    return queryset.select_related("case", "case__person", "from_agency", "to_agency").order_by(
        "-sent_on", "-pk"
    )


def inbox_names_shown(user, referrals, *, path: str = "") -> None:
    """Log that the referral inbox showed the person of each live referral (the consent stands) to ``user``:
    one access row each (support class), naming the referral, in one INSERT."""
    record_accesses(
        actor=user,
        instances=[
            (referral.case.person, DataClass.SUPPORT, f"Hộp chuyển gửi: #{referral.pk}")
            for referral in referrals
            if referral.is_open
        ],
        purpose=Purpose.SUPPORT,
        path=path,
    )


def referral_received_get(user, pk, *, path: str = "") -> Referral:
    try:
        referral = referrals_received(user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if referral.is_open:
        identity_shown(
            user,
            referral.case.person,
            purpose=Purpose.SUPPORT,
            detail=f"Chuyển gửi #{referral.pk}",
            path=path,
        )
    return referral


def overdue_referrals_for(user, *, today: dt.date | None = None) -> dict[str, list[Referral]]:
    """Open referrals past their due date that the user's agency sent or received (no names shown)."""
    today = today or timezone.localdate()
    sent: list[Referral] = []
    if can(user, CASEWORK):
        sent = list(
            Referral.objects.overdue(today)
            .filter(from_agency_id=user.agency_id)
            .select_related("to_agency")
            .order_by("due_on", "pk")[:20]
        )
    received = list(referrals_received(user).overdue(today).order_by("due_on", "pk")[:20])
    return {"sent": sent, "received": received}


# Agencies a case is never shared with: enforcement, courts and borders.
NO_SHARING_KINDS = ("police", "team-178", "court", "procuracy", "customs", "border-guard")


def agencies_for_case(case: SupportCase) -> QuerySet[Agency]:
    """Agencies a case may be shared with: the city's, and those of the case's district and its communes."""
    district = ".".join(case.unit.path.split(".")[:2])
    province = district.split(".")[0]
    return (
        Agency.objects.filter(active=True)
        .filter(Q(unit__path=province) | path_q(district, "unit__path"))
        .exclude(kind__in=NO_SHARING_KINDS)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


# Programmes -----------------------------------------------------------------------------------------


def programmes_overview() -> list[dict]:
    """Every programme with its budget, what its services cost, enrolments and T07-like results.
    Figures only (no person): three queries whatever the number of programmes."""

    paid = dict(
        Service.objects.filter(programme__isnull=False)
        .values_list("programme")
        .annotate(total=Sum("cost"))
        .values_list("programme", "total")
    )
    enrolled = {
        row["programme"]: row
        for row in Enrolment.objects.values("programme").annotate(
            total=Count("pk"),
            trained=Count("pk", filter=Q(training_completed_on__isnull=False)),
            employed=Count("pk", filter=Q(training_completed_on__isnull=False, employed_on__isnull=False)),
        )
    }
    rows = []
    for programme in Programme.objects.all():
        spent = paid.get(programme.pk) or 0
        counts = enrolled.get(programme.pk, {})
        rows.append(
            {
                "programme": programme,
                "paid": spent,
                "left": None if programme.budget is None else programme.budget - spent,
                "enrolled": counts.get("total", 0),
                "trained": counts.get("trained", 0),
                "employed": counts.get("employed", 0),
            }
        )
    return rows


def programme_budget_table(programme) -> list[dict]:
    """Services the programme paid for, by kind: number, persons, total cost (figures only)."""

    rows = (
        programme.services.values("kind")
        .annotate(count=Count("pk"), persons=Count("case__person", distinct=True), total=Sum("cost"))
        .order_by("kind")
    )
    return [
        {
            "kind": ServiceKind(r["kind"]).label,
            "count": r["count"],
            "persons": r["persons"],
            "total": r["total"] or 0,
        }
        for r in rows
    ]


def enrolments_visible(user, programme):
    """The programme's enrolments whose case the user may read (names shown), and how many others exist."""
    visible_cases = cases_visible(user).values("pk")
    queryset = programme.enrolments.select_related("person", "case", "case__unit")
    mine = list(queryset.filter(case__in=visible_cases).order_by("enrolled_on", "pk"))
    others = queryset.exclude(case__in=visible_cases).count()
    return mine, others
