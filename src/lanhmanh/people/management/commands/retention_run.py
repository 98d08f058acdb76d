"""``manage.py retention_run [--dry-run]``: pseudonymise persons due for retention and wipe the kept cells
of Excel imports older than a day (schedule it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lanhmanh.people.privacy import retention_run, retention_years


class Command(BaseCommand):
    help = "Ẩn danh hồ sơ không còn vi phạm được tính và không có hoạt động trong RETENTION_YEARS năm."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không ẩn danh.")

    def handle(self, *args, dry_run: bool = False, **options):
        result = retention_run(dry_run=dry_run)
        for item in result.due:
            self.stdout.write(
                f"{item.pseudonym}\thoạt động cuối {item.last_activity:%d/%m/%Y}"
                + (f"\tvi phạm được tính đến {item.counted_until:%d/%m/%Y}" if item.counted_until else "")
            )
        if dry_run:
            self.stdout.write(
                f"{len(result.due)} hồ sơ đến hạn ẩn danh (thời hạn {retention_years()} năm); chưa thay đổi gì."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Đã ẩn danh {result.done} hồ sơ."))
            self.stdout.write(
                f"Đã xóa nội dung {result.imports_wiped} lượt nhập Excel quá một ngày (bản xem trước, dòng lỗi)."
            )
