"""``manage.py restore FILE --key PRIVATE.pem``: verify a backup, restore it, replay later identity wipes.

Stop the web server and the worker first; restore into the database of DATABASE_URL (a new, empty one
is safest: ``createdb`` then ``manage.py restore``). ``--verify-only`` checks a file without touching
anything (the monthly restore drill can start there).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lanhmanh.ops.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu (kiểm tra toàn vẹn trước; từ chối tệp đã bị thay đổi)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .lmbak")
        parser.add_argument("--key", required=True, help="Khóa riêng PEM của bộ phận CNTT.")
        parser.add_argument("--verify-only", action="store_true", help="Chỉ kiểm tra, không khôi phục.")

    def handle(self, *args, file, key, verify_only=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        try:
            if verify_only:
                manifest = backup_verify(path, key)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Bản sao lưu lúc {manifest['created_at']} nguyên vẹn: {manifest['counts']}"
                    )
                )
                return
            result = backup_restore(path=path, private_key_file=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục bản sao lưu lúc {result.manifest['created_at']}: {result.manifest['counts']}, "
                f"{result.files} tệp tải lên; ẩn danh lại {result.erasures_replayed} hồ sơ đã ẩn danh sau thời điểm đó."
            )
        )
