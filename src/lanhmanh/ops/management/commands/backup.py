"""``manage.py backup``: an encrypted backup of the database and the uploaded files (schedule it nightly)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lanhmanh.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp tải lên, mã hóa bằng khóa công khai của bộ phận CNTT."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", help="Thư mục lưu (mặc định BACKUP_DIR).")
        parser.add_argument("--public-key", help="Khóa công khai PEM (mặc định BACKUP_PUBLIC_KEY_FILE).")

    def handle(self, *args, output_dir=None, public_key=None, **options):
        try:
            result = backup_create(
                directory=Path(output_dir) if output_dir else None, public_key_file=public_key
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu: {result.path} ({result.size // 1024} KB, {result.files} tệp tải lên), SHA-256 {result.sha256}"
            )
        )
        for path in result.removed:
            self.stdout.write(f"Đã xóa bản sao lưu quá hạn: {path.name}")
