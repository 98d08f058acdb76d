from django.db import migrations, models


def backfill(apps, schema_editor):
    Establishment = apps.get_model("premises", "Establishment")
    Unit = apps.get_model("org", "AdministrativeUnit")
    unit_ids = Establishment.objects.values_list("unit_id", flat=True).distinct()
    for pk, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"):
        Establishment.objects.filter(unit_id=pk).update(unit_path=path)


class Migration(migrations.Migration):
    dependencies = [("premises", "0002_reference_data"), ("org", "0002_seed_roles")]

    operations = [
        migrations.AddField(
            model_name="establishment",
            name="unit_path",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=60),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
