from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format

from lanhmanh.api.models import ApiTokenScope
from lanhmanh.api.services import MAX_TOKEN_DAYS, api_token_create

DEFAULT_DAYS = 90


class Command(BaseCommand):
    help = (
        "Cấp một khoá API hành động thay mặt người dùng USERNAME (trong địa bàn cơ quan của người đó). "
        "Khoá chỉ được in ra một lần."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Tên đăng nhập của người dùng mà khoá hành động thay mặt.")
        # Scope and days are checked here, not by argparse, so that errors come out in Vietnamese.
        parser.add_argument("--scope", required=True, help="read (chỉ đọc) hoặc write (đọc và ghi).")
        parser.add_argument(
            "--days",
            default=str(DEFAULT_DAYS),
            help=f"Số ngày hiệu lực, 1–{MAX_TOKEN_DAYS} (mặc định {DEFAULT_DAYS}).",
        )
        parser.add_argument(
            "--name", default="", help="Tên gợi nhớ của khoá (mặc định: tên cơ quan và phạm vi)."
        )

    def handle(self, *args, username, scope, days, name, **options):
        if scope not in ApiTokenScope.values:
            raise CommandError(f"Phạm vi “{scope}” không hợp lệ; chỉ nhận “read” hoặc “write”.")
        try:
            days_value = int(days)
        except ValueError:
            raise CommandError(
                f"--days phải là số nguyên từ 1 đến {MAX_TOKEN_DAYS} (nhận được: “{days}”)."
            ) from None
        if not 1 <= days_value <= MAX_TOKEN_DAYS:
            raise CommandError(
                f"--days phải là số nguyên từ 1 đến {MAX_TOKEN_DAYS} (nhận được: {days_value})."
            )
        user = get_user_model().objects.select_related("agency").filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{username}”.")
        name = name.strip() or f"{user.agency.name} ({ApiTokenScope(scope).label})"
        try:
            token, raw = api_token_create(user=user, name=name[:100], scope=scope, days=days_value)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        expires = date_format(timezone.localtime(token.expires_at), "SHORT_DATETIME_FORMAT")
        self.stdout.write(
            f"Đã cấp khoá API “{token.name}” cho {user.username} ({user.agency.name}), "
            f"phạm vi {token.scope}, hết hạn {expires}.\n"
            "Lưu khoá dưới đây ngay: hệ thống chỉ giữ mã băm, không hiển thị lại khoá này.\n"
        )
        self.stdout.write(raw)
