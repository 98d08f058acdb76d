"""The files in deploy/: every systemd unit runs a command that exists, the nginx site keeps its guarantees."""

from __future__ import annotations

import configparser
import re
import runpy
from pathlib import Path

from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name, encoding="utf-8")
    return parser


def test_every_service_runs_a_command_that_exists_under_the_lanhmanh_user_with_the_environment_file():
    services = sorted(p.name for p in (DEPLOY / "systemd").glob("*.service"))
    assert services == [
        "lanhmanh-backup.service",
        "lanhmanh-reminders.service",
        "lanhmanh-retention.service",
        "lanhmanh-rollup.service",
        "lanhmanh-web.service",
        "lanhmanh-worker.service",
    ]
    commands = get_commands()
    for name in services:
        service = unit(name)["Service"]
        assert (service["User"], service["EnvironmentFile"]) == ("lanhmanh", "/etc/lanhmanh/lanhmanh.env"), (
            name
        )
        assert service["NoNewPrivileges"] == "true" and service["ProtectSystem"] == "strict", name
        found = re.search(r"manage\.py (\w+)", service["ExecStart"])
        if found:
            assert found.group(1) in commands, name
    assert (
        "gunicorn -c /opt/lanhmanh/deploy/gunicorn.conf.py"
        in unit("lanhmanh-web.service")["Service"]["ExecStart"]
    )


def test_each_daily_job_has_a_timer_for_its_service():
    for job in ("backup", "reminders", "retention", "rollup"):
        timer = unit(f"lanhmanh-{job}.timer")
        assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")
        assert timer["Timer"]["Persistent"] == "true"


def test_the_nginx_site_logs_no_uri_and_serves_no_media_and_limits_uploads():
    site = (DEPLOY / "nginx" / "lanhmanh.conf").read_text(encoding="utf-8")
    log_format = site.split("log_format lanhmanh_json", 1)[1].split(";", 1)[0]
    assert "$request_id" in log_format
    for leak in ("$request ", "$request_uri", "$uri", "$args", "$query_string", "$http_referer"):
        assert leak not in log_format
    assert "location /media" not in site
    assert "client_max_body_size 25m;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "error_page 502 503 504 /loi-tam-thoi.html;" in site
    assert "Hệ thống đang tạm thời gián đoạn" in (DEPLOY / "nginx" / "loi-tam-thoi.html").read_text(
        encoding="utf-8"
    )


def test_gunicorn_runs_threads_so_a_password_check_does_not_hold_a_whole_process(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 4
    assert 2 <= config["workers"] <= 9
    # gunicorn keeps an idle connection longer than nginx's upstream keepalive_timeout (else 502 on a race).
    site = (DEPLOY / "nginx" / "lanhmanh.conf").read_text(encoding="utf-8")
    nginx_seconds = int(re.search(r"keepalive_timeout (\d+)s;", site).group(1))
    assert config["keepalive"] > nginx_seconds
