"""T01 and T05 computed from the cases: on the plan dashboard's targets, and the police monthly report's
"cases busted" prefilled from the records, changed only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lanhmanh.core.periods import parse
from lanhmanh.enforcement.cases import services
from lanhmanh.enforcement.cases.indicators import ROLLUP_CODES
from lanhmanh.enforcement.cases.models import CriminalCase
from lanhmanh.indicators.evaluation import evaluate, tree_for
from lanhmanh.indicators.registry import source_for
from lanhmanh.indicators.rollup import rollup_rebuild
from lanhmanh.reporting import services as reporting
from lanhmanh.reporting.models import ReportForm
from lanhmanh.reporting.services import values_of
from tests.conftest import TRANG_TIEN, unit
from tests.enforcement.cases.conftest import advance, identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def tried_case(case, police, prosecutor, court_clerk, brokering):
    for name in ("Trần Văn Hùng", "Lê Văn Tám"):
        services.defendant_add(
            actor=police, case=case, ring_role="broker", offence=brokering, identity=identity(name=name)
        )
    return advance(case, police, prosecutor, court_clerk)


def test_t01_counts_the_bust_by_district_month_and_offence_group(tried_case):
    by_month = evaluate("enforcement.criminal_cases_busted", "01", "2014", by="month")
    assert [(cell.key, cell.value) for cell in by_month.rows if cell.value] == [(("201403",), 1)]
    by_group = evaluate("enforcement.criminal_cases_busted", "01.002", "2014", by="group")
    assert by_group.value("brokering").value == 1


def test_t05_counts_the_case_and_its_two_defendants_in_the_month_of_the_trial(tried_case):
    assert evaluate("enforcement.trial_cases", "01", "201406").total.value == 1
    assert evaluate("enforcement.trial_defendants", "01", "201406").total.value == 2
    assert evaluate("enforcement.mobile_trials", "01", "2014").total.value == 1


def test_a_child_victim_referred_counts_as_victims_referred(case, police):
    services.victim_add(
        actor=police,
        case=case,
        kind="abused",
        identity=identity(name="Nguyễn Thị Hoa", birth=dt.date(2000, 2, 1), sex="female"),
    )
    year = dt.date.today().year
    cell = evaluate("enforcement.victims_referred", "01", str(year), by="offer").value("child")
    assert cell.value == 1


def test_the_coordinator_sees_small_counts_hidden(tried_case, coordinator):
    assert evaluate("enforcement.trial_cases", "01", "2014", user=coordinator).total.display == "< 5"


def test_the_police_report_prefills_cases_busted_and_a_change_needs_a_reason(case, police):
    reporting.report_forms_load()
    form = ReportForm.objects.get(code="cong-an-thang")
    submission = reporting.submission_open(
        actor=police, form=form, period_id="201403", today=dt.date(2014, 4, 10)
    )
    assert values_of(submission)["cases_busted"] == 1
    with pytest.raises(ValidationError) as exc:
        reporting.submission_save(actor=police, submission=submission, values={"cases_busted": "2"})
    assert exc.value.message_dict["cases_busted"] == [
        "“Số vụ liên quan đến mại dâm bị triệt phá”: số liệu tính từ dữ liệu là 1; nếu điều chỉnh thành 2, "
        "hãy ghi lý do điều chỉnh."
    ]
    reporting.submission_save(
        actor=police,
        submission=submission,
        values={"cases_busted": "2"},
        reasons={"cases_busted": "Một vụ do Công an Thành phố phá trên địa bàn, chưa nhập hồ sơ"},
    )
    assert values_of(submission)["cases_busted"] == 2


@pytest.mark.parametrize(
    "code", ["enforcement.criminal_cases_busted", "enforcement.trial_cases", "enforcement.trial_defendants"]
)
def test_the_rollup_kept_by_the_services_agrees_with_the_records(tried_case, code):
    by_rollup = evaluate(code, "01", "2014", by="district")
    direct = evaluate(code, "01", "2014", by="district", use_rollup=False)
    assert [(c.key, c.value) for c in by_rollup.rows] == [(c.key, c.value) for c in direct.rows]
    assert by_rollup.total.value == direct.total.value >= 1


def _bust(police, brokering, on: dt.date):
    return services.case_open(
        actor=police,
        offence=brokering,
        act_on=on - dt.timedelta(days=3),
        unit=unit(TRANG_TIEN),
        detected_on=on - dt.timedelta(days=1),
        busted_on=on,
        address="Phố Tràng Tiền",
        summary="Môi giới mại dâm",
    )


def _city_tree(code="enforcement.criminal_cases_busted"):
    return tree_for(source_for(code), "01", parse("2014"))


def test_the_protected_tree_is_kept_until_a_case_changes_and_a_rolled_back_change_is_forgotten(
    tried_case, coordinator, police, brokering
):
    code = "enforcement.criminal_cases_busted"
    assert _city_tree().values[("n", "01", None)] == 1
    with CaptureQueriesContext(connection) as queries:
        kept = evaluate(code, "01", "2014", by="district", user=coordinator)
    assert not [q for q in queries.captured_queries if '"indicators_rollup"' in q["sql"]]
    assert kept.total.display == "< 5"

    _bust(police, brokering, dt.date(2014, 5, 7))  # a write: the next read sees it
    assert _city_tree().values[("n", "01", None)] == 2
    assert _city_tree().values[("n", "01", "201405")] == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        _bust(police, brokering, dt.date(2014, 6, 1))
        assert _city_tree().values[("n", "01", None)] == 3  # read inside the write's transaction
        raise RuntimeError("rolled back")
    assert _city_tree().values[("n", "01", None)] == 2
    assert ("n", "01", "201406") not in _city_tree().values

    _bust(police, brokering, dt.date(2014, 6, 1))  # committed this time; two more than before the rollback
    _bust(police, brokering, dt.date(2014, 6, 2))
    assert _city_tree().values[("n", "01", None)] == 4
    assert _city_tree().values[("n", "01", "201406")] == 2


def test_a_rollup_rebuild_gives_the_kept_tree_up(tried_case):
    assert _city_tree("enforcement.trial_defendants").values[("n", "01", None)] == 2
    CriminalCase.objects.update(defendant_count=5)  # bypasses save(): the rollup needs a rebuild
    rollup_rebuild(codes=ROLLUP_CODES)
    assert _city_tree("enforcement.trial_defendants").values[("n", "01", None)] == 5
