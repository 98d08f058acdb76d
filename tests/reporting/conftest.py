"""Fixtures of the reporting tests: the shipped forms, and a helper to fill a commune's monthly report."""

from __future__ import annotations

import datetime as dt

import pytest

from lanhmanh.reporting.models import ReportForm
from lanhmanh.reporting.services import report_forms_load

TODAY = dt.date(2014, 11, 10)  # the commune monthly report for October 2014 is due on 15/11/2014

GOOD_VALUES = {
    "sellers_known": "12",
    "suspect_establishments": "3",
    "hotspots_found": "0",
    "people_checked": "20",
    "sellers_sanctioned": "8",
    "warnings": "5",
    "fined": "3",
    "fines_imposed": "4.500.000",
    "fines_collected": "3.000.000",
    "outreach": "15",
    "health_referrals": "6",
    "trained_employed": "2",
    "hotspots_eliminated": "0",
    "hotspots_kept_clean": "0",
    "hotspots_reemerged": "0",
    "activities_held": "0",
    "trainings_held": "0",
    "participants": "0",
    "assessment": "Tình hình ổn định.",
}

# Computed fields whose records may not all be in the test database: the officer's corrections.
REASONS = {
    "sellers_sanctioned": "Theo sổ theo dõi xử phạt của Công an phường",
    "warnings": "Theo sổ theo dõi xử phạt của Công an phường",
    "fined": "Theo sổ theo dõi xử phạt của Công an phường",
    "fines_imposed": "Theo sổ theo dõi xử phạt của Công an phường",
    "fines_collected": "Theo biên lai thu tiền phạt",
    "outreach": "Theo sổ tiếp cận của Hội Phụ nữ phường",
    "trained_employed": "Theo danh sách học nghề của phường",
}


@pytest.fixture
def forms(db):
    """The shipped forms, loaded once per test database (``tests/conftest.py``); again after a flush."""
    if not ReportForm.objects.exists():
        report_forms_load()
    return {f.code: f for f in ReportForm.objects.all()}
