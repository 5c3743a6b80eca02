from django.urls import path

from certification.queues import views

urlpatterns = [
    path("overdue/", views.OverdueQueueView.as_view(), name="queue-overdue"),
    path("due-soon/", views.DueSoonQueueView.as_view(), name="queue-due-soon"),
    path("my-queue/", views.MyQueueView.as_view(), name="queue-mine"),
    path("my-queue/call-sheet/", views.call_sheet, name="call-sheet"),
    path("queue/assign/", views.queue_assign_view, name="queue-assign"),
    path("contact/<int:pk>/", views.contact_attempt_view, name="contact-attempt"),
]
