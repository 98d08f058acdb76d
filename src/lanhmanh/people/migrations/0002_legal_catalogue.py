"""Ship the legal catalogue of shared/reference/legal.md (Decrees 167/2013, 144/2021, 282/2025).

Every row is unverified: the sources are secondary; an administrator corrects rows and sets the
verified flag against the official texts. Idempotent by code; reversing removes only unused rows.
"""

import datetime as dt

from django.db import migrations

D167, D144, D282 = "167/2013/NĐ-CP", "144/2021/NĐ-CP", "282/2025/NĐ-CP"
FROM_167, TO_167 = dt.date(2013, 11, 28), dt.date(2021, 12, 31)
FROM_144, TO_144 = dt.date(2022, 1, 1), dt.date(2025, 12, 14)
FROM_282 = dt.date(2025, 12, 15)
SECONDARY = (
    "Nguồn thứ cấp (hỏi đáp pháp luật, báo chí), theo tài liệu tham chiếu legal.md; cần đối chiếu vbpl.vn."
)
DRAFT = "Nguồn thứ cấp, thấy trong bản dự thảo; cần đối chiếu văn bản chính thức trên vbpl.vn."

# code, kind, decree, article, clause, wording, warning, min, max, extra, from, to, source
ACTS = [
    (
        "167-2013-22-1",
        "buying",
        D167,
        22,
        1,
        "Mua dâm",
        False,
        500_000,
        1_000_000,
        "",
        FROM_167,
        TO_167,
        SECONDARY,
    ),
    (
        "167-2013-22-2",
        "buying",
        D167,
        22,
        2,
        "Mua dâm nhiều người cùng một lúc",
        False,
        2_000_000,
        5_000_000,
        "",
        FROM_167,
        TO_167,
        SECONDARY,
    ),
    (
        "167-2013-23-1",
        "selling",
        D167,
        23,
        1,
        "Bán dâm",
        True,
        100_000,
        300_000,
        "",
        FROM_167,
        TO_167,
        SECONDARY
        + " Ghi “cảnh cáo hoặc phạt tiền đến 300.000 đồng”; khung 100.000–300.000 đồng thường được trích dẫn.",
    ),
    (
        "167-2013-23-2",
        "selling",
        D167,
        23,
        2,
        "Bán dâm cho nhiều người cùng một lúc",
        False,
        300_000,
        500_000,
        "",
        FROM_167,
        TO_167,
        SECONDARY,
    ),
    (
        "144-2021-24-1",
        "buying",
        D144,
        24,
        1,
        "Mua dâm",
        False,
        1_000_000,
        2_000_000,
        "Tịch thu tang vật, phương tiện vi phạm (khoản 3 Điều 24)",
        FROM_144,
        TO_144,
        SECONDARY,
    ),
    (
        "144-2021-24-2",
        "buying",
        D144,
        24,
        2,
        "Mua dâm từ hai người trở lên cùng một lúc",
        False,
        2_000_000,
        5_000_000,
        "Tịch thu tang vật, phương tiện vi phạm (khoản 3 Điều 24)",
        FROM_144,
        TO_144,
        SECONDARY,
    ),
    ("144-2021-25-1", "selling", D144, 25, 1, "Bán dâm", True, 300_000, 500_000, "", FROM_144, TO_144, DRAFT),
    (
        "144-2021-25-2",
        "selling",
        D144,
        25,
        2,
        "Bán dâm cho hai người trở lên cùng một lúc",
        False,
        1_000_000,
        2_000_000,
        "",
        FROM_144,
        TO_144,
        DRAFT,
    ),
    (
        "144-2021-26-che-giau",
        "related",
        D144,
        26,
        None,
        "Che giấu, bảo kê cho hoạt động mại dâm",
        False,
        5_000_000,
        10_000_000,
        "Buộc nộp lại số lợi bất hợp pháp",
        FROM_144,
        TO_144,
        DRAFT + " Khoản chưa xác định.",
    ),
    (
        "144-2021-26-giup-suc",
        "related",
        D144,
        26,
        None,
        "Giúp sức, lôi kéo, dụ dỗ, ép buộc người khác hoạt động mại dâm",
        False,
        10_000_000,
        20_000_000,
        "Buộc nộp lại số lợi bất hợp pháp",
        FROM_144,
        TO_144,
        DRAFT + " Khoản chưa xác định.",
    ),
    (
        "144-2021-26-duy-tri",
        "related",
        D144,
        26,
        None,
        "Dùng vũ lực, tiền bạc hoặc thủ đoạn khác để duy trì hoạt động mại dâm",
        False,
        30_000_000,
        50_000_000,
        "Buộc nộp lại số lợi bất hợp pháp",
        FROM_144,
        TO_144,
        DRAFT + " Khoản chưa xác định.",
    ),
    (
        "144-2021-26-loi-dung",
        "related",
        D144,
        26,
        None,
        "Lợi dụng chức vụ, quyền hạn để bảo kê, che giấu hoạt động mại dâm",
        False,
        50_000_000,
        75_000_000,
        "Buộc nộp lại số lợi bất hợp pháp",
        FROM_144,
        TO_144,
        DRAFT + " Khoản chưa xác định.",
    ),
    (
        "282-2025-32-1",
        "buying",
        D282,
        32,
        1,
        "Mua dâm",
        False,
        1_000_000,
        2_000_000,
        "Tịch thu tang vật, phương tiện vi phạm (khoản 3 Điều 32)",
        FROM_282,
        None,
        SECONDARY,
    ),
    (
        "282-2025-32-2",
        "buying",
        D282,
        32,
        2,
        "Mua dâm từ hai người trở lên cùng một lúc",
        False,
        2_000_000,
        5_000_000,
        "",
        FROM_282,
        None,
        SECONDARY,
    ),
    (
        "282-2025-33-1",
        "selling",
        D282,
        33,
        1,
        "Bán dâm",
        True,
        300_000,
        500_000,
        "Tịch thu tang vật, phương tiện vi phạm (điểm a khoản 3 Điều 33)",
        FROM_282,
        None,
        SECONDARY,
    ),
    (
        "282-2025-33-2",
        "selling",
        D282,
        33,
        2,
        "Bán dâm cho hai người trở lên cùng một lúc",
        False,
        1_000_000,
        2_000_000,
        "",
        FROM_282,
        None,
        SECONDARY,
    ),
]


def load(apps, schema_editor):
    LegalAct = apps.get_model("people", "LegalAct")
    for code, kind, decree, article, clause, wording, warning, low, high, extra, start, end, source in ACTS:
        LegalAct.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "decree": decree,
                "article": article,
                "clause": clause,
                "wording": wording,
                "warning_allowed": warning,
                "fine_min_individual": low,
                "fine_max_individual": high,
                "additional_measures": extra,
                "valid_from": start,
                "valid_to": end,
                "source": source,
                "verified": False,
            },
        )


def unload(apps, schema_editor):
    LegalAct = apps.get_model("people", "LegalAct")
    LegalAct.objects.filter(code__in=[row[0] for row in ACTS], violations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
