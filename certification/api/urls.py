"""The channel API's staff screens (the API itself is /api/v1/, certification/api/routes.py)."""

from django.urls import path

from certification.api import views

urlpatterns = [
    path("channels/clients/", views.ChannelClientListView.as_view(), name="channel-clients"),
    path("channels/clients/new/", views.channel_client_new, name="channel-client-new"),
    path("channels/clients/<int:pk>/", views.channel_client_detail, name="channel-client"),
    path("channels/reviews/", views.ChannelReviewListView.as_view(), name="channel-reviews"),
    path("channels/reviews/<int:pk>/", views.channel_review, name="channel-review"),
]
