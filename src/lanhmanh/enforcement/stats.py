"""Tip statistics: received, verified and the median days from receipt to the first officer's action,
by channel and by district. The median is not additive (no rollup, no indicator): it is computed here
from the rows the reader may see."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import QuerySet

from lanhmanh.enforcement.models import TipChannel, TipOutcome
from lanhmanh.org.levels import is_district


@dataclass
class TipRow:
    label: str
    received: int = 0
    verified: int = 0
    acted: int = 0
    median_days: float | None = None


def _rows(groups: dict[str, list[tuple[bool, float | None]]], labels: dict[str, str]) -> list[TipRow]:
    rows = []
    for key, items in groups.items():
        delays = [d for _v, d in items if d is not None]
        rows.append(
            TipRow(
                label=labels.get(key, key),
                received=len(items),
                verified=sum(1 for v, _d in items if v),
                acted=len(delays),
                median_days=round(statistics.median(delays), 1) if delays else None,
            )
        )
    return sorted(rows, key=lambda r: r.label)


def tip_statistics(tips: QuerySet) -> dict:
    """``{"total": TipRow, "by_channel": [...], "by_district": [...]}`` over ``tips`` (already scoped)."""
    by_channel: dict[str, list] = {}
    by_district: dict[str, list] = {}
    everything: list = []
    district_names: dict[str, str] = {}
    values = tips.values_list(
        "channel",
        "outcome",
        "received_at",
        "first_action_at",
        "unit__path",
        "unit__level",
        "unit__name",
        "unit__parent__name",
    )
    for channel, outcome, received_at, first_action_at, path, level, name, parent_name in values:
        delay = (first_action_at - received_at).total_seconds() / 86400 if first_action_at else None
        item = (outcome == TipOutcome.VERIFIED, delay)
        district = path[:6]
        district_names.setdefault(district, name if is_district(level) else (parent_name or name))
        by_channel.setdefault(channel, []).append(item)
        by_district.setdefault(district, []).append(item)
        everything.append(item)
    channel_labels = {c.value: str(c.label) for c in TipChannel}
    total = _rows({"all": everything}, {"all": "Tổng"})[0] if everything else TipRow(label="Tổng")
    return {
        "total": total,
        "by_channel": _rows(by_channel, channel_labels),
        "by_district": _rows(by_district, district_names),
    }
