"""Blocking keys stored on each Person, so likely matches are found at entry by indexed equality.

Keyed hashes (HMAC under the blind-index key, like ``core.crypto``'s blind indexes): equal inputs give
equal keys, the table alone reveals nothing. Each key survives the usual entry errors of the others:

- surname + given name + birth year: no diacritics, tone placement, NFC/NFD, "Thị" left out, a
  different middle name, Võ/Vũ, day and month swapped, year only;
- given name + birth date: the surname mistyped or spelled another way;
- surname + birth date: the given name mistyped.

The ID number and the full name + birth date are the registry's own blind indexes.
"""

from __future__ import annotations

import datetime as dt

from lanhmanh.core.crypto import blind_index
from lanhmanh.core.text import split_name

PURPOSE = "linkage-block"


def entry_keys(
    full_name: str | None, birth_date: dt.date | None, birth_year: int | None
) -> tuple[str, str, str]:
    """(surname+given+year, given+date, surname+date) keys; "" where a part is missing."""
    parts = split_name(full_name)
    given, surname = parts.folded_given, parts.surname_key
    year = birth_date.year if birth_date else birth_year
    if not given:
        return "", "", ""
    sgy = blind_index(f"sgy|{surname}|{given}|{year}", purpose=PURPOSE) if year else ""
    gdob = blind_index(f"gd|{given}|{birth_date.isoformat()}", purpose=PURPOSE) if birth_date else ""
    sdob = (
        blind_index(f"sd|{surname}|{birth_date.isoformat()}", purpose=PURPOSE)
        if birth_date and surname
        else ""
    )
    return sgy, gdob, sdob


def set_person_keys(person) -> None:
    """``people.hooks.person_keys``: the blocking keys of a Person about to be saved (single or bulk)."""
    person.link_sgy_index, person.link_gdob_index, person.link_sdob_index = entry_keys(
        person.full_name, person.birth_date, person.birth_year
    )
