from django.urls import reverse

from portal.tests.factories import TEST_PASSWORD


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_staff_log_in_and_land_on_the_dashboard(client, staff):
    response = client.post(reverse("login"), {"username": "t_street", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert "解放碑街道" in response.content.decode()


def test_wrong_password_gets_one_clear_message_in_chinese(client, staff):
    response = client.post(reverse("login"), {"username": "t_street", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码不正确" in body
    assert 'value="t_street"' in body  # what was typed is kept


def test_unknown_user_gets_exactly_the_same_message_as_a_wrong_password(client, staff):
    wrong_password = client.post(reverse("login"), {"username": "t_street", "password": "wrong"})
    unknown_user = client.post(reverse("login"), {"username": "nobody_here", "password": "wrong"})
    assert _error(wrong_password) == _error(unknown_user)


def test_wrong_password_message_in_english_when_english_is_chosen(client, staff):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("login"), {"username": "t_street", "password": "wrong"})
    assert "The username or password is not correct" in response.content.decode()


def test_logout_ends_the_session(client_for, staff):
    client = client_for(staff["street"])
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def _error(response):
    body = response.content.decode()
    start = body.index('data-testid="login-error"')
    return body[start : body.index("</div>", start)]


def test_chinese_is_the_default_whatever_the_browser_asks(client, staff):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "工作人员登录" in response.content.decode()
