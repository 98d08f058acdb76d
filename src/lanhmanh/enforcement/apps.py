from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "lanhmanh.enforcement"
    label = "enforcement"
    verbose_name = _("Tụ điểm công cộng, tuần tra, tin báo")

    def ready(self) -> None:
        from django.conf import settings

        from lanhmanh.core import uploads
        from lanhmanh.core.home import HomePanel
        from lanhmanh.core.home import register as register_panel
        from lanhmanh.core.navigation import NavItem, register
        from lanhmanh.enforcement import link_kinds, rules, selectors
        from lanhmanh.enforcement.public import TIP_IMAGE_PURPOSE

        uploads.register(
            uploads.UploadPolicy(
                TIP_IMAGE_PURPOSE,
                uploads.IMAGES,
                settings.TIP_IMAGE_MAX_BYTES,
                selectors.tip_file_readable,
            )
        )
        link_kinds.register_all()
        register(
            NavItem(
                key="hotspots",
                label=_("Tụ điểm"),
                url_name="enforcement:hotspot_list",
                allowed=rules.can_see_hotspots,
                order=45,
                section="registers",
            )
        )
        register(
            NavItem(
                key="tips",
                label=_("Tin báo"),
                url_name="enforcement:tip_list",
                allowed=rules.can_take_tips,
                order=46,
                section="registers",
            )
        )
        register_panel(
            HomePanel(
                key="enforcement-hotspots",
                template="enforcement/_home_panel.html",
                allowed=rules.can_see_hotspots,
                context=_home_context,
                order=45,
            )
        )


def _home_context(user) -> dict:
    from lanhmanh.enforcement import rules, selectors
    from lanhmanh.enforcement.models import TipStatus

    return {
        "open_proposals": selectors.proposals_open(user).count()
        if rules.can_confirm_reemergence(user)
        else None,
        "open_tips": selectors.tips_visible(user).exclude(status=TipStatus.CLOSED).count()
        if rules.can_take_tips(user)
        else None,
    }
