from django.urls import path

from certification import views_reports

urlpatterns = [
    path("", views_reports.reports, name="reports"),
    path("refresh/", views_reports.reports_refresh, name="reports-refresh"),
]
