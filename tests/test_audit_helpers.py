"""core.audit's audited writes: the row and its history row together, validated first."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.audit import Action, audited_bulk_create, audited_create, audited_update
from lanhmanh.core.models import ChangeRecord
from tests.testapp.models import Dossier

pytestmark = pytest.mark.django_db


def test_audited_create_saves_the_row_and_its_create_history(coordinator):
    dossier = audited_create(
        actor=coordinator, model=Dossier, reason="Nhập mới", name="Hồ sơ A", data_class="identity"
    )
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.action, row.actor, row.before, row.after["name"], row.reason) == (
        Action.CREATE,
        coordinator,
        None,
        "Hồ sơ A",
        "Nhập mới",
    )


def test_audited_create_validates_before_writing_anything(coordinator):
    with pytest.raises(ValidationError) as refused:
        audited_create(actor=coordinator, model=Dossier, name="", data_class="identity")
    assert list(refused.value.message_dict) == ["name"]
    assert (Dossier.objects.count(), ChangeRecord.objects.filter(model="testapp.dossier").count()) == (0, 0)


def test_audited_update_records_the_values_before_and_after(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    audited_update(actor=coordinator, instance=dossier, action=Action.STATUS, name="Hồ sơ B")
    dossier.refresh_from_db()
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (dossier.name, row.action, row.before["name"], row.after["name"]) == (
        "Hồ sơ B",
        Action.STATUS,
        "Hồ sơ A",
        "Hồ sơ B",
    )


def test_audited_update_refuses_an_invalid_change_and_keeps_the_row(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    with pytest.raises(ValidationError):
        audited_update(actor=coordinator, instance=dossier, data_class="not-a-class")
    dossier.refresh_from_db()
    assert dossier.data_class == "identity"
    assert not ChangeRecord.objects.filter(model="testapp.dossier").exists()


def test_audited_bulk_create_writes_one_history_row_per_record(coordinator):
    created = audited_bulk_create(
        actor=coordinator,
        model=Dossier,
        objs=[Dossier(name=f"Hồ sơ {i}", data_class="identity") for i in range(3)],
        reason="Nhập danh sách",
    )
    rows = ChangeRecord.objects.filter(model="testapp.dossier", action=Action.CREATE).order_by("object_id")
    assert sorted(int(r.object_id) for r in rows) == sorted(d.pk for d in created)
    assert {r.reason for r in rows} == {"Nhập danh sách"}


def test_a_system_reason_is_stored_as_a_code_and_shown_in_the_readers_language(coordinator):
    from django.utils import translation

    from lanhmanh.core.audit import reason_text
    from lanhmanh.support.services.common import CLOSED_WITH_SIBLING, FROM_SANCTION

    dossier = audited_create(
        actor=coordinator, model=Dossier, reason=FROM_SANCTION(), name="Hồ sơ D", data_class="identity"
    )
    stored = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk)).reason
    assert stored == "@support.from-sanction"
    assert CLOSED_WITH_SIBLING(task=12) == '@support.closed-with-sibling {"task": 12}'
    with translation.override("vi"):
        assert reason_text(stored) == "Tự động tạo từ quyết định xử phạt"
        assert reason_text(CLOSED_WITH_SIBLING(task=12)) == "Kết thúc cùng nhiệm vụ #12 của cơ quan khác"
    with translation.override("en"):
        assert reason_text(stored) != "Tự động tạo từ quyết định xử phạt"
    # A reason typed by a user, an unknown code and an older row's text are shown as stored.
    assert reason_text("Sửa theo đơn của đương sự") == "Sửa theo đơn của đương sự"
    assert reason_text("@no.such-code") == "@no.such-code"
    assert reason_text("") == ""
