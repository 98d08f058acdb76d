"""The demo loader: an ordered list of steps, each a function that adds one app's demo data.

Every module in ``lanhmanh.demo.steps`` is imported and registers its steps with ``@step(order=…)``;
a later app adds its demo data by adding a module there (e.g. ``steps/people.py``) without touching
this file. Steps must be idempotent: ``manage.py load_demo`` may run on a database that already has
the demo, and must then change nothing (apart from resetting the demo password).

Orders in use: 5 roles, 10 units and agencies, 20 accounts. Leave gaps (30, 40, …) for the domain apps.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from faker import Faker

from lanhmanh.demo import steps as package

DEFAULT_PASSWORD = "LanhManh-2014"
SEED = 2014
# The steps every other step builds on: roles, units and agencies, the demo logins. Tests that only
# need the logins load these (``load_demo(only=ACCOUNT_STEPS)``); the full demo takes far longer.
ACCOUNT_STEPS = ("org.roles", "org.units_and_agencies", "org.accounts")


@dataclass
class DemoContext:
    """What every step receives: the demo password, a seeded Faker('vi_VN') and what earlier steps made."""

    password: str
    faker: Faker
    random: random.Random
    accounts: dict[str, object] = field(default_factory=dict)  # role code → demo User
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    function: Callable[[DemoContext], str | None]


_steps: dict[str, Step] = {}


def step(*, order: int, name: str | None = None):
    """Register a demo step. The function gets a ``DemoContext`` and may return a one-line summary."""

    def decorate(function: Callable[[DemoContext], str | None]):
        key = name or f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"
        _steps[key] = Step(name=key, order=order, function=function)
        return function

    return decorate


def discover() -> list[Step]:
    """Import every module of ``lanhmanh.demo.steps`` and return the registered steps in order."""

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))


def demo_password() -> str:
    """The one password of every demo login: ``DEMO_PASSWORD`` from the environment, or the default."""
    password = os.environ.get("DEMO_PASSWORD", "").strip() or DEFAULT_PASSWORD
    if len(password) < 10:
        raise ValueError("DEMO_PASSWORD phải có ít nhất 10 ký tự.")
    return password


def new_context(*, password: str | None = None) -> DemoContext:
    faker = Faker("vi_VN")
    faker.seed_instance(SEED)
    return DemoContext(password=password or demo_password(), faker=faker, random=random.Random(SEED))


@transaction.atomic
def load_demo(*, password: str | None = None, only: Iterable[str] | None = None) -> DemoContext:
    """Run every demo step (or the named ones) in order, in one transaction. Idempotent.

    Side effects: whatever the steps write (units, agencies, demo accounts and their audit rows, and
    the demo data of later apps). Returns the context, whose ``accounts`` and ``notes`` the caller prints.
    """
    context = new_context(password=password)
    wanted = set(only) if only is not None else None
    for item in discover():
        if wanted is not None and item.name not in wanted:
            continue
        summary = item.function(context)
        if summary:
            context.notes.append(summary)
    return context
