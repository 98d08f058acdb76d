"""``manage.py backup_keygen DIR``: the IT office's key pair for backups (run it on the IT office's machine)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from lanhmanh.ops.backup import generate_key_pair


class Command(BaseCommand):
    help = "Tạo cặp khóa sao lưu: khóa công khai đặt trên máy chủ, khóa riêng bộ phận CNTT giữ (ngoại tuyến)."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        private, public = generate_key_pair(Path(directory))
        self.stdout.write(f"Khóa công khai (đặt BACKUP_PUBLIC_KEY_FILE): {public}")
        self.stdout.write(f"Khóa riêng (cất ngoại tuyến, KHÔNG để trên máy chủ): {private}")
