"""Serializers of the awards API: decisions with their funder split, the funding scenario, awards,
letters and letter batches. The views are in ``awards.api_decisions``, ``awards.api_awards`` and
``awards.api_letters``; the rules live in ``awards.services`` and ``awards.permissions``.

Enumerations are named components (``choice``): the fields are all called ``status``, ``kind`` or
``outcome``, and the schema's automatic names would collide with each other and the other apps'.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from awards.models import Award, Decision, Letter

MONEY = {"max_digits": 14, "decimal_places": 2}


_CHOICE_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def choice(name: str, choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose values are documented once, as the schema component ``name``."""
    if name not in _CHOICE_FIELDS:
        values = [value for value, _ in choices] + ([""] if kwargs.get("allow_blank") else [])
        description = "\n".join(f"* `{value}` - {label}" for value, label in choices)
        schema = {"type": "string", "enum": values, "description": description}
        _CHOICE_FIELDS[name] = extend_schema_field(schema, component_name=name)(
            type(name, (serializers.ChoiceField,), {})
        )
    return _CHOICE_FIELDS[name](choices=choices, **kwargs)


class ShareSerializer(serializers.Serializer):
    funder = serializers.IntegerField(source="funder_id", help_text="The funder's id.")
    name = serializers.SerializerMethodField()
    amount = serializers.DecimalField(**MONEY)

    def get_name(self, share) -> str:
        return share.funder.short_name or share.funder.name


class ShareInputSerializer(serializers.Serializer):
    funder = serializers.IntegerField(help_text="The id of a funder committed to the call.")
    amount = serializers.DecimalField(**MONEY, min_value=0)


class DecisionSerializer(serializers.Serializer):
    """A decision as the committee sees it: ``outcome`` is the pending (or applied) one,
    ``published_outcome`` what the applicant has been told."""

    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    outcome = choice("DecisionOutcomeEnum", Decision.Outcome.choices)
    status = choice("DecisionStatusEnum", Decision.Status.choices)
    published_outcome = choice("PublishedOutcomeEnum", Decision.Outcome.choices, allow_blank=True)
    amount = serializers.DecimalField(**MONEY, allow_null=True, help_text="In the call's currency.")
    conditions = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    duration_months = serializers.IntegerField(allow_null=True)
    discussion_summary = serializers.CharField()
    shares = ShareSerializer(many=True)
    updated_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True)


class DecisionInputSerializer(serializers.Serializer):
    """Without ``amount`` a fund decision approves the amount requested; without ``shares`` the amount
    is split in proportion to the funders' commitments. ``discussion_summary`` left out keeps the
    summary recorded before."""

    outcome = choice("DecisionOutcomeEnum", Decision.Outcome.choices)
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True)
    conditions = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    start_date = serializers.DateField(required=False, allow_null=True)
    duration_months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=120)
    discussion_summary = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10000
    )
    shares = ShareInputSerializer(many=True, required=False, allow_null=True)

    def validate_shares(self, shares):
        if shares is None:
            return None
        funders = [share["funder"] for share in shares]
        if len(set(funders)) != len(funders):
            raise serializers.ValidationError("Name each funder once.")
        return {share["funder"]: share["amount"] for share in shares}


class FundTopSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=10000)


class DecideRestSerializer(serializers.Serializer):
    outcome = choice(
        "DecideRestOutcomeEnum", [(o, o.label) for o in (Decision.Outcome.DECLINE, Decision.Outcome.WAITLIST)]
    )


class FunderTotalSerializer(serializers.Serializer):
    funder = serializers.IntegerField(source="funder_id")
    name = serializers.CharField()
    commitment = serializers.DecimalField(**MONEY, help_text="In the call's currency, at the call's rate.")
    commitment_amount = serializers.DecimalField(**MONEY, help_text="In the funder's own currency.")
    commitment_currency = serializers.CharField()
    allocated = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)


class TotalsSerializer(serializers.Serializer):
    """What the call's fund decisions hold, counting those the viewer cannot see (without naming them)."""

    budget = serializers.DecimalField(**MONEY)
    allocated = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    funders = FunderTotalSerializer(many=True)


class FundingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(source="ranking.rank", help_text="Among the rows the viewer sees.")
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    title = serializers.CharField(source="application.title")
    normalised_mean = serializers.FloatField(source="ranking.normalised_mean", allow_null=True)
    discussed = serializers.BooleanField(source="ranking.discussed")
    requested = serializers.DecimalField(**MONEY, allow_null=True)
    decision = DecisionSerializer(allow_null=True)


class FundingSheetSerializer(serializers.Serializer):
    call = serializers.IntegerField(source="call.pk")
    currency = serializers.CharField(source="call.currency")
    totals = TotalsSerializer()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Outcome → rows (seen).")
    pending = serializers.IntegerField(help_text="Decisions of the whole call waiting to be applied.")
    undecided = serializers.IntegerField(help_text="Rows without a decision.")
    rows = FundingRowSerializer(many=True, help_text="In rank order; conflicted items are left out.")


class DecisionsChangedSerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True, help_text="The decisions this action set.")
    totals = TotalsSerializer()


class AppliedSerializer(serializers.Serializer):
    batch = serializers.IntegerField(help_text="The letter batch the applied decisions queued.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Outcome → decisions applied.")
    letters = serializers.IntegerField(help_text="Letters queued.")


class LetterSerializer(serializers.ModelSerializer):
    kind = choice("LetterKindEnum", Letter.Kind.choices)
    status = choice("LetterStatusEnum", Letter.Status.choices)
    application = serializers.IntegerField(source="decision.application_id")
    reference = serializers.CharField(source="decision.application.reference")
    filename = serializers.CharField(help_text="The name the PDF downloads under.")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "application",
            "reference",
            "kind",
            "version",
            "status",
            "filename",
            "sha256",
            "size",
            "pages",
            "created_at",
            "rendered_at",
            "download_url",
        ]

    def get_download_url(self, letter: Letter) -> str | None:
        return f"/api/v1/letters/{letter.pk}/download/" if letter.status == Letter.Status.DONE else None


class AwardSerializer(serializers.ModelSerializer):
    status = choice("AwardStatusEnum", Award.Status.choices)
    application = serializers.IntegerField(source="application_id")
    application_reference = serializers.CharField(source="application.reference")
    title = serializers.CharField(source="application.title")
    call = serializers.IntegerField(source="application.call_id")
    pi = serializers.CharField(source="application.pi.full_name")
    shares = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "id",
            "reference",
            "application",
            "application_reference",
            "title",
            "call",
            "pi",
            "amount",
            "currency",
            "status",
            "start_date",
            "duration_months",
            "conditions",
            "shares",
            "responded_at",
            "response_note",
            "created_at",
        ]

    @extend_schema_field(ShareSerializer(many=True))
    def get_shares(self, award: Award) -> list:
        shares = award.decision.shares.all() if award.decision_id else []
        return ShareSerializer([s for s in shares if s.amount], many=True).data


class AwardDetailSerializer(AwardSerializer):
    letters = serializers.SerializerMethodField()

    class Meta(AwardSerializer.Meta):
        fields = [*AwardSerializer.Meta.fields, "letters"]

    @extend_schema_field(LetterSerializer(many=True))
    def get_letters(self, award: Award) -> list:
        """The current letters the caller may download (``context["letters"]``)."""
        return LetterSerializer(self.context.get("letters", []), many=True).data


class RespondSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BatchSerializer(serializers.Serializer):
    """A letter batch's progress: how many of its letters are rendered, waiting or failed."""

    id = serializers.IntegerField()
    call = serializers.IntegerField()
    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Letters rendered, in percent (100 for an empty batch).")
    finished = serializers.BooleanField(help_text="No letter is pending any more.")
