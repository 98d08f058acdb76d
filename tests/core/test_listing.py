"""The shared mechanism of list pages (core.listing): order and page from the query string, every link
keeping the filters, and anything not offered falling back to the default instead of failing."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.http import QueryDict
from django.template.loader import render_to_string

from lanhmanh.core.forms import ListFilterForm
from lanhmanh.core.listing import Sort, listing
from lanhmanh.org.models import AdministrativeUnit

ROWS = [{"n": n, "name": f"r{n:03}"} for n in range(1, 121)]
SORTS = {
    "so": Sort("Số", key=lambda row: row["n"]),
    "ten": Sort("Tên", key=lambda row: row["name"], descending_first=True),
}


def q(text: str = "") -> QueryDict:
    return QueryDict(text)


def numbers(result) -> list[int]:
    return [row["n"] for row in result.page]


def test_the_default_order_and_first_page_when_nothing_is_asked():
    result = listing(q(), ROWS, sorts=SORTS, default="-so")
    assert numbers(result)[:3] == [120, 119, 118]
    assert (result.sort, result.descending, result.page.number) == ("so", True, 1)
    assert len(result.page) == 50


def test_the_query_string_chooses_the_order_and_the_page():
    result = listing(q("sap-xep=so&trang=3"), ROWS, sorts=SORTS, default="-so")
    assert numbers(result) == list(range(101, 121))


@pytest.mark.parametrize(
    "query",
    ["sap-xep=khong-co", "sap-xep=", "sap-xep=--so", "sap-xep=%00", "sap-xep=__class__", "sap-xep=so;drop"],
)
def test_a_sort_that_is_not_offered_falls_back_to_the_default(query):
    result = listing(q(query), ROWS, sorts=SORTS, default="-so")
    assert (result.sort, result.descending) == ("so", True)
    assert numbers(result)[0] == 120
    assert result.keep == []  # the unknown order is not carried into the filter form


@pytest.mark.parametrize(("page", "expected"), [("abc", 1), ("-4", 1), ("0", 1), ("99", 3), ("2.5", 1)])
def test_a_page_that_does_not_exist_gives_the_nearest_one(page, expected):
    assert listing(q(f"trang={page}"), ROWS, sorts=SORTS, default="so").page.number == expected


def test_every_link_keeps_the_filters_and_a_new_order_starts_at_page_one():
    result = listing(q("loai=a&sap-xep=so&trang=2"), ROWS, sorts=SORTS, default="so")
    assert result.previous_url == "?loai=a&sap-xep=so"  # page 1 is the page without a number
    assert result.next_url == "?loai=a&sap-xep=so&trang=3"
    assert result.columns["so"].url == "?loai=a&sap-xep=-so"  # the order in use: the link reverses it
    assert result.columns["ten"].url == "?loai=a&sap-xep=-ten"  # high to low first for this column
    assert result.columns["so"].active and not result.columns["ten"].active
    assert result.keep == [("sap-xep", "so")]
    assert [number for number, _url in result.page_links] == [1, 2, 3]


def test_the_pages_far_from_the_current_one_are_elided():
    rows = [{"n": n, "name": ""} for n in range(1, 1001)]
    result = listing(q("trang=10"), rows, sorts=SORTS, default="so")
    assert [number for number, _url in result.page_links] == [1, None, 8, 9, 10, 11, 12, None, 20]


def test_two_lists_on_one_page_keep_apart_by_prefix():
    query = q("trang=2&nv-trang=3&nv-sap-xep=-so")
    first = listing(query, ROWS, sorts=SORTS, default="so")
    second = listing(query, ROWS, sorts=SORTS, default="so", prefix="nv-")
    assert (first.page.number, first.descending) == (2, False)
    assert (second.page.number, second.descending, numbers(second)[0]) == (3, True, 20)
    assert second.next_url == ""
    assert second.previous_url == "?trang=2&nv-sap-xep=-so&nv-trang=2"


def test_a_queryset_is_ordered_in_the_database_both_ways(db):
    sorts = {"ma": Sort("Mã", fields=("path",)), "ten": Sort("Tên", fields=(F("name").asc(), "pk"))}
    units = AdministrativeUnit.objects.filter(path__startswith="01.002.")
    up = listing(q("sap-xep=ten"), units, sorts=sorts, default="ma")
    down = listing(q("sap-xep=-ten"), units, sorts=sorts, default="ma")
    assert [u.pk for u in up.page] == list(units.order_by("name", "pk").values_list("pk", flat=True))[:50]
    assert [u.pk for u in down.page] == list(units.order_by("-name", "-pk").values_list("pk", flat=True))[:50]


class Filters(ListFilterForm):
    from django import forms

    status = forms.ChoiceField(required=False, choices=[("", "Tất cả"), ("open", "Đang mở")])
    overdue = forms.BooleanField(label="Chỉ quá hạn", required=False)


def test_a_filter_value_that_does_not_fit_is_dropped_and_the_others_kept():
    form = Filters(q("status=khong-co&overdue=on"))
    assert form.values() == {"overdue": True}
    assert form.active
    assert Filters(q()).values() == {} and not Filters(q()).active


def test_the_shared_includes_draw_vietnamese_sort_headers_and_pages():
    result = listing(q("loai=a&sap-xep=-so&trang=2"), ROWS, sorts=SORTS, default="so")
    header = render_to_string("core/_sort_header.html", {"column": result.columns["so"]})
    assert 'aria-sort="descending"' in header and "▼" in header
    assert 'href="?loai=a&amp;sap-xep=so"' in header
    pages = render_to_string("core/_pagination.html", {"listing": result})
    assert "120 dòng, dòng 51–100, trang 2/3." in pages
    assert (
        'href="?loai=a&amp;sap-xep=-so&amp;trang=3"' in pages
        and "Trang sau" in pages
        and "Trang trước" in pages
    )
    filters = render_to_string(
        "core/_list_filters.html", {"form": Filters(q("overdue=on")), "listing": result}
    )
    assert '<input type="hidden" name="sap-xep" value="-so">' in filters
    assert 'class="form-check mb-2"' in filters and "Xoá bộ lọc" in filters
