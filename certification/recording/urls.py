from django.urls import path

from certification.recording import views

urlpatterns = [
    path("counter/", views.counter_desk, name="counter-desk"),
    path("record/<int:pk>/counter/", views.CounterRecordView.as_view(), name="record-counter"),
    path("record/<int:pk>/home-visit/", views.HomeVisitRecordView.as_view(), name="record-home-visit"),
    path("record/<int:pk>/consular/", views.ConsularRecordView.as_view(), name="record-consular"),
    path("receipts/<int:pk>/", views.receipt, name="certification-receipt"),
    path("receipts/<int:pk>/void/", views.void, name="certification-void"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
]
