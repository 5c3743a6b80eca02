"""Every kind of search finds the right people, only in the user's area, and lists mask them."""

from datetime import date

import pytest
from django.urls import resolve, reverse

from pensioners.models import Pensioner
from pensioners.tests.factories import make_pensioner


@pytest.fixture
def people(areas):
    return {
        "ma": make_pensioner(
            name="马桂英",
            id_number="500103194702141029",
            phone="13800000001",
            born=date(1947, 2, 14),
            male=False,
        ),
        "wang": make_pensioner(name="王建国", phone="13912345678", community="500103003002"),
        "wang2": make_pensioner(name="王建华", phone="02363851234", community="500103003001"),
        "legacy": make_pensioner(
            name="高德明",
            id_number="510104195601010411"[:17] + "X",
            community="500103003002",
            legacy_id_number="510104560101041",
        ),
        # Out of 解放碑街道's scope: 江北区.
        "elsewhere": make_pensioner(
            name="王建军", id_number="500105195309301054", phone="13700009999", community="500105001001"
        ),
    }


def names_found(client, query, **filters):
    response = client.get(reverse("pensioner-search"), {"q": query, **filters})
    if response.status_code == 302:  # an exact ID number of one person opens their card
        return {Pensioner.objects.get(pk=resolve(response["Location"]).kwargs["pk"]).name}
    assert response.status_code == 200
    return {row.record.name for row in response.context["table"].page.object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("500103194702141029", {"马桂英"}),
        ("500103194702141029".lower(), {"马桂英"}),
        ("1029", {"马桂英"}),  # last 4 of the ID
        ("141029", {"马桂英"}),  # last 6 of the ID
        ("13800000001", {"马桂英"}),
        ("5678", {"王建国"}),  # last 4 of a phone
        ("023-63851234", {"王建华"}),
        ("马桂英", {"马桂英"}),
        ("王建", {"王建国", "王建华"}),
        ("王", {"王建国", "王建华"}),
        ("wangjianguo", {"王建国"}),
        ("wangjian", {"王建国", "王建华"}),
        ("wjg", {"王建国"}),
        ("mgy", {"马桂英"}),
        ("510104560101041", {"高德明"}),  # the legacy number finds its person
    ],
)
def test_every_kind_of_query_finds_the_right_people(client_for, staff, people, query, expected):
    assert names_found(client_for(staff["street"]), query) == expected


def test_street_staff_never_find_people_of_other_areas(client_for, staff, people):
    client = client_for(staff["street"])
    assert names_found(client, "王建军") == set()
    assert names_found(client, "wjj") == set()
    assert names_found(client, "13700009999") == set()


def test_an_exact_id_hit_out_of_scope_shows_nothing(client_for, staff, people):
    response = client_for(staff["street"]).get(reverse("pensioner-search"), {"q": "500105195309301054"})
    body = response.content.decode()
    assert "王建军" not in body
    assert 'data-testid="no-match"' in body


def test_city_administrator_finds_people_anywhere(client_for, staff, people):
    assert names_found(client_for(staff["admin"]), "王建") == {"王建国", "王建华", "王建军"}


def test_community_worker_finds_only_their_community(client_for, staff, people):
    assert names_found(client_for(staff["community"]), "王建") == {"王建华"}


def test_lists_show_masked_id_numbers_and_phones(client_for, staff, people):
    body = client_for(staff["street"]).get(reverse("pensioner-search"), {"q": "马桂英"}).content.decode()
    assert "500103********1029" in body
    assert "138****0001" in body
    assert "500103194702141029" not in body
    assert "13800000001" not in body


def test_exports_are_masked_and_audited(client_for, staff, people):
    from portal.models import AuditEvent

    response = client_for(staff["street"]).get(reverse("pensioner-search"), {"q": "马桂英", "_export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "500103********1029" in content and "500103194702141029" not in content
    assert AuditEvent.objects.filter(action="pensioners.exported", actor=staff["street"]).exists()


def test_no_match_is_told_apart_from_an_empty_area(client_for, staff, people, make_staff):
    body = client_for(staff["street"]).get(reverse("pensioner-search"), {"q": "诸葛"}).content.decode()
    assert 'data-testid="no-match"' in body
    empty_street = make_staff("street_staff", "500103001")
    body = client_for(empty_street).get(reverse("pensioner-search")).content.decode()
    assert 'data-testid="registry-empty"' in body


def test_filters_narrow_the_list(client_for, staff, people):
    client = client_for(staff["street"])
    assert names_found(client, "", area="500103003002") == {"王建国", "高德明"}
    assert names_found(client, "王", area="500103003001") == {"王建华"}
    assert names_found(client, "", age="90") == set()
    assert names_found(client, "", age="80") == set()  # all are born 1947-1956


def test_area_filter_cannot_reach_outside_the_scope(client_for, staff, people):
    assert names_found(client_for(staff["street"]), "", area="500105001001") == {
        "马桂英",
        "王建国",
        "王建华",
        "高德明",
    }


def test_broad_counts_stop_at_the_cap(client_for, staff, people, settings):
    settings.SEARCH_COUNT_CAP = 2
    response = client_for(staff["admin"]).get(reverse("pensioner-search"), {"q": "王"})
    assert response.context["capped"] is True
    assert "超过2人" in response.content.decode()


def test_search_list_uses_a_fixed_number_of_queries(client_for, staff, people, django_assert_max_num_queries):
    client = client_for(staff["street"])
    with django_assert_max_num_queries(12):
        client.get(reverse("pensioner-search"), {"q": "王"})
    with django_assert_max_num_queries(12):
        client.get(reverse("pensioner-search"))
