"""The factories make valid rows through the apps' services: each one audited, in the right scope."""

from __future__ import annotations

import pytest

from lanhmanh.core.models import ChangeRecord
from lanhmanh.org.models import Role
from lanhmanh.people.models import Person
from tests.conftest import HOAN_KIEM, TRANG_TIEN
from tests.factories import (
    AgencyFactory,
    EstablishmentFactory,
    HotspotFactory,
    InspectionFactory,
    PersonFactory,
    ReportFactory,
    SupportCaseFactory,
    UnitFactory,
    UserFactory,
    ViolationFactory,
)

pytestmark = pytest.mark.django_db


def created(instance) -> bool:
    return ChangeRecord.objects.filter(
        model=instance._meta.label_lower, object_id=str(instance.pk), action="create"
    ).exists()


def test_a_user_gets_its_agency_unit_and_roles():
    user = UserFactory(agency=AgencyFactory(unit=UnitFactory(path=HOAN_KIEM)), roles=["police"])
    assert user.agency.unit.path == HOAN_KIEM
    assert list(user.roles.values_list("code", flat=True)) == ["police"]
    assert user.check_password("mat-khau-thu-nghiem-2014")
    assert Role.objects.filter(code="police").exists()


def test_two_people_are_two_rows_with_their_indexes():
    first, second = PersonFactory(), PersonFactory()
    assert first.full_name != second.full_name
    assert Person._base_manager.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert first.permanent_unit.path == TRANG_TIEN


def test_the_record_factories_go_through_the_services_and_are_audited():
    violation = ViolationFactory()
    case = SupportCaseFactory(person=violation.person)
    inspection = InspectionFactory()
    hotspot = HotspotFactory()
    report = ReportFactory()
    for instance in (violation, case, inspection, inspection.establishment, hotspot, report):
        assert created(instance), instance
    assert violation.recording_agency.code == "01-002-police"
    assert case.consents.active().count() == 1
    assert report.status == "draft" and report.period_id == "201410"
    assert EstablishmentFactory().name != inspection.establishment.name
