"""The scoping kernel: data classes from roles AND jurisdiction over the unit tree, checked on a real model.

``tests.testapp.Dossier`` stands for any record of personal data: it names a data class and two
units (where the person lives, which unit handles the case). A user sees it when the user's roles
grant its data class and either unit lies in the user's subtree.
"""

import datetime as dt

import pytest
from django.http import Http404

from lanhmanh.core.scoping import DataClass, get_visible_or_404, in_subtree, path_q, visible
from lanhmanh.org.models import AdministrativeUnit, UnitKind
from tests.testapp.models import Dossier

pytestmark = pytest.mark.django_db

VIA = ("residence_unit", "handling_unit")


@pytest.fixture
def dossiers(db):
    """Eight records spread over Hoàn Kiếm, Đông Anh and a 2025 ward whose code starts with 002."""
    units = {u.path: u for u in AdministrativeUnit.objects.filter(path__in=_PATHS)}
    hanoi = units["01"]
    units["01.00226"] = AdministrativeUnit.objects.create(
        code="00226",
        name="Kim Liên",
        kind=UnitKind.WARD,
        level=3,
        parent=hanoi,
        path="01.00226",
        valid_from=dt.date(2025, 7, 1),
    )
    specs = [
        ("identity-trang-tien", DataClass.IDENTITY, "01.002.00079", None),
        ("support-handled-in-hang-bac", DataClass.SUPPORT, "01.017.00454", "01.002.00061"),
        ("enforcement-dong-anh", DataClass.ENFORCEMENT, "01.017.00454", "01.017"),
        ("identity-kim-lien-2025", DataClass.IDENTITY, "01.00226", None),
        ("health-trang-tien", DataClass.HEALTH, "01.002.00079", None),
        ("child-hang-bac", DataClass.CHILD, "01.002.00061", None),
        ("establishment-hang-bac", DataClass.ESTABLISHMENT, None, "01.002.00061"),
        ("identity-without-unit", DataClass.IDENTITY, None, None),
    ]
    return {
        name: Dossier.objects.create(
            name=name,
            data_class=data_class,
            residence_unit=units.get(residence),
            handling_unit=units.get(handling),
        )
        for name, data_class, residence, handling in specs
    }


_PATHS = ["01", "01.002.00079", "01.002.00061", "01.017", "01.017.00454"]


def visible_names(user) -> set[str]:
    """Everything the user may see, asking class by class as a list page would."""
    names: set[str] = set()
    for data_class in DataClass.values:
        records = Dossier.objects.filter(data_class=data_class)
        names.update(visible(records, user, data_classes=data_class, via=VIA).values_list("name", flat=True))
    return names


CITY_WIDE_SOCIAL = {
    "identity-trang-tien",
    "support-handled-in-hang-bac",
    "enforcement-dong-anh",
    "identity-kim-lien-2025",
    "child-hang-bac",
    "establishment-hang-bac",
}

EXPECTED = {
    "coordinator": CITY_WIDE_SOCIAL,
    # Hoàn Kiếm (01.002): not Đông Anh, and not the 2025 ward 01.00226 although its path starts with "01.002".
    "district_officer": {
        "identity-trang-tien",
        "support-handled-in-hang-bac",
        "child-hang-bac",
        "establishment-hang-bac",
    },
    "other_district_officer": {"support-handled-in-hang-bac", "enforcement-dong-anh"},
    "commune_officer": {"identity-trang-tien"},
    # Commune officers read their commune's establishments (premises: commune Team 178 and licences).
    "other_commune_officer": {"support-handled-in-hang-bac", "establishment-hang-bac"},
    "police": {"identity-trang-tien", "establishment-hang-bac"},
    "inspector": {"identity-trang-tien", "establishment-hang-bac"},
    "social_worker": {"identity-trang-tien"},
    "health_worker": {
        "identity-trang-tien",
        "identity-kim-lien-2025",
        "health-trang-tien",
        "establishment-hang-bac",
    },
    "court_clerk": {"identity-trang-tien", "enforcement-dong-anh", "identity-kim-lien-2025"},
    "licensing": {"establishment-hang-bac"},
    "dpo": set(),
    "sysadmin": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_its_classes_in_its_subtree(persona, request, dossiers):
    user = request.getfixturevalue(persona)
    assert visible_names(user) == EXPECTED[persona]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_get_visible_or_404_agrees_with_visible(persona, request, dossiers):
    user = request.getfixturevalue(persona)
    for name, dossier in dossiers.items():
        if name in EXPECTED[persona]:
            found = get_visible_or_404(
                Dossier.objects.all(), user, data_classes=dossier.data_class, via=VIA, pk=dossier.pk
            )
            assert found == dossier
        else:
            with pytest.raises(Http404):
                get_visible_or_404(
                    Dossier.objects.all(), user, data_classes=dossier.data_class, via=VIA, pk=dossier.pk
                )


def test_a_record_in_reach_through_either_unit_is_visible(district_officer, dossiers):
    by_residence = dossiers["identity-trang-tien"]
    by_handling = dossiers["support-handled-in-hang-bac"]
    assert by_handling.residence_unit.path == "01.017.00454"  # lives outside Hoàn Kiếm
    for dossier in (by_residence, by_handling):
        assert (
            get_visible_or_404(
                Dossier.objects.all(),
                district_officer,
                data_classes=dossier.data_class,
                via=VIA,
                pk=dossier.pk,
            )
            == dossier
        )
    # Through the residence alone, the case handled in Hàng Bạc is out of reach.
    with pytest.raises(Http404):
        get_visible_or_404(
            Dossier.objects.all(),
            district_officer,
            data_classes=DataClass.SUPPORT,
            via="residence_unit",
            pk=by_handling.pk,
        )


def test_an_outsider_and_the_sysadmin_get_404(other_district_officer, sysadmin, dossiers):
    dossier = dossiers["identity-trang-tien"]
    for user in (other_district_officer, sysadmin):
        with pytest.raises(Http404):
            get_visible_or_404(
                Dossier.objects.all(), user, data_classes=DataClass.IDENTITY, via=VIA, pk=dossier.pk
            )


def test_missing_and_malformed_keys_give_404_like_refusals(coordinator, dossiers):
    for pk in (10**9, "not-a-number"):
        with pytest.raises(Http404):
            get_visible_or_404(
                Dossier.objects.all(), coordinator, data_classes=DataClass.IDENTITY, via=VIA, pk=pk
            )


def test_a_record_needing_two_classes_needs_both(commune_officer, district_officer, dossiers):
    child = Dossier.objects.filter(name="child-hang-bac")
    classes = {DataClass.IDENTITY, DataClass.CHILD}
    assert list(visible(child, district_officer, data_classes=classes, via=VIA)) == [
        dossiers["child-hang-bac"]
    ]
    assert list(visible(child, commune_officer, data_classes=classes, via=VIA)) == []


def test_the_prefix_query_stops_at_a_dot(district_officer, dossiers):
    kim_lien = dossiers["identity-kim-lien-2025"]
    assert kim_lien.residence_unit.path.startswith("01.002")
    assert not in_subtree("01.00226", "01.002")
    assert in_subtree("01.002.00079", "01.002")
    assert in_subtree("01.002", "01.002")
    assert set(AdministrativeUnit.objects.filter(path_q("01.002")).values_list("path", flat=True)) >= {
        "01.002",
        "01.002.00079",
    }
    assert not AdministrativeUnit.objects.filter(path_q("01.002"), path="01.00226").exists()
    assert not AdministrativeUnit.objects.filter(path_q("01.0022")).exists()
    with pytest.raises(Http404):
        get_visible_or_404(
            Dossier.objects.all(), district_officer, data_classes=DataClass.IDENTITY, via=VIA, pk=kim_lien.pk
        )


def test_via_may_be_a_generator(district_officer, dossiers):
    records = Dossier.objects.filter(data_class=DataClass.SUPPORT)
    lookups = (field for field in VIA)
    assert list(visible(records, district_officer, data_classes=DataClass.SUPPORT, via=lookups)) == [
        dossiers["support-handled-in-hang-bac"]
    ]


def test_forgotten_arguments_never_widen_the_result(coordinator, dossiers):
    records = Dossier.objects.all()
    assert list(visible(records, coordinator, data_classes=DataClass.IDENTITY, via=())) == []
    assert list(visible(records, coordinator, data_classes=(), via=VIA)) == []


def test_visible_is_one_query(district_officer, dossiers, django_assert_num_queries):
    # The user's roles and unit are read once per request; after that a list is a single query.
    assert district_officer.data_classes and district_officer.jurisdiction_path == "01.002"
    records = Dossier.objects.filter(data_class=DataClass.IDENTITY).select_related("residence_unit")
    with django_assert_num_queries(1):
        found = list(visible(records, district_officer, data_classes=DataClass.IDENTITY, via=VIA))
        paths = [d.residence_unit.path for d in found]
    assert paths == ["01.002.00079"]
