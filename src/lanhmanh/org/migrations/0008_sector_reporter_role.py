"""The sector reporting officer: a department's, union's or body's focal point who files its report on the
duties the plan gives it (groups 3–15), reading aggregates only."""

from django.db import migrations

from lanhmanh.org.roles import ROLES, WRITE_CLASSES

CODE = "sector-reporter"


def seed(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name, name_en, classes, description in ROLES:
        if code == CODE:
            Role.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "data_classes": classes,
                    "write_classes": [c for c in WRITE_CLASSES.get(code, []) if c in classes],
                    "description": description,
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("org", "Role").objects.filter(code=CODE, users__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0007_role_write_classes")]
    operations = [migrations.RunPython(seed, unseed)]
