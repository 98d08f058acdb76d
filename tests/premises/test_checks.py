from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lanhmanh.core.periods import parse
from lanhmanh.indicators.evaluation import evaluate
from lanhmanh.premises import services
from lanhmanh.premises.models import HealthCheck, PoliceCheck
from tests.premises.conftest import at

pytestmark = pytest.mark.django_db


def test_a_police_officer_records_a_check_in_three_fields(client_for, police, place):
    client = client_for(police)
    found = client.get(reverse("premises:police_check_create"), {"q": "ánh sao"}).content.decode()
    assert "Karaoke Ánh Sao" in found
    response = client.post(
        reverse("premises:police_check_create"),
        {"establishment": place.pk, "checked_on": "2014-02-03", "result": "ok", "people_checked": "4"},
    )
    assert response.status_code == 302
    check = PoliceCheck.objects.get()
    assert (check.agency.code, check.checked_on, check.people_checked) == (
        "01-002-police",
        dt.date(2014, 2, 3),
        4,
    )


def test_a_check_of_a_place_outside_the_district_names_the_field(client_for, police, place):
    from lanhmanh.org.models import Agency
    from tests.conftest import make_user

    other = make_user("dong_anh_police", Agency.objects.get(code="01-017-police"), "police")
    response = client_for(other).post(
        reverse("premises:police_check_create"),
        {"establishment": place.pk, "checked_on": "2014-02-03", "result": "ok", "people_checked": "0"},
    )
    assert "Không có cơ sở mã này trong địa bàn của anh/chị." in response.content.decode()
    assert not PoliceCheck.objects.exists()


def test_only_police_record_checks(client_for, inspector):
    assert client_for(inspector).get(reverse("premises:police_check_create")).status_code == 404


def test_health_staff_check_a_massage_place_and_enrol_it_in_the_condom_programme(
    client_for, health_worker, massage_place
):
    response = client_for(health_worker).post(
        reverse("premises:health_check_create", args=[massage_place.pk]),
        {
            "checked_on": "2014-05-05",
            "compliant": "on",
            "staff_certified": "3",
            "condoms_supplied": "200",
            "in_condom_programme": "on",
        },
    )
    assert response.status_code == 302
    massage_place.refresh_from_db()
    assert massage_place.in_condom_programme is True
    assert HealthCheck.objects.get().condoms_supplied == 200


def test_a_health_check_of_a_karaoke_bar_is_refused(health_worker, place):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.health_check_record(
            actor=health_worker, establishment=place, checked_on=dt.date(2014, 5, 5), compliant=True
        )
    assert error.value.message_dict == {
        "establishment": ["Chỉ kiểm tra y tế các cơ sở thuộc loại hình xoa bóp, tẩm quất."]
    }


def test_t04_and_t08_are_computed_from_the_records(
    police, inspector, place, massage_place, city_team, team, three_agencies, coordinator
):
    for day in ("2014-02-03", "2014-02-10"):
        services.police_check_record(
            actor=police, establishment=place, checked_on=dt.date.fromisoformat(day), result="ok"
        )
    city = coordinator
    for establishment, who, t in (
        (place, city, city_team),
        (place, city, city_team),
        (massage_place, inspector, team),
    ):
        services.inspection_record(
            actor=who,
            establishment=establishment,
            team=t,
            started_at=at("2014-03-10"),
            agencies=three_agencies,
            leader_name="Trưởng đoàn",
        )
    year = parse("2014")
    assert evaluate("premises.police_checks", "01", year).total.value == 2
    assert (
        evaluate("premises.team178_inspections", "01", year).total.value == 1
    )  # the city team, distinct places
    assert evaluate("premises.inspected_establishments", "01.002", year).total.value == 2
    assert evaluate("premises.establishments", "01.002", year).total.value == 2
    assert evaluate("premises.inspected_share", "01.002", year).total.value == 100


def test_the_police_report_prefills_checks_from_the_records(police, place):
    from lanhmanh.reporting.models import ReportForm
    from lanhmanh.reporting.services import computed_values

    services.police_check_record(
        actor=police, establishment=place, checked_on=dt.date(2014, 2, 3), result="ok"
    )
    form = ReportForm.objects.filter(code="cong-an-thang").first()  # the district police's monthly report
    if form is None:
        from django.core.management import call_command

        call_command("load_report_forms", verbosity=0)
        form = ReportForm.objects.get(code="cong-an-thang")
    assert computed_values(form, "01.002", parse("201402"))["police_checks"] == 1
