from django.core.management.base import BaseCommand

from lanhmanh.reporting.services import report_forms_load


class Command(BaseCommand):
    help = "Nạp (hoặc cập nhật) các biểu mẫu báo cáo định kỳ, đột xuất theo kế hoạch. Chạy lại nhiều lần không sao."

    def handle(self, *args, **options):
        created = report_forms_load()
        self.stdout.write(f"Đã nạp biểu mẫu báo cáo ({created} biểu mẫu mới).")
