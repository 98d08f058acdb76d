from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PremisesConfig(AppConfig):
    name = "lanhmanh.premises"
    verbose_name = _("Cơ sở kinh doanh, kiểm tra")

    def ready(self) -> None:
        from lanhmanh.core.home import HomePanel
        from lanhmanh.core.home import register as register_panel
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.premises import (
            attachments,  # noqa: F401  (registers the attachment upload policy)
            rules,
        )

        register(
            NavItem(
                key="premises",
                label=_("Cơ sở kinh doanh"),
                url_name="premises:establishment_list",
                allowed=rules.can_view_register,
                order=40,
                section="registers",
            )
        )
        register(
            NavItem(
                key="premises-plans",
                label=_("Kế hoạch kiểm tra 178"),
                url_name="premises:plan_list",
                allowed=rules.can_plan,
                order=41,
                section="registers",
            )
        )
        register(
            NavItem(
                key="premises-police-check",
                label=_("Kiểm tra hành chính"),
                url_name="premises:police_check_create",
                allowed=rules.can_police_check,
                order=42,
                section="registers",
            )
        )
        register(
            NavItem(
                key="premises-eligibility",
                label=_("Tra cứu điều kiện cấp phép"),
                url_name="premises:eligibility",
                allowed=rules.can_lookup_eligibility,
                order=43,
                section="registers",
            )
        )
        register(
            NavItem(
                key="premises-revocations",
                label=_("Đề nghị thu hồi giấy phép"),
                url_name="premises:revocation_list",
                allowed=lambda user: rules.can_answer_revocation(user) or rules.can_decide_sanction(user),
                order=44,
                section="registers",
            )
        )

        def _pending(user) -> dict:
            from lanhmanh.premises import selectors

            return {
                "revocations": list(selectors.revocations_addressed_to(user).filter(answer="pending")[:10]),
            }

        register_panel(
            HomePanel(
                key="premises-revocations",
                template="premises/_home_revocations.html",
                allowed=rules.can_answer_revocation,
                context=_pending,
                order=45,
            )
        )
