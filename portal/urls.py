from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from portal import views
from portal.exports import views as export_views
from portal.forms import StaffLoginForm
from portal.imports import views as import_views
from portal.staff.urls import account_urlpatterns

urlpatterns = [
    path(
        "accounts/login/",
        login_not_required(
            auth_views.LoginView.as_view(authentication_form=StaffLoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/me/", include(account_urlpatterns)),
    path("staff/", include("portal.staff.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", include("certification.api.routes", namespace="channel-api")),
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("imports/<int:pk>/", import_views.import_job_detail, name="import-job"),
    path("imports/<int:pk>/rejects/", import_views.import_job_rejects, name="import-job-rejects"),
    path("imports/<int:pk>/again/", import_views.import_job_again_view, name="import-job-again"),
    path("imports/<int:pk>/credentials/", import_views.import_job_credentials, name="import-job-credentials"),
    path("exports/<int:pk>/", export_views.export_job_detail, name="export-job"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export-job-download"),
    path("pensioners/", include("pensioners.urls")),
    path("certification/", include("certification.urls")),
    path("reports/", include("certification.reports.urls")),
]
