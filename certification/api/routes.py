"""/api/v1/: the channel API's addresses. Its callers are systems, not staff, so the staff log-in does not
apply: each call carries its client's bearer token instead."""

from certification.api.endpoints import api

urlpatterns, app_name, _namespace = api.urls
for pattern in urlpatterns:
    # What django.contrib.auth.decorators.login_not_required marks, for LoginRequiredMiddleware.
    pattern.callback.login_required = False
