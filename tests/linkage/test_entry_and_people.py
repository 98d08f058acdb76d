"""At entry: likely matches from the blocking keys scored in Python; merged persons in the registry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lanhmanh.linkage import engine, entry, services
from lanhmanh.linkage.models import Merge
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.people import selectors as people_selectors
from lanhmanh.people import services as people_services
from lanhmanh.people.models import LegalAct, Person, Violation
from tests.conftest import TRANG_TIEN

pytestmark = pytest.mark.django_db


def person(name, birth, id_number="", unit=TRANG_TIEN, sex="female") -> Person:
    born = dt.date.fromisoformat(birth) if len(birth) == 10 else None
    p = Person(
        full_name=name,
        birth_date=born,
        birth_year=born.year if born else int(birth),
        sex=sex,
        id_number=id_number,
        permanent_unit=AdministrativeUnit.objects.get(path=unit),
    )
    p.save()
    return p


def record(actor, who: Person, day: str, number: str) -> Violation:
    return people_services.violation_record(
        actor=actor,
        person=who,
        occurred_at=timezone.make_aware(dt.datetime.fromisoformat(f"{day}T21:00")),
        place_unit=AdministrativeUnit.objects.get(path=TRANG_TIEN),
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role="seller",
        sanction={"number": number, "decided_on": dt.date.fromisoformat(day), "kind": "warning"},
    )


def test_blocking_keys_are_stored_and_survive_spelling_variants(db):
    a = person("Nguyễn Thị Hòa", "1990-03-12")
    b = person("NGUYEN HOA", "1990")
    c = person("Nguyen Thi Hoaf", "1990-03-12")
    assert len(a.link_sgy_index) == 64
    assert a.link_sgy_index == b.link_sgy_index  # Thị left out, no diacritics, year only
    assert b.link_gdob_index == ""  # no birth date: no date keys
    assert a.link_sdob_index == c.link_sdob_index  # a typo in the given name
    assert a.link_sgy_index != c.link_sgy_index


def test_likely_matches_finds_variants_scoped_to_the_user(district_officer, other_district_officer):
    hoa = person("Nguyễn Thị Hòa", "1990-03-12", "001190012345")
    person("Nguyễn Thị Hòa", "1971-05-05")  # same name, another person
    typed = {"full_name": "Nguyen Hoa", "birth_date": dt.date(1990, 12, 3), "sex": "female"}
    found = services.likely_matches(district_officer, typed)
    assert [m.person for m in found] == [hoa]
    assert found[0].fields[1].level == "ngày và tháng đảo chỗ"
    assert {f.label for f in found[0].agreeing} == {"Họ và tên", "Ngày sinh", "Giới tính"}
    assert services.likely_matches(other_district_officer, typed) == []
    assert services.likely_matches(district_officer, {"full_name": "", "birth_year": 1990}) == []


def test_python_scorer_gives_the_engine_match_weights(db):
    rows = {
        "id": ["1", "2", "3", "4"],
        "full_name": ["Nguyễn Thị Hòa", "NGUYEN HOA", "Trần Thị Mai", "Tran Thi Mai"],
        "birth_date": ["12/03/1990", "03/12/1990", "1985-06-07", "1985"],
        "id_number": ["001190012345", "", "", ""],
        "sex": ["female", "female", "female", ""],
        "residence_unit": [TRANG_TIEN, "01.002.00046", TRANG_TIEN, TRANG_TIEN],
        "hometown_unit": ["", "", "36.003.00100", "36.003.00100"],
    }
    model = engine.build_model(engine.prepare(rows))
    pairs = {(p.left, p.right): p for p in model.pairs(model.predict(threshold=0.0), threshold=0.0)}
    model.close()
    scorer = entry.default_scorer()

    def feats(i):
        born, year, _ = engine.parse_birth(rows["birth_date"][i])
        return entry.features(
            full_name=rows["full_name"][i],
            birth_date=born,
            birth_year=year,
            id_number=rows["id_number"][i],
            sex=rows["sex"][i],
            residence_unit=rows["residence_unit"][i],
            hometown_unit=rows["hometown_unit"][i],
        )

    for left, right in (("1", "2"), ("3", "4")):
        pair = pairs.get((left, right)) or pairs[(right, left)]
        _, weight, fields = scorer.score(feats(int(left) - 1), feats(int(right) - 1))
        assert [f.level for f in fields] == [f.level for f in pair.fields]
        assert [round(f.weight, 6) for f in fields] == [round(f.weight, 6) for f in pair.fields]
        assert weight == pytest.approx(pair.match_weight, abs=1e-6)


def test_suggestions_show_likely_matches_within_reach(client_for, district_officer, other_district_officer):
    hoa = person("Nguyễn Thị Hòa", "1990-03-12")
    query = {"full_name": "Nguyen Hoa", "birth_date": "1990-03-12", "birth_year": "1990", "sex": "female"}
    body = client_for(district_officer).get(reverse("people:person_suggest"), query).content.decode()
    assert f"Hồ sơ #{hoa.pk}" in body
    assert "Khả năng trùng" in body
    body = client_for(other_district_officer).get(reverse("people:person_suggest"), query).content.decode()
    assert f"Hồ sơ #{hoa.pk}" not in body


def open_person(client, pk: int):
    url = reverse("people:person_detail", args=[pk])
    response = client.get(url)
    if response.status_code == 200 and b'name="purpose"' in response.content:
        client.post(url, {"purpose": "sanction", "detail": ""})
        response = client.get(url)
    return response


def test_merged_person_redirects_leaves_search_and_unmerge_restores_both(client_for, police):
    first = person("Nguyễn Thị Đào", "1990-03-04", "001190012345")
    second = person("NGUYEN THI DAO", "1990-03-04", "001190012345")
    early = record(police, first, "2014-03-01", "1/QĐ")
    later = record(police, second, "2014-05-01", "2/QĐ")
    assert (early.repeat_of_id, later.repeat_of_id) == (None, None)
    client = client_for(police)

    merge = services.merge_persons(actor=police, survivor=first, merged=second)
    response = client.get(reverse("people:person_detail", args=[second.pk]))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("people:person_detail", args=[first.pk]),
    )
    body = open_person(client, first.pk).content.decode()
    assert "Toàn bộ lịch sử: 2 lần vi phạm." in body and "Tái phạm: 1 lần." in body
    assert "1/QĐ" in body and "2/QĐ" in body
    later.refresh_from_db()
    assert (later.person_id, later.repeat_of_id) == (first.pk, early.pk)  # counting rules recomputed
    counted = people_selectors.counted_violations(police, first)
    assert [row.violation.pk for row in counted if row.is_repeat] == [later.pk]
    assert list(people_selectors.persons_search(police, id_number="001190012345")) == [first]

    services.merge_undo(actor=police, merge=merge)
    assert Merge.objects.get().undone_at is not None
    later.refresh_from_db()
    assert (later.person_id, later.repeat_of_id) == (second.pk, None)
    for who, number in ((first, "1/QĐ"), (second, "2/QĐ")):
        body = open_person(client, who.pk).content.decode()
        assert "Toàn bộ lịch sử: 1 lần vi phạm." in body and "Tái phạm: 0 lần." in body
        assert number in body
    assert set(people_selectors.persons_search(police, id_number="001190012345")) == {first, second}


def test_merged_person_of_another_district_is_not_found(client_for, police, other_district_officer):
    first = person("Nguyễn Thị Đào", "1990-03-04")
    second = person("NGUYEN THI DAO", "1990-03-04")
    services.merge_persons(actor=police, survivor=first, merged=second)
    client = client_for(other_district_officer)
    assert client.get(reverse("people:person_detail", args=[second.pk])).status_code == 404
