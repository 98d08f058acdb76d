"""The purposes an officer stated in this session for opening persons (asked once per person and session)."""

from __future__ import annotations

SESSION_PURPOSES = "people_purposes"


def remember_purposes(request, person_ids, purpose: str, detail: str) -> None:
    """Remember ``purpose`` for each person, as if the officer had chosen it on the person's page."""
    purposes = dict(request.session.get(SESSION_PURPOSES, {}))
    for person_id in person_ids:
        purposes[str(person_id)] = {"purpose": purpose, "detail": detail}
    request.session[SESSION_PURPOSES] = purposes
