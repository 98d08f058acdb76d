"""The audience groups of communication work (plans/data/audience_groups.json): the 2014 plan's priority
audiences (II.2.2) and the general ones. Data, not code: an administrator may rename, add or retire
groups in the admin."""

from django.db import migrations


def seed(apps, schema_editor):
    from lanhmanh.plans.audiences import load_groups  # noqa: PLC0415 -- entry-point: a migration's data loader

    load_groups(apps.get_model("plans", "AudienceGroup"))


def unseed(apps, schema_editor):
    apps.get_model("plans", "AudienceGroup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_activity_audience_duty_allocation")]
    operations = [migrations.RunPython(seed, unseed)]
