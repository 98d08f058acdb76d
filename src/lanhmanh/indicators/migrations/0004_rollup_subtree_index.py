from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_rollup_version"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(
                fields=["source", "dims", "unit_path", "month"],
                name="rollup_subtree",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ),
    ]
