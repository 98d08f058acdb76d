"""Review by cluster (issue #19): candidate clusters, split and confirm in one act, transitive settling,
bad input refused with nothing saved, undo, purpose-logged reads, and decisions that re-estimate the model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.linkage import selectors, services
from lanhmanh.linkage.models import CandidatePair, Merge, ModelVersion, PairDecision, PairStatus, Review
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.people.models import EventRole, LegalAct, Person, Violation
from tests.conftest import DONG_ANH, TRANG_TIEN

pytestmark = pytest.mark.django_db

# The levels of the shipped model a strong and a weaker candidate pair fall in.
STRONG = [
    {"field": "Họ và tên", "level": "trùng họ tên", "weight": 5.0},
    {"field": "Ngày sinh", "level": "trùng ngày sinh", "weight": 8.0},
    {"field": "Nơi ở", "level": "cùng xã/phường", "weight": 4.0},
]
WEAK = [
    {"field": "Họ và tên", "level": "trùng khi bỏ “Thị”/“Văn” hoặc họ viết khác", "weight": 3.0},
    {"field": "Ngày sinh", "level": "chỉ biết năm sinh, trùng năm", "weight": 2.0},
    {"field": "Nơi ở", "level": "cùng xã/phường", "weight": 4.0},
]


def person(name: str, year: int = 1990, unit_path: str = TRANG_TIEN) -> Person:
    p = Person(
        full_name=name,
        birth_date=dt.date(year, 3, 4),
        birth_year=year,
        sex="female",
        permanent_unit=AdministrativeUnit.objects.filter(path=unit_path).first()
        or AdministrativeUnit.objects.filter(path__startswith=unit_path + ".").first(),
    )
    p.save()
    return p


def violation(of: Person, place: str = TRANG_TIEN) -> Violation:
    return Violation.objects.create(
        person=of,
        occurred_at=timezone.make_aware(dt.datetime(2014, 5, 1, 21)),
        place_unit=AdministrativeUnit.objects.get(path=place),
        act=LegalAct.objects.get(code="167-2013-23-1"),
        role=EventRole.SELLER,
        recording_agency=Agency.objects.filter(unit__path__startswith="01.002").first(),
    )


def pair(a: Person, b: Person, probability: float, explanation=None) -> CandidatePair:
    a, b = sorted((a, b), key=lambda p: p.pk)
    import math

    return CandidatePair.objects.create(
        person_a=a,
        person_b=b,
        match_probability=probability,
        match_weight=math.log2(probability / (1 - probability)),
        explanation=explanation or (STRONG if probability >= 0.9 else WEAK),
    )


@pytest.fixture
def trio(db):
    """Three records the model would join (one weak link) and a separate pair."""
    a, b, c = person("Nguyễn Thị Đào"), person("Nguyen Thi Dao"), person("Nguyễn Đào")
    d, e = person("Lê Văn Tám", 1970), person("Le Van Tam", 1970)
    violation(c)
    return (a, b, c, d, e), (pair(a, b, 0.97), pair(b, c, 0.85), pair(d, e, 0.6 + 0.3))


def test_candidate_clusters_with_weak_links_ordered_by_value(trio, district_officer):
    (a, b, c, d, e), (ab, bc, de) = trio
    clusters = selectors.review_clusters(district_officer)
    assert [cl.members for cl in clusters] == [[a.pk, b.pk, c.pk], [d.pk, e.pk]]
    first = clusters[0]
    assert first.anchor == ab.pk and first.size == 3 and first.weak_links == 1
    assert [link.weak for link in first.links] == [True, False]  # weakest first
    assert first.value > clusters[1].value
    assert first.districts == {"01.002"} and first.in_jurisdiction


def test_jurisdiction_first_then_value_and_district_filter(trio, district_officer):
    (_a, _b, _c, d, e), _pairs = trio
    # A bigger cluster of women living in Đông Anh, seen by Hoàn Kiếm through violations there.
    far = [person(f"Phạm Thị Hoa {i}", 1980, DONG_ANH) for i in range(4)]
    for p in far:
        violation(p)
    for x, y in zip(far, far[1:], strict=False):
        pair(x, y, 0.85)
    clusters = selectors.review_clusters(district_officer)
    assert [cl.in_jurisdiction for cl in clusters] == [True, True, False]
    assert clusters[-1].value > clusters[0].value  # worth more, but outside the reviewer's jurisdiction
    only = selectors.review_clusters(district_officer, district=DONG_ANH)
    assert [cl.members for cl in only] == [sorted(p.pk for p in far)]


def test_split_one_off_and_confirm_the_rest_in_one_act(trio, district_officer):
    (a, b, c, _d, _e), (ab, bc, _de) = trio
    cluster = selectors.cluster_get(district_officer, ab.pk)
    review = services.cluster_decide(
        actor=district_officer, cluster=cluster, groups={a.pk: "1", b.pk: "1", c.pk: "2"}, seen=cluster.seen
    )
    ab.refresh_from_db(), bc.refresh_from_db()
    assert (ab.status, bc.status) == (PairStatus.SAME, PairStatus.DIFFERENT)
    assert Merge.objects.get(review=review).merged == b
    assert selectors.resolve_person_id(b.pk) == a.pk
    assert [cl.members for cl in selectors.review_clusters(district_officer)] != [[a.pk, b.pk, c.pk]]
    assert all(c.pk not in cl.members for cl in selectors.review_clusters(district_officer))
    assert ChangeRecord.objects.filter(model="linkage.review", object_id=str(review.pk)).exists()
    assert PairDecision.objects.filter(review=review).count() == 2


def test_pairs_settled_transitively_never_appear(db, district_officer):
    a, b, c, x = person("Trần Thị Mai"), person("Tran Thi Mai"), person("Trần Mai"), person("Tran T Mai")
    ab, ac, bc = pair(a, b, 0.9), pair(a, c, 0.9), pair(b, c, 0.85)
    cx, bx = pair(c, x, 0.85), pair(b, x, 0.85)
    services.pair_decide(actor=district_officer, pair=ab, decision=PairStatus.SAME)
    services.pair_decide(actor=district_officer, pair=ac, decision=PairStatus.SAME)
    services.pair_decide(actor=district_officer, pair=cx, decision=PairStatus.DIFFERENT)
    shown = {link.pair.pk for cl in selectors.review_clusters(district_officer) for link in cl.links}
    # b–c: both are now a; b–x: a and x were decided different through c.
    assert bc.pk not in shown and bx.pk not in shown
    assert shown == set()


def test_a_pair_another_reviewer_just_decided_is_refused_with_nothing_saved(
    trio, district_officer, commune_officer
):
    (a, b, c, _d, _e), (ab, bc, _de) = trio
    cluster = selectors.cluster_get(district_officer, ab.pk)  # the page as the first reviewer saw it
    services.pair_decide(actor=commune_officer, pair=bc, decision=PairStatus.DIFFERENT)
    with pytest.raises(ValidationError) as refused:
        services.cluster_decide(
            actor=district_officer,
            cluster=cluster,
            groups={a.pk: "1", b.pk: "1", c.pk: "1"},
            seen=cluster.seen,
        )
    message = " ".join(refused.value.messages)
    assert f"Cặp hồ sơ #{bc.pk} vừa được {commune_officer}" in message and "Hai người khác nhau" in message
    assert "Không có gì được ghi" in message
    assert (Review.objects.count(), Merge.objects.count(), PairDecision.objects.count()) == (0, 0, 1)


def test_a_record_put_in_two_persons_is_refused(trio, district_officer, client_for):
    (a, b, c, _d, _e), (ab, _bc, _de) = trio
    client = client_for(district_officer)
    client.post(f"/ho-so-trung/cum/{ab.pk}/", {"purpose": "linkage", "detail": ""})
    seen = selectors.cluster_get(district_officer, ab.pk).seen
    response = client.post(
        f"/ho-so-trung/cum/{ab.pk}/",
        {
            "seen": seen,
            "action": "same",
            f"group_{a.pk}": "1",
            f"group_{b.pk}": ["1", "2"],
            f"group_{c.pk}": "2",
        },
    )
    assert response.status_code == 200
    assert f"Hồ sơ #{b.pk} được xếp vào 2 người khác nhau" in response.content.decode()
    assert (Review.objects.count(), Merge.objects.count(), PairDecision.objects.count()) == (0, 0, 0)


def test_contradicting_labels_are_refused(db, district_officer):
    a, b, c = person("Đỗ Thị Hằng"), person("Do Thi Hang"), person("Đỗ Hằng")
    ab, bc, ac = pair(a, b, 0.9), pair(b, c, 0.9), pair(a, c, 0.85)
    services.pair_decide(actor=district_officer, pair=ac, decision=PairStatus.DIFFERENT)  # A ≠ C
    cluster = selectors.cluster_get(district_officer, ab.pk)
    assert cluster.members == [a.pk, b.pk, c.pk]
    assert selectors.cluster_apart(cluster) == [(a.pk, c.pk, ac.pk)]
    with pytest.raises(ValidationError) as refused:  # A = B = C
        services.cluster_decide(
            actor=district_officer,
            cluster=cluster,
            groups={a.pk: "1", b.pk: "1", c.pk: "1"},
            seen=cluster.seen,
        )
    assert f"Hồ sơ #{a.pk} và #{c.pk} đã được kết luận là hai người khác nhau (cặp #{ac.pk})" in str(
        refused.value
    )
    services.pair_decide(actor=district_officer, pair=ab, decision=PairStatus.SAME)  # A = B
    with pytest.raises(ValidationError) as again:  # B = C would make A = C
        services.pair_decide(actor=district_officer, pair=bc, decision=PairStatus.SAME)
    assert "hai người khác nhau" in str(again.value)
    assert Merge.objects.filter(undone_at__isnull=True).count() == 1
    bc.refresh_from_db()
    assert bc.status == PairStatus.PENDING


def test_different_for_records_already_one_person_is_refused(db, district_officer):
    a, b, c = person("Vũ Thị Lan"), person("Vu Thi Lan"), person("Võ Thị Lan")
    ab, bc, ac = pair(a, b, 0.9), pair(b, c, 0.9), pair(a, c, 0.85)
    services.pair_decide(actor=district_officer, pair=ab, decision=PairStatus.SAME)
    services.pair_decide(actor=district_officer, pair=bc, decision=PairStatus.SAME)
    with pytest.raises(ValidationError) as refused:
        services.pair_decide(actor=district_officer, pair=ac, decision=PairStatus.DIFFERENT)
    assert "đã là một người" in str(refused.value)
    ac.refresh_from_db()
    assert ac.status == PairStatus.PENDING and ac.decisions.count() == 0


def test_undo_a_review_restores_records_and_queue(trio, district_officer):
    (a, b, c, _d, _e), (ab, bc, _de) = trio
    moved = violation(b)
    cluster = selectors.cluster_get(district_officer, ab.pk)
    review = services.cluster_decide(
        actor=district_officer, cluster=cluster, groups={a.pk: "1", b.pk: "1", c.pk: "1"}, seen=cluster.seen
    )
    moved.refresh_from_db()
    assert moved.person_id == a.pk and selectors.resolve_person_id(c.pk) == a.pk
    services.review_undo(actor=district_officer, review=review)
    moved.refresh_from_db()
    assert moved.person_id == b.pk
    assert selectors.resolve_person_id(c.pk) == c.pk
    assert set(CandidatePair.objects.filter(pk__in=[ab.pk, bc.pk]).values_list("status", flat=True)) == {
        "pending"
    }
    assert selectors.review_clusters(district_officer)[0].members == [a.pk, b.pk, c.pk]
    with pytest.raises(ValidationError):
        services.review_undo(actor=district_officer, review=review)


def test_cluster_page_asks_a_purpose_once_and_logs_every_identity(trio, district_officer, client_for):
    (a, b, c, d, e), (ab, _bc, de) = trio
    client = client_for(district_officer)
    asked = client.get(f"/ho-so-trung/cum/{ab.pk}/").content.decode()
    assert "mục đích xem" in asked and "Nguyen Thi Dao" not in asked
    client.post(f"/ho-so-trung/cum/{ab.pk}/", {"purpose": "linkage", "detail": "rà soát"})
    page = client.get(f"/ho-so-trung/cum/{ab.pk}/").content.decode()
    assert "Nguyen Thi Dao" in page and "liên kết yếu" in page and "1 vi phạm" in page
    assert "Phím tắt" in page
    logged = set(AccessRecord.objects.values_list("object_id", flat=True))
    assert logged == {str(a.pk), str(b.pk), str(c.pk)}
    client.get(f"/ho-so-trung/cum/{de.pk}/")  # the next cluster: no purpose asked again, logged too
    assert set(AccessRecord.objects.values_list("object_id", flat=True)) == logged | {str(d.pk), str(e.pk)}


def test_deciding_on_the_page_relearns_the_model_and_goes_to_the_next_cluster(
    trio, district_officer, client_for
):
    (a, b, c, _d, _e), (ab, _bc, de) = trio
    client = client_for(district_officer)
    client.post(f"/ho-so-trung/cum/{ab.pk}/", {"purpose": "linkage", "detail": ""})
    seen = selectors.cluster_get(district_officer, ab.pk).seen
    before = CandidatePair.objects.get(pk=de.pk).match_probability
    response = client.post(
        f"/ho-so-trung/cum/{ab.pk}/",
        {"seen": seen, "action": "same", f"group_{a.pk}": "1", f"group_{b.pk}": "1", f"group_{c.pk}": "2"},
    )
    assert response.status_code == 302 and response["Location"] == f"/ho-so-trung/cum/{de.pk}/"
    version = ModelVersion.objects.order_by("-number").first()
    assert version.number == 2 and version.same_count == 1 and version.different_count == 1
    assert sorted(version.learned_from) == sorted(PairDecision.objects.values_list("pk", flat=True))
    de.refresh_from_db()
    assert de.model_version == version and de.match_probability != before
    assert version.rescored == 1
    queue = client.get("/ho-so-trung/").content.decode()
    assert "Mô hình phiên bản 2" in queue and "Hoàn tác" in queue
    undo = client.post(f"/ho-so-trung/xem-xet/{Review.objects.get().pk}/hoan-tac/")
    assert undo.status_code == 302
    assert selectors.resolve_person_id(b.pk) == b.pk
    assert ModelVersion.objects.order_by("-number").first().number == 3  # learned again, without those


def test_roles_without_identity_rights_cannot_open_clusters(trio, health_worker, social_worker, client_for):
    _persons, (ab, _bc, _de) = trio
    for outsider in (health_worker, social_worker):
        client = client_for(outsider)
        assert client.get(f"/ho-so-trung/cum/{ab.pk}/").status_code == 404
        assert client.post(f"/ho-so-trung/cum/{ab.pk}/", {"action": "same"}).status_code == 404


def test_batch_confirmation_of_an_approved_pattern_is_audited_and_undoable(db, district_officer, client_for):
    a, b = person("Hoàng Thị Nga"), person("Hoàng Thị Nga")
    a.id_number = "001190012345"
    a.save()
    c, d = person("Hoàng Thị Ngà"), person("Hoang Nga")  # not the same full name: left to a reviewer
    fits, other = pair(a, b, 0.9), pair(c, d, 0.9)
    client = client_for(district_officer)
    listing = client.get("/ho-so-trung/mau/").content.decode()
    assert "một hồ sơ không có số CMND/CCCD</a> — 1 cặp" in listing
    asked = client.get("/ho-so-trung/mau/?mau=ten-ngay-xa-mot-thieu-so")
    assert asked.status_code == 302 and asked["Location"] == f"/ho-so-trung/cum/{fits.pk}/"
    client.post(asked["Location"], {"purpose": "linkage", "detail": ""})
    preview = client.get("/ho-so-trung/mau/?mau=ten-ngay-xa-mot-thieu-so").content.decode()
    assert f"<td>#{fits.pk}</td>" in preview and f"<td>#{other.pk}</td>" not in preview
    assert AccessRecord.objects.filter(object_id=str(b.pk), detail__startswith="Xác nhận hàng loạt").exists()
    done = client.post(
        "/ho-so-trung/mau/", {"mau": "ten-ngay-xa-mot-thieu-so", "approve": "ten-ngay-xa-mot-thieu-so"}
    )
    assert done.status_code == 302
    review = Review.objects.get()
    assert (review.kind, review.pattern) == ("batch", "ten-ngay-xa-mot-thieu-so")
    fits.refresh_from_db(), other.refresh_from_db()
    assert (fits.status, other.status) == (PairStatus.SAME, PairStatus.PENDING)
    assert ChangeRecord.objects.filter(model="linkage.candidatepair", object_id=str(fits.pk)).exists()
    assert selectors.resolve_person_id(b.pk) == a.pk
    client.post(f"/ho-so-trung/xem-xet/{review.pk}/hoan-tac/")
    fits.refresh_from_db()
    assert fits.status == PairStatus.PENDING and selectors.resolve_person_id(b.pk) == b.pk


def queue_anchors(body: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'data-cluster="(\d+)"', body)]


def test_the_queue_page_filters_sorts_and_keeps_the_filter_in_its_links(trio, district_officer, client_for):
    _people, (ab, _bc, de) = trio
    far = [person(f"Phạm Thị Hoa {i}", 1980, DONG_ANH) for i in range(4)]
    for p in far:
        violation(p)
    far_pairs = [pair(x, y, 0.85) for x, y in zip(far, far[1:], strict=False)]
    far_anchor = min(p.pk for p in far_pairs)
    client = client_for(district_officer)
    assert queue_anchors(client.get("/ho-so-trung/").content.decode()) == [ab.pk, de.pk, far_anchor]
    # By value, high to low: the far cluster is worth most.
    by_value = client.get("/ho-so-trung/", {"sap-xep": "-gia-tri"}).content.decode()
    assert queue_anchors(by_value)[0] == far_anchor
    mine = client.get("/ho-so-trung/", {"cua_toi": "on", "sap-xep": "-gia-tri"}).content.decode()
    assert queue_anchors(mine) == [ab.pk, de.pk]
    assert 'href="?cua_toi=on&amp;sap-xep=gia-tri"' in mine  # reversing keeps the filter
    assert queue_anchors(client.get("/ho-so-trung/", {"quan": DONG_ANH}).content.decode()) == [far_anchor]
    services.pair_decide(actor=district_officer, pair=de, decision=PairStatus.UNSURE)
    unsure = client.get("/ho-so-trung/", {"loai": "chua-chac"}).content.decode()
    assert queue_anchors(unsure) == [de.pk]


@pytest.mark.parametrize("query", [{"quan": "99.999"}, {"sap-xep": "value"}, {"loai": "x"}, {"trang": "0"}])
def test_the_queue_page_falls_back_on_odd_parameters(trio, district_officer, client_for, query):
    _people, (ab, _bc, de) = trio
    response = client_for(district_officer).get("/ho-so-trung/", query)
    assert response.status_code == 200
    assert queue_anchors(response.content.decode()) == [ab.pk, de.pk]


def test_value_is_the_record_pairs_a_decision_is_expected_to_join():
    def cluster(probabilities, records=None, status=PairStatus.PENDING):
        links = [
            selectors.Link(CandidatePair(pk=i + 1, match_probability=p, status=status), i, i + 1)
            for i, p in enumerate(probabilities)
        ]
        members = list(range(len(probabilities) + 1))
        return selectors.Cluster(members=members, links=links, records=records or {})

    likely, doubtful = cluster([0.99]), cluster([0.81])
    assert likely.value == pytest.approx(0.99) and doubtful.value == pytest.approx(0.81)
    # A person already holding three records joins three pairs of records.
    assert cluster([0.9], records={0: 3}).record_pairs == 3
    assert cluster([0.9], records={0: 3}).value == pytest.approx(2.7)
    trio = cluster([0.9, 0.8])
    assert (trio.record_pairs, trio.value) == (3, pytest.approx(3 * 0.85))
    assert cluster([0.99], status=PairStatus.UNSURE).value == pytest.approx(0.99 * selectors.UNSURE_DISCOUNT)
