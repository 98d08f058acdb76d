"""``manage.py indicators_rollup_rebuild [CODE …]``: recompute the live rollup rows from the records."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lanhmanh.core.maintenance import analyze
from lanhmanh.indicators.registry import rollup_sources
from lanhmanh.indicators.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Tính lại bảng số liệu tổng hợp sẵn của các chỉ số (sau khi nhập hàng loạt bỏ qua save())."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Mã chỉ số (mặc định: mọi chỉ số có tổng hợp sẵn).")

    def handle(self, *args, codes, **options):
        known = {s.code for s in rollup_sources()}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise CommandError(
                f"Chỉ số không có tổng hợp sẵn: {', '.join(unknown)}. Có: {', '.join(sorted(known))}."
            )
        written = rollup_rebuild(codes=codes or None)
        analyze()  # bulk-written rows: fresh statistics for the planner (core.maintenance)
        self.stdout.write(f"Đã ghi {written} dòng tổng hợp cho {len(codes) or len(known)} chỉ số.")
