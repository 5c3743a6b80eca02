"""The portal's URLs plus the stock admin with a Pensioner changelist (bench only)."""

from django.contrib import admin
from django.urls import path

from pensioners.models import Pensioner
from portal.urls import urlpatterns as portal_urlpatterns


@admin.register(Pensioner)
class PensionerAdmin(admin.ModelAdmin):
    list_display = ("name", "id_number", "phone", "community")
    search_fields = ("name", "id_number", "phone")


urlpatterns = [path("django-admin/", admin.site.urls), *portal_urlpatterns]
