from django.urls import path

from certification.reports import views

urlpatterns = [
    path("", views.reports, name="reports"),
    path("refresh/", views.reports_refresh, name="reports-refresh"),
]
