"""Typed readers for settings taken from the environment.

Each helper refuses a value it cannot parse with an ImproperlyConfigured that names the variable,
so a typo in production fails at start-up instead of silently falling back to a default.
Secrets may be given directly (``NAME``) or as a path to a file (``NAME_FILE``), as Docker and
systemd credentials do.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {sorted(choices)}.")
    return value


def env_secret(name: str, *, local_file: Path | None = None, generate: bool = False) -> str:
    """Return a secret from NAME, or from the file named by NAME_FILE, or from an untracked local file.

    With ``generate`` (the demo and tests), a missing secret is created once in ``local_file`` so that
    restarts keep it; production sets ``generate=False`` and must provide the secret.
    """
    direct = os.environ.get(name)
    if direct:
        return direct.strip()
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} is not a readable file.")
        content = path.read_text(encoding="utf-8").strip()
        if not content:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} is empty.")
        return content
    if local_file is not None and local_file.is_file():
        content = local_file.read_text(encoding="utf-8").strip()
        if content:
            return content
    if generate and local_file is not None:
        local_file.parent.mkdir(parents=True, exist_ok=True)
        value = _new_secret(name)
        local_file.write_text(value + "\n", encoding="utf-8")
        local_file.chmod(0o600)
        return value
    raise ImproperlyConfigured(f"Secret {name} is required (set {name} or {name}_FILE).")


def _new_secret(name: str) -> str:
    if name.endswith("FIELD_KEYS") or name.endswith("BLIND_INDEX_KEY"):
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return secrets.token_urlsafe(50)
