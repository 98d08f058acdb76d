"""The audit page of the data-protection officer: /kiem-tra-du-lieu/."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lanhmanh.core.audit import Action, Purpose, record_access, record_change
from lanhmanh.core.forms import BAD_DATE_MESSAGE, DATES_REVERSED_MESSAGE, PURPOSE_WITH_CHANGE_ACTION_MESSAGE
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.core.navigation import items_for
from lanhmanh.org.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

URL = "/kiem-tra-du-lieu/"


def moment(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def at(when: dt.datetime):
    """Django's clock stands still at ``when`` while audit rows are written (their time is auto_now_add)."""
    return mock.patch("django.utils.timezone.now", return_value=when)


@pytest.fixture
def trail(coordinator, police):
    """Four rows over March–April 2024: two changes, two reads."""
    unit = AdministrativeUnit.objects.get(path="01.002.00076")
    with at(moment("2024-03-10")):
        edit = record_change(
            actor=coordinator,
            instance=unit,
            action=Action.UPDATE,
            before={"name": "Tên cũ bí mật"},
            after={"name": "Tên mới bí mật"},
            reason="Sửa chính tả",
        )
    with at(moment("2024-03-12")):
        sanction = record_access(
            actor=police,
            instance=unit,
            data_class="identity",
            purpose=Purpose.SANCTION,
            detail="Xem nhân thân",
        )
    with at(moment("2024-04-01")):
        case_work = record_access(
            actor=coordinator, instance=coordinator, data_class="support", purpose=Purpose.CASE_WORK
        )
    with at(moment("2024-04-02", hour=23)):
        created = record_change(actor=None, instance=unit, action=Action.CREATE)
    return {"edit": edit, "sanction": sanction, "case_work": case_work, "created": created}


def rows(response) -> list[str]:
    return re.findall(r'data-audit-row="([a-z]+-\d+)"', response.content.decode())


def key(record) -> str:
    return f"{'change' if isinstance(record, ChangeRecord) else 'access'}-{record.pk}"


def test_the_dpo_sees_both_logs_newest_first(client_for, dpo, trail):
    response = client_for(dpo).get(URL)
    assert response.status_code == 200
    assert rows(response) == [key(trail[k]) for k in ("created", "case_work", "sanction", "edit")]
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Tìm thấy 4 dòng." in html
    assert "02/04/2024 23:00:00" in html
    # Who and what, never the values: a changed field is named, its content is not shown.
    assert "Trường: tên" in html
    assert "bí mật" not in html
    assert "Lý do: Sửa chính tả" in html
    assert "Xem: Xử phạt vi phạm hành chính" in html
    assert "Hệ thống" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "POLICE"}, ["sanction"]),
        ({"actor": "coordinator"}, ["case_work", "edit"]),
        ({"model": "org.user"}, ["case_work"]),
        ({"model": "org.administrativeunit"}, ["created", "sanction", "edit"]),
        ({"purpose": Purpose.SANCTION}, ["sanction"]),
        ({"action": Action.UPDATE}, ["edit"]),
        ({"action": "access"}, ["case_work", "sanction"]),
        ({"action": "access", "purpose": Purpose.CASE_WORK}, ["case_work"]),
        ({"date_from": "2024-03-11", "date_to": "2024-04-01"}, ["case_work", "sanction"]),
        ({"date_from": "02/04/2024"}, ["created"]),
        ({"date_to": "10/03/2024"}, ["edit"]),
        ({"actor": "nobody"}, []),
    ],
)
def test_filters_narrow_the_rows(client_for, dpo, trail, query, expected):
    response = client_for(dpo).get(URL, query)
    assert response.status_code == 200
    assert rows(response) == [key(trail[k]) for k in expected]


def test_object_id_filter(client_for, dpo, trail, coordinator):
    response = client_for(dpo).get(URL, {"object_id": str(coordinator.pk), "model": "org.user"})
    assert rows(response) == [key(trail["case_work"])]


def test_the_model_list_names_the_audited_models(client_for, dpo, trail):
    html = client_for(dpo).get(URL).content.decode()
    assert '<option value="org.administrativeunit">đơn vị hành chính</option>' in html
    assert '<option value="org.user">người dùng</option>' in html


@pytest.mark.parametrize(
    ("query", "label", "message"),
    [
        ({"date_from": "2024-04-02", "date_to": "2024-03-01"}, "Đến ngày", DATES_REVERSED_MESSAGE),
        ({"date_from": "32/13/2024"}, "Từ ngày", BAD_DATE_MESSAGE),
        ({"date_to": "hôm qua"}, "Đến ngày", BAD_DATE_MESSAGE),
        (
            {"action": Action.UPDATE, "purpose": Purpose.SANCTION},
            "Mục đích truy cập",
            PURPOSE_WITH_CHANGE_ACTION_MESSAGE,
        ),
    ],
)
def test_bad_filters_give_a_vietnamese_message_and_no_rows(client_for, dpo, trail, query, label, message):
    response = client_for(dpo).get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa tìm được vì bộ lọc có lỗi:" in html
    assert f"<li>{label}: {message}</li>" in html
    assert rows(response) == []


@pytest.mark.parametrize(
    "persona", ["police", "sysadmin", "coordinator", "district_officer", "commune_officer", "court_clerk"]
)
def test_everyone_but_the_dpo_gets_404(client_for, request, trail, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"actor": "police"}, HTTP_HX_REQUEST="true").status_code == 404
    assert "audit" not in [item.key for item in items_for(user)]


def test_the_menu_offers_the_page_to_the_dpo(client_for, dpo):
    assert [item.url() for item in items_for(dpo) if item.key == "audit"] == [URL]
    html = client_for(dpo).get(URL).content.decode()
    assert f'href="{reverse("audit")}" data-nav="audit" aria-current="page"' in html


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/kiem-tra-du-lieu/"


def test_htmx_gets_only_the_results_table(client_for, dpo, trail):
    response = client_for(dpo).get(URL, {"actor": "police"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<h1" not in html and "<form" not in html
    assert rows(response) == [key(trail["sanction"])]


def test_a_history_restore_gets_the_whole_page(client_for, dpo, trail):
    response = client_for(dpo).get(
        URL, {"actor": "police"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    html = response.content.decode()
    assert html.count("<h1") == 1 and '<section id="audit-results"' in html
    assert rows(response) == [key(trail["sanction"])]


def make_reads(user, count: int) -> None:
    unit = AdministrativeUnit.objects.get(path="01.002")
    AccessRecord.objects.bulk_create(
        AccessRecord(
            actor=user,
            model="org.administrativeunit",
            object_id=str(unit.pk),
            data_class="identity",
            purpose=Purpose.REPORTING,
        )
        for _ in range(count)
    )


def test_results_are_paginated_by_50(client_for, dpo, police):
    make_reads(police, 120)
    client = client_for(dpo)
    assert len(rows(client.get(URL))) == 50
    third = client.get(URL, {"actor": "police", "trang": 3})
    assert len(rows(third)) == 20
    html = third.content.decode()
    assert "Tìm thấy 120 dòng." in html and "Trang 3/3." in html
    assert 'href="?actor=police&amp;trang=2"' in html
    assert len(rows(client.get(URL, {"trang": 99}))) == 20  # past the end: the last page


def queries(client, **query) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, query).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_query_count_does_not_grow_with_rows_or_pages(client_for, dpo, police, coordinator):
    client = client_for(dpo)
    make_reads(police, 1)
    with at(moment("2024-01-01")):
        record_change(
            actor=coordinator,
            instance=coordinator,
            action=Action.UPDATE,
            before={"title": "a"},
            after={"title": "b"},
        )
    one_page = queries(client)
    make_reads(police, 148)
    three_pages = queries(client)
    last_page = queries(client, trang=3)
    assert len(one_page) == len(three_pages) == len(last_page)
    # Of those, the audit tables are read exactly three times: the model list, the count, the page.
    for sql in (one_page, three_pages, last_page):
        assert len([q for q in sql if "core_changerecord" in q or "core_accessrecord" in q]) == 3


def test_the_actor_is_named_family_name_first(client_for, dpo, coordinator, trail):
    coordinator.last_name, coordinator.first_name = "Đặng", "Minh Hồng"
    coordinator.save()
    body = client_for(dpo).get(URL).content.decode()
    assert "(Đặng Minh Hồng)" in body
    assert "Minh Hồng Đặng" not in body


def test_the_audit_log_exports_the_filtered_rows_as_csv(client_for, dpo, coordinator, police, trail):
    response = client_for(dpo).get(URL, {"actor": "police", "xuat": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="Kiem-tra-du-lieu-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffThời điểm,Tài khoản,Họ và tên,")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the header and the police officer's one read
    assert lines[1].startswith("12/03/2024 09:00:00,police,")
    assert "Xem: Xử phạt vi phạm hành chính" in lines[1]
    assert "Tên mới bí mật" not in text
    assert client_for(police).get(URL, {"xuat": "csv"}).status_code == 404


def test_the_results_sort_oldest_first_and_the_csv_follows_the_order(client_for, dpo, police, coordinator):
    make_reads(police, 2)
    with at(moment("2024-01-01")):
        record_change(
            actor=coordinator,
            instance=coordinator,
            action=Action.UPDATE,
            before={"title": "a"},
            after={"title": "b"},
        )
    client = client_for(dpo)
    newest_first = rows(client.get(URL))
    oldest_first = rows(client.get(URL, {"sap-xep": "thoi-diem"}))
    assert oldest_first[0].startswith("change-") and newest_first[-1].startswith("change-")
    csv_text = b"".join(client.get(URL, {"sap-xep": "thoi-diem", "xuat": "csv"}).streaming_content).decode()
    assert csv_text.splitlines()[1].split(",")[3] == "Thay đổi"


@pytest.mark.parametrize("query", [{"sap-xep": "before_json"}, {"sap-xep": "-"}, {"trang": "-3"}])
def test_an_odd_order_or_page_falls_back_to_newest_first(client_for, dpo, police, query):
    make_reads(police, 3)
    response = client_for(dpo).get(URL, query)
    assert response.status_code == 200
    assert len(rows(response)) == 3
