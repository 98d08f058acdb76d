from django.db import migrations


def load(apps, schema_editor):
    from lanhmanh.premises import reference

    reference.load(apps)
    # Commune officers sit on the commune Team 178: they read the establishments of their commune.
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code="commune-officer"):
        if "establishment" not in role.data_classes:
            role.data_classes = [*role.data_classes, "establishment"]
            role.save(update_fields=["data_classes"])


def unload(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for role in Role.objects.filter(code="commune-officer"):
        role.data_classes = [c for c in role.data_classes if c != "establishment"]
        role.save(update_fields=["data_classes"])


class Migration(migrations.Migration):
    dependencies = [("premises", "0001_initial"), ("org", "0002_seed_roles")]

    operations = [migrations.RunPython(load, unload)]
