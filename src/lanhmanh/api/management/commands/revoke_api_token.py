from django.core.management.base import BaseCommand, CommandError

from lanhmanh.api.models import ApiToken
from lanhmanh.api.services import api_token_revoke


class Command(BaseCommand):
    help = "Thu hồi một khoá API theo tiền tố (phần sau “lm_”, ví dụ 3f9a1c0e) hoặc theo cả khoá."

    def add_arguments(self, parser):
        parser.add_argument(
            "prefix", help="Tiền tố của khoá (8 chữ số thập lục phân) hoặc cả khoá lm_<tiền tố>_<bí mật>."
        )
        parser.add_argument("--reason", default="", help="Lý do thu hồi (ghi vào lịch sử thay đổi).")

    def handle(self, *args, prefix, reason, **options):
        parts = prefix.split("_")
        key = parts[1] if len(parts) == 3 and parts[0] == "lm" else prefix
        token = ApiToken.objects.select_related("user").filter(prefix=key).first()
        if token is None:
            raise CommandError(f"Không có khoá API có tiền tố “{key}”.")
        if token.revoked_at is not None:
            raise CommandError(f"Khoá API “{token.name}” (lm_{token.prefix}_…) đã bị thu hồi trước đó.")
        api_token_revoke(token=token, reason=reason)
        self.stdout.write(
            f"Đã thu hồi khoá API “{token.name}” (lm_{token.prefix}_…) của {token.user.username}."
        )
