from django.urls import path

from certification.reminders import views

urlpatterns = [
    path("templates/", views.message_templates, name="message-templates"),
    path("templates/<slug:key>/", views.message_template_edit, name="message-template-edit"),
    path("jobs/", views.reminder_jobs, name="reminder-jobs"),
]
