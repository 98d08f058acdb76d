from lanhmanh.core.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user) if user is not None else []
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    return {"nav_items": items, "nav_current": current}
