from rest_framework.authentication import BaseAuthentication


class AgencyTokenAuthentication(BaseAuthentication):
    """Per-agency API tokens (to be completed with the token model)."""

    def authenticate(self, request):
        return None
