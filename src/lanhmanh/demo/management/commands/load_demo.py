"""``manage.py load_demo``: load the demo data of every app (idempotent) and print the demo logins."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from lanhmanh.core.maintenance import analyze
from lanhmanh.demo.loader import load_demo
from lanhmanh.demo.steps.org import ACCOUNTS
from lanhmanh.org.enrolment import enrolment_code_issue


class Command(BaseCommand):
    help = "Nạp dữ liệu demo (đơn vị hành chính Hà Nội 2014, cơ quan, một tài khoản cho mỗi vai trò)."

    def handle(self, *args, **options):
        try:
            # Report notifications written by the demo are not mail anyone should read: keep them out
            # of the console (the running app still sends its reminders through EMAIL_BACKEND).
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                context = load_demo()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        analyze()  # bulk-written rows: fresh statistics for the planner (core.maintenance)
        for note in context.notes:
            self.stdout.write(note)
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Lành Mạnh demo: http://{host}:{port}/"))
        rows = [("Đăng nhập", "Mật khẩu", "Mã đăng ký 2FA", "Họ và tên", "Vai trò", "Cơ quan")]
        main_roles = [account.role for account in ACCOUNTS]
        extra = [key for key in context.accounts if key not in main_roles]  # e.g. a vocational school's login
        for key in [*main_roles, *extra]:
            user = context.accounts[key]
            role = user.roles.get()
            rows.append(
                (
                    user.username,
                    context.password,
                    _enrolment_code(user),
                    f"{user.last_name} {user.first_name}",
                    role.name,
                    user.agency.name,
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            "Vai trò được xem thông tin nhân thân phải bật xác thực hai bước (TOTP) khi LANHMANH_REQUIRE_2FA=true: "
            "lần đăng nhập đầu nhập “Mã đăng ký 2FA” (dùng một lần, 72 giờ; quản trị viên cấp lại trong trang "
            "quản trị hoặc bằng manage.py issue_enrolment_code)."
        )


def _enrolment_code(user) -> str:
    """A fresh one-time enrolment code for a demo account that needs a second factor and has none yet."""
    if not user.needs_two_factor or user.authenticatordevice_set.filter(confirmed=True).exists():
        return "—"
    return enrolment_code_issue(actor=None, user=user, reason="Dữ liệu mẫu")
