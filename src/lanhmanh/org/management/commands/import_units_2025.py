"""Import the national list of provinces and communes valid from 1/7/2025 (after the reform)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lanhmanh.core.maintenance import analyze
from lanhmanh.org.services import units_import_2025


class Command(BaseCommand):
    help = (
        "Nhập danh mục đơn vị hành chính sau ngày 1/7/2025 (34 tỉnh, thành phố; hai cấp) "
        "từ gói vietnam-provinces, là phiên bản mới của cây đơn vị."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            metavar="MÃ",
            help="Chỉ nhập một tỉnh, thành phố (mã 2 chữ số, vd. 01 là Hà Nội).",
        )

    def handle(self, *args, province=None, **options):
        if province is not None and not (province.isdigit() and len(province) == 2):
            raise CommandError(f"Mã tỉnh, thành phố “{province}” không hợp lệ: cần 2 chữ số, vd. 01.")
        try:
            result = units_import_2025(province_code=province)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        analyze()  # bulk-written rows: fresh statistics for the planner (core.maintenance)
        self.stdout.write(
            f"Tỉnh, thành phố: {result.provinces}; xã, phường, đặc khu: {result.communes}.\n"
            f"Tạo mới: {result.created}; giữ nguyên: {result.kept}; "
            f"đóng hiệu lực (30/6/2025): {result.closed}; liên kết kế thừa: {result.successor_links}."
        )
