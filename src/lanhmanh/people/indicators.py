"""Indicators computed from the registry's sanction decisions (registered with the indicators app).

Every row is a sanction decision placed in a period by its decision date (money collected: by the
payment date) and in the unit tree by the place of the violation. They are about people, so counts
of 1–4 are shown as "< 5" outside the agencies that record them (police, labour and inspection).
T03 of the 2014 plan (“500 lượt người bán dâm bị xử phạt hành chính”) reads ``people.sellers_sanctioned``.

Every source keeps a rollup (``rollup=True``: national scale, millions of decisions): counts and sums per
commune, month (and, for ``people.sanctions``, kind: the dashboard's breakdown), and for
``people.persons_sanctioned`` one row per commune, month and person. Other disaggregations (sex, role)
read the records: with a few decisions per commune and month nationally, each slice would be about as
many rows as the decisions themselves. They read the violation's place, role, person (and repeat flag) and the person's sex through
relations, so they follow those fields (``rollup_follows``): a merge re-pointing a violation, a person's
sex corrected, the repeat flags recomputed (``counting.repeat_flags_refresh``) move the rollup rows in the
same transaction. Bulk writers add their decisions (``bulk.violations_create``, the Excel import) or
rebuild (``indicators_rollup_rebuild``: the national data set).
"""

from __future__ import annotations

from django.db.models import Count, Sum

from lanhmanh.indicators.models import IndicatorUnit
from lanhmanh.indicators.registry import ComputedSource, register
from lanhmanh.people.models import EventRole, PaymentStatus, SanctionDecision, SanctionKind

OWNERS = ("police", "district-labour", "dolisa-pctnxh", "dolisa-inspectorate", "team-178")
PLACE = "violation__place_unit__path"
DISAGGREGATIONS = {"sex": "violation__person__sex", "kind": "kind", "role": "violation__role"}
DASHBOARD = "Xử lý vi phạm"  # the section of the plan dashboard some of these indicators appear in


def follows(*violation_fields: str) -> dict[str, tuple[str, ...]]:
    """What a source reads through relations (``ComputedSource.rollup_follows``): the violation's place
    and ``violation_fields``; with ``person``, the person's sex too."""
    followed = {"violation": ("place_unit", *violation_fields)}
    if "person" in violation_fields:
        followed["violation__person"] = ("sex",)
    return followed


def _sanctions():
    return SanctionDecision.objects.all()


def _sellers():
    return SanctionDecision.objects.filter(violation__role=EventRole.SELLER)


register(
    ComputedSource(
        code="people.sellers_sanctioned",
        name="Số lượt người bán dâm bị kiểm tra, quét vét, xử phạt hành chính",
        name_en="Sex sellers administratively sanctioned (person-times)",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=_sellers,
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex", "kind": "kind"},
        owner_agency_kinds=OWNERS,
        description="Quyết định xử phạt hành chính đối với người bán dâm, theo ngày quyết định và nơi vi phạm.",
    )
)

register(
    ComputedSource(
        code="people.persons_sanctioned",
        name="Số người bị xử phạt hành chính về mại dâm",
        name_en="Persons administratively sanctioned for prostitution",
        unit=IndicatorUnit.PERSONS,
        queryset=_sanctions,
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        value=Count("violation__person", distinct=True),
        disaggregations=DISAGGREGATIONS,
        owner_agency_kinds=OWNERS,
        description="Số người khác nhau có ít nhất một quyết định xử phạt trong kỳ (mọi vai trò).",
    )
)

register(
    ComputedSource(
        code="people.warnings",
        name="Số quyết định xử phạt cảnh cáo",
        name_en="Warning decisions",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: SanctionDecision.objects.filter(kind=SanctionKind.WARNING),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex", "role": "violation__role"},
        owner_agency_kinds=OWNERS,
    )
)

register(
    ComputedSource(
        code="people.fines_imposed",
        name="Số tiền phạt đã quyết định",
        name_en="Fines imposed",
        unit=IndicatorUnit.VND,
        queryset=lambda: SanctionDecision.objects.filter(kind=SanctionKind.FINE),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role"),
        date_field="decided_on",
        value=Sum("amount"),
        disaggregations={"role": "violation__role"},
        description="Tổng số tiền phạt trong các quyết định phạt tiền, theo ngày quyết định.",
    )
)

register(
    ComputedSource(
        code="people.fines_collected",
        name="Số tiền phạt đã thu",
        name_en="Fines collected",
        unit=IndicatorUnit.VND,
        queryset=lambda: SanctionDecision.objects.filter(
            kind=SanctionKind.FINE, payment_status=PaymentStatus.PAID
        ),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role"),
        date_field="paid_on",
        value=Sum("amount"),
        disaggregations={"role": "violation__role"},
        dashboard_section=DASHBOARD,
        description="Tổng số tiền phạt đã nộp, theo ngày nộp phạt.",
    )
)

register(
    ComputedSource(
        code="people.buyers_sanctioned",
        name="Số lượt người mua dâm bị xử phạt hành chính",
        name_en="Sex buyers administratively sanctioned (person-times)",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: SanctionDecision.objects.filter(violation__role=EventRole.BUYER),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex", "kind": "kind"},
        owner_agency_kinds=OWNERS,
        description="Quyết định xử phạt hành chính đối với người mua dâm, theo ngày quyết định và nơi vi phạm.",
    )
)

register(
    ComputedSource(
        code="people.sanctions",
        name="Số quyết định xử phạt hành chính về mại dâm (theo hình thức)",
        name_en="Sanction decisions on prostitution (by kind)",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=_sanctions,
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=("kind",),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations=DISAGGREGATIONS,
        owner_agency_kinds=OWNERS,
        dashboard_section=DASHBOARD,
        dashboard_by="kind",
        description="Mọi quyết định xử phạt, theo ngày quyết định; tách theo hình thức (cảnh cáo, phạt tiền), "
        "vai trò và giới tính.",
    )
)

register(
    ComputedSource(
        code="people.repeat_violations",
        name="Số lượt tái phạm (đã bị xử phạt)",
        name_en="Repeat violations sanctioned",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: SanctionDecision.objects.filter(violation__repeat_of__isnull=False),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person", "repeat_of"),
        date_field="decided_on",
        disaggregations=DISAGGREGATIONS,
        owner_agency_kinds=OWNERS,
        description="Quyết định xử phạt cho vi phạm cùng nhóm hành vi với một vi phạm trước còn được tính "
        "(Điều 7 Luật Xử lý vi phạm hành chính), theo ngày quyết định.",
    )
)

# The figures of the sanctions sections of the commune/district reports (sellers only) and of the
# police report (every role), so the reports prefill them from the records instead of retyping.
register(
    ComputedSource(
        code="people.fined",
        name="Số quyết định xử phạt tiền",
        name_en="Fine decisions",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: SanctionDecision.objects.filter(kind=SanctionKind.FINE),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex", "role": "violation__role"},
        owner_agency_kinds=OWNERS,
    )
)
register(
    ComputedSource(
        code="people.seller_warnings",
        name="Số lượt người bán dâm bị cảnh cáo",
        name_en="Sex sellers warned (person-times)",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: _sellers().filter(kind=SanctionKind.WARNING),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex"},
        owner_agency_kinds=OWNERS,
    )
)
register(
    ComputedSource(
        code="people.sellers_fined",
        name="Số lượt người bán dâm bị phạt tiền",
        name_en="Sex sellers fined (person-times)",
        unit=IndicatorUnit.PERSON_TIMES,
        queryset=lambda: _sellers().filter(kind=SanctionKind.FINE),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role", "person"),
        date_field="decided_on",
        disaggregations={"sex": "violation__person__sex"},
        owner_agency_kinds=OWNERS,
    )
)
register(
    ComputedSource(
        code="people.seller_fines_imposed",
        name="Số tiền phạt người bán dâm đã quyết định",
        name_en="Fines imposed on sex sellers",
        unit=IndicatorUnit.VND,
        queryset=lambda: _sellers().filter(kind=SanctionKind.FINE),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role"),
        date_field="decided_on",
        value=Sum("amount"),
    )
)
register(
    ComputedSource(
        code="people.seller_fines_collected",
        name="Số tiền phạt người bán dâm đã thu",
        name_en="Fines collected from sex sellers",
        unit=IndicatorUnit.VND,
        queryset=lambda: _sellers().filter(kind=SanctionKind.FINE, payment_status=PaymentStatus.PAID),
        unit_path=PLACE,
        rollup=True,
        rollup_disaggregations=(),
        rollup_follows=follows("role"),
        date_field="paid_on",
        value=Sum("amount"),
    )
)
