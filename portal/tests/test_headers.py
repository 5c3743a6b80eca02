"""The doors' headers: a Content-Security-Policy that runs no inline script or style, a Permissions-Policy that
turns off the browser features the portal does not use, Cache-Control: no-store on everything with personal
data, a production that refuses a weak SECRET_KEY, and `check --deploy` clean."""

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from certification.models import EvidenceFile
from certification.tests.helpers import record_counter, scan
from pensioners.tests.factories import make_pensioner
from portal.middleware import ContentSecurityPolicyMiddleware

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STRONG_KEY = "Zq8#pL2!vX9@mN4$wR7%tY1^kB6&hJ3*cF5(dG0)sA-eU+iO_oP=lK~jH.gT,fD"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# --- Content-Security-Policy ---------------------------------------------------------------------------


def test_every_page_carries_a_policy_that_runs_no_inline_script_or_style(client_for, staff):
    response = client_for(staff["street"]).get(reverse("dashboard"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_the_login_page_carries_the_policy_too(client, db):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_htmx_is_told_to_add_no_style_and_evaluate_nothing(client_for, staff):
    body = client_for(staff["street"]).get(reverse("dashboard")).content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false}'>"""
        in body
    )


def test_a_pdf_opened_in_the_browser_keeps_only_frame_ancestors():
    """Chrome draws a PDF in a viewer page of its own (an <embed> with inline styles) that object-src 'none'
    would blank out; the PDF still may not be framed by another site."""
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(b"%PDF-1.4", content_type="application/pdf")
    )
    response = middleware(RequestFactory().get("/certification/evidence/1/"))
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


# The attributes and elements a policy without 'unsafe-inline' refuses: event handlers, inline styles,
# <style> blocks, javascript: links, htmx's hx-on (evaluated code), and a <script> without src (a data
# block, type="application/json", is not run and is allowed).
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|\{)""", re.IGNORECASE)
INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["'{]|<style[\s>]""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
HX_ON = re.compile(r"\shx-on", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    found = [
        match.group(0).strip()
        for pattern in (INLINE_HANDLER, INLINE_STYLE, JAVASCRIPT_URL, HX_ON)
        for match in pattern.finditer(text)
    ]
    for match in SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if not re.search(r"\ssrc\s*=", attributes) and "application/json" not in attributes:
            found.append(match.group(0))
    return found


def test_no_template_holds_an_inline_handler_script_or_style():
    offenders = {
        str(path.relative_to(ROOT)): problems
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (problems := inline_code(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_template_scan_finds_what_it_looks_for():
    assert inline_code('<button onclick="window.print()">') == ['onclick="window.print()"']
    assert inline_code('<select ONCHANGE = "this.form.submit()">')
    assert inline_code('<div style="width: 10%">') and inline_code("<style>p {}</style>")
    assert inline_code("<script>alert(1)</script>") and inline_code('<a href="javascript:history.back()">')
    assert inline_code('<div hx-on:click="x()">')
    assert not inline_code('<script src="/static/portal/portal.js"></script>')
    assert not inline_code('<script id="chart-data" type="application/json">{}</script>')
    assert not inline_code("<select data-submit-on-change> <p>Hidden from the queue until {{ day }}</p>")


# --- Permissions-Policy ----------------------------------------------------------------------------------


def test_the_browser_features_the_portal_does_not_use_are_turned_off(client_for, staff):
    header = client_for(staff["visit"]).get(reverse("dashboard"))["Permissions-Policy"]
    features = dict(part.strip().split("=", 1) for part in header.split(","))
    for feature in ("camera", "geolocation", "microphone", "usb", "payment", "serial", "hid"):
        assert features[feature] == "()", feature


def test_the_home_visit_photo_field_still_asks_for_the_camera(client_for, staff):
    """<input type=file capture> hands over to the phone's camera app: no Permissions-Policy governs it."""
    person = make_pensioner()
    body = client_for(staff["street"]).get(reverse("record-home-visit", args=[person.pk])).content.decode()
    photo = re.search(r"<input[^>]*name=\"photo\"[^>]*>", body).group(0)
    assert 'type="file"' in photo and "capture" in photo


# --- Cache-Control ---------------------------------------------------------------------------------------


def assert_not_stored(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")
    assert response["Pragma"] == "no-cache"


def test_a_page_is_not_stored(client_for, staff):
    person = make_pensioner()
    client = client_for(staff["street"])
    assert_not_stored(client.get(reverse("dashboard")))
    assert_not_stored(client.get(reverse("pensioner-card", args=[person.pk])))


def test_the_login_page_is_not_stored(client, db):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


def test_a_csv_export_is_not_stored(client_for, staff):
    make_pensioner(certified_on=date(2020, 1, 1))
    response = client_for(staff["street"]).get("/certification/overdue/?_export=csv")
    assert response.status_code == 200 and "csv" in response["Content-Type"]
    assert_not_stored(response)


def test_an_evidence_download_is_not_stored_and_a_pdf_opens_in_the_viewer(
    client_for, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    person = make_pensioner(certified_on=date(2025, 1, 1))
    record_counter(person, staff["street"], date.today(), files=[scan()])
    stored = EvidenceFile.objects.get()
    response = client_for(staff["street"]).get(reverse("evidence-file", args=[stored.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_not_stored(response)
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_static_files_keep_their_own_caching(client, db):
    response = client.get("/static/portal/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- production settings ---------------------------------------------------------------------------------


def run_manage(*args, **env_overrides):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set for the browser tests of the same run, never in production.
    ignored = {
        "SECRET_KEY",
        "DEBUG",
        "PORTAL_ENV",
        "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "key",
    [
        "short-key-0123456789",
        "ab" * 40,
        "django-insecure-" + STRONG_KEY,
    ],
    ids=["shorter-than-50", "fewer-than-5-distinct-characters", "django-insecure-prefix"],
)
def test_production_refuses_a_weak_secret_key(key):
    result = run_manage("check", PORTAL_ENV="production", SECRET_KEY=key, ALLOWED_HOSTS="portal.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PORTAL_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.cn",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr
