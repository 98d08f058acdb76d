from django.db import migrations


def seed(apps, schema_editor):
    from lanhmanh.enforcement.kinds import KINDS

    HotspotKind = apps.get_model("enforcement", "HotspotKind")
    for order, (code, name, name_en) in enumerate(KINDS, start=1):
        HotspotKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
