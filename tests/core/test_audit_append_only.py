"""Audit rows can be written, never changed or removed, through the model or its querysets."""

import pytest
from django.db import transaction

from lanhmanh.core.audit import Action, Purpose, history, readers, record_access, record_change
from lanhmanh.core.models import AccessRecord, ChangeRecord
from lanhmanh.org.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

REFUSAL = "Audit records are append-only."


@pytest.fixture
def rows(coordinator):
    unit = AdministrativeUnit.objects.get(path="01.002")
    change = record_change(
        actor=coordinator, instance=unit, action=Action.UPDATE, before={}, after={"name": "x"}
    )
    access = record_access(actor=coordinator, instance=unit, data_class="identity", purpose=Purpose.CASE_WORK)
    return change, access


def assert_refused(call) -> None:
    with pytest.raises(PermissionError) as refused:
        call()
    assert str(refused.value) == REFUSAL


def assert_unchanged(change: ChangeRecord, access: AccessRecord) -> None:
    assert ChangeRecord.objects.filter(pk=change.pk, reason="", action=Action.UPDATE).count() == 1
    assert AccessRecord.objects.filter(pk=access.pk, purpose=Purpose.CASE_WORK, detail="").count() == 1


def test_an_instance_cannot_be_saved_again(rows):
    change, access = rows
    change.reason = "rewritten"
    access.detail = "rewritten"
    assert_refused(change.save)
    assert_refused(access.save)
    assert_unchanged(change, access)


def test_an_instance_cannot_be_deleted(rows):
    change, access = rows
    assert_refused(change.delete)
    assert_refused(access.delete)
    assert_unchanged(change, access)


@pytest.mark.parametrize("model", [ChangeRecord, AccessRecord])
def test_querysets_refuse_update_and_delete(rows, model):
    assert_refused(lambda: model.objects.update(object_id="0"))
    assert_refused(lambda: model.objects.filter(pk__in=[r.pk for r in rows]).update(object_id="0"))
    assert_refused(lambda: model.objects.all().delete())
    assert_refused(lambda: model.objects.filter(model="org.administrativeunit").delete())
    assert_unchanged(*rows)


def in_savepoint(call):
    """bulk_update runs inside atomic(savepoint=False): contain the refusal so the test can go on."""

    def wrapped():
        with transaction.atomic():
            call()

    return wrapped


def test_bulk_update_is_refused(rows):
    change, access = rows
    change.reason = "rewritten"
    assert_refused(in_savepoint(lambda: ChangeRecord.objects.bulk_update([change], ["reason"])))
    access.detail = "rewritten"
    assert_refused(in_savepoint(lambda: AccessRecord.objects.bulk_update([access], ["detail"])))
    assert_unchanged(change, access)


def test_update_or_create_cannot_rewrite_a_row(rows):
    change, _access = rows
    assert_refused(
        lambda: ChangeRecord.objects.update_or_create(pk=change.pk, defaults={"reason": "rewritten"})
    )
    assert_unchanged(*rows)


def test_new_rows_are_still_written_and_read(rows, coordinator):
    change, access = rows
    unit = AdministrativeUnit.objects.get(path="01.002")
    later = record_change(actor=coordinator, instance=unit, action=Action.STATUS, reason="Đổi trạng thái")
    assert list(history(unit)) == [later, change]
    assert list(readers(unit)) == [access]


@pytest.mark.parametrize("model", [ChangeRecord, AccessRecord])
def test_the_base_manager_is_append_only_too(rows, model):
    assert_refused(lambda: model._base_manager.update(object_id="0"))
    assert_refused(lambda: model._base_manager.all().delete())
    assert_unchanged(*rows)
