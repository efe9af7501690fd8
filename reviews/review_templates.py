"""The review forms we ship, as data, and the function that builds a call's form from one.

- ``nih``: NIH's simplified peer review framework (2025). Importance of the research and rigour and
  feasibility are scored 1-9, 1 best. Expertise and resources are *judged*, appropriate or gaps
  identified, and NIH gives them no number: here they are a required 0-1 criterion (1 appropriate)
  recorded on every review but left out of the weighted total (``counts_toward_total=False``);
  reviewers weigh gaps into their overall impact score, as NIH asks.
- ``lay``: a lay form in the spirit of PCORI's patient-centred merit criteria, in plain language.
- ``charity``: a plain 1-5 form.
"""

from decimal import Decimal

from reviews.models import Criterion, ReviewForm

LOWER = Criterion.Direction.LOWER_IS_BETTER
HIGHER = Criterion.Direction.HIGHER_IS_BETTER
SCIENTIFIC, LAY, BOTH = Criterion.ScoredBy.SCIENTIFIC, Criterion.ScoredBy.LAY, Criterion.ScoredBy.BOTH

NIH_ANCHORS = {
    "1": "Exceptional",
    "2": "Outstanding",
    "3": "Excellent",
    "4": "Very good",
    "5": "Good",
    "6": "Satisfactory",
    "7": "Fair",
    "8": "Marginal",
    "9": "Poor",
}
LAY_ANCHORS = {"1": "Not at all", "2": "A little", "3": "Somewhat", "4": "Quite a lot", "5": "Very much"}
CHARITY_ANCHORS = {"1": "Poor", "2": "Fair", "3": "Good", "4": "Very good", "5": "Excellent"}


def _nih(key, label, guidance):
    return {
        "key": key,
        "label": label,
        "guidance": guidance,
        "scale_min": 1,
        "scale_max": 9,
        "anchors": NIH_ANCHORS,
        "direction": LOWER,
        "scored_by": SCIENTIFIC,
    }


def _five(key, label, guidance, anchors, scored_by=BOTH):
    return {
        "key": key,
        "label": label,
        "guidance": guidance,
        "scale_min": 1,
        "scale_max": 5,
        "anchors": anchors,
        "direction": HIGHER,
        "scored_by": scored_by,
    }


TEMPLATES: dict[str, dict] = {
    "nih": {
        "name": "NIH simplified framework",
        "overall": {
            "label": "Overall impact",
            "min": 1,
            "max": 9,
            "direction": LOWER,
            "anchors": NIH_ANCHORS,
            "guidance": "Your judgement of the likelihood that the project will have a sustained, "
            "powerful influence on the field, taking all factors into account. 1 is best.",
        },
        "criteria": [
            _nih(
                "importance",
                "Importance of the research",
                "Significance and innovation: does the project address an important gap, and is the "
                "approach new? 1 (exceptional) is best, 9 (poor) worst.",
            ),
            _nih(
                "rigor_feasibility",
                "Rigour and feasibility",
                "Is the design rigorous and reproducible, and can the work be done as planned? "
                "1 (exceptional) is best, 9 (poor) worst.",
            ),
            {
                "key": "expertise_resources",
                "label": "Expertise and resources",
                "scale_min": 0,
                "scale_max": 1,
                "anchors": {"0": "Gaps identified", "1": "Appropriate"},
                "direction": HIGHER,
                "scored_by": SCIENTIFIC,
                "counts_toward_total": False,
                "guidance": "Are the team's expertise and the resources appropriate for the work? Not scored "
                "and not part of the total: weigh any gaps into your overall impact score.",
            },
        ],
    },
    "lay": {
        "name": "Lay review (people affected by MS)",
        "overall": {
            "label": "Overall, should we fund this?",
            "min": 1,
            "max": 5,
            "direction": HIGHER,
            "anchors": LAY_ANCHORS,
            "guidance": "Your overall view as someone affected by MS.",
        },
        "criteria": [
            _five(
                "relevance",
                "Relevance to people living with MS",
                "Would the results matter to people living with MS, their families or carers? "
                "Think about the questions you or people you know most want answered.",
                LAY_ANCHORS,
                LAY,
            ),
            _five(
                "patient_centredness",
                "Patient-centredness",
                "Does the project look at outcomes people with MS care about, such as fatigue, walking, "
                "work or quality of life, and not only what is easy to measure?",
                LAY_ANCHORS,
                LAY,
            ),
            _five(
                "engagement",
                "Involvement of people with MS",
                "Are people with MS involved in planning and running the project, and will the "
                "results be shared with them in plain language?",
                LAY_ANCHORS,
                LAY,
            ),
        ],
    },
    "charity": {
        "name": "Charity review (1-5)",
        "overall": {
            "label": "Overall score",
            "min": 1,
            "max": 5,
            "direction": HIGHER,
            "anchors": CHARITY_ANCHORS,
            "guidance": "Your overall recommendation, 5 best.",
        },
        "criteria": [
            _five(
                "importance",
                "Importance",
                "How important is the question for MS research and care?",
                CHARITY_ANCHORS,
            ),
            _five(
                "quality", "Scientific quality", "Is the design sound and the plan clear?", CHARITY_ANCHORS
            ),
            _five(
                "feasibility", "Feasibility", "Can the team do this in the time and budget?", CHARITY_ANCHORS
            ),
            _five(
                "value_for_money",
                "Value for money",
                "Is the budget justified for what it delivers?",
                CHARITY_ANCHORS,
            ),
        ],
    },
}


def build_form(*, call, template: str, audience: str) -> ReviewForm:
    """Create ``call``'s form for ``audience`` from a shipped template (no permission check: the
    service ``apply_form_template`` owns that). Every criterion has weight 1 and is required."""
    spec = TEMPLATES[template]
    overall = spec["overall"]
    form = ReviewForm.objects.create(
        call=call,
        audience=audience,
        name=spec["name"],
        template=template,
        overall_label=overall["label"],
        overall_guidance=overall["guidance"],
        overall_min=overall["min"],
        overall_max=overall["max"],
        overall_direction=overall["direction"],
        overall_anchors=overall["anchors"],
    )
    Criterion.objects.bulk_create(
        Criterion(form=form, position=i, weight=Decimal("1"), required=True, **fields)
        for i, fields in enumerate(spec["criteria"])
    )
    return form
