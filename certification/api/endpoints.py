"""The inbound channel API, /api/v1/ (django-ninja): the face-recognition apps and the consular app report
certifications here, and may ask a pensioner's status. The OpenAPI document is /api/v1/schema and its
page /api/v1/docs (Swagger UI from the portal's own static files).

Every answer is in Chinese and JSON, errors included: {"code", "detail"}.
"""

from __future__ import annotations

import functools
import logging
import math

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from certification.api.models import Scope
from certification.api.rules import FORBIDDEN_REASONS
from certification.api.schemas import CertificationsIn, CertificationsOut, PensionerStatus, Problem
from certification.api.services import (
    channel_call_refused,
    channel_client_authenticate,
    channel_records_report,
    pensioner_status_read,
)
from pensioners.rules import IdNumberError, parse_id_number

API_LANGUAGE = "zh-hans"
logger = logging.getLogger(__name__)


class ClientToken(HttpBearer):
    def authenticate(self, request, token):
        return channel_client_authenticate(token)


class ClientRateThrottle(SimpleRateThrottle):
    """CHANNEL_API_RATES[scope] per client, counted in Redis so that every web worker sees the same
    count."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__(settings.CHANNEL_API_RATES[scope])

    def allow_request(self, request) -> bool:
        # The rate and the cache are read on each request, so changed settings hold without a restart.
        self.num_requests, self.duration = self.parse_rate(settings.CHANNEL_API_RATES[self.scope])
        self.cache = caches["throttle"]
        try:
            return super().allow_request(request)
        except Exception:  # Redis down (the cache backend raises its client's own errors)
            # The limit protects the portal; it is not a rule about records. Without Redis nothing can be
            # counted, so calls go through (each is still audited), and the operators are told.
            logger.warning(
                "channel API rate limit not applied: the throttle cache is unreachable", exc_info=True
            )
            return True

    def get_cache_key(self, request):
        client = getattr(request, "auth", None)
        return f"channel-api:{self.scope}:{client.pk}" if client is not None else None


class ReadableJSON(JSONRenderer):
    """Chinese reasons as characters, not \\u escapes: the clients' operators read these answers too."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSON(),
    title="养老待遇资格认证 channel API",
    version="1",
    description=(
        "Certifications reported by the channels outside the portal (重庆人社 app 本人认/帮你认, 渝快办, "
        "掌上12333, 电子社保卡, 支付宝, 中国领事 app). Authenticate with `Authorization: Bearer <token>`."
    ),
    urls_namespace="channel-api",
    openapi_url="/schema",
    docs_url="/docs",
    auth=ClientToken(),
)


def in_chinese(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with translation.override(API_LANGUAGE):
            return view(*args, **kwargs)

    return wrapper


def problem(request, status: int, code: str, detail: str, **headers):
    """A refused call, as JSON; audited under the client when the token was good (a call refused for its
    body or its rate is still a call that client made)."""
    client = getattr(request, "auth", None)
    if client is not None:
        channel_call_refused(client=client, path=request.path, status=status, code=code)
    response = api.create_response(request, {"code": code, "detail": detail}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(AuthenticationError)
@in_chinese
def unauthorised(request, exc):
    return problem(
        request,
        401,
        "unauthorized",
        _("A valid token is needed: Authorization: Bearer <token> (a revoked token is not valid)."),
        WWW_Authenticate="Bearer",
    )


@api.exception_handler(Throttled)
@in_chinese
def throttled(request, exc):
    wait = math.ceil(exc.wait) if exc.wait else 1
    return problem(
        request,
        429,
        "rate_limited",
        _("Too many requests from this client: try again in %(seconds)s s.") % {"seconds": wait},
        Retry_After=str(wait),
    )


@api.exception_handler(ValidationError)
@in_chinese
def invalid_request(request, exc):
    detail = _('The body must be {"records": [...]} with 1 to %(most)s records.') % {"most": 1000}
    return problem(request, 400, "invalid_request", detail)


@api.exception_handler(HttpError)
@in_chinese
def http_error(request, exc):
    if exc.status_code == 400:
        return problem(request, 400, "invalid_json", _("The body is not valid JSON."))
    return problem(request, exc.status_code, "error", str(exc))


@api.post(
    "/certifications",
    response={
        200: CertificationsOut,
        400: Problem,
        401: Problem,
        403: CertificationsOut,
        413: Problem,
        429: Problem,
    },
    throttle=[ClientRateThrottle("certifications")],
    summary="Report certifications",
    description=(
        "Each record is answered in order: `accepted` (certified), `pending_review` (境外认: a clerk reviews "
        "it first), `duplicate` (this reference was reported before; nothing recorded) or `rejected` "
        "(with the reason). A record whose channel the client may not report is rejected with "
        "`channel_forbidden`; when every record is, the answer is 403."
    ),
)
@in_chinese
def report_certifications(request, body: CertificationsIn):
    results = [
        result.as_dict() for result in channel_records_report(client=request.auth, records=body.records)
    ]
    forbidden = all(result["reason"]["code"] in FORBIDDEN_REASONS for result in results)
    # Rendered as is: the service built exactly the documented shape (the contract tests check every answer
    # against the OpenAPI document), so pydantic need not check 1,000 answers again (~30 ms a batch).
    return api.create_response(request, {"results": results}, status=403 if forbidden else 200)


@api.get(
    "/pensioners/{id_number}/status",
    response={200: PensionerStatus, 401: Problem, 403: Problem, 404: Problem, 429: Problem},
    throttle=[ClientRateThrottle("status")],
    summary="A pensioner's certification status",
    description="For clients with the `status` scope.",
)
@in_chinese
def pensioner_status(request, id_number: str):
    if Scope.STATUS not in request.auth.scopes:
        channel_call_refused(client=request.auth, path=request.path, status=403, code="scope_missing")
        return Status(
            403, {"code": "scope_missing", "detail": _("This client may not read statuses (scope: status).")}
        )
    try:
        number = parse_id_number(id_number, today=timezone.localdate()).number
    except IdNumberError:
        number = None
    status = pensioner_status_read(client=request.auth, id_number=number) if number else None
    if status is None:
        return Status(404, {"code": "not_found", "detail": _("No pensioner has this ID number.")})
    return Status(200, status)
