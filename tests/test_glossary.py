"""The glossary names only what exists: every class it names in code (`CamelCase`) is defined in src."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def defined_classes() -> set[str]:
    names = set()
    for path in (ROOT / "src" / "lanhmanh").rglob("*.py"):
        names.update(re.findall(r"^class (\w+)", path.read_text(encoding="utf-8"), flags=re.M))
    return names


def glossary_class_names() -> set[str]:
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z]+)*)`", text))


def test_every_class_the_glossary_names_exists():
    assert glossary_class_names() - defined_classes() == set()


def test_the_glossary_names_the_main_models():
    assert {
        "Person",
        "Violation",
        "SanctionDecision",
        "SupportCase",
        "Target",
        "Merge",
    } <= glossary_class_names()
