from django.contrib import admin

from awards.models import Award


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["reference", "application", "amount", "currency", "start_date"]
    list_filter = ["currency", "application__call"]
    search_fields = ["reference", "application__title", "application__pi__email"]
    list_select_related = ["application"]
    readonly_fields = ["application", "reference", "amount", "currency", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # awards are made by applying decisions, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an award decides stage-2 eligibility: it changes only through audited services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
