"""The report forms the 2014 plan implies, as data (loaded by ``manage.py load_report_forms``).

Numeric fields name an indicator: reported ones get ``reporting.*`` indicators, computed ones point at
the indicators other apps compute from their records (``plans.activities_held`` …). Computed
indicators whose records arrive with a later module (``people.sellers_sanctioned``) are created
without a source and prefill nothing until that module registers it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from lanhmanh.org.models import UnitLevel

REFORM_2025 = dt.date(2025, 7, 1)  # two-level local government (Resolution 202/2025/QH15)

C, M, T = "count", "money", "text"
REP, COMP = "reported", "computed"


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    kind: str = C
    source: str = REP
    indicator: str | None = None  # default: reporting.<code> for numbers
    unit: str = "persons"
    plausible_max: int | None = None
    required: bool = True
    help_text: str = ""
    # A computed field that adds up as its own ``reporting.*`` indicator, prefilled from this one.
    records: str | None = None

    @property
    def indicator_code(self) -> str | None:
        if self.kind == T:
            return None
        return self.indicator or f"reporting.{self.code}"


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FormSpec:
    code: str
    name: str
    short_name: str
    symbol: str
    periodicity: str
    level: int
    agency_kind: str
    deadline_rule: str
    deadline_value: int
    sections: tuple[SectionSpec, ...]
    rules: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    rollup_from: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    description: str = ""
    lock_after_days: int = 45
    lists_sanctioned_sellers: bool = False  # identity and address of each seller sanctioned in the period
    # "own": prefill from the submitting unit's own records (the levels below report theirs and are
    # added once by the consolidation); "subtree": from the whole area (no report below rolls in).
    prefill_scope: str = "own"
    # False for forms that restate another form's figures at the same level (quarter/year from months).
    feeds_indicators: bool = True
    # The periods the form is used for: the commune police and commune Team 178 report from the 1/7/2025
    # reform (no district level since; their reports go straight to the city).
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


SITUATION = SectionSpec(
    "tinh-hinh",
    "I. Tình hình tệ nạn mại dâm trên địa bàn",
    (
        FieldSpec("sellers_known", "Số người bán dâm nắm được trên địa bàn", plausible_max=500),
        FieldSpec(
            "suspect_establishments",
            "Số cơ sở kinh doanh dịch vụ có biểu hiện hoạt động mại dâm",
            unit="establishments",
            plausible_max=200,
        ),
        FieldSpec(
            "hotspots_found",
            "Số tụ điểm mại dâm công cộng mới phát hiện",
            source=COMP,
            indicator="enforcement.hotspots_found",
            unit="hotspots",
            plausible_max=20,
        ),
    ),
)
SANCTIONS = SectionSpec(
    "xu-ly",
    "II. Kiểm tra, xử lý vi phạm hành chính",
    (
        FieldSpec(
            "people_checked", "Số lượt người bị kiểm tra, quét vét", unit="person-times", plausible_max=1000
        ),
        FieldSpec(
            "sellers_sanctioned",
            "Số lượt người bán dâm bị xử phạt hành chính",
            source=COMP,
            indicator="people.sellers_sanctioned",
            unit="person-times",
            plausible_max=1000,
        ),
        FieldSpec(
            "warnings",
            "Trong đó: cảnh cáo",
            source=COMP,
            records="people.seller_warnings",
            unit="person-times",
            plausible_max=1000,
        ),
        FieldSpec(
            "fined",
            "Trong đó: phạt tiền",
            source=COMP,
            records="people.sellers_fined",
            unit="person-times",
            plausible_max=1000,
        ),
        FieldSpec(
            "fines_imposed",
            "Số tiền phạt theo quyết định (đồng)",
            kind=M,
            source=COMP,
            records="people.seller_fines_imposed",
            unit="vnd",
            plausible_max=2_000_000_000,
        ),
        FieldSpec(
            "fines_collected",
            "Số tiền phạt đã thu (đồng)",
            kind=M,
            source=COMP,
            records="people.seller_fines_collected",
            unit="vnd",
            plausible_max=2_000_000_000,
        ),
    ),
)
SUPPORT = SectionSpec(
    "ho-tro",
    "III. Tiếp cận, tư vấn, hỗ trợ người bán dâm",
    (
        FieldSpec(
            "outreach",
            "Số người được tiếp cận, tư vấn",
            source=COMP,
            records="support.people_reached",
            plausible_max=2000,
        ),
        FieldSpec(
            "health_referrals",
            "Số lượt người được hỗ trợ y tế (HIV/STI, methadone)",
            unit="person-times",
            plausible_max=2000,
        ),
        FieldSpec(
            "trained_employed",
            "Số người được dạy nghề, tạo việc làm",
            source=COMP,
            records="support.women_trained_employed",
            plausible_max=500,
        ),
    ),
)
HOTSPOTS = SectionSpec(
    "tu-diem",
    "IV. Tụ điểm mại dâm công cộng",
    (
        FieldSpec(
            "hotspots_eliminated",
            "Số tụ điểm đã triệt xóa (lũy kế đến cuối kỳ)",
            source=COMP,
            indicator="enforcement.hotspots_eliminated_total",
            unit="hotspots",
            plausible_max=50,
        ),
        FieldSpec(
            "hotspots_kept_clean",
            "Số tụ điểm đã triệt xóa được giữ không tái hoạt động",
            source=COMP,
            indicator="enforcement.hotspots_kept_clean",
            unit="hotspots",
            plausible_max=50,
        ),
        FieldSpec(
            "hotspots_reemerged",
            "Số tụ điểm đã triệt xóa tái hoạt động",
            source=COMP,
            indicator="enforcement.hotspot_reemergences",
            unit="hotspots",
            plausible_max=50,
        ),
    ),
)
ACTIVITIES = SectionSpec(
    "hoat-dong",
    "V. Hoạt động tuyên truyền, tập huấn",
    (
        FieldSpec(
            "activities_held",
            "Số hoạt động tuyên truyền, tập huấn, hội thảo đã tổ chức",
            source=COMP,
            indicator="plans.activities_held",
            unit="events",
            plausible_max=500,
        ),
        FieldSpec(
            "trainings_held",
            "Trong đó: lớp tập huấn",
            source=COMP,
            indicator="plans.trainings_held",
            unit="events",
            plausible_max=500,
        ),
        FieldSpec(
            "participants",
            "Số lượt người tham dự",
            source=COMP,
            indicator="plans.participants",
            unit="person-times",
            plausible_max=50_000,
        ),
        FieldSpec("assessment", "Đánh giá chung, khó khăn, kiến nghị", kind=T, required=False),
    ),
)
# No "money collected ≤ money imposed" rule for figures from the records: a period's collections
# include the payment of fines decided in earlier periods (counted by payment date).
COMMON_RULES = (
    (("warnings", "fined"), "=", ("sellers_sanctioned",)),
    (("sellers_sanctioned",), "<=", ("people_checked",)),
    (("trainings_held",), "<=", ("activities_held",)),
    (("hotspots_kept_clean",), "<=", ("hotspots_eliminated",)),
)
COMMUNE_RECIPIENTS = (
    "UBND quận, huyện, thị xã (Phòng LĐTBXH)",
    "Thường trực Đảng ủy, HĐND phường, xã",
    "Lưu: VP.",
)
DISTRICT_RECIPIENTS = (
    "Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH)",
    "Thường trực Quận ủy, HĐND quận",
    "Lưu: VT, LĐTBXH.",
)

POLICE = SectionSpec(
    "xu-phat",
    "I. Xử phạt vi phạm hành chính về mại dâm",
    (
        FieldSpec(
            "police_warnings",
            "Số lượt người bị cảnh cáo",
            source=COMP,
            records="people.warnings",
            unit="person-times",
            plausible_max=1000,
        ),
        FieldSpec(
            "police_fined",
            "Số lượt người bị phạt tiền",
            source=COMP,
            records="people.fined",
            unit="person-times",
            plausible_max=1000,
        ),
        FieldSpec(
            "persons_sanctioned",
            "Số người bị xử phạt",
            source=COMP,
            records="people.persons_sanctioned",
            plausible_max=1000,
        ),
        FieldSpec(
            "police_fines_imposed",
            "Số tiền phạt theo quyết định (đồng)",
            kind=M,
            source=COMP,
            records="people.fines_imposed",
            unit="vnd",
            plausible_max=5_000_000_000,
        ),
        FieldSpec(
            "police_fines_collected",
            "Số tiền phạt đã thu (đồng)",
            kind=M,
            source=COMP,
            records="people.fines_collected",
            unit="vnd",
            plausible_max=5_000_000_000,
        ),
    ),
)
POLICE_CHECKS = SectionSpec(
    "kiem-tra",
    "II. Kiểm tra, triệt phá",
    (
        FieldSpec(
            "police_checks",
            "Số lượt kiểm tra hành chính cơ sở kinh doanh có điều kiện",
            source=COMP,
            indicator="premises.police_checks",
            unit="checks",
            plausible_max=2000,
        ),
        FieldSpec(
            "cases_busted",
            "Số vụ liên quan đến mại dâm bị triệt phá",
            source=COMP,
            indicator="enforcement.criminal_cases_busted",
            unit="cases",
            plausible_max=200,
        ),
        FieldSpec(
            "police_notes",
            "Ghi chú, kiến nghị",
            kind=T,
            required=False,
        ),
    ),
)
TEAM_178 = SectionSpec(
    "kiem-tra-178",
    "I. Kết quả kiểm tra của Đội Kiểm tra liên ngành 178",
    (
        FieldSpec(
            "team178_inspections",
            "Số cơ sở kinh doanh dịch vụ được kiểm tra",
            source=COMP,
            indicator="premises.team178_inspections",
            unit="establishments",
            plausible_max=500,
        ),
        FieldSpec("violations_found", "Số cơ sở phát hiện vi phạm", unit="establishments", plausible_max=500),
        FieldSpec(
            "establishments_sanctioned", "Số cơ sở bị xử phạt", unit="establishments", plausible_max=500
        ),
        FieldSpec(
            "team178_fines_imposed",
            "Số tiền phạt theo quyết định (đồng)",
            kind=M,
            unit="vnd",
            plausible_max=5_000_000_000,
        ),
        FieldSpec(
            "team178_fines_collected",
            "Số tiền phạt đã thu (đồng)",
            kind=M,
            unit="vnd",
            plausible_max=5_000_000_000,
        ),
        FieldSpec(
            "licence_revocations_proposed",
            "Số cơ sở đề nghị thu hồi giấy phép",
            unit="establishments",
            plausible_max=100,
        ),
        FieldSpec("team178_notes", "Nhận xét, kiến nghị", kind=T, required=False),
    ),
)
TEAM_178_RULES = (
    (("violations_found",), "<=", ("team178_inspections",)),
    (("establishments_sanctioned",), "<=", ("violations_found",)),
    (("team178_fines_collected",), "<=", ("team178_fines_imposed",)),
)
POLICE_RULES = ((("persons_sanctioned",), "<=", ("police_warnings", "police_fined")),)

FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        code="xa-thang",
        name="Báo cáo tháng về công tác phòng, chống mại dâm của UBND xã, phường, thị trấn",
        short_name="Báo cáo tháng cấp xã",
        symbol="BC-UBND",
        periodicity="month",
        level=UnitLevel.COMMUNE,
        agency_kind="commune-social",
        deadline_rule="day-of-next-month",
        deadline_value=15,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES),
        rules=COMMON_RULES,
        recipients=COMMUNE_RECIPIENTS,
        description="Kế hoạch mục III.16: UBND cấp xã báo cáo định kỳ hằng tháng lên UBND cấp huyện.",
    ),
    FormSpec(
        code="cong-an-thang",
        name="Báo cáo tháng về kết quả xử phạt vi phạm hành chính trong phòng, chống mại dâm",
        short_name="Báo cáo tháng của Công an",
        symbol="BC-CA",
        periodicity="month",
        level=UnitLevel.DISTRICT,
        agency_kind="police",
        deadline_rule="day-of-next-month",
        deadline_value=20,
        sections=(POLICE, POLICE_CHECKS),
        rules=POLICE_RULES,
        recipients=("Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH)", "Công an Thành phố", "Lưu: VT."),
        lists_sanctioned_sellers=True,
        description="Kế hoạch mục III.2: cảnh cáo, phạt tiền, số người, số tiền, danh tính và địa chỉ người bán dâm bị xử phạt.",
        prefill_scope="subtree",
    ),
    FormSpec(
        code="huyen-thang",
        name="Báo cáo tháng về công tác phòng, chống mại dâm của UBND quận, huyện, thị xã",
        short_name="Báo cáo tháng cấp huyện",
        symbol="BC-UBND",
        periodicity="month",
        level=UnitLevel.DISTRICT,
        agency_kind="district-labour",
        deadline_rule="day-of-next-month",
        deadline_value=20,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES),
        rules=COMMON_RULES,
        rollup_from=("xa-thang",),
        recipients=DISTRICT_RECIPIENTS,
    ),
    FormSpec(
        code="huyen-quy",
        name="Báo cáo quý về công tác phòng, chống mại dâm của UBND quận, huyện, thị xã",
        short_name="Báo cáo quý cấp huyện",
        symbol="BC-UBND",
        periodicity="quarter",
        level=UnitLevel.DISTRICT,
        agency_kind="district-labour",
        deadline_rule="days-after-end",
        deadline_value=15,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES),
        rules=COMMON_RULES,
        rollup_from=("xa-thang",),
        recipients=DISTRICT_RECIPIENTS,
        feeds_indicators=False,
    ),
    FormSpec(
        code="huyen-nam",
        name="Báo cáo năm về công tác phòng, chống mại dâm của UBND quận, huyện, thị xã",
        short_name="Báo cáo năm cấp huyện",
        symbol="BC-UBND",
        periodicity="year",
        level=UnitLevel.DISTRICT,
        agency_kind="district-labour",
        deadline_rule="days-after-end",
        deadline_value=15,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES),
        rules=COMMON_RULES,
        rollup_from=("xa-thang",),
        recipients=DISTRICT_RECIPIENTS,
        lock_after_days=60,
        feeds_indicators=False,
    ),
    FormSpec(
        code="doi-178-quy",
        name="Báo cáo quý về kết quả kiểm tra của Đội Kiểm tra liên ngành 178",
        short_name="Báo cáo quý Đội 178",
        symbol="BC-Đ178",
        periodicity="quarter",
        level=UnitLevel.DISTRICT,
        agency_kind="team-178",
        deadline_rule="days-after-end",
        deadline_value=15,
        sections=(TEAM_178,),
        rules=TEAM_178_RULES,
        recipients=(
            "Sở Lao động – Thương binh và Xã hội (Đội 178 Thành phố)",
            "UBND quận, huyện",
            "Lưu: Đội 178.",
        ),
        prefill_scope="subtree",
    ),
    FormSpec(
        code="cong-an-xa-thang",
        name="Báo cáo tháng của Công an xã, phường về kết quả xử phạt vi phạm hành chính trong phòng, chống mại dâm",
        short_name="Báo cáo tháng của Công an cấp xã",
        symbol="BC-CA",
        periodicity="month",
        level=UnitLevel.COMMUNE,
        agency_kind="police",
        deadline_rule="day-of-next-month",
        deadline_value=20,
        sections=(POLICE, POLICE_CHECKS),
        rules=POLICE_RULES,
        recipients=("Cơ quan thường trực phòng, chống mại dâm Thành phố", "Công an Thành phố", "Lưu: VT."),
        lists_sanctioned_sellers=True,
        description="Từ 01/07/2025 (chính quyền hai cấp): Công an cấp xã báo cáo thẳng lên Thành phố.",
        valid_from=REFORM_2025,
    ),
    FormSpec(
        code="doi-178-xa-quy",
        name="Báo cáo quý về kết quả kiểm tra của Đội Kiểm tra liên ngành 178 cấp xã",
        short_name="Báo cáo quý Đội 178 cấp xã",
        symbol="BC-Đ178",
        periodicity="quarter",
        level=UnitLevel.COMMUNE,
        agency_kind="team-178",
        deadline_rule="days-after-end",
        deadline_value=15,
        sections=(TEAM_178,),
        rules=TEAM_178_RULES,
        recipients=("Đội 178 Thành phố", "UBND xã, phường", "Lưu: Đội 178."),
        prefill_scope="subtree",
        description="Kế hoạch năm 2026: Đội 178 cấp xã báo cáo quý lên Thành phố (không qua cấp huyện).",
        valid_from=REFORM_2025,
    ),
    FormSpec(
        code="thanh-pho-nam",
        name="Báo cáo tổng hợp kết quả công tác phòng, chống mại dâm năm trên địa bàn Thành phố",
        short_name="Báo cáo tổng hợp năm của Thành phố",
        symbol="BC-SLĐTBXH",
        periodicity="year",
        level=UnitLevel.PROVINCE,
        agency_kind="dolisa-pctnxh",
        deadline_rule="days-after-end",
        deadline_value=31,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES, POLICE, POLICE_CHECKS, TEAM_178),
        rules=COMMON_RULES + POLICE_RULES + TEAM_178_RULES,
        rollup_from=(
            "xa-thang",
            "huyen-thang",
            "cong-an-thang",
            "doi-178-quy",
            "cong-an-xa-thang",
            "doi-178-xa-quy",
        ),
        recipients=(
            "Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)",
            "Thường trực Thành ủy, HĐND Thành phố",
            "UBND Thành phố",
            "Ban Chỉ đạo 138/CP Thành phố",
            "Lưu: VT, Chi cục PCTNXH.",
        ),
        lock_after_days=90,
    ),
    FormSpec(
        code="dot-xuat-tu-diem",
        name="Báo cáo đột xuất về tình hình tụ điểm và cơ sở có biểu hiện hoạt động mại dâm",
        short_name="Báo cáo đột xuất",
        symbol="BC-ĐX",
        periodicity="adhoc",
        level=UnitLevel.DISTRICT,
        agency_kind="district-labour",
        deadline_rule="request-date",
        deadline_value=0,
        sections=(SITUATION, HOTSPOTS),
        recipients=("Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH)", "Lưu: VT."),
        prefill_scope="subtree",
        feeds_indicators=False,
    ),
)


# Sector reports (groups 3–15 of section III): each department, union and body of the plan reports its own
# duties to the standing body (DOLISA) every quarter. Figures the records hold are computed over the whole
# city (the department reports the city's work in its sector); the rest is what only the sector knows.
SECTOR_RECIPIENTS = (
    "Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH), cơ quan thường trực",
    "Ban Chỉ đạo 138/CP Thành phố",
    "Lưu: VT.",
)


def _campaigns(prefix: str, title: str = "I. Tuyên truyền, giáo dục") -> SectionSpec:
    return SectionSpec(
        f"{prefix}-tuyen-truyen",
        title,
        (
            FieldSpec(
                f"{prefix}_campaigns",
                "Số cuộc tuyên truyền, nói chuyện chuyên đề về phòng, chống mại dâm",
                unit="events",
                plausible_max=2000,
            ),
            FieldSpec(
                f"{prefix}_campaign_participants",
                "Số lượt người tham dự",
                unit="person-times",
                plausible_max=500_000,
            ),
        ),
    )


def _notes(prefix: str, title: str) -> SectionSpec:
    return SectionSpec(
        f"{prefix}-danh-gia",
        title,
        (FieldSpec(f"{prefix}_assessment", "Đánh giá chung, khó khăn, kiến nghị", kind=T, required=False),),
    )


def _sector(
    code: str,
    kind: str,
    group: int,
    agency: str,
    symbol: str,
    sections: tuple[SectionSpec, ...],
    rules: tuple = (),
) -> FormSpec:
    return FormSpec(
        code=code,
        name=f"Báo cáo quý về kết quả thực hiện nhiệm vụ phòng, chống mại dâm của {agency}",
        short_name=f"Báo cáo quý của {agency}",
        symbol=symbol,
        periodicity="quarter",
        level=UnitLevel.PROVINCE,
        agency_kind=kind,
        deadline_rule="days-after-end",
        deadline_value=10,
        sections=sections,
        rules=rules,
        recipients=SECTOR_RECIPIENTS,
        description=f"Nhiệm vụ nhóm {group}, mục III của kế hoạch; gửi cơ quan thường trực trước ngày 10 tháng đầu quý sau.",
        prefill_scope="subtree",
    )


SECTOR_FORMS: tuple[FormSpec, ...] = (
    _sector(
        "van-hoa-quy",
        "culture",
        3,
        "Sở Văn hóa, Thể thao và Du lịch",
        "BC-SVHTTDL",
        (
            _campaigns("culture", "I. Tuyên truyền, văn hóa, văn nghệ"),
            SectionSpec(
                "culture-phong-trao",
                "II. Phong trào “Toàn dân đoàn kết xây dựng đời sống văn hóa”",
                (
                    FieldSpec(
                        "culture_residential_areas",
                        "Số khu dân cư đưa nội dung phòng, chống mại dâm vào hương ước, quy ước",
                        unit="communes",
                        plausible_max=10_000,
                    ),
                    FieldSpec(
                        "culture_communes_assessed",
                        "Số xã, phường phối hợp đánh giá xã, phường lành mạnh không có tệ nạn mại dâm",
                        unit="communes",
                        plausible_max=600,
                    ),
                ),
            ),
            SectionSpec(
                "culture-quan-ly",
                "III. Quản lý kinh doanh dịch vụ văn hóa, du lịch",
                (
                    FieldSpec(
                        "culture_checks",
                        "Số lượt kiểm tra cơ sở kinh doanh dịch vụ văn hóa, du lịch",
                        unit="checks",
                        plausible_max=5000,
                    ),
                    FieldSpec(
                        "culture_violations",
                        "Số cơ sở phát hiện vi phạm",
                        unit="establishments",
                        plausible_max=5000,
                    ),
                    FieldSpec(
                        "culture_licences_refused",
                        "Số hồ sơ không cấp giấy phép vì chủ hoặc cơ sở đã bị xử lý về mại dâm",
                        unit="establishments",
                        plausible_max=500,
                    ),
                    FieldSpec(
                        "culture_licence_revocations",
                        "Số giấy phép bị thu hồi theo đề nghị",
                        source=COMP,
                        indicator="premises.licence_revocations",
                        unit="establishments",
                        plausible_max=500,
                    ),
                ),
            ),
            _notes("culture", "IV. Đánh giá, kiến nghị"),
        ),
        rules=((("culture_violations",), "<=", ("culture_checks",)),),
    ),
    _sector(
        "giao-duc-quy",
        "education",
        4,
        "Sở Giáo dục và Đào tạo",
        "BC-SGDĐT",
        (
            _campaigns("education", "I. Tuyên truyền trong nhà trường"),
            SectionSpec(
                "education-tai-lieu",
                "II. Tài liệu, bồi dưỡng giáo viên",
                (
                    FieldSpec(
                        "education_schools",
                        "Số trường lồng ghép nội dung phòng, chống mại dâm vào giảng dạy, ngoại khóa",
                        unit="agencies",
                        plausible_max=3000,
                    ),
                    FieldSpec(
                        "education_teachers_trained",
                        "Số lượt giáo viên được tập huấn",
                        unit="person-times",
                        plausible_max=50_000,
                    ),
                ),
            ),
            _notes("education", "III. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "y-te-quy",
        "health",
        5,
        "Sở Y tế",
        "BC-SYT",
        (
            SectionSpec(
                "health-co-so",
                "I. Quản lý cơ sở xoa bóp, tham gia Đội 178",
                (
                    FieldSpec(
                        "health_massage_checks",
                        "Số lượt kiểm tra cơ sở xoa bóp (massage)",
                        unit="checks",
                        plausible_max=5000,
                    ),
                    FieldSpec(
                        "health_massage_violations",
                        "Số cơ sở xoa bóp phát hiện vi phạm",
                        unit="establishments",
                        plausible_max=5000,
                    ),
                ),
            ),
            SectionSpec(
                "health-du-phong",
                "II. Dự phòng, điều trị HIV/AIDS, bệnh lây truyền qua đường tình dục",
                (
                    FieldSpec(
                        "health_hiv_tests",
                        "Số lượt người bán dâm được tư vấn, xét nghiệm HIV",
                        unit="person-times",
                        plausible_max=50_000,
                    ),
                    FieldSpec(
                        "health_sti_treated",
                        "Số lượt người bán dâm được khám, điều trị bệnh lây truyền qua đường tình dục",
                        unit="person-times",
                        plausible_max=50_000,
                    ),
                    FieldSpec(
                        "health_methadone",
                        "Số người bán dâm đang điều trị methadone",
                        plausible_max=10_000,
                    ),
                ),
            ),
            _notes("health", "III. Đánh giá, kiến nghị"),
        ),
        rules=((("health_massage_violations",), "<=", ("health_massage_checks",)),),
    ),
    _sector(
        "ke-hoach-dau-tu-quy",
        "planning",
        6,
        "Sở Kế hoạch và Đầu tư",
        "BC-SKHĐT",
        (
            SectionSpec(
                "planning-kinh-phi",
                "I. Bố trí kinh phí",
                (
                    FieldSpec(
                        "planning_programme_budget",
                        "Kinh phí chương trình phòng, chống mại dâm đã cân đối trong kế hoạch (đồng)",
                        kind=M,
                        unit="vnd",
                        plausible_max=100_000_000_000,
                    ),
                ),
            ),
            _notes("planning", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "tai-chinh-quy",
        "finance",
        6,
        "Sở Tài chính",
        "BC-STC",
        (
            SectionSpec(
                "finance-kinh-phi",
                "I. Cấp phát kinh phí",
                (
                    FieldSpec(
                        "finance_allocated",
                        "Kinh phí đã phân bổ cho các đơn vị thực hiện kế hoạch (đồng)",
                        kind=M,
                        unit="vnd",
                        plausible_max=100_000_000_000,
                    ),
                    FieldSpec(
                        "finance_team178_budget",
                        "Trong đó: kinh phí hoạt động của Đội 178 các cấp (đồng)",
                        kind=M,
                        unit="vnd",
                        plausible_max=100_000_000_000,
                    ),
                ),
            ),
            _notes("finance", "II. Đánh giá, kiến nghị"),
        ),
        rules=((("finance_team178_budget",), "<=", ("finance_allocated",)),),
    ),
    _sector(
        "tu-phap-quy",
        "justice",
        7,
        "Sở Tư pháp",
        "BC-STP",
        (
            _campaigns("justice", "I. Phổ biến, giáo dục pháp luật"),
            SectionSpec(
                "justice-tap-huan",
                "II. Tập huấn nghiệp vụ",
                (
                    FieldSpec(
                        "justice_trainees",
                        "Số lượt cán bộ, báo cáo viên pháp luật được tập huấn",
                        unit="person-times",
                        plausible_max=50_000,
                    ),
                ),
            ),
            _notes("justice", "III. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "cong-thuong-quy",
        "trade",
        8,
        "Sở Công thương",
        "BC-SCT",
        (
            SectionSpec(
                "trade-kiem-tra",
                "I. Kiểm tra, kiểm soát thị trường",
                (
                    FieldSpec(
                        "trade_checks",
                        "Số lượt kiểm tra hàng hóa tại nhà hàng, khách sạn, quán bar, vũ trường",
                        unit="checks",
                        plausible_max=10_000,
                    ),
                    FieldSpec(
                        "trade_violations",
                        "Số vụ vi phạm bị xử lý",
                        unit="cases",
                        plausible_max=10_000,
                    ),
                    FieldSpec(
                        "trade_fines",
                        "Số tiền phạt (đồng)",
                        kind=M,
                        unit="vnd",
                        plausible_max=10_000_000_000,
                    ),
                ),
            ),
            _notes("trade", "II. Đánh giá, kiến nghị"),
        ),
        rules=((("trade_violations",), "<=", ("trade_checks",)),),
    ),
    _sector(
        "thong-tin-quy",
        "information",
        9,
        "Sở Thông tin và Truyền thông",
        "BC-STTTT",
        (
            SectionSpec(
                "information-bao-chi",
                "I. Thông tin, báo chí",
                (
                    FieldSpec(
                        "information_press_items",
                        "Số tin, bài, phóng sự về phòng, chống mại dâm",
                        unit="events",
                        plausible_max=10_000,
                    ),
                    FieldSpec(
                        "information_sites_handled",
                        "Số trang thông tin điện tử, tài khoản mạng xã hội lợi dụng để hoạt động mại dâm bị xử lý",
                        unit="cases",
                        plausible_max=5000,
                    ),
                ),
            ),
            _notes("information", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "hai-quan-quy",
        "customs",
        10,
        "Cục Hải quan Hà Nội",
        "BC-CHQ",
        (
            SectionSpec(
                "customs-kiem-soat",
                "I. Kiểm soát tại cửa khẩu",
                (
                    FieldSpec(
                        "customs_pornography_seized",
                        "Số vụ phát hiện văn hóa phẩm đồi trụy qua cửa khẩu",
                        unit="cases",
                        plausible_max=1000,
                    ),
                    FieldSpec(
                        "customs_trafficking_suspected",
                        "Số trường hợp nghi đưa người ra nước ngoài bán dâm được phát hiện, chuyển cơ quan chức năng",
                        unit="cases",
                        plausible_max=1000,
                    ),
                ),
            ),
            _notes("customs", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "phu-nu-quy",
        "womens-union",
        11,
        "Hội Liên hiệp Phụ nữ Thành phố",
        "BC-HLHPN",
        (
            _campaigns("womens", "I. Tuyên truyền, giáo dục gia đình"),
            SectionSpec(
                "womens-cong-dong",
                "II. Tư vấn, câu lạc bộ tại cộng đồng",
                (
                    FieldSpec(
                        "womens_clubs",
                        "Số câu lạc bộ, nhóm tự lực đang sinh hoạt",
                        unit="events",
                        plausible_max=5000,
                    ),
                    FieldSpec(
                        "womens_counselling",
                        "Số lượt phụ nữ được tư vấn tại cộng đồng",
                        unit="person-times",
                        plausible_max=100_000,
                    ),
                    FieldSpec(
                        "womens_surveyed",
                        "Số phụ nữ bán dâm được khảo sát, nắm tình hình",
                        plausible_max=10_000,
                    ),
                ),
            ),
            _notes("womens", "III. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "thanh-nien-quy",
        "youth-union",
        12,
        "Thành đoàn Hà Nội",
        "BC-TĐ",
        (
            _campaigns("youth", "I. Tuyên truyền trong thanh niên, học sinh, sinh viên"),
            SectionSpec(
                "youth-doi-hinh",
                "II. Đội hình thanh niên tình nguyện",
                (
                    FieldSpec(
                        "youth_volunteer_teams",
                        "Số đội hình thanh niên tình nguyện tham gia phòng, chống tệ nạn xã hội",
                        unit="events",
                        plausible_max=5000,
                    ),
                ),
            ),
            _notes("youth", "III. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "vien-kiem-sat-quy",
        "procuracy",
        13,
        "Viện Kiểm sát nhân dân Thành phố",
        "BC-VKSND",
        (
            SectionSpec(
                "procuracy-kiem-sat",
                "I. Thực hành quyền công tố, kiểm sát điều tra",
                (
                    FieldSpec(
                        "procuracy_prosecuted",
                        "Số vụ án liên quan đến mại dâm được khởi tố",
                        source=COMP,
                        indicator="enforcement.cases_prosecuted",
                        unit="cases",
                        plausible_max=1000,
                    ),
                    FieldSpec(
                        "procuracy_indicted",
                        "Số vụ án được truy tố",
                        source=COMP,
                        indicator="enforcement.cases_indicted",
                        unit="cases",
                        plausible_max=1000,
                    ),
                ),
            ),
            _notes("procuracy", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "toa-an-quy",
        "court",
        13,
        "Tòa án nhân dân Thành phố",
        "BC-TAND",
        (
            SectionSpec(
                "court-xet-xu",
                "I. Xét xử",
                (
                    FieldSpec(
                        "court_cases_tried",
                        "Số vụ án liên quan đến mại dâm được xét xử sơ thẩm",
                        source=COMP,
                        indicator="enforcement.trial_cases",
                        unit="cases",
                        plausible_max=1000,
                    ),
                    FieldSpec(
                        "court_defendants_tried",
                        "Số bị cáo được xét xử sơ thẩm",
                        source=COMP,
                        indicator="enforcement.trial_defendants",
                        plausible_max=5000,
                    ),
                    FieldSpec(
                        "court_mobile_trials",
                        "Trong đó: số phiên xét xử lưu động",
                        source=COMP,
                        indicator="enforcement.mobile_trials",
                        unit="cases",
                        plausible_max=1000,
                    ),
                ),
            ),
            _notes("court", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "lien-doan-lao-dong-quy",
        "labour-federation",
        14,
        "Liên đoàn Lao động Thành phố",
        "BC-LĐLĐ",
        (
            _campaigns("labour_fed", "I. Tuyên truyền trong công nhân, người lao động"),
            _notes("labour_fed", "II. Đánh giá, kiến nghị"),
        ),
    ),
    _sector(
        "mat-tran-quy",
        "fatherland-front",
        15,
        "Ủy ban Mặt trận Tổ quốc Thành phố",
        "BC-MTTQ",
        (
            _campaigns("front", "I. Tuyên truyền, vận động"),
            SectionSpec(
                "front-van-dong",
                "II. Cuộc vận động, cảm hóa",
                (
                    FieldSpec(
                        "front_persuaded",
                        "Số người bán dâm được vận động, cảm hóa không tái phạm",
                        plausible_max=10_000,
                    ),
                ),
            ),
            _notes("front", "III. Đánh giá, kiến nghị"),
        ),
    ),
)
FORMS = FORMS + SECTOR_FORMS

# The city's monthly, quarterly and six-month reports up to the steering committee, the city committee and
# the Ministry: the annual report's sections, built from the same consolidation (the city's own figures plus
# the approved reports below it for the months inside the period). They restate the consolidation, so
# their figures do not feed the reported indicators again.
_ANNUAL = next(f for f in FORMS if f.code == "thanh-pho-nam")
CITY_UPWARD_RECIPIENTS = (
    "Ban Chỉ đạo 138/CP Thành phố",
    "UBND Thành phố",
    "Bộ Lao động – Thương binh và Xã hội (Cục Phòng, chống tệ nạn xã hội)",
    "Lưu: VT, Chi cục PCTNXH.",
)
CITY_PERIODIC_FORMS: tuple[FormSpec, ...] = tuple(
    FormSpec(
        code=code,
        name=f"Báo cáo {label} kết quả công tác phòng, chống mại dâm trên địa bàn Thành phố",
        short_name=f"Báo cáo {label} của Thành phố",
        symbol=_ANNUAL.symbol,
        periodicity=periodicity,
        level=UnitLevel.PROVINCE,
        agency_kind=_ANNUAL.agency_kind,
        deadline_rule=rule,
        deadline_value=days,
        sections=_ANNUAL.sections,
        rules=_ANNUAL.rules,
        rollup_from=_ANNUAL.rollup_from,
        recipients=CITY_UPWARD_RECIPIENTS,
        feeds_indicators=False,
    )
    for code, label, periodicity, rule, days in (
        ("thanh-pho-thang", "tháng", "month", "day-of-next-month", 25),
        ("thanh-pho-quy", "quý", "quarter", "days-after-end", 20),
        ("thanh-pho-6-thang", "6 tháng", "half", "days-after-end", 25),
    )
)
FORMS = FORMS + CITY_PERIODIC_FORMS


# Annual sector reports: each department, union and body of groups 3–15 reports its year to the standing body
# by 15 January. The figures the records hold are computed over the year; every figure the quarterly reports
# carried is prefilled with the sum of the department's approved quarterly reports of the year (nothing typed
# twice; a changed figure needs a reason and is flagged). The annual report restates the quarters, so it
# does not feed the reported indicators again.


def _annual_field(spec: FieldSpec) -> FieldSpec:
    if spec.kind == T or spec.source == COMP:
        return spec
    return replace(
        spec,
        source=COMP,
        records=spec.indicator_code,
        help_text="Điền sẵn bằng tổng các báo cáo quý đã duyệt trong năm.",
    )


def _annual_sector(quarterly: FormSpec) -> FormSpec:
    agency = quarterly.name.removeprefix(
        "Báo cáo quý về kết quả thực hiện nhiệm vụ phòng, chống mại dâm của "
    )
    return replace(
        quarterly,
        code=quarterly.code.removesuffix("-quy") + "-nam",
        name=f"Báo cáo năm về kết quả thực hiện nhiệm vụ phòng, chống mại dâm của {agency}",
        short_name=f"Báo cáo năm của {agency}",
        periodicity="year",
        deadline_value=15,
        lock_after_days=60,
        sections=tuple(
            replace(section, fields=tuple(_annual_field(f) for f in section.fields))
            for section in quarterly.sections
        ),
        description=quarterly.description.split(";")[0]
        + "; báo cáo năm gửi cơ quan thường trực trước ngày 15 tháng 01 năm sau.",
        feeds_indicators=False,
    )


ANNUAL_SECTOR_FORMS: tuple[FormSpec, ...] = tuple(_annual_sector(f) for f in SECTOR_FORMS)

# Police quarterly and annual reports (plan III.2: "báo cáo định kỳ tháng, quý, năm" on sanctions: warnings,
# fines, persons, money, identity and address of the sellers), from the same registry as the monthly ones,
# each figure prefilled and flagged when changed. District police report their district (2014 map), the
# commune police their commune (from 1/7/2025, straight to the city), the City Police the whole city to
# the standing body. They restate the months, so they do not feed the reported indicators again.
POLICE_RECIPIENTS = ("Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH)", "Công an Thành phố", "Lưu: VT.")
CITY_POLICE_RECIPIENTS = (
    "Sở Lao động – Thương binh và Xã hội (Chi cục PCTNXH), cơ quan thường trực",
    "Ban Chỉ đạo 138/CP Thành phố",
    "Lưu: VT, PC45.",
)


def _police(
    code: str, who: str, short: str, periodicity: str, level: int, *, recipients, valid_from=None
) -> FormSpec:
    label = {"quarter": "quý", "year": "năm"}[periodicity]
    return FormSpec(
        code=code,
        name=f"Báo cáo {label} của {who} về kết quả xử phạt vi phạm hành chính trong phòng, chống mại dâm",
        short_name=f"Báo cáo {label} của {short}",
        symbol="BC-CA",
        periodicity=periodicity,
        level=level,
        agency_kind="police",
        deadline_rule="days-after-end",
        deadline_value=15 if periodicity == "quarter" else 20,
        sections=(POLICE, POLICE_CHECKS),
        rules=POLICE_RULES,
        recipients=recipients,
        lists_sanctioned_sellers=True,
        description="Kế hoạch mục III.2: báo cáo định kỳ tháng, quý, năm về xử phạt vi phạm hành chính "
        "(cảnh cáo, phạt tiền, số người, số tiền, danh tính và địa chỉ người bán dâm).",
        prefill_scope="subtree",
        feeds_indicators=False,
        lock_after_days=45 if periodicity == "quarter" else 60,
        valid_from=valid_from,
    )


POLICE_PERIODIC_FORMS: tuple[FormSpec, ...] = (
    _police(
        "cong-an-quy",
        "Công an quận, huyện",
        "Công an",
        "quarter",
        UnitLevel.DISTRICT,
        recipients=POLICE_RECIPIENTS,
    ),
    _police(
        "cong-an-nam",
        "Công an quận, huyện",
        "Công an",
        "year",
        UnitLevel.DISTRICT,
        recipients=POLICE_RECIPIENTS,
    ),
    _police(
        "cong-an-xa-quy",
        "Công an xã, phường",
        "Công an cấp xã",
        "quarter",
        UnitLevel.COMMUNE,
        recipients=("Cơ quan thường trực phòng, chống mại dâm Thành phố", "Công an Thành phố", "Lưu: VT."),
        valid_from=REFORM_2025,
    ),
    _police(
        "cong-an-xa-nam",
        "Công an xã, phường",
        "Công an cấp xã",
        "year",
        UnitLevel.COMMUNE,
        recipients=("Cơ quan thường trực phòng, chống mại dâm Thành phố", "Công an Thành phố", "Lưu: VT."),
        valid_from=REFORM_2025,
    ),
    _police(
        "cong-an-tp-quy",
        "Công an Thành phố",
        "Công an Thành phố",
        "quarter",
        UnitLevel.PROVINCE,
        recipients=CITY_POLICE_RECIPIENTS,
    ),
    _police(
        "cong-an-tp-nam",
        "Công an Thành phố",
        "Công an Thành phố",
        "year",
        UnitLevel.PROVINCE,
        recipients=CITY_POLICE_RECIPIENTS,
    ),
)

# Upward ad hoc reports: the city answers a request from the steering committee, the city committee or the
# Ministry (recorded with the requesting body, its document and its own due date) with the figures of the
# consolidation for the period asked: its own work plus the approved reports below.
CITY_ADHOC_FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        code="thanh-pho-dot-xuat",
        name="Báo cáo đột xuất của Thành phố về công tác phòng, chống mại dâm (theo yêu cầu của cấp trên)",
        short_name="Báo cáo đột xuất của Thành phố",
        symbol=_ANNUAL.symbol,
        periodicity="adhoc",
        level=UnitLevel.PROVINCE,
        agency_kind=_ANNUAL.agency_kind,
        deadline_rule="request-date",
        deadline_value=0,
        sections=(SITUATION, SANCTIONS, SUPPORT, HOTSPOTS, ACTIVITIES),
        rules=COMMON_RULES,
        rollup_from=_ANNUAL.rollup_from,
        recipients=CITY_UPWARD_RECIPIENTS,
        feeds_indicators=False,
    ),
    FormSpec(
        code="thanh-pho-dot-xuat-tu-diem",
        name="Báo cáo đột xuất của Thành phố về tụ điểm và xử phạt vi phạm hành chính (theo yêu cầu của cấp trên)",
        short_name="Báo cáo đột xuất của Thành phố về tụ điểm, xử phạt",
        symbol=_ANNUAL.symbol,
        periodicity="adhoc",
        level=UnitLevel.PROVINCE,
        agency_kind=_ANNUAL.agency_kind,
        deadline_rule="request-date",
        deadline_value=0,
        sections=(HOTSPOTS, POLICE),
        rules=POLICE_RULES,
        rollup_from=_ANNUAL.rollup_from,
        recipients=CITY_UPWARD_RECIPIENTS,
        feeds_indicators=False,
    ),
)
FORMS = FORMS + ANNUAL_SECTOR_FORMS + POLICE_PERIODIC_FORMS + CITY_ADHOC_FORMS
