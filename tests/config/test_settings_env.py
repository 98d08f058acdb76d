"""Settings read from the environment: every variable is documented, bad values are refused."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lanhmanh.config import env

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_the_settings_read_is_in_env_example():
    source = (ROOT / "src" / "lanhmanh" / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"env_(?:str|bool|int|list|choice|secret)\(\s*\"([A-Z0-9_]+)\"", source))
    documented = set(
        re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    )
    assert names, "no env_* calls found"
    assert names - documented == set()


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (lambda: env.env_bool("LM_T", False), "maybe", "is not a boolean"),
        (lambda: env.env_int("LM_T", 1), "ten", "is not an integer"),
        (lambda: env.env_int("LM_T", 1, minimum=1), "0", "below the minimum"),
        (lambda: env.env_int("LM_T", 1, maximum=5), "6", "above the maximum"),
        (lambda: env.env_choice("LM_T", "a", {"a", "b"}), "c", "must be one of"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(monkeypatch, reader, value, message):
    monkeypatch.setenv("LM_T", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        reader()
    assert "LM_T" in str(refused.value)
    assert message in str(refused.value)


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-value\n", encoding="utf-8")
    monkeypatch.delenv("LM_SECRET", raising=False)
    monkeypatch.setenv("LM_SECRET_FILE", str(secret))
    assert env.env_secret("LM_SECRET") == "s3cr3t-value"
    monkeypatch.setenv("LM_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="LM_SECRET_FILE"):
        env.env_secret("LM_SECRET")


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    environment = {
        "PATH": "/usr/bin:/bin",
        "LANHMANH_ENV": "production",
        "LANHMANH_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "example.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "Secret SECRET_KEY is required" in result.stderr
    assert not (tmp_path / "secrets").exists()
