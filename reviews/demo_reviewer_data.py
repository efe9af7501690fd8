"""Data of the demo's reviewer pool (``manage.py demo``): the demo reviewer logins, the plan of the
pool, and the pieces the lay reviewers' plain-language statements are written from.

The scientific reviewers' statements are written from the same topic vocabularies as the
applications (``applications.demo_topics*``), so that TF-IDF affinity between them means something;
see ``reviews.demo_reviewers``. Everyone here is fictional.
"""

# Demo logins, like ``applications.demo_data``: role shown in the table, e-mail, full name,
# institution key ("" for none).
REVIEWER = ("Reviewer (scientific)", "reviewer@granted.demo", "Dr Priya Raman", "ucl")
LAY_REVIEWER = ("Lay reviewer (lives with MS)", "lay.reviewer@granted.demo", "Fiona Gallagher", "")
REVIEWER_LOGINS = [REVIEWER, LAY_REVIEWER]
REVIEWER_TOPIC = "remyelination"  # the demo reviewer's field: a popular topic, so they get work

SEED = 2026 + 10
SCIENTIFIC_PER_TOPIC = 4  # 10 topics: 40 scientific reviewers, the demo reviewer among them
LAY_COUNT = 20  # the demo lay reviewer among them: a third of the pool
SCIENTIFIC_LOADS = [9, 10, 10, 11, 12, 12, 13, 14]  # default loads, drawn per reviewer
LAY_LOADS = [10, 11, 12, 12, 13, 14]
SAME_INSTITUTION_AS_A_PI = 10  # scientific reviewers placed at a PI's institution on their own topic
COLLABORATORS = 4  # scientific reviewers who list a PI of their topic as a collaborator
LOWER_LOADS = 6  # reviewers who accept with a lower load for this call
REVIEW_DUE_DAYS = 21
DEMO_REVIEWER_BIDS = 4  # eager bids of the demo reviewer on applications of their topic

# Lay reviewers' e-mail domain (fictional, like every demo address).
LAY_DOMAIN = "lay.granted.demo"

# Declines: scientific and lay reasons, given in this order to the reviewers who decline.
SCIENTIFIC_DECLINES = [
    "I am on sabbatical until the spring and cannot take on reviews this round.",
    "I already review for two other funders this autumn; please ask me again next year.",
    "Too many of the applicants are close collaborators of my group this year.",
]
LAY_DECLINES = [
    "My health has not been good enough lately; I would be glad to be asked again next year.",
]

# Conflicts two reviewers declare themselves, once they have seen the applications.
DECLARED_REASONS = [
    ("personal", "The PI is a close personal friend; we are godparents to each other's children."),
    ("other", "I advised the applicants on an earlier version of this proposal for another funder."),
]

# Lay statements: who the reviewer is, what they care about, how they have been involved.
LAY_WHO = [
    "I was diagnosed with primary progressive MS {years} years ago and still work part time.",
    "I have lived with secondary progressive MS for {years} years; I now use a wheelchair outdoors.",
    "I care for my husband, who has had progressive MS for {years} years.",
    "I care for my mother, who was diagnosed with progressive MS {years} years ago.",
    "I have had MS for {years} years; it became progressive after a long relapsing phase.",
    "I live with progressive MS and gave up my job as a teacher {years} years ago because of it.",
    "My wife has primary progressive MS and I have been her carer for {years} years.",
    "I was diagnosed with MS {years} years ago and walk with a stick on most days.",
]
LAY_CARES = [
    "Fatigue is the symptom that shapes my day most: some days I plan everything around an hour of energy.",
    "Losing mobility bit by bit is what worries me most, so research on walking, balance and exercise "
    "matters a great deal to me.",
    "Caring is a full-time job on top of a paid one; research that helps people stay independent at "
    "home helps the whole family.",
    "Problems with memory and concentration are the hidden side of MS that people rarely see.",
    "Bladder problems, pain and poor sleep are everyday struggles that treatments rarely address.",
    "What I want most from research is a treatment that stops things getting worse, even if it cannot "
    "reverse them.",
    "Getting to a clinic is tiring and expensive; studies that can be done at home or online are far "
    "easier to take part in.",
    "Staying in work for as long as possible matters to me, for the money and for my sense of who I am.",
]
LAY_INVOLVEMENT = [
    "I have been a research network volunteer with my national MS society for {n} years.",
    "I have reviewed lay summaries for research funders and sat on a patient advisory panel for a trial.",
    "I took part in a rehabilitation trial and now help researchers plan how to recruit participants.",
    "I help run a local support group and hear every week what matters to people with progressive MS.",
    "I have joined several patient and public involvement groups and read research plans for clarity.",
    "I helped to write the plain-language information sheet for a clinical trial in progressive MS.",
]
LAY_CLOSING = [
    "I read every lay summary asking whether people like me would understand it and whether the work "
    "could make a difference to our lives.",
    "I look for research that is honest about what it can achieve and that involves people with MS "
    "from the start.",
    "I want to know how a study will treat its participants: the travel, the tests and the time it "
    "asks of them.",
]
LAY_KEYWORDS = [
    "lived experience",
    "fatigue",
    "mobility",
    "walking",
    "caring",
    "daily life",
    "quality of life",
    "taking part in research",
    "plain language",
    "independence",
    "work",
    "exercise",
    "memory and thinking",
    "sleep",
    "pain",
]
# The focus areas lay reviewers name: symptom management for most, trial strategies for some.
LAY_FOCUS = [
    ["symptom-management-and-rehabilitation"],
    ["symptom-management-and-rehabilitation"],
    ["symptom-management-and-rehabilitation", "phase-ii-trial-strategies"],
]
# Countries the lay reviewers come from (names from ``applications.demo_names``).
LAY_COUNTRIES = ["GB", "US", "CA", "IT", "NL", "AU", "DE", "FR", "ES", "SE", "IE", "DK", "BE", "CH"]
