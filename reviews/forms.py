"""Portal forms for review. They only validate input; services decide and change."""

from django import forms

from applications.models import FocusArea
from reviews.models import Bid, Conflict, ReviewerProfile


class ReviewerProfileForm(forms.ModelForm):
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ReviewerProfile
        fields = ["kind", "expertise", "keywords", "focus_areas", "default_load", "collaborators"]
        widgets = {"kind": forms.RadioSelect}


class AcceptInvitationForm(forms.Form):
    load_limit = forms.IntegerField(
        label="Your load for this call",
        required=False,
        min_value=1,
        help_text="Leave empty to review up to your default number of applications.",
    )


class DeclineInvitationForm(forms.Form):
    reason = forms.CharField(
        label="Why do you decline?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class BidForm(forms.Form):
    value = forms.ChoiceField(choices=Bid.Value.choices, widget=forms.RadioSelect)


class DeclareConflictForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k, label) for k, label in Conflict.Kind.choices if k != Conflict.Kind.APPLICANT_EXCLUSION],
        initial=Conflict.Kind.OTHER,
    )
    reason = forms.CharField(
        label="What is the conflict?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class InviteReviewerForm(forms.Form):
    reviewer = forms.IntegerField(widget=forms.HiddenInput)


class SetConflictForm(forms.Form):
    application = forms.TypedChoiceField(coerce=int, label="Application")
    reviewer = forms.TypedChoiceField(coerce=int, label="Reviewer")
    kind = forms.ChoiceField(choices=Conflict.Kind.choices, initial=Conflict.Kind.OTHER)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, applications=(), reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [(a.pk, f"{a.reference} — {a.title}") for a in applications]
        self.fields["reviewer"].choices = [(r.pk, r.full_name or r.email) for r in reviewers]


class LiftConflictForm(forms.Form):
    reason = forms.CharField(
        label="Why lift this conflict?", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class StartRunForm(forms.Form):
    fairness = forms.BooleanField(
        label="Fairness first: raise the worst-served application's affinity before the total",
        required=False,
    )


class PublishRunForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Reviews due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class SwapForm(forms.Form):
    reviewer = forms.TypedChoiceField(coerce=int, label="Swap to")

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [(r.pk, r.full_name or r.email) for r in reviewers]


class AddAssignmentForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    reviewer = forms.IntegerField()
