"""The portfolio's filters (call, program, funder, year, focus area, country), read from query
parameters by the page, its CSV downloads and the API alike."""

from dataclasses import dataclass, fields

from django import forms
from django_countries import countries

from applications.models import Call, FocusArea, Funder, Program
from awards.models import Award


@dataclass(frozen=True)
class PortfolioFilter:
    call: Call | None = None
    program: Program | None = None
    funder: Funder | None = None
    year: int | None = None
    focus_area: FocusArea | None = None
    country: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def as_params(self) -> dict[str, str]:
        """The filter as query parameters (for links that keep it)."""
        params = {
            "call": self.call.slug if self.call else "",
            "program": self.program.code if self.program else "",
            "funder": str(self.funder.pk) if self.funder else "",
            "year": str(self.year or ""),
            "focus_area": self.focus_area.slug if self.focus_area else "",
            "country": self.country,
        }
        return {key: value for key, value in params.items() if value}


def _years() -> list[tuple[str, str]]:
    years = sorted({d.year for d in Award.objects.dates("created_at", "year")}, reverse=True)
    return [("", "All years"), *((str(y), str(y)) for y in years)]


class PortfolioFilterForm(forms.Form):
    call = forms.ModelChoiceField(
        queryset=Call.objects.exclude(status=Call.Status.DRAFT).order_by("-opens_at", "title"),
        to_field_name="slug",
        required=False,
        empty_label="All calls",
    )
    program = forms.ModelChoiceField(
        queryset=Program.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="All programs",
    )
    funder = forms.ModelChoiceField(
        queryset=Funder.objects.order_by("name"), required=False, empty_label="All funders"
    )
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Year awarded")
    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.order_by("position", "name"),
        to_field_name="slug",
        required=False,
        empty_label="All focus areas",
    )
    country = forms.ChoiceField(required=False, label="Country (of the institution)")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["country"].choices = [("", "All countries"), *countries]

    def to_filter(self) -> PortfolioFilter:
        """The filter of the form's valid values (call ``is_valid`` first); invalid ones are dropped."""
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return PortfolioFilter(
            call=data.get("call"),
            program=data.get("program"),
            funder=data.get("funder"),
            year=data.get("year"),
            focus_area=data.get("focus_area"),
            country=data.get("country") or "",
        )


def parse_filter(params) -> tuple[PortfolioFilter, PortfolioFilterForm]:
    """The filter given by query ``params`` and its bound form (which keeps the errors of invalid
    values for the page to show; the API answers 400 with them)."""
    form = PortfolioFilterForm(params)
    form.is_valid()
    return form.to_filter(), form
