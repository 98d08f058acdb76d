"""Re-encrypt every encrypted field with the current primary key (the first of FIELD_ENCRYPTION_KEYS).

Rotation: put the new key first in LANHMANH_FIELD_KEYS (keep the old ones after it), run this
command, then remove the old keys. The whole run is one transaction: either every value is
re-encrypted or, if any value cannot be decrypted with the configured keys, nothing changes.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast

from lanhmanh.core.crypto import EncryptedTextField, encrypted_fields, rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the current primary key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, verbosity: int, **options):
        total = 0
        with transaction.atomic():
            for model in apps.get_models():
                fields = encrypted_fields(model)
                if not fields:
                    continue
                count = self._rotate_model(model, fields, batch_size)
                total += count
                if verbosity:
                    self.stdout.write(f"{model._meta.label}: {count} bản ghi đã mã hóa lại.")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Xong: {total} bản ghi."))

    def _rotate_model(self, model, fields: list[EncryptedTextField], batch_size: int) -> int:
        # Read the stored tokens as they are (no decryption on load) and rotate them, batch by batch.
        columns = [f.column for f in fields]
        manager = model._base_manager
        last_pk = None
        count = 0
        while True:
            queryset = manager.order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            rows = list(queryset.values_list("pk", *[_raw(c) for c in columns])[:batch_size])
            if not rows:
                return count
            for pk, *tokens in rows:
                updates = {
                    column: rotate(token) for column, token in zip(columns, tokens, strict=True) if token
                }
                if updates:
                    _update_raw(model, pk, updates)
            count += len(rows)
            last_pk = rows[-1][0]


def _raw(column: str) -> Cast:
    """The stored token, read without the field's decryption."""
    return Cast(F(column), output_field=TextField())


def _update_raw(model, pk, updates: dict[str, str]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in updates)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",  # noqa: S608 - quoted identifiers of our own models
            [*updates.values(), pk],
        )
