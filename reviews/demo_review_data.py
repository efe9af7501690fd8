"""Texts and numbers of the demo's reviews and panel meeting (``reviews.demo_reviews``).

Review texts come in three bands of the review's own (hidden) judgement: ``strong``, ``middle`` and
``weak``; scientific and lay reviewers write differently. Two sentences are drawn for each field.
"""

SEED = 2026
HARSH = 4  # reviewers who mark clearly low (latent bias below the others)
LENIENT = 4  # and clearly high
DRAFTS = 10  # reviews saved as drafts, the demo reviewer's one among them
NOT_STARTED = 10  # published assignments with no review yet, the demo reviewer's one among them
LOGIN_DRAFTS = 1  # of the demo reviewer's own assignments: left as a draft …
LOGIN_NOT_STARTED = 1  # … and not started
PULLED_BACK = 2  # items below the triage line pulled back into discussion by the chair
MEETING_ITEMS = 8  # items the panel has discussed and scored; the next one is current
NOT_APPLICABLE_RATE = 0.06  # on criteria that allow "not applicable"
LEANING_Z = 0.75  # |mean z against co-reviewers| from which a reviewer is called harsh or lenient

STRENGTHS = {
    "scientific": {
        "strong": [
            "The question addresses a clear gap in treating progressive MS and the rationale is compelling.",
            "Preliminary data are convincing and directly support the central hypothesis.",
            "The team combines the clinical and laboratory expertise the aims need.",
            "The design is rigorous: randomisation, blinding and a pre-registered analysis plan.",
            "The sample size calculation is explicit and realistic for the primary outcome.",
        ],
        "middle": [
            "The topic is relevant to progressive MS and the aims are clearly stated.",
            "The applicants have a good publication record in the area.",
            "Access to an established cohort is a real asset.",
            "The methods are mostly appropriate for the questions asked.",
        ],
        "weak": [
            "The topic is of some interest to the field.",
            "The applicants are enthusiastic and the budget is modest.",
            "Some of the techniques are well established in the host laboratory.",
        ],
    },
    "lay": {
        "strong": [
            "This tackles something people with progressive MS talk about every day.",
            "People with MS helped shape the questions and will sit on the steering group.",
            "The outcomes - walking, fatigue, being able to work - are the ones that matter to us.",
            "The plan to share results in plain language with MS societies is excellent.",
        ],
        "middle": [
            "The subject matters to people with MS, though the benefit is some years away.",
            "There is some involvement of people with MS in the project.",
            "The summary is written clearly enough for a non-scientist to follow.",
        ],
        "weak": [
            "The general area is relevant to MS.",
            "The lay summary explains what the team wants to do.",
        ],
    },
}

WEAKNESSES = {
    "scientific": {
        "strong": [
            "Minor: the timeline for the second aim looks tight.",
            "The dissemination plan could say more about data sharing.",
            "Attrition in the follow-up cohort deserves a sensitivity analysis.",
        ],
        "middle": [
            "The power calculation rests on an optimistic effect size.",
            "The link between the two aims is not fully argued.",
            "Alternative explanations of the preliminary findings are not discussed.",
            "Recruitment targets seem ambitious for the sites listed.",
        ],
        "weak": [
            "The central hypothesis is not clearly testable as written.",
            "Key controls are missing from the experimental design.",
            "Preliminary data are thin and partly contradict the rationale.",
            "The budget does not match the work proposed.",
            "Feasibility within the award period is doubtful.",
        ],
    },
    "lay": {
        "strong": [
            "It would help to say how participants will hear about the results.",
            "Travel to study visits could be hard for people with limited mobility.",
        ],
        "middle": [
            "It is not clear how people with MS were involved in planning this.",
            "The number of hospital visits may put people off taking part.",
            "The outcomes are mostly lab measures rather than how people feel or manage.",
        ],
        "weak": [
            "I could not see how this would help people with MS in the foreseeable future.",
            "There is no involvement of people with MS that I could find.",
            "The burden on participants (visits, scans, tests) seems very high.",
        ],
    },
}

COMMENTS_TO_APPLICANT = {
    "strong": [
        "A well-argued application; congratulations to the team.",
        "Please consider adding a sensitivity analysis for drop-out.",
        "We would encourage early engagement with the MS community on dissemination.",
    ],
    "middle": [
        "The application would be stronger with a clearer justification of the sample size.",
        "Consider tightening the link between the aims.",
        "Please explain how people with MS will be involved throughout.",
    ],
    "weak": [
        "We encourage the team to develop more preliminary data before resubmitting.",
        "The hypothesis needs sharpening and the design key controls.",
        "Please revisit the budget so that it matches the work proposed.",
    ],
}

CONFIDENTIAL = {
    "strong": [
        "One of the best applications in my set; I would fund it.",
        "Strong team; my concerns are minor.",
    ],
    "middle": [
        "Fundable if the budget allows, but not a priority.",
        "Solid but incremental; I could be persuaded either way.",
    ],
    "weak": [
        "I do not think this is ready for funding.",
        "Serious doubts about feasibility; happy to discuss at the panel.",
    ],
}

DRAFT_NOTE = "Notes so far - to finish before the deadline."

PULL_BACK_REASON = (
    "The reviewers disagree (totals from {low:.0f} to {high:.0f}); the panel should hear both sides."
)

# The chair's notes on a discussed item: an opening, a point from the discussion and an outcome.
NOTES_OPENING = [
    "Primary reviewer summarised; the preliminary score was {prelim:.0f}/100 from {count} reviews.",
    "Discussion opened by the primary reviewer (preliminary {prelim:.0f}/100, {count} reviews).",
]
NOTES_POINT = [
    "The panel agreed the question matters to people with progressive MS.",
    "Most of the discussion was about feasibility of recruitment in the time available.",
    "The lay reviewer's point on participant burden was taken up by several members.",
    "Members differed on the strength of the preliminary data.",
    "The panel noted the team's strong track record in the area.",
    "The budget was considered generous for the work proposed.",
]
NOTES_OUTCOME = {
    "strong": "Consensus: a strong application; final scores close together.",
    "middle": "Scores spread after discussion; see the final scores.",
    "weak": "The panel was not persuaded; final scores below the preliminary ranking.",
}
