from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lanhmanh.linkage.rules import can_manage_runs, can_review


class LinkageConfig(AppConfig):
    name = "lanhmanh.linkage"
    verbose_name = _("Liên kết hồ sơ trùng")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lanhmanh.core.navigation import NavItem, register

        register(
            NavItem(
                key="linkage",
                label=_("Hồ sơ trùng"),
                url_name="linkage:queue",
                allowed=can_review,
                order=35,
                section="registers",
            )
        )
        register(
            NavItem(
                key="linkage-runs",
                label=_("Rà soát trùng"),
                url_name="linkage:run_list",
                allowed=can_manage_runs,
                order=36,
                section="registers",
            )
        )
        # The registry's hooks (people.hooks): linkage owns its blocking keys, merges and likely matches.
        from lanhmanh.linkage.blocking import set_person_keys
        from lanhmanh.linkage.selectors import resolve_person_id
        from lanhmanh.linkage.services import likely_matches
        from lanhmanh.people.hooks import hooks

        hooks.add_person_keys(set_person_keys)
        hooks.resolve_person_id = resolve_person_id
        hooks.likely_matches = likely_matches
        # What the review queue is made of: a write to a pair, a decision or a merge is recorded as a change
        # to the queue naming the pairs or persons it touched (selectors.queue_changed), which the queues kept
        # in each process follow. The services record their bulk writes themselves (no signal is sent then).
        from django.db.models.signals import post_delete, post_save

        from lanhmanh.linkage import models

        for model in (models.CandidatePair, models.PairDecision, models.Merge):
            post_save.connect(_queue_changed, sender=model, dispatch_uid=f"linkage-queue-{model.__name__}")
            post_delete.connect(
                _queue_changed, sender=model, dispatch_uid=f"linkage-queue-del-{model.__name__}"
            )


def _queue_changed(sender, instance, **kwargs) -> None:
    from lanhmanh.linkage.models import CandidatePair, PairDecision
    from lanhmanh.linkage.selectors import queue_changed

    if sender is CandidatePair:
        queue_changed(pairs=[instance.pk])
    elif sender is PairDecision:
        queue_changed(pairs=[instance.pair_id])
    else:
        queue_changed(persons=[instance.merged_id, instance.survivor_id])
