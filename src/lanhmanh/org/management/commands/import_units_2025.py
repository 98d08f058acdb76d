"""Import the national list of provinces and communes valid from 1/7/2025 (after the reform)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lanhmanh.core.maintenance import analyze
from lanhmanh.org.models import AdministrativeUnit, UnitLevel
from lanhmanh.org.services import REFORM_2025, agencies_seed_communes, units_import_2025


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
        parser.add_argument(
            "--co-quan",
            dest="agencies",
            action="store_true",
            help="Tạo các cơ quan cấp xã (UBND, Công an, Phòng VH-XH, Đội 178, Hội LHPN) cho từng xã, phường mới.",
        )

    def handle(self, *args, province=None, agencies=False, **options):
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
        if agencies:
            provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).valid_on(REFORM_2025)
            if province is not None:
                provinces = provinces.filter(path=province)
            created = sum(agencies_seed_communes(province=p, day=REFORM_2025) for p in provinces)
            self.stdout.write(f"Cơ quan cấp xã tạo mới: {created}.")
