"""The settled states of a unit tree are reused for the same counts, and only for the same counts."""

from __future__ import annotations

from lanhmanh.indicators import unit_tree


def test_settled_states_are_reused_for_equal_counts_only(monkeypatch):
    calls = []
    settle = unit_tree.complementary_suppression_tree
    monkeypatch.setattr(
        unit_tree, "complementary_suppression_tree", lambda *a, **k: calls.append(1) or settle(*a, **k)
    )
    monkeypatch.setattr(unit_tree, "_SETTLED", type(unit_tree._SETTLED)())
    values = {("n", "01", None): 9, ("n", "01.002", None): 3, ("n", "01.003", None): 6}
    values |= {("s", "01", None): 0}

    first = unit_tree.protect_tree(dict(values), dated=False)
    first.states[("n", "01.003", None)] = "tampered"  # a caller's copy: the remembered states stay intact
    second = unit_tree.protect_tree(dict(values), dated=False)
    changed = unit_tree.protect_tree({**values, ("n", "01.003", None): 7, ("n", "01", None): 10}, dated=False)

    assert len(calls) == 2  # settled for the first counts and for the changed ones, not for the repeat
    assert second.states[("n", "01.002", None)] == unit_tree.PRIMARY
    assert second.states.get(("n", "01.003", None)) != "tampered"
    assert changed.states[("n", "01.002", None)] == unit_tree.PRIMARY
