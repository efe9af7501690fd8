from django.contrib import admin

from portfolio.models import PublishedProject


@admin.register(PublishedProject)
class PublishedProjectAdmin(admin.ModelAdmin):
    """Read-only: staff publish and unpublish on the portal, where each action is audited."""

    list_display = ["award", "published_by", "published_at"]
    list_select_related = ["award", "published_by"]
    search_fields = ["award__reference", "award__application__title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
