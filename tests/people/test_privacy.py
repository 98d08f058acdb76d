"""Item 9 (access purpose 'other', the data-protection access log) and item 10 (retention)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from lanhmanh.core.audit import record_access
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.people import services
from lanhmanh.people.models import Person
from lanhmanh.people.privacy import (
    PSEUDONYMISED_NAME,
    pseudonym,
    retention_due,
    retention_run,
)
from lanhmanh.people.tasks import retention_task
from lanhmanh.support.models import OutreachTask
from tests.people.conftest import at

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Đào"


def _sanctioned(police, person, place, act, day="2014-05-10", number="1/QĐ"):
    return services.violation_record(
        actor=police,
        person=person,
        occurred_at=at(day),
        place_unit=place,
        act=act,
        role="seller",
        sanction={"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"},
    )


# --- Purpose "other" ------------------------------------------------------------------------------


def test_other_purpose_needs_its_text(client_for, police, resident, selling_2014, trang_tien):
    _sanctioned(police, resident, trang_tien, selling_2014)
    client = client_for(police)
    url = reverse("people:person_detail", args=[resident.pk])
    response = client.post(url, {"purpose": "other", "detail": "  "})
    assert response.status_code == 200
    assert "Chọn “Khác” thì phải ghi rõ mục đích xem." in response.content.decode()
    assert NAME not in response.content.decode()
    assert client.post(url, {"purpose": "other", "detail": "Đối chiếu công văn 12/CV"}).status_code == 302
    assert NAME in client.get(url).content.decode()
    access = AccessRecord.objects.get(actor=police)
    assert (access.purpose, access.detail) == ("other", "Đối chiếu công văn 12/CV")


def test_search_with_other_purpose_without_text_is_refused(client_for, police, resident):
    response = client_for(police).get(
        reverse("people:person_list"), {"id_number": "001190012345", "purpose": "other", "detail": ""}
    )
    assert "Chọn “Khác” thì phải ghi rõ mục đích xem." in response.content.decode()
    assert AccessRecord.objects.count() == 0


# --- Access log for the data-protection role --------------------------------------------------------


def test_the_data_protection_officer_sees_who_read_a_person_without_identity(
    client_for, dpo, police, resident
):
    record_access(
        actor=police, instance=resident, data_class="identity", purpose="other", detail="Công văn 7/CV"
    )
    response = client_for(dpo).get(reverse("people:access_log", args=[resident.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert pseudonym(resident.pk) in body
    assert "police" in body
    assert "Khác (ghi rõ) — Công văn 7/CV" in body
    for secret in (NAME, "001190012345", "0912345678", "Tràng Tiền"):
        assert secret not in body
    assert body.count("<h1") == 1


def test_the_audit_page_links_a_person_row_to_its_access_log(client_for, dpo, police, resident):
    record_access(actor=police, instance=resident, data_class="identity", purpose="sanction")
    body = client_for(dpo).get(reverse("audit")).content.decode()
    assert reverse("people:access_log", args=[resident.pk]) in body


@pytest.mark.parametrize(
    "persona",
    [
        "police",
        "coordinator",
        "district_officer",
        "commune_officer",
        "social_worker",
        "sysadmin",
        "inspector",
    ],
)
def test_only_the_data_protection_role_reads_the_access_log_and_retention(
    request, client_for, persona, resident
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("people:access_log", args=[resident.pk])).status_code == 404
    assert client.get(reverse("people:retention")).status_code == 404


def test_the_access_log_of_a_missing_person_is_404(client_for, dpo):
    assert client_for(dpo).get(reverse("people:access_log", args=[999999])).status_code == 404


def test_pseudonyms_are_stable_and_distinct():
    assert pseudonym(1) == pseudonym("1")
    assert pseudonym(1) != pseudonym(2)
    assert pseudonym(1).startswith("NV-") and len(pseudonym(1)) == 13


# --- Retention ------------------------------------------------------------------------------------


@pytest.fixture
def old_and_recent(police, resident, selling_2014, trang_tien):
    """Two persons sanctioned in 2014 (long stopped counting): one untouched since, one edited today."""
    _sanctioned(police, resident, trang_tien, selling_2014)
    Person.objects.filter(pk=resident.pk).update(updated_at=at("2014-05-10"), created_at=at("2014-05-10"))
    recent = services.person_create(
        actor=police, full_name="Trần Thị Mai", birth_date=dt.date(1991, 1, 2), birth_year=1991, sex="female"
    )
    _sanctioned(police, recent, trang_tien, selling_2014, day="2014-06-01", number="2/QĐ")
    from lanhmanh.people.models import Violation

    Violation.objects.update(created_at=at("2014-06-01"))
    # The outreach tasks made from the sanctions were closed long ago (an open one is activity).
    OutreachTask.objects.update(status="declined", closed_on=dt.date(2014, 7, 1))
    return resident, recent


def test_retention_lists_only_persons_without_counted_violations_or_recent_activity(old_and_recent):
    old, _recent = old_and_recent
    assert [d.person_id for d in retention_due()] == [old.pk]
    # Not yet due while the violation still counted (2015), whatever the inactivity.
    assert retention_due(today=dt.date(2015, 1, 1)) == []
    # An open outreach task is activity: not due.
    OutreachTask.objects.filter(person=old).update(status="open", closed_on=None)
    assert retention_due() == []


def test_retention_period_is_configurable(settings, old_and_recent):
    settings.RETENTION_YEARS = 50
    assert retention_due() == []


def test_retention_wipes_identity_and_indexes_and_keeps_the_numbers(old_and_recent, police):
    old, recent = old_and_recent
    before = {
        code: evaluate(code, "01", "2014", user=police).total
        for code in ("people.sellers_sanctioned", "people.persons_sanctioned", "people.warnings")
    }
    dry = retention_run(dry_run=True)
    assert (len(dry.due), dry.done) == (1, 0)
    assert Person.objects.by_id_number("001190012345").count() == 1

    assert retention_task.enqueue().return_value == 1

    person = Person.objects.get(pk=old.pk)
    assert person.full_name == PSEUDONYMISED_NAME
    assert (person.id_number, person.phone, person.permanent_address, person.birth_date) == ("", "", "", None)
    assert (person.id_number_index, person.name_birth_index, person.name_year_index) == ("", "", "")
    assert (person.link_sgy_index, person.link_gdob_index, person.link_sdob_index) == ("", "", "")
    assert (person.sex, person.birth_year, person.permanent_unit_id) == (
        "female",
        1990,
        old.permanent_unit_id,
    )
    assert Person.objects.by_id_number("001190012345").count() == 0
    assert Person.objects.by_name_birth(NAME, dt.date(1990, 3, 4)).count() == 0
    assert person.violations.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [old.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "001190012345" not in raw
    # The other person is untouched; aggregates are identical.
    assert Person.objects.get(pk=recent.pk).full_name == "Trần Thị Mai"
    after = {code: evaluate(code, "01", "2014", user=police).total for code in before}
    assert after == before
    change = ChangeRecord.objects.get(model="people.person", object_id=str(old.pk), reason="retention")
    assert "Nguyễn" not in str(change.before) + str(change.after)
    # Done once: a second run finds nothing.
    assert retention_run().done == 0


def test_retention_command_and_page(old_and_recent, client_for, dpo, capsys):
    old, _ = old_and_recent
    call_command("retention_run", "--dry-run")
    out = capsys.readouterr().out
    assert pseudonym(old.pk) in out
    assert "1 hồ sơ đến hạn ẩn danh (thời hạn 5 năm); chưa thay đổi gì." in out
    client = client_for(dpo)
    body = client.get(reverse("people:retention")).content.decode()
    assert "Đến hạn ẩn danh: 1 hồ sơ" in body
    assert pseudonym(old.pk) in body
    assert NAME not in body
    call_command("retention_run")
    assert "Đã ẩn danh 1 hồ sơ." in capsys.readouterr().out
    body = client.get(reverse("people:retention")).content.decode()
    assert "Không có hồ sơ nào đến hạn." in body
    assert "Hệ thống (tự động)" in body
