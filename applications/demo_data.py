"""The fixed data of the demo world (``manage.py demo``): funders, programs, institutions, people
and call texts, modelled on the International Progressive MS Alliance.

The people are fictional. The funders are the Alliance's member societies, but their org-ids
below are illustrative placeholders, not the societies' real registrations. ROR ids are real
and checked against ROR's checksum; an institution whose id we are not sure of has none.
"""

from datetime import date
from decimal import Decimal

PASSWORD = "granted-demo-2026"  # noqa: S105 - a published demo password, shown by the command
URL = "http://127.0.0.1:8000/"

# short name, name, country, website, org-id (illustrative)
FUNDERS = [
    ("MS Society", "MS Society (UK)", "GB", "https://www.mssociety.org.uk/", "GB-CHC-1000001"),
    ("NMSS", "National MS Society (USA)", "US", "https://www.nationalmssociety.org/", "US-EIN-00-0000001"),
    ("MS Canada", "MS Canada", "CA", "https://mscanada.ca/", "CA-CRA_ACR-000000001RR0001"),
    ("AISM", "Italian MS Society (AISM)", "IT", "https://www.aism.it/", "IT-CF-00000000001"),
    ("MS Australia", "MS Australia", "AU", "https://www.msaustralia.org.au/", "AU-ABN-00000000001"),
    (
        "Stichting MS Research",
        "Dutch MS Research Foundation (Stichting MS Research)",
        "NL",
        "https://msresearch.nl/",
        "NL-KVK-00000001",
    ),
]

# code, name, description
PROGRAMS = [
    (
        "CA",
        "Challenge Awards",
        "Two-year awards for innovative, high-risk projects that tackle a key obstacle to treatments "
        "for progressive MS.",
    ),
    (
        "PG",
        "Planning Grants",
        "One-year grants to form multidisciplinary teams and plan a Collaborative Network Award.",
    ),
    (
        "CNA",
        "Collaborative Network Awards",
        "Four-year awards to international networks, open to holders of a Planning Grant (stage 2).",
    ),
]

# key, name, country, city, ROR id ("" when not certain): 21 countries
INSTITUTIONS = [
    ("oxford", "University of Oxford", "GB", "Oxford", "052gg0110"),
    ("ucl", "University College London", "GB", "London", "02jx3x895"),
    ("cambridge", "University of Cambridge", "GB", "Cambridge", "013meh722"),
    ("edinburgh", "University of Edinburgh", "GB", "Edinburgh", "01nrxwf90"),
    ("kcl", "King's College London", "GB", "London", "0220mzb33"),
    ("jhu", "Johns Hopkins University", "US", "Baltimore", "00za53h95"),
    ("ucsf", "University of California, San Francisco", "US", "San Francisco", "043mz5j54"),
    ("cleveland", "Cleveland Clinic", "US", "Cleveland", "03xjacd83"),
    ("stanford", "Stanford University", "US", "Stanford", "00f54p054"),
    ("toronto", "University of Toronto", "CA", "Toronto", "03dbr7087"),
    ("mcgill", "McGill University", "CA", "Montreal", "01pxwe438"),
    ("ubc", "University of British Columbia", "CA", "Vancouver", "03rmrcq20"),
    ("calgary", "University of Calgary", "CA", "Calgary", "03yjb2x39"),
    ("sanraffaele", "Vita-Salute San Raffaele University", "IT", "Milan", "01gmqr298"),
    ("genoa", "University of Genoa", "IT", "Genoa", "0107c5v14"),
    ("milan", "University of Milan", "IT", "Milan", "00wjc7c48"),
    ("melbourne", "University of Melbourne", "AU", "Melbourne", "01ej9dk98"),
    ("sydney", "University of Sydney", "AU", "Sydney", "0384j8v12"),
    ("monash", "Monash University", "AU", "Melbourne", "02bfwt286"),
    ("amsterdamumc", "Amsterdam UMC", "NL", "Amsterdam", "05grdyy37"),
    ("erasmus", "Erasmus MC", "NL", "Rotterdam", "018906e22"),
    ("radboud", "Radboud University", "NL", "Nijmegen", "016xsfp80"),
    ("charite", "Charité – Universitätsmedizin Berlin", "DE", "Berlin", "001w7jn25"),  # noqa: RUF001
    ("tum", "Technical University of Munich", "DE", "Munich", "02kkvpp62"),
    ("sorbonne", "Sorbonne University", "FR", "Paris", "02en5vm52"),
    ("kuleuven", "KU Leuven", "BE", "Leuven", "05f950310"),
    ("ghent", "Ghent University", "BE", "Ghent", "00cv9y106"),
    ("copenhagen", "University of Copenhagen", "DK", "Copenhagen", "035b05819"),
    ("karolinska", "Karolinska Institutet", "SE", "Stockholm", "056d84691"),
    ("bergen", "University of Bergen", "NO", "Bergen", "03zga2b32"),
    ("helsinki", "University of Helsinki", "FI", "Helsinki", "040af2s02"),
    ("basel", "University of Basel", "CH", "Basel", "02s6k3f65"),
    ("zurich", "University of Zurich", "CH", "Zurich", "02crff812"),
    ("barcelona", "University of Barcelona", "ES", "Barcelona", "021018s57"),
    ("tcd", "Trinity College Dublin", "IE", "Dublin", "02tyrky19"),
    ("meduniwien", "Medical University of Vienna", "AT", "Vienna", "05n3x4p02"),
    ("tokyo", "University of Tokyo", "JP", "Tokyo", "057zh3y96"),
    ("snu", "Seoul National University", "KR", "Seoul", "04h9pn542"),
    ("usp", "University of São Paulo", "BR", "São Paulo", "036rp1748"),
    ("unicamp", "State University of Campinas", "BR", "Campinas", "04wffgt70"),
    ("uba", "University of Buenos Aires", "AR", "Buenos Aires", "0081fs513"),
]

# Demo logins: role shown in the table, e-mail, full name, institution key ("" for none).
OFFICER = ("Program officer (staff, admin)", "officer@granted.demo", "Olivia Ward", "")
CHAIR = ("Committee chair", "chair@granted.demo", "Prof. Helena Marsh", "kcl")
MEMBERS = [
    ("Committee member", "member@granted.demo", "Dr Marco Bellini", "sanraffaele"),
    ("Committee member", "sofie.jansen@granted.demo", "Dr Sofie Jansen", "amsterdamumc"),
    ("Committee member", "daniel.okafor@granted.demo", "Prof. Daniel Okafor", "mcgill"),
    ("Committee member", "yuki.tanaka@granted.demo", "Dr Yuki Tanaka", "tokyo"),
    ("Committee member", "claire.dubois@granted.demo", "Prof. Claire Dubois", "sorbonne"),
    ("Committee member", "lars.eriksen@granted.demo", "Dr Lars Eriksen", "karolinska"),
    ("Committee member", "ana.ribeiro@granted.demo", "Dr Ana Ribeiro", "usp"),
]
APPLICANT = ("Applicant (researcher)", "applicant@granted.demo", "Dr Rhona Campbell", "edinburgh")

# Committees: call slug -> member e-mails (the chair sits on each).
COMMITTEES = {
    "challenge-awards-2026": [
        "member@granted.demo",
        "sofie.jansen@granted.demo",
        "daniel.okafor@granted.demo",
        "yuki.tanaka@granted.demo",
    ],
    "planning-grants-2025": [
        "member@granted.demo",
        "claire.dubois@granted.demo",
        "lars.eriksen@granted.demo",
        "ana.ribeiro@granted.demo",
    ],
}

# Fixed rates to EUR for each call (1 unit of the currency in EUR).
RATES = {
    "challenge-awards-2027": {"EUR": Decimal("1"), "USD": Decimal("0.925"), "GBP": Decimal("1.175")},
    "challenge-awards-2026": {"EUR": Decimal("1"), "USD": Decimal("0.93"), "GBP": Decimal("1.16")},
    "planning-grants-2025": {"EUR": Decimal("1"), "USD": Decimal("0.92"), "GBP": Decimal("1.18")},
}
# call slug -> [(funder short name, currency, amount)]; amount None: whatever brings the
# commitments to the call's budget exactly (in the call's currency).
COMMITMENTS = {
    "challenge-awards-2027": [
        ("NMSS", "USD", Decimal("1600000")),
        ("MS Society", "GBP", Decimal("800000")),
        ("MS Canada", "USD", Decimal("1000000")),
        ("MS Australia", "USD", Decimal("400000")),
        ("Stichting MS Research", "EUR", Decimal("600000")),
        ("AISM", "EUR", None),
    ],
    "challenge-awards-2026": [
        ("NMSS", "USD", Decimal("1500000")),
        ("MS Society", "GBP", Decimal("850000")),
        ("MS Canada", "USD", Decimal("1000000")),
        ("MS Australia", "USD", Decimal("300000")),
        ("Stichting MS Research", "EUR", Decimal("650000")),
        ("AISM", "EUR", None),
    ],
    "planning-grants-2025": [
        ("NMSS", "USD", Decimal("400000")),
        ("MS Society", "GBP", Decimal("200000")),
        ("MS Canada", "USD", Decimal("250000")),
        ("AISM", "EUR", None),
    ],
}

CHALLENGE_SUMMARY = (
    "Two-year awards of up to EUR 250,000 for innovative projects that remove a key obstacle to "
    "treatments for people living with progressive MS."
)

CHALLENGE_DESCRIPTION = """\
More than a million people worldwide live with progressive multiple sclerosis, and for most of \
them there is still no treatment that stops their disability from getting worse. The \
International Progressive MS Alliance brings together MS societies, researchers, industry and \
people affected by MS to speed up the development of treatments for progressive MS and of \
better ways to manage its symptoms.

Challenge Awards fund bold, innovative projects that address a specific obstacle on the path to \
new treatments. Each award provides up to EUR 250,000 over two years. We welcome projects from \
early-career and established researchers alike, from any country, and we encourage new \
collaborations across disciplines: neuroscience, immunology, imaging, rehabilitation, data \
science and clinical research.

Applications must fall within one or more of the Alliance's focus areas: new therapeutic targets \
and the repurposing of existing drugs; experimental models that reproduce the mechanisms of \
progressive MS; strategies for phase II clinical trials; outcome measures and trial design, \
including clinical, imaging and fluid biomarkers such as MRI measures and neurofilament light \
chain; and symptom management and rehabilitation, for example fatigue, pain, cognition and \
mobility. Projects on remyelination, neuroprotection, the role of microglia and chronic \
active lesions, and the smouldering disease that drives progression independent of relapses are \
particularly welcome.

Every application is assessed by international scientific reviewers and by lay reviewers who \
live with MS or care for someone who does. Lay reviewers judge how relevant the project is to \
people affected by progressive MS, so please write the lay summary for a non-specialist reader \
and explain what difference the results could make to their lives.

Applications are submitted through this portal before the closing time shown on this page \
(UK time). Late applications cannot be accepted. The steering committee ranks the applications \
after review and expects to announce its decisions about four months after the call closes.
"""

PLANNING_SUMMARY = (
    "One-year grants of up to EUR 100,000 to build multidisciplinary, international teams and plan a "
    "Collaborative Network Award."
)

PLANNING_DESCRIPTION = """\
Planning Grants are the first stage of the Alliance's two-stage Collaborative Network Awards. \
They give teams one year and up to EUR 100,000 to come together, agree a shared research plan \
and gather the pilot data that a large network award needs.

A successful team brings together complementary expertise from several institutions and \
countries, for example basic scientists studying mechanisms of neurodegeneration, clinicians \
running trials in progressive MS, imaging and biomarker specialists, statisticians and people \
with lived experience of MS. The planning year may fund workshops, pilot experiments, data \
harmonisation, patient and public involvement activities and project management.

The research proposed must aim at treatments for progressive MS: identifying and validating \
targets, repurposing approved drugs, developing biomarkers and outcome measures that make \
phase II trials smaller and faster, or testing rehabilitation and symptom management \
approaches. Holders of a Planning Grant, and only they, may apply to the Collaborative Network \
Awards call that follows.

Applications are reviewed by an international panel of scientific and lay reviewers. The \
steering committee looks for scientific excellence, the strength of the team and its plan to \
work together, and the relevance of the work to people living with progressive MS.
"""

NETWORK_SUMMARY = (
    "Stage 2: four-year awards of up to EUR 4.2 million to international networks. Open only to holders "
    "of a Planning Grant from the 2025 call."
)

NETWORK_DESCRIPTION = """\
Collaborative Network Awards support international, multidisciplinary networks that can make a \
decisive step towards treatments for progressive MS within four years. Each award provides up \
to EUR 4.2 million. This is the second stage of a two-stage scheme: only teams that hold a \
Planning Grant from the Planning Grants 2025 call may apply.

Networks are expected to build on the plan and pilot data of their planning year. Strong \
proposals connect discovery and translation, for example by taking a repurposed drug or a new \
neuroprotective or remyelinating target from experimental models into a phase II-ready trial \
design, or by validating imaging and fluid biomarkers of progression, such as slowly expanding \
lesions, paramagnetic rim lesions and serum neurofilament light chain, as outcome measures.

Each network names a lead applicant and co-investigators in at least three countries, a \
governance structure, and a plan for involving people affected by MS throughout the project. \
Data and materials generated by the network are to be shared with the research community.

Applications are reviewed by international scientific reviewers and lay reviewers, followed by \
interviews with the shortlisted networks and a final decision by the steering committee.
"""

# Opening and closing days: a date, or a number of days from today (opens 09:00, closes 17:00,
# Europe/London). ``status`` is where the demo leaves the call.
CALLS = [
    {
        "slug": "challenge-awards-2027",
        "program": "CA",
        "title": "Challenge Awards 2027",
        "status": "open",
        "opens": -21,
        "closes": 42,
        "budget": Decimal("5500000"),
        "max_request": Decimal("250000"),
        "summary": CHALLENGE_SUMMARY,
        "description": CHALLENGE_DESCRIPTION,
    },
    {
        "slug": "challenge-awards-2026",
        "program": "CA",
        "title": "Challenge Awards 2026",
        "status": "in_review",
        "opens": date(2026, 6, 1),
        "closes": date(2026, 9, 15),
        "budget": Decimal("5500000"),
        "max_request": Decimal("250000"),
        "summary": CHALLENGE_SUMMARY,
        "description": CHALLENGE_DESCRIPTION,
    },
    {
        "slug": "planning-grants-2025",
        "program": "PG",
        "title": "Planning Grants 2025",
        "status": "decided",
        "opens": date(2025, 2, 3),
        "closes": date(2025, 4, 30),
        "budget": Decimal("1200000"),
        "max_request": Decimal("100000"),
        "summary": PLANNING_SUMMARY,
        "description": PLANNING_DESCRIPTION,
    },
    {
        "slug": "collaborative-network-awards-2026",
        "program": "CNA",
        "title": "Collaborative Network Awards 2026",
        "status": "draft",
        "opens": 21,
        "closes": 105,
        "budget": Decimal("12600000"),
        "max_request": Decimal("4200000"),
        "summary": NETWORK_SUMMARY,
        "description": NETWORK_DESCRIPTION,
        "prerequisite": "planning-grants-2025",
        "scheduled": True,
    },
]
