"""Receivers on the registry: a sanction decision for a person who sold sex starts an outreach task.

The people app knows nothing of outreach. Decision (issue 7): the receiver stays inside the
transaction that saves the decision, so a task and its audit row commit together with the decision
and a crash between the two cannot leave a sanction without its task (``on_commit`` could). But the
task runs in its own savepoint: if making it fails, only the savepoint rolls back, the failure is
logged, and the sanction — a legal record the police must keep — is saved all the same. The missing
task can be made by hand from community work.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from lanhmanh.people.bulk import sanctions_bulk_created
from lanhmanh.people.models import SanctionDecision
from lanhmanh.support.services import outreach_task_from_sanction, outreach_tasks_for_sanctions

logger = logging.getLogger("lanhmanh.support")


@receiver(post_save, sender=SanctionDecision, dispatch_uid="support-outreach-from-sanction")
def outreach_from_sanction(
    sender, instance: SanctionDecision, created: bool, raw: bool = False, **kwargs
) -> None:
    if not created or raw:
        return

    try:
        with transaction.atomic():
            outreach_task_from_sanction(decision=instance)
    except Exception:
        # Deliberately broad: nothing in outreach may undo a sanction decision.
        logger.exception("Không tạo được nhiệm vụ tiếp cận từ quyết định xử phạt #%s", instance.pk)


@receiver(sanctions_bulk_created, dispatch_uid="support-outreach-from-bulk-sanctions")
def outreach_from_bulk_sanctions(sender, decisions, **kwargs) -> None:
    """The same for decisions written in bulk (the Excel import): every task in one pass, same savepoint rule."""

    try:
        with transaction.atomic():
            outreach_tasks_for_sanctions(decisions)
    except Exception:
        logger.exception(
            "Không tạo được nhiệm vụ tiếp cận từ %s quyết định xử phạt nhập từ tệp", len(decisions)
        )
