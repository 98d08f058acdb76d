"""Receivers on the registry: a sanction decision for a person who sold sex starts an outreach task.

The people app knows nothing of outreach; this receiver runs inside the transaction that saves the
decision, so the task and its audit row commit (or roll back) with it.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from lanhmanh.people.models import SanctionDecision


@receiver(post_save, sender=SanctionDecision, dispatch_uid="support-outreach-from-sanction")
def outreach_from_sanction(
    sender, instance: SanctionDecision, created: bool, raw: bool = False, **kwargs
) -> None:
    if created and not raw:
        from lanhmanh.support.services import outreach_task_from_sanction

        outreach_task_from_sanction(decision=instance)
