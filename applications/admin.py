from django.contrib import admin, messages

from applications.exports import applications_csv_rows
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    Commitment,
    CommitteeMembership,
    FocusArea,
    Funder,
    Program,
    ReviewerExclusion,
    TeamMember,
)
from applications.services import (
    create_call,
    remove_commitment,
    remove_committee_member,
    set_commitment,
    set_committee_member,
    transition_call,
    update_call,
)
from applications.workflow import TRANSITIONS
from core.errors import DomainError
from core.exports import csv_response


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "country", "org_id"]
    list_filter = ["country"]
    search_fields = ["name", "short_name", "org_id", "ror_id"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    autocomplete_fields = ["funder"]


class CommitteeInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    autocomplete_fields = ["user"]


def _transition_action(transition):
    def action(modeladmin, request, queryset):
        done = 0
        for call in queryset:
            try:
                transition_call(
                    call=call,
                    to=transition.target,
                    by=request.user,
                    reason=f"{transition.label} (admin action)",
                )
                done += 1
            except DomainError as error:
                modeladmin.message_user(request, f"{call}: {error.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{transition.label}: {done} call(s).", messages.SUCCESS)

    action.__name__ = f"transition_{transition.name}"
    action.short_description = f"{transition.label} ({transition.source} → {transition.target})"
    return action


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "status", "opens_at", "closes_at", "budget", "currency"]
    list_filter = ["status", "program", "currency", "focus_areas", "scheduled"]
    search_fields = ["title", "slug", "summary", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["prerequisite_call"]
    filter_horizontal = ["focus_areas"]
    readonly_fields = ["status", "created_at", "updated_at"]
    date_hierarchy = "opens_at"
    list_select_related = ["program"]
    inlines = [CommitmentInline, CommitteeInline]
    actions = [_transition_action(t) for t in TRANSITIONS]

    # Saving goes through the services so that rules and the audit trail apply here too.
    def save_model(self, request, obj, form, change):
        focus_areas = list(form.cleaned_data["focus_areas"]) if "focus_areas" in form.changed_data else None
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "focus_areas"}
            update_call(call=obj, by=request.user, focus_areas=focus_areas, **fields)
        else:
            fields = {name: value for name, value in form.cleaned_data.items() if name != "focus_areas"}
            obj.pk = create_call(by=request.user, focus_areas=focus_areas, **fields).pk

    def save_related(self, request, form, formsets, change):
        # Focus areas were saved by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Commitments and committee seats go through their services (rules and audit trail)."""
        call = form.instance
        # The admin's change message reads these, as ``formset.save()`` would have set them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.deleted_forms:
            if not inline_form.instance.pk:
                continue
            if formset.model is CommitteeMembership:
                remove_committee_member(membership=inline_form.instance, by=request.user)
            else:
                remove_commitment(commitment=inline_form.instance, by=request.user)
            formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            if formset.model is Commitment:
                saved = set_commitment(
                    call=call,
                    funder=data["funder"],
                    amount=data["amount"],
                    currency=data["currency"],
                    rate_to_call_currency=data["rate_to_call_currency"],
                    by=request.user,
                )
            else:
                saved = set_committee_member(call=call, user=data["user"], role=data["role"], by=request.user)
            if inline_form.instance.pk:
                formset.changed_objects.append((saved, inline_form.changed_data))
            else:
                formset.new_objects.append(saved)


@admin.register(CommitteeMembership)
class CommitteeMembershipAdmin(admin.ModelAdmin):
    """A list to search; seats change on the call's page, where they go through the audited services."""

    list_display = ["user", "call", "role", "created_at"]
    list_filter = ["role", "call"]
    search_fields = ["user__email", "user__full_name", "call__title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # Shown, never a form field: a non-editable one (the team's accepted_at) in a form is a 500.
        return list(self.fields)


class TeamInline(_ReadOnlyInline):
    model = TeamMember
    fields = ["name", "email", "orcid", "institution_name", "role", "accepted_at"]


class BudgetInline(_ReadOnlyInline):
    model = BudgetLine
    fields = ["year", "category", "amount", "justification"]


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = ["kind", "original_name", "pages", "size", "sha256", "uploaded_at"]


class ExclusionInline(_ReadOnlyInline):
    model = ReviewerExclusion
    fields = ["name", "email", "orcid", "reason"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Staff read applications here; their content belongs to the applicant and changes only
    through the portal or API while it is a draft."""

    list_display = [
        "reference",
        "title",
        "pi",
        "call",
        "status",
        "institution",
        "requested_amount",
        "submitted_at",
    ]
    list_filter = ["status", "call", ("institution__country", admin.AllValuesFieldListFilter), "focus_areas"]
    search_fields = ["reference", "title", "keywords", "pi__email", "pi__full_name", "institution__name"]
    list_select_related = ["pi", "call", "institution"]
    date_hierarchy = "submitted_at"
    inlines = [TeamInline, BudgetInline, AttachmentInline, ExclusionInline]
    actions = ["export_csv"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Application._meta.fields] + ["focus_areas"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Export selected applications as CSV")
    def export_csv(self, request, queryset):
        return csv_response(applications_csv_rows(queryset), filename="applications.csv")
