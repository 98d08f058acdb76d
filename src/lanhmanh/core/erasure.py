"""The erasure ledger: which records had their identity wiped, kept outside the database.

A backup restored after a pseudonymisation would bring the person back identifiable: the database it
restores predates the wipe. So every wipe (``people.privacy.person_pseudonymise``) also appends one line to
this file once its transaction commits: the time, the record (``people.person`` and its id, no personal
data) and the function that wipes it again. ``manage.py restore`` replays every line newer than the
backup (``reapply_since``), so what was erased stays erased. Keep the file where the backups are
(``LANHMANH_ERASURE_LEDGER``, default ``<BACKUP_DIR>/erasures.jsonl``): it must outlive the database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("lanhmanh.erasure")


def ledger_path() -> Path:
    return Path(settings.ERASURE_LEDGER)


def erasure_recorded(*, model: str, pk: int, reapply: str) -> None:
    """After the current transaction commits, append ``{at, model, pk, reapply}`` to the ledger."""

    def append() -> None:
        path = ledger_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "model": model, "pk": pk, "reapply": reapply})
        with open(path, "a", encoding="utf-8") as ledger:
            ledger.write(line + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    transaction.on_commit(append)


def entries_since(moment: dt.datetime) -> list[dict]:
    path = ledger_path()
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            at = dt.datetime.fromisoformat(entry["at"])
        except (ValueError, KeyError, TypeError):
            logger.error("Erasure ledger line %s unreadable", number)
            continue
        if at >= moment:
            entries.append(entry)
    return entries


def reapply_since(moment: dt.datetime) -> int:
    """Wipe again every record erased at or after ``moment``; returns how many were replayed."""
    done = 0
    for entry in entries_since(moment):
        if not str(entry.get("reapply", "")).startswith("lanhmanh."):
            logger.error("Erasure ledger entry with an unexpected function refused")
            continue
        import_string(entry["reapply"])(entry["pk"])
        done += 1
    return done
