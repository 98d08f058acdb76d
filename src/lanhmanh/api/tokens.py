"""The shape of an API token: ``lm_<prefix>_<secret>``.

The prefix (8 lowercase hex digits) is stored in clear to find the row and to show the token in
lists; only the SHA-256 of the secret is stored. The secret carries about 238 random bits, so a
fast hash is enough: nobody can guess it, and a stolen database gives no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

TOKEN_MARKER = "lm"  # noqa: S105 - the fixed marker of our tokens, not a secret
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
_SECRET_ALPHABET = string.ascii_letters + string.digits
_TOKEN_RE = re.compile(rf"^{TOKEN_MARKER}_([0-9a-f]{{{PREFIX_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})$")


def new_prefix() -> str:
    return secrets.token_hex(PREFIX_LENGTH // 2)


def new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def compose(prefix: str, secret: str) -> str:
    return f"{TOKEN_MARKER}_{prefix}_{secret}"


def parse(raw: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed token, or None."""
    match = _TOKEN_RE.match(raw)
    return (match.group(1), match.group(2)) if match else None
