"""Forms of the research-priorities portal. They only check the shape of what was typed; the rules
are in ``priorities.services``."""

from django import forms
from django.contrib.auth import password_validation

from applications.models import Call, FocusArea
from priorities.models import CommunityProfile, Question

PLAIN_WORDS = "Plain words are best; there is no need for medical terms."


class CommunityProfileForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which describes you best?", choices=CommunityProfile.Kind.choices, widget=forms.RadioSelect
    )
    public_name = forms.CharField(
        label="Name others see (optional)",
        max_length=80,
        required=False,
        help_text="Shown beside your questions and comments, e.g. your first name. Leave it empty to "
        "appear as “A community member”.",
    )


class CommunitySignUpForm(CommunityProfileForm):
    full_name = forms.CharField(
        label="Your name",
        max_length=200,
        help_text="Only the moderators see it.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        help_text="You sign in with it. We never show it to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["full_name", "email", "password1", "password2", "kind", "public_name"]

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class QuestionForm(forms.Form):
    title = forms.CharField(
        label="Your question",
        max_length=200,
        help_text="One question in a sentence or two, e.g. “Can exercise slow the progression of MS?”",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(
        label="Why it matters to you (optional)",
        max_length=3000,
        required=False,
        help_text=f"What made you ask it, and what an answer would change for you. {PLAIN_WORDS}",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    focus_area = forms.ModelChoiceField(
        label="What is it mostly about?",
        queryset=FocusArea.objects.order_by("position", "name"),
        widget=forms.RadioSelect,
        empty_label=None,
    )


class ModeratorEditForm(QuestionForm):
    reason = forms.CharField(
        label="Reason for the edit",
        max_length=1000,
        help_text="Shown to the author and kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VoteForm(forms.Form):
    votes = forms.IntegerField(min_value=0, max_value=100)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), help_text=PLAIN_WORDS
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        help_text="Shown to the author and kept in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    reason = forms.CharField(
        label="Note to the author (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(ReasonForm):
    into = forms.ModelChoiceField(label="Merge into", queryset=Question.objects.none())

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets if targets is not None else Question.objects.none()
        self.order_fields(["into", "reason"])


class CallsForm(forms.Form):
    calls = forms.ModelMultipleChoiceField(
        label="Calls for proposals that address this question",
        queryset=Call.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calls"].queryset = calls if calls is not None else Call.objects.none()


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason (needed when a phase ends before its date)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TopTenForm(forms.Form):
    chosen_on = forms.DateField(label="Chosen on", widget=forms.DateInput(attrs={"type": "date"}))
    steering_group = forms.CharField(
        label="Steering group",
        help_text="The e-mail addresses of its members (community members and researchers), one a line.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, questions=None, count: int = 10, initial_order=(), **kwargs):
        super().__init__(*args, **kwargs)
        queryset = questions if questions is not None else Question.objects.none()
        initial_order = list(initial_order)
        for position in range(1, count + 1):
            self.fields[f"position_{position}"] = forms.ModelChoiceField(
                label=f"Place {position}",
                queryset=queryset,
                initial=initial_order[position - 1] if position <= len(initial_order) else None,
            )
        self.count = count

    def chosen_questions(self) -> list:
        return [self.cleaned_data[f"position_{position}"] for position in range(1, self.count + 1)]

    def emails(self) -> list[str]:
        return [
            line.strip().lower() for line in self.cleaned_data["steering_group"].splitlines() if line.strip()
        ]
