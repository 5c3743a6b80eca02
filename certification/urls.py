from django.urls import path

from certification import (
    views,
    views_cases,
    views_queues,
    views_reminders,
    views_sources,
    views_visits,
)
from portal.import_views import ImportUploadView
from portal.models import ImportKind
from portal.roles import Capability

urlpatterns = [
    path("counter/", views.counter_desk, name="counter-desk"),
    path("record/<int:pk>/counter/", views.CounterRecordView.as_view(), name="record-counter"),
    path("record/<int:pk>/home-visit/", views.HomeVisitRecordView.as_view(), name="record-home-visit"),
    path("record/<int:pk>/consular/", views.ConsularRecordView.as_view(), name="record-consular"),
    path("receipts/<int:pk>/", views.receipt, name="certification-receipt"),
    path("receipts/<int:pk>/void/", views.void, name="certification-void"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
    # Queues
    path("overdue/", views_queues.OverdueQueueView.as_view(), name="queue-overdue"),
    path("due-soon/", views_queues.DueSoonQueueView.as_view(), name="queue-due-soon"),
    path("my-queue/", views_queues.MyQueueView.as_view(), name="queue-mine"),
    path("my-queue/call-sheet/", views_queues.call_sheet, name="call-sheet"),
    path("queue/assign/", views_queues.queue_assign_view, name="queue-assign"),
    path("contact/<int:pk>/", views_queues.contact_attempt_view, name="contact-attempt"),
    # Home visits
    path("visits/", views_visits.HomeVisitListView.as_view(), name="home-visits"),
    path("visits/schedule/", views_visits.home_visit_schedule_view, name="home-visits-schedule"),
    path("visits/mine/", views_visits.my_visits, name="my-visits"),
    path("visits/sheet/", views_visits.visit_sheet, name="visit-sheet"),
    path("visits/standing/", views_visits.StandingListView.as_view(), name="home-service-list"),
    path("visits/request/<int:pk>/", views_visits.home_visit_request_view, name="home-visit-request"),
    path("visits/<int:pk>/", views_visits.home_visit_detail, name="home-visit"),
    path("visits/<int:pk>/outcome/", views_visits.home_visit_outcome_view, name="home-visit-outcome"),
    path("visits/<int:pk>/certify/", views_visits.home_visit_certify_view, name="home-visit-certify"),
    path("visits/<int:pk>/cancel/", views_visits.home_visit_cancel_view, name="home-visit-cancel"),
    # Reminders
    path("messages/templates/", views_reminders.message_templates, name="message-templates"),
    path(
        "messages/templates/<slug:key>/", views_reminders.message_template_edit, name="message-template-edit"
    ),
    path("messages/jobs/", views_reminders.reminder_jobs, name="reminder-jobs"),
    # Data comparison
    path(
        "comparison/import/",
        ImportUploadView.as_view(kind=ImportKind.COMPARISON, capability=Capability.IMPORT_COMPARISON),
        name="comparison-import",
    ),
    path("comparison/sources/", views_sources.data_sources, name="data-sources"),
    path("comparison/sources/new/", views_sources.data_source_edit, name="data-source-create"),
    path("comparison/sources/<int:pk>/", views_sources.data_source_edit, name="data-source-edit"),
    # Death reports and cases
    path("death-cases/", views_cases.DeathCaseListView.as_view(), name="death-cases"),
    path("death-cases/<int:pk>/", views_cases.death_case_detail, name="death-case"),
]
