"""The role × URL × jurisdiction matrix (issue #21, "done means"; ASVS V4.1.1, V4.1.5, V4.2.1).

Generated, not hand-listed: every URL pattern of the site (the admin and the API have their own tests) is
requested by every demo role, anonymously, and, for pages of one record, with records of several
jurisdictions from the demo data. The expected answer comes from the permission rules themselves:

* a page of one record answers 200 (or a redirect to a purpose prompt) exactly when the selector its view
  reads the record through lets the user have it, and 404 otherwise (never 403: a record out of reach
  looks missing);
* a menu page answers 200 exactly to the roles its menu entry's ``allowed`` predicate admits;
* no page answers 403 or 5xx to anyone, and every page sends the anonymous to the sign-in page.

A new URL pattern with a record id fails ``test_every_record_page_has_its_rule`` until its selector is
named in ``RECORD_RULES``.
"""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lanhmanh.core.navigation import all_items
from lanhmanh.demo.steps.org import ACCOUNTS

SKIPPED_PREFIXES = ("quan-tri/", "api/", "i18n/", "static/")
# Pages anyone may open: signing in and out, the load balancer's health check, and the public tip page
# (sending a tip, checking or adding to it by receipt code: the only pages without an account).
PUBLIC = {
    "login",
    "logout",
    "two_factor",
    "healthz",
    "enforcement:tip_public",
    "enforcement:tip_status",
    "enforcement:tip_add",
}
OBJECTS_PER_KIND = 3


def _rules() -> dict:
    from lanhmanh.core import breaches
    from lanhmanh.linkage import selectors as linkage
    from lanhmanh.people import selectors as people
    from lanhmanh.plans import selectors as plans
    from lanhmanh.reporting import selectors as reporting
    from lanhmanh.support import selectors as support

    def person_page(user, pk):
        from lanhmanh.people.apps import can_use_registry

        if not can_use_registry(user):
            raise Http404
        return people.person_get(user, pk)

    def child_page(user, pk):
        from lanhmanh.support.apps import can_open_child_case
        from lanhmanh.support.views import CHILD_RECORDS_FROM

        if not can_open_child_case(user):
            raise Http404
        person = people.person_get(user, pk)
        if person.is_adult_on(CHILD_RECORDS_FROM) and person.is_adult_today:
            raise Http404
        return person

    def pair_page(user, pk):
        return linkage.pair_get(user, pk)

    def cluster_page(user, pk):
        return linkage.cluster_get(user, pk)

    def merges_page(user, pk):
        return linkage.person_merges(user, linkage.resolve_person_id(pk))

    # url name → (model label, the rule: a callable(user, pk) that returns or raises Http404)
    return {
        "breach-detail": ("core.breach", breaches.breach_get),
        "breach-notification": ("core.breach", breaches.breach_get),
        "plans:dashboard": ("plans.plan", plans.plan_for),
        "plans:targets": ("plans.plan", plans.plan_for),
        "plans:duties": ("plans.plan", plans.plan_for),
        "plans:content": ("plans.plan", plans.plan_for),
        "plans:task_edit": ("plans.task", plans.task_for),
        "reporting:detail": ("reporting.submission", reporting.submission_for),
        "people:person_detail": ("people.person", person_page),
        "support:task_detail": ("support.outreachtask", support.task_get),
        "support:case_detail": ("support.supportcase", support.case_get),
        "support:referral_detail": ("support.referral", support.referral_received_get),
        "support:child_case_open": ("people.person", child_page),
        "linkage:pair_detail": ("linkage.candidatepair", pair_page),
        "linkage:person_history": ("people.person", merges_page),
        "linkage:cluster_detail": ("linkage.candidatepair", cluster_page),
    }


# Record pages whose rule is not a plain "may this user have this record" (owner-only uploads, DPO
# pages, POST-only actions, pages under another record): their own tests cover them; here they are
# still checked for no 403, no 5xx and the sign-in redirect.
COVERED_ELSEWHERE = {
    "plans:dashboard_export": "tests/plans (same selector as the dashboard, an .xlsx)",
    "plans:budget": "tests/plans/test_dashboard_budget.py",
    "plans:copy": "tests/plans/test_copy_and_targets.py (coordinator only)",
    "plans:target_edit": "tests/plans/test_copy_and_targets.py (coordinator only)",
    "plans:duty_edit": "tests/plans/test_activities_allocations.py (coordinator only)",
    "plans:allocation_create": "tests/plans/test_activities_allocations.py (POST, the user's own agency)",
    "plans:allocation": "tests/plans/test_activities_allocations.py (under a plan: own agency or coordinator)",
    "reporting:section": "tests/reporting (a section of a submission)",
    "reporting:submit": "tests/reporting (POST)",
    "reporting:approve": "tests/reporting (POST)",
    "reporting:return": "tests/reporting (POST)",
    "reporting:download": "tests/reporting (documents)",
    "reporting:consolidated_download": "tests/reporting (documents)",
    "people:person_edit": "tests/people/test_edit.py (after a purpose)",
    "people:sanction_payment": "tests/people/test_views.py",
    "people:violation_create": "tests/people/test_views.py",
    "people:import_preview": "tests/people/test_import.py (the uploader only)",
    "people:import_progress": "tests/people/test_import_background.py (the uploader only)",
    "premises:import_progress": "tests/premises/test_import_background.py (the uploader only)",
    "people:import_rejected": "tests/people/test_import_partial.py (the uploader only)",
    "people:access_log": "tests/people/test_privacy.py (data-protection officer)",
    "support:case_team": "tests/support/test_team_and_visibility.py",
    "support:case_summary": "tests/support (same selector as the case page)",
    "support:case_assessment": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_goal_add": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_goal_done": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_service": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_referral": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_referral_cancel": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_follow_up": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_follow_up_done": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_consents": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_consent_add": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_enrol": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_progress": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:case_close": "tests/support/test_views.py (POST: one case action, same selector as the case page)",
    "support:referral_respond": "tests/support (POST)",
    "support:programme_detail": "tests/support (programmes are not personal data)",
    "support:programme_edit": "tests/support (programme managers)",
    "support:programme_enrolments": "tests/support (enrolments)",
    "support:case_exists": "tests/support (police: whether a case exists, logged)",
    "linkage:merge_unmerge": "tests/linkage/test_web.py (POST)",
    "linkage:review_undo": "tests/linkage/test_clusters.py (POST)",
    "linkage:run_detail": "tests/linkage/test_web.py (city coordinator)",
    "linkage:run_progress": "tests/linkage/test_web.py (city coordinator)",
    "indicators:detail": "tests/indicators (indicators are aggregates)",
    "unit_succession_edit": "tests/org/test_successions.py (administrative units, not personal data)",
    "plans:target_quotas": "tests/plans (coordinator only)",
    "plans:target_items": "tests/plans/test_district_plans.py (read by the plan's users, changed by its coordinator)",
    "plans:district_plans": "tests/plans/test_district_plans.py (a district plan's id leads to its own page)",
    "plans:district_plan": "tests/plans/test_district_plans.py (a city plan's id leads to its dashboard)",
    "plans:district_plan_edit": "tests/plans/test_district_plans.py (the coordinator or the district's own office)",
    "plans:district_duty_edit": "tests/plans/test_district_plans.py (the coordinator or the district's own office)",
    "plans:gaps": "tests/plans/test_plan_2026.py (the plan's coordinator only)",
    "cases:case_detail": "tests/enforcement/cases/test_views.py (agencies on the case, 404 for another district)",
    "cases:stage_record": "tests/enforcement/cases (each stage by its own agency's role)",
    "cases:defendant_add": "tests/enforcement/cases (police on the case)",
    "cases:sentence": "tests/enforcement/cases (court clerk)",
    "cases:victim_add": "tests/enforcement/cases (police on the case)",
    "cases:press_add": "tests/enforcement/cases (court clerk)",
    "cases:case_summary": "tests/enforcement/cases (same selector as the case page, a .docx)",
    "enforcement:hotspot_detail": "tests/enforcement (police and communes in jurisdiction, 404 elsewhere)",
    "enforcement:hotspot_transition": "tests/enforcement (police, POST)",
    "enforcement:patrol_create": "tests/enforcement (police)",
    "enforcement:hotspot_violation_link": "tests/enforcement (police)",
    "enforcement:proposal_decide": "tests/enforcement (police, POST)",
    "enforcement:target_hotspots": "tests/enforcement (coordinator, a target's list)",
    "enforcement:tip_detail": "tests/enforcement (intake officers only)",
    "enforcement:tip_image": "tests/enforcement (intake officers only)",
    "enforcement:tip_link_add": "tests/enforcement/test_links.py (police triagers; a record out of reach refused)",
    "communes:detail": "tests/communes (commune, district and city in their step; 404 elsewhere)",
    "communes:self": "tests/communes (the commune's step)",
    "communes:review": "tests/communes (the district's step)",
    "communes:approve": "tests/communes (the city's step)",
    "communes:reopen": "tests/communes (the city)",
    "communes:file_add": "tests/communes/test_evidence_files.py (the step holding the assessment; 404 elsewhere)",
    "communes:file_remove": "tests/communes/test_evidence_files.py (the step that added it; locked when approved)",
    "communes:history": "tests/communes (a commune's history in jurisdiction)",
    "communes:item_edit": "tests/communes (coordinator edits the templates)",
    "communes:model": "tests/communes (model communes in jurisdiction)",
    "premises:establishment_detail": "tests/premises (jurisdiction and class, 404 elsewhere)",
    "premises:establishment_edit": "tests/premises (writers of the register)",
    "premises:licence_add": "tests/premises (writers of the register)",
    "premises:inspection_create": "tests/premises (Team 178)",
    "premises:sanction_propose": "tests/premises (Team 178)",
    "premises:health_check_create": "tests/premises (health staff, massage places only)",
    "premises:plan_detail": "tests/premises (the team's plans)",
    "premises:inspection_detail": "tests/premises (jurisdiction)",
    "premises:inspection_minutes": "tests/premises (same selector as the inspection, a .docx)",
    "premises:sanction_detail": "tests/premises (jurisdiction)",
    "premises:revocation_answer": "tests/premises (the licensing agency)",
    "premises:import_preview": "tests/premises (the uploader only)",
}


def _patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern) and not route.startswith(SKIPPED_PREFIXES):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, route, entry.pattern.converters


def _fill(route: str, **values) -> str:
    import re

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return str(values[name])
        return {
            "int": "1",
            "slug": "a",
            "str": "xlsx",
            "path": "a",
            "uuid": "00000000-0000-4000-8000-000000000000",
        }.get(converter, "a")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).lstrip("^").rstrip("$")


@pytest.fixture
def demo_users(demo):
    """Every demo login, in the whole demo (restored from the session's snapshot: ``tests/demo_fixtures.py``)."""
    return {user.username: user for user in demo.accounts.values()}


def test_every_record_page_has_its_rule():
    rules = _rules()
    with_ids = {name for name, route, _converters in _patterns() if "<int:" in route}
    assert sorted(with_ids - set(rules) - set(COVERED_ELSEWHERE)) == []


def test_the_matrix_of_roles_urls_and_jurisdictions_then_the_bad_input_corpus(demo_users, client_for):
    """One test, so the full demo loads once for both probes (they run in CI on both databases)."""
    from django.apps import apps

    rules = _rules()
    menu = {item.url_name: item for item in all_items()}
    users = [demo_users[account.username] for account in ACCOUNTS]
    # One signed-in client per role for the whole matrix (GETs only: nothing they do changes who they are).
    clients = {user.pk: client_for(user) for user in users}
    anonymous = Client()
    failures: list[str] = []
    cells = 0
    pages: dict[tuple[str, str], str | None] = {}  # (username, url) → its HTML, None when not an HTML 200
    for name, route, _converters in _patterns():
        if name in PUBLIC:
            continue
        generic_url = _fill(route)
        response = anonymous.get(generic_url)
        if response.status_code != 302 or "/dang-nhap/" not in response["Location"]:
            failures.append(f"anonymous {generic_url}: {response.status_code}")
        if name in rules:
            label, rule = rules[name]
            model = apps.get_model(label)
            pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            chosen = sorted({pks[0], pks[len(pks) // 2], pks[-1]}) if pks else []
            targets = [(_fill(route, pk=pk, person_pk=pk), pk) for pk in chosen[:OBJECTS_PER_KIND]]
        else:
            targets = [(generic_url, None)]
        for user in users:
            client = clients[user.pk]
            for url, pk in targets:
                cells += 1
                response = client.get(url)
                status = response.status_code
                html = status == 200 and "text/html" in response.get("Content-Type", "")
                pages[(user.username, url)] = response.content.decode() if html else None
                if status >= 500 or status == 403:
                    failures.append(f"{user.username} {url}: {status}")
                    continue
                if pk is not None:
                    try:
                        rules[name][1](user, pk)
                        expected = {200, 302}
                    except Http404:
                        expected = {404}
                    if status not in expected:
                        failures.append(f"{user.username} {url}: {status}, rule says {sorted(expected)}")
                elif name in menu and not route.count("<"):
                    expected = {200, 302} if menu[name].allowed(user) else {404}
                    if status not in expected:
                        failures.append(
                            f"{user.username} {url} (menu): {status}, rule says {sorted(expected)}"
                        )
    assert failures == []
    assert cells > 500
    _bad_input_corpus(demo_users, client_for, pages, rules)


# The bad-input corpus (ASVS V5.1.3, V5.1.4, V5.2.2, V5.3.x): what careless users and attackers type.
CORPUS = {
    "nul": "Biên bản\x00họp",
    "rtl-override": "Nguyễn \u202eĐào",
    "emoji": "Họp 👩‍👩‍👧 🚨",
    "formula": '=HYPERLINK("http://x","y")',
    "huge-number": "9" * 5000,
    "deep-json": "[" * 5000 + "]" * 5000,
    "oversized": "a" * 20_000,
    "script": "<script>alert(1)</script>",
    "date-far": "9999-12-31",
}
BAD_FILES = {
    "malformed-xlsx": ("danh-sach.xlsx", b"PK\x03\x04 not really a workbook"),
    "html-as-pdf": ("bien-ban.pdf", b"<!doctype html><script>alert(1)</script>"),
}


def _post_forms(html: str) -> list[dict]:
    """The POST forms of a page: their action and field names (inputs, selects, text areas)."""
    from html.parser import HTMLParser

    class Forms(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.forms: list[dict] = []
            self.current = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form" and (a.get("method") or "").lower() == "post":
                self.current = {"action": a.get("action") or "", "fields": {}, "files": set()}
                self.forms.append(self.current)
            elif self.current is not None and tag in ("input", "select", "textarea") and a.get("name"):
                if a.get("type") == "file":
                    self.current["files"].add(a["name"])
                elif (
                    (
                        a.get("type") not in ("submit", "button", "hidden")
                        and a["name"] != "csrfmiddlewaretoken"
                    )
                    or a.get("type") == "hidden"
                    and a["name"] != "csrfmiddlewaretoken"
                ):
                    self.current["fields"][a["name"]] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.current = None

    parser = Forms()
    parser.feed(html)
    return parser.forms


def _bad_input_corpus(demo, client_for, pages: dict[tuple[str, str], str | None], rules) -> None:
    """Every POST form that any demo role reaches on any page (the write endpoints of the site), every
    corpus value in all its fields: never a 5xx, never Django's English NUL message.

    The forms are read from the pages the matrix above fetched for each role (``pages``: the demo as loaded,
    before any of these posts; a page it did not fetch is fetched), and posted with a client newly signed in
    for the page (a post never leaves a later page signed out)."""
    from django.apps import apps
    from django.core.files.uploadedfile import SimpleUploadedFile

    failures: list[str] = []
    posted = 0
    seen_forms: set[tuple[str, str]] = set()
    for name, route, _converters in _patterns():
        if name in PUBLIC or name in ("logout",):
            continue
        if name in rules:
            label = rules[name][0]
            pk = apps.get_model(label)._base_manager.order_by("pk").values_list("pk", flat=True).first()
            url = _fill(route, pk=pk, person_pk=pk)
        else:
            url = _fill(route)
        for account in ACCOUNTS:
            if (account.username, url) in pages:
                html = pages[(account.username, url)]
            else:
                page = client_for(demo[account.username]).get(url)
                ok = page.status_code == 200 and "text/html" in page.get("Content-Type", "")
                html = page.content.decode() if ok else None
            if html is None:
                continue
            forms = [
                f
                for f in _post_forms(html)
                if (f["fields"] or f["files"])
                and (f["action"] or url).startswith("/")
                and not (f["action"] or "").startswith(("/dang-xuat/", "/i18n/"))
            ]
            if not forms:
                continue
            client = client_for(demo[account.username])
            for form in forms:
                action = form["action"] or url
                key = f"{action}:{sorted(form['fields'])}"
                if key in seen_forms:
                    continue
                seen_forms.add(key)
                for kind, value in CORPUS.items():
                    data = dict.fromkeys(form["fields"], value)
                    for field in form["files"]:
                        data[field] = SimpleUploadedFile(
                            *BAD_FILES["malformed-xlsx" if kind == "nul" else "html-as-pdf"]
                        )
                    posted += 1
                    response = client.post(action, data)
                    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
                    if response.status_code >= 500:
                        failures.append(f"{account.username} POST {action} ({kind}): {response.status_code}")
                    elif "Null characters are not allowed" in body:
                        failures.append(f"{account.username} POST {action} ({kind}): English NUL message")
            break  # the first role that reaches the page's forms posts to them
    print(f"bad-input corpus: {posted} posts to {len(seen_forms)} forms")  # a figure, not an assertion
    assert failures == []
    assert posted > 50, posted
