from django.urls import path

from certification.comparison import views
from portal.imports.views import ImportUploadView
from portal.models import ImportKind

urlpatterns = [
    path(
        "import/",
        ImportUploadView.as_view(kind=ImportKind.COMPARISON),
        name="comparison-import",
    ),
    path("sources/", views.data_sources, name="data-sources"),
    path("sources/new/", views.data_source_edit, name="data-source-create"),
    path("sources/<int:pk>/", views.data_source_edit, name="data-source-edit"),
]
