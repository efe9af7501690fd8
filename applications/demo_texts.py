"""Texts for the demo's applications, written from progressive-MS research topics.

Each application draws mostly on one topic (its vocabulary, sentences and keywords) and sometimes a
little on a second, so that applications on the same topic read alike and text similarity between
them means something. Everything is deterministic for a given ``random.Random``.
"""

import random
from dataclasses import dataclass

from applications.demo_topics import LAB_TOPICS
from applications.demo_topics_clinical import CLINICAL_TOPICS
from applications.eligibility import count_words

TOPICS = [*LAB_TOPICS, *CLINICAL_TOPICS]

LAY_OPENERS = [
    "More than a million people worldwide live with progressive multiple sclerosis (MS), and for most of "
    "them no treatment stops their disability from getting worse.",
    "Progressive MS causes a slow, steady build-up of disability, and there are still very few treatments "
    "for it.",
    "Most people with MS eventually enter a progressive phase, in which symptoms worsen over time without "
    "clear relapses.",
]
LAY_CLOSERS = [
    "People living with MS are members of our advisory group and will help us share the results with the "
    "MS community.",
    "We will share what we learn with people affected by MS through MS societies, newsletters and online "
    "events.",
    "This project is a step towards treatments that make a real difference to the daily lives of people "
    "with progressive MS.",
]
ABSTRACT_OPENERS = [
    "Progressive MS remains the greatest unmet need in MS care, with few therapies that slow the "
    "accumulation of disability.",
    "Disability in progressive MS accrues largely independently of relapses, driven by mechanisms that "
    "current immunotherapies do not address.",
]
ABSTRACT_IMPACT = [
    "People with lived experience of progressive MS contributed to the design of this project and sit on "
    "its steering group.",
    "All data, code and protocols will be shared openly to accelerate research across the Alliance's "
    "network.",
    "The project brings together expertise across disciplines and countries that no single group holds "
    "alone.",
]
TITLE_QUALIFIERS = [
    " in primary progressive MS",
    " in secondary progressive MS",
    " in older people with MS",
    " in people with advanced disability",
    " across the Alliance's international network",
    " (a pilot study)",
    " (a multicentre study)",
    " (a translational study)",
    " (a proof-of-concept study)",
    " (a mixed-methods study)",
]
SECTIONS = [
    ("Background", "background"),
    ("Aims", "aims"),
    ("Methods", "methods"),
    ("Expected outcomes", "outcomes"),
]


@dataclass(frozen=True)
class Proposal:
    topics: tuple[str, ...]
    title: str
    lay_summary: str
    scientific_abstract: str
    keywords: str
    focus_areas: tuple[str, ...]  # focus area slugs
    needed_expertise: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # for the research plan: heading, sentences


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _filler(rng: random.Random, topic: dict) -> dict[str, str]:
    """One choice per slot, so the application is consistent about its target, model, cohort…"""
    return {slot: rng.choice(options) for slot, options in topic["fills"].items()}


def _render(sentence: str, values: dict[str, str]) -> str:
    return _capitalise(sentence.format_map(values))


def _words(sentences: list[str]) -> int:
    return sum(count_words(s) for s in sentences)


def _trim(rng: random.Random, parts: list[list[str]], target: int, keep: int = 1) -> None:
    """Drop random sentences (never below ``keep`` per part) until the total is at most ``target``."""
    while sum(_words(p) for p in parts) > target:
        droppable = [(i, j) for i, part in enumerate(parts) if len(part) > keep for j in range(len(part))]
        if not droppable:
            return
        i, j = rng.choice(droppable)
        del parts[i][j]


def write_proposal(
    rng: random.Random, *, lay_limit: int, abstract_limit: int, used_titles: set[str] | None = None
) -> Proposal:
    """Title, lay summary, structured abstract, keywords and focus areas for one application."""
    primary = rng.choice(TOPICS)
    secondary = rng.choice([t for t in TOPICS if t is not primary]) if rng.random() < 0.55 else None
    values = _filler(rng, primary)
    other_values = _filler(rng, secondary) if secondary else {}

    used_titles = used_titles if used_titles is not None else set()
    for attempt in range(12):  # another template, other choices, then a qualifier: titles differ
        title = _render(rng.choice(primary["titles"]), values)
        if attempt >= 4:
            title += rng.choice(TITLE_QUALIFIERS)
        if title not in used_titles:
            break
        values = _filler(rng, primary)
    used_titles.add(title)

    # Lay summary: an opener, the primary topic's story in order, a sentence or two from the second
    # topic, a closer; then sentences dropped at random down to a length that varies.
    lay_middle = [_render(s, values) for s in primary["lay"]]
    if secondary:
        picks = rng.sample(secondary["lay"], k=min(2, len(secondary["lay"])))
        lay_middle[-1:-1] = [_render(s, other_values) for s in picks]
    lay_parts = [[rng.choice(LAY_OPENERS)], lay_middle, [rng.choice(LAY_CLOSERS)]]
    _trim(rng, lay_parts, min(lay_limit, rng.randint(int(lay_limit * 0.3), int(lay_limit * 0.9))), keep=1)
    lay_summary = " ".join(s for part in lay_parts for s in part)
    if count_words(lay_summary) > lay_limit:  # tiny limits: keep the first sentences that fit
        lay_summary = _fit(lay_summary.split(". "), lay_limit)

    # Structured abstract: Background / Aims / Methods / Expected outcomes / Relevance.
    sections: list[tuple[str, list[str]]] = []
    for heading, key in SECTIONS:
        sentences = [_render(s, values) for s in primary[key]]
        if secondary and key in ("background", "methods") and rng.random() < 0.7:
            sentences.append(_render(rng.choice(secondary[key]), other_values))
        if key == "background":
            sentences.insert(0, rng.choice(ABSTRACT_OPENERS))
        sections.append((heading, sentences))
    sections.append(("Relevance", rng.sample(ABSTRACT_IMPACT, k=2)))
    headings_words = len(sections) + 1  # "Expected outcomes:" is two words
    target = rng.randint(int(abstract_limit * 0.35), int(abstract_limit * 0.95)) - headings_words
    parts = [sentences for _, sentences in sections]
    _trim(rng, parts, max(target, 20), keep=1)
    abstract = "\n\n".join(f"{heading}: {' '.join(sentences)}" for heading, sentences in sections)
    if count_words(abstract) > abstract_limit:
        abstract = _fit(abstract.split(". "), abstract_limit)

    keywords = rng.sample(primary["keywords"], k=rng.randint(2, 4))
    if secondary:
        keywords += [k for k in rng.sample(secondary["keywords"], k=rng.randint(1, 2)) if k not in keywords]
    slot_words = [v.removeprefix("the ").removeprefix("a ") for v in values.values() if len(v.split()) <= 4]
    if slot_words and rng.random() < 0.7 and slot_words[0] not in keywords:
        keywords.insert(0, slot_words[0])
    keywords.append("progressive MS")
    focus = list(primary["focus"][: rng.randint(1, len(primary["focus"]))])
    if secondary and rng.random() < 0.5 and secondary["focus"][0] not in focus:
        focus.append(secondary["focus"][0])
    expertise = primary["expertise"] + (f"; {secondary['expertise'].lower()}" if secondary else "")

    plan_sections = [(heading, tuple(_render(s, values) for s in primary[key])) for heading, key in SECTIONS]
    return Proposal(
        topics=(primary["key"], *([secondary["key"]] if secondary else [])),
        title=title,
        lay_summary=lay_summary,
        scientific_abstract=abstract,
        keywords=", ".join(keywords),
        focus_areas=tuple(focus),
        needed_expertise=expertise,
        sections=tuple(plan_sections),
    )


def _fit(sentences: list[str], limit: int) -> str:
    """The leading sentences that fit within ``limit`` words (at least the first, cut to size)."""
    kept: list[str] = []
    for sentence in sentences:
        if count_words(". ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    if not kept:
        return " ".join(sentences[0].split()[:limit])
    text = ". ".join(kept)
    return text if text.endswith(".") else text + "."


# Budget justifications by category; {months} is the project's duration.
JUSTIFICATIONS = {
    "personnel": [
        "Postdoctoral research fellow (100% FTE) for the project, including employer's social security "
        "and pension contributions.",
        "Research assistant (50% FTE) for participant recruitment, assessments and data entry.",
        "PhD student stipend and fees for the laboratory work packages.",
        "Study coordinator (40% FTE) across the {months}-month project.",
    ],
    "equipment": [
        "Wearable accelerometers and charging stations for the activity monitoring.",
        "Contribution to a high-content imaging system used for the compound screen.",
        "Dedicated workstation with GPU for image analysis and model training.",
    ],
    "consumables": [
        "Antibodies, cell culture media and reagents for iPSC differentiation.",
        "Single-molecule array assay kits for serum biomarker measurements.",
        "MRI scanning time on research sequences (charged per hour by the imaging centre).",
        "Laboratory animals, housing and histology reagents.",
    ],
    "travel": [
        "Travel to the annual Alliance scientific meeting and one international conference per year.",
        "Participants' travel expenses to assessment visits.",
        "Exchange visits between partner laboratories for training and data harmonisation.",
    ],
    "other": [
        "Patient and public involvement: reimbursement of the advisory group's time and meeting costs.",
        "Open-access publication fees.",
        "Data management and secure storage on the institutional research platform.",
    ],
}
CATEGORY_WEIGHTS = {"personnel": 5.0, "equipment": 1.6, "consumables": 2.0, "travel": 0.6, "other": 0.8}
