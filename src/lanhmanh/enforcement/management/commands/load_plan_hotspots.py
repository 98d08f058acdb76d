from django.apps import apps
from django.core.management.base import BaseCommand

from lanhmanh.enforcement.plan_hotspots import plan_hotspots_load


class Command(BaseCommand):
    help = (
        "Đưa các tụ điểm được nêu tên trong chỉ tiêu T02 của các kế hoạch vào sổ theo dõi, gắn danh sách tụ điểm "
        "của kế hoạch sao chép với tụ điểm của kế hoạch gốc (chạy lại không sao)."
    )

    def handle(self, *args, **options):
        # By year: a copied plan's lists are linked after those of the plan it was copied from.
        total = sum(
            plan_hotspots_load(plan)
            for plan in apps.get_model("plans", "Plan")
            .objects.filter(parent__isnull=True)
            .order_by("year", "pk")
        )
        self.stdout.write(f"Đã gắn {total} mục chỉ tiêu với sổ theo dõi tụ điểm.")
