"""core.audit's audited writes: the row and its history row together, validated first; and the guard
that keeps them the one way to write audited data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from lanhmanh.core.audit import (
    Action,
    audited_bulk_create,
    audited_change,
    audited_create,
    audited_delete,
    audited_insert,
    audited_update,
)
from lanhmanh.core.models import ChangeRecord
from tests.testapp.models import Dossier

pytestmark = pytest.mark.django_db


def test_audited_create_saves_the_row_and_its_create_history(coordinator):
    dossier = audited_create(
        actor=coordinator, model=Dossier, reason="Nhập mới", name="Hồ sơ A", data_class="identity"
    )
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.action, row.actor, row.before, row.after["name"], row.reason) == (
        Action.CREATE,
        coordinator,
        None,
        "Hồ sơ A",
        "Nhập mới",
    )


def test_audited_create_validates_before_writing_anything(coordinator):
    with pytest.raises(ValidationError) as refused:
        audited_create(actor=coordinator, model=Dossier, name="", data_class="identity")
    assert list(refused.value.message_dict) == ["name"]
    assert (Dossier.objects.count(), ChangeRecord.objects.filter(model="testapp.dossier").count()) == (0, 0)


def test_audited_update_records_the_values_before_and_after(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    audited_update(actor=coordinator, instance=dossier, action=Action.STATUS, name="Hồ sơ B")
    dossier.refresh_from_db()
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (dossier.name, row.action, row.before["name"], row.after["name"]) == (
        "Hồ sơ B",
        Action.STATUS,
        "Hồ sơ A",
        "Hồ sơ B",
    )


def test_audited_update_refuses_an_invalid_change_and_keeps_the_row(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    with pytest.raises(ValidationError):
        audited_update(actor=coordinator, instance=dossier, data_class="not-a-class")
    dossier.refresh_from_db()
    assert dossier.data_class == "identity"
    assert not ChangeRecord.objects.filter(model="testapp.dossier").exists()


def test_audited_bulk_create_writes_one_history_row_per_record(coordinator):
    created = audited_bulk_create(
        actor=coordinator,
        model=Dossier,
        objs=[Dossier(name=f"Hồ sơ {i}", data_class="identity") for i in range(3)],
        reason="Nhập danh sách",
    )
    rows = ChangeRecord.objects.filter(model="testapp.dossier", action=Action.CREATE).order_by("object_id")
    assert sorted(int(r.object_id) for r in rows) == sorted(d.pk for d in created)
    assert {r.reason for r in rows} == {"Nhập danh sách"}


def test_a_system_reason_is_stored_as_a_code_and_shown_in_the_readers_language(coordinator):
    from django.utils import translation

    from lanhmanh.core.audit import reason_text
    from lanhmanh.support.services.common import CLOSED_WITH_SIBLING, FROM_SANCTION

    dossier = audited_create(
        actor=coordinator, model=Dossier, reason=FROM_SANCTION(), name="Hồ sơ D", data_class="identity"
    )
    stored = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk)).reason
    assert stored == "@support.from-sanction"
    assert CLOSED_WITH_SIBLING(task=12) == '@support.closed-with-sibling {"task": 12}'
    with translation.override("vi"):
        assert reason_text(stored) == "Tự động tạo từ quyết định xử phạt"
        assert reason_text(CLOSED_WITH_SIBLING(task=12)) == "Kết thúc cùng nhiệm vụ #12 của cơ quan khác"
    with translation.override("en"):
        assert reason_text(stored) != "Tự động tạo từ quyết định xử phạt"
    # A reason typed by a user, an unknown code and an older row's text are shown as stored.
    assert reason_text("Sửa theo đơn của đương sự") == "Sửa theo đơn của đương sự"
    assert reason_text("@no.such-code") == "@no.such-code"
    assert reason_text("") == ""


# --- The helpers' own behaviour ------------------------------------------------------------------------


def test_audited_change_records_what_the_block_did_with_the_extra_values(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    with audited_change(actor=coordinator, instance=dossier, reason="Sửa tên") as change:
        dossier.name = "Hồ sơ B"
        dossier.save(update_fields=["name"])
        change.extra["tags"] = ["x"]
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.action, row.before["name"], row.after["name"], row.after["tags"], row.reason) == (
        Action.UPDATE,
        "Hồ sơ A",
        "Hồ sơ B",
        ["x"],
        "Sửa tên",
    )


def test_audited_change_of_a_new_row_is_a_create_without_before(coordinator):
    dossier = Dossier(name="Hồ sơ C", data_class="identity")
    with audited_change(actor=coordinator, instance=dossier):
        dossier.save()
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.action, row.before, row.after["name"]) == (Action.CREATE, None, "Hồ sơ C")


def test_audited_change_writes_nothing_when_the_block_raises(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    with pytest.raises(ValidationError), audited_change(actor=coordinator, instance=dossier):
        dossier.name = ""
        dossier.full_clean()
        dossier.save()
    assert not ChangeRecord.objects.filter(model="testapp.dossier").exists()


def test_audited_change_refuses_a_new_row_the_block_did_not_save(coordinator):
    with (
        pytest.raises(RuntimeError),
        audited_change(actor=coordinator, instance=Dossier(name="Hồ sơ D", data_class="identity")),
    ):
        pass
    assert not ChangeRecord.objects.filter(model="testapp.dossier").exists()


def test_audited_change_from_db_reads_before_from_the_row_not_the_changed_instance(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ A", data_class="identity")
    dossier.name = "Hồ sơ B"  # changed in memory first, as an admin form does
    with audited_change(actor=coordinator, instance=dossier, from_db=True):
        dossier.save()
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.before["name"], row.after["name"]) == ("Hồ sơ A", "Hồ sơ B")


def test_audited_insert_saves_a_built_row_with_its_action_and_reason(coordinator):
    dossier = audited_insert(
        actor=coordinator,
        instance=Dossier(name="Hồ sơ E", data_class="identity"),
        action=Action.MERGE,
        reason="Gộp",
    )
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(dossier.pk))
    assert (row.action, row.before, row.after["name"], row.reason) == (Action.MERGE, None, "Hồ sơ E", "Gộp")


def test_audited_delete_keeps_the_values_before_and_deletes_the_row(coordinator):
    dossier = Dossier.objects.create(name="Hồ sơ F", data_class="identity")
    pk = dossier.pk
    audited_delete(actor=coordinator, instance=dossier, reason="Nhập trùng")
    row = ChangeRecord.objects.get(model="testapp.dossier", object_id=str(pk))
    assert (row.action, row.before["name"], row.after, row.reason) == (
        Action.DELETE,
        "Hồ sơ F",
        None,
        "Nhập trùng",
    )
    assert not Dossier.objects.filter(pk=pk).exists()


# --- One way to write audited data: no hand-written snapshot → save → record_change -------------------

SRC = Path(__file__).resolve().parents[2] / "src"

# Functions still writing history rows by hand, each with the reason the helpers do not fit. The guard
# fails on a new one and on an entry here that no longer needs to be.
HAND_WRITTEN = {
    "lanhmanh/plans/services.py:breakdown_set": (
        "an upsert (update_or_create) whose history row has never had a 'before'; kept as written"
    ),
    "lanhmanh/plans/services.py:copy_gap_resolve": (
        "the resolution rewrites other rows with queryset updates; the gap's row has no 'before', its "
        "reason names the resolution; kept as written"
    ),
    "lanhmanh/enforcement/services.py:target_item_link": (
        "an upsert (update_or_create) whose history row has never had a 'before'; kept as written"
    ),
    "lanhmanh/org/admin.py:AuditedAdmin.save_related": (
        "the admin's change spans save_model (values before) and save_related (roles after); "
        "account_change_record adds the grant row and the mail to the data-protection officers"
    ),
    "lanhmanh/org/admin.py:AuditedAdmin._record_delete": (
        "goes through account_change_record with the user's roles and classes (org.accounts)"
    ),
    "lanhmanh/demo/communes.py:load": (
        "the demo writes the districts' past corrections as history rows in bulk (synthetic data)"
    ),
}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        if (
            func.attr in ("create", "bulk_create")
            and isinstance(owner, ast.Attribute)
            and isinstance(owner.value, ast.Name)
            and owner.value.id == "ChangeRecord"
        ):
            return "ChangeRecord"  # ChangeRecord.objects.create(...)
        return func.attr
    return ""


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(qualified name, node) of every function and method, nested ones included in their outer one."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.append((f"{node.name}.{item.name}", item))
    return found


def _calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def hand_written_audits(sources: dict[str, str]) -> dict[str, set[str]]:
    """``{"module:function": {why}}`` for every function outside ``core/audit.py`` that writes a history
    row by hand: it pairs a ``snapshot`` (or a function returning one, e.g. ``account_snapshot``) with
    ``record_change`` (or a function passing its before/after on to it, e.g. ``account_change_record``);
    it calls ``record_change`` without ``after=`` for anything but a delete (record_change then takes the
    snapshot itself: the save → record sequence); or it builds ``ChangeRecord`` rows itself."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    snapshots, records = {"snapshot"}, {"record_change"}
    for tree in trees.values():
        for _qualified, node in _functions(tree):
            names = {_call_name(c) for c in _calls(node)}
            params = {a.arg for a in node.args.args + node.args.kwonlyargs}
            if "snapshot" in names and "record_change" not in names:
                snapshots.add(node.name)
            if "record_change" in names and {"before", "after"} & params:
                records.add(node.name)
    found: dict[str, set[str]] = {}
    for module, tree in trees.items():
        for qualified, node in _functions(tree):
            calls = _calls(node)
            names = {_call_name(c) for c in calls}
            why = set()
            if names & snapshots and names & records:
                why.add("snapshot paired with record_change")
            for call in calls:
                if _call_name(call) != "record_change":
                    continue
                keywords = {k.arg: k.value for k in call.keywords}
                action = keywords.get("action")
                deleting = isinstance(action, ast.Attribute) and action.attr == "DELETE"
                if "after" not in keywords and not deleting:
                    why.add("record_change left to take the snapshot after a save")
            if "ChangeRecord" in names:
                why.add("ChangeRecord rows built by hand")
            if why:
                found[f"{module}:{qualified}"] = why
    return found


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(SRC)): path.read_text(encoding="utf-8")
        for path in sorted((SRC / "lanhmanh").rglob("*.py"))
        if "migrations" not in path.parts and path != SRC / "lanhmanh" / "core" / "audit.py"
    }


def test_no_service_writes_its_history_row_by_hand_outside_the_listed_exceptions():
    found = hand_written_audits(_sources())
    assert sorted(set(found) - set(HAND_WRITTEN)) == [], "use core.audit's audited_* helpers"
    assert sorted(set(HAND_WRITTEN) - set(found)) == [], "written with the helpers now: drop the exception"


def test_the_guard_finds_each_kind_of_hand_written_history_row():
    source = """
def pair(actor, x):
    before = snapshot(x)
    x.save()
    record_change(actor=actor, instance=x, action=Action.UPDATE, before=before, after=snapshot(x))

def implicit(actor, x):
    x.save()
    record_change(actor=actor, instance=x, action=Action.CREATE)

def through_wrappers(actor, x):
    before = my_snapshot(x)
    x.save()
    my_record(actor=actor, instance=x, before=before, after=my_snapshot(x))

def built(x):
    ChangeRecord.objects.bulk_create([ChangeRecord(model="m", object_id=str(x.pk))])

def fine(actor, x):
    audited_update(actor=actor, instance=x, name="B")
    record_change(actor=actor, instance=x, action=Action.UPDATE, before={"team": []}, after={"team": [1]})
    record_change(actor=actor, instance=x, action=Action.DELETE, before=before)
"""
    wrappers = """
def my_snapshot(x):
    return snapshot(x, redact=("password",))

def my_record(*, actor, instance, before, after):
    record_change(actor=actor, instance=instance, action="update", before=before, after=after)
"""
    found = hand_written_audits({"app/services.py": source, "app/accounts.py": wrappers})
    assert found == {
        "app/services.py:pair": {"snapshot paired with record_change"},
        "app/services.py:implicit": {"record_change left to take the snapshot after a save"},
        "app/services.py:through_wrappers": {"snapshot paired with record_change"},
        "app/services.py:built": {"ChangeRecord rows built by hand"},
    }
