from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lanhmanh.core.maintenance import analyze
from lanhmanh.org.models import AdministrativeUnit
from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính Hà Nội năm 2014 (1 thành phố, 30 quận/huyện/thị xã, 584 xã/phường/thị trấn) và các cơ quan."

    def handle(self, *args, **options):
        try:
            created = units_load_hanoi_2014()
            province = AdministrativeUnit.objects.get(path="01", valid_from__isnull=True)
            agencies = agencies_seed(province=province)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        analyze()  # bulk-written rows: fresh statistics for the planner (core.maintenance)
        self.stdout.write(f"Đã tạo {created} đơn vị hành chính, {agencies} cơ quan.")
