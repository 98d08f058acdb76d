"""Demo data of the org app: Hanoi's 2014 units and agencies, and one login per role."""

from __future__ import annotations

from dataclasses import dataclass

from lanhmanh.core.audit import audited_insert
from lanhmanh.demo.loader import DemoContext, step
from lanhmanh.org.models import AdministrativeUnit, Agency, Role, User
from lanhmanh.org.roles import ROLES, WRITE_CLASSES
from lanhmanh.org.services import agencies_seed, units_load_hanoi_2014


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency_code: str
    title: str
    female: bool
    admin: bool = False


# One login per role, at a realistic agency: Hoàn Kiếm district, Tràng Tiền ward (GSO code 00079), or the city.
ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "dieuphoi", Role.CITY_COORDINATOR, "01-dolisa-pctnxh", "Chuyên viên Phòng Phòng, chống mại dâm", True
    ),
    DemoAccount("phonglaodong", Role.DISTRICT_LABOUR, "01-002-labour", "Chuyên viên Phòng LĐTBXH", False),
    DemoAccount("canboxa", Role.COMMUNE_OFFICER, "01-002-00079-social", "Công chức LĐTBXH phường", True),
    DemoAccount("congan", Role.POLICE, "01-002-police", "Cán bộ Đội Cảnh sát hình sự", False),
    DemoAccount("doi178", Role.INSPECTOR, "01-002-team-178", "Thành viên Đội kiểm tra liên ngành 178", False),
    DemoAccount(
        "congtacxahoi", Role.SOCIAL_WORKER, "01-002-00079-womens-union", "Cán bộ Hội Phụ nữ phường", True
    ),
    DemoAccount("yte", Role.HEALTH_WORKER, "01-health", "Bác sĩ, Phòng Nghiệp vụ Y", True),
    DemoAccount("toaan", Role.COURT_CLERK, "01-court", "Thư ký Tòa án", False),
    DemoAccount("capphep", Role.LICENSING, "01-culture", "Chuyên viên Phòng Quản lý văn hóa", False),
    DemoAccount(
        "baovedulieu", Role.DATA_PROTECTION, "01-dolisa-pctnxh", "Cán bộ bảo vệ dữ liệu cá nhân", True
    ),
    DemoAccount("quantri", Role.SYSTEM_ADMIN, "01-dolisa-pctnxh", "Quản trị hệ thống", False, admin=True),
    DemoAccount("kiemsat", Role.PROSECUTOR, "01-procuracy", "Kiểm sát viên", True),
    DemoAccount(
        "vanhoa", Role.SECTOR_REPORTER, "01-culture", "Chuyên viên Văn phòng Sở, đầu mối báo cáo", True
    ),
]

_MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân")
_MIDDLE_FEMALE = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng")


def vietnamese_name(context: DemoContext, *, female: bool) -> tuple[str, str]:
    """(family name, middle + given name) in Vietnamese order, e.g. ('Nguyễn', 'Thị Lan')."""
    fake = context.faker
    family = fake.last_name()
    middle = fake.random_element(_MIDDLE_FEMALE if female else _MIDDLE_MALE)
    given = fake.first_name_female() if female else fake.first_name_male()
    return family, f"{middle} {given}"


@step(order=5)
def roles(context: DemoContext) -> str | None:
    """The shipped roles (normally seeded by migration 0002; a flushed test database has none). Kept if present."""
    created = 0
    for code, name, name_en, classes, description in ROLES:
        _, new = Role.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "data_classes": classes,
                "write_classes": [c for c in WRITE_CLASSES.get(code, []) if c in classes],
                "description": description,
            },
        )
        created += new
    return f"Vai trò: {created} mới." if created else None


@step(order=10)
def units_and_agencies(context: DemoContext) -> str:
    """Hanoi's 2014 administrative units and the agencies of the plan (both idempotent)."""
    units = 0
    if not AdministrativeUnit.objects.filter(path="01", valid_from__isnull=True).exists():
        units = units_load_hanoi_2014()
    province = AdministrativeUnit.objects.get(path="01", valid_from__isnull=True)
    agencies = agencies_seed(province=province)
    return f"Đơn vị hành chính: {units} mới; cơ quan: {agencies} mới."


@step(order=20)
def accounts(context: DemoContext) -> str:
    """One login per role with the demo password; existing demo logins are kept (password reset, unlocked)."""
    roles = {r.code: r for r in Role.objects.all()}
    agencies = {a.code: a for a in Agency.objects.filter(code__in={a.agency_code for a in ACCOUNTS})}
    created = 0
    for account in ACCOUNTS:
        # Draw the name even for an existing user, so every account's name is the same on every run.
        family, given = vietnamese_name(context, female=account.female)
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                first_name=given,
                last_name=family,
                email=f"{account.username}@demo.lanhmanh.invalid",
                agency=agencies[account.agency_code],
                title=account.title,
                is_staff=account.admin,
                is_superuser=account.admin,
            )
            user.set_password(context.password)
            user.full_clean()
            audited_insert(actor=None, instance=user, reason="Tài khoản demo")
            user.roles.set([roles[account.role]])
            created += 1
        else:
            user.set_password(context.password)
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["password", "failed_logins", "locked_until"])
        context.accounts[account.role] = user
    return f"Tài khoản demo: {created} mới, {len(ACCOUNTS) - created} đã có."
