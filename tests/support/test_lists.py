"""The caseload and the referral inbox filter, sort and page (issue 17, item 15); names stay behind the
purpose prompt, and only the names on the page shown are read and logged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lanhmanh.core.models import AccessRecord
from lanhmanh.people.models import Person
from lanhmanh.support import services
from tests.support.conftest import OPENED

pytestmark = pytest.mark.django_db

CASELOAD = reverse("support:caseload")
INBOX = reverse("support:referral_inbox")


def ids(body: str, attribute: str) -> list[int]:
    return [int(n) for n in re.findall(rf'data-{attribute}="(\d+)"', body)]


@pytest.fixture
def cases(social_worker, trang_tien, case):
    """The fixture's adult case and 54 more, three of them for trafficking victims."""
    opened = [case]
    for n in range(54):
        person = Person(
            full_name=f"Nguyễn Thị Số {n}", birth_year=1990, sex="female", permanent_unit=trang_tien
        )
        person.save()
        opened.append(
            services.case_open(
                actor=social_worker,
                person=person,
                unit=trang_tien,
                opened_on=OPENED,
                consents=[("counselling", social_worker.agency)],
                **(
                    {
                        "kind": "trafficking",
                        "returned_from": "Trung Quốc",
                        "receiving_agency": social_worker.agency,
                    }
                    if n < 3
                    else {}
                ),
            )
        )
    return opened


def test_the_caseload_comes_in_pages_of_50_and_the_second_page_keeps_the_filter(
    client_for, social_worker, cases
):
    client = client_for(social_worker)
    first = client.get(CASELOAD).content.decode()
    assert len(ids(first, "case")) == 50
    assert "55 dòng, dòng 1–50, trang 1/2." in first
    second = client.get(CASELOAD, {"trang": 2}).content.decode()
    assert len(ids(second, "case")) == 5
    assert not set(ids(first, "case")) & set(ids(second, "case"))


def test_the_caseload_filters_by_kind_and_sorts_by_case_number(client_for, social_worker, cases):
    client = client_for(social_worker)
    body = client.get(CASELOAD, {"kind": "trafficking", "sap-xep": "-so"}).content.decode()
    trafficking = sorted((c.pk for c in cases if c.kind == "trafficking"), reverse=True)
    assert ids(body, "case") == trafficking
    assert 'aria-sort="descending"' in body
    # The sort links keep the filter.
    assert 'href="?kind=trafficking&amp;sap-xep=so"' in body


def test_the_overdue_filter_keeps_only_cases_with_a_follow_up_overdue(client_for, social_worker, cases):
    late, fine = cases[1], cases[2]
    services.follow_up_plan(
        actor=social_worker, case=late, due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    services.follow_up_plan(
        actor=social_worker, case=fine, due_on=timezone.localdate() + dt.timedelta(days=3)
    )
    body = client_for(social_worker).get(CASELOAD, {"overdue": "on"}).content.decode()
    assert ids(body, "case") == [late.pk]


@pytest.mark.parametrize(
    "query",
    [
        {"sap-xep": "ten"},  # by name: never offered (names are hidden and encrypted)
        {"sap-xep": "'; drop table"},
        {"kind": "khong-co"},
        {"trang": "-1"},
        {"trang": "x"},
        {"nv-trang": "999", "nv-sap-xep": "???"},
    ],
)
def test_odd_list_parameters_fall_back_to_the_default_list(client_for, social_worker, cases, query):
    response = client_for(social_worker).get(CASELOAD, query)
    assert response.status_code == 200
    assert len(ids(response.content.decode(), "case")) == 50


def test_only_the_names_on_the_page_shown_are_logged(client_for, social_worker, cases):
    client = client_for(social_worker)
    body = client.get(CASELOAD).content.decode()
    assert "data-person-name" not in body  # names behind the purpose prompt, with or without pages
    assert not AccessRecord.objects.filter(actor=social_worker, model="people.person").exists()
    client.post(CASELOAD, {"purpose": "support", "detail": ""})
    body = client.get(CASELOAD, {"trang": 2}).content.decode()
    assert body.count("data-person-name") == 5
    logged = set(
        AccessRecord.objects.filter(actor=social_worker, model="people.person").values_list(
            "object_id", flat=True
        )
    )
    shown = {str(c.person_id) for c in cases if c.pk in ids(body, "case")}
    assert logged == shown


@pytest.fixture
def referrals(social_worker, trang_tien, school, case):
    sent = []
    for n in range(3):
        person = Person(
            full_name=f"Phạm Thị Số {n}", birth_year=1991, sex="female", permanent_unit=trang_tien
        )
        person.save()
        other = services.case_open(
            actor=social_worker,
            person=person,
            unit=trang_tien,
            opened_on=OPENED,
            consents=[("training", school), ("jobs", school)],
        )
        sent.append(
            services.referral_send(
                actor=social_worker,
                case=other,
                to_agency=school,
                purpose="jobs" if n == 0 else "training",
                due_on=timezone.localdate() + dt.timedelta(days=n + 1),
            )
        )
    return sent


def test_the_referral_inbox_filters_by_purpose_and_status_and_sorts_by_due_date(
    client_for, school_worker, referrals
):
    client = client_for(school_worker)
    body = client.get(INBOX, {"purpose": "training", "sap-xep": "han"}).content.decode()
    assert ids(body, "referral") == [referrals[1].pk, referrals[2].pk]
    body = client.get(INBOX, {"purpose": "training", "sap-xep": "-han"}).content.decode()
    assert ids(body, "referral") == [referrals[2].pk, referrals[1].pk]
    services.referral_respond(actor=school_worker, referral=referrals[0], accept=True)
    body = client.get(INBOX, {"status": "accepted"}).content.decode()
    assert ids(body, "referral") == [referrals[0].pk]
    assert "Xoá bộ lọc" in body


def test_the_referral_inbox_logs_only_the_identities_it_shows(client_for, school_worker, referrals):
    client_for(school_worker).get(INBOX, {"purpose": "jobs"})
    logged = list(
        AccessRecord.objects.filter(actor=school_worker, model="people.person").values_list(
            "object_id", flat=True
        )
    )
    assert logged == [str(referrals[0].case.person_id)]


@pytest.mark.parametrize(
    "query",
    [{"status": "??"}, {"sap-xep": "-x"}, {"purpose": "<script>"}, {"overdue": "false"}, {"trang": "1e9"}],
)
def test_the_referral_inbox_survives_odd_parameters(client_for, school_worker, referrals, query):
    response = client_for(school_worker).get(INBOX, query)
    assert response.status_code == 200
    assert len(ids(response.content.decode(), "referral")) == 3


def test_an_empty_filtered_inbox_says_so_in_vietnamese(client_for, school_worker, referrals):
    body = client_for(school_worker).get(INBOX, {"status": "completed"}).content.decode()
    assert "Không có chuyển gửi nào khớp với bộ lọc." in body
