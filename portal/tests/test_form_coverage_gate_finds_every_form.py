"""The form-coverage gate finds every URL name that accepts a POST, and judges only whole browser runs."""

from pathlib import Path

from django.shortcuts import render
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import FormView, TemplateView

from browser_tests.form_coverage import (
    discover_post_targets,
    scan_templates,
    uncovered_report,
    unreadable_forms,
    view_accepts_post,
    whole_directory_selected,
)


def test_discovery_finds_the_known_post_url_names():
    found = discover_post_targets()
    known = {
        "home-visits-schedule",
        "contact-attempt",
        "record-counter",
        "queue-assign",
        "counter-desk",
        "pensioner-create",
        "pensioner-reveal",
        "roster-import",
        "death-case",
        "message-template-edit",
        "login",
        "logout",
        "set_language",
    }
    assert known <= set(found), sorted(known - set(found))
    for read_only in ("dashboard", "pensioner-search", "queue-overdue", "healthz", "pensioner-card"):
        assert read_only not in found


def test_each_post_url_name_is_found_with_the_template_that_holds_its_form():
    found = discover_post_targets()
    assert found["home-visits-schedule"].templates == {"certification/visits/visits.html"}
    assert found["logout"].templates == {"base.html"}
    # Forms without an action post to their own page: the views that render the template.
    assert "certification/recording/record.html" in found["record-counter"].templates
    assert found["data-source-create"].templates == {"certification/comparison/data_source_edit.html"}
    assert found["roster-import"].templates == {"portal/import_upload.html"}
    # A form in an include belongs to the URL named in its action.
    assert found["pensioner-reveal"].templates == {"pensioners/includes/_identity.html"}


def test_a_new_post_form_is_found_by_its_action_by_hx_post_and_without_an_action():
    forms = scan_templates(
        {
            "a.html": '<form class="x" method="POST" action="{% url \'new-thing\' item.pk %}">{% csrf_token %}',
            "b.html": '<button hx-post="{% url "htmx-thing" %}">go</button><form method="get" action="/s/">',
            "c.html": '<form\n  method="post"\n  {% if wide %}class="w"{% endif %}\n  novalidate>',
            "d.html": '<form method="post" action="{{ target }}">',
        }
    )
    assert forms.named == {"new-thing": {"a.html"}, "htmx-thing": {"b.html"}}
    assert forms.self_posting == {"c.html"}
    assert forms.unreadable == [("d.html", "{{ target }}")]


def test_every_post_form_in_the_templates_has_a_target_the_gate_can_read():
    """An action built from a variable would hide its form from the gate: name the URL in the action."""
    assert unreadable_forms() == []


def _reads_post(request):
    if request.method == "POST":
        return None
    return render(request, "x.html")


@require_POST
def _post_only(request):
    return None


@require_http_methods(["GET", "POST"])
def _get_or_post(request):
    return None


def _read_only(request):
    return render(request, "x.html")


class _Posting(View):
    def post(self, request):
        return None


class _Form(FormView):
    template_name = "x.html"


def test_views_that_accept_a_post_are_found_from_their_code():
    for view in (_reads_post, _post_only, _get_or_post, _Posting.as_view(), _Form.as_view()):
        assert view_accepts_post(view), view
    for view in (_read_only, TemplateView.as_view(), _Form.as_view(http_method_names=["get"])):
        assert not view_accepts_post(view), view


def test_the_gate_names_each_unsubmitted_url_name_with_its_form():
    everything = set(discover_post_targets())
    assert uncovered_report(everything) == []
    assert uncovered_report(everything - {"contact-attempt", "logout"}) == [
        "contact-attempt: form in certification/queues/contact_attempt.html",
        "logout: form in base.html",
    ]


def test_the_gate_judges_only_a_run_of_the_whole_browser_directory():
    files = {Path("browser_tests/test_a.py"), Path("browser_tests/test_b.py")}
    whole = {
        "test_files": files,
        "selected_files": files | {Path("portal/tests/test_c.py")},
        "deselected": False,
        "collect_only": False,
        "stopped_early": False,
    }
    assert whole_directory_selected(**whole)
    assert not whole_directory_selected(**{**whole, "selected_files": {Path("browser_tests/test_a.py")}})
    assert not whole_directory_selected(**{**whole, "deselected": True})
    assert not whole_directory_selected(**{**whole, "collect_only": True})
    assert not whole_directory_selected(**{**whole, "stopped_early": True})
