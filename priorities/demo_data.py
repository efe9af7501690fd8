"""Data of the research-priorities demo (``priorities.demo``): the community login, the members, two
rounds and the questions people living with progressive MS ask, in their own words. Everyone here is
fictional; the questions are written after the themes of published priority-setting exercises
(James Lind Alliance, iConquerMS), not copied from them."""

from datetime import date

# Demo login, like ``applications.demo_data``: role shown in the table, e-mail, full name, institution key.
COMMUNITY_LOGIN = ("Community member (lives with MS)", "community@granted.demo", "Morag Lennox", "")
COMMUNITY_LOGINS = [COMMUNITY_LOGIN]
COMMUNITY_PUBLIC_NAME = "Morag"
COMMUNITY_DOMAIN = "community.granted.demo"
SEED = 2026 + 20

# The other members: (first name shown to others, surname, kind). About two in three live with MS.
MEMBERS = [
    ("Aileen", "Murray", "person_with_ms"),
    ("Bram", "de Vries", "person_with_ms"),
    ("Carla", "Bianchi", "carer"),
    ("Dermot", "Walsh", "person_with_ms"),
    ("Elin", "Lindqvist", "person_with_ms"),
    ("Farah", "Haddad", "carer"),
    ("Gustav", "Nilsen", "person_with_ms"),
    ("Hannah", "Keller", "person_with_ms"),
    ("Ines", "Moreau", "other"),
    ("Jonas", "Berg", "person_with_ms"),
    ("Kirsty", "Fraser", "person_with_ms"),
    ("Luca", "Romano", "carer"),
    ("Maeve", "O'Brien", "person_with_ms"),
    ("Niels", "Jensen", "person_with_ms"),
    ("Olga", "Petrova", "carer"),
    ("Pieter", "Claes", "person_with_ms"),
    ("Rosa", "Fernández", "person_with_ms"),
    ("Sam", "Taylor", "other"),
    ("Tove", "Hansen", "person_with_ms"),
    ("Ugo", "Ricci", "person_with_ms"),
    ("Vera", "Novak", "carer"),
    ("Wim", "Peeters", "person_with_ms"),
    ("Yasmin", "Khan", "person_with_ms"),
    ("Zoe", "Clarke", "person_with_ms"),
    ("Alan", "Brodie", "carer"),
    ("Bea", "Schmidt", "person_with_ms"),
    ("Colm", "Byrne", "person_with_ms"),
    ("Dora", "Kovács", "other"),
    ("Emil", "Strand", "person_with_ms"),
    ("Fenna", "Bakker", "person_with_ms"),
    ("Greta", "Weber", "carer"),
    ("Hugo", "Lambert", "person_with_ms"),
    ("Isla", "Grant", "person_with_ms"),
    ("Joe", "Mitchell", "carer"),
    ("Kaisa", "Virtanen", "person_with_ms"),
    ("Lars", "Eriksson", "person_with_ms"),
    ("Mila", "Horvat", "person_with_ms"),
    ("Noor", "Aziz", "other"),
    ("Owen", "Price", "person_with_ms"),
]

# The five focus areas, by slug.
T, M, P, OM, S = (
    "targets-and-repurposing",
    "experimental-models",
    "phase-ii-trial-strategies",
    "outcome-measures-and-trial-design",
    "symptom-management-and-rehabilitation",
)

CURRENT_ROUND = {
    "slug": "priorities-2026",
    "title": "Research priorities 2026",
    "description": (
        "Which unanswered questions about progressive MS matter most to you? In this round people "
        "living with MS and those who care for them suggested questions; now everyone who has joined "
        "can spread 10 votes over them, at most 3 on one question.\n\nWhen voting closes, a steering "
        "group of community members and researchers will choose the top ten. The Alliance uses the "
        "list when it plans its calls for research."
    ),
    "opens": -75,  # days from today
    "gathering_closes": -21,
    "voting_closes": 30,
}

PAST_ROUND = {
    "slug": "priorities-2024",
    "title": "Research priorities 2024",
    "description": (
        "The first round: 14 questions gathered from the community, voted on by members, and a top "
        "ten chosen at a workshop of community members and researchers in November 2024."
    ),
    "opens": date(2024, 3, 1),
    "gathering_closes": date(2024, 5, 31),
    "voting_closes": date(2024, 9, 30),
    "chosen_on": date(2024, 11, 15),
    "notes": (
        "Chosen at a one-day workshop in Milan: six members living with MS, two carers and four "
        "researchers. Questions 1 to 3 had a clear lead in the votes; the group moved a question on "
        "bladder problems up after hearing how much it limits daily life."
    ),
    # The calls for research that address each place of the final list (by place).
    "calls": {1: ["planning-grants-2025", "challenge-awards-2027"]},
}

# The current round's questions: (focus area, question, why it matters). Six per focus area.
QUESTIONS = [
    (
        T,
        "Could a medicine already used for another illness slow progressive MS?",
        "New medicines take decades. If an old one works, people like me could have it in a few years.",
    ),
    (
        T,
        "Can we find what drives damage in progressive MS that relapse medicines do not stop?",
        "My relapses stopped but I kept getting worse. Something else must be going on.",
    ),
    (
        T,
        "Would treating the gut help the brain in progressive MS?",
        "I keep reading about gut bacteria and the brain. Is there anything in it for us?",
    ),
    (
        T,
        "Can the nerve coating (myelin) be repaired in people who have had MS for many years?",
        "Most repair studies seem to be in early MS. Those of us who have had it for 20 years want hope too.",
    ),
    (
        T,
        "Could lowering cholesterol protect the brain in progressive MS?",
        "I heard a study on a cholesterol medicine and would like to know if it led anywhere.",
    ),
    (
        T,
        "Which vitamins or supplements really make a difference, and which are a waste of money?",
        "People spend a lot on supplements with no good evidence. We need clear answers.",
    ),
    (
        M,
        "Can brain cells grown from our own skin or blood show which treatment suits each of us?",
        "Everyone's MS is different. A test in a dish before trying a drug would spare us side effects.",
    ),
    (
        M,
        "Why do some people progress quickly and others slowly?",
        "My sister and I both have MS and our paths could not be more different.",
    ),
    (
        M,
        "Can animal studies be made closer to progressive MS in people?",
        "So many treatments work in mice and then fail in people.",
    ),
    (
        M,
        "What role does ageing play in how the brain copes with MS?",
        "I noticed things got harder in my fifties. Is that MS, age, or both?",
    ),
    (
        M,
        "Do earlier infections, such as glandular fever, keep affecting MS later on?",
        "If a virus started it, could it still be keeping it going?",
    ),
    (
        M,
        "Can we learn from people whose MS has stayed stable for decades?",
        "Some people do well for a very long time. What protects them?",
    ),
    (
        P,
        "Can trials be run so that people with more disability can take part?",
        "I am often excluded because I use a wheelchair, yet treatments are meant for people like me.",
    ),
    (
        P,
        "Can people take part in trials mostly from home?",
        "Travelling to a trial centre every month is exhausting and expensive.",
    ),
    (
        P,
        "Could trials test several treatments at once to get answers faster?",
        "We cannot wait ten years for each trial in turn.",
    ),
    (
        P,
        "Should trials include people over 60?",
        "Many of us with progressive MS are older, but trials often stop at 55 or 60.",
    ),
    (
        P,
        "How can trial results be shared with the people who took part?",
        "I gave two years to a trial and never heard what it found.",
    ),
    (
        P,
        "Can combinations of treatments work better than one at a time?",
        "Cancer treatment uses combinations. Why not MS?",
    ),
    (
        OM,
        "Can a blood test show whether MS is getting worse before symptoms change?",
        "Waiting for my walking to get worse to know if a treatment failed is too late.",
    ),
    (
        OM,
        "Can trials measure what matters in daily life, like using a phone or cooking?",
        "Walking tests miss what I struggle with most: my hands.",
    ),
    (
        OM,
        "Can smartphones or watches track changes at home between clinic visits?",
        "A clinic visit every six months is a snapshot. My MS changes day to day.",
    ),
    (
        OM,
        "How can brain scans show damage that matters to us?",
        "My scan was called stable while I was clearly getting worse.",
    ),
    (
        OM,
        "Can changes in thinking and memory be measured better in trials?",
        "Brain fog affects my work more than anything, but nobody measures it well.",
    ),
    (
        OM,
        "How should fatigue be measured so that trials take it seriously?",
        "Fatigue is my worst symptom and it is invisible on every test.",
    ),
    (S, "What helps with fatigue in progressive MS?", "I have tried everything I was told. Nothing lasts."),
    (
        S,
        "Which kinds of exercise help most, and how much is safe?",
        "I am afraid of overdoing it and paying for it for days.",
    ),
    (
        S,
        "Can bladder and bowel problems be treated better?",
        "This is the symptom nobody talks about, and it stops me leaving the house.",
    ),
    (
        S,
        "What can ease nerve pain and muscle stiffness without heavy side effects?",
        "The medicines make me too drowsy to think.",
    ),
    (
        S,
        "Can rehabilitation keep people walking for longer?",
        "Physiotherapy helped me, but it stopped after six weeks.",
    ),
    (
        S,
        "How can people with MS keep working for longer?",
        "I had to give up a job I loved. Better support might have helped.",
    ),
]

# Moderation in the current round: the question (by index) the demo login wrote and a moderator
# edited for clarity, with the login's original words; a duplicate merged into another; one hidden;
# two waiting for a moderator.
LOGIN_QUESTION = 24  # "What helps with fatigue in progressive MS?"
LOGIN_ORIGINAL = (
    "fatigue!! why is nothing done about it and what actually works for the tiredness with progressive MS",
    "I have tried everything I was told. Nothing lasts. I sleep 10 hours and wake up tired.",
)
EDIT_REASON = "One question in plain words; the author's words are kept."
DUPLICATE = (S, "Is there any treatment for MS tiredness?", "The tiredness is the worst part.")
DUPLICATE_OF = 24
MERGE_REASON = "The same question as “What helps with fatigue in progressive MS?”."
HIDDEN = (T, "Where can I buy the stem cell treatment advertised online?", "A clinic abroad offers it.")
HIDDEN_REASON = (
    "Not a research question, and it names a commercial clinic. Please ask your MS nurse about "
    "treatments offered abroad."
)
WAITING = [
    (S, "Does cooling help with heat sensitivity?", "Summer makes all my symptoms worse."),
    (
        OM,
        "Could eye scans show how MS is progressing?",
        "I read that the back of the eye shows nerve damage.",
    ),
]

# Comments: (question index, comment). The last one is hidden by a moderator with the reason.
COMMENTS = [
    (24, "Same for me. Some days I can do nothing at all after lunch."),
    (24, "Pacing helped me a little. It would be good to know what the research says."),
    (26, "Thank you for raising this. It is the thing I find hardest to talk about."),
    (13, "Home visits by a nurse would make such a difference for trials."),
    (12, "Yes! I was turned away from two trials because of my walking."),
    (19, "My hands are the problem too. Buttons, keys, writing."),
    (0, "There was news about metformin and myelin. Did that go anywhere?"),
    (3, "This is the question I care about most."),
    (20, "I already use a step counter. I would happily share the data."),
    (29, "Work kept me going. Losing it was as hard as the MS."),
    (16, "Agreed. A short letter in plain words would be enough."),
    (25, "My physio says little and often. I would like proof."),
]
HIDDEN_COMMENT = (24, "Message me for a supplement that cured my fatigue in a week!")
HIDDEN_COMMENT_REASON = "Advertising an unproven product."

# The demo login's votes in the current round (question index → votes): 4 of 10 given, 6 left.
LOGIN_VOTES = {24: 3, 26: 1}

# The past round's questions, the top ten first in the order the steering group chose.
PAST_QUESTIONS = [
    (T, "Can existing medicines be repurposed to slow progressive MS?", ""),
    (T, "Can damaged myelin be repaired in progressive MS?", ""),
    (S, "What treatments reduce fatigue in progressive MS?", ""),
    (OM, "Can we find markers that show early whether a treatment works?", ""),
    (S, "Can bladder problems in MS be better managed?", ""),
    (S, "Which exercise and rehabilitation programmes keep people mobile?", ""),
    (M, "What causes MS to become progressive?", ""),
    (P, "How can trials include people with more advanced disability?", ""),
    (S, "What helps with problems of memory and thinking?", ""),
    (OM, "Can outcome measures reflect upper-limb function?", ""),
    (M, "Do diet and the gut affect progression?", ""),
    (P, "Can trials be shorter without losing reliability?", ""),
    (S, "What helps with pain in progressive MS?", ""),
    (OM, "Can home monitoring replace some clinic visits?", ""),
]
# Votes given in the past round per question (in the order above), spread over the members (374 of
# the 400 the 40 members had).
PAST_VOTES = [48, 44, 40, 35, 26, 31, 28, 25, 22, 20, 18, 15, 12, 10]
