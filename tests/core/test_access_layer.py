"""Views never query personal data: they read it through selectors that take the user (404 for outsiders).

Enforced twice: a personal-data model's default manager refuses a query written in a view module when
it runs (``core.scoping.PersonalDataManager``), and this file finds such queries in the source without
running them (a view no test happens to reach is caught too).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from lanhmanh.core.scoping import VIEW_MODULE, PersonalDataManager, UnscopedQuery, unscoped
from lanhmanh.people import selectors
from lanhmanh.people.models import Person, Violation

SRC = Path(__file__).resolve().parents[2] / "src"
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def personal_data_models() -> list:
    return [model for model in apps.get_models() if getattr(model, "personal_data", False)]


def view_modules() -> list[Path]:
    paths = []
    for path in sorted((SRC / "lanhmanh").rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        if VIEW_MODULE.search(module):
            paths.append(path)
    return paths


def direct_queries(source: str, names: set[str]) -> list[tuple[int, str]]:
    """(line, what) for each ``Model.objects``-like access or 404 shortcut on one of ``names``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS and isinstance(node.value, ast.Name):
            # A model in a variable (``model.objects``) may be any model: refused as well.
            if node.value.id in names or node.value.id[:1].islower():
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in SHORTCUTS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id in names:
                found.append((node.lineno, f"{node.func.id}({first.id})"))
    return sorted(found)


def test_the_personal_data_models_use_the_refusing_manager():
    models = personal_data_models()
    labels = {model._meta.label for model in models}
    assert {"people.Person", "people.Violation", "support.SupportCase", "linkage.Merge"} <= labels
    assert [m._meta.label for m in models if not isinstance(m._default_manager, PersonalDataManager)] == []


def test_no_view_module_queries_a_personal_data_model():
    names = {model.__name__ for model in personal_data_models()}
    offences = []
    for path in view_modules():
        for line, what in direct_queries(path.read_text(encoding="utf-8"), names):
            offences.append(f"{path.relative_to(SRC)}:{line}: {what}")
    assert offences == []


def test_the_source_check_finds_a_query_and_a_shortcut():
    source = (
        "def view(request, pk):\n    Person.objects.filter(pk=pk)\n    get_object_or_404(Violation, pk=pk)\n"
        "    return model.objects.get(pk=pk)\n"
    )
    assert direct_queries(source, {"Person", "Violation"}) == [
        (2, "Person.objects"),
        (3, "get_object_or_404(Violation)"),
        (4, "model.objects"),
    ]


def _run_as(module_name: str, code: str):
    """Run ``code`` (defining ``run()``) as if it were written in the module ``module_name``."""
    namespace = {"__name__": module_name, "Person": Person, "Violation": Violation}
    exec(compile(code, f"<{module_name}>", "exec"), namespace)  # noqa: S102 - fixed test code
    return namespace["run"]()


def test_a_query_written_in_a_view_is_refused_when_it_runs(db):
    with pytest.raises(UnscopedQuery, match=re.escape("people.Person queried in lanhmanh.fake.views")):
        _run_as("lanhmanh.fake.views", "def run():\n    return Person.objects.count()\n")
    with pytest.raises(UnscopedQuery):
        _run_as("lanhmanh.fake.api", "def run():\n    return list(Violation.objects.all())\n")
    with pytest.raises(UnscopedQuery):
        _run_as("lanhmanh.fake.views.cases", "def run():\n    return Person.objects.by_id_number('1')\n")


def test_selectors_services_and_an_explicit_unscoped_block_may_query(db, police):
    assert _run_as("lanhmanh.fake.selectors", "def run():\n    return Person.objects.count()\n") == 0
    assert _run_as("lanhmanh.fake.services", "def run():\n    return Person.objects.count()\n") == 0
    with unscoped():
        assert _run_as("lanhmanh.fake.views", "def run():\n    return Person.objects.count()\n") == 0
    assert list(selectors.persons_visible(police)) == []


def test_a_related_manager_of_a_record_from_a_selector_may_be_used_in_a_view(db, police):
    person = Person.objects.create(full_name="Nguyễn Thị Lan", sex="female", birth_year=1990)
    namespace_code = "def run():\n    return run.person.violations.count()\n"
    namespace = {"__name__": "lanhmanh.fake.views"}
    exec(compile(namespace_code, "<lanhmanh.fake.views>", "exec"), namespace)  # noqa: S102 - fixed test code
    namespace["run"].person = person
    assert namespace["run"]() == 0


def test_no_view_module_writes_the_access_log_itself():
    """The access log is written by the selectors that show identities (``identities_shown`` in people,
    ``identity_shown`` in support), for pages and API alike: never by hand in a view."""
    offences = [
        f"{path.relative_to(SRC)}:{number}"
        for path in view_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "record_access(" in line
    ]
    assert offences == []
