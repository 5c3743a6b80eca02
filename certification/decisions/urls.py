from django.urls import path

from certification.decisions import views

urlpatterns = [
    path("", views.DeathCaseListView.as_view(), name="death-cases"),
    path("<int:pk>/", views.death_case_detail, name="death-case"),
]
