"""The sanction → outreach-task receiver: inside the sanction's transaction, but unable to undo it."""

from __future__ import annotations

import logging

import pytest
from django.db.models.signals import post_save

from lanhmanh.core.models import ChangeRecord
from lanhmanh.people.models import SanctionDecision
from lanhmanh.support.models import OutreachTask
from tests.support.test_services import sanction

pytestmark = pytest.mark.django_db


class OutreachBroken(Exception):
    pass


@pytest.fixture
def broken_outreach():
    """A test-only receiver that makes saving any outreach task fail (e.g. a database error)."""

    def fail(sender, **kwargs):
        raise OutreachBroken("hỏng")

    post_save.connect(fail, sender=OutreachTask, dispatch_uid="test-broken-outreach")
    yield
    post_save.disconnect(sender=OutreachTask, dispatch_uid="test-broken-outreach")


def test_a_failure_making_the_task_keeps_the_sanction_and_is_logged(
    police, woman, trang_tien, broken_outreach, caplog
):
    with caplog.at_level(logging.ERROR, logger="lanhmanh.support"):
        decision = sanction(police, woman, trang_tien)
    assert SanctionDecision.objects.filter(pk=decision.pk).count() == 1
    assert OutreachTask.objects.count() == 0
    # The task's audit row rolled back with its savepoint; the sanction's stayed.
    assert not ChangeRecord.objects.filter(model="support.outreachtask").exists()
    assert ChangeRecord.objects.filter(model="people.sanctiondecision", object_id=str(decision.pk)).exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"Không tạo được nhiệm vụ tiếp cận từ quyết định xử phạt #{decision.pk}"
    ]


def test_the_task_commits_with_the_sanction_in_one_transaction(
    police, woman, trang_tien, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        decision = sanction(police, woman, trang_tien)
    # Nothing waits for the commit: the task exists as soon as the decision does.
    assert callbacks == []
    assert list(OutreachTask.objects.values_list("source_sanction", "agency__kind").order_by("pk")) == [
        (decision.pk, "commune-social"),
        (decision.pk, "womens-union"),
    ]
