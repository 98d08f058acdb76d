"""The test database made from the models instead of by replaying every migration.

Replaying the 117 migrations (ours and Django's, django-tasks') takes about 17 s of one core on each of the two
runs of ``make test``, mostly Django rendering the models' state again for each data migration; creating the tables
from the models, as ``migrate --run-syncdb`` does for an app without migrations, takes half a second. The schema is
the same: ``makemigrations --check`` (``tests/test_guards.py`` and ``make lint``'s neighbours) fails when the models
and the migrations differ, and no migration runs SQL of its own (``test_every_data_migration_is_classified``).

What the migrations write besides the schema is replayed: the data migrations that seed reference data (roles,
the legal catalogue, hotspot kinds…) run, in the migrations' order, on the tables just made (``SEEDS``); those that
only rewrite rows an older version left (``REWRITES``) have nothing to do on an empty database; every migration is
recorded as applied (``/healthz`` checks that none is pending). Replaying the migrations themselves stays tested:
``tests/ops/test_upgrade.py`` migrates databases of an earlier version, ``make prod-check`` and ``make demo``
migrate new ones. ``LANHMANH_TEST_MIGRATIONS=1`` makes the test database by migrating, as before.
"""

from __future__ import annotations

import os

# The data migrations that write reference data into a new database, (app, migration).
SEEDS = {
    ("org", "0002_seed_roles"),
    ("org", "0007_role_write_classes"),
    ("org", "0008_sector_reporter_role"),
    ("people", "0002_legal_catalogue"),
    ("premises", "0002_reference_data"),
    ("enforcement", "0002_hotspot_kinds"),
    ("cases", "0002_catalogue_and_roles"),
    ("communes", "0002_shipped_templates"),
    ("communes", "0004_statistics_layout"),
    ("plans", "0004_audience_groups"),
}
# The data migrations that only rewrite rows a database of an earlier version holds (nothing in a new one).
REWRITES = {
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0011_update_proxy_permissions"),
    ("people", "0005_person_link_keys"),
    ("people", "0008_import_jobs_to_core"),
    ("premises", "0003_establishment_unit_path"),
    ("enforcement", "0003_tip_images_through_uploads"),
    ("indicators", "0003_rollup_version"),
    ("linkage", "0003_runs_on_core_jobs"),
    ("linkage", "0007_pair_levels_key_fill"),
    ("org", "0005_authenticator_encrypted_seed"),
    ("django_tasks_database", "0008_separate_results_field"),
    ("django_tasks_database", "0011_rename_complete_status"),
    ("django_tasks_database", "0013_separate_exception_fields"),
    ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
    ("django_tasks_database", "0018_rename_succeeded_status"),
}


def from_the_models() -> bool:
    return not os.environ.get("LANHMANH_TEST_MIGRATIONS")


class NoMigrations:
    """``MIGRATION_MODULES`` for which no app has migrations: ``migrate`` makes every table from its model.
    ``previous``: the setting it replaces, put back once the database is made."""

    def __init__(self, previous) -> None:
        self.previous = previous

    def __contains__(self, app_label: str) -> bool:
        return True

    def __getitem__(self, app_label: str) -> None:
        return None


def migration_graph(connection):
    """The project's migration graph (every app's migrations, read once)."""
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection, ignore_no_migrations=True).graph


def migrations_in_order(graph) -> list[tuple[str, str]]:
    """Every migration of the project, each after the ones it depends on."""
    ordered: dict[tuple[str, str], None] = {}
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            ordered.setdefault(node, None)
    return list(ordered)


def data_operations(graph) -> list[tuple[tuple[str, str], object]]:
    """(migration, operation) of every operation that is not a change of schema Django derives from the models."""
    from django.db.migrations.operations.special import RunPython, RunSQL

    return [
        (node, operation)
        for node in migrations_in_order(graph)
        for operation in graph.nodes[node].operations
        if isinstance(operation, RunPython | RunSQL)
    ]


def finish(connection) -> None:
    """After the tables were made from the models: record every migration as applied and run the seeds."""
    from django.apps import apps
    from django.db.migrations.operations.special import RunPython
    from django.db.migrations.recorder import MigrationRecorder

    graph = migration_graph(connection)
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(
        [recorder.Migration(app=app, name=name) for app, name in migrations_in_order(graph)]
    )
    with connection.schema_editor() as editor:
        for node, operation in data_operations(graph):
            if node in SEEDS and isinstance(operation, RunPython):
                operation.code(apps, editor)
