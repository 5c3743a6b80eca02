"""certification's addresses: one include per capability, all under /certification/ (reports: /reports/)."""

from django.urls import include, path

urlpatterns = [
    path("", include("certification.recording.urls")),
    path("", include("certification.queues.urls")),
    path("", include("certification.visits.urls")),
    path("messages/", include("certification.reminders.urls")),
    path("comparison/", include("certification.comparison.urls")),
    path("", include("certification.decisions.urls")),
    path("", include("certification.api.urls")),
]
