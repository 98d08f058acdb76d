from rest_framework.permissions import IsAuthenticated


class TokenScopePermission(IsAuthenticated):
    pass
