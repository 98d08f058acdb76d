"""A small HTTP "browser" for the production check and the month-end load: cookies, CSRF, forms, TOTP.

Standard library only (urllib), so it drives the real stack (nginx → gunicorn) as a person's browser
does: the form's hidden fields, the CSRF token, the Referer that Django checks on HTTPS posts, htmx
headers when asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html.parser
import http.cookiejar
import ssl
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 code (30 s, 6 digits, SHA-1) of a base32 secret, as an authenticator app computes it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


@dataclass
class Form:
    action: str
    method: str
    attrs: dict
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)

    def data(self, **overrides) -> dict:
        values = dict(self.fields)
        values.update(overrides)
        return values


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None
        self.select_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.current = Form(a.get("action", ""), a.get("method", "get").lower(), a)
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.current.buttons.append(a)
            elif kind in ("checkbox", "radio"):
                if "checked" in a and a.get("name"):
                    self.current.fields.append((a["name"], a.get("value", "on")))
            elif a.get("name") and kind not in ("file", "reset", "button"):
                self.current.fields.append((a["name"], a.get("value", "")))
        elif tag == "button":
            self.current.buttons.append(a)
        elif tag == "select":
            self.select, self.select_value = a.get("name"), None
        elif tag == "option" and self.select:
            if self.select_value is None or "selected" in a:
                self.select_value = a.get("value", "")
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag == "select" and self.select:
            self.current.fields.append((self.select, self.select_value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.current.fields.append((self.textarea, self.text))
            self.textarea = None
        elif tag == "form":
            self.current = None


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: dict
    body: bytes
    elapsed: float

    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.text)
        return parser.forms

    def form(self, *, containing: str = "", button: str = "", action: str = "") -> Form:
        """The first form whose action contains ``action`` and with a button whose text/attrs mention
        ``button`` (or a field named ``containing``)."""
        for candidate in self.forms():
            if action and action not in candidate.action:
                continue
            if containing and containing not in dict(candidate.fields):
                continue
            if button and not any(button in " ".join(b.values()) for b in candidate.buttons):
                continue
            return candidate
        raise AssertionError(
            f"no form (action={action!r}, button={button!r}, field={containing!r}) on {self.url}"
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str, *, cafile: str | None = None, follow: bool = True, timeout: float = 30):
        self.base = base.rstrip("/")
        self.timeout, self.cafile = timeout, cafile
        self.cookies = http.cookiejar.CookieJar()
        handlers: list = [urllib.request.HTTPCookieProcessor(self.cookies)]
        if self.base.startswith("https"):
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile)))
        if not follow:
            handlers.append(_NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)
        self.referer = self.base + "/"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def request(self, method: str, path: str, data=None, headers: dict | None = None) -> Page:
        url = self.url(path)
        body = None
        all_headers = {"Accept-Language": "vi", "User-Agent": "lanhmanh-prod-check"}
        if data is not None:
            body = data if isinstance(data, bytes) else urllib.parse.urlencode(data, doseq=True).encode()
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            all_headers["Referer"] = self.referer
            all_headers["Origin"] = self.base
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                content = response.read()
                status, final, got = response.status, response.url, dict(response.headers)
        except urllib.error.HTTPError as error:
            content = error.read()
            status, final, got = error.code, error.url, dict(error.headers)
        elapsed = time.perf_counter() - started
        if status < 400 and "text/html" in got.get("Content-Type", ""):
            self.referer = final
        return Page(status, final, content.decode("utf-8", "replace"), got, content, elapsed)

    def get(self, path: str, headers: dict | None = None) -> Page:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data, headers: dict | None = None) -> Page:
        return self.request("POST", path, data=data, headers=headers)

    def upload(self, path: str, fields: dict, name: str, file_name: str, content: bytes) -> Page:
        """Post a multipart form with one file, as a browser's file input does."""
        boundary = f"----lanhmanh{uuid.uuid4().hex}"
        parts = []
        for key, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.post(
            path, b"".join(parts), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def submit(self, page: Page, form: Form, headers: dict | None = None, button: str = "", **values) -> Page:
        """Post the form; ``button``: the submit button whose attributes mention it (its ``formaction``
        and its name/value are used, as a browser does)."""
        action = form.action
        data = form.data(**values)
        if button:
            chosen = next(b for b in form.buttons if button in " ".join(b.values()))
            action = chosen.get("formaction") or action
            if chosen.get("name"):
                data[chosen["name"]] = chosen.get("value", "")
        return self.post(urllib.parse.urljoin(page.url, action or page.url), data, headers=headers)

    def sign_in(
        self,
        username: str,
        password: str,
        totp_secrets: dict | None = None,
        enrolment_codes: dict | None = None,
    ) -> Page:
        """Password, then the TOTP step (enrolling on first sign-in with the one-time enrolment code the
        administrator gave, ``enrolment_codes``: the secret is read off the page and kept in ``totp_secrets``
        for the next sign-in, as the officer's phone keeps it)."""
        page = self.get("/dang-nhap/")
        page = self.submit(page, page.form(containing="username"), username=username, password=password)
        if "/xac-thuc-hai-buoc/" in page.url:
            import re

            if 'name="enrolment_code"' in page.text:
                if username not in (enrolment_codes or {}):
                    raise AssertionError(f"{username}: enrolment code asked, none known")
                page = self.submit(
                    page, page.form(containing="enrolment_code"), enrolment_code=enrolment_codes[username]
                )
            secrets = totp_secrets if totp_secrets is not None else {}
            found = re.search(r"\b([A-Z2-7]{32,})\b", page.text)
            if found:
                secrets[username] = found.group(1)
            if username not in secrets:
                raise AssertionError(f"{username}: TOTP step without a known secret")
            # A code is accepted once: wait for the next 30-second window if this one was used.
            page = self.submit(page, page.form(containing="token"), token=totp(secrets[username]))
        if "/dang-nhap/" in page.url or "/xac-thuc-hai-buoc/" in page.url or page.status != 200:
            raise AssertionError(f"{username} could not sign in ({page.status} at {page.url})")
        return page
