"""The processing impact assessment (Law 91/2025/QH15, issue #21 item 18), generated from the system's own
inventory (``core/data/processing_inventory.json``: activities, the models they keep, data classes, purposes,
legal bases with ``verified`` flags, recipients, retention, security measures) and from the roles as
configured (which roles read which classes). ``impact_assessment_docx()`` writes the Word document the
data-protection officer signs. ``personal_data_models()`` lists the models that hold personal data (flagged
``personal_data``, an encrypted field, or a link to a person): a guard test fails when one of them is not in
the inventory.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.apps import apps
from django.utils import timezone

from lanhmanh.core.crypto import EncryptedTextField
from lanhmanh.core.documents import MOTTO, NATIONAL, docx_bytes, official_document
from lanhmanh.core.scoping import DataClass

INVENTORY = Path(__file__).parent / "data" / "processing_inventory.json"
PERSON = "people.person"


@cache
def inventory() -> dict:
    return json.loads(INVENTORY.read_text(encoding="utf-8"))


def inventoried_models() -> set[str]:
    return {label for activity in inventory()["activities"] for label in activity["models"]}


def personal_data_models() -> set[str]:
    """Labels of the project's models that hold personal data."""
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("lanhmanh."):
            continue
        fields = [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]
        if (
            getattr(model, "personal_data", False)
            or any(isinstance(f, EncryptedTextField) for f in fields)
            or any(
                getattr(f, "related_model", None) and f.related_model._meta.label_lower == PERSON
                for f in fields
            )
        ):
            found.add(model._meta.label_lower)
    return found


def roles_by_class() -> dict[str, list[str]]:
    """Data class → the names of the roles that grant it, as configured now (roles are data)."""
    role_model = apps.get_model("org", "Role")
    result: dict[str, list[str]] = {}
    for name, classes in role_model.objects.order_by("name").values_list("name", "data_classes"):
        for data_class in classes or ():
            result.setdefault(data_class, []).append(name)
    return result


def impact_assessment_docx() -> bytes:
    """The assessment as a Word document (A4, Decree 30/2020 layout), ready for the DPO's signature."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 -- heavy: python-docx only for this document

    data = inventory()
    labels = dict(DataClass.choices)
    readers = roles_by_class()
    doc = official_document()
    top = doc.add_paragraph()
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top.add_run(f"{NATIONAL}\n{MOTTO}").bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("HỒ SƠ ĐÁNH GIÁ TÁC ĐỘNG XỬ LÝ DỮ LIỆU CÁ NHÂN\nHệ thống thông tin Lành Mạnh").bold = True
    doc.add_paragraph(f"Bên kiểm soát và xử lý dữ liệu: {data['controller']}.")
    doc.add_paragraph(
        f"Lập ngày {timezone.localdate():%d/%m/%Y} từ danh mục xử lý dữ liệu của hệ thống. {data['note']}"
    )
    for number, activity in enumerate(data["activities"], start=1):
        doc.add_paragraph().add_run(f"{number}. {activity['name']}").bold = True
        classes = ", ".join(str(labels.get(c, c)) for c in activity["data_classes"])
        who = sorted({name for c in activity["data_classes"] for name in readers.get(c, [])})
        bases = "; ".join(
            basis["text"] + ("" if basis["verified"] else " (chưa được cán bộ bảo vệ dữ liệu xác minh)")
            for basis in activity["legal_basis"]
        )
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in (
            ("Loại dữ liệu cá nhân", f"{activity['categories']} (loại dữ liệu trong hệ thống: {classes})"),
            ("Mục đích xử lý", activity["purposes"]),
            ("Căn cứ pháp lý", bases),
            ("Bên nhận dữ liệu", activity["recipients"]),
            ("Vai trò được xem (theo cấu hình hiện tại)", ", ".join(who) or "—"),
            ("Thời hạn lưu trữ", activity["retention"]),
            ("Biện pháp bảo vệ", activity["security"]),
            ("Bảng dữ liệu", ", ".join(activity["models"])),
        ):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    doc.add_paragraph(
        "Biện pháp chung: xác thực hai bước cho mọi vai trò xem nhân thân và tài khoản quản trị; khoá tài khoản và "
        "giới hạn theo địa chỉ khi đăng nhập sai; nhật ký truy cập và lịch sử thay đổi không sửa, xoá được; tệp tải "
        "lên kiểm tra theo nội dung và chỉ tải về qua trang có phân quyền; sổ theo dõi sự cố với hạn thông báo 72 giờ."
    )
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.add_run("CÁN BỘ BẢO VỆ DỮ LIỆU CÁ NHÂN\n(Ký, ghi rõ họ tên)").bold = True
    return docx_bytes(doc)
