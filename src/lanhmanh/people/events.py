"""The registry's domain events: what it announces, for the apps above it to react (it imports none of them).

``sanctions_recorded``: sent by the services once per write of sanction decisions, for one decision
(``services.sanction_record``, from the form, the API and ``violation_record``) or many (the Excel import,
``imports.writing.import_write``), with ``decisions``: the saved decisions, their violations and persons
attached. It is sent inside the transaction that saved them, so that what receivers write commits or rolls
back with the decisions; receivers that must never undo a decision (a legal record) work in a savepoint of
their own. Receivers live in the apps that react: ``support.signals`` makes the outreach tasks.
Bulk inserts for the demo and benchmarks (``people.bulk``) send nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

from lanhmanh.people.models import SanctionDecision

sanctions_recorded = Signal()


def announce_sanctions_recorded(decisions: list) -> None:
    """Send ``sanctions_recorded`` for these decisions (nothing for none)."""
    if decisions:
        sanctions_recorded.send(sender=SanctionDecision, decisions=list(decisions))
