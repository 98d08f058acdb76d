"""The old image columns go once 0003 has moved every image into ``core.uploads`` (a migration of its
own: PostgreSQL refuses to alter a table with pending deferred-constraint checks in one transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0003_tip_images_through_uploads")]

    operations = [
        migrations.RemoveField(model_name="tipattachment", name="image"),
        migrations.RemoveField(model_name="tipattachment", name="content_type"),
        migrations.RemoveField(model_name="tipattachment", name="size"),
        migrations.RemoveField(model_name="tipattachment", name="width"),
        migrations.RemoveField(model_name="tipattachment", name="height"),
        migrations.AlterField(
            model_name="tipattachment",
            name="file",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.storedfile"
            ),
        ),
    ]
