from django.urls import path

from audit.views import audit_export_view

app_name = "audit"
urlpatterns = [path("export.csv", audit_export_view, name="export")]
