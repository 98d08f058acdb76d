"""``manage.py issue_enrolment_code USERNAME``: a one-time code to enrol the account's authenticator
(``org.enrolment``); prints it once. Removes the account's current authenticators (lost phone)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lanhmanh.org.enrolment import ENROLMENT_CODE_HOURS, enrolment_code_issue
from lanhmanh.org.models import User


class Command(BaseCommand):
    help = "Issue a one-time two-factor enrolment code for an account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="")

    def handle(self, *args, username: str, reason: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        code = enrolment_code_issue(actor=None, user=user, reason=reason)
        self.stdout.write(f"{username}: {code} (hết hạn sau {ENROLMENT_CODE_HOURS} giờ)")
