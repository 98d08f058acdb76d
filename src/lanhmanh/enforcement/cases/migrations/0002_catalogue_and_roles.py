"""Ship the offence catalogue and the stage time limits (``cases.catalogue``), and the prosecutor role.

Every row is unverified (secondary sources): an administrator corrects rows and sets ``verified``.
Idempotent by code. The court-clerk role is renamed to what it is now that prosecutors have their own.
"""

from django.db import migrations

from lanhmanh.enforcement.cases.catalogue import COURT_CLERK_NAME, PROSECUTOR_ROLE, limit_rows, offence_rows
from lanhmanh.enforcement.cases.models import gravity_for


def seed(apps, schema_editor):
    Offence = apps.get_model("cases", "Offence")
    StageLimit = apps.get_model("cases", "StageLimit")
    Role = apps.get_model("org", "Role")
    for row in offence_rows():
        row = dict(row)
        code = row.pop("code")
        row["gravity"] = gravity_for(row["max_months"], row["life_or_death"])
        Offence.objects.update_or_create(code=code, defaults=row)
    for row in limit_rows():
        row = dict(row)
        code = row.pop("code")
        StageLimit.objects.update_or_create(code=code, defaults=row)
    code, name, name_en, classes, description = PROSECUTOR_ROLE
    Role.objects.get_or_create(
        code=code,
        defaults={"name": name, "name_en": name_en, "data_classes": classes, "description": description},
    )
    name, name_en, description = COURT_CLERK_NAME
    Role.objects.filter(code="court-clerk").update(name=name, name_en=name_en, description=description)


def unseed(apps, schema_editor):
    apps.get_model("cases", "StageLimit").objects.all().delete()
    apps.get_model("cases", "Offence").objects.filter(cases__isnull=True, defendants__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("org", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
