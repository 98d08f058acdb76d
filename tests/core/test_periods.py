import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanhmanh.core.periods import HALF, MONTH, QUARTER, WEEK, YEAR, Period, is_valid, parse

D = dt.date


@pytest.mark.parametrize(
    ("period_id", "kind", "start", "end", "label"),
    [
        ("2014", YEAR, D(2014, 1, 1), D(2014, 12, 31), "Năm 2014"),
        ("2014S1", HALF, D(2014, 1, 1), D(2014, 6, 30), "6 tháng đầu năm 2014"),
        ("2014S2", HALF, D(2014, 7, 1), D(2014, 12, 31), "6 tháng cuối năm 2014"),
        ("2014Q1", QUARTER, D(2014, 1, 1), D(2014, 3, 31), "Quý 1/2014"),
        ("2014Q4", QUARTER, D(2014, 10, 1), D(2014, 12, 31), "Quý 4/2014"),
        ("201401", MONTH, D(2014, 1, 1), D(2014, 1, 31), "Tháng 01/2014"),
        ("201402", MONTH, D(2014, 2, 1), D(2014, 2, 28), "Tháng 02/2014"),
        ("201602", MONTH, D(2016, 2, 1), D(2016, 2, 29), "Tháng 02/2016"),
        ("2014W05", WEEK, D(2014, 1, 27), D(2014, 2, 2), "Tuần 05/2014"),
        ("2015W01", WEEK, D(2014, 12, 29), D(2015, 1, 4), "Tuần 01/2015"),
        ("20140101-20140315", "range", D(2014, 1, 1), D(2014, 3, 15), "01/01/2014 – 15/03/2014"),
    ],
)
def test_it_parses_every_kind_of_id(period_id, kind, start, end, label):
    period = parse(period_id)
    assert (period.kind, period.start, period.end, period.label, period.id) == (
        kind,
        start,
        end,
        label,
        period_id,
    )


def test_lower_case_and_spaces_are_accepted():
    assert parse(" 2014q2 ").id == "2014Q2"
    assert parse("2014w05").id == "2014W05"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("2014Q5", "quý phải từ 1 đến 4"),
        ("201413", "tháng phải từ 01 đến 12"),
        ("2014S3", "nửa năm phải là 1 hoặc 2"),
        ("2014W53", "năm 2014 có 52 tuần"),
        ("20140230-20140301", "ngày 20140230 không có thật"),
        ("20140315-20140101", "ngày bắt đầu sau ngày kết thúc"),
        ("năm 2014", "không đúng định dạng"),
        ("", "không đúng định dạng"),
    ],
)
def test_bad_ids_raise_a_vietnamese_message(bad, reason):
    with pytest.raises(ValueError) as caught:
        parse(bad)
    assert str(caught.value).startswith(f"Mã kỳ “{bad}” không hợp lệ: {reason}")
    assert not is_valid(bad)


def test_2015_has_53_iso_weeks():
    assert parse("2015W53").end == D(2016, 1, 3)


def test_children_and_parent_nest_year_half_quarter_month():
    year = parse("2014")
    assert [p.id for p in year.children()] == ["2014S1", "2014S2"]
    assert [p.id for p in parse("2014S2").children()] == ["2014Q3", "2014Q4"]
    assert [p.id for p in parse("2014Q2").children()] == ["201404", "201405", "201406"]
    assert parse("201405").parent().id == "2014Q2"
    assert parse("2014Q2").parent().id == "2014S1"
    assert parse("2014S1").parent().id == "2014"
    assert year.parent() is None
    assert parse("201405").children() == []


def test_a_week_belongs_to_the_month_of_its_thursday():
    # 2014W05 runs Monday 27/1 to Sunday 2/2; its Thursday is 30/1.
    assert parse("2014W05").parent().id == "201401"
    assert parse("2015W01").parent().id == "201501"


def test_previous_and_next_cross_year_boundaries():
    assert parse("2014Q1").previous().id == "2013Q4"
    assert parse("201412").next().id == "201501"
    assert parse("2014W52").next().id == "2015W01"
    assert parse("20140101-20140110").next().id == "20140111-20140120"
    assert parse("20140111-20140120").previous().id == "20140101-20140110"


def test_months_lists_the_months_a_period_overlaps():
    assert [p.id for p in parse("2014Q3").months()] == ["201407", "201408", "201409"]
    assert [p.id for p in parse("20140115-20140302").months()] == ["201401", "201402", "201403"]
    assert len(parse("2014").months()) == 12


def test_elapsed_share_of_a_year():
    year = parse("2014")
    assert year.elapsed_share(D(2013, 12, 31)) == 0.0
    assert year.elapsed_share(D(2014, 12, 31)) == 1.0
    assert year.elapsed_share(D(2014, 7, 2)) == 183 / 365


def test_contains_takes_dates_and_datetimes():
    q1 = parse("2014Q1")
    assert q1.contains(D(2014, 3, 31))
    assert not q1.contains(D(2014, 4, 1))
    assert q1.contains(dt.datetime(2014, 2, 1, 23, 59))


days = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))
kinds = st.sampled_from([YEAR, HALF, QUARTER, MONTH, WEEK])


@st.composite
def periods(draw):
    if draw(st.booleans()):
        return Period.containing(draw(days), draw(kinds))
    start = draw(days)
    return Period.range(start, start + dt.timedelta(days=draw(st.integers(0, 3000))))


@given(periods())
def test_id_round_trips(period):
    assert parse(period.id) == period
    assert parse(period.id.lower()) == period


@given(periods())
def test_next_and_previous_are_inverse_and_adjacent(period):
    assert period.next().previous() == period
    assert period.previous().next() == period
    assert period.next().start == period.end + dt.timedelta(days=1)


@given(days, kinds)
def test_the_period_containing_a_day_contains_it(day, kind):
    period = Period.containing(day, kind)
    assert period.contains(day)
    assert period.kind == kind


@given(days, st.sampled_from([YEAR, HALF, QUARTER]))
def test_children_tile_their_parent(day, kind):
    period = Period.containing(day, kind)
    children = period.children()
    assert children[0].start == period.start
    assert children[-1].end == period.end
    for left, right in zip(children, children[1:], strict=False):
        assert right.start == left.end + dt.timedelta(days=1)
    assert all(child.parent() == period for child in children)
