"""The channel API's test client: it posts as a registered client would, and every answer it receives in
these tests is checked against the published OpenAPI document (at the end of each test)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from certification.api.services import channel_client_create

_spec_cache: dict = {}


def published_schema() -> dict:
    if "spec" not in _spec_cache:
        response = Client().get("/api/v1/schema")
        assert response.status_code == 200
        _spec_cache["spec"] = response.json()
    return _spec_cache["spec"]


class ApiClient:
    def __init__(self, token: str, seen: list):
        self.token = token
        self.http = Client()
        self.seen = seen

    def _headers(self, token):
        token = self.token if token is ... else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, records=None, *, body: bytes | str | None = None, token=...):
        data = body if body is not None else json.dumps({"records": records}, ensure_ascii=False)
        response = self.http.post(
            "/api/v1/certifications", data=data, content_type="application/json", headers=self._headers(token)
        )
        self.seen.append(response)
        return response

    def status(self, id_number: str, *, token=...):
        response = self.http.get(f"/api/v1/pensioners/{id_number}/status", headers=self._headers(token))
        self.seen.append(response)
        return response


@pytest.fixture
def answers_follow_the_schema(db):
    """Every API answer a test received, validated against /api/v1/schema when the test ends."""
    seen: list = []
    yield seen
    if not seen:
        return
    openapi = OpenAPI.from_dict(published_schema())
    for response in seen:
        openapi.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )


@pytest.fixture
def make_client(answers_follow_the_schema):
    def make(
        name="重庆人社app",
        channels=("app_self", "app_assisted", "other_app", "abroad_app"),
        scopes=("status",),
    ):
        client, token = channel_client_create(
            actor=None, name=name, channels=list(channels), scopes=list(scopes)
        )
        return client, ApiClient(token, answers_follow_the_schema)

    return make


@pytest.fixture
def app(make_client):
    """The 重庆人社 app: every channel, and the status scope."""
    return make_client()[1]
