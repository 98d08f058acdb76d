"""The documented production deployment: collectstatic in production mode, then pages that render."""

import json
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent.parent


def production_environment(tmp_path):
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "LANHMANH_ENV": "production",
        "LANHMANH_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "lanhmanh.example.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SECRET_KEY": "x" * 60,
        "LANHMANH_FIELD_KEYS": Fernet.generate_key().decode(),
        "LANHMANH_BLIND_INDEX_KEY": "b" * 40,
    }


def run(arguments, environment):
    return subprocess.run(  # noqa: S603 - our own manage.py and fixed code
        [sys.executable, *arguments], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_collectstatic_in_production_mode_succeeds_and_the_login_page_then_renders(tmp_path):
    environment = production_environment(tmp_path)
    collected = run(["manage.py", "collectstatic", "--no-input", "-v0"], environment)
    assert collected.returncode == 0, collected.stderr[-2000:]
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text(encoding="utf-8"))
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "lanhmanh/app.js",
    ):
        assert name in manifest["paths"]
        assert (tmp_path / "static" / manifest["paths"][name]).is_file()

    page = run(
        [
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'lanhmanh.config.settings'; django.setup();"
            "from django.test import Client;"
            "r = Client().get('/dang-nhap/', secure=True, HTTP_HOST='lanhmanh.example.gov.vn');"
            "print(r.status_code); print(r.content.decode())",
        ],
        environment,
    )
    assert page.returncode == 0, page.stderr[-2000:]
    status, html = page.stdout.split("\n", 1)
    assert status == "200"
    assert "Đăng nhập" in html
    hashed = manifest["paths"]["vendor/bootstrap/bootstrap.min.css"]
    assert f"/static/{hashed}" in html
