"""Fixtures of the linkage tests."""

from __future__ import annotations

import pytest

from lanhmanh.linkage import selectors


@pytest.fixture
def rebuilds(monkeypatch):
    """How many times the whole queue was read from the database (``queue_build``: by the kept queue, or
    by ``review_clusters``)."""
    calls = []
    build = selectors.queue_build

    def counted(number):
        calls.append(number)
        return build(number)

    monkeypatch.setattr(selectors, "queue_build", counted)
    return calls
