import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django_countries.fields import CountryField

from accounts.identifiers import validate_ror

# ISO 4217 codes of the currencies the Alliance's member societies commit in.
CURRENCIES = [
    ("EUR", "Euro (EUR)"),
    ("USD", "US dollar (USD)"),
    ("GBP", "Pound sterling (GBP)"),
    ("CAD", "Canadian dollar (CAD)"),
    ("AUD", "Australian dollar (AUD)"),
    ("CHF", "Swiss franc (CHF)"),
    ("DKK", "Danish krone (DKK)"),
    ("SEK", "Swedish krona (SEK)"),
    ("NOK", "Norwegian krone (NOK)"),
]
MONEY = {"max_digits": 14, "decimal_places": 2}
TIMEZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name such as Europe/London.")


class Funder(models.Model):
    """An organisation that commits money to calls, e.g. a member society of the Alliance."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    country = CountryField(blank=True)
    website = models.URLField(blank=True)
    ror_id = models.CharField("ROR id", max_length=9, blank=True, validators=[validate_ror])
    org_id = models.CharField(
        "org-id", max_length=100, blank=True, help_text="org-id.guide identifier, e.g. GB-CHC-207495."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A funding scheme such as Challenge Awards; its code prefixes application references."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=8,
        unique=True,
        help_text="Prefix of reference numbers, e.g. CA for Challenge Awards (CA-2026-0042).",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.code = self.code.upper()
        if not self.code.isalnum():
            raise ValidationError({"code": "Use letters and digits only, e.g. CA."})


class FocusArea(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class CallQuerySet(models.QuerySet["Call"]):
    def open_now(self, at=None) -> "CallQuerySet":
        at = at or timezone.now()
        return self.filter(status=Call.Status.OPEN, opens_at__lte=at, closes_at__gt=at)


class Call(models.Model):
    """One request for applications within a program."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        IN_REVIEW = "in_review", "In review"
        DECIDED = "decided", "Decided"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=500, blank=True, help_text="One or two sentences for lists.")
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    scheduled = models.BooleanField(
        "open automatically",
        default=False,
        help_text="Open the call by itself at its opening time. Leave unticked while it is being prepared.",
    )
    timezone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_timezone],
        help_text="Dates are shown to applicants in this time zone.",
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    budget = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="EUR")
    max_request = models.DecimalField(
        "maximum request", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reviewers_per_application = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    prerequisite_call = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_on_calls",
        help_text="Stage 2 of a two-stage scheme: only holders of an award from this call may apply.",
    )
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="calls")
    # Rules for applications to this call.
    allowed_countries = CountryField(
        multiple=True,
        blank=True,
        help_text="Countries whose researchers may apply as PI. Empty: any country.",
    )
    max_applications_per_pi = models.PositiveSmallIntegerField(
        "applications per PI", default=1, validators=[MinValueValidator(1)]
    )
    lay_summary_word_limit = models.PositiveIntegerField(default=300, validators=[MinValueValidator(20)])
    abstract_word_limit = models.PositiveIntegerField(
        "scientific abstract word limit", default=500, validators=[MinValueValidator(20)]
    )
    research_plan_page_limit = models.PositiveSmallIntegerField(default=10, validators=[MinValueValidator(1)])
    attachment_size_limit_mb = models.PositiveSmallIntegerField(
        "attachment size limit (MB)", default=10, validators=[MinValueValidator(1)]
    )
    max_duration_months = models.PositiveSmallIntegerField(default=36, validators=[MinValueValidator(1)])
    # Review settings.
    lay_reviewers_per_application = models.PositiveSmallIntegerField(
        default=1, help_text="At least this many of each application's reviewers are lay reviewers."
    )
    review_due_at = models.DateTimeField(null=True, blank=True, help_text="When reviews are due.")
    # Decision settings.
    release_summary_statements = models.BooleanField(
        default=True,
        help_text="Release each applicant's summary statement (anonymised critiques, criterion scores and "
        "the discussion summary) with the decision.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=models.Q(max_request__lte=models.F("budget")), name="call_max_request_within_budget"
            ),
            models.CheckConstraint(
                condition=models.Q(lay_reviewers_per_application__lte=models.F("reviewers_per_application")),
                name="call_lay_quota_within_reviewers",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "The call must close after it opens."
        if self.budget is not None and self.max_request is not None and self.max_request > self.budget:
            errors["max_request"] = "The maximum request cannot exceed the call's budget."
        if self.prerequisite_call_id and self.prerequisite_call_id == self.pk:
            errors["prerequisite_call"] = "A call cannot be its own prerequisite."
        if errors:
            raise ValidationError(errors)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def opens_local(self):
        return timezone.localtime(self.opens_at, self.zone)

    @property
    def closes_local(self):
        return timezone.localtime(self.closes_at, self.zone)

    def is_open_at(self, at) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= at < self.closes_at

    @property
    def is_open_now(self) -> bool:
        return self.is_open_at(timezone.now())

    @property
    def is_two_stage(self) -> bool:
        return self.prerequisite_call_id is not None


class Commitment(models.Model):
    """Money a funder commits to a call, with its rate to the call's currency fixed on the call."""

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="commitments")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="commitments")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    rate_to_call_currency = models.DecimalField(
        max_digits=12,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text="1 unit of the commitment's currency in the call's currency, fixed for this call.",
    )

    class Meta:
        ordering = ["call", "funder__name"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "call"], name="one_commitment_per_funder_call")
        ]

    def __str__(self) -> str:
        return f"{self.funder} → {self.call}: {self.amount} {self.currency}"

    def clean(self) -> None:
        if self.call_id and self.currency == self.call.currency and self.rate_to_call_currency != 1:
            raise ValidationError(
                {"rate_to_call_currency": "The commitment is in the call's own currency: the rate must be 1."}
            )

    @property
    def amount_in_call_currency(self) -> Decimal:
        return (self.amount * self.rate_to_call_currency).quantize(Decimal("0.01"))


class CommitteeMembership(models.Model):
    """A user on a call's steering committee, as a member or as its chair."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        CHAIR = "chair", "Chair"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_memberships"
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="committee")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "-role", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["user", "call"], name="one_membership_per_user_call")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.call})"
