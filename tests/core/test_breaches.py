"""Issue #21 item 17: the personal-data breach register (Law 91/2025): 72-hour clock from discovery, the
notification as a Word document, the records touched in the window from the logs (ASVS V7.1, V8.3)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document

from lanhmanh.core import breaches
from lanhmanh.core.audit import Purpose, record_access, record_change
from lanhmanh.core.models import AccessRecord, Breach, ChangeRecord
from lanhmanh.people.models import Person
from tests.conftest import TRANG_TIEN, unit

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "title": "Máy tính xách tay của cán bộ phường bị mất",
        "discovered_at": (now - dt.timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
        "window_start": (now - dt.timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),  # still going on
        "description": "Máy đăng nhập sẵn, bị lấy tại trụ sở.",
        "data_categories": "Họ tên, ngày sinh, số CCCD, vi phạm hành chính",
        "subjects_estimate": "40",
        "records_estimate": "120",
        "consequences": "Lộ danh tính người bán dâm đã bị xử phạt.",
        "measures": "Khoá tài khoản, đổi mật khẩu, thu hồi phiên.",
        "authority": "Cục A05, Bộ Công an",
    }
    data.update(overrides)
    return data


@pytest.fixture
def touched(police, commune_officer):
    person = Person(
        full_name="Nguyễn Thị Đào", sex="female", birth_year=1990, permanent_unit=unit(TRANG_TIEN)
    )
    person.save()
    record_access(actor=police, instance=person, data_class="identity", purpose=Purpose.SANCTION)
    record_change(actor=commune_officer, instance=person, action="update")
    return person


def test_only_the_dpo_sees_the_register(dpo, sysadmin, coordinator, client_for):
    assert client_for(dpo).get("/kiem-tra-du-lieu/su-co/").status_code == 200
    for other in (sysadmin, coordinator):
        assert client_for(other).get("/kiem-tra-du-lieu/su-co/").status_code == 404
        assert client_for(other).post("/kiem-tra-du-lieu/su-co/", form()).status_code == 404
    assert Breach.objects.count() == 0


def test_a_breach_is_recorded_with_its_72_hour_clock_and_the_records_touched(dpo, client_for, touched):
    client = client_for(dpo)
    response = client.post("/kiem-tra-du-lieu/su-co/", form())
    assert response.status_code == 302, response.content.decode()
    breach = Breach.objects.get()
    assert breach.deadline == breach.discovered_at + dt.timedelta(hours=72)
    assert 61.9 <= breaches.hours_left(breach) <= 62.1
    assert ChangeRecord.objects.filter(model="core.breach", action="create", actor=dpo).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "còn 62" in page
    assert "1 bản ghi, trong đó 1 hồ sơ cá nhân, bởi 2 tài khoản." in page
    found = breaches.affected(breach)
    assert [(r.model, r.object_id, r.reads, r.changes, r.actors) for r in found.records] == [
        ("people.person", str(touched.pk), 1, 1, ("commune_officer", "police"))
    ]


def test_reads_outside_the_window_are_not_counted(dpo, police, touched):
    breach = breaches.breach_create(
        actor=dpo,
        title="x",
        discovered_at=timezone.now() - dt.timedelta(days=1),
        window_start=timezone.now() - dt.timedelta(days=3),
        window_end=timezone.now() - dt.timedelta(days=2),
        description="x",
        data_categories="x",
        subjects_estimate=1,
        records_estimate=1,
        consequences="x",
        measures="x",
    )
    assert breaches.affected(breach).records == []
    assert AccessRecord.objects.count() == 1


def test_the_notification_is_a_word_document_with_what_the_law_asks(dpo, client_for, touched):
    client = client_for(dpo)
    client.post("/kiem-tra-du-lieu/su-co/", form())
    breach = Breach.objects.get()
    response = client.get(f"/kiem-tra-du-lieu/su-co/{breach.pk}/thong-bao.docx")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "THÔNG BÁO\nVI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN" in text
    assert "Kính gửi: Cục A05, Bộ Công an." in text
    for expected in (
        "1. Sự việc. Máy tính xách tay của cán bộ phường bị mất",
        "4. Loại dữ liệu cá nhân bị ảnh hưởng. Họ tên, ngày sinh, số CCCD, vi phạm hành chính",
        "5. Số lượng ước tính. Khoảng 40 chủ thể dữ liệu và 120 bản ghi.",
        "trong đó 1 hồ sơ cá nhân, bởi 2 tài khoản.",
        "6. Hậu quả, thiệt hại có thể xảy ra. Lộ danh tính",
        "7. Biện pháp đã và sẽ thực hiện. Khoá tài khoản",
    ):
        assert expected in text, expected


def test_marking_notified_stops_the_clock(dpo, client_for):
    client = client_for(dpo)
    client.post("/kiem-tra-du-lieu/su-co/", form())
    breach = Breach.objects.get()
    client.post(f"/kiem-tra-du-lieu/su-co/{breach.pk}/", {"notified": "1"})
    breach.refresh_from_db()
    assert breach.status == "notified" and breach.notified_at is not None


def test_a_window_after_discovery_or_a_future_discovery_is_refused(dpo, client_for):
    later = (timezone.localtime() + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M")
    body = client_for(dpo).post("/kiem-tra-du-lieu/su-co/", form(discovered_at=later)).content.decode()
    assert "Thời điểm phát hiện không được ở tương lai." in body
    assert Breach.objects.count() == 0
