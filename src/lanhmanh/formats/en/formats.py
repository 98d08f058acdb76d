"""English screens serve the same Vietnamese offices: dates stay day first (dd/mm/yyyy) and 24-hour, so a
date typed in one language means the same day in the other."""

from lanhmanh.formats.vi.formats import (  # noqa: F401
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1
