"""Screenshots of the main screens for each demo role, at desktop and phone widths.

Run against a running portal (`make run`): `.venv/bin/python scripts/screenshots.py [base-url]`.
Pictures land in test-artifacts/screens/. Each entry: (login, path, name).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "test-artifacts" / "screens"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENS = [
    (None, "/accounts/login/", "login"),
    ("demo_admin", "/", "dashboard-admin"),
    ("demo_supervisor", "/", "dashboard-supervisor"),
    ("demo_street", "/", "dashboard-street"),
    ("demo_community", "/", "dashboard-community"),
    ("demo_visit", "/", "dashboard-visit"),
    ("demo_supervisor", "/audit/", "audit-log"),
] + [tuple(line.split(",")) for line in sys.argv[2:]]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        for width_name, viewport in WIDTHS.items():
            sessions = {}
            for login, path, name in SCREENS:
                if login not in sessions:
                    context = browser.new_context(viewport=viewport, locale="zh-CN")
                    page = context.new_page()
                    if login:
                        page.goto(f"{BASE}/accounts/login/")
                        page.fill("#id_username", login)
                        page.fill("#id_password", "demo-password")
                        page.click("button[type=submit]")
                        page.wait_for_load_state()
                    sessions[login] = page
                page = sessions[login]
                page.goto(f"{BASE}{path}")
                page.wait_for_load_state("networkidle")
                target = OUT / f"{name}-{width_name}.png"
                page.screenshot(path=target, full_page=True)
                print(target)
        browser.close()


if __name__ == "__main__":
    main()
