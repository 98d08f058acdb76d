"""The home panel: reports due and late for the officer, returned ones to fix, and reports waiting for approvers."""

from __future__ import annotations

from lanhmanh.reporting import services
from lanhmanh.reporting.selectors import home_reports_for

from .conftest import GOOD_VALUES, REASONS, TODAY


def sent(user, forms, period_id: str):
    submission = services.submission_open(
        actor=user, form=forms["xa-thang"], period_id=period_id, today=TODAY
    )
    services.submission_save(actor=user, submission=submission, values=GOOD_VALUES, reasons=REASONS)
    return services.submission_submit(actor=user, submission=submission)


def listed(items) -> list[str]:
    return [f"{i.form.code}:{i.period.id}" for i in items]


def test_the_officer_sees_what_is_late_and_what_is_due(forms, commune_officer):
    # On 10/11/2014: September (due 15/10) is late; October (due 15/11) and November (15/12) are due.
    panel = home_reports_for(commune_officer, today=TODAY)
    assert listed(panel["late"]) == ["xa-thang:201409"]
    assert listed(panel["due"]) == ["xa-thang:201410", "xa-thang:201411"]
    assert panel["returned"] == []
    sent(commune_officer, forms, "201409")
    assert listed(home_reports_for(commune_officer, today=TODAY)["late"]) == []


def test_late_due_and_returned_reports_are_sorted_out(forms, commune_officer, district_officer):
    august = sent(commune_officer, forms, "201408")
    services.submission_return(actor=district_officer, submission=august, comment="Thiếu số liệu hỗ trợ")
    panel = home_reports_for(commune_officer, today=TODAY.replace(day=20))
    # On 20/11/2014: September (due 15/10) and October (due 15/11) are late, November (15/12) is due; August
    # was sent (then returned), so it is not late but listed to fix.
    assert listed(panel["late"]) == ["xa-thang:201409", "xa-thang:201410"]
    assert listed(panel["due"]) == ["xa-thang:201411"]
    assert [s.pk for s in panel["returned"]] == [august.pk]
    assert (panel["is_approver"], panel["waiting_count"]) == (False, 0)


def test_the_district_sees_the_reports_waiting_and_another_district_does_not(
    forms, commune_officer, district_officer, other_district_officer
):
    october = sent(commune_officer, forms, "201410")
    panel = home_reports_for(district_officer, today=TODAY)
    assert (panel["is_approver"], panel["waiting_count"]) == (True, 1)
    assert [s.pk for s in panel["waiting"]] == [october.pk]
    assert home_reports_for(other_district_officer, today=TODAY)["waiting_count"] == 0


def test_the_home_page_shows_the_panel_to_officers_and_approvers_only(
    forms, commune_officer, district_officer, social_worker, client_for
):
    october = sent(commune_officer, forms, "201410")
    officer_page = client_for(commune_officer).get("/").content.decode()
    assert 'data-panel="reporting-due"' in officer_page
    assert "Báo cáo định kỳ" in officer_page
    district_page = client_for(district_officer).get("/").content.decode()
    assert "1 báo cáo chờ anh/chị duyệt" in district_page
    assert f'data-waiting="{october.pk}"' in district_page
    assert 'data-panel="reporting-due"' not in client_for(social_worker).get("/").content.decode()
