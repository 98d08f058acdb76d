"""One page, one response: the total and every table shown with it are protected together.

The reader of these tests knows the rule: "< 5" holds 1–4, "x" holds 5 or more, every table adds up to
the total. ``reader_options`` works out, by brute force and independently of the code under test, what
such a reader can say each "< 5" holds (the total included) from everything shown; it must always be at
least two values.
"""

import datetime as dt
import random
import re
from html import unescape

import pytest

from lanhmanh.indicators.evaluation import evaluate, evaluate_views, protect, protect_together, protect_tree
from lanhmanh.org.models import AdministrativeUnit, Agency
from lanhmanh.plans.models import ActivityKind
from lanhmanh.plans.services import activity_create
from tests.conftest import HANG_BAC, HOAN_KIEM, TRANG_TIEN

CLUBS = "plans.club_participants"


HIDDEN = ("< 5", "x", "…")  # "…": not shown at all (a reader learns nothing of it)


def _range(display, bound):
    if display == "…":
        return range(0, bound + 1)
    if display == "< 5":
        return range(1, 5)
    if display == "x":
        return range(5, bound + 1)
    return range(int(display.replace(".", "")), int(display.replace(".", "")) + 1)


def _sums(ranges, bound):
    reach = {0}
    for r in ranges:
        reach = {a + b for a in reach for b in r if a + b <= bound}
    return reach


def reader_options(total: str, tables: list[list[str]], bound: int) -> dict:
    """For every "< 5" shown (``"total"`` or ``(table, row)``), the values a reader cannot rule out.

    ``total`` and the tables' cells are what is displayed. Values above ``bound`` are not tried, which
    can only make a reader look better informed than they are."""
    options: dict = {}
    for t in _range(total, bound):
        found = {}
        for ti, table in enumerate(tables):
            ranges = [_range(d, bound) for d in table]
            feasible = {}
            for ri, r in enumerate(ranges):
                rest = _sums(ranges[:ri] + ranges[ri + 1 :], bound)
                feasible[ri] = {v for v in r if t - v in rest}
            if any(not f for f in feasible.values()):
                break  # this total cannot be: some table does not add up to it
            found.update({(ti, ri): f for ri, f in feasible.items() if table[ri] == "< 5"})
        else:
            for key, values in found.items():
                options.setdefault(key, set()).update(values)
            if total == "< 5":
                options.setdefault("total", set()).add(t)
    return options


def assert_nothing_small_recoverable(total: str, tables: list[list[str]], bound: int):
    options = reader_options(total, tables, bound)
    shown = [(ti, ri) for ti, table in enumerate(tables) for ri, d in enumerate(table) if d == "< 5"]
    for key in shown + (["total"] if total == "< 5" else []):
        assert len(options.get(key, ())) >= 2, (key, total, tables, options.get(key))


def records(rng):
    """Random records (commune, month, kind, value); each table below is a grouping of them."""
    return [
        (rng.randrange(3), rng.randrange(3), rng.randrange(2), rng.choice([1, 1, 2, 3, 4, 5, 6, 9, 15]))
        for _ in range(rng.randint(1, 6))
    ]


def grouped(rows, position):
    sums = {}
    for row in rows:
        sums[row[position]] = sums.get(row[position], 0) + row[3]
    return [((k,), v) for k, v in sorted(sums.items())]


def test_the_total_and_tables_shown_together_never_give_a_small_count_away():
    rng = random.Random(2014)
    seen = {"total x": 0, "withheld": 0, "small": 0}
    for _ in range(600):
        rows = records(rng)
        total_value = sum(r[3] for r in rows)
        page = {"child": grouped(rows, 0), "month": grouped(rows, 1)}
        extras = {"kind": grouped(rows, 2), "kind2": grouped(rows, 2)[::-1]}
        total, tables = protect_together(total_value, page, extras)
        # The page's own cells do not depend on what else is asked for (one API call or several).
        assert (total, {n: tables[n] for n in page}) == protect_together(total_value, page)
        shown = [cells for cells in tables.values() if cells is not None]
        for name, cells in tables.items():
            if cells is None:
                seen["withheld"] += 1
                continue
            for cell, (_k, value) in zip(cells, (page | extras)[name], strict=True):
                assert cell.display in {"< 5", "x"} or cell.value == value
                assert cell.display != "x" or value >= 5  # "x" never hides a small number or a zero
                assert cell.display != "< 5" or 0 < value < 5
        assert total.display != "x" or total_value >= 5
        seen["total x"] += total.display == "x"
        seen["small"] += sum(c.display == "< 5" for cells in shown for c in cells)
        assert_nothing_small_recoverable(
            total.display, [[c.display for c in cells] for cells in shown], total_value + 20
        )
    assert seen["total x"] > 2 and seen["withheld"] > 2 and seen["small"] > 300, seen


def test_a_total_hidden_to_protect_a_neighbour_shows_x_not_small():
    total, cells = protect(6, [(("a",), 1), (("b",), 5)], hide=True)
    assert (total.display, total.value, total.complementary) == ("x", None, True)
    assert [c.display for c in cells] == ["< 5", "x"]
    total, tables = protect_together(6, {"child": [(("a",), 1), (("b",), 5)], "month": [(("201401",), 6)]})
    # The month table alone would add up to 6 and give the 1 away: its only cell is hidden too.
    assert total.display == "x"
    assert [c.display for c in tables["child"]] == ["< 5", "x"]
    assert [c.display for c in tables["month"]] == ["x"]
    # A small total stays "< 5".
    assert protect(3, [(("a",), 3)], hide=True)[0].display == "< 5"


def test_four_ones_under_a_small_total_are_withheld():
    total, tables = protect_together(4, {"child": [((k,), 1) for k in "abcd"], "month": [(("201401",), 4)]})
    assert total.display == "< 5"
    assert tables["child"] is None  # 4 cells of 1–4 adding up to at most 4: each would be 1
    assert [c.display for c in tables["month"]] == ["< 5"]


# --- the indicator page and the API -----------------------------------------------------------------


def club(path, day, female):
    place = AdministrativeUnit.objects.get(path=path)
    return activity_create(
        actor=None,
        kind=ActivityKind.CLUB_MEETING,
        title="Sinh hoạt CLB",
        held_on=day,
        unit=place,
        organiser=Agency.objects.filter(unit=place).first(),
        participants_female=female,
    )


def page_numbers(html: str) -> tuple[str, dict[str, str], dict[str, str]]:
    total = unescape(re.search(r"<strong data-total>(.*?)</strong>", html)[1])
    units = {
        p: unescape(v) for p, v in re.findall(r'<tr data-unit="([\d.]+)">.*?<td class="num">(.*?)</td>', html)
    }
    months = {
        m: unescape(v) for m, v in re.findall(r'<tr data-month="(\d+)">.*?<td class="num">(.*?)</td>', html)
    }
    return total, units, months


@pytest.mark.django_db
@pytest.mark.urls("tests.plans.api_test_urls")
def test_the_city_total_stays_shown_and_what_would_give_a_commune_away_is_not_shown(police, client_for):
    club(TRANG_TIEN, dt.date(2014, 4, 1), 1)
    club(HANG_BAC, dt.date(2014, 4, 2), 5)
    client = client_for(police)
    html = client.get(f"/chi-so/{CLUBS}/?unit={HOAN_KIEM}&period=2014").content.decode()
    # Before: the total (6) came from its own evaluation and was shown; 6 − 5 gave the 1 away. Then the
    # city's total was hidden too ("x") to protect it. Now the city shows its 6, and the district's,
    # Hàng Bạc's and the months' figures are not shown at all ("…"): Tràng Tiền stays "< 5" (1 to 4).
    assert page_numbers(html) == ("…", {HANG_BAC: "…", TRANG_TIEN: "< 5"}, {})
    assert "data-suppression-rule" in html
    assert evaluate(CLUBS, "01", "2014", user=police).total.display == "6"
    api = client.get(f"/api/v1/indicators/{CLUBS}/values?unit={HOAN_KIEM}&period=2014").json()
    assert api["total"] == {"value": None, "display": "…", "suppressed": True}
    by_month = client.get(f"/api/v1/indicators/{CLUBS}/values?unit={HOAN_KIEM}&period=2014&by=month").json()
    assert by_month["total"]["display"] == "…"
    assert by_month["values"] == [] and by_month["withheld"]


@pytest.mark.django_db
@pytest.mark.urls("tests.plans.api_test_urls")
@pytest.mark.parametrize("seed", range(12))
def test_nothing_on_the_page_or_from_the_api_gives_a_small_count_away(seed, police, client_for):
    rng = random.Random(seed)
    third = AdministrativeUnit.objects.filter(path__startswith=f"{HOAN_KIEM}.", level=3)
    third = third.exclude(path__in=[TRANG_TIEN, HANG_BAC]).order_by("path").first().path
    communes = [TRANG_TIEN, HANG_BAC, third]
    total_value = 0
    for _ in range(rng.randint(2, 5)):
        female = rng.choice([1, 2, 3, 4, 5, 7, 12])
        total_value += female
        club(rng.choice(communes), dt.date(2014, rng.choice([1, 4, 9]), rng.randint(1, 28)), female)
    client = client_for(police)
    html = client.get(f"/chi-so/{CLUBS}/?unit={HOAN_KIEM}&period=2014").content.decode()
    total, units, months = page_numbers(html)
    tables = [list(units.values()), list(months.values())]
    base = f"/api/v1/indicators/{CLUBS}/values?unit={HOAN_KIEM}&period=2014"
    for by in ("", "child", "commune", "month"):
        data = client.get(f"{base}&by={by}").json()
        assert data["total"]["display"] == total  # one total, wherever it is shown
        if by and not data["withheld"]:
            tables.append([row["display"] for row in data["values"]])
            # Cells shown on the page are the same in the API.
            same = units if by in ("child", "commune") else months
            assert {row[by]: row["display"] for row in data["values"]} == same
    assert_nothing_small_recoverable(total, [t for t in tables if t], total_value + 20)


@pytest.mark.django_db
@pytest.mark.urls("tests.plans.api_test_urls")
def test_the_api_refuses_groupings_that_would_undo_the_protection(
    police, health_worker, district_officer, client_for
):
    club(TRANG_TIEN, dt.date(2014, 4, 1), 3)
    base = f"/api/v1/indicators/{CLUBS}/values?period=2014"
    client = client_for(police)
    response = client.get(f"{base}&unit={HOAN_KIEM}&by=commune,month")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["by"] == [
        "Số liệu của chỉ số này có số nhỏ được ẩn: mỗi lần chỉ phân tổ theo một tiêu chí."
    ]
    response = client.get(f"{base}&unit={HOAN_KIEM}&by=quarter")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["by"] == [
        "Số liệu của chỉ số này có số nhỏ được ẩn: ở đơn vị này không phân tổ theo “quarter” "
        "(được: child, commune, month và các phân tổ riêng của chỉ số)."
    ]
    # At the city, communes are sums of the districts' cells: refused; districts are the level below.
    assert client_for(health_worker).get(f"{base}&unit=01&by=commune").status_code == 400
    assert client_for(health_worker).get(f"{base}&unit=01&by=district").status_code == 200
    assert client_for(police).get(f"{base}&unit={HOAN_KIEM}&by=district").status_code == 400
    # The agencies that own the records see every number, in any grouping.
    owner = client_for(district_officer).get(f"{base}&unit={HOAN_KIEM}&by=commune,month").json()
    assert owner["values"] == [
        {"commune": TRANG_TIEN, "month": "201404", "value": 3.0, "display": "3", "suppressed": False}
    ]


@pytest.mark.django_db
def test_the_page_of_an_owner_shows_every_number(district_officer, client_for):
    club(TRANG_TIEN, dt.date(2014, 4, 1), 1)
    club(HANG_BAC, dt.date(2014, 4, 2), 5)
    html = client_for(district_officer).get(f"/chi-so/{CLUBS}/?unit={HOAN_KIEM}&period=2014").content.decode()
    assert page_numbers(html) == ("6", {HANG_BAC: "5", TRANG_TIEN: "1"}, {"201404": "6"})
    assert "data-suppression-rule" not in html


@pytest.mark.django_db
def test_views_agree_with_evaluate_for_one_grouping_and_read_the_rollup_alike(police):
    club(TRANG_TIEN, dt.date(2014, 4, 1), 3)
    club(HANG_BAC, dt.date(2014, 5, 2), 9)
    club(HANG_BAC, dt.date(2014, 6, 2), 20)
    live = evaluate_views(CLUBS, HOAN_KIEM, "2014", user=police)
    direct = evaluate_views(CLUBS, HOAN_KIEM, "2014", user=police, use_rollup=False)
    assert live.total == direct.total and live.tables == direct.tables
    assert [c.display for c in live.table("child").rows] == ["x", "< 5"]
    assert [c.display for c in live.table("month").rows] == ["< 5", "x", "20"]
    assert live.total.display == "32"
    assert live.table("child").rows == evaluate(CLUBS, HOAN_KIEM, "2014", by="child", user=police).rows


def known_value(display: str, months: dict[str, str]) -> int | None:
    """What a reader knows a unit holds from its own page: its total, or its months when all are shown."""
    if display not in HIDDEN:
        return int(display.replace(".", ""))
    if months and all(v not in HIDDEN for v in months.values()):
        return sum(int(v.replace(".", "")) for v in months.values())
    return None


def recovered_from_pages(parent: tuple, children: dict[str, tuple]) -> dict[str, int]:
    """The attack across the drill-down: the parent's table gives the parent's total and its children's
    cells; each child's own page gives that child's total (or its months). A cell hidden in the parent's
    table is recovered as the total minus every other child, when those are all known."""
    total, units, _months = parent
    if total in HIDDEN:
        return {}
    known = {}
    for path, display in units.items():
        own_total, _u, own_months = children.get(path, (display, {}, {}))
        value = known_value(display, {}) if display not in HIDDEN else known_value(own_total, own_months)
        if value is not None:
            known[path] = value
    found = {}
    for path, display in units.items():
        if display in HIDDEN and all(p in known for p in units if p != path):
            found[path] = int(total.replace(".", "")) - sum(v for p, v in known.items() if p != path)
    return found


@pytest.mark.django_db
def test_the_parent_page_and_a_child_page_together_do_not_give_a_hidden_cell_away(police, client_for):
    club(TRANG_TIEN, dt.date(2014, 4, 1), 3)
    club(HANG_BAC, dt.date(2014, 5, 2), 10)
    club(HANG_BAC, dt.date(2014, 6, 2), 10)
    client = client_for(police)

    def page(path):
        return page_numbers(client.get(f"/chi-so/{CLUBS}/?unit={path}&period=2014").content.decode())

    district, hang_bac, trang_tien = page(HOAN_KIEM), page(HANG_BAC), page(TRANG_TIEN)
    # Before: Hoàn Kiếm showed 23 with Tràng Tiền "< 5" and Hàng Bạc "x", and Hàng Bạc's own page showed
    # its 20 (and its months, 10 and 10): 23 − 20 gave Tràng Tiền's 3 away.
    assert district[1][TRANG_TIEN] == "< 5" and district[1][HANG_BAC] in ("x", "< 5")
    assert recovered_from_pages(district, {HANG_BAC: hang_bac, TRANG_TIEN: trang_tien}) == {}
    # The cell hidden in the district's table is hidden on the commune's own page too.
    assert hang_bac[0] in ("x", "< 5") and trang_tien[0] == "< 5"
    # Nothing small on one page, from what it shows with its months.
    for total, units, months in (district, hang_bac, trang_tien):
        assert_nothing_small_recoverable(
            total, [t for t in (list(units.values()), list(months.values())) if t], 60
        )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(8))
def test_no_hidden_cell_of_the_district_table_comes_back_from_the_commune_pages(seed, police, client_for):
    rng = random.Random(seed)
    communes = list(
        AdministrativeUnit.objects.filter(path__startswith=f"{HOAN_KIEM}.", level=3)
        .order_by("path")
        .values_list("path", flat=True)[:4]
    )
    for _ in range(rng.randint(2, 7)):
        club(
            rng.choice(communes),
            dt.date(2014, rng.choice([1, 4, 9]), rng.randint(1, 28)),
            rng.choice([1, 2, 3, 5, 8, 12]),
        )
    client = client_for(police)

    def page(path):
        return page_numbers(client.get(f"/chi-so/{CLUBS}/?unit={path}&period=2014").content.decode())

    district = page(HOAN_KIEM)
    children = {path: page(path) for path in district[1]}
    assert recovered_from_pages(district, children) == {}
    for path, display in district[1].items():
        # A unit hidden in its parent's table is hidden on its own page.
        if display in HIDDEN:
            assert children[path][0] in HIDDEN, (path, district, children[path])


def test_a_unit_whose_hidden_months_give_its_small_total_away_has_its_months_withheld():
    # Tràng Tiền: 4 in four months of 1. Shown as "< 5" four times under a "< 5" total, each month is
    # at least 1, so all are 1 and the total 4: the commune's table by month is withheld instead.
    city, district = HOAN_KIEM[:2], HOAN_KIEM
    values = {
        ("n", city, None): 23,
        ("n", district, None): 23,
        ("n", TRANG_TIEN, None): 4,
        ("n", HANG_BAC, None): 19,
    }
    for month in ("201401", "201403", "201410", "201411"):
        values[("n", TRANG_TIEN, month)] = 1
    for month, value in (("201401", 11), ("201403", 10)):
        values[("n", HANG_BAC, month)] = value - 1
        values[("n", district, month)] = values[("n", city, month)] = value
    for month in ("201410", "201411"):
        values[("n", district, month)] = values[("n", city, month)] = 1
    tree = protect_tree(values, dated=True)
    assert tree.months(TRANG_TIEN) is None
    assert tree.total(TRANG_TIEN).display == "< 5"
    assert [c.display for c in tree.children(district)] == ["x", "< 5"]
    assert all(c.suppressed for c in tree.months(district)[2:])


@pytest.mark.django_db
@pytest.mark.urls("tests.plans.api_test_urls")
def test_the_indicator_page_draws_months_and_exports_excel_without_giving_small_counts_away(
    police, client_for
):
    import io

    from openpyxl import load_workbook

    club(TRANG_TIEN, dt.date(2014, 4, 1), 1)
    club(HANG_BAC, dt.date(2014, 4, 2), 5)
    club(HANG_BAC, dt.date(2014, 6, 2), 7)
    client = client_for(police)
    url = f"/chi-so/{CLUBS}/?unit={HOAN_KIEM}&period=2014"
    html = client.get(url).content.decode()
    assert "Tháng 04/2014" in html and 'data-chart="line"' in html
    assert f"({CLUBS})" not in html  # the name, not the code
    import json

    chart = json.loads(
        re.search(r'<script id="indicator-chart" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert chart["labels"][0] == "Tháng 04/2014"
    assert chart["values"][0] is None  # the hidden month has no point
    export = client.get(url + "&xuat=xlsx")
    assert export["Content-Disposition"].startswith('attachment; filename="')
    book = load_workbook(io.BytesIO(export.content))
    months = {row[0]: row[1] for row in book["Theo tháng"].iter_rows(min_row=2, values_only=True)}
    assert months["Tháng 04/2014"] == "x"
    assert months["Tháng 06/2014"] in (7, "x")  # a number is stored as a number, not text
