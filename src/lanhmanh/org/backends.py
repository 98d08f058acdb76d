"""Authentication backend: a locked or inactive account cannot authenticate by any path (sign-in page,
admin, anything calling ``authenticate``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lanhmanh.org import security


class LockoutAwareBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in user of each request, with their agency and its unit in the same query: nearly
        every page asks for them (the menu's rules, the jurisdiction of each selector)."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("agency__unit").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not security.is_locked(user)
