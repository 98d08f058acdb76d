import uuid

from django.db import migrations, models


def tokens_for_existing_rollups(apps, schema_editor):
    """A first token for every source that already has rollup rows (later writes give new ones)."""
    Rollup = apps.get_model("indicators", "Rollup")
    RollupVersion = apps.get_model("indicators", "RollupVersion")
    sources = Rollup.objects.using(schema_editor.connection.alias).values_list("source", flat=True).distinct()
    RollupVersion.objects.using(schema_editor.connection.alias).bulk_create(
        [RollupVersion(source=source, token=uuid.uuid4().hex) for source in sources]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(max_length=80, unique=True)),
                ("token", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "phiên bản số liệu tổng hợp sẵn",
                "verbose_name_plural": "phiên bản số liệu tổng hợp sẵn",
            },
        ),
        migrations.RunPython(tokens_for_existing_rollups, migrations.RunPython.noop),
    ]
