from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent
from audit.selectors import audit_csv_rows
from core.exports import csv_response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_repr", "verb", "target_type", "target_repr"]
    list_filter = ["verb", "target_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor_repr", "verb", "target_repr", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    actions = ["export_csv"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    # Every program officer may read the trail, as with the CSV export (``audit.views``).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Export selected events as CSV")
    def export_csv(self, request, queryset):
        return csv_response(audit_csv_rows(queryset.select_related("target_type")), filename="audit.csv")
