from lanhmanh.core.navigation import items_for, menu_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user) if user is not None else []
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "view_name", None)
    menu = menu_for(user, items=items) if user is not None else []
    return {
        "nav_items": items,
        "nav_menu": menu,
        "nav_current": current,
        "nav_current_group": next((entry.key for entry in menu if entry.contains(current)), None),
    }
