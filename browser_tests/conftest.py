"""End-to-end tests in Debian's headless Chromium, driven by Playwright, against a live server.

Playwright cannot download its own browser here, so it launches /usr/bin/chromium. A failing test leaves
a full-page screenshot in test-artifacts/.

The form-coverage gate: every browser context records the URL name of each POST the browser sends. When
the whole of browser_tests/ ran, the session fails if a URL name that accepts a POST (found by
browser_tests/form_coverage.py) was never submitted from a page, naming the template that holds its form.
So a new form without a browser test fails CI. Test files need nothing special: use new_page (or any
context of the session's browser).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test itself
# (setting up data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BROWSER_TESTS = Path(__file__).resolve().parent

# URL names of the POSTs the browser sent during this session (the Django test client's posts are not seen).
POSTED_URL_NAMES: set[str] = set()
_gate = {"deselected": False, "report": []}


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser_tests" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def record_post(request) -> None:
    """Playwright "request" listener: note the URL name of a POST the browser sends to the live server."""
    from django.urls import Resolver404, resolve

    if request.method != "POST":
        return
    try:
        POSTED_URL_NAMES.add(resolve(urlsplit(request.url).path).view_name)
    except Resolver404:
        return


def _recording(browser):
    """Make every context of this browser record its POSTs, however a test opens it."""
    open_context, open_page = browser.new_context, browser.new_page

    def new_context(*args, **kwargs):
        context = open_context(*args, **kwargs)
        context.on("request", record_post)
        return context

    def new_page(*args, **kwargs):
        page = open_page(*args, **kwargs)
        page.context.on("request", record_post)
        return page

    browser.new_context, browser.new_page = new_context, new_page
    return browser


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield _recording(browser)
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.test_failed = report.failed


@pytest.fixture
def new_page(browser, request):
    """Open pages at a viewport size; every page is screenshotted if the test fails."""
    contexts = []

    def open_page(viewport=DESKTOP, locale="zh-CN"):
        context = browser.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    if getattr(request.node, "test_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                page.screenshot(
                    path=ARTIFACTS / f"{request.node.name}-{number}-{page_number}.png", full_page=True
                )
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(live_server):
    def do_log_in(page, username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return do_log_in


def pytest_deselected(items):
    if any(BROWSER_TESTS in Path(str(item.fspath)).resolve().parents for item in items):
        _gate["deselected"] = True


def _whole_directory_ran(session) -> bool:
    """The gate judges only a run of every browser test: one file or `-k` alone must not fail it."""
    from browser_tests.form_coverage import whole_directory_selected

    return whole_directory_selected(
        test_files={path.resolve() for path in BROWSER_TESTS.rglob("test_*.py")},
        selected_files={Path(str(item.fspath)).resolve() for item in session.items},
        deselected=_gate["deselected"],
        collect_only=session.config.option.collectonly,
        stopped_early=bool(session.shouldstop or session.shouldfail),
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        # An xdist worker: hand what it saw to the controller, which judges the whole run.
        workeroutput["posted_url_names"] = sorted(POSTED_URL_NAMES)
        workeroutput["whole_browser_directory"] = _whole_directory_ran(session)
        return
    if _gate.get("workers"):
        whole = all(_gate["workers"])
    else:
        whole = _whole_directory_ran(session)
    if not whole or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return
    from browser_tests.form_coverage import uncovered_report

    _gate["report"] = uncovered_report(POSTED_URL_NAMES)
    if _gate["report"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    POSTED_URL_NAMES.update(output.get("posted_url_names", ()))
    _gate.setdefault("workers", []).append(output.get("whole_browser_directory", False))


def pytest_terminal_summary(terminalreporter):
    if _gate["report"]:
        terminalreporter.section("form-coverage gate", red=True, bold=True)
        terminalreporter.line(
            "These URL names accept a POST, but no browser test submitted a form to them from a page. "
            "Add a test in browser_tests/ that fills and submits the rendered form in Chromium and checks "
            "its effect on another screen (or, if no page can submit it, list it in "
            "browser_tests/form_coverage.py EXEMPT with the reason):",
            red=True,
        )
        for line in _gate["report"]:
            terminalreporter.line(f"  {line}", red=True)
