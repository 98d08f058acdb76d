"""The job rows of the lists written in the background move from the removed ``importjobs`` app to
``core.Job`` (kind "people.import", subject the list): the same ids, statuses, steps, percents, errors
(the encrypted text copied as it is: the same keys read it), task ids and times. Then the old table and
the old app's migration records go. A database made after the app was removed has nothing to move."""

from django.db import migrations

OLD_TABLE = "importjobs_importjob"
KIND = "people.import"  # frozen copy of people.models.PERSON_IMPORT_JOB.code
COLUMNS = (
    "kind, subject_id, owner_id, status, step, percent, errors, task_id, created_at, started_at, finished_at"
)
OLD_COLUMNS = (
    "%s, batch_id, owner_id, status, step, progress, errors, task_id, created_at, started_at, finished_at"
)


def move_import_jobs(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    job_table = apps.get_model("core", "Job")._meta.db_table
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(
            f"INSERT INTO {quote(job_table)} (id, {COLUMNS}) "  # noqa: S608 - fixed names, no input
            f"SELECT id, {OLD_COLUMNS} FROM {quote(OLD_TABLE)} ORDER BY id",
            [KIND],
        )
        if connection.vendor == "postgresql":
            # Rows inserted with their ids: the next job must get a new one.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "  # noqa: S608
                f"FROM {quote(job_table)}",
                [job_table],
            )
        cursor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["importjobs"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_import_rejected_rows_count"),
        ("core", "0008_job"),
    ]

    # The old app is gone: its table cannot come back. Going back keeps the rows in core.Job.
    operations = [migrations.RunPython(move_import_jobs, migrations.RunPython.noop)]
