"""The search form always sends the chosen area; for a city administrator that is the city's own code."""

from pensioners.tests.factories import make_pensioner


def test_the_city_code_sent_by_the_search_form_finds_people_in_every_district(client_for, staff):
    make_pensioner(name="谭德胜", community="500103003003")
    make_pensioner(name="谭德明", community="500105001001")
    client = client_for(staff["admin"])
    response = client.get("/pensioners/", {"q": "谭德", "area": "500000", "scheme": "", "status": ""})
    page = response.content.decode()
    assert "谭德胜" in page and "谭德明" in page


def test_a_district_chosen_in_the_form_still_narrows_the_search(client_for, staff):
    make_pensioner(name="谭德胜", community="500103003003")
    make_pensioner(name="谭德明", community="500105001001")
    page = client_for(staff["admin"]).get("/pensioners/", {"q": "谭德", "area": "500105"}).content.decode()
    assert "谭德明" in page and "谭德胜" not in page
