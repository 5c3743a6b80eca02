from django.urls import path

from portal.imports.views import ImportUploadView
from portal.models import ImportKind
from portal.staff import views

urlpatterns = [
    path("", views.StaffListView.as_view(), name="staff-list"),
    path("new/", views.staff_create, name="staff-create"),
    path("import/", ImportUploadView.as_view(kind=ImportKind.STAFF), name="staff-import"),
    path("locks/", views.login_locks, name="login-locks"),
    path("<int:pk>/", views.staff_detail, name="staff-detail"),
    path("<int:pk>/temporary-password/", views.staff_temporary_password, name="staff-temporary-password"),
    path("<int:pk>/disable/", views.staff_disable, name="staff-disable"),
    path("<int:pk>/enable/", views.staff_enable, name="staff-enable"),
    path("<int:pk>/reset-password/", views.staff_reset_password, name="staff-reset-password"),
    path("<int:pk>/reset-second-factor/", views.staff_reset_second_factor, name="staff-reset-second-factor"),
]

account_urlpatterns = [
    path("", views.my_account, name="my-account"),
    path("password/", views.password_change, name="password-change"),
    path("second-factor/", views.second_factor_enrol, name="second-factor-enrol"),
    path("second-factor/verify/", views.second_factor_verify, name="second-factor-verify"),
    path("session/", views.session_status, name="session-status"),
]
