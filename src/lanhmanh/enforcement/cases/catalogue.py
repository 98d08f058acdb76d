"""The shipped offence catalogue and stage time limits (loaded by migration 0002; administrators correct them).

Every row is unverified: written from secondary sources (the Penal Codes 1999 as amended 2009 and 2015
as amended 2017; the Criminal Procedure Codes 2003 and 2015). An administrator checks each against the
official text (vbpl.vn) and sets ``verified``. The code applied is the one in force on the date of the
act: Penal Code 1999 for acts up to 31/12/2017, Penal Code 2015 from 01/01/2018 (Resolution 41/2017/QH14;
the more lenient rules of 2015 applied retroactively are not modelled).

Minimum age (Art. 12): 16 for every crime; 14 to under 16 only for very serious or especially serious
crimes (1999: every such crime; 2015 as amended: only the articles listed in Art. 12(2), among them
141–144, 150 and 151, not 145–147 nor 327–329).
"""

from __future__ import annotations

import datetime as dt

BLHS_1999_FROM, BLHS_1999_TO = dt.date(2000, 7, 1), dt.date(2017, 12, 31)
BLHS_2015_FROM = dt.date(2018, 1, 1)
SOURCE_1999 = "Bộ luật Hình sự 1999 (sửa đổi 2009); nguồn thứ cấp, cần đối chiếu vbpl.vn."
SOURCE_2015 = "Bộ luật Hình sự 2015 (sửa đổi 2017); nguồn thứ cấp, cần đối chiếu vbpl.vn."

Y = 12  # months in a year

# (article, title, group, [(clause, min months, max months, life or death)], clause → min age rule)
ARTICLES_1999 = [
    (
        254,
        "Chứa mại dâm",
        "harbouring",
        [
            (1, 1 * Y, 7 * Y, False),
            (2, 5 * Y, 15 * Y, False),
            (3, 12 * Y, 20 * Y, False),
            (4, 20 * Y, 20 * Y, True),
        ],
    ),
    (
        255,
        "Môi giới mại dâm",
        "brokering",
        [(1, 6, 5 * Y, False), (2, 3 * Y, 10 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (
        256,
        "Mua dâm người chưa thành niên",
        "child-abuse",
        [(1, 1 * Y, 5 * Y, False), (2, 3 * Y, 8 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (119, "Mua bán người (phụ nữ)", "trafficking", [(1, 2 * Y, 7 * Y, False), (2, 5 * Y, 20 * Y, True)]),
    (
        120,
        "Mua bán, đánh tráo hoặc chiếm đoạt trẻ em",
        "trafficking",
        [(1, 3 * Y, 10 * Y, False), (2, 10 * Y, 20 * Y, True)],
    ),
    (
        111,
        "Hiếp dâm",
        "rape",
        [(1, 2 * Y, 7 * Y, False), (2, 7 * Y, 15 * Y, False), (3, 12 * Y, 20 * Y, True)],
    ),
    (112, "Hiếp dâm trẻ em", "child-abuse", [(1, 7 * Y, 15 * Y, False), (2, 12 * Y, 20 * Y, True)]),
    (
        115,
        "Giao cấu với trẻ em",
        "child-abuse",
        [(1, 1 * Y, 5 * Y, False), (2, 3 * Y, 10 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (
        116,
        "Dâm ô đối với trẻ em",
        "child-abuse",
        [(1, 6, 3 * Y, False), (2, 3 * Y, 7 * Y, False), (3, 7 * Y, 12 * Y, False)],
    ),
]
ARTICLES_2015 = [
    (
        327,
        "Chứa mại dâm",
        "harbouring",
        [
            (1, 1 * Y, 7 * Y, False),
            (2, 5 * Y, 10 * Y, False),
            (3, 10 * Y, 15 * Y, False),
            (4, 15 * Y, 20 * Y, False),
        ],
    ),
    (
        328,
        "Môi giới mại dâm",
        "brokering",
        [(1, 6, 3 * Y, False), (2, 3 * Y, 7 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (
        329,
        "Mua dâm người dưới 18 tuổi",
        "child-abuse",
        [(1, 1 * Y, 5 * Y, False), (2, 3 * Y, 10 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (
        150,
        "Mua bán người",
        "trafficking",
        [(1, 5 * Y, 10 * Y, False), (2, 8 * Y, 15 * Y, False), (3, 12 * Y, 20 * Y, True)],
    ),
    (
        151,
        "Mua bán người dưới 16 tuổi",
        "trafficking",
        [(1, 7 * Y, 12 * Y, False), (2, 12 * Y, 20 * Y, True)],
    ),
    (
        141,
        "Hiếp dâm",
        "rape",
        [(1, 2 * Y, 7 * Y, False), (2, 7 * Y, 15 * Y, False), (3, 12 * Y, 18 * Y, False)],
    ),
    (
        142,
        "Hiếp dâm người dưới 16 tuổi",
        "child-abuse",
        [(1, 7 * Y, 15 * Y, False), (2, 12 * Y, 20 * Y, True)],
    ),
    (
        143,
        "Cưỡng dâm",
        "rape",
        [(1, 1 * Y, 5 * Y, False), (2, 3 * Y, 10 * Y, False), (3, 10 * Y, 18 * Y, False)],
    ),
    (
        144,
        "Cưỡng dâm người từ đủ 13 tuổi đến dưới 16 tuổi",
        "child-abuse",
        [(1, 5 * Y, 10 * Y, False), (2, 7 * Y, 15 * Y, False), (3, 12 * Y, 20 * Y, True)],
    ),
    (
        145,
        "Giao cấu hoặc thực hiện hành vi quan hệ tình dục khác với người từ đủ 13 tuổi đến dưới 16 tuổi",
        "child-abuse",
        [(1, 1 * Y, 5 * Y, False), (2, 3 * Y, 10 * Y, False), (3, 7 * Y, 15 * Y, False)],
    ),
    (
        146,
        "Dâm ô đối với người dưới 16 tuổi",
        "child-abuse",
        [(1, 6, 3 * Y, False), (2, 3 * Y, 7 * Y, False), (3, 7 * Y, 12 * Y, False)],
    ),
    (
        147,
        "Sử dụng người dưới 16 tuổi vào mục đích khiêu dâm",
        "child-abuse",
        [(1, 6, 3 * Y, False), (2, 3 * Y, 7 * Y, False), (3, 5 * Y, 10 * Y, False)],
    ),
]
# 2015 as amended: articles whose very serious and especially serious clauses bind from 14 (Art. 12(2)).
FROM_14_IN_2015 = {141, 142, 143, 144, 150, 151}


def _min_age(code: str, article: int, max_months: int, life: bool) -> int:
    grave = life or max_months > 7 * Y
    if code == "1999":
        return 14 if grave else 16
    return 14 if grave and article in FROM_14_IN_2015 else 16


def offence_rows() -> list[dict]:
    rows = []
    for code, articles, valid_from, valid_to, source in (
        ("1999", ARTICLES_1999, BLHS_1999_FROM, BLHS_1999_TO, SOURCE_1999),
        ("2015", ARTICLES_2015, BLHS_2015_FROM, None, SOURCE_2015),
    ):
        for article, title, group, clauses in articles:
            for clause, low, high, life in clauses:
                rows.append(
                    {
                        "code": f"blhs{code}-{article}-{clause}",
                        "penal_code": code,
                        "article": article,
                        "clause": clause,
                        "title": title,
                        "group": group,
                        "min_months": low,
                        "max_months": high,
                        "life_or_death": life,
                        "min_age": _min_age(code, article, high, life),
                        "valid_from": valid_from,
                        "valid_to": valid_to,
                        "source": source,
                    }
                )
    return rows


BLTTHS_2003_FROM, BLTTHS_2003_TO = dt.date(2004, 7, 1), dt.date(2017, 12, 31)
BLTTHS_2015_FROM = dt.date(2018, 1, 1)

# (code, name, from, to, gravity, days, extension days, basis) for each procedure code.
_LIMITS = [
    (
        "verify",
        "Giải quyết tố giác, tin báo về tội phạm",
        "detected",
        "prosecuted",
        "",
        20,
        40,
        "Điều 103 BLTTHS 2003",
        "Điều 147 BLTTHS 2015",
    ),
    (
        "investigate-ls",
        "Điều tra (tội ít nghiêm trọng)",
        "prosecuted",
        "indicted",
        "less-serious",
        60,
        60,
        "Điều 119 BLTTHS 2003",
        "Điều 172 BLTTHS 2015",
    ),
    (
        "investigate-s",
        "Điều tra (tội nghiêm trọng)",
        "prosecuted",
        "indicted",
        "serious",
        90,
        90,
        "Điều 119 BLTTHS 2003",
        "Điều 172 BLTTHS 2015",
    ),
    (
        "investigate-vs",
        "Điều tra (tội rất nghiêm trọng)",
        "prosecuted",
        "indicted",
        "very-serious",
        120,
        120,
        "Điều 119 BLTTHS 2003",
        "Điều 172 BLTTHS 2015",
    ),
    (
        "investigate-es",
        "Điều tra (tội đặc biệt nghiêm trọng)",
        "prosecuted",
        "indicted",
        "especially-serious",
        120,
        240,
        "Điều 119 BLTTHS 2003",
        "Điều 172 BLTTHS 2015",
    ),
    (
        "trial-ls",
        "Chuẩn bị xét xử (tội ít nghiêm trọng)",
        "indicted",
        "tried",
        "less-serious",
        30,
        15,
        "Điều 176 BLTTHS 2003",
        "Điều 277 BLTTHS 2015",
    ),
    (
        "trial-s",
        "Chuẩn bị xét xử (tội nghiêm trọng)",
        "indicted",
        "tried",
        "serious",
        45,
        15,
        "Điều 176 BLTTHS 2003",
        "Điều 277 BLTTHS 2015",
    ),
    (
        "trial-vs",
        "Chuẩn bị xét xử (tội rất nghiêm trọng)",
        "indicted",
        "tried",
        "very-serious",
        60,
        30,
        "Điều 176 BLTTHS 2003",
        "Điều 277 BLTTHS 2015",
    ),
    (
        "trial-es",
        "Chuẩn bị xét xử (tội đặc biệt nghiêm trọng)",
        "indicted",
        "tried",
        "especially-serious",
        90,
        30,
        "Điều 176 BLTTHS 2003",
        "Điều 277 BLTTHS 2015",
    ),
]
# The procuracy's decision to indict counts from receiving the investigation's conclusion, which we
# do not record: the investigation limit above runs to the indictment instead (noted in the docs).


def limit_rows() -> list[dict]:
    rows = []
    for code, name, start, end, gravity, days, extension, basis_2003, basis_2015 in _LIMITS:
        for suffix, basis, valid_from, valid_to in (
            ("2003", basis_2003, BLTTHS_2003_FROM, BLTTHS_2003_TO),
            ("2015", basis_2015, BLTTHS_2015_FROM, None),
        ):
            rows.append(
                {
                    "code": f"{code}-{suffix}",
                    "name": name,
                    "from_stage": start,
                    "to_stage": end,
                    "gravity": gravity,
                    "days": days,
                    "extension_days": extension,
                    "basis": basis,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                }
            )
    return rows


PROSECUTOR_ROLE = (
    "prosecutor",
    "Kiểm sát viên",
    "Prosecutor",
    ["aggregate", "identity", "enforcement"],
    "Kiểm sát điều tra, truy tố, đình chỉ vụ án hình sự.",
)
COURT_CLERK_NAME = (
    "Thư ký Tòa án",
    "Court clerk",
    "Xét xử sơ thẩm, phúc thẩm, bản án vụ án hình sự; tin bài về phiên tòa.",
)
