"""Walks every URL pattern: anonymous visitors get the login page; records out of scope are 404.

A new URL with parameters must say here how to build a record outside the tester's area, or this test
fails: no screen can slip out of the scoping rules unnoticed.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.tests.out_of_scope import CITY_WIDE_PARAMETERS, OUT_OF_SCOPE_BUILDERS

PUBLIC_URL_NAMES = {"login", "set_language", "healthz"}


def all_named_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from all_named_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


# The channel API (/api/v1/) is called by systems with a bearer token, not by staff with a session: its
# own walk is below (no token: 401, never a login page).
API_NAMESPACE = "channel-api:"
ALL_PATTERNS = sorted(all_named_patterns(), key=lambda item: item[0])
PATTERNS = [(name, pattern) for name, pattern in ALL_PATTERNS if not name.startswith(API_NAMESPACE)]
API_PUBLIC = {"channel-api:openapi-json", "channel-api:openapi-view", "channel-api:api-root"}
NAMES_WITH_PARAMETERS = [
    name
    for name, pattern in PATTERNS
    if pattern.pattern.regex.groupindex and name not in CITY_WIDE_PARAMETERS
]
NAMES_WITHOUT_PARAMETERS = [name for name, pattern in PATTERNS if not pattern.pattern.regex.groupindex]


def test_every_url_with_parameters_has_an_out_of_scope_case():
    missing = sorted(set(NAMES_WITH_PARAMETERS) - set(OUT_OF_SCOPE_BUILDERS))
    assert not missing, f"add out-of-scope builders for: {missing}"


@pytest.mark.parametrize("name", NAMES_WITHOUT_PARAMETERS)
def test_anonymous_visitor_gets_the_login_page(client, db, name):
    if name in PUBLIC_URL_NAMES:
        pytest.skip("public by design")
    url = reverse(name)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), name


@pytest.mark.parametrize("name", NAMES_WITH_PARAMETERS)
def test_anonymous_visitor_gets_the_login_page_for_records(client, staff, name):
    url = reverse(name, kwargs=OUT_OF_SCOPE_BUILDERS[name](staff))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), name


@pytest.mark.parametrize("name", NAMES_WITH_PARAMETERS)
@pytest.mark.parametrize("viewer", ["street", "community", "supervisor", "visit"])
def test_records_out_of_scope_are_not_found(client, staff, name, viewer):
    """The record lives in 江北区 (500105); nobody in 渝中区 may see it exists, whatever they send."""
    url = reverse(name, kwargs=OUT_OF_SCOPE_BUILDERS[name](staff))
    client.force_login(staff[viewer])
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 404, (name, viewer, method.__name__, response.status_code)


@pytest.mark.parametrize("name", sorted(CITY_WIDE_PARAMETERS))
def test_anonymous_visitor_gets_the_login_page_for_city_wide_settings(client, db, name):
    response = client.get(reverse(name, kwargs=CITY_WIDE_PARAMETERS[name]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_public_pages_answer_without_login(client, db):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).status_code in {200, 503}


@pytest.mark.parametrize(
    "name",
    [name for name, _pattern in ALL_PATTERNS if name.startswith(API_NAMESPACE) and name not in API_PUBLIC],
)
def test_every_channel_api_operation_needs_a_token(client, db, name):
    pattern = dict(ALL_PATTERNS)[name]
    kwargs = {key: "110101195001010011" for key in pattern.pattern.regex.groupindex}
    url = reverse(name, kwargs=kwargs)
    for method in (client.get, client.post):
        response = (
            method(url, content_type="application/json", data="{}") if method == client.post else method(url)
        )
        assert response.status_code in {401, 405}, (name, method.__name__, response.status_code)
        if response.status_code == 401:
            assert response.json()["code"] == "unauthorized"
