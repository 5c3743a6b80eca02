"""The portal under its Content-Security-Policy in Chromium: every role opens its menu's pages and the main
screens (dashboard, search, a card with the htmx reveal, queues, the reports' charts, an import's progress
polled by htmx, the receipt, the visit and call sheets) while every console message, page error and
`securitypolicyviolation` event is collected; none may happen. The print buttons still print and the
language switch still switches, though neither has an inline handler any more."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from browser_tests.conftest import DESKTOP
from certification.models import VisitTeam
from certification.tests.helpers import record_counter
from certification.visits.services import home_visit_request, home_visit_schedule
from pensioners.models import CertificationState
from pensioners.tests.factories import make_pensioner
from portal.models import ImportJob
from portal.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("transactional_db")

# Runs in every page before its own scripts (Playwright's init scripts are not subject to the page's CSP):
# report each policy violation, and count print() calls instead of opening the print dialog.
WATCH = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportViolation([event.violatedDirective, event.blockedURI || "inline", event.sourceFile || "",
                          event.lineNumber].join(" "));
});
window.print = function () { window.reportPrint(location.pathname); };
"""


class Watched:
    """A page whose console messages, page errors and CSP violations are all collected."""

    def __init__(self, new_page, live_server):
        self.page = new_page(DESKTOP)
        self.base = live_server.url
        self.problems: list[str] = []
        self.prints: list[str] = []
        self.page.expose_function("reportViolation", lambda text: self.problems.append(f"CSP: {text}"))
        self.page.expose_function("reportPrint", lambda path: self.prints.append(path))
        self.page.add_init_script(WATCH)
        self.page.on("console", self.console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def console(self, message) -> None:
        where = message.location.get("url", "")
        if where.endswith("/favicon.ico"):
            return  # the portal has no icon; Chromium asks for one on the first page of a site
        self.problems.append(f"console {message.type}: {message.text} ({where})")

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        self.page.wait_for_load_state("load")

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", TEST_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert self.page.locator("[data-testid=greeting]").is_visible()

    def menu_pages(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "#portal-nav a[href]", "links => links.map(link => link.getAttribute('href'))"
        )
        return sorted({href for href in hrefs if href.startswith("/")})

    def press_print(self, path: str) -> None:
        self.open(path)
        before = len(self.prints)
        self.page.click("[data-print]")
        self.page.wait_for_function("true")  # let the click's handlers run
        assert self.prints[before:] == [path.split("?")[0]], "the print button did not print"

    def switch_to_english(self) -> None:
        self.page.click("[data-testid=current-user]")
        self.page.wait_for_selector("#language-select", state="visible")
        with self.page.expect_navigation():
            self.page.select_option("#language-select", "en")
        assert self.page.get_attribute("html", "lang") == "en"

    def assert_quiet(self) -> None:
        assert self.problems == [], "\n".join(dict.fromkeys(self.problems))


@pytest.fixture
def work(staff, areas):
    """Enough for every main screen to show something: overdue and due-soon people (one assigned to the
    community worker), a receipt, today's visit round and an import in progress."""
    today = timezone.localdate()
    overdue = make_pensioner(name="逾期老人", certified_on=today - timedelta(days=400))
    make_pensioner(name="王快到期", certified_on=today - timedelta(days=350))
    CertificationState.objects.filter(pensioner=overdue).update(assigned_to=staff["community"])
    certified = make_pensioner(name="王已认证", certified_on=today - timedelta(days=380))
    certification = record_counter(certified, staff["street"], today)
    team = VisitTeam.objects.create(name="一组", street=areas["500103003"])
    team.members.add(staff["visit"])
    visited = make_pensioner(name="刘奶奶", male=False, certified_on=today - timedelta(days=370))
    visit, _ = home_visit_request(
        pensioner=visited, actor=staff["street"], requested_via="hotline", reason="age"
    )
    home_visit_schedule(visits=[visit], team=team, visit_date=today, actor=staff["street"])
    now = timezone.now()
    job = ImportJob.objects.create(
        kind="roster",
        original_name="roster.csv",
        created_by=staff["admin"],
        status="running",
        stage="checking",
        rows_done=37,
        rows_total=100,
        started_at=now,
        heartbeat_at=now + timedelta(minutes=5),
    )
    return {"person": overdue, "certification": certification, "team": team, "job": job}


def test_every_role_walks_its_pages_with_no_policy_violation_or_console_message(
    staff, work, new_page, live_server
):
    card = reverse("pensioner-card", args=[work["person"].pk])
    main_pages = {
        "t_admin": ["/", "/pensioners/?q=王", card, reverse("reports"), reverse("audit-log")],
        "t_supervisor": [
            "/",
            "/pensioners/?q=王",
            card,
            reverse("reports"),
            reverse("queue-overdue"),
            reverse("my-account"),
            reverse("second-factor-enrol"),  # the QR code is a data: image
            reverse("password-change"),
            reverse("staff-create"),
            reverse("staff-detail", args=[staff["street"].pk]),
        ],
        "t_street": ["/", "/pensioners/?q=王", card, reverse("queue-overdue"), reverse("queue-due-soon")],
        "t_community": ["/", "/pensioners/?q=王", card, reverse("queue-mine")],
        "t_visit": ["/", reverse("my-visits")],
    }
    for username, pages in main_pages.items():
        watched = Watched(new_page, live_server)
        watched.log_in(username)
        for path in dict.fromkeys(pages + watched.menu_pages()):
            watched.open(path)
        watched.switch_to_english()
        watched.open("/")
        assert watched.page.get_attribute("html", "lang") == "en"
        watched.assert_quiet()
        watched.page.context.close()


def test_the_charts_draw_and_the_print_buttons_print_under_the_policy(staff, work, new_page, live_server):
    supervisor = Watched(new_page, live_server)
    supervisor.log_in("t_supervisor")
    supervisor.press_print(reverse("reports"))
    for canvas in ("chart-certifications", "chart-overdue", "chart-reminders"):
        assert supervisor.page.evaluate(f"!!Chart.getChart(document.getElementById('{canvas}'))")
    supervisor.assert_quiet()

    street = Watched(new_page, live_server)
    street.log_in("t_street")
    street.press_print(reverse("certification-receipt", args=[work["certification"].pk]))
    street.press_print(reverse("visit-sheet"))
    street.assert_quiet()

    community = Watched(new_page, live_server)
    community.log_in("t_community")
    community.press_print(reverse("call-sheet"))
    assert "逾期老人" in community.page.locator("[data-testid=call-sheet]").inner_text()
    community.assert_quiet()

    visitor = Watched(new_page, live_server)
    visitor.log_in("t_visit")
    visitor.press_print(reverse("visit-sheet") + f"?team={work['team'].pk}")
    assert "刘奶奶" in visitor.page.locator("[data-testid=visit-sheet]").inner_text()
    visitor.assert_quiet()


def test_htmx_swaps_and_polls_under_the_policy(staff, work, new_page, live_server):
    street = Watched(new_page, live_server)
    street.log_in("t_street")
    street.open(reverse("pensioner-card", args=[work["person"].pk]))
    street.page.fill("[data-testid=reveal-form] input[name=reason]", "核对身份证原件")
    street.page.click("[data-testid=reveal-form] button[type=submit]")
    street.page.wait_for_selector("[data-testid=full-id]")
    assert street.page.locator("[data-testid=full-id]").inner_text() == work["person"].id_number
    street.assert_quiet()

    admin = Watched(new_page, live_server)
    admin.log_in("t_admin")
    admin.open(reverse("import-job", args=[work["job"].pk]))
    # The bar's width comes from a class (no inline style), and htmx's next poll swaps it in again.
    with admin.page.expect_response(
        lambda response: response.request.headers.get("hx-request") == "true"
    ) as polled:
        pass
    admin.page.wait_for_timeout(200)  # the swap settles
    bar = admin.page.locator("[data-testid=import-status] .progress-bar")
    assert "progress-w-37" in bar.get_attribute("class")
    width = admin.page.evaluate(
        "() => { const bar = document.querySelector('[data-testid=import-status] .progress-bar');"
        " return bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width; }"
    )
    assert 0.3 < width < 0.45
    assert polled.value.status == 200
    admin.assert_quiet()
