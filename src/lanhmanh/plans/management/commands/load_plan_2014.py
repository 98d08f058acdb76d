from django.core.management.base import BaseCommand

from lanhmanh.plans.plan_2014 import load_plan_2014


class Command(BaseCommand):
    help = "Nạp Kế hoạch phòng, chống mại dâm thành phố Hà Nội năm 2014 (10 chỉ tiêu, nhiệm vụ của 16 nhóm cơ quan)."

    def handle(self, *args, **options):
        plan = load_plan_2014()
        self.stdout.write(
            f"{plan.title}: {plan.targets.count()} chỉ tiêu, {plan.duties.count()} nhiệm vụ, "
            f"{sum(d.tasks.count() for d in plan.duties.all())} công việc."
        )
