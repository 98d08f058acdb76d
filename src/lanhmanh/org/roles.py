"""The roles shipped with Lành Mạnh and the data classes each grants (seeded by migration 0002).

Administrators may change a role's data classes later; this table is the starting point. Seeing a class
and changing it are two grants: ``WRITE_CLASSES`` (seeded by migration 0005) lists what each role may
change; a role not listed there changes nothing.
"""

A, E, I, V, S, H, C = "aggregate", "establishment", "identity", "enforcement", "support", "health", "child"  # noqa: E741 - one letter per data class keeps the table readable

ROLES: list[tuple[str, str, str, list[str], str]] = [
    (
        "sysadmin",
        "Quản trị hệ thống",
        "System administrator",
        [],
        "Quản lý tài khoản, cơ quan, đơn vị hành chính; không xem dữ liệu cá nhân.",
    ),
    (
        "data-protection",
        "Cán bộ bảo vệ dữ liệu cá nhân",
        "Data-protection officer",
        [A],
        "Xem nhật ký truy cập và lịch sử thay đổi; không xem nội dung hồ sơ.",
    ),
    (
        "city-coordinator",
        "Điều phối viên Chi cục PCTNXH",
        "City coordinator (Sub-department)",
        [A, E, I, V, S, C],
        "Tổng hợp, theo dõi kế hoạch toàn thành phố.",
    ),
    (
        "district-labour",
        "Cán bộ Phòng LĐTBXH cấp huyện",
        "District labour officer",
        [A, E, I, V, S, C],
        "Theo dõi, tổng hợp, hỗ trợ trên địa bàn quận, huyện.",
    ),
    (
        "commune-officer",
        "Cán bộ LĐTBXH cấp xã",
        "Commune officer",
        [A, E, I, V, S],
        "Cập nhật số liệu, tiếp cận, hỗ trợ trên địa bàn xã, phường.",
    ),
    ("police", "Cán bộ Công an", "Police officer", [A, E, I, V], "Kiểm tra, xử lý vi phạm, điều tra."),
    (
        "inspector",
        "Thành viên Đội kiểm tra liên ngành 178",
        "Team 178 inspector",
        [A, E, I, V],
        "Kiểm tra cơ sở kinh doanh, đề xuất xử phạt.",
    ),
    (
        "social-worker",
        "Cán bộ công tác xã hội / Hội Phụ nữ",
        "Social worker / Women's Union",
        [A, I, S, C],
        "Tiếp cận, tư vấn, quản lý trường hợp, chuyển gửi.",
    ),
    ("health-worker", "Cán bộ y tế", "Health worker", [A, E, I, H], "Dịch vụ y tế, cơ sở xoa bóp."),
    (
        "court-clerk",
        "Thư ký Tòa án",
        "Court clerk",
        [A, I, V],
        "Xét xử sơ thẩm, phúc thẩm, bản án vụ án hình sự; tin bài về phiên tòa.",
    ),
    (
        "prosecutor",
        "Kiểm sát viên",
        "Prosecutor",
        [A, I, V],
        "Kiểm sát điều tra, truy tố, đình chỉ vụ án hình sự.",
    ),
    (
        "licensing",
        "Cán bộ cấp phép (Sở VHTTDL)",
        "Licensing officer (culture)",
        [A, E],
        "Tra cứu điều kiện cấp phép kinh doanh dịch vụ văn hóa.",
    ),
    (
        "sector-reporter",
        "Cán bộ đầu mối báo cáo của sở, ngành, đoàn thể",
        "Sector reporting officer",
        [A],
        "Lập, gửi báo cáo định kỳ của sở, ngành, đoàn thể về nhiệm vụ được giao trong kế hoạch; không xem hồ sơ cá nhân.",
    ),
]

# What each role may change (create, edit, import, merge), a subset of what it sees. The court's and the
# procuracy's clerks read the registry for their cases but do not record persons or violations.
WRITE_CLASSES: dict[str, list[str]] = {
    "city-coordinator": [A, E, I, V, S, C],
    "district-labour": [A, E, I, V, S, C],
    "commune-officer": [A, E, I, V, S],
    "police": [A, E, I, V],
    "inspector": [A, E, I, V],
    "social-worker": [A, I, S, C],
    "health-worker": [A, E, I, H],
    "court-clerk": [A],
    "prosecutor": [A],
    "licensing": [A],
    "sector-reporter": [A],
}
