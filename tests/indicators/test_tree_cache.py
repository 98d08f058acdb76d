"""The settled states of a unit tree are reused for the same counts, and only for the same counts."""

from __future__ import annotations

from lanhmanh.indicators import evaluation


def test_settled_states_are_reused_for_equal_counts_only(monkeypatch):
    calls = []
    settle = evaluation.settle_tree
    monkeypatch.setattr(evaluation, "settle_tree", lambda *a, **k: calls.append(1) or settle(*a, **k))
    monkeypatch.setattr(evaluation, "_SETTLED", type(evaluation._SETTLED)())
    values = {("n", "01", None): 9, ("n", "01.002", None): 3, ("n", "01.003", None): 6}
    values |= {("s", "01", None): 0}

    first = evaluation.protect_tree(dict(values), dated=False)
    first.states[("n", "01.003", None)] = "tampered"  # a caller's copy: the remembered states stay intact
    second = evaluation.protect_tree(dict(values), dated=False)
    changed = evaluation.protect_tree(
        {**values, ("n", "01.003", None): 7, ("n", "01", None): 10}, dated=False
    )

    assert len(calls) == 2  # settled for the first counts and for the changed ones, not for the repeat
    assert second.states[("n", "01.002", None)] == evaluation.PRIMARY
    assert second.states.get(("n", "01.003", None)) != "tampered"
    assert changed.states[("n", "01.002", None)] == evaluation.PRIMARY
