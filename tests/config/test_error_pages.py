"""Error pages: Vietnamese, in the app's layout, saying what to do next; "missing" and "not allowed" look alike."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from lanhmanh.config.urls import urlpatterns as project_urls


def _boom(request):
    raise RuntimeError("boom")


def _forbidden(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


urlpatterns = [path("thu-loi-500/", _boom), path("thu-loi-403/", _forbidden), *project_urls]


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.mark.django_db
def test_a_missing_page_is_a_vietnamese_page_in_the_layout_with_a_way_home(production_errors, client):
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy hoặc không được phép xem" in html
    assert 'href="/"' in html and "trang chủ" in html
    assert "Lành Mạnh" in html and "Not Found" not in html


@pytest.mark.django_db
def test_not_allowed_looks_exactly_like_missing(production_errors, client):
    missing = client.get("/khong-co-trang-nay/").content.decode()
    forbidden_response = client.get("/thu-loi-403/")
    forbidden = forbidden_response.content.decode()
    assert forbidden_response.status_code == 403
    assert "403 Forbidden" not in forbidden
    assert _main(forbidden).replace('data-error-status="403"', "") == _main(missing).replace(
        'data-error-status="404"', ""
    )


@pytest.mark.django_db
def test_a_server_error_is_a_vietnamese_page_that_says_nothing_was_half_saved(production_errors):
    client = Client(raise_request_exception=False)
    response = client.get("/thu-loi-500/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in html and "không được lưu một nửa" in html
    assert "Server Error" not in html


@pytest.mark.django_db
def test_a_stale_form_explains_the_expired_session_in_vietnamese(production_errors):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()


@pytest.mark.django_db
def test_the_missing_page_keeps_the_apps_layout(production_errors, client):
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert "Bỏ qua, đến nội dung chính" in html and "app-header" in html
