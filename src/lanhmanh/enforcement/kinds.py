"""The kinds of public place shipped with the register (seeded by migration 0002; administrators add more)."""

KINDS = [
    ("street", "Tuyến phố, đường", "Street"),
    ("park", "Công viên, vườn hoa", "Park, garden"),
    ("lakeside", "Ven hồ", "Lakeside"),
    ("bridge", "Chân cầu, gầm cầu", "Bridge"),
    ("station", "Bến xe, nhà ga", "Bus or railway station"),
    ("market", "Chợ", "Market"),
    ("riverbank", "Đê, bãi sông", "Dyke, riverbank"),
    ("other", "Nơi công cộng khác", "Other public place"),
]
