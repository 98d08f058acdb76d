"""Load the shipped assessment templates (data/templates.json): JR 01/2008 and the city's trọng điểm
classification, every item unverified until the city coordinator checks it against the original."""

import json
from decimal import Decimal
from importlib import resources

from django.db import migrations


def load(apps, schema_editor):
    Template = apps.get_model("communes", "AssessmentTemplate")
    Classification = apps.get_model("communes", "Classification")
    Group = apps.get_model("communes", "CriteriaGroup")
    Item = apps.get_model("communes", "CriterionItem")
    data = json.loads(
        resources.files("lanhmanh.communes").joinpath("data", "templates.json").read_text("utf-8")
    )
    for spec in data["templates"]:
        if Template.objects.filter(code=spec["code"]).exists():
            continue
        template = Template.objects.create(
            code=spec["code"],
            title=spec["title"],
            purpose=spec["purpose"],
            legal_text=spec["legal_text"],
            year_from=spec["year_from"],
            year_to=spec.get("year_to"),
            pass_note=spec.get("pass_note", ""),
            note=data.get("note", ""),
        )
        for order, cls in enumerate(spec["classes"], start=1):
            Classification.objects.create(
                template=template,
                order=order,
                code=cls["code"],
                name=cls["name"],
                min_score=Decimal(str(cls["min_score"])),
                needs_mandatory=cls["needs_mandatory"],
                healthy=cls["healthy"],
            )
        for g_order, g in enumerate(spec["groups"], start=1):
            group = Group.objects.create(template=template, order=g_order, title=g["title"])
            for i_order, it in enumerate(g["items"], start=1):
                Item.objects.create(
                    group=group,
                    order=i_order,
                    code=it["code"],
                    text=it["text"],
                    points=Decimal(str(it["points"])),
                    mandatory=it.get("mandatory", False),
                    source=it.get("source") or f"{spec['legal_text']} (cần đối chiếu văn bản gốc)",
                    verified=it.get("verified", False),
                    indicator_code=it.get("indicator_code", ""),
                    rule=it.get("rule", ""),
                    threshold=it.get("threshold"),
                )


class Migration(migrations.Migration):
    dependencies = [("communes", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
