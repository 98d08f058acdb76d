"""The one way a file enters and leaves the system (task evidence, attachments of every app).

Why one module: an upload is the easiest way to put script on the app's own origin. Here a file is
accepted only when its **content** (magic bytes and structure, never its name or the browser's
``Content-Type``) is one of the kinds its purpose allows and it fits that purpose's size limit; it is
written under ``settings.UPLOAD_ROOT`` (outside the static files and any web root) under a generated
name; it is read back only through ``/tep/<uuid>/`` for a signed-in user whom the owning app's
``can_read`` lets see it (404 for everyone else, as for missing files), always as an attachment with
``X-Content-Type-Options: nosniff``, ``Cache-Control: no-store`` and a sandboxing CSP. There is no
``/media/`` route.

API
---
``UploadPolicy(purpose, kinds, max_bytes, can_read, strip_metadata=True)`` and ``register(policy)``
    An app declares, once (module level or ``AppConfig.ready``), what a purpose accepts and who may
    read its files: ``can_read(user, stored_file) -> bool`` must apply the app's own scoping (e.g.
    "the user may open the task this file is the evidence of").
``UploadField(purpose=...)``
    The form field. Its ``clean`` checks kind and size and returns a ``CheckedUpload`` (content in
    memory, detected kind, metadata already stripped from images); errors are Vietnamese and name the
    field through the form.
``check_upload(upload, purpose=...) -> CheckedUpload``
    The same check for code that is not a form (API); raises ``ValidationError``.
``upload_store(*, checked, actor) -> StoredFile``
    Writes the file and its ``StoredFile`` row and an audit row; call it inside the owning service's
    transaction and point the owning record at the returned row (a ``ForeignKey(StoredFile,
    on_delete=PROTECT)``). A rolled-back transaction leaves an unreferenced file on disk, never a
    row without its file. A full upload disk (``ENOSPC``/``EDQUOT``): the part written is removed and a
    non-field ``ValidationError`` (``DISK_FULL``, naming the file) rolls the owner's transaction back.
``stored_file_get(user, pk) -> StoredFile``
    Scoped read: 404 for missing files and files the user may not read alike.
``download_response(stored) -> FileResponse``
    The only response that sends a stored file.
``strip_image_metadata(content, kind) -> bytes``
    Re-encodes a JPEG/PNG/WebP without EXIF (GPS, camera, dates), XMP, IPTC or text chunks, after
    applying the EXIF orientation so the picture still stands upright (the tips page needs it).

Kinds (``KINDS``): ``pdf``, ``jpeg``, ``png``, ``webp``, ``docx``, ``xlsx``, ``pptx``, ``odt``, ``ods``.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lanhmanh.core.audit import audited_insert
from lanhmanh.core.models import StoredFile

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    extension: str
    content_type: str
    label: str


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("pdf", "pdf", "application/pdf", "PDF"),
        Kind("jpeg", "jpg", "image/jpeg", "JPEG"),
        Kind("png", "png", "image/png", "PNG"),
        Kind("webp", "webp", "image/webp", "WebP"),
        Kind(
            "docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"
        ),
        Kind("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
        Kind(
            "pptx",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint",
        ),
        Kind("odt", "odt", "application/vnd.oasis.opendocument.text", "ODT"),
        Kind("ods", "ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS"),
    )
}
IMAGES = frozenset({"jpeg", "png", "webp"})
DOCUMENTS = frozenset({"pdf", "docx", "xlsx", "pptx", "odt", "ods"})
# Pictures bigger than this (in pixels) are refused before decoding (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000

TYPE_REFUSED = _(
    "Tệp “%(name)s” không thuộc loại được phép (%(allowed)s). Hệ thống xét nội dung tệp, không xét tên."
)
TOO_BIG = _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s MB.")
EMPTY = _("Tệp “%(name)s” rỗng.")
BROKEN_IMAGE = _("Ảnh “%(name)s” bị hỏng hoặc quá lớn để xử lý.")
DISK_FULL = _(
    "Máy chủ đã hết chỗ lưu tệp nên chưa lưu được tệp “%(name)s”; không có gì được lưu. "
    "Hãy báo bộ phận công nghệ thông tin rồi gửi lại sau."
)
# A write refused because the upload disk (or the service's quota on it) is full.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})

logger = logging.getLogger("lanhmanh.uploads")


@dataclass(frozen=True)
class UploadPolicy:
    purpose: str
    kinds: frozenset[str]
    max_bytes: int
    can_read: Callable[..., bool]
    strip_metadata: bool = True

    def allowed_labels(self) -> str:
        return ", ".join(sorted(KINDS[k].label for k in self.kinds))


_POLICIES: dict[str, UploadPolicy] = {}


def register(policy: UploadPolicy) -> UploadPolicy:
    unknown = set(policy.kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown upload kinds {sorted(unknown)}")
    _POLICIES[policy.purpose] = policy
    return policy


def policy_for(purpose: str) -> UploadPolicy:
    return _POLICIES[purpose]


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return {KINDS["odt"].content_type: "odt", KINDS["ods"].content_type: "ods"}.get(mimetype)
            if "[Content_Types].xml" not in names:
                return None
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, KeyError):
        return None
    return None


def detect_kind(content: bytes) -> str | None:
    """The kind of a file judged by its content only, or None when it is none of ``KINDS``."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def strip_image_metadata(content: bytes, kind: str) -> bytes:
    """The picture re-encoded upright without EXIF/GPS, XMP, IPTC, ICC comments or text chunks.

    Raises ``ValueError`` for a picture that cannot be decoded or is larger than ``MAX_IMAGE_PIXELS``.
    """
    from PIL import Image, ImageOps  # noqa: PLC0415 -- heavy: Pillow only when a picture is uploaded

    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValueError("image too large")
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "jpeg":
                if upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=90, optimize=True)
            elif kind == "png":
                upright.save(out, "PNG", optimize=True)
            elif kind == "webp":
                upright.save(out, "WEBP", quality=90)
            else:
                raise ValueError(kind)
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError("broken image") from exc
    return out.getvalue()


@dataclass(frozen=True)
class CheckedUpload:
    purpose: str
    kind: str
    content: bytes
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)


def safe_name(name: str) -> str:
    """A file name safe to show and to send back in Content-Disposition (no path, no control chars)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[\"';<>]", "_", name).strip(" .")
    return name[:150] or "tep"


def check_upload(upload, *, purpose: str) -> CheckedUpload:
    """Check an uploaded file against its purpose's policy. Raises ValidationError (Vietnamese)."""
    policy = policy_for(purpose)
    name = safe_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    limit_mb = f"{policy.max_bytes / MB:g}"
    if size is not None and size > policy.max_bytes:
        raise ValidationError(TOO_BIG, code="too_big", params={"name": name, "limit": limit_mb})
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(policy.max_bytes + 1)
    if len(content) > policy.max_bytes:
        raise ValidationError(TOO_BIG, code="too_big", params={"name": name, "limit": limit_mb})
    if not content:
        raise ValidationError(EMPTY, code="empty", params={"name": name})
    kind = detect_kind(content)
    if kind is None or kind not in policy.kinds:
        raise ValidationError(
            TYPE_REFUSED, code="type", params={"name": name, "allowed": policy.allowed_labels()}
        )
    if kind in IMAGES:
        try:
            cleaned = strip_image_metadata(content, kind)
        except ValueError as exc:
            raise ValidationError(BROKEN_IMAGE, code="image", params={"name": name}) from exc
        if policy.strip_metadata:
            content = cleaned
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedUpload(purpose, kind, content, f"{stem}.{KINDS[kind].extension}")


class UploadField(forms.FileField):
    """A file field checked by the upload service; ``cleaned_data`` holds a ``CheckedUpload``."""

    def __init__(self, *, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or isinstance(upload, CheckedUpload):
            return upload or None
        return check_upload(upload, purpose=self.purpose)


def _path_for(stored) -> str:
    return f"{stored.purpose.replace('.', '/')}/{stored.uploaded_at:%Y}/{stored.pk.hex}"


@transaction.atomic
def upload_store(*, checked: CheckedUpload, actor):
    """Write a checked upload under a generated name and record it.

    Side effects: one file under ``UPLOAD_ROOT``, one ``StoredFile`` row, one ChangeRecord.
    """
    stored = StoredFile(
        id=uuid.uuid4(),
        purpose=checked.purpose,
        kind=checked.kind,
        size=checked.size,
        sha256=hashlib.sha256(checked.content).hexdigest(),
        original_name=checked.original_name,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        uploaded_at=timezone.now(),
    )
    stored.relative_path = _path_for(stored)
    stored.full_clean()
    target = settings.UPLOAD_ROOT / stored.relative_path
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        target.write_bytes(checked.content)
        target.chmod(0o640)
    except OSError as exc:
        if exc.errno not in DISK_FULL_ERRNOS:
            raise
        target.unlink(missing_ok=True)  # the part written before the disk filled up
        logger.error(
            "Upload disk full: file refused", extra={"purpose": checked.purpose, "size": checked.size}
        )
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    ValidationError(DISK_FULL, code="disk_full", params={"name": checked.original_name})
                ]
            }
        ) from exc
    return audited_insert(actor=actor, instance=stored)


def stored_file_get(user, pk):
    """The stored file ``pk`` if its purpose's ``can_read`` lets ``user`` read it; 404 otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    stored = StoredFile.objects.filter(pk=pk).first()
    policy = _POLICIES.get(stored.purpose) if stored else None
    if stored is None or policy is None or not policy.can_read(user, stored):
        raise Http404
    return stored


def download_response(stored) -> FileResponse:
    path = settings.UPLOAD_ROOT / stored.relative_path
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=KINDS[stored.kind].content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def kinds(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(k for group in groups for k in group)
