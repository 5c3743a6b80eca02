from django.urls import path

from certification.decisions import views

urlpatterns = [
    path("death-cases/", views.DeathCaseListView.as_view(), name="death-cases"),
    path("death-cases/<int:pk>/", views.death_case_detail, name="death-case"),
    path("payments/candidates/", views.SuspensionCandidateListView.as_view(), name="suspension-candidates"),
    path("payments/candidates/propose/", views.suspension_propose, name="suspension-propose"),
    path(
        "payments/candidates/<int:pensioner_id>/exclude/", views.suspension_exclude, name="suspension-exclude"
    ),
    path("payments/batches/", views.DecisionBatchListView.as_view(), name="decision-batches"),
    path("payments/batches/<int:pk>/", views.DecisionBatchView.as_view(), name="decision-batch"),
    path("payments/batches/<int:pk>/decide/", views.decision_batch_decide, name="decision-batch-decide"),
    path(
        "payments/batches/<int:pk>/file.<str:file_format>", views.payment_file_download, name="payment-file"
    ),
    path("payments/resumptions/", views.ResumptionListView.as_view(), name="resumptions"),
    path("payments/resumptions/propose/", views.resumption_propose, name="resumption-propose"),
    path("payments/stop/<int:pensioner_id>/", views.payment_stop, name="payment-stop"),
    path("payments/extensions/", views.DeadlineExtensionListView.as_view(), name="deadline-extensions"),
    path("payments/extensions/new/", views.deadline_extension_new, name="deadline-extension-new"),
    path("payments/extensions/<int:pk>/", views.deadline_extension_detail, name="deadline-extension"),
]
