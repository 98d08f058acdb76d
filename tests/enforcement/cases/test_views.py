"""Pages of criminal cases: who sees a case and its names (404 for everyone else), the purpose asked and
logged, stage forms by agency role, bad input refused with the field named, counts without names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from lanhmanh.core.models import AccessRecord
from lanhmanh.enforcement.cases import services
from lanhmanh.enforcement.cases.models import CriminalCase, Defendant
from tests.bad_text import BAD_TEXTS, refusal
from tests.enforcement.cases.conftest import advance, identity

pytestmark = pytest.mark.django_db

NAME = "Trần Văn Hùng"


@pytest.fixture
def defendant(case, police, brokering):
    return services.defendant_add(
        actor=police, case=case, ring_role="broker", offence=brokering, identity=identity()
    )


def open_with_purpose(client, case):
    url = reverse("cases:case_detail", args=[case.pk])
    client.post(url, {"purpose": "investigation", "detail": ""})
    return client.get(url)


@pytest.mark.parametrize("who", ["police", "prosecutor", "court_clerk"])
def test_the_agencies_of_the_case_see_the_names_after_a_purpose_and_each_read_is_logged(
    request, client_for, case, defendant, who
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    first = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert "mục đích xem" in first.content.decode()
    assert NAME not in first.content.decode()
    page = open_with_purpose(client, case)
    assert page.status_code == 200
    assert NAME in page.content.decode()
    log = AccessRecord.objects.get(actor=user, object_id=str(defendant.person_id))
    assert (log.purpose, log.data_class, log.model) == ("investigation", "identity", "people.person")


def test_a_ring_page_logs_each_identity_shown_once_and_a_child_victim_as_a_child_read(
    client_for, police, case, brokering
):
    defendants = [
        services.defendant_add(
            actor=police, case=case, ring_role="broker", offence=brokering, identity=identity(name=name)
        )
        for name in (NAME, "Lê Văn Tám", "Phạm Văn Ba")
    ]
    victim = services.victim_add(
        actor=police,
        case=case,
        kind="abused",
        identity=identity(name="Nguyễn Thị Hoa", birth=dt.date(2000, 2, 1), sex="female"),
    )
    assert open_with_purpose(client_for(police), case).status_code == 200
    logs = AccessRecord.objects.filter(actor=police, path=reverse("cases:case_detail", args=[case.pk]))
    assert sorted((r.object_id, r.data_class, r.purpose) for r in logs) == sorted(
        [(str(d.person_id), "identity", "investigation") for d in defendants]
        + [(str(victim.person_id), "child", "investigation")]
    )


@pytest.mark.parametrize(
    "who",
    ["coordinator", "district_officer", "other_police", "social_worker", "health_worker", "licensing", "dpo"],
)
def test_everyone_else_gets_404_for_the_case_and_its_documents(request, client_for, case, defendant, who):
    client = client_for(request.getfixturevalue(who))
    for name in ("cases:case_detail", "cases:case_summary", "cases:defendant_add", "cases:victim_add"):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404, name
    assert client.get(reverse("cases:stage_record", args=[case.pk, "busted"])).status_code == 404
    if who != "other_police":  # a police officer has a case list: without this case in it (below)
        assert client.get(reverse("cases:case_list")).status_code == 404


def test_a_police_officer_of_another_district_does_not_see_the_case_in_a_list(client_for, other_police, case):
    assert client_for(other_police).get(reverse("cases:case_list")).context["page"].paginator.count == 0


def test_the_court_clerk_is_told_the_police_stage_is_not_theirs(client_for, court_clerk, case):
    client = client_for(court_clerk)
    url = reverse("cases:stage_record", args=[case.pk, "busted"])
    response = client.post(url, {"on": "2014-03-04"})
    assert response.status_code == 403
    assert "Giai đoạn “Phá án” do cơ quan điều tra (cán bộ Công an) ghi nhận" in response.content.decode()
    assert CriminalCase.objects.get(pk=case.pk).busted_on == dt.date(2014, 3, 5)


def test_the_case_page_shows_only_the_users_own_stage_buttons(client_for, prosecutor, case, police):
    services.case_stage_record(actor=police, case=case, stage="prosecuted", on=dt.date(2014, 3, 6))
    page = open_with_purpose(client_for(prosecutor), case).content.decode()
    assert 'data-stage-button="indicted"' in page
    assert 'data-stage-button="busted"' not in page
    assert 'data-stage-button="tried"' not in page


def test_a_stage_date_out_of_order_is_shown_under_the_date(client_for, court_clerk, case, police, prosecutor):
    advance(case, police, prosecutor, court_clerk, tried=False)
    response = client_for(court_clerk).post(
        reverse("cases:stage_record", args=[case.pk, "tried"]), {"on": "2014-05-01", "mobile_trial": "on"}
    )
    assert response.status_code == 200
    assert (
        "Ngày xét xử sơ thẩm (01/05/2014) không được trước ngày truy tố (20/05/2014)."
        in response.content.decode()
    )
    assert CriminalCase.objects.get(pk=case.pk).mobile_trial is False


def test_a_mobile_trial_is_recorded_by_the_court_clerk(client_for, court_clerk, case, police, prosecutor):
    advance(case, police, prosecutor, court_clerk, tried=False)
    response = client_for(court_clerk).post(
        reverse("cases:stage_record", args=[case.pk, "tried"]), {"on": "2014-06-25", "mobile_trial": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.tried_on, case.mobile_trial, case.court.kind) == (dt.date(2014, 6, 25), True, "court")


def test_the_police_open_a_case_through_the_form(client_for, police, brokering):
    response = client_for(police).post(
        reverse("cases:case_create"),
        {
            "offence": brokering.pk,
            "act_on": "2014-04-01",
            "unit": CriminalCase._meta.get_field("unit").related_model.objects.get(path="01.002.00079").pk,
            "detected_on": "02/04/2014",
            "busted_on": "2014-04-03",
            "address": "Phố Tràng Tiền",
        },
    )
    case = CriminalCase.objects.get()
    assert response.status_code == 302
    assert (case.busted_on, case.investigating_agency, case.stage) == (
        dt.date(2014, 4, 3),
        police.agency,
        "busted",
    )


@pytest.mark.parametrize("kind", BAD_TEXTS)
def test_bad_text_in_the_case_form_is_refused_under_the_field(client_for, police, brokering, kind):
    response = client_for(police).post(
        reverse("cases:case_create"),
        {
            "offence": brokering.pk,
            "act_on": "2014-04-01",
            "detected_on": "2014-04-02",
            "summary": BAD_TEXTS[kind],
        },
    )
    assert refusal(kind, "Tóm tắt vụ án", limit="4.000") in response.content.decode()
    assert not CriminalCase.objects.exists()


def test_a_defendant_under_age_is_refused_in_the_form_and_nothing_is_saved(
    client_for, police, case, brokering
):
    response = client_for(police).post(
        reverse("cases:defendant_add", args=[case.pk]),
        {
            "full_name": "Phạm Văn Nam",
            "sex": "male",
            "birth_date": "2000-01-01",
            "ring_role": "broker",
            "offence": brokering.pk,
            "measure": "none",
        },
    )
    assert response.status_code == 200
    assert "Bị can chưa đủ 16 tuổi vào ngày thực hiện hành vi (02/03/2014)" in response.content.decode()
    assert not Defendant.objects.exists()


def test_the_form_links_a_defendant_to_the_registry_person_chosen_from_the_suggestions(
    client_for, police, case, brokering
):
    from lanhmanh.people.services import person_create

    known = person_create(
        actor=police, **identity(name="Lê Thị Mai", birth=dt.date(1980, 1, 1), sex="female")
    )
    client = client_for(police)
    suggestions = client.get(
        reverse("cases:person_suggest"),
        {"full_name": "Lê Thị Mai", "birth_date": "1980-01-01", "sex": "female"},
    )
    assert f'value="{known.pk}"' in suggestions.content.decode()
    response = client.post(
        reverse("cases:defendant_add", args=[case.pk]),
        {
            "person": known.pk,
            "sex": "unknown",
            "ring_role": "organiser",
            "offence": brokering.pk,
            "measure": "detention",
        },
    )
    assert response.status_code == 302
    assert Defendant.objects.get().person == known


def test_a_sentence_out_of_range_is_refused_in_the_form(
    client_for, police, prosecutor, court_clerk, case, defendant
):
    advance(case, police, prosecutor, court_clerk)
    response = client_for(court_clerk).post(
        reverse("cases:sentence", args=[case.pk, defendant.pk]),
        {"sentence_kind": "prison", "sentence_months": "200", "sentenced_on": "2014-06-25"},
    )
    assert "nằm ngoài khung của khoản 1 Điều 255 BLHS 1999 (6 tháng – 5 năm)" in response.content.decode()


def test_the_case_summary_is_an_a4_word_document_with_decree_30_margins(client_for, police, case, defendant):
    from docx import Document

    client = client_for(police)
    open_with_purpose(client, case)
    response = client.get(reverse("cases:case_summary", args=[case.pk]))
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    assert NAME in "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )


def test_the_coordinator_sees_counts_with_small_cells_hidden_and_no_names(
    client_for, coordinator, case, defendant
):
    response = client_for(coordinator).get(reverse("cases:statistics"), {"year": 2014})
    page = response.content.decode()
    assert response.status_code == 200
    assert NAME not in page
    assert response.context["table"].total[0] == "< 5"


def test_the_police_see_their_own_small_counts(client_for, police, case):
    response = client_for(police).get(reverse("cases:statistics"), {"year": 2014})
    assert response.context["table"].total[0] == "1"
    brokering_row = dict(response.context["table"].rows)["Môi giới mại dâm"]
    assert brokering_row[0] == "1"


def test_the_statistics_download_as_word_and_excel(client_for, police, case):
    from openpyxl import load_workbook

    client = client_for(police)
    xlsx = client.get(reverse("cases:statistics"), {"year": 2014, "dinh-dang": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[3]][:2] == ["Nhóm tội", "Phá án"]
    assert sheet.cell(row=sheet.max_row, column=2).value == 1
    docx = client.get(reverse("cases:statistics"), {"year": 2014, "dinh-dang": "docx"})
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")


def test_the_case_summarys_year_of_birth_column_shows_the_year_only(client_for, police, case, defendant):
    from docx import Document

    client = client_for(police)
    open_with_purpose(client, case)
    document = Document(io.BytesIO(client.get(reverse("cases:case_summary", args=[case.pk])).content))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Năm sinh")
    born = defendant.person.birth_date
    assert born is not None and table.rows[1].cells[1].text == str(born.year)
    assert born.strftime("%d/%m/%Y") not in "\n".join(c.text for r in table.rows for c in r.cells)
