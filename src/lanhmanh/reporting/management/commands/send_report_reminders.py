import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lanhmanh.reporting.reminders import reminders_send
from lanhmanh.reporting.services import submissions_lock
from lanhmanh.reporting.tasks import send_report_reminders_task


class Command(BaseCommand):
    help = (
        "Khoá báo cáo của các kỳ đã đóng và gửi nhắc hạn (trước hạn, quá hạn, báo cấp trên). "
        "Chạy hằng ngày (cron); chạy lại trong ngày không gửi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ngay", dest="today", help="Ngày chạy (YYYY-MM-DD), mặc định hôm nay.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Đưa vào hàng đợi django-tasks thay vì chạy ngay."
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        if enqueue:
            result = send_report_reminders_task.enqueue()
            self.stdout.write(f"Đã đưa vào hàng đợi: {result.id}")
            return
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"Ngày “{today}” không hợp lệ (YYYY-MM-DD).") from None
        locked = submissions_lock(today=day)
        count = reminders_send(today=day)
        self.stdout.write(
            f"Đã khoá {locked} báo cáo; nhắc trước hạn {count.before}, quá hạn {count.overdue}, báo cấp trên {count.escalated}."
        )
