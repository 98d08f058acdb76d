"""Authentication backend: a locked or inactive account cannot authenticate by any path (sign-in page,
admin, anything calling ``authenticate``)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from lanhmanh.org import security


class LockoutAwareBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not security.is_locked(user)
