from django.urls import path

from pensioners import views
from portal.imports.views import ImportUploadView
from portal.models import ImportKind

urlpatterns = [
    path("", views.PensionerSearchView.as_view(), name="pensioner-search"),
    path("new/", views.PensionerEditView.as_view(), name="pensioner-create"),
    path(
        "import/",
        ImportUploadView.as_view(kind=ImportKind.ROSTER),
        name="roster-import",
    ),
    path("<int:pk>/", views.pensioner_card, name="pensioner-card"),
    path("<int:pk>/edit/", views.PensionerEditView.as_view(), name="pensioner-edit"),
    path("<int:pk>/reveal/", views.pensioner_reveal, name="pensioner-reveal"),
]
