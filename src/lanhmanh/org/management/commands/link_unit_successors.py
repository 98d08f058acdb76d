from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lanhmanh.org.successions import package_source, succession_rows, unit_successions_link


class Command(BaseCommand):
    help = (
        "Link pre-reform communes to the communes they became on 1/7/2025, from the vietnamadminunits "
        "package (run after import_units_2025). Idempotent; corrected links are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", help="GSO province code, e.g. 01 (default: every province in the tree)"
        )

    def handle(self, *args, province=None, **options):
        try:
            rows = succession_rows(province_code=province)
            result = unit_successions_link(rows=rows, source=package_source(), province_code=province)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Nguồn: {package_source()}.\n"
            f"Liên kết mới: {result.created}; đã có: {result.kept}; xã nhập nguyên vẹn: {result.whole}; "
            f"xã bị chia: {result.split}.\n"
            f"Không có trong cây đơn vị: {result.missing_old} liên kết (đơn vị cũ), {result.missing_new} (đơn vị mới).\n"
            f"Xã, phường mới tìm theo tên vì mã khác giữa hai nguồn: {result.code_mismatches}.\n"
            f"Xã, phường cũ chưa có liên kết: {len(result.unmapped)}."
        )
        for path in result.unmapped[:50]:
            self.stdout.write(f"  - {path}")
