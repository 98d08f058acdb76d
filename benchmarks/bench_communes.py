"""Healthy communes at national scale: 10,200 communes with five years of approved assessments.

``benchmarks/run.py communes`` (on PostgreSQL: ``BENCH_DATABASE_URL=postgres://…/bench_com``) builds,
once per database, a synthetic national tree beside whatever is there: 60 provinces (codes 40–99),
10 districts each, 17 communes per district (10,200 communes), and approved JR 01/2008 assessments
for 2010–2014 (51,000 assessments, 510,000 item scores, about 85 % healthy), with bulk_create. Then:

* ``communes.<db>.t10_province_by_district``: T10 for one province with its breakdown by district
  (healthy communes and communes valid at the end of 2014, both grouped by district: what the plan
  dashboard evaluates for a share-of-units target), median of BENCH_N runs; budget 300 ms;
* ``communes.<db>.t10_by_province``: T10 for all 60 provinces, the national table
  (``selectors.t10_by_child``: two GROUP BY queries over the path prefix); budget 300 ms; and
  ``…t10_by_province_evaluate``, the same through the indicator registry one province at a time
  (four queries each; printed for comparison, no budget);
* ``communes.<db>.t10_district_table``: ``t10_by_child`` for one province by district; budget 300 ms;
* ``communes.<db>.open_assessment``: the page of one commune's 2014 assessment with its proposals,
  through Django's test client, for the province's coordinator and for the commune's officer (for
  whom small counts are suppressed); budget 300 ms each.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from benchlib import Result, median_ms, repetitions
from django.db import connection, transaction
from django.test import Client, override_settings

BUDGET_MS = 300
PROVINCES = range(40, 100)
DISTRICTS = 10
COMMUNES = 17
YEARS = range(2010, 2015)


@transaction.atomic
def ensure_data() -> dict:
    from lanhmanh.communes.models import Answer, Assessment, AssessmentStatus, CriterionItem
    from lanhmanh.communes.services import template_for_year, templates_load
    from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User

    templates_load()
    template = template_for_year(2014)
    if not AdministrativeUnit.objects.filter(path="40", valid_from__isnull=True).exists():
        rnd = random.Random(2014)
        provinces = [
            AdministrativeUnit(code=f"{p:02d}", name=f"Tỉnh thử {p}", kind="tinh", level=1, path=f"{p:02d}")
            for p in PROVINCES
        ]
        AdministrativeUnit.objects.bulk_create(provinces)
        districts = [
            AdministrativeUnit(
                code=f"{d:03d}",
                name=f"Huyện {p.code}-{d}",
                kind="huyen",
                level=2,
                parent=p,
                path=f"{p.path}.{d:03d}",
            )
            for p in provinces
            for d in range(1, DISTRICTS + 1)
        ]
        AdministrativeUnit.objects.bulk_create(districts, batch_size=1000)
        communes = [
            AdministrativeUnit(
                code=f"{c:05d}",
                name=f"Xã {d.path}-{c}",
                kind="xa",
                level=3,
                parent=d,
                path=f"{d.path}.{c:05d}",
            )
            for d in districts
            for c in range(1, COMMUNES + 1)
        ]
        AdministrativeUnit.objects.bulk_create(communes, batch_size=2000)
        items = list(CriterionItem.objects.filter(group__template=template).order_by("group__order", "order"))
        healthy_class = template.classes.get(healthy=True)
        other_class = template.classes.get(healthy=False)
        total = sum((i.points for i in items), Decimal(0))
        for year in YEARS:
            rows = []
            for c in communes:
                healthy = rnd.random() < 0.85
                rows.append(
                    Assessment(
                        template=template,
                        unit=c,
                        unit_path=c.path,
                        year=year,
                        period_end=dt.date(year, 12, 31),
                        status=AssessmentStatus.APPROVED,
                        self_score=total,
                        score=total if healthy else total - 15,
                        classification=healthy_class if healthy else other_class,
                        healthy=healthy,
                    )
                )
            Assessment.objects.bulk_create(rows, batch_size=2000)
            Answer.objects.bulk_create(
                (Answer(assessment=a, item=i, self_score=i.points) for a in rows for i in items),
                batch_size=5000,
            )
        # The province's coordinator and one commune's officer.
        province = provinces[0]
        commune = communes[0]
        city_agency = Agency.objects.create(
            code="bench-40-dolisa", name="Sở thử", kind="dolisa-pctnxh", unit=province
        )
        commune_agency = Agency.objects.create(
            code="bench-40-001-00001-social", name="Xã thử", kind="commune-social", unit=commune
        )
        coordinator = User.objects.create_user(
            username="bench-dieuphoi-40", agency=city_agency, password="x" * 12
        )
        coordinator.roles.add(Role.objects.get(code=Role.CITY_COORDINATOR))
        officer = User.objects.create_user(
            username="bench-canboxa-40", agency=commune_agency, password="x" * 12
        )
        officer.roles.add(Role.objects.get(code=Role.COMMUNE_OFFICER))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    from lanhmanh.org.models import User

    return {
        "coordinator": User.objects.get(username="bench-dieuphoi-40"),
        "officer": User.objects.get(username="bench-canboxa-40"),
        "assessment": Assessment.objects.get(unit_path="40.001.00001", year=2014, template=template),
    }


def _t10(path: str, by: str | None, user):
    from lanhmanh.indicators.evaluation import evaluate

    healthy = evaluate("communes.healthy_communes", path, "2014", by=by, user=user)
    communes = evaluate("org.communes", path, "2014", by=by, user=user)
    return healthy, communes


def run() -> list[Result]:
    data = ensure_data()
    vendor = connection.vendor
    runs = repetitions()
    coordinator = data["coordinator"]
    from lanhmanh.communes.selectors import t10_by_child

    national = [r for r in t10_by_child(2014) if r.path in {f"{p:02d}" for p in PROVINCES}]
    if len(national) != len(PROVINCES) or national[0].communes != DISTRICTS * COMMUNES:
        raise RuntimeError("unexpected national table")
    healthy, communes = _t10("40", "child", coordinator)
    if len(healthy.rows) != DISTRICTS or communes.total.value != DISTRICTS * COMMUNES:
        raise RuntimeError("unexpected data for province 40")
    results = [
        Result(
            f"communes.{vendor}.t10_province_by_district",
            median_ms(lambda: _t10("40", "child", coordinator), runs=runs),
            "ms",
            BUDGET_MS,
        ),
        Result(
            f"communes.{vendor}.t10_by_province",
            median_ms(lambda: t10_by_child(2014), runs=runs),
            "ms",
            BUDGET_MS,
        ),
        Result(
            f"communes.{vendor}.t10_district_table",
            median_ms(lambda: t10_by_child(2014, "40"), runs=runs),
            "ms",
            BUDGET_MS,
        ),
        Result(
            f"communes.{vendor}.t10_by_province_evaluate",
            median_ms(lambda: [_t10(f"{p:02d}", None, coordinator) for p in PROVINCES], runs=3),
            "ms",
            None,
        ),
    ]
    url = f"/xa-lanh-manh/phieu/{data['assessment'].pk}/"
    for who in ("coordinator", "officer"):
        client = Client()
        client.force_login(data[who])

        def get_page(client=client):
            response = client.get(url)
            if response.status_code != 200 or b"proposal-1.3" not in response.content:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        with override_settings(REQUIRE_2FA=False):
            timing = median_ms(get_page, runs=runs)
        results.append(Result(f"communes.{vendor}.open_assessment.{who}", timing, "ms", BUDGET_MS))
    return results
