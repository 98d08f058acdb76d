"""The mechanics of the public tip page: receipt codes, rate limits, the form's proof of work, images.

- **Receipt**: 20 characters from a 31-letter alphabet without look-alikes (≈ 99 bits), shown once;
  only its keyed HMAC is stored, so a database dump reveals no code. Look-ups go through the same
  indexed query whether the code is wrong or unknown, and both get the same answer.
- **Rate limits**: counted in ``ThrottleHit`` under a keyed hash of the client address and the day,
  never the address itself; nothing about the client is stored with the tip.
- **Proof of work**: the form carries a signed challenge; the browser (``tip-form.js``) finds a nonce
  whose SHA-256 with the challenge starts with ``TIP_POW_BITS`` zero bits, and the form may not come
  back sooner than ``TIP_MIN_SECONDS`` after it was served. A challenge is accepted once.
- **Images**: JPEG, PNG or WebP only, at most ``TIP_IMAGE_MAX_BYTES`` each, checked and re-encoded
  without EXIF (with GPS), XMP and comments by the shared upload service (``core.uploads``), stored
  under a generated name without the sender's file name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import replace

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lanhmanh.core import uploads
from lanhmanh.core.crypto import blind_index
from lanhmanh.core.uploads import CheckedUpload
from lanhmanh.enforcement.models import ThrottleHit

RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 20


def receipt_new() -> str:
    """A fresh receipt code, grouped by four for reading aloud: ``K7QM-…`` (20 random characters)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    """The stored form of a receipt (keyed HMAC; the same for any spacing or case of the code)."""
    return blind_index(receipt_normalise(code), purpose="tip-receipt")


# Rate limits -----------------------------------------------------------------------------------------


def client_key(request) -> str:
    """A keyed, daily-changing hash of the client's address: enough to count, useless to identify."""
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return blind_index(f"{timezone.localdate():%Y%m%d}\x00{address}", purpose="tip-client")[:40]


def _no_durable_wait() -> None:
    """Inside a transaction: commit without waiting for the disk (PostgreSQL). For rate-limit rows only:
    a crash may forget the last few hits, which limits nothing; the tip itself is always committed durably."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def throttle(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit; False when ``key`` already had ``limit`` hits in ``scope`` within the window."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=window_seconds)
    with transaction.atomic():
        _no_durable_wait()
        # Old rows go as new ones come: the table holds an hour of hashed keys, and used challenges
        # as long as a challenge is valid (so none can be replayed after its row went).
        if secrets.randbelow(50) == 0:
            ThrottleHit.objects.filter(
                Q(at__lt=now - dt.timedelta(hours=1)) & ~Q(scope="challenge")
                | Q(at__lt=now - dt.timedelta(seconds=CHALLENGE_MAX_AGE))
            ).delete()
        # Counting stops at the limit (an index range of at most ``limit`` rows).
        if ThrottleHit.objects.filter(scope=scope, key=key, at__gte=since)[:limit].count() >= limit:
            return False
        ThrottleHit.objects.create(scope=scope, key=key, at=now)
    return True


# Proof of work -----------------------------------------------------------------------------------------

_SALT = "lanhmanh.enforcement.tip-challenge"
CHALLENGE_MAX_AGE = 2 * 3600


def challenge_new() -> str:
    """A signed challenge: random id and the time the form was served."""
    return signing.dumps({"id": secrets.token_hex(12), "t": int(timezone.now().timestamp())}, salt=_SALT)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        bits += 8 - byte.bit_length()
        break
    return bits


def pow_solve(challenge: str, bits: int) -> str:
    """What the browser does (used by tests and benchmarks): the first nonce that meets ``bits``."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


CHALLENGE_USED = gettext_lazy("Biểu mẫu này đã được gửi. Vui lòng tải lại trang nếu muốn gửi tin báo khác.")


def challenge_check(challenge: str, nonce: str) -> str | None:
    """None when the challenge is genuine, old enough, fresh enough, solved and not used before;
    otherwise the Vietnamese message to show.

    Call it inside the transaction that stores the tip: the challenge is marked used in the same
    commit, so a tip refused later leaves its challenge unused, and two requests racing with one
    challenge meet the unique constraint (IntegrityError: the caller answers ``CHALLENGE_USED``)."""
    try:
        data = signing.loads(challenge, salt=_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.BadSignature:
        return _("Biểu mẫu đã hết hạn. Vui lòng tải lại trang và gửi lại.")
    age = timezone.now().timestamp() - data["t"]
    if age < settings.TIP_MIN_SECONDS:
        return _("Biểu mẫu được gửi quá nhanh. Vui lòng chờ vài giây rồi gửi lại.")
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if len(nonce) > 20 or leading_zero_bits(digest) < settings.TIP_POW_BITS:
        return _(
            "Trình duyệt chưa hoàn tất bước kiểm tra chống gửi tự động. Vui lòng bật JavaScript và gửi lại."
        )
    used = blind_index(data["id"], purpose="tip-challenge")[:40]
    if ThrottleHit.objects.filter(scope="challenge", key=used).exists():
        return str(CHALLENGE_USED)
    ThrottleHit.objects.create(scope="challenge", key=used, at=timezone.now())
    return None


# Images ------------------------------------------------------------------------------------------------

TIP_IMAGE_PURPOSE = "enforcement.tip-image"


def image_check(upload) -> CheckedUpload:
    """One uploaded image checked and stripped of its metadata by ``core.uploads`` (JPEG, PNG, WebP
    judged by content; ``TIP_IMAGE_MAX_BYTES``), or a Vietnamese ValidationError naming the file.

    The sender's file name is not kept: it may carry a name or a date that points at the sender."""
    policy = uploads.policy_for(TIP_IMAGE_PURPOSE)  # registered by EnforcementConfig.ready
    if policy.max_bytes != settings.TIP_IMAGE_MAX_BYTES:  # the setting changed since start-up
        policy = uploads.register(replace(policy, max_bytes=settings.TIP_IMAGE_MAX_BYTES))
    checked = uploads.check_upload(upload, purpose=TIP_IMAGE_PURPOSE)
    return replace(checked, original_name=f"anh-tin-bao.{uploads.KINDS[checked.kind].extension}")
