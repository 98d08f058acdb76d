"""The shared unit picker (``org.pickers``): choices built once per unit-tree version and scope, a unit
added anywhere seen at once, values outside the choices refused in Vietnamese."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lanhmanh.org import pickers
from lanhmanh.org.models import AdministrativeUnit, UnitLevel
from lanhmanh.org.pickers import UnitPickerField
from tests.conftest import DONG_ANH, HOAN_KIEM, TRANG_TIEN

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    def __init__(self, *args, root_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitPickerField(
            root_path=root_path, levels=(UnitLevel.COMMUNE,), long_labels=True, label="Xã, phường"
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    pickers.clear_cache()
    yield
    pickers.clear_cache()


def test_choices_are_the_communes_under_the_root_with_their_chain_and_are_cached():
    trang_tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    form = PickForm(root_path=HOAN_KIEM)
    choices = form.fields["unit"].choices
    assert (trang_tien.pk, "Phường Tràng Tiền, Quận Hoàn Kiếm, Thành phố Hà Nội") in choices
    expected = AdministrativeUnit.objects.filter(path__startswith=HOAN_KIEM + ".", level=3).count()
    assert len(choices) == expected
    with CaptureQueriesContext(connection) as queries:
        again = PickForm(root_path=HOAN_KIEM)
        html = str(again["unit"])
    assert len(queries) == 1  # the tree's version only
    assert "Phường Tràng Tiền" in html


def test_a_unit_added_changes_the_version_and_appears():
    hoan_kiem = AdministrativeUnit.objects.get(path=HOAN_KIEM)
    before = PickForm(root_path=HOAN_KIEM).fields["unit"].choices
    version = pickers.unit_tree_version()
    # bulk_create sends no signal, as when another process imports units: the version alone tells.
    AdministrativeUnit.objects.bulk_create(
        [
            AdministrativeUnit(
                code="99999",
                name="Thử Nghiệm",
                kind="phuong",
                level=3,
                parent=hoan_kiem,
                path=HOAN_KIEM + ".99999",
                valid_from=dt.date(2025, 7, 1),
            )
        ]
    )
    assert pickers.unit_tree_version() != version
    after = PickForm(root_path=HOAN_KIEM).fields["unit"].choices
    assert len(after) == len(before) + 1
    assert any("Thử Nghiệm" in label for _pk, label in after)


def test_values_outside_the_choices_are_refused_naming_the_field():
    dong_anh_commune = AdministrativeUnit.objects.filter(path__startswith=DONG_ANH + ".", level=3).first()
    trang_tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    for value in (str(dong_anh_commune.pk), "9" * 40, "abc", "-1"):
        form = PickForm({"unit": value}, root_path=HOAN_KIEM)
        assert not form.is_valid()
        assert form.errors["unit"] == ["Địa bàn đã chọn không hợp lệ."]
    form = PickForm({"unit": str(trang_tien.pk)}, root_path=HOAN_KIEM)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == trang_tien
    missing = PickForm({"unit": ""}, root_path=HOAN_KIEM)
    assert not missing.is_valid()
    assert "unit" in missing.errors


def test_the_chosen_unit_is_selected_when_the_form_is_shown_again():
    trang_tien = AdministrativeUnit.objects.get(path=TRANG_TIEN)
    form = PickForm(initial={"unit": trang_tien}, root_path=HOAN_KIEM)
    assert f'<option value="{trang_tien.pk}" selected>' in str(form["unit"])
