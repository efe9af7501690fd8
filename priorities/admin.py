"""Staff tools in the admin: rounds are created and changed through the services (audited); questions,
comments, votes and final lists are read here and changed in the portal (moderation)."""

from django.contrib import admin

from priorities.models import Ballot, Comment, CommunityProfile, Question, Round, TopTen
from priorities.services import create_round, update_round
from priorities.services.rounds import ROUND_FIELDS


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Phases move on the round's page in the portal (``transition_round``), not here."""

    list_display = [
        "title",
        "phase",
        "opens_at",
        "gathering_closes_at",
        "voting_closes_at",
        "votes_per_member",
    ]
    list_filter = ["phase"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["phase"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ROUND_FIELDS if name in form.cleaned_data}
        if change:
            obj.pk = update_round(round_=Round.objects.get(pk=obj.pk), by=request.user, **fields).pk
        else:
            obj.pk = create_round(by=request.user, **fields).pk


@admin.register(CommunityProfile)
class CommunityProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "public_name", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__full_name", "user__email", "public_name"]
    list_select_related = ["user"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["title", "round", "focus_area", "status", "submitted_at", "published_at"]
    list_filter = ["status", "round", "focus_area"]
    search_fields = ["title", "description", "original_title", "author__email"]
    list_select_related = ["round", "focus_area"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["question", "author", "created_at", "hidden_at"]
    list_filter = ["question__round"]
    search_fields = ["body", "author__email"]
    list_select_related = ["question", "author"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["member", "round", "updated_at"]
    list_filter = ["round"]
    list_select_related = ["member", "round"]


@admin.register(TopTen)
class TopTenAdmin(ReadOnlyAdmin):
    list_display = ["round", "chosen_on", "recorded_by", "recorded_at"]
