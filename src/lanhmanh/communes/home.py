"""Home panel: the assessments waiting for the user's step (self-assessment, review or approval)."""

from __future__ import annotations

from lanhmanh.communes import rules
from lanhmanh.communes.models import AssessmentStatus
from lanhmanh.communes.selectors import assessments_for
from lanhmanh.core.home import HomePanel, register


def _context(user) -> dict:
    if rules.is_assessor(user):
        status, label = AssessmentStatus.DRAFT, AssessmentStatus.DRAFT.label
    elif rules.is_reviewer(user):
        status, label = AssessmentStatus.SUBMITTED, AssessmentStatus.SUBMITTED.label
    else:
        status, label = AssessmentStatus.REVIEWED, AssessmentStatus.REVIEWED.label
    waiting = assessments_for(user).filter(status=status).order_by("-year", "unit_path")
    return {
        "communes_waiting": list(waiting[:10]),
        "communes_waiting_count": waiting.count(),
        "communes_step": label,
    }


register(
    HomePanel(
        key="communes-waiting",
        template="communes/_home.html",
        allowed=rules.can_see_assessments,
        context=_context,
        order=35,
    )
)
