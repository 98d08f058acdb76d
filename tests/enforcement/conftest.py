"""Fixtures of the enforcement tests: hotspot kinds (seeded by migration), a hotspot in Tràng Tiền
(Hoàn Kiếm) and one in Đông Anh, an eliminated one, an inspection of a karaoke bar (premises) and a
criminal case (cases) to link tips to, and images with and without EXIF/GPS."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from lanhmanh.enforcement.models import HotspotKind, HotspotStatus
from tests.conftest import DONG_ANH, HOAN_KIEM, TRANG_TIEN, agency
from tests.enforcement.cases.conftest import brokering, case, other_police, prosecutor  # noqa: F401  (fixtures)
from tests.factories import HotspotFactory, UnitFactory
from tests.people.conftest import resident, selling_2014, trang_tien  # noqa: F401  (fixtures)
from tests.premises.conftest import at, karaoke, place, team, three_agencies  # noqa: F401  (fixtures)


@pytest.fixture
def street(db):
    return HotspotKind.objects.get(code="street")


def make_hotspot(
    street,
    *,
    path=TRANG_TIEN,
    police_path=HOAN_KIEM,
    status=HotspotStatus.ACTIVE,
    status_on=None,
    name="Phố Phạm Ngũ Lão",
):
    return HotspotFactory(
        name=name,
        kind=street,
        unit=UnitFactory(path=path),
        police_agency=agency(police_path, "police"),
        status=status,
        status_on=status_on,
    )


@pytest.fixture
def hotspot(street):
    return make_hotspot(street)


@pytest.fixture
def eliminated(street):
    return make_hotspot(
        street, status=HotspotStatus.ELIMINATED, status_on=dt.date(2013, 11, 20), name="Vườn hoa Lý Thái Tổ"
    )


@pytest.fixture
def dong_anh_hotspot(street):
    return make_hotspot(street, path=f"{DONG_ANH}.00457", police_path=DONG_ANH, name="Khu vực chợ Đông Anh")


@pytest.fixture
def inspection(request, inspector):
    """An inspection of the karaoke bar in Tràng Tiền that found a violation (premises' own service)."""
    from lanhmanh.premises import services as premises_services

    return premises_services.inspection_record(
        actor=inspector,
        establishment=request.getfixturevalue("place"),
        team=request.getfixturevalue("team"),
        started_at=at("2014-03-10"),
        agencies=request.getfixturevalue("three_agencies"),
        leader_name="Nguyễn Văn Trưởng",
        violation_found=True,
        findings="Phòng hát không có cửa kính.",
    )


def jpeg_with_gps() -> bytes:
    """A small JPEG carrying EXIF with a camera model and GPS coordinates."""
    from PIL import Image

    image = Image.new("RGB", (40, 30), (200, 50, 50))
    exif = Image.Exif()
    exif[0x0110] = "Camera-Thu-Nghiem"  # Model
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()
