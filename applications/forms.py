"""Portal forms for the sections of an application. They only shape input; services decide."""

from django import forms

from applications.models import Application, Attachment, BudgetLine, FocusArea, ReviewerExclusion, TeamMember


class DetailsForm(forms.ModelForm):
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Application
        fields = [
            "title",
            "lay_summary",
            "scientific_abstract",
            "focus_areas",
            "keywords",
            "requested_amount",
            "duration_months",
        ]
        widgets = {
            "lay_summary": forms.Textarea(attrs={"rows": 8}),
            "scientific_abstract": forms.Textarea(attrs={"rows": 12}),
        }
        help_texts = {
            "lay_summary": "For people living with MS and the public: what you will do and why it matters.",
            "keywords": "Separated by commas, e.g. remyelination, microglia, neurofilament light.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance.call
        self.fields["focus_areas"].queryset = call.focus_areas.all() or FocusArea.objects.all()
        self.fields["lay_summary"].widget.attrs["data-word-limit"] = call.lay_summary_word_limit
        self.fields["scientific_abstract"].widget.attrs["data-word-limit"] = call.abstract_word_limit
        self.fields["requested_amount"].label = f"Requested amount ({call.currency})"
        self.fields["requested_amount"].help_text = f"At most {call.max_request:,.0f} {call.currency}."
        self.fields["duration_months"].help_text = f"At most {call.max_duration_months} months."
        # Required only at submission (the validation report says what is missing); drafts save partially.
        for field in self.fields.values():
            field.required = False


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "email", "orcid", "institution_name", "role"]


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "year", "amount", "justification"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 2})}


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=Attachment.Kind.choices, label="Document")
    file = forms.FileField(
        label="PDF file", widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["needed_expertise"]
        widgets = {"needed_expertise": forms.Textarea(attrs={"rows": 4})}


class ExclusionForm(forms.ModelForm):
    class Meta:
        model = ReviewerExclusion
        fields = ["name", "email", "orcid", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text="Optional: tell the programme office why.",
    )
