"""factory_boy factories for the main models, built through the apps' own services where there is one
(``_create`` calls it, so every invariant, index and audit row holds as in the application).

Units and the shipped reference rows (agencies seeded per test database, legal acts, hotspot and
establishment kinds, report forms) are looked up, not invented: ``UnitFactory(path=...)`` returns the
2014 unit at that path. Everything else is new per call::

    worker = UserFactory(agency=AgencyFactory(kind="womens-union"), roles=["social-worker"])
    case = SupportCaseFactory(actor=worker)
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from lanhmanh.enforcement.models import Hotspot, HotspotKind, HotspotStatus
from lanhmanh.enforcement.services import hotspot_create
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
from lanhmanh.people.models import EventRole, LegalAct, Person, Violation
from lanhmanh.people.services import violation_record
from lanhmanh.premises.models import Establishment, EstablishmentKind, Inspection
from lanhmanh.premises.services import establishment_create, inspection_record
from lanhmanh.reporting.models import ReportForm, Submission
from lanhmanh.reporting.services import report_forms_load, submission_open
from lanhmanh.support.models import SupportCase
from lanhmanh.support.services import case_open
from tests.conftest import HOAN_KIEM, PASSWORD, TRANG_TIEN


def _at(day: dt.date, hour: int = 21) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class UnitFactory(DjangoModelFactory):
    """An administrative unit of the 2014 map (loaded once per test database): looked up by ``path``."""

    class Meta:
        model = AdministrativeUnit

    path = TRANG_TIEN

    @classmethod
    def _create(cls, model_class, path, **kwargs):
        return model_class.objects.get(path=path, **kwargs)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"tn-agency-{n}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    kind = "commune-social"
    unit = factory.SubFactory(UnitFactory)


class UserFactory(DjangoModelFactory):
    """A user with a usable password (``tests.conftest.PASSWORD``) and ``roles`` (role codes)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"can-bo-{n}")
    first_name = factory.Sequence(lambda n: f"Cán bộ {n}")
    agency = factory.SubFactory(AgencyFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return model_class.objects.create_user(password=PASSWORD, **kwargs)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))


def police_officer() -> User:
    """A police officer of Hoàn Kiếm (records violations in Tràng Tiền)."""
    return UserFactory(agency=Agency.objects.get(code="01-002-police"), roles=["police"])


def social_worker() -> User:
    """A Women's Union worker of Tràng Tiền (opens support cases there)."""
    return UserFactory(
        agency=Agency.objects.get(unit__path=TRANG_TIEN, kind="womens-union"), roles=["social-worker"]
    )


def inspector() -> User:
    """An inspector of Hoàn Kiếm's Team 178."""
    return UserFactory(agency=Agency.objects.get(code="01-002-team-178"), roles=["inspector"])


class PersonFactory(DjangoModelFactory):
    """An adult woman living in Tràng Tiền (saved by ``Person.save``: indexes and encryption)."""

    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Nguyễn Thị Thử {n}")
    birth_date = dt.date(1990, 3, 4)
    birth_year = factory.LazyAttribute(lambda o: o.birth_date.year if o.birth_date else None)
    sex = "female"
    permanent_unit = factory.SubFactory(UnitFactory)

    @classmethod
    def _create(cls, model_class, **kwargs):
        person = model_class(**kwargs)
        person.save()
        return person


class ViolationFactory(DjangoModelFactory):
    """A violation of selling sex (Decree 167/2013, art. 23.1) in Tràng Tiền, recorded by Hoàn Kiếm police."""

    class Meta:
        model = Violation

    actor = factory.LazyFunction(police_officer)
    person = factory.SubFactory(PersonFactory)
    occurred_at = factory.LazyFunction(lambda: _at(dt.date(2014, 6, 10)))
    place_unit = factory.SubFactory(UnitFactory)
    act = factory.LazyFunction(lambda: LegalAct.objects.get(code="167-2013-23-1"))
    role = EventRole.SELLER

    @classmethod
    def _create(cls, model_class, **kwargs):
        return violation_record(**kwargs)


class SupportCaseFactory(DjangoModelFactory):
    """An adult's case opened in Tràng Tiền by its Women's Union, with consent to counselling."""

    class Meta:
        model = SupportCase

    actor = factory.LazyFunction(social_worker)
    person = factory.SubFactory(PersonFactory)
    unit = factory.SubFactory(UnitFactory)
    opened_on = dt.date(2014, 6, 2)
    consents = factory.LazyAttribute(lambda o: [("counselling", o.actor.agency)])

    @classmethod
    def _create(cls, model_class, **kwargs):
        return case_open(**kwargs)


class EstablishmentFactory(DjangoModelFactory):
    """A karaoke bar in Tràng Tiền run by a company, registered by a Team 178 inspector."""

    class Meta:
        model = Establishment

    actor = factory.LazyFunction(inspector)
    kind = factory.LazyFunction(lambda: EstablishmentKind.objects.get(code="karaoke"))
    name = factory.Sequence(lambda n: f"Karaoke Thử Nghiệm {n}")
    address = factory.Sequence(lambda n: f"{n + 1} phố Tràng Tiền")
    unit = factory.SubFactory(UnitFactory)
    owner_type = "organisation"
    organisation_name = factory.Sequence(lambda n: f"Công ty TNHH Thử Nghiệm {n}")
    opened_on = dt.date(2010, 5, 1)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return establishment_create(**kwargs)


class InspectionFactory(DjangoModelFactory):
    """An inspection by Hoàn Kiếm's Team 178 with the police, labour and culture agencies."""

    class Meta:
        model = Inspection

    actor = factory.LazyFunction(inspector)
    establishment = factory.SubFactory(EstablishmentFactory)
    team = factory.LazyFunction(lambda: Agency.objects.get(code="01-002-team-178"))
    started_at = factory.LazyFunction(lambda: _at(dt.date(2014, 3, 10), 20))
    agencies = factory.LazyFunction(
        lambda: list(Agency.objects.filter(code__in=["01-002-police", "01-002-labour", "01-culture"]))
    )
    leader_name = "Nguyễn Văn Trưởng"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return inspection_record(**kwargs)


class HotspotFactory(DjangoModelFactory):
    """An active street hotspot in Tràng Tiền, followed by Hoàn Kiếm police."""

    class Meta:
        model = Hotspot

    actor = None
    name = factory.Sequence(lambda n: f"Tụ điểm thử nghiệm {n}")
    kind = factory.LazyFunction(lambda: HotspotKind.objects.get(code="street"))
    unit = factory.SubFactory(UnitFactory)
    address = factory.LazyAttribute(lambda o: f"{o.name}, đoạn gần Nhà hát Lớn")
    first_found_on = dt.date(2013, 5, 1)
    police_agency = factory.LazyFunction(lambda: Agency.objects.get(unit__path=HOAN_KIEM, kind="police"))
    status = HotspotStatus.ACTIVE

    @classmethod
    def _create(cls, model_class, **kwargs):
        return hotspot_create(**kwargs)


class ReportFactory(DjangoModelFactory):
    """A periodic report (``Submission``) opened as a draft: Tràng Tiền's monthly report for October 2014.
    The shipped report forms are loaded first (idempotent)."""

    class Meta:
        model = Submission

    actor = factory.LazyFunction(
        lambda: UserFactory(
            agency=Agency.objects.get(unit__path=TRANG_TIEN, kind="commune-social"), roles=["commune-officer"]
        )
    )
    form_code = "xa-thang"
    period_id = "201410"
    today = dt.date(2014, 11, 3)

    @classmethod
    def _create(cls, model_class, form_code, **kwargs):
        report_forms_load()
        return submission_open(form=ReportForm.objects.get(code=form_code), **kwargs)
