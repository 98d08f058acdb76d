from django.db import migrations

from lanhmanh.org.roles import ROLES


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name, name_en, classes, description in ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "data_classes": classes, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
