"""Text a form must refuse with a message naming the field: 10,000 characters, and a NUL byte (PostgreSQL refuses it)."""

from __future__ import annotations

LONG = "a" * 10_000
NUL = "Biên bản\x00họp"
BAD_TEXTS = {"long": LONG, "nul": NUL}


def refusal(kind: str, label: str, limit: str = "5.000") -> str:
    """The message shown under the field ``label`` for the bad text ``kind``."""
    if kind == "long":
        return f"“{label}” dài quá: tối đa {limit} ký tự, đang có 10.000 ký tự."
    return (
        f"“{label}” có ký tự không hợp lệ (ký tự NUL, thường do dán từ tệp khác): hãy xoá và gõ lại nội dung."
    )


SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
