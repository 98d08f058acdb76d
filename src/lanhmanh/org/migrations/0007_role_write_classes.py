from django.db import migrations, models

from lanhmanh.org.roles import WRITE_CLASSES


def seed(apps, schema_editor):
    """Each shipped role may change what ``roles.WRITE_CLASSES`` lists (within what it sees)."""
    Role = apps.get_model("org", "Role")
    for role in Role.objects.all():
        role.write_classes = [c for c in WRITE_CLASSES.get(role.code, []) if c in (role.data_classes or [])]
        role.save(update_fields=["write_classes"])


class Migration(migrations.Migration):
    dependencies = [("org", "0006_agency_kind_border_guard")]
    operations = [
        migrations.AddField(
            model_name="role",
            name="write_classes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Chỉ trong số loại dữ liệu được xem.",
                verbose_name="loại dữ liệu được thêm, sửa",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
