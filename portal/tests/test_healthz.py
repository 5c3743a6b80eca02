import pytest

from portal.celery import app


def test_healthz_reports_both_services_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")


def test_healthz_is_503_when_the_broker_is_down(client, db, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("error")


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from portal import views

    class UnreachableDatabase:
        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr(views, "connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
