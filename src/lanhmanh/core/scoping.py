"""What may this user see: data classes granted by roles, and jurisdiction over the unit tree.

A record of personal data is visible to a user when the user's roles grant every data class the
record needs AND at least one of the record's administrative units lies in the user's subtree.
Anything else is answered with 404, never 403, so that a refusal does not confirm a record exists.

The kernel knows nothing of the ``org`` app: a user is anything with ``is_authenticated``,
``data_classes`` (a set of DataClass values) and ``jurisdiction_path`` (the materialised path of
the unit the user acts at, e.g. ``01.001``). Unit paths are dotted codes of fixed width per level.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DataClass(models.TextChoices):
    AGGREGATE = "aggregate", _("Số liệu tổng hợp")
    ESTABLISHMENT = "establishment", _("Cơ sở kinh doanh")
    IDENTITY = "identity", _("Nhân thân")
    ENFORCEMENT = "enforcement", _("Vi phạm, xử lý")
    SUPPORT = "support", _("Hỗ trợ, tư vấn")
    HEALTH = "health", _("Y tế")
    CHILD = "child", _("Trẻ em")


def _as_set(data_classes: str | Iterable[str]) -> set[str]:
    return {data_classes} if isinstance(data_classes, str) else set(data_classes)


def can(user, data_classes: str | Iterable[str]) -> bool:
    """Whether the user's roles grant every one of ``data_classes``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _as_set(data_classes) <= set(getattr(user, "data_classes", ()))


def can_write(user, data_classes: str | Iterable[str]) -> bool:
    """Whether the user's roles grant changing every one of ``data_classes`` (seeing them is ``can``;
    a role may show a class without letting it be changed: the court's clerk reads the registry)."""
    if not getattr(user, "is_authenticated", False):
        return False
    classes = _as_set(data_classes)
    return classes <= set(getattr(user, "write_classes", ())) and classes <= set(
        getattr(user, "data_classes", ())
    )


def path_q(path: str, field: str = "path") -> Q:
    """Units at ``path`` or below it: one indexed prefix query (exact match OR ``path.`` prefix)."""
    return Q(**{field: path}) | Q(**{f"{field}__startswith": path + "."})


def in_subtree(path: str, ancestor_path: str) -> bool:
    return path == ancestor_path or path.startswith(ancestor_path + ".")


def jurisdiction_q(user, via: Iterable[str]) -> Q:
    """Records with any unit named by ``via`` (lookups to a unit, e.g. ``"residence_unit"``) in the user's subtree."""
    root = getattr(user, "jurisdiction_path", None)
    lookups = tuple(via)
    if not root or not lookups:
        # No unit to anchor the record: nothing is in reach (an empty Q() would match everything).
        return Q(pk__in=[])
    q = Q()
    for lookup in lookups:
        q |= path_q(root, f"{lookup}__path")
    return q


def visible(queryset: QuerySet, user, *, data_classes: str | Iterable[str], via: Iterable[str]) -> QuerySet:
    """The part of ``queryset`` this user may see for the given data classes.

    ``via`` may be any iterable (it is read once). Asking for no data class or no unit lookup
    gives nothing: a forgotten argument must not widen what a user sees.
    """
    classes = _as_set(data_classes)
    lookups = (via,) if isinstance(via, str) else tuple(via)
    if not classes or not lookups or not can(user, classes):
        return queryset.none()
    visible_part = queryset.filter(jurisdiction_q(user, lookups))
    # Several lookups may cross multi-valued relations; DISTINCT keeps each record once.
    return visible_part.distinct() if len(lookups) > 1 else visible_part


def get_visible_or_404(
    queryset: QuerySet, user, *, data_classes: str | Iterable[str], via: Iterable[str], **lookup
):
    """One record the user may see, or Http404 whether it is missing or out of reach."""
    try:
        return visible(queryset, user, data_classes=data_classes, via=via).get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned, ValueError):
        raise Http404 from None


# --- Personal data is read through selectors, never queried in a view ---------------------------------

# The modules that answer requests: a view module, a views package, an API module.
VIEW_MODULE = re.compile(r"\.(views|job_views|api)$|\.views\.")
_unscoped: ContextVar[bool] = ContextVar("lanhmanh_unscoped", default=False)


class UnscopedQuery(RuntimeError):
    """A personal-data model queried directly in a view: read it through the app's selectors."""


@contextmanager
def unscoped():
    """Allow direct queries of personal-data models in the block (a view that truly needs one: rare)."""
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)


def _calling_module() -> str:
    """The module of the code that asked the manager for a queryset (past Django's manager plumbing)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") in ("django.db.models.manager", __name__):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "") if frame is not None else ""


class PersonalDataManager(models.Manager):
    """Default manager of every model holding personal data (``personal_data = True`` on the model).

    It refuses a query written in a view module (``UnscopedQuery``): views get personal data only
    through a selector that takes the user (``<app>/selectors.py``: scoped with ``visible``, 404 for
    outsiders), so a forgotten filter fails loudly instead of leaking. Selectors, services, commands,
    tasks and indicator sources query as usual; a related manager (``person.violations``) is scoped by
    the record it hangs from. ``tests/core/test_access_layer.py`` also finds such queries without running them.
    """

    def get_queryset(self):
        if (
            getattr(self, "instance", None) is None
            and not _unscoped.get()
            and VIEW_MODULE.search(module := _calling_module())
        ):
            raise UnscopedQuery(
                f"{self.model._meta.label} queried in {module}: read personal data through a selector"
            )
        return super().get_queryset()
