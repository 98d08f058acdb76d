"""Receivers on the registry: a sanction decision for a person who sold sex starts an outreach task.

The people app knows nothing of outreach: it announces ``people.events.sanctions_recorded`` for one
decision (the form, the API) or many (the Excel import), and this app reacts. Decision (issue 7): the
receiver runs inside the transaction that saves the decisions, so a task and its audit row commit
together with the decision and a crash between the two cannot leave a sanction without its task
(``on_commit`` could). But the tasks are made in a savepoint of their own: if making them fails, only
the savepoint rolls back, the failure is logged, and the sanction — a legal record the police must
keep — is saved all the same. The missing task can be made by hand from community work.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from lanhmanh.people.events import sanctions_recorded
from lanhmanh.support.services import outreach_task_from_sanction, outreach_tasks_for_sanctions

logger = logging.getLogger("lanhmanh.support")


@receiver(sanctions_recorded, dispatch_uid="support-outreach-from-sanctions")
def outreach_from_sanctions(sender, decisions, **kwargs) -> None:
    """One decision: its tasks saved one by one (full validation); many: every task in one bulk pass."""
    try:
        with transaction.atomic():
            if len(decisions) == 1:
                outreach_task_from_sanction(decision=decisions[0])
            else:
                outreach_tasks_for_sanctions(decisions)
    except Exception:
        # Deliberately broad: nothing in outreach may undo a sanction decision.
        if len(decisions) == 1:
            logger.exception("Không tạo được nhiệm vụ tiếp cận từ quyết định xử phạt #%s", decisions[0].pk)
        else:
            logger.exception(
                "Không tạo được nhiệm vụ tiếp cận từ %s quyết định xử phạt nhập từ tệp", len(decisions)
            )
