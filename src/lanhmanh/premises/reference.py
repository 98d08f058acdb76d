"""Reference data shipped with the register (loaded by migration 0002; administrators correct it later).

Kinds: the plan's list of businesses prone to misuse, with Hanoi's 2011 baseline counts (plan
89/KH-UBND, at 31/12/2010; ``reference/legal.md``). Acts of businesses and owners: the rows found so far
in secondary sources, all ``verified=False`` until checked against the official texts (vbpl.vn).
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps as global_apps

# code, name, English, baseline count, risk weight, health checks (massage-like)
KINDS = [
    ("khach-san", "Khách sạn, nhà khách", "Hotels and state guest houses", 941, 10, False),
    ("nha-nghi", "Nhà nghỉ", "Guest houses", 1632, 15, False),
    ("vu-truong", "Vũ trường", "Dance halls", 16, 20, False),
    ("karaoke", "Karaoke", "Karaoke", 908, 20, False),
    ("xoa-bop", "Xoa bóp, tẩm quất", "Massage", 755, 25, True),
    ("goi-dau", "Gội đầu thư giãn, bấm huyệt", "Relaxation hair-wash, acupressure", 126, 25, True),
    ("cafe-den-mo", "Cà phê đèn mờ", "Dim-light cafés", 268, 15, False),
    ("tam-nuoc-khoang", "Tắm hơi, tắm nước khoáng nóng", "Hot mineral baths", 101, 15, True),
    ("nha-tro", "Nhà trọ bình dân", "Cheap lodging houses", 20236, 5, False),
]

# kind code (None: every kind), code, text
CHECKLIST = [
    (
        None,
        "giay-phep",
        "Có đủ giấy chứng nhận đủ điều kiện về ANTT, giấy phép kinh doanh và niêm yết theo quy định",
    ),
    (None, "nhan-vien", "Danh sách người lao động, hợp đồng lao động, giấy tờ tùy thân của nhân viên"),
    (None, "dau-hieu-mai-dam", "Không có dấu hiệu hoạt động mua bán dâm, môi giới, chứa mại dâm"),
    (None, "noi-quy", "Có nội quy, cam kết không để xảy ra tệ nạn xã hội tại cơ sở"),
    ("khach-san", "luu-tru", "Sổ (phần mềm) quản lý lưu trú, khai báo tạm trú cho khách đầy đủ"),
    ("nha-nghi", "luu-tru", "Sổ quản lý lưu trú, khai báo tạm trú cho khách đầy đủ"),
    ("nha-tro", "luu-tru", "Khai báo tạm trú của người thuê trọ đầy đủ"),
    ("karaoke", "phong", "Phòng có cửa kính nhìn rõ từ ngoài vào, không chốt trong, đủ ánh sáng"),
    ("karaoke", "gio", "Không hoạt động sau 24 giờ"),
    ("vu-truong", "gio", "Không hoạt động sau 2 giờ sáng; ánh sáng đủ theo quy định"),
    ("cafe-den-mo", "anh-sang", "Ánh sáng đủ theo quy định, không có vách ngăn che khuất"),
    ("xoa-bop", "chung-chi", "Người xoa bóp có chứng chỉ chuyên môn; có người phụ trách chuyên môn y tế"),
    ("xoa-bop", "phong", "Phòng xoa bóp có cửa không chốt trong, có đèn chiếu sáng"),
    ("goi-dau", "phong", "Không có phòng kín, buồng riêng che khuất"),
    ("tam-nuoc-khoang", "phong", "Phòng tắm, xông hơi có cửa không chốt trong"),
]

_TO_VERIFY = "Nguồn thứ cấp; số điều, khoản và mức phạt cần đối chiếu văn bản gốc (vbpl.vn) trước khi dùng."

# code, decree, article, clause, wording, individual min/max, organisation min/max, suspension, revocation,
# extra measures, valid from, valid to
BUSINESS_ACTS = [
    (
        "nd167-25-1-che-giau",
        "167/2013/NĐ-CP",
        25,
        1,
        "Che giấu, bảo kê, dung túng, tạo điều kiện cho hoạt động mại dâm tại cơ sở kinh doanh",
        5_000_000,
        10_000_000,
        10_000_000,
        20_000_000,
        True,
        False,
        "Tước quyền sử dụng giấy phép, chứng chỉ hành nghề có thời hạn; tịch thu tang vật; buộc nộp lại số lợi bất hợp pháp",
        dt.date(2013, 12, 28),
        dt.date(2021, 12, 31),
    ),
    (
        "nd167-25-2-loi-dung-kinh-doanh",
        "167/2013/NĐ-CP",
        25,
        2,
        "Lợi dụng kinh doanh dịch vụ (khách sạn, nhà nghỉ, karaoke, xoa bóp…) để hoạt động mại dâm",
        10_000_000,
        20_000_000,
        20_000_000,
        40_000_000,
        True,
        True,
        "Tước quyền sử dụng giấy phép có thời hạn; đề nghị cơ quan có thẩm quyền thu hồi giấy phép kinh doanh",
        dt.date(2013, 12, 28),
        dt.date(2021, 12, 31),
    ),
    (
        "nd167-25-3-chua-mai-dam",
        "167/2013/NĐ-CP",
        25,
        3,
        "Chứa mại dâm (chưa đến mức truy cứu trách nhiệm hình sự) tại cơ sở kinh doanh",
        20_000_000,
        40_000_000,
        40_000_000,
        80_000_000,
        True,
        True,
        "Đề nghị thu hồi giấy phép kinh doanh; buộc nộp lại số lợi bất hợp pháp",
        dt.date(2013, 12, 28),
        dt.date(2021, 12, 31),
    ),
    (
        "nd144-26-1-che-giau",
        "144/2021/NĐ-CP",
        26,
        1,
        "Che giấu, bảo kê, dung túng, tạo điều kiện cho hoạt động mại dâm",
        5_000_000,
        10_000_000,
        10_000_000,
        20_000_000,
        True,
        False,
        "Buộc nộp lại số lợi bất hợp pháp",
        dt.date(2022, 1, 1),
        dt.date(2025, 12, 14),
    ),
    (
        "nd144-26-2-lon-dung-kinh-doanh",
        "144/2021/NĐ-CP",
        26,
        2,
        "Lợi dụng kinh doanh dịch vụ để hỗ trợ, lôi kéo hoạt động mại dâm",
        10_000_000,
        20_000_000,
        20_000_000,
        40_000_000,
        True,
        True,
        "Tước quyền sử dụng giấy phép có thời hạn; đề nghị thu hồi giấy phép",
        dt.date(2022, 1, 1),
        dt.date(2025, 12, 14),
    ),
    (
        "nd282-che-giau",
        "282/2025/NĐ-CP",
        34,
        1,
        "Che giấu, bảo kê, dung túng, tạo điều kiện cho hoạt động mại dâm (số điều cần đối chiếu)",
        5_000_000,
        10_000_000,
        10_000_000,
        20_000_000,
        True,
        False,
        "Buộc nộp lại số lợi bất hợp pháp",
        dt.date(2025, 12, 15),
        None,
    ),
    (
        "nd282-loi-dung-kinh-doanh",
        "282/2025/NĐ-CP",
        34,
        2,
        "Lợi dụng kinh doanh dịch vụ để hoạt động mại dâm (số điều cần đối chiếu)",
        10_000_000,
        20_000_000,
        20_000_000,
        40_000_000,
        True,
        True,
        "Tước quyền sử dụng giấy phép có thời hạn; đề nghị thu hồi giấy phép",
        dt.date(2025, 12, 15),
        None,
    ),
]


def load(apps=None) -> None:
    """Create the rows that are missing (idempotent); never overwrites an administrator's corrections."""

    registry = apps or global_apps
    Kind = registry.get_model("premises", "EstablishmentKind")
    Item = registry.get_model("premises", "ChecklistItem")
    Act = registry.get_model("premises", "BusinessAct")
    for order, (code, name, name_en, baseline, weight, health) in enumerate(KINDS, start=1):
        Kind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "baseline_count": baseline,
                "risk_weight": weight,
                "health_checks": health,
                "order": order * 10,
            },
        )
    kinds = {k.code: k for k in Kind.objects.all()}
    for order, (kind, code, text) in enumerate(CHECKLIST, start=1):
        Item.objects.get_or_create(
            kind=kinds.get(kind) if kind else None, code=code, defaults={"text": text, "order": order * 10}
        )
    for (
        code,
        decree,
        article,
        clause,
        wording,
        imin,
        imax,
        omin,
        omax,
        susp,
        revo,
        extra,
        start,
        end,
    ) in BUSINESS_ACTS:
        Act.objects.get_or_create(
            code=code,
            defaults={
                "decree": decree,
                "article": article,
                "clause": clause,
                "wording": wording,
                "fine_min_individual": imin,
                "fine_max_individual": imax,
                "fine_min_organisation": omin,
                "fine_max_organisation": omax,
                "suspension_allowed": susp,
                "revocation_allowed": revo,
                "additional_measures": extra,
                "valid_from": start,
                "valid_to": end,
                "source": _TO_VERIFY,
                "verified": False,
            },
        )
