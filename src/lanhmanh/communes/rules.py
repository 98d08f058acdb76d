"""Who may do what with healthy-commune assessments and model communes.

- the commune's social-affairs officer scores the commune's own assessment while it is a draft;
- the district labour office reviews (phúc tra) the assessments of its communes once submitted;
- the city coordinator approves reviewed assessments, reopens approved ones (with a reason), edits
  the criteria templates and designates model communes;
- these three roles see the assessments of their jurisdiction (the whole subtree); everybody else
  sees none (404).
"""

from __future__ import annotations

from lanhmanh.communes.models import AssessmentStatus
from lanhmanh.core.scoping import in_subtree
from lanhmanh.org.models import Role, UnitLevel

VIEWER_ROLES = (Role.COMMUNE_OFFICER, Role.DISTRICT_LABOUR, Role.CITY_COORDINATOR)


def _has(user, role: str, level: int) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(role) and user.unit.level == level


def is_assessor(user) -> bool:
    return _has(user, Role.COMMUNE_OFFICER, UnitLevel.COMMUNE)


def is_reviewer(user) -> bool:
    return _has(user, Role.DISTRICT_LABOUR, UnitLevel.DISTRICT)


def is_city_coordinator(user) -> bool:
    return _has(user, Role.CITY_COORDINATOR, UnitLevel.PROVINCE)


def can_see_assessments(user) -> bool:
    return is_assessor(user) or is_reviewer(user) or is_city_coordinator(user)


def can_view_unit(user, unit_path: str) -> bool:
    return can_see_assessments(user) and in_subtree(unit_path, user.jurisdiction_path)


def can_self_assess(user, assessment) -> bool:
    return (
        is_assessor(user)
        and user.jurisdiction_path == assessment.unit_path
        and assessment.status == AssessmentStatus.DRAFT
    )


def can_review(user, assessment) -> bool:
    return (
        is_reviewer(user)
        and in_subtree(assessment.unit_path, user.jurisdiction_path)
        and assessment.status == AssessmentStatus.SUBMITTED
    )


def can_approve(user, assessment) -> bool:
    return (
        is_city_coordinator(user)
        and in_subtree(assessment.unit_path, user.jurisdiction_path)
        and assessment.status == AssessmentStatus.REVIEWED
    )


def can_reopen(user, assessment) -> bool:
    return (
        is_city_coordinator(user)
        and in_subtree(assessment.unit_path, user.jurisdiction_path)
        and assessment.status == AssessmentStatus.APPROVED
    )


def can_attach_files(user, assessment) -> bool:
    """Evidence files are added by the step that holds the assessment: the commune while it scores
    itself, the district while it reviews. Approved (locked) assessments take none."""
    return can_self_assess(user, assessment) or can_review(user, assessment)


def can_remove_file(user, assessment_file) -> bool:
    """The commune removes its draft's files; the district removes only the files it added."""
    assessment = assessment_file.assessment
    return can_self_assess(user, assessment) or (
        can_review(user, assessment) and assessment_file.added_by_id == user.pk
    )


def can_edit_templates(user) -> bool:
    return is_city_coordinator(user)


def can_designate_models(user) -> bool:
    return is_city_coordinator(user)


def can_evaluate_model(user, model_commune) -> bool:
    return (is_city_coordinator(user) or is_reviewer(user)) and in_subtree(
        model_commune.unit_path, user.jurisdiction_path
    )
