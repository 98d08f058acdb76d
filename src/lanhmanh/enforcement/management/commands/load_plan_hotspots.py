from django.apps import apps
from django.core.management.base import BaseCommand

from lanhmanh.enforcement.plan_hotspots import plan_hotspots_load


class Command(BaseCommand):
    help = "Đưa các tụ điểm được nêu tên trong chỉ tiêu T02 của các kế hoạch vào sổ theo dõi (chạy lại không sao)."

    def handle(self, *args, **options):
        total = sum(
            plan_hotspots_load(plan)
            for plan in apps.get_model("plans", "Plan").objects.filter(parent__isnull=True)
        )
        self.stdout.write(f"Đã đưa {total} tụ điểm vào sổ theo dõi.")
