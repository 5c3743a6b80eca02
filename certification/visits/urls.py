from django.urls import path

from certification.visits import views

urlpatterns = [
    path("visits/", views.HomeVisitListView.as_view(), name="home-visits"),
    path("visits/schedule/", views.home_visit_schedule_view, name="home-visits-schedule"),
    path("visits/mine/", views.my_visits, name="my-visits"),
    path("visits/sheet/", views.visit_sheet, name="visit-sheet"),
    path("visits/teams/", views.visit_teams, name="visit-teams"),
    path("visits/teams/<int:pk>/", views.visit_team_detail, name="visit-team"),
    path("visits/standing/", views.StandingListView.as_view(), name="home-service-list"),
    path("visits/request/<int:pk>/", views.home_visit_request_view, name="home-visit-request"),
    path("visits/<int:pk>/", views.home_visit_detail, name="home-visit"),
    path("visits/<int:pk>/outcome/", views.home_visit_outcome_view, name="home-visit-outcome"),
    path("visits/<int:pk>/certify/", views.home_visit_certify_view, name="home-visit-certify"),
    path("visits/<int:pk>/cancel/", views.home_visit_cancel_view, name="home-visit-cancel"),
]
