"""An oversized request is answered at once, unread, with the limit it broke (413); uploads state theirs."""

import pytest
from django.test import Client
from django.urls import reverse


def big_post(client, url, size):
    # Only the declared length matters: the body is never read when it is over the limit.
    return client.generic(
        "POST", url, b"x" * 64, content_type="application/octet-stream", CONTENT_LENGTH=str(size)
    )


@pytest.mark.django_db
def test_an_anonymous_200_mb_post_to_the_login_page_is_refused_unread(settings):
    response = big_post(Client(), reverse("login"), 200 * 1024 * 1024)
    assert response.status_code == 413
    assert f"{settings.REQUEST_MAX_BYTES // (1024 * 1024)} MB" in response.content.decode()


def test_an_import_larger_than_its_stated_limit_is_refused_with_the_limit(client_for, staff, settings):
    settings.IMPORT_MAX_BYTES = 3 * 1024 * 1024
    client = client_for(staff["admin"])
    response = big_post(client, reverse("roster-import"), 6 * 1024 * 1024)
    assert response.status_code == 413
    assert "4 MB" in response.content.decode()  # the limit plus the form's slack
    assert client.get(reverse("roster-import")).status_code == 200  # within the limit, the page works


def test_a_phone_photo_within_its_limit_is_not_refused_by_size(client_for, staff, settings):
    from pensioners.tests.factories import make_pensioner

    person = make_pensioner()
    response = big_post(
        client_for(staff["street"]), reverse("record-counter", args=[person.pk]), 20 * 1024 * 1024
    )
    assert response.status_code != 413
