"""``outreach_tasks_for_sanctions``: the outreach tasks of many sanction decisions in one pass (the Excel
import), with the same rules as the single save: the commune's social-affairs officer and its Women's
Union branch, the city coordinator for residents of other provinces, nobody for buyers."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.core.audit import reason_text
from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.bulk import violations_create
from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation
from lanhmanh.support import services
from lanhmanh.support.models import OutreachTask
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN
from tests.people.conftest import at

pytestmark = pytest.mark.django_db


def person(name: str, *, unit=None, sex: str = "female") -> Person:
    p = Person(full_name=name, sex=sex, birth_year=1990, permanent_unit=unit)
    p.save()
    return p


def decisions(rows) -> list[SanctionDecision]:
    """Violations in Tràng Tiền and their warnings, inserted in bulk (no ``post_save``: no task yet)."""
    place = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    police = Agency.objects.get(unit__path=HOAN_KIEM, kind="police")
    pairs = []
    for index, (who, role) in enumerate(rows):
        act = LegalAct.objects.get(code="167-2013-23-1" if role == "seller" else "167-2013-22-1")
        violation = Violation(
            person=who,
            occurred_at=at("2014-05-10"),
            place_unit=place,
            act=act,
            role=role,
            recording_agency=police,
            recording_officer_name="Test",
        )
        decision = SanctionDecision(
            number=f"{index + 1}/QĐ-XPHC",
            decided_on=dt.date(2014, 5, 12),
            authority=police,
            kind="fine",
            amount=act.fine_min_individual,
            payment_status="unpaid",
        )
        pairs.append((violation, decision))
    violations_create(pairs)
    return [d for _, d in pairs]


def test_many_decisions_make_their_tasks_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    bac = AdministrativeUnit.objects.get(path=HANG_BAC)
    lan = person("Nguyễn Thị Lan", unit=tien)
    hoa = person("Trần Thị Hoa", unit=bac)
    hanh = person("Lê Thị Hạnh")  # lives in another province: no residence in the city on record
    nam = person("Lê Văn Nam", unit=tien, sex="male")
    made = decisions([(lan, "seller"), (hoa, "seller"), (hanh, "seller"), (nam, "buyer"), (lan, "seller")])
    # Fresh objects, as a caller holding only the decisions would have them.
    fresh = list(SanctionDecision.objects.filter(pk__in=[d.pk for d in made]).order_by("pk"))
    with django_assert_max_num_queries(10):
        tasks = services.outreach_tasks_for_sanctions(fresh)

    got = sorted(
        OutreachTask.objects.values_list(
            "source_sanction__number", "person__pk", "unit__path", "agency__code"
        )
    )
    assert got == [
        ("1/QĐ-XPHC", lan.pk, TRANG_TIEN, "01-002-00079-social"),
        ("1/QĐ-XPHC", lan.pk, TRANG_TIEN, "01-002-00079-womens-union"),
        ("2/QĐ-XPHC", hoa.pk, HANG_BAC, "01-002-00061-social"),
        ("2/QĐ-XPHC", hoa.pk, HANG_BAC, "01-002-00061-womens-union"),
        ("3/QĐ-XPHC", hanh.pk, "01", "01-dolisa-pctnxh"),
        ("5/QĐ-XPHC", lan.pk, TRANG_TIEN, "01-002-00079-social"),
        ("5/QĐ-XPHC", lan.pk, TRANG_TIEN, "01-002-00079-womens-union"),
    ]
    assert len(tasks) == 7
    assert {(t.source, t.status, t.due_on, t.worker_id) for t in OutreachTask.objects.all()} == {
        ("sanction", "open", dt.date(2014, 5, 26), None)
    }
    audit = ChangeRecord.objects.filter(model="support.outreachtask", action="create")
    assert sorted(audit.values_list("object_id", flat=True)) == sorted(str(t.pk) for t in tasks)
    # The reason is stored as a code (language-neutral) and shown translated.
    assert set(audit.values_list("actor", "reason")) == {(None, "@support.from-sanction")}
    assert reason_text("@support.from-sanction") == "Tự động tạo từ quyết định xử phạt"

    # Idempotent: a second pass makes nothing.
    assert services.outreach_tasks_for_sanctions(fresh) == []
    assert OutreachTask.objects.count() == 7


def test_nothing_for_buyers_and_nothing_for_an_empty_list():
    nam = person("Lê Văn Nam", unit=AdministrativeUnit.objects.get(path=TRANG_TIEN), sex="male")
    assert services.outreach_tasks_for_sanctions(decisions([(nam, "buyer")])) == []
    assert services.outreach_tasks_for_sanctions([]) == []
    assert OutreachTask.objects.count() == 0
