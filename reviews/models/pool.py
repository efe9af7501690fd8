"""The reviewer pool, conflicts of interest, bids and assignments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from applications.models import Application, Call, FocusArea


class ReviewerProfile(models.Model):
    """A person in the reviewer pool: a scientist, or a lay reviewer affected by MS."""

    class Kind(models.TextChoices):
        SCIENTIFIC = "scientific", "Scientific"
        LAY = "lay", "Lay (person affected by MS)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SCIENTIFIC)
    expertise = models.TextField("expertise statement", blank=True, max_length=5000)
    keywords = models.CharField(max_length=500, blank=True, help_text="Separated by commas.")
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="reviewers")
    default_load = models.PositiveSmallIntegerField(
        "default load limit", default=8, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    collaborators = models.TextField(
        blank=True,
        max_length=5000,
        help_text="Recent collaborators, one per line (name, e-mail or ORCID iD): "
        "their applications are conflicts.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"

    @property
    def is_lay(self) -> bool:
        return self.kind == self.Kind.LAY


class ReviewerInvitation(models.Model):
    """Staff invite a pool member to review a call; the reviewer accepts (perhaps with a lower load for
    the call) or declines with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewer_invitations")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_invitations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    load_limit = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The reviewer's own limit for this call (at most their default load).",
    )
    min_load = models.PositiveSmallIntegerField(default=0)
    decline_reason = models.TextField(blank=True, max_length=2000)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["call", "reviewer__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "reviewer"], name="one_invitation_per_reviewer_call")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.call} ({self.get_status_display()})"


class Conflict(models.Model):
    """A conflict of interest between a reviewer and an application. An active (not lifted) conflict
    hides the application from the reviewer everywhere (see ``reviews.selectors``)."""

    class Source(models.TextChoices):
        DECLARED = "declared", "Declared by the reviewer"
        APPLICANT = "applicant", "Named by the applicant"
        DETECTED = "detected", "Detected automatically"
        STAFF = "staff", "Set by staff"

    class Kind(models.TextChoices):
        PI = "pi", "Reviewer is the PI"
        TEAM_MEMBER = "team_member", "Reviewer is on the team"
        SAME_INSTITUTION = "same_institution", "Same institution"
        COLLABORATOR = "collaborator", "Collaborator"
        APPLICANT_EXCLUSION = "applicant_exclusion", "Excluded by the applicant"
        PERSONAL = "personal", "Personal or financial interest"
        OTHER = "other", "Other"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts")
    source = models.CharField(max_length=10, choices=Source.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(help_text="The evidence or the reason given.", max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted = models.BooleanField(default=False)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_reason = models.TextField(blank=True, max_length=2000)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "reviewer", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer", "kind"], name="one_conflict_per_kind"),
        ]
        indexes = [models.Index(fields=["reviewer", "lifted"])]

    def __str__(self) -> str:
        return f"{self.reviewer} / {self.application}: {self.get_kind_display()}"


class Bid(models.Model):
    class Value(models.TextChoices):
        EAGER = "eager", "Eager"
        WILLING = "willing", "Willing"
        NEUTRAL = "neutral", "Neutral"
        NOT_WILLING = "not_willing", "Not willing"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="bids")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bids")
    value = models.CharField(max_length=12, choices=Value.choices, default=Value.NEUTRAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="one_bid_per_pair")]

    def __str__(self) -> str:
        return f"{self.reviewer} bids {self.value} on {self.application}"


class AssignmentRun(models.Model):
    """One run of the optimiser for a call: a proposal that staff or the chair edit, then publish."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PROPOSED = "proposed", "Proposal ready"
        FAILED = "failed", "Failed"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="assignment_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    fairness = models.BooleanField(
        default=False, help_text="Raise the worst-served application's affinity first."
    )
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    total_affinity = models.FloatField(null=True, blank=True)
    worst_affinity = models.FloatField(null=True, blank=True)
    worst_application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fairness_cost = models.FloatField(null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    review_due_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Assignment run #{self.pk} for {self.call} ({self.get_status_display()})"


class Affinity(models.Model):
    """How well a reviewer fits an application, with its components, so the portal can say why."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="affinities")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.FloatField(help_text="TF-IDF cosine similarity of the texts, 0 to 1.")
    focus = models.FloatField(help_text="Share of the application's focus areas the reviewer covers, 0 to 1.")
    bid = models.FloatField(help_text="The bid's contribution, 0 to 1 (neutral 0.5).")
    total = models.FloatField()
    terms = models.CharField(max_length=300, blank=True, help_text="The shared terms that weigh most.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "application", "reviewer"], name="one_affinity_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} / {self.application_id}: {self.total:.3f}"


class Assignment(models.Model):
    """A reviewer assigned to an application: proposed by a run or added by hand, then published."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual"

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        PUBLISHED = "published", "Published"
        DECLINED = "declined", "Declined by the reviewer"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="assignments")
    run = models.ForeignKey(
        AssignmentRun, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.AUTOMATIC)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    pinned = models.BooleanField(default=False, help_text="Keep this pair when the optimiser runs again.")
    affinity = models.FloatField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "application", "reviewer"], name="one_assignment_per_pair_run"
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "state"]), models.Index(fields=["call", "state"])]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application} ({self.get_state_display()})"


class ForbiddenPair(models.Model):
    """A pair the chair or staff rule out for a call's assignment (not a conflict: no evidence needed)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="forbidden_pairs")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "application", "reviewer"], name="one_forbidden_pair"),
        ]

    def __str__(self) -> str:
        return f"Forbidden: {self.reviewer_id} / {self.application_id}"
