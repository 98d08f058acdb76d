"""Reporting on the two-level map (since 1/7/2025): a commune reports straight to the city, whose
coordinator approves it (no district step); completeness groups by commune under the city, the 2014
periods still by district; a report for a unit not valid in its period and a form outside its validity
are refused in Vietnamese, nothing saved."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from lanhmanh.core.periods import parse
from lanhmanh.org.levels import approver_path, child_path, path_depth, path_level
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.reporting import services
from lanhmanh.reporting.completeness import completeness
from lanhmanh.reporting.models import Status, Submission
from lanhmanh.reporting.rules import can_approve
from lanhmanh.reporting.selectors import approval_queue_for
from tests.conftest import TRANG_TIEN, make_user
from tests.reporting.conftest import GOOD_VALUES, REASONS

pytestmark = pytest.mark.django_db

WARD = "01.00070"
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def two_level(forms):
    call_command("import_units_2025", "--province", "01", "--co-quan", stdout=StringIO())
    return forms


def test_a_path_says_its_level_whatever_the_version():
    assert [path_level(p) for p in ("01", "01.002", "01.002.00079", WARD)] == [1, 2, 3, 3]
    assert [path_depth(p) for p in ("01", "01.002", "01.002.00079", WARD)] == [1, 2, 3, 2]
    assert [approver_path(p) for p in ("01", "01.002.00079", WARD)] == ["01", "01.002", "01"]


def test_grouping_by_the_unit_below_reads_both_trees(two_level):
    rows = set(
        AdministrativeUnit.objects.filter(path__in=["01.002.00079", "01.002", "01", WARD]).values_list(
            child_path("path", "01"), flat=True
        )
    )
    assert rows == {"01.002", "01", WARD}


def test_a_2026_ward_reports_to_the_city_without_a_district_step(two_level, coordinator, district_officer):
    office = Agency.objects.get(unit__path=WARD, kind="commune-social")
    officer = make_user("canbophuong", office, "commune-officer")
    submission = services.submission_open(
        actor=officer, form=two_level["xa-thang"], period_id="202602", today=TODAY
    )
    services.submission_save(actor=officer, submission=submission, values=GOOD_VALUES, reasons=REASONS)
    services.submission_submit(actor=officer, submission=submission)
    assert not can_approve(district_officer, submission)  # a 2014 district has nothing to do with it
    assert can_approve(coordinator, submission)
    assert submission in approval_queue_for(coordinator)
    services.submission_approve(actor=coordinator, submission=submission)
    submission.refresh_from_db()
    assert submission.status == Status.APPROVED
    result = completeness(two_level["xa-thang"], period_id="202602", scope_path="01", today=TODAY)
    by_unit = {row.path: (row.expected, row.received) for row in result.rows}
    assert by_unit[WARD] == (1, 1) and len(by_unit) == 126 and "01.002" not in by_unit
    # A 2014 month at the city still adds up by district.
    old = completeness(
        two_level["xa-thang"], period_id="201410", scope_path="01", today=dt.date(2014, 11, 10)
    )
    assert {row.path for row in old.rows} >= {"01.002"} and WARD not in {row.path for row in old.rows}


def test_a_report_for_a_unit_not_valid_in_its_period_and_a_form_outside_its_validity_are_refused(two_level):
    office = Agency.objects.get(unit__path=WARD, kind="commune-social")
    officer = make_user("canbophuong", office, "commune-officer")
    with pytest.raises(ValidationError) as refused:
        services.submission_open(actor=officer, form=two_level["xa-thang"], period_id="201410", today=TODAY)
    assert "Phường Hoàn Kiếm không tồn tại trong kỳ" in str(refused.value)
    police = make_user("congan2014", Agency.objects.get(unit__path=TRANG_TIEN, kind="police"), "police")
    with pytest.raises(ValidationError) as refused:
        services.submission_open(
            actor=police, form=two_level["cong-an-xa-thang"], period_id="201410", today=TODAY
        )
    assert "Biểu “Báo cáo tháng của Công an cấp xã” không áp dụng cho kỳ" in str(refused.value)
    assert Submission.objects.count() == 0
    assert parse("202602").start >= two_level["cong-an-xa-thang"].valid_from
