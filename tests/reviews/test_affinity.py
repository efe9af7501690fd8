"""The affinity matrix: text similarity, focus overlap and bids, as documented in reviews.affinity."""

import numpy as np
import pytest

from reviews.affinity import (
    BID_SCORES,
    BID_WEIGHT,
    FOCUS_WEIGHT,
    NOT_WILLING_FACTOR,
    TEXT_WEIGHT,
    affinity_from_components,
    compute_affinity,
    shared_terms,
)
from reviews.models import Bid
from tests.factories import CallFactory, FocusAreaFactory
from tests.reviews.factories import SubmittedApplicationFactory, accepted_reviewer


def test_focus_is_the_share_of_the_applications_areas_the_reviewer_covers():
    app_focus = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]])  # areas a, b | c | none
    reviewer_focus = np.array([[1, 0, 1, 0], [1, 1, 1, 1], [0, 0, 0, 1]])
    text = np.zeros((3, 3))
    bids = np.full((3, 3), 0.5)

    focus, total, has_focus = affinity_from_components(text, app_focus, reviewer_focus, bids)

    assert focus.tolist() == [[0.5, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert has_focus.tolist() == [True, True, False]
    assert total[0].tolist() == pytest.approx([0.25 * 0.5 + 0.15 * 0.5, 0.25 + 0.15 * 0.5, 0.15 * 0.5])
    # No focus areas: not counted as zero, the other weights are rescaled to sum to 1.
    assert total[2].tolist() == pytest.approx([0.15 * 0.5 / 0.75] * 3)


def test_bids_are_mapped_as_documented_and_not_willing_is_discouraged_but_allowed():
    assert BID_SCORES == {"eager": 1.0, "willing": 0.75, "neutral": 0.5, "not_willing": 0.0}
    assert (TEXT_WEIGHT, FOCUS_WEIGHT, BID_WEIGHT) == (0.6, 0.25, 0.15)
    bids = np.array([[1.0, 0.75, 0.5, 0.0]])
    text = np.full((1, 4), 0.8)
    _, total, _ = affinity_from_components(text, np.ones((1, 1)), np.ones((4, 1)), bids)

    base = 0.6 * 0.8 + 0.25
    assert total[0].tolist() == pytest.approx(
        [base + 0.15, base + 0.15 * 0.75, base + 0.15 * 0.5, base * NOT_WILLING_FACTOR]
    )
    assert total[0, 3] > 0


@pytest.mark.django_db
def test_matching_expertise_has_higher_text_affinity_and_the_bids_come_from_the_database():
    call = CallFactory()
    area, other_area = FocusAreaFactory(slug="repair"), FocusAreaFactory(slug="imaging")
    myelin = SubmittedApplicationFactory(
        call=call,
        title="Remyelination in chronic lesions",
        scientific_abstract="Oligodendrocyte precursor cells fail to remyelinate chronic demyelinated "
        "lesions.",
        keywords="remyelination, oligodendrocyte",
    )
    myelin.focus_areas.set([area, other_area])
    mri = SubmittedApplicationFactory(
        call=call,
        title="MRI biomarkers of progression",
        scientific_abstract="Magnetic resonance imaging of brain atrophy and lesion volume over five years.",
        keywords="MRI, atrophy, imaging",
    )
    expert = accepted_reviewer(
        call,
        name="Mia Myelin",
        expertise="I study oligodendrocyte precursor cells and remyelination of demyelinated lesions.",
        keywords="remyelination, myelin",
        focus_areas=[area],
    )
    imager = accepted_reviewer(
        call, name="Ima Imaging", expertise="Brain MRI, atrophy and lesion volume.", keywords="imaging"
    )
    Bid.objects.create(application=myelin, reviewer=expert, value=Bid.Value.EAGER)
    Bid.objects.create(application=mri, reviewer=expert, value=Bid.Value.NOT_WILLING)

    matrix = compute_affinity(call=call, applications=[mri, myelin], reviewers=[imager, expert])

    assert matrix.application_ids.tolist() == [myelin.pk, mri.pk]  # sorted by pk
    assert matrix.reviewer_ids.tolist() == [expert.pk, imager.pk]
    assert matrix.text[0, 0] > matrix.text[1, 0]  # the myelin expert fits the myelin application
    assert matrix.text[1, 1] > matrix.text[0, 1]
    assert matrix.text.max() == 1.0
    assert matrix.text.min() >= 0.0
    assert matrix.focus.tolist() == [[0.5, 0.0], [0.0, 0.0]]
    assert matrix.has_focus.tolist() == [True, False]
    assert matrix.bid.tolist() == [[1.0, 0.5], [0.0, 0.5]]
    assert ((matrix.total >= 0) & (matrix.total <= 1)).all()
    terms = shared_terms(matrix.application_vectors[0], matrix.reviewer_vectors[0], matrix.feature_names)
    assert 0 < len(terms) <= 3
    assert "remyelination" in terms


def test_shared_terms_are_the_heaviest_common_terms():
    names = np.array(["alpha", "beta", "gamma", "delta"], dtype=object)
    app = np.array([[0.5, 0.1, 0.0, 0.8]])
    reviewer = np.array([[0.4, 0.9, 0.7, 0.1]])
    assert shared_terms(app, reviewer, names, n=2) == ["alpha", "beta"]  # 0.20, 0.09 (delta 0.08)
