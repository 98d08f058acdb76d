"""National-scale synthetic data: the two-level tree and five years of records, parameterised by scale.

``DATABASE_URL=postgres://…/bench_national .venv/bin/python benchmarks/national.py --scale 1``
(``bench_national`` runs it when its database is empty). At ``--scale 1``:

* the national tree after the 1/7/2025 reform (34 provinces, 3,321 communes, wards and special zones,
  from the ``vietnam-provinces`` package: ``org.services.units_import_2025``), and for each province its
  police and its labour department, for each commune its police and its officer for social affairs;
* 1,000,000 persons (identity encrypted, blind indexes computed, as ``people.bulk`` does), living in
  communes drawn with the weight of their province's size;
* 3,000,000 violations (three per person) over five years (2021–2025), nine in ten in the person's
  province, recorded by the place's commune police, each with its sanction decision (warning or fine
  under the decree in force that day);
* 100,000 establishments (owner encrypted, duplicate keys computed as ``Establishment.save`` does);
* a monthly commune report form of the two-level tree and its reports for the 60 months (≈ 200,000,
  most approved, some late, some missing): what the completeness page counts;
* then ``ANALYZE`` of every table written and the indicator rollup rebuilt (``indicators_rollup_rebuild``).

Rows are built in Python and written with PostgreSQL's ``COPY`` in batches (explicit ids, sequences set
after; persons and establishments as model instances, so that their fields encrypt and index themselves;
violations and decisions as tuples over a template row; foreign-key triggers off for the loading
transactions, ``without_row_triggers``); on SQLite (the tests, at a tiny scale) with ``bulk_create``. The same ``--seed`` gives the same
data. Nothing is audited or validated one row at a time: the rows are the ones the services would accept.
Records dated before 1/7/2025 are filed under the post-reform commune (as ``link_unit_successors`` would
count them); the tree's own history is not simulated. The tables written must be empty (a fresh database):
the generator refuses otherwise, so a second run cannot double the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

PERSONS = 1_000_000
VIOLATIONS_PER_PERSON = 3
ESTABLISHMENTS = 100_000
YEARS = (2021, 2022, 2023, 2024, 2025)
FORM_CODE = "xa-thang-2025"
BATCH = 20_000
# What varies from one violation or decision to the next (the rest is the same for all: ``write_varying``).
VIOLATION_COLUMNS = (
    "id",
    "person_id",
    "occurred_at",
    "place_unit_id",
    "act_id",
    "role",
    "recording_agency_id",
)
DECISION_COLUMNS = (
    "id",
    "violation_id",
    "number",
    "authority_id",
    "decided_on",
    "kind",
    "amount",
    "payment_status",
    "paid_on",
)


def log(message: str) -> None:
    print(f"# national: {message}", file=sys.stderr, flush=True)


def write_rows(model, objects: list, *, next_id: int) -> int:
    """Insert model instances as they are (ids given here, from ``next_id``); return the next free id.

    PostgreSQL: one ``COPY`` with every concrete column, values prepared by the fields themselves (so
    encrypted fields are encrypted); elsewhere ``bulk_create``."""
    from django.db import connection

    for offset, obj in enumerate(objects):
        obj.pk = next_id + offset
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=500)
        return next_id + len(objects)
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row(
                [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in fields]
            )
    return next_id + len(objects)


def write_varying(model, rows: Iterable[tuple], *, columns: tuple[str, ...], template: dict) -> int:
    """Insert rows given as tuples of ``columns`` (attribute names, ``id`` first, values ready for the
    database), every other column taken from one instance built with ``template`` (its defaults, as the
    fields prepare them). No model instance per row: the violations and decisions of the national data
    set are millions. Returns the number written."""
    from django.db import connection

    obj = model(**template)
    fields = list(model._meta.concrete_fields)
    fixed = [f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in fields]
    at = [next(i for i, f in enumerate(fields) if f.attname == c) for c in columns]
    written = 0
    if connection.vendor != "postgresql":
        objects = []
        for row in rows:
            values = dict(zip((fields[i].attname for i in at), row, strict=True))
            objects.append(model(**{**template, **values}))
        model.objects.bulk_create(objects, batch_size=500)
        return len(objects)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = list(fixed)
            for i, value in zip(at, row, strict=True):
                values[i] = value
            copy.write_row(values)
            written += 1
    return written


def without_row_triggers() -> None:
    """On PostgreSQL, for the rest of the transaction: no foreign-key triggers per row written (the rows
    refer to ids written just before, in the same transaction; checking millions of them one by one is
    most of PostgreSQL's work in a COPY). Needs a superuser, as the benchmark's database has."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")


def first_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(models: Iterable) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze(tables: Iterable[str]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def tree(province_code: str | None = None) -> tuple[list, dict[str, list], dict[str, dict[str, int]]]:
    """The national tree (or one province of it) and its agencies (created if missing): communes,
    communes by province, agency ids by kind and unit path."""
    from lanhmanh.org.models import AdministrativeUnit, Agency, AgencyKind
    from lanhmanh.org.services import REFORM_2025, units_import_2025

    if not AdministrativeUnit.objects.filter(valid_from=REFORM_2025).exists():
        started = time.perf_counter()
        result = units_import_2025(province_code=province_code)
        log(f"national tree: {result.provinces} provinces, {result.communes} communes "
            f"({time.perf_counter() - started:.0f} s)")  # fmt: skip
    units = list(AdministrativeUnit.objects.filter(valid_from=REFORM_2025).order_by("path"))
    provinces = [u for u in units if u.parent_id is None]
    communes = [u for u in units if u.parent_id is not None]
    existing = set(Agency.objects.values_list("code", flat=True))
    new = []
    for unit in provinces:
        for kind, code, name in (
            (AgencyKind.POLICE, "police", "Công an"),
            (AgencyKind.DOLISA, "dolisa", "Sở Nội vụ (lao động, xã hội)"),
            (AgencyKind.STEERING_COMMITTEE, "steering", "Ban Chỉ đạo"),
        ):
            if f"n-{unit.path}-{code}" not in existing:
                new.append(
                    Agency(code=f"n-{unit.path}-{code}", kind=kind, name=f"{name} {unit.name}", unit=unit)
                )
    for unit in communes:
        for kind, code, name in (
            (AgencyKind.POLICE, "police", "Công an"),
            (AgencyKind.COMMUNE_SOCIAL, "social", "Cán bộ văn hóa - xã hội"),
        ):
            if f"n-{unit.path.replace('.', '-')}-{code}" not in existing:
                new.append(
                    Agency(
                        code=f"n-{unit.path.replace('.', '-')}-{code}",
                        kind=kind,
                        name=f"{name} {unit.name}",
                        unit=unit,
                        plan_group=2 if kind == AgencyKind.POLICE else 16,
                    )
                )
    Agency.objects.bulk_create(new, batch_size=1_000)
    agencies: dict[str, dict[str, int]] = {}
    for pk, kind, path in Agency.objects.filter(code__startswith="n-").values_list(
        "pk", "kind", "unit__path"
    ):
        agencies.setdefault(kind, {})[path] = pk
    by_province: dict[str, list] = {}
    for unit in communes:
        by_province.setdefault(unit.path.split(".")[0], []).append(unit)
    return communes, by_province, agencies


def generate(
    scale: float = 1.0,
    *,
    seed: int = 2025,
    years: tuple[int, ...] = YEARS,
    province_code: str | None = None,
    progress: Callable[[str], None] = log,
) -> dict:
    """Write the national data set at ``scale`` (1 = the issue's size) over ``years``; ``province_code``
    keeps one province (the tests). Returns the counts written."""
    from django.db import connection, transaction

    from lanhmanh.people.models import Person, SanctionDecision, Violation
    from lanhmanh.premises.models import Establishment
    from lanhmanh.reporting.models import Submission

    for model in (Person, Violation, Establishment, Submission):
        if model._meta.base_manager.exists():
            raise SystemExit(
                f"{model._meta.db_table} is not empty: the national data set is written to a fresh database."
            )
    started = time.perf_counter()
    rng = random.Random(seed)
    communes, by_province, agencies = tree(province_code)
    counts = {"provinces": len(by_province), "communes": len(communes)}
    with transaction.atomic():
        without_row_triggers()
        counts["persons"], counts["violations"] = _people(
            rng, scale, years, communes, by_province, agencies, progress
        )
    with transaction.atomic():
        without_row_triggers()
        counts["establishments"] = _establishments(rng, scale, communes)
    progress(f"{counts['establishments']:,} establishments ({time.perf_counter() - started:.0f} s)")
    with transaction.atomic():
        without_row_triggers()
        counts["reports"] = _reports(rng, years, communes, agencies)
    progress(f"{counts['reports']:,} monthly reports ({time.perf_counter() - started:.0f} s)")
    reset_sequences([Person, Violation, SanctionDecision, Establishment, Submission])
    analyze(
        [
            "people_person",
            "people_violation",
            "people_sanctiondecision",
            Establishment._meta.db_table,
            Submission._meta.db_table,
            "org_agency",
            "org_administrativeunit",
        ]
    )
    rollup_started = time.perf_counter()
    from django.core.management import call_command

    call_command("indicators_rollup_rebuild", verbosity=0)
    analyze(["indicators_rollup"])
    progress(f"indicator rollup rebuilt in {time.perf_counter() - rollup_started:.0f} s")
    counts["seconds"] = round(time.perf_counter() - started)
    progress(f"done on {connection.vendor}: {counts}")
    return counts


def _people(rng, scale, years, communes, by_province, agencies, progress) -> tuple[int, int]:
    from django.utils import timezone

    from lanhmanh.people.bulk import full_name, id_number, sanction_draw
    from lanhmanh.people.models import LegalAct, Person, SanctionDecision, Violation

    police = agencies["police"]
    provinces = sorted(by_province)
    weights = [len(by_province[p]) for p in provinces]
    acts = list(LegalAct.objects.filter(kind__in=["selling", "buying"]))
    wanted = max(1, round(PERSONS * scale))
    first_day = dt.date(years[0], 1, 1)
    span = (dt.date(years[-1], 12, 31) - first_day).days
    acts_on: dict[tuple[int, int, str], LegalAct] = {}

    def act_for(day: dt.date, kind: str) -> LegalAct:
        key = (day.year, day.month, kind)
        if key not in acts_on:
            month_start = dt.date(day.year, day.month, 1)
            acts_on[key] = next(a for a in acts if a.kind == kind and a.in_force_on(month_start))
        return acts_on[key]

    local = timezone.get_current_timezone()  # 21:00 local time, on the day of the year drawn
    violation_template = {"recording_officer_name": "Cán bộ lập biên bản"}
    decision_template = {"payment_status": "n/a"}
    person_id, violation_id, decision_id = first_id(Person), first_id(Violation), first_id(SanctionDecision)
    started = time.perf_counter()
    done = violations = 0
    number = 0
    while done < wanted:
        size = min(BATCH, wanted - done)
        persons = []
        homes = []
        for _ in range(size):
            province = rng.choices(provinces, weights)[0]
            home = rng.choice(by_province[province])
            female = rng.random() < 0.8
            birth = dt.date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
            persons.append(
                Person(
                    full_name=full_name(rng, female=female),
                    sex="female" if female else "male",
                    birth_date=birth,
                    birth_year=birth.year,
                    id_number=id_number(rng, female=female, birth_year=birth.year),
                    permanent_unit_id=home.pk,
                    permanent_address=f"Số {rng.randint(1, 300)}",
                    phone=f"09{rng.randint(0, 99_999_999):08d}",
                )
            )
            homes.append(home)
        for person in persons:
            person.refresh_indexes()
        person_id = write_rows(Person, persons, next_id=person_id)
        rows, decisions = [], []
        for person, home in zip(persons, homes, strict=True):
            province = home.path.split(".")[0]
            for _k in range(VIOLATIONS_PER_PERSON):
                place = rng.choice(by_province[province]) if rng.random() < 0.9 else rng.choice(communes)
                day = first_day + dt.timedelta(days=rng.randint(0, span))
                kind = "selling" if person.sex == "female" else "buying"
                act = act_for(day, kind)
                authority = police[place.path]
                number += 1
                occurred = dt.datetime(day.year, day.month, day.day, 21, 0, tzinfo=local)
                role = "seller" if kind == "selling" else "buyer"
                rows.append((violation_id, person.pk, occurred, place.pk, act.pk, role, authority))
                drawn = sanction_draw(rng, act, day)
                decisions.append(
                    (
                        decision_id,
                        violation_id,
                        f"{number}/QĐ-XPHC",
                        authority,
                        drawn["decided_on"],
                        drawn["kind"],
                        drawn["amount"],
                        drawn["payment_status"],
                        drawn["paid_on"],
                    )
                )
                violation_id += 1
                decision_id += 1
        write_varying(Violation, rows, columns=VIOLATION_COLUMNS, template=violation_template)
        write_varying(SanctionDecision, decisions, columns=DECISION_COLUMNS, template=decision_template)
        done += size
        violations += len(rows)
        if done % 100_000 == 0 or done == wanted:
            progress(f"{done:,} persons, {violations:,} violations ({time.perf_counter() - started:.0f} s)")
    return done, violations


ESTABLISHMENT_NAMES = (
    "Nhà nghỉ",
    "Khách sạn",
    "Karaoke",
    "Massage",
    "Quán bar",
    "Vũ trường",
    "Cơ sở xông hơi",
)


def _establishments(rng, scale, communes) -> int:
    from lanhmanh.people.bulk import full_name, id_number
    from lanhmanh.premises.models import Establishment, EstablishmentKind

    kinds = list(EstablishmentKind.objects.all())
    wanted = max(1, round(ESTABLISHMENTS * scale))
    next_id = first_id(Establishment)
    done = 0
    while done < wanted:
        size = min(BATCH, wanted - done)
        batch = []
        for i in range(done, done + size):
            unit = rng.choice(communes)
            individual = rng.random() < 0.7
            establishment = Establishment(
                kind=rng.choice(kinds),
                name=f"{rng.choice(ESTABLISHMENT_NAMES)} {full_name(rng, female=rng.random() < 0.5).split()[-1]} {i}",
                address=f"Số {rng.randint(1, 500)} đường {rng.randint(1, 80)}",
                unit=unit,
                registration_number=f"{rng.randint(1, 96):02d}A8{rng.randint(0, 9_999_999):07d}",
                owner_type="individual" if individual else "organisation",
                owner_name=full_name(rng, female=rng.random() < 0.5) if individual else "",
                owner_id_number=id_number(rng, female=False, birth_year=rng.randint(1960, 1995))
                if individual
                else "",
                organisation_name="" if individual else f"Công ty TNHH Dịch vụ {i}",
                rooms=rng.randint(3, 60),
                opened_on=dt.date(rng.randint(2005, 2025), rng.randint(1, 12), 1),
                in_condom_programme=rng.random() < 0.3,
            )
            establishment.refresh_keys()
            batch.append(establishment)
        next_id = write_rows(Establishment, batch, next_id=next_id)
        done += size
    return done


def _reports(rng, years, communes, agencies) -> int:
    """A monthly commune report form of the two-level tree and its reports for every month of ``years``."""
    from lanhmanh.core.periods import parse
    from lanhmanh.reporting.models import ReportForm, Submission

    form, _created = ReportForm.objects.get_or_create(
        code=FORM_CODE,
        defaults={
            "name": "Báo cáo tháng của xã, phường, đặc khu về phòng, chống mại dâm (sau 1/7/2025)",
            "short_name": "Báo cáo tháng cấp xã (2025)",
            "periodicity": "month",
            "submitter_level": communes[0].level,
            "submitter_agency_kind": "commune-social",
            "deadline_rule": "day-of-next-month",
            "deadline_value": 5,
        },
    )
    social = agencies["commune-social"]
    next_id = first_id(Submission)
    written = 0
    for year in years:
        batch = []
        for month in range(1, 13):
            period = parse(f"{year}{month:02d}")
            due = form.deadline_for(period)
            for unit in communes:
                draw = rng.random()
                if draw < 0.03:
                    continue  # not sent: the completeness page lists it as late
                sent = dt.datetime(due.year, due.month, due.day, 9, 0, tzinfo=dt.UTC) + dt.timedelta(
                    days=rng.choice((-4, -2, -1, 0, 0, 1, 3)) if draw < 0.9 else rng.randint(4, 20)
                )
                approved = draw < 0.85
                batch.append(
                    Submission(
                        form=form,
                        agency_id=social[unit.path],
                        unit_id=unit.pk,
                        unit_path=unit.path,
                        period_id=period.id,
                        period_start=period.start,
                        period_end=period.end,
                        due_date=due,
                        status="approved" if approved else "submitted",
                        first_submitted_at=sent,
                        submitted_at=sent,
                        on_time=sent.date() <= due,
                        decided_at=sent + dt.timedelta(days=2) if approved else None,
                    )
                )
        next_id = write_rows(Submission, batch, next_id=next_id)
        written += len(batch)
    return written


def setup() -> None:
    here = Path(__file__).resolve().parent
    os.environ.setdefault("LANHMANH_ENV", "test")
    os.environ.setdefault("LANHMANH_VAR_DIR", str(here.parent / "var" / "national"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")
    sys.path.insert(0, str(here.parent))
    sys.path.insert(0, str(here.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000,000 persons (the issue's size)")
    parser.add_argument("--seed", type=int, default=2025)
    options = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL=postgres://… (a fresh database for the national data set)", file=sys.stderr)
        return 2
    setup()
    generate(options.scale, seed=options.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
