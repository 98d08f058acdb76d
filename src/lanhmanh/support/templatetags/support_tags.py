"""Template filters of the support pages."""

from django import template

register = template.Library()


@register.filter
def dong(value) -> str:
    """An amount in đồng with dots between thousands, as written in Vietnam: 3.500.000."""
    if value is None or value == "":
        return "—"
    return f"{int(value):,}".replace(",", ".")
