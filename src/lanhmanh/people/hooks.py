"""What the apps above the registry add to its records and pages, without the registry importing them.

``people`` sits below the apps that work with its persons (linkage, support, and the domain apps to
come): it never imports them. Like ``core.navigation``, it offers hooks that they fill in their
``AppConfig.ready()``; with an app not installed, its hook keeps the harmless default below.

- ``person_keys``: functions ``(person) -> None`` that set derived keys on a ``Person`` before it is
  saved (linkage's blocking keys); run by ``Person.refresh_indexes``, for single and bulk writes alike;
- ``resolve_person_id``: ``(pk) -> pk`` of the person a merged record now lives under (linkage);
- ``likely_matches``: ``(user, data) -> [match]`` likely duplicates of a person being typed, each with
  ``person``, ``match_probability`` and ``fields`` (linkage);
- ``can_open_child_case``: ``(user) -> bool``, who is offered a child-protection case when a violation
  is refused as (possibly) a child's (support);
- ``support_cases_of``: ``(user, person) -> [case]`` the person's support cases as the person page shows
  them, each with ``label``, ``kind``, ``status``, ``opened_on``, ``lead_agency`` and ``url`` (empty when this
  user may not open the case itself) (support).

These are questions the registry asks; what it announces (sanction decisions recorded, for one decision or
many) is a domain event, ``people.events.sanctions_recorded``, with receivers in the apps that react.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RegistryHooks:
    person_keys: list[Callable[[Any], None]] = field(default_factory=list)
    resolve_person_id: Callable[[int], int] = lambda pk: pk
    likely_matches: Callable[[Any, dict], list] = lambda user, data: []
    can_open_child_case: Callable[[Any], bool] = lambda user: False
    support_cases_of: Callable[[Any, Any], list] = lambda user, person: []

    def add_person_keys(self, function: Callable[[Any], None]) -> None:
        if function not in self.person_keys:
            self.person_keys.append(function)


hooks = RegistryHooks()
