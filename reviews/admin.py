"""Staff tools for review in the admin: the reviewer pool, review forms with their criteria, and
read-only views of conflicts, runs and reviews (those change through the portal and its services)."""

from django.contrib import admin

from reviews.models import (
    AssignmentRun,
    Conflict,
    Criterion,
    Review,
    ReviewerProfile,
    ReviewForm,
    ReviewPhase,
)
from reviews.services import save_reviewer_profile
from reviews.services.pool import PROFILE_FIELDS


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    """The reviewer pool. Saving goes through ``save_reviewer_profile`` (audited)."""

    list_display = ["user", "kind", "default_load", "active"]
    list_filter = ["kind", "active", "focus_areas"]
    search_fields = ["user__full_name", "user__email", "expertise", "keywords"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["focus_areas"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in PROFILE_FIELDS if name in form.cleaned_data}
        focus_areas = list(form.cleaned_data["focus_areas"])
        obj.pk = save_reviewer_profile(
            user=form.cleaned_data["user"], by=request.user, focus_areas=focus_areas, **fields
        ).pk

    def save_related(self, request, form, formsets, change):
        """Focus areas were saved by the service."""


def _form_in_use(form) -> bool:
    """A form with reviews is frozen: changing weights or scales would silently mix old and new totals."""
    return form is not None and form.pk is not None and Review.objects.filter(form=form).exists()


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return not _form_in_use(obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _form_in_use(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _form_in_use(obj)

    fields = [
        ("key", "label", "position"),
        "guidance",
        ("scale_min", "scale_max", "direction"),
        "anchors",
        ("weight", "required", "allow_not_applicable", "scored_by"),
    ]


@admin.register(ReviewForm)
class ReviewFormAdmin(admin.ModelAdmin):
    """Review forms are built by staff from criteria (or from a shipped template through the portal
    or ``reviews.services.forms.apply_form_template``)."""

    list_display = ["name", "call", "audience", "template"]
    list_filter = ["audience", "call"]
    search_fields = ["name", "call__title"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not _form_in_use(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _form_in_use(obj)


@admin.register(ReviewPhase)
class ReviewPhaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "call", "starts_at", "ends_at", "active", "can_write", "see_others"]
    list_filter = ["active", "call"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "kind", "source", "lifted", "created_at"]
    list_filter = ["kind", "source", "lifted", "application__call"]
    search_fields = ["application__reference", "reviewer__full_name", "reviewer__email", "reason"]
    list_select_related = ["application", "reviewer"]


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "call", "status", "total_affinity", "worst_affinity", "created_at", "published_at"]
    list_filter = ["status", "call"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "status", "weighted_total", "overall_score", "submitted_at"]
    list_filter = ["status", "assignment__call"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
