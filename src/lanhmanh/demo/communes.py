"""Demo data of the communes app: the healthy-commune assessments of 2013 and 2014 and 79 model communes.

Every commune of Hanoi valid at the end of 2014 (584) has a 2014 assessment and a 2013 one. 2013:
about 82 % healthy; 2014: about 85 %, with some communes transformed (affected → clean) and a few
back to affected. Each login does its step: the ``canboxa`` ward (Tràng Tiền) still scores itself,
three other Hoàn Kiếm wards wait for ``phonglaodong``'s review, six communes wait for ``dieuphoi``'s
approval; the rest are approved. Written with bulk_create (a few seconds), so it skips audit rows
except for the district's changes of score, which carry their reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lanhmanh.communes.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    CriterionItem,
    ModelCommune,
    ModelEvaluation,
)
from lanhmanh.communes.services import template_for_year, templates_load
from lanhmanh.core.audit import Action
from lanhmanh.core.models import ChangeRecord
from lanhmanh.demo.loader import DemoContext
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.plans.models import Activity, Plan

CANBOXA_WARD = "01.002.00079"  # Tràng Tiền
HOAN_KIEM = "01.002"
# Districts where the problem concentrates (urban core and the busiest suburbs): more affected communes.
HOT_DISTRICTS = {
    "01.001",
    "01.002",
    "01.003",
    "01.004",
    "01.005",
    "01.006",
    "01.007",
    "01.008",
    "01.009",
    "01.268",
}
REVIEW_REASONS = [
    "Kiểm tra thực tế còn cơ sở kinh doanh chưa thực hiện đầy đủ cam kết.",
    "Hồ sơ minh chứng chưa đầy đủ.",
    "Biên bản họp dân không có chữ ký xác nhận.",
]


def _scores(items: list[CriterionItem], healthy: bool, rnd) -> list[Decimal]:
    scores = []
    failed = None
    if not healthy:
        mandatory = [i for i in items if i.mandatory]
        failed = rnd.choice(mandatory).pk if mandatory else None
    for item in items:
        if item.pk == failed:
            scores.append(Decimal(0))
        elif item.mandatory:
            scores.append(item.points)
        else:
            scores.append(item.points if rnd.random() < 0.8 else (item.points / 2).quantize(Decimal("0.1")))
    return scores


def _classify(template, items, scores):
    total = sum(scores, Decimal(0))
    mandatory_met = all(s >= i.points for i, s in zip(items, scores, strict=True) if i.mandatory)
    for cls in template.classes.order_by("order"):
        if total >= cls.min_score and (mandatory_met or not cls.needs_mandatory):
            return total, cls
    return total, None


@transaction.atomic
def load(context: DemoContext) -> str:
    templates_load()
    template = template_for_year(2014)
    if Assessment.objects.filter(template=template, year=2014).exists():
        return "Xã lành mạnh: đã có."
    rnd = context.random
    coordinator = context.accounts.get("city-coordinator")
    reviewer = context.accounts.get("district-labour")
    items = list(CriterionItem.objects.filter(group__template=template).order_by("group__order", "order"))
    communes = list(
        AdministrativeUnit.objects.communes()
        .filter(path__startswith="01.")
        .valid_on(dt.date(2014, 12, 31))
        .order_by("path")
    )
    # 2013: ~18 % affected, more in the hot districts; 2014: most stay, ~7 % of affected transform.
    affected_2013 = set()
    for c in communes:
        chance = 0.33 if c.path[:6] in HOT_DISTRICTS else 0.125
        if rnd.random() < chance:
            affected_2013.add(c.pk)
    affected_2013.add(next(c.pk for c in communes if c.path == CANBOXA_WARD))
    affected_2014 = set()
    for c in communes:
        if c.pk in affected_2013:
            if rnd.random() < 0.67:
                affected_2014.add(c.pk)
        elif rnd.random() < 0.02:
            affected_2014.add(c.pk)
    hoan_kiem = [c for c in communes if c.path.startswith(HOAN_KIEM + ".") and c.path != CANBOXA_WARD]
    submitted = {c.pk for c in hoan_kiem[:3]}
    others = [c for c in communes if not c.path.startswith(HOAN_KIEM + ".")]
    reviewed = {c.pk for c in rnd.sample(others, 6)}
    now = timezone.now()
    assessments: list[Assessment] = []
    plans: list[tuple[Assessment, list[Decimal], list[Decimal | None]]] = []
    for year, affected in ((2013, affected_2013), (2014, affected_2014)):
        for c in communes:
            healthy = c.pk not in affected
            scores = _scores(items, healthy, rnd)
            district = [None] * len(items)
            status = AssessmentStatus.APPROVED
            if year == 2014:
                if c.path == CANBOXA_WARD:
                    status = AssessmentStatus.DRAFT
                elif c.pk in submitted:
                    status = AssessmentStatus.SUBMITTED
                elif c.pk in reviewed:
                    status = AssessmentStatus.REVIEWED
            self_scores = list(scores)
            if (
                status in (AssessmentStatus.APPROVED, AssessmentStatus.REVIEWED)
                and not healthy
                and rnd.random() < 0.15
            ):
                # The commune gave itself full points on a failed item; the district corrected it.
                failed = next(i for i, s in enumerate(scores) if items[i].mandatory and s == 0)
                self_scores[failed] = items[failed].points
                district[failed] = Decimal(0)
            a = Assessment(
                template=template,
                unit=c,
                unit_path=c.path,
                year=year,
                period_end=dt.date(year, 12, 31),
                status=status,
            )
            if status == AssessmentStatus.DRAFT:
                self_scores = [None] * len(items)
                a.self_score = Decimal(0)
            else:
                a.self_score = sum(self_scores, Decimal(0))
                a.submitted_at = now
                a.score = a.self_score
            if status in (AssessmentStatus.REVIEWED, AssessmentStatus.APPROVED):
                total, cls = _classify(template, items, scores)
                a.score, a.classification = total, cls
                a.reviewed_at = now
                a.reviewed_by = reviewer if c.path.startswith(HOAN_KIEM + ".") else None
            if status == AssessmentStatus.APPROVED:
                a.healthy = bool(a.classification and a.classification.healthy)
                a.approved_at, a.approved_by = now, coordinator
            assessments.append(a)
            plans.append((a, self_scores, district))
    Assessment.objects.bulk_create(assessments, batch_size=500)
    answers = []
    for a, self_scores, district in plans:
        for item, s, d in zip(items, self_scores, district, strict=True):
            answers.append(
                Answer(
                    assessment=a,
                    item=item,
                    self_score=s,
                    evidence="" if s is None else "Theo báo cáo của Công an và Ban chỉ đạo xã.",
                    district_score=d,
                    district_reason=rnd.choice(REVIEW_REASONS) if d is not None else "",
                )
            )
    Answer.objects.bulk_create(answers, batch_size=2000)
    # The districts' past corrections as history rows, in bulk (synthetic: no service made them).
    changes = [
        ChangeRecord(
            actor=a.assessment.reviewed_by,
            action=Action.UPDATE,
            model="communes.answer",
            object_id=str(a.pk),
            object_repr=f"{a.assessment.unit.full_name} {a.assessment.year} – {a.item.code}"[:200],
            before={"district_score": None},
            after={"district_score": str(a.district_score)},
            reason=a.district_reason,
        )
        for a in answers
        if a.district_score is not None
    ]
    ChangeRecord.objects.bulk_create(changes, batch_size=500)
    models = _model_communes(context, communes, affected_2013)
    healthy_2014 = sum(1 for a in assessments if a.year == 2014 and a.healthy)
    return (
        f"Xã lành mạnh: {len(assessments)} phiếu (2013, 2014); năm 2014 đã duyệt {healthy_2014} xã lành mạnh "
        f"/ {len(communes)} xã; {models} xã điểm mô hình."
    )


def _model_communes(context: DemoContext, communes, affected_2013) -> int:
    plan = Plan.objects.filter(year=2014, parent__isnull=True, scope_unit__path="01").first()
    if plan is None or ModelCommune.objects.filter(plan=plan).exists():
        return 0
    rnd = context.random
    # The appendix is not in the plan's text: the model goes where the problem was (affected in 2013) first.
    ordered = sorted(communes, key=lambda c: (c.pk not in affected_2013, rnd.random()))
    chosen = sorted(ordered[:79], key=lambda c: c.path)
    rows = [
        ModelCommune(
            plan=plan,
            unit=c,
            unit_path=c.path,
            designated_on=dt.date(2014, 1, 15),
            decision="Phụ lục 01 – Kế hoạch phòng, chống mại dâm năm 2014 của UBND Thành phố",
        )
        for c in chosen
    ]
    ModelCommune.objects.bulk_create(rows)
    evaluator = context.accounts.get("city-coordinator")
    evaluations = []
    for n, m in enumerate(rows):
        if n % 25 == 24:
            continue  # not evaluated yet
        kept = n % 27 != 5
        evaluations.append(
            ModelEvaluation(
                model_commune=m,
                year=2014,
                kept=kept,
                note="Duy trì sinh hoạt câu lạc bộ, tổ tự quản hằng tháng."
                if kept
                else "Câu lạc bộ ngừng sinh hoạt từ quý III.",
                evaluated_by=evaluator,
            )
        )
    if evaluator is not None:
        ModelEvaluation.objects.bulk_create(evaluations)
    through = ModelCommune.activities.through
    links = []
    for m in rows:
        for activity in Activity.objects.filter(plan=plan, unit_path__startswith=m.unit_path):
            links.append(through(modelcommune_id=m.pk, activity_id=activity.pk))
    through.objects.bulk_create(links, ignore_conflicts=True)
    return len(rows)
