"""The audience groups of communication work, loaded from ``plans/data/audience_groups.json`` (by a
migration, and by the demo on a flushed database). Existing groups keep an administrator's edits."""

from __future__ import annotations

import json
from pathlib import Path

from lanhmanh.plans.models import AudienceGroup

DATA = Path(__file__).resolve().parent / "data" / "audience_groups.json"


def load_groups(model=None) -> int:
    """Create the groups of the data file that do not exist yet; returns how many were created."""
    model = model or AudienceGroup
    created = 0
    for order, row in enumerate(json.loads(DATA.read_text(encoding="utf-8"))["groups"], start=1):
        _, new = model.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "priority": row["priority"],
                "source": row["source"],
                "order": order,
            },
        )
        created += new
    return created
